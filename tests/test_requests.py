"""ComposeRequest: every compose option from JSON, type-checked; resolve_request: each bad value
refused naming its field, before any work; compose_to: compose and save (stand-in pipeline)."""

from __future__ import annotations

import pytest

from gekiban.errors import InvalidOptionError, StyleError
from gekiban.requests import ComposeRequest, compose_to, resolve_request


def test_from_mapping_takes_every_option():
    req = ComposeRequest.from_mapping({
        "prompt": "rain", "style": "lofi", "duration": "1:30", "seed": 7, "key": "D minor", "tempo": 90.5,
        "meter": "3/4", "instruments": ["piano", "strings"], "chords": ["Am", "F"], "from_midi": "/x.mid",
        "arc": "calm>build", "sections": ["0:45=tense"], "hits": ["0:42.5", 50], "ending": "fade",
        "loop": False, "cue": None, "layers": True, "loudness": -16, "format": "flac", "sample_rate": 44100})
    assert req.instruments == "piano, strings" and req.chords == "Am F" and req.loudness == "-16"
    assert req.sections == ("0:45=tense",) and req.hits == ("0:42.5", 50) and req.cue is None and req.layers
    assert ComposeRequest.from_mapping({}) == ComposeRequest()
    assert ComposeRequest.from_mapping({"sections": "0:45=tense", "hits": 42}).hits == (42,)


@pytest.mark.parametrize(("data", "field", "shown"), [
    ({"tempi": 90}, "tempi", "tempi"), ({"prompt": 5}, "prompt", "5"), ({"prompt": None}, "prompt", "None"),
    ({"style": ["lofi"]}, "style", "['lofi']"), ({"duration": True}, "duration", "True"),
    ({"duration": [60]}, "duration", "[60]"), ({"seed": 1.5}, "seed", "1.5"), ({"seed": False}, "seed", "False"),
    ({"key": 5}, "key", "5"), ({"tempo": {}}, "tempo", "{}"), ({"meter": 4}, "meter", "4"),
    ({"instruments": 3}, "instruments", "3"), ({"instruments": ["piano", 3]}, "instruments", "3"),
    ({"chords": [1, 2]}, "chords", "[1, 2]"), ({"from_midi": 1}, "from_midi", "1"), ({"arc": 1}, "arc", "1"),
    ({"arc_file": []}, "arc_file", "[]"), ({"sections": 5}, "sections", "5"), ({"sections": ["a", 1]}, "sections", "1"),
    ({"hits": [True]}, "hits", "True"), ({"hits": {"a": 1}}, "hits", "{'a': 1}"), ({"ending": 2}, "ending", "2"),
    ({"loop": "yes"}, "loop", "'yes'"), ({"loop": 1}, "loop", "1"), ({"cue": 1}, "cue", "1"),
    ({"layers": None}, "layers", "None"), ({"loudness": None}, "loudness", "None"), ({"format": 3}, "format", "3"),
    ({"sample_rate": 44.1}, "sample_rate", "44.1"), ({"sample_rate": True}, "sample_rate", "True"),
    ({"musicxml": "yes"}, "musicxml", "'yes'"),
])
def test_from_mapping_refuses_wrong_types_naming_the_field(data, field, shown):
    with pytest.raises(InvalidOptionError) as info:
        ComposeRequest.from_mapping(data)
    assert info.value.field == field and shown in str(info.value)


def test_an_unknown_key_lists_the_allowed_ones():
    with pytest.raises(InvalidOptionError, match="unknown option 'bpm'.*prompt, style, duration"):
        ComposeRequest.from_mapping({"bpm": 120})


@pytest.mark.parametrize("data", [None, [], "prompt", 5])
def test_from_mapping_needs_an_object(data):
    with pytest.raises(InvalidOptionError, match="JSON object"):
        ComposeRequest.from_mapping(data)


