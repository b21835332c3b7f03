"""Reading a bundle back: the Score, Brief and Style it was made from, and clear errors for a
folder that is not a bundle."""

import json
import re
import shutil
from dataclasses import replace

import pytest

from gekiban.bundle.read import (
    bundle_format,
    bundle_loudness,
    bundle_sample_rate,
    load_bundle,
)
from gekiban.bundle.schema import brief_from_dict, brief_to_dict
from gekiban.errors import BundleError, InvalidOptionError, StyleError


def notes(score):
    """Each part's notes as MIDI onset tick and pitch (MIDI shortens a note that a repeat of its
    key cuts and merges two strokes of one key at one tick, so the rest is compared through the
    MIDI bytes instead)."""
    return [sorted({(round(n.start * 480), n.pitch) for n in p.notes}) for p in score.parts]


def midi_bytes(score):
    import io

    from gekiban.midi import score_to_midi

    buf = io.BytesIO()
    score_to_midi(score).save(file=buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    from gekiban.pipeline import compose

    out = tmp_path_factory.mktemp("bundle")
    track = compose("tense chase", duration=8, seed=12, hits=[4.0], ending="button", loudness="ebu", sample_rate=44100)
    track.save(out, format="flac")
    return track, out


def test_load_bundle_gives_back_score_brief_style_and_metadata(bundle):
    track, out = bundle
    score, brief, style, meta = load_bundle(out)
    assert notes(score) == notes(track.score)
    assert midi_bytes(score) == (out / "score.mid").read_bytes() == midi_bytes(track.score)
    assert score.bars == track.score.bars and score.duration == pytest.approx(track.score.duration, abs=1e-4)
    assert [(p.role, p.instrument, p.program, p.is_drum) for p in score.parts] == \
        [(p.role, p.instrument, p.program, p.is_drum) for p in track.score.parts]
    assert score.sections == track.score.sections and score.chords == track.score.chords
    assert [m.text for m in score.markers if m.text.startswith("hit")] == ["hit 0:04.0"]
    assert replace(brief, evidence={}) == replace(track.brief, evidence={})
    assert brief.evidence == track.brief.evidence
    assert style.name == track.style.name
    assert meta["seed"] == 12 and meta["request"]["hits"] == [4.0]
    assert bundle_format(meta) == "flac" and bundle_sample_rate(meta) == 44100 and bundle_loudness(meta) == -23.0


def test_the_brief_of_a_bundle_composes_the_same_score_again(bundle):
    from gekiban.composer import build_score

    track, out = bundle
    score, brief, style, meta = load_bundle(out)
    again = build_score(brief, style)
    assert again.parts == track.score.parts and again.tempo == track.score.tempo
    assert notes(score) == notes(again)


def test_brief_round_trips_through_json(bundle):
    track, _ = bundle
    data = json.loads(json.dumps(brief_to_dict(track.brief)))
    assert replace(brief_from_dict(data, evidence=track.brief.evidence)) == track.brief


def copy_bundle(src, dst):
    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize("breakage, shown", [
    (lambda d: shutil.rmtree(d), "does not exist"),
    (lambda d: (shutil.rmtree(d), d.write_text("x")), "is a file, not a bundle folder"),
    (lambda d: (d / "track.json").unlink(), "no track.json"),
    (lambda d: (d / "score.mid").unlink(), "no score.mid"),
    (lambda d: [p.unlink() for p in d.glob("*.*")], "no track.json or score.mid"),
    (lambda d: (d / "track.json").write_text("{nope"), "is not valid JSON"),
    (lambda d: (d / "track.json").write_text('{"hello": 1}'), "not a gekiban track description"),
    (lambda d: (d / "track.json").write_text('[1, 2]'), "not a gekiban track description"),
    (lambda d: (d / "score.mid").write_bytes(b"MThd garbage"), "not a usable bundle"),
])
def test_a_folder_that_is_not_a_bundle_is_refused_clearly(bundle, tmp_path, breakage, shown):
    _, out = bundle
    d = copy_bundle(out, tmp_path / "copy")
    breakage(d)
    with pytest.raises(BundleError, match=shown) as err:
        load_bundle(d)
    assert isinstance(err.value, InvalidOptionError) and "copy" in str(err.value)


def test_edited_metadata_that_disagrees_with_the_midi_is_refused(bundle, tmp_path):
    _, out = bundle
    d = copy_bundle(out, tmp_path / "copy")
    meta = json.loads((d / "track.json").read_text())
    meta["parts"] = meta["parts"][:1]
    (d / "track.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="lists 1 parts"):
        load_bundle(d)
    meta = json.loads((out / "track.json").read_text())
    meta["request"]["tempo"] = "fast"
    (d / "track.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="cannot be used: bad tempo 'fast'"):
        load_bundle(d)
    del meta["request"]["style"]
    (d / "track.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="incomplete or malformed"):
        load_bundle(d)


@pytest.mark.parametrize(("field", "value", "shown"), [
    ("tempo", 0, "tempo 0"), ("tempo", 1e9, "tempo 1000000000.0"), ("duration", -3, "duration -3"),
    ("energy", 7, "energy 7"), ("seed", -1, "seed -1"), ("chords", ["|"], "chords"), ("hits", [9999], "hit at 9999"),
    ("ending", "sudden", "ending 'sudden'"), ("motif", [[0, 1]], "motif note"), ("meter", "0/4", "meter '0/4'"),
])
def test_a_hand_edited_brief_is_refused_before_any_work(bundle, tmp_path, field, value, shown):
    _, out = bundle
    d = copy_bundle(out, tmp_path / "copy")
    meta = json.loads((d / "track.json").read_text())
    meta["request"][field] = value
    (d / "track.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match=re.escape(shown)):
        load_bundle(d)


def test_a_missing_style_file_is_named(bundle, tmp_path):
    _, out = bundle
    d = copy_bundle(out, tmp_path / "copy")
    meta = json.loads((d / "track.json").read_text())
    meta["request"]["style"] = str(tmp_path / "gone.toml")
    (d / "track.json").write_text(json.dumps(meta))
    with pytest.raises(StyleError, match="gone.toml"):
        load_bundle(d)


def test_a_bundle_without_a_request_block_still_loads(bundle, tmp_path):
    track, out = bundle
    d = copy_bundle(out, tmp_path / "copy")
    meta = json.loads((d / "track.json").read_text())
    del meta["request"]
    (d / "track.json").write_text(json.dumps(meta))
    score, brief, style, meta2 = load_bundle(d)
    assert notes(score) == notes(track.score)
    assert brief.seed == 12 and brief.key == track.score.key and brief.tempo == track.score.tempo[0].bpm
    assert brief.ending == "button" and brief.hits == (4.0,)
