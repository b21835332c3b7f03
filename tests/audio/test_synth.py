"""FluidSynth in the process (gekiban.audio.synth): finding and checking the SoundFont, and
FluidSynth's and GLib's log lines kept off the terminal."""

from __future__ import annotations

import os
import struct
import subprocess
import sys

import pytest

from gekiban.audio import synth
from gekiban.audio.synth import check_soundfont, find_soundfont
from gekiban.errors import SoundFontError

#: The first bytes of a SoundFont of 8 bytes of chunks: RIFF, its size, form sfbk.
SOUNDFONT_HEAD = b"RIFF" + struct.pack("<I", 8) + b"sfbkLIST"


def test_missing_explicit_soundfont_says_how_to_install(tmp_path):
    with pytest.raises(SoundFontError, match="apt-get install musescore-general-soundfont fluid-soundfont-gm") as err:
        find_soundfont(tmp_path / "none.sf2")
    assert "none.sf2" in str(err.value) and "GEKIBAN_SOUNDFONT" in str(err.value)
    assert isinstance(err.value, FileNotFoundError)


def test_soundfont_from_environment_then_candidates(tmp_path, monkeypatch):
    font = tmp_path / "mine.sf2"
    font.write_bytes(SOUNDFONT_HEAD)
    monkeypatch.setenv("GEKIBAN_SOUNDFONT", str(font))
    assert find_soundfont() == font
    assert find_soundfont(font) == font
    monkeypatch.setenv("GEKIBAN_SOUNDFONT", str(tmp_path / "gone.sf2"))
    with pytest.raises(SoundFontError, match="GEKIBAN_SOUNDFONT.*gone.sf2"):
        find_soundfont()
    monkeypatch.delenv("GEKIBAN_SOUNDFONT")
    monkeypatch.setattr(synth, "SOUNDFONT_CANDIDATES", (tmp_path / "a.sf2", font))
    assert find_soundfont() == font
    monkeypatch.setattr(synth, "SOUNDFONT_CANDIDATES", (tmp_path / "a.sf2",))
    with pytest.raises(SoundFontError, match="make deps"):
        find_soundfont()


def test_import_is_quiet():
    code = "import gekiban.audio.synth as s; s.fluidsynth_module()"
    env = {**os.environ, "CI": "1"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""



@pytest.mark.parametrize(("data", "shown"), [
    (b"", "no RIFF 'sfbk' header"), (b"this is not RIFF data" * 10, "no RIFF 'sfbk' header"),
    (b"RIFF" + struct.pack("<I", 4000) + b"sfbkLIST", "is truncated"), (b"RIFF\x04\x00\x00\x00WAVE", "no RIFF 'sfbk'"),
])
def test_a_file_that_is_not_a_soundfont_is_named(tmp_path, data, shown):
    (tmp_path / "x.sf2").write_bytes(data)
    with pytest.raises(SoundFontError, match=shown):
        check_soundfont(tmp_path / "x.sf2")
    with pytest.raises(SoundFontError, match="x.sf2"):
        find_soundfont(tmp_path / "x.sf2")


def _compose(args, tmp_path):
    env = {**os.environ, "CI": "1"}
    return subprocess.run([sys.executable, "-m", "gekiban", "compose", "calm morning", "--duration", "3", "-q",
                           *args], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)


def test_a_quiet_compose_prints_nothing_but_its_result(tmp_path):
    for seed in (1, 2):
        r = _compose(["--seed", str(seed), "--out", str(tmp_path / f"b{seed}")], tmp_path)
        assert r.returncode == 0 and r.stderr == "", r.stderr


def test_a_broken_soundfont_is_one_line(tmp_path):
    bad = tmp_path / "bad.sf2"
    bad.write_bytes(SOUNDFONT_HEAD + b"\x00" * 4)  # a header FluidSynth cannot load past
    r = _compose(["--seed", "1", "--soundfont", str(bad), "--out", str(tmp_path / "b")], tmp_path)
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "bad.sf2" in r.stderr, r.stderr


def test_the_font_name_is_read_from_its_info_list(tmp_path):
    def chunk(cid: bytes, data: bytes) -> bytes:
        return cid + struct.pack("<I", len(data)) + data + b"\0" * (len(data) & 1)

    info = b"INFO" + chunk(b"ifil", struct.pack("<HH", 2, 1)) + chunk(b"INAM", b"MuseScore_General test\0")
    body = b"sfbk" + chunk(b"LIST", info)
    (tmp_path / "named.sf2").write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert synth.font_name(tmp_path / "named.sf2") == "MuseScore_General test"
    (tmp_path / "plain.sf2").write_bytes(SOUNDFONT_HEAD)
    assert synth.font_name(tmp_path / "plain.sf2") == "" and synth.font_name(tmp_path / "gone.sf2") == ""


def test_musescore_general_comes_before_fluidr3():
    names = [p.name for p in synth.SOUNDFONT_CANDIDATES]
    first_musescore = min(i for i, n in enumerate(names) if n.startswith("MuseScore_General"))
    assert first_musescore == 0 and names.index("FluidR3_GM.sf2") > max(
        i for i, n in enumerate(names) if n.startswith("MuseScore_General"))
    assert names[0].endswith(".sf2")  # the lossless file first: nothing to decode
