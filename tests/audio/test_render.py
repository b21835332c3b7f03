"""SoundFont rendering (gekiban.audio.render). Needs libfluidsynth and a GM SoundFont; skipped without."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from gekiban.audio import render
from gekiban.audio.render import render_midi_cli, render_parts
from gekiban.audio.synth import find_soundfont
from gekiban.errors import InvalidOptionError, RenderError, SoundFontError
from gekiban.midi import write_midi
from gekiban.score import Control, Note, Part, Score, TempoChange
from gekiban.theory import Key, Meter

SR = 48000


def _soundfont() -> Path | None:
    try:
        return find_soundfont()
    except SoundFontError:
        return None


needs_synth = pytest.mark.skipif(_soundfont() is None, reason="no General MIDI SoundFont installed")
FLUIDR3 = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
MUSESCORE = next((p for p in (Path("/usr/share/sounds/sf2/MuseScore_General_Full.sf2"),
                              Path("/usr/share/sounds/sf3/MuseScore_General_Full.sf3")) if p.is_file()), None)
needs_musescore = pytest.mark.skipif(MUSESCORE is None, reason="MuseScore General is not installed")
#: The fonts a render test runs with: FluidR3 (General MIDI) and MuseScore General, where installed.
FONTS = [pytest.param(FLUIDR3, marks=pytest.mark.skipif(not FLUIDR3.is_file(), reason="FluidR3 not installed")),
         pytest.param(MUSESCORE, marks=needs_musescore)]


def make_score(*parts: Part, bars: int = 2, bpm: float = 120.0) -> Score:
    return Score(meter=Meter(4, 4), key=Key(2, "major"), tempo=(TempoChange(0, bpm),), bars=bars, parts=parts)


def flute(*notes: Note, **kw) -> Part:
    return Part("lead", "flute", 73, notes, **kw)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


# --------------------------------------------------------------------------- checks before rendering


def test_bad_options_and_overlong_scores_are_refused():
    score = make_score(flute(Note(72, 0, 1)))
    with pytest.raises(InvalidOptionError, match="sample rate 1000"):
        render_parts(score, sample_rate=1000)
    with pytest.raises(InvalidOptionError, match="tail -1"):
        render_parts(score, tail=-1)
    with pytest.raises(InvalidOptionError, match="workers 0"):
        render_parts(score, workers=0)
    long = make_score(flute(Note(72, 0, 1)), bars=400, bpm=60)  # 1600 s
    with pytest.raises(RenderError, match="20 minutes"):
        render_parts(long)


@needs_synth
def test_file_that_is_no_soundfont(tmp_path):
    fake = tmp_path / "fake.sf2"
    fake.write_bytes(b"this is not RIFF data" * 10)
    with pytest.raises(SoundFontError, match="fake.sf2"):
        render_parts(make_score(flute(Note(72, 0, 1))), soundfont=fake)


# --------------------------------------------------------------------------- rendering


@needs_synth
def test_two_parts_exact_length_and_float32():
    drums = Part("drums", "drums", 0, (Note(36, 0, 0.5, 110), Note(38, 2, 0.5, 110)), is_drum=True)
    score = make_score(flute(Note(72, 0, 1, 90), Note(76, 1, 1, 90)), drums)
    out = render_parts(score, tail=1.5, sample_rate=44100)
    n = round((4.0 + 1.5) * 44100)
    assert [a.shape for a in out] == [(n, 2), (n, 2)]
    assert all(a.dtype == np.float32 and a.flags.c_contiguous for a in out)
    assert all(np.isfinite(a).all() and np.abs(a).max() < 0.5 for a in out)
    assert render_parts(make_score(), tail=0.5) == []


@needs_synth
def test_sound_where_notes_are_and_silence_after_the_release():
    score = make_score(flute(Note(72, 1, 1, 100)), Part("pad", "piano", 0, ()))
    out, empty = render_parts(score, tail=1.0)
    left = out[:, 0]
    assert rms(left[: SR // 2 - 2048]) == 0.0  # before the note (beat 1 = 0.5 s)
    assert rms(left[int(0.6 * SR): int(0.9 * SR)]) > 1e-3  # while it plays
    assert rms(left[int(3.5 * SR):]) < 1e-5  # long after its release
    assert not empty.any()


@needs_synth
def test_onset_lands_on_the_right_sample():
    onsets = []
    for beat in (2.0, 2.0 + 37 / SR * 2):  # 1.0 s, and 37 samples later (not on a 64-sample block)
        hit = Part("drums", "drums", 0, (Note(37, beat, 0.25, 120),), is_drum=True)  # side stick
        (out,) = render_parts(make_score(hit), tail=0.5)
        env = np.abs(out).max(axis=1)
        onsets.append(int(np.argmax(env > 0.05 * env.max())))
        assert abs(onsets[-1] - beat / 2 * SR) < 0.005 * SR
    assert abs(onsets[1] - onsets[0] - 37) <= render.BLOCK // 2


@needs_synth
def test_tempo_map_moves_notes():
    hit = Part("drums", "drums", 0, (Note(37, 4, 0.25, 120),), is_drum=True)
    score = Score(meter=Meter(4, 4), key=Key(0), tempo=(TempoChange(0, 120), TempoChange(2, 60)), bars=2, parts=(hit,))
    (out,) = render_parts(score, tail=0.5)
    env = np.abs(out).max(axis=1)
    onset = int(np.argmax(env > 0.05 * env.max()))
    assert abs(onset - 3.0 * SR) < 0.005 * SR  # 2 beats at 120 + 2 beats at 60 = 3 s


@pytest.mark.parametrize("font", FONTS)
def test_controls_are_applied(font):
    notes = (Note(72, 0, 2, 100), Note(72, 2, 2, 100))
    quiet_first = flute(*notes, controls=(Control(0, 11, 20), Control(2, 11, 127)))
    (out,) = render_parts(make_score(quiet_first), tail=0.5, soundfont=font)
    first, second = rms(out[int(0.3 * SR): SR]), rms(out[int(1.3 * SR): 2 * SR])
    if font == FLUIDR3:  # CC11 as given: a step at beat 2
        assert second > 4 * first > 0
    else:  # an Expr. flute: CC11 20 -> 127 becomes a CC2 swell over the first note
        swell = [rms(out[int(t * SR): int((t + 0.1) * SR)]) for t in (0.1, 0.3, 0.5, 0.7, 1.3)]
        assert swell == sorted(swell) and swell[-1] > 4 * swell[0] > 0


@pytest.mark.parametrize("font", FONTS)
def test_velocity_shapes_sustained_parts_on_every_font(font):
    soft_loud = flute(Note(72, 0, 2, 40), Note(72, 2, 2, 110))
    (out,) = render_parts(make_score(soft_loud), tail=0.5, soundfont=font)
    assert rms(out[int(1.3 * SR): 2 * SR]) > 3 * rms(out[int(0.3 * SR): SR]) > 0


@pytest.mark.parametrize("font", FONTS)
def test_section_strings_play_the_same_notes_as_before(font):
    """Pizzicato notes spread over all five sections each start on the block of their note-on,
    as on the GM render: leaving one note out changes the audio from exactly there."""
    notes = tuple(Note(31 + 9 * i, 0.37 + 1.5 * i, 0.4, 100) for i in range(6))  # basses up to violins I

    def score(keep: tuple[Note, ...]) -> Score:
        return make_score(Part("ostinato", "pizzicato-strings", 45, keep), bars=3)

    (whole,) = render_parts(score(notes), tail=0.5, soundfont=font)
    for i, n in enumerate(notes):
        (without,) = render_parts(score(notes[:i] + notes[i + 1:]), tail=0.5, soundfont=font)
        first = int(np.flatnonzero(np.abs(whole - without).max(axis=1) > 0)[0])
        block = (round(n.start / 2 * SR) + render.BLOCK // 2) // render.BLOCK * render.BLOCK
        assert block <= first < block + render.BLOCK, (i, first, block)  # its voice starts at 0


@needs_musescore
def test_a_worker_keeps_used_presets_decoded_a_one_cue_process_frees_them():
    from gekiban.audio.synth import held_presets, keep_samples, load_font

    pad = Part("pad", "strings", 48, tuple(Note(p, 0, 4, 70) for p in (48, 72)))
    render_parts(make_score(pad), tail=0.5, soundfont=MUSESCORE)
    assert held_presets(load_font(MUSESCORE)) == frozenset()
    keep_samples(True)
    try:
        render_parts(make_score(pad), tail=0.5, soundfont=MUSESCORE)
        assert {(31, 49), (21, 49)} <= held_presets(load_font(MUSESCORE))
    finally:
        keep_samples(False)
    assert held_presets(load_font(MUSESCORE)) == frozenset()


@needs_synth
def test_parallel_render_equals_serial():
    parts = tuple(Part("lead", "piano", p, (Note(60 + p, 0, 1, 90), Note(64, 1, 2, 70))) for p in (0, 24, 48))
    score = make_score(*parts)
    serial = render_parts(score, workers=1, tail=0.5)
    parallel = render_parts(score, workers=3, tail=0.5)
    assert all(np.array_equal(a, b) for a, b in zip(serial, parallel))


@needs_synth
def test_progress_rises_to_one_on_the_calling_thread():
    import threading

    seen, threads = [], set()

    def report(fraction):
        seen.append(fraction)
        threads.add(threading.get_ident())

    render_parts(make_score(flute(Note(72, 0, 1)), flute(Note(74, 1, 1))), tail=0.5, progress=report)
    assert seen[-1] == 1.0 and seen == sorted(seen) and threads == {threading.get_ident()}


@needs_synth
def test_a_raising_progress_callback_stops_the_render():
    def cancel(fraction):
        raise KeyboardInterrupt

    long = make_score(*(flute(Note(72, 0, 1)) for _ in range(3)), bars=150)  # 300 s of audio
    with pytest.raises(KeyboardInterrupt):
        render_parts(long, progress=cancel)


@needs_synth
def test_timeout_is_a_render_error():
    with pytest.raises(RenderError, match="time limit"):
        render_parts(make_score(flute(Note(72, 0, 1))), timeout=1e-9)


@needs_synth
@pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth command not installed")
def test_command_line_render(tmp_path):
    mid = write_midi(make_score(flute(Note(72, 0, 1, 100)), bars=1), tmp_path / "cue.mid")
    wav = render_midi_cli(mid, tmp_path / "cue.wav", sample_rate=22050, timeout=60)
    with wave.open(str(wav)) as w:
        assert (w.getframerate(), w.getnchannels()) == (22050, 2) and w.getnframes() > 22050
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cue.mid", "cue.wav"]
    with pytest.raises(RenderError, match="missing.mid"):
        render_midi_cli(tmp_path / "missing.mid", tmp_path / "x.wav", timeout=60)
