"""Bad input seen by new users, each once a traceback, a silent choice or a late answer: now one
line naming the value and what is allowed, exit status 2, nothing written, and for the options
that need no prompt reading, no model loaded."""

import mido
import pytest

from gekiban.understand import embed
from cli_fixtures import run


@pytest.fixture
def no_model(monkeypatch):
    """The embedding model must not load: the option is refused before the prompt is read."""

    def refuse():  # pragma: no cover - reaching it is the failure
        raise AssertionError("the embedding model was loaded before a bad option was refused")

    monkeypatch.setattr(embed, "get_model", refuse)


def one_line_error(code, out, err, shown):
    assert code == 2 and out == "", err
    assert len(err.splitlines()) == 1 and err.startswith("gekiban: error: ") and shown in err, err


@pytest.mark.parametrize(("args", "shown"), [
    (["--chords", "|"], "no chords in '|'"), (["--chords", "|||"], "no chords in '|||'"),
    (["--chords", "| |"], "no chords in '| |'"),
    (["--meter", "-3/4"], "meter '-3/4'"), (["--loudness", "-inf"], "loudness '-inf'"),
    (["--section", "-1=tense"], "time '-1'"), (["--tempo", "-5"], "tempo '-5'"),
    (["--hit", "9:99"], "time '9:99'"), (["--arc", "calm>zzz"], "unknown mood 'zzz'"),
    (["--ending", "sudden"], "unknown ending 'sudden'"), (["--cue", "trailer"], "unknown cue type 'trailer'"),
    (["--duration", "10", "--hit", "0:20"], "hit at 20 s is outside the music"),
    (["--loop", "--ending", "fade"], "contradict"),
])
def test_bad_options_are_refused_before_the_prompt_is_read(tmp_path, capsys, no_model, no_compose, args, shown):
    one_line_error(*run(["compose", "a long walk home", "--out", tmp_path / "b", *args], capsys), shown)
    assert list(tmp_path.iterdir()) == []


def test_a_prompt_with_bytes_that_are_not_utf8(tmp_path, capsys, no_model, no_compose):
    prompt = b"calm \xff".decode("utf-8", "surrogateescape")  # what Python makes of such argv bytes
    one_line_error(*run(["explain", prompt], capsys), "byte 0xFF at position 5")
    one_line_error(*run(["compose", prompt, "--out", tmp_path / "b"], capsys), "not UTF-8")


@pytest.mark.parametrize(("prompt", "shown"), [
    ("battle at 60 bpm at 200 bpm", "two tempos, '60 bpm' and '200 bpm'"),
    ("a theme in C major in A minor", "two keys, 'C major' and 'A minor'"),
    ("in 3/4, no, in 6/8", "two meters, '3/4' and '6/8'"),
    ("2 minutes of rain, 90 seconds", "two lengths, '2 minutes' and '90 seconds'"),
    ("at 99999999999999999999 bpm", "'99999999999999999999 bpm'"),
])
def test_contradicting_or_impossible_values_in_a_prompt_are_named(capsys, prompt, shown):
    one_line_error(*run(["explain", prompt, "--seed", "1"], capsys), shown)


def test_an_option_settles_a_contradiction(capsys):
    code, out, _ = run(["explain", "a theme in C major in A minor", "--key", "D major", "--seed", "1"], capsys)
    assert code == 0 and "D major" in out


def _tempo_zero(path):
    mid = mido.MidiFile()
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=500000))
    track.append(mido.Message("note_on", note=72, velocity=90))
    track.append(mido.Message("note_off", note=72, time=480))
    mid.save(path)
    data = bytearray(path.read_bytes())
    at = data.find(b"\xff\x51\x03")
    data[at + 3:at + 6] = b"\x00\x00\x00"
    path.write_bytes(bytes(data))
    return path


def _file(data):
    def make(folder):
        (folder / "seed.mid").write_bytes(data)
        return folder / "seed.mid"
    return make


@pytest.mark.parametrize(("make", "shown"), [
    (_file(b""), "is empty"), (_file(b"MThd\x00\x00\x00\x06\x00\x01"), "is truncated"),
    (lambda d: d, "is a folder, not a MIDI file"), (lambda d: d / "missing.mid", "does not exist"),
    (lambda d: _tempo_zero(d / "t0.mid"), "tempo of 0 microseconds"),
])
def test_a_midi_seed_that_cannot_be_used_says_why(tmp_path, capsys, make, shown):
    one_line_error(*run(["explain", "x", "--from-midi", make(tmp_path), "--seed", "1"], capsys), shown)