@pytest.mark.parametrize(("options", "field", "shown"), [
    ({"format": "aiff"}, "format", "aiff"), ({"stems_format": "wav8"}, "stems_format", "wav8"),
    ({"stem_names": "long"}, "stem_names", "long"), ({"delivery": "cinema"}, "delivery", "cinema"),
    ({"sample_rate": "22050"}, "sample_rate", "22050"),
    ({"loudness": "loud"}, "loudness", "loud"), ({"cue": "opening"}, "cue", "opening"),
    ({"duration": "forever"}, "duration", "forever"), ({"duration": 0}, "duration", "0"),
    ({"arc": "calm>nowhere"}, "arc", "nowhere"), ({"arc": "calm", "sections": ("0:10=tense",)}, "arc", "--section"),
    ({"sections": ("0:99=tense",), "duration": 30}, "sections", "0:99"), ({"hits": ("5:00",), "duration": 30}, "hits", "300 s"),
    ({"ending": "explode"}, "ending", "explode"), ({"ending": "fade", "loop": True}, "ending", "contradict"),
    ({"arc_file": "/nonexistent/arc.json"}, "arc_file", "arc.json"), ({"prompt": "a\x00b"}, "prompt", "U+0000"),
    ({"seed": "-1"}, "seed", "-1"), ({"key": "H major"}, "key", "H major"), ({"tempo": "999"}, "tempo", "999"),
    ({"meter": "4/5"}, "meter", "4/5"), ({"instruments": "kazoo9000"}, "instruments", "kazoo9000"),
])
def test_bad_values_are_refused_with_their_field_before_the_prompt_is_read(no_compose, monkeypatch, options, field, shown):
    from gekiban.understand import embed

    monkeypatch.setattr(embed, "get_model", lambda: pytest.fail("the model was loaded"))
    with pytest.raises(InvalidOptionError) as info:
        resolve_request(ComposeRequest(**options))
    assert info.value.field == field and shown in str(info.value)


def test_bounds_of_the_server(no_compose, monkeypatch):
    with pytest.raises(InvalidOptionError, match="at most 600 s") as info:
        resolve_request(ComposeRequest(duration="11:00"), max_duration=600)
    assert info.value.field == "duration"
    with pytest.raises(InvalidOptionError, match="at most 500") as info:
        resolve_request(ComposeRequest(prompt="x" * 501), max_prompt=500)
    assert info.value.field == "prompt"
    with pytest.raises(InvalidOptionError, match="prompt asks for") as info:
        resolve_request(ComposeRequest(prompt="a 15 minute battle", style="orchestral-battle"), max_duration=600)
    assert info.value.field == "prompt"


def test_an_unknown_style_is_a_style_error(no_compose):
    with pytest.raises(StyleError):
        resolve_request(ComposeRequest(style="polka-metal"))


def test_mp3_needs_ffmpeg(no_compose, monkeypatch):
    monkeypatch.setattr("gekiban.requests.shutil.which", lambda name: None)
    with pytest.raises(InvalidOptionError, match="ffmpeg") as info:
        resolve_request(ComposeRequest(format="mp3"))
    assert info.value.field == "format"


def test_resolve_applies_cue_defaults_timing_and_delivery(no_compose):
    resolved = resolve_request(ComposeRequest(cue="stinger", seed=3, loudness="ebu", sample_rate="44.1k", format="FLAC"))
    assert resolved.brief.cue == "stinger" and resolved.brief.duration <= 10 and resolved.brief.seed == 3
    assert (resolved.loudness, resolved.sample_rate, resolved.format, resolved.layers) == (-23.0, 44100, "flac", False)
    assert not resolved.musicxml and resolve_request(ComposeRequest(style="lofi", musicxml=True)).musicxml
    looped = resolve_request(ComposeRequest(style="lofi", duration=30, loop=True, hits=("0:10",), seed=1)).brief
    assert looped.loop and looped.ending == "loop" and looped.hits == (10.0,)
    arced = resolve_request(ComposeRequest(style="lofi", duration=30, sections=("0:10=tense",), seed=1)).brief
    assert arced.arc and arced.ending == "ring"


def test_compose_to_composes_and_saves(fake_pipeline, tmp_path):
    resolved = resolve_request(ComposeRequest(prompt="battle", seed=4, format="flac", loudness="arib"))
    stages = []
    composed = compose_to(resolved, tmp_path / "b", progress=lambda s, f: stages.append(s))
    assert composed.folder == tmp_path / "b" and (tmp_path / "b" / "mix.flac").is_file()
    assert composed.track.brief.seed == 4 and fake_pipeline[0]["loudness"] == -24.0 and stages[-1] == "saving"
