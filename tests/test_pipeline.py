"""The pipeline's promises: exact controls, reproducibility, and a bundle that meets the delivery rules."""

import json

import numpy as np
import pytest

from gekiban.audio.analysis import longest_silence
from gekiban.audio.files import read_audio
from gekiban.audio.meter import measure
from gekiban.composer import build_score
from gekiban.instruments import get_instrument
from gekiban.midi import read_midi, score_to_midi
from gekiban.pipeline import compose, compose_brief
from gekiban.styles import all_styles, resolve_style
from gekiban.understand import embed as embed_module
from gekiban.understand.resolve import resolve_brief


def score_for(prompt="", **options):
    brief = resolve_brief(prompt, **options)
    return brief, build_score(brief, resolve_style(brief.style)[1])


def midi_bytes(score):
    import io

    buf = io.BytesIO()
    score_to_midi(score).save(file=buf)
    return buf.getvalue()


@pytest.mark.parametrize("style", sorted(all_styles()))
def test_every_style_composes_a_playable_score(style):
    brief, score = score_for(style=style, seed=11, duration=20)
    assert score.parts and any(p.role == "lead" for p in score.parts)
    for p in score.parts:
        inst = get_instrument(p.instrument)
        if not p.is_drum:
            assert all(inst.low <= n.pitch <= inst.high for n in p.notes), p.name
    assert abs(score.duration - 20) <= score.seconds_at(score.meter.bar_beats)


@pytest.mark.parametrize("opts", [
    dict(key="F# minor", tempo=97, meter="3/4", duration=45),
    dict(key="Bb major", tempo=140, meter="6/8", duration=30, style="lofi"),
    dict(key="E dorian", tempo=180, meter="7/8", duration=25, style="jrock-battle"),
    dict(key="C major", tempo=60, meter="4/4", duration=200, style="emotional-piano"),
])
def test_explicit_options_are_exact(opts):
    brief, score = score_for("dramatic battle in the rain", seed=3, **opts)
    assert score.key.name == opts["key"]
    assert score.tempo[0].bpm == opts["tempo"] and len(score.tempo) == 1
    assert str(score.meter) == opts["meter"]
    bar_seconds = score.meter.bar_beats * 60 / opts["tempo"]
    assert abs(score.duration - opts["duration"]) <= bar_seconds / 2 + 1e-9
    m = read_midi_score(score)
    assert str(m.meter) == opts["meter"] and m.tempo[0].bpm == pytest.approx(opts["tempo"], abs=1e-3)


def read_midi_score(score):
    import io

    import mido

    from gekiban.midi import midi_to_score

    return midi_to_score(mido.MidiFile(file=io.BytesIO(midi_bytes(score))))


@pytest.mark.parametrize("instruments", ["piano", "piano,strings", "shakuhachi,koto,taiko", "flute,harp,cello,drums"])
def test_explicit_instruments_are_exactly_the_parts(instruments):
    _, score = score_for("battle", instruments=instruments, seed=5, duration=30)
    assert {p.instrument for p in score.parts} == {get_instrument(i).id for i in instruments.split(",")}


def test_same_seed_same_bytes_other_seed_other_melody():
    a = midi_bytes(score_for("peaceful countryside morning", seed=42, duration=40)[1])
    b = midi_bytes(score_for("peaceful countryside morning", seed=42, duration=40)[1])
    assert a == b
    lead = lambda seed: [(n.pitch, n.start) for n in score_for("peaceful countryside morning", seed=seed, duration=40)[1].part("lead").notes]
    assert lead(42) != lead(43)


def test_prompt_without_options_fits_duration_exactly_by_tempo():
    brief, score = score_for("city night chase", seed=1, duration=30)
    assert abs(score.duration - 30) < 0.05


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    track = compose("dramatic battle", duration=12, seed=9, key="D minor", tempo=150)
    track.save(out)
    return track, out


def test_bundle_layout_and_metadata(bundle):
    track, out = bundle
    meta = json.loads((out / "track.json").read_text(encoding="utf-8"))
    assert (out / "mix.wav").is_file() and (out / "score.mid").is_file()
    stems = sorted((out / "stems").iterdir())
    assert [s.name for s in stems] == [f"{i + 1:02d}-{p.role}-{p.instrument}.wav" for i, p in enumerate(track.score.parts)]
    assert meta["seed"] == 9 and meta["prompt"] == "dramatic battle"
    assert meta["brief"]["key"] == "D minor" and meta["brief"]["tempo"] == 150
    assert {"style", "mood", "tempo", "key", "meter", "duration", "instruments"} <= set(meta["brief"])
    assert meta["sections"][0]["start"] == 0 and meta["sections"][-1]["end"] == pytest.approx(track.score.duration, abs=1e-3)
    assert meta["chords"] and all("symbol" in c for c in meta["chords"])
    assert all("program" in p for p in meta["parts"])
    assert meta["loudness"]["integrated_lufs"] == pytest.approx(-14, abs=0.5)
    back = read_midi(out / "score.mid")
    assert [(p.role, p.instrument, p.program) for p in back.parts] == [(p.role, p.instrument, p.program) for p in track.score.parts]
    notes = lambda score: [sorted((round(n.start * 480), n.pitch) for n in p.notes) for p in score.parts]
    assert notes(back) == notes(track.score)


def test_mix_meets_delivery_rules(bundle):
    track, out = bundle
    mix, sr = read_audio(out / "mix.wav")
    assert sr == 48000 and mix.shape[1] == 2
    m = measure(mix, sample_rate=sr)
    assert m["integrated_lufs"] == pytest.approx(-14, abs=0.5)
    assert m["true_peak_dbtp"] <= -1.0
    assert np.abs(mix).max() < 1.0
    music = mix[: int(track.score.duration * sr)]
    assert longest_silence(music, sample_rate=sr, ignore_edges=True) <= 2.0
    assert len(mix) <= int((track.score.duration + 4.0) * sr) + 1


def test_stems_sum_to_the_mix_before_the_limiter(bundle):
    track, out = bundle
    from gekiban.audio.limiter import premaster

    stems = [read_audio(p)[0] for p in sorted((out / "stems").iterdir())]
    mix, _ = read_audio(out / "mix.wav")
    assert all(s.shape == mix.shape for s in stems)
    total = np.sum(stems, axis=0)
    assert np.allclose(total, premaster(list(track.stems), 1.0), atol=1e-6)
    # the master bus only turns the sum down (limiter, final trim), and leaves most of it untouched
    loud = np.abs(total) > 1e-3
    ratio = mix[loud] / total[loud]
    assert ratio.max() <= track.master.post_gain * 1.001 + 1e-3
    assert np.mean(np.abs(ratio - track.master.post_gain) < 2e-3) > 0.5


@pytest.mark.parametrize("fmt", ["flac", "mp3"])
def test_other_mix_formats(bundle, tmp_path, fmt):
    track, _ = bundle
    out = track.save(tmp_path / fmt, format=fmt)
    assert (out / f"mix.{fmt}").stat().st_size > 10_000
    assert json.loads((out / "track.json").read_text())["files"]["mix"] == f"mix.{fmt}"


@pytest.mark.slow
@pytest.mark.parametrize("loudness,target", [("ebu", -23.0), ("arib", -24.0), ("-16", -16.0)])
def test_loudness_targets_end_to_end(loudness, target):
    track = compose("slice of life at school", duration=20, seed=2, loudness=loudness)
    m = measure(track.mix, sample_rate=track.sample_rate)
    assert m["integrated_lufs"] == pytest.approx(target, abs=0.5) and m["true_peak_dbtp"] <= -1.0


@pytest.mark.parametrize("style,key,tempo", [("orchestral-battle", "D minor", 150), ("slice-of-life", "E major", 120),
                                             ("hopeful", "Bb major", 100)])
def test_the_audio_is_heard_in_the_asked_key_and_tempo(style, key, tempo):
    from audio_checks import heard_key, heard_tempo

    from gekiban.theory import parse_key

    track = compose("", style=style, key=key, tempo=tempo, duration=20, seed=1)
    asked = parse_key(key)
    assert heard_key(track.mix, track.sample_rate) == (asked.tonic, asked.mode)
    heard = heard_tempo(track.mix, track.sample_rate)
    assert min(abs(heard / (tempo * f) - 1) for f in (0.5, 1, 2)) < 0.03, heard


def test_parts_are_balanced_around_the_lead(bundle):
    from gekiban.audio.meter import integrated_loudness

    track, _ = bundle
    levels = {p.role: integrated_loudness(s, sample_rate=track.sample_rate) for p, s in zip(track.parts, track.stems)}
    lead = levels.pop("lead")
    assert all(2 <= lead - v <= 12 for v in levels.values()), levels


@pytest.fixture
def embeddings(monkeypatch):
    """The texts the embedding model is run on, call by call, once the model and the vectors of
    the styles, moods and energy anchors are warm (as in a long-running worker)."""
    from gekiban.understand.semantic import warm_up

    warm_up(all_styles())
    calls = []
    real = embed_module.embed

    def counted(texts):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(embed_module, "embed", counted)
    return calls


def test_the_command_line_reads_the_prompt_once(tmp_path, embeddings):
    from gekiban.cli import main

    code = main(["compose", "a sudden shock in the hallway", "--cue", "stinger", "--seed", "3", "-q",
                 "--out", str(tmp_path / "stinger")])
    assert code == 0 and embeddings == [["a sudden shock in the hallway"]]


def test_compose_and_compose_brief_read_the_prompt_once(embeddings):
    track = compose("rain on the window at night", duration=4, seed=2, cue="eyecatch")
    assert embeddings == [["rain on the window at night"]] and track.brief.cue == "eyecatch"
    brief = resolve_brief("a quiet village morning", duration=4, seed=2)
    again = compose_brief(brief)
    assert len(embeddings) == 2 and again.brief is brief and again.score.duration == pytest.approx(4, abs=2)
