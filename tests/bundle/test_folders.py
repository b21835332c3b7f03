"""A bundle is written whole or not at all, and gekiban never deletes a file it did not write.

The last test kills a real ``gekiban compose`` over an existing bundle at many moments, during
composing and during the save, and finds each time the complete old bundle or the complete new
one, never a mix, and no staging folder left once the next write has run.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from gekiban.bundle.folders import check_out_dir, clean_stale, staged
from gekiban.bundle.read import check_bundle
from gekiban.errors import BundleError, OutputError
from cli_fixtures import run


def compose_args(out, *extra, seed=3):
    return ["compose", "calm morning", "--duration", "4", "--seed", str(seed), "-q", "--out", str(out), *extra]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def complete(folder: Path) -> bool:
    """A whole bundle: track.json lists every file, each there and readable to its end."""
    try:
        _, meta = check_bundle(folder)
    except BundleError:
        return False
    frames = {sf.info(str(folder / f)).frames for f in meta["files"]["stems"]}
    return len(frames) == 1 and sf.info(str(folder / meta["files"]["mix"])).frames in frames


def staging_has(parent: Path, pid: int, when: str) -> bool:
    """Whether process ``pid``'s write of ``b`` has started (``"save"``) or written its last file
    (``"end"``); staging folders of earlier killed runs do not count."""
    for p in parent.iterdir():
        if p.name.startswith(f".b.gekiban-new-{pid}-") and (when == "save" or (p / "track.json").exists()):
            return True
    return False


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_folder_that_is_not_a_bundle_is_refused_and_its_files_kept(tmp_path, capsys):
    (tmp_path / "d" / "stems").mkdir(parents=True)
    (tmp_path / "d" / "stems" / "my.wav").write_text("x")
    code, out, err = run(compose_args(tmp_path / "d"), capsys)
    assert code == 2 and out == "" and "not a gekiban bundle" in err and "stems/my.wav" in err
    assert (tmp_path / "d" / "stems" / "my.wav").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_a_bundle_with_a_file_of_the_users_is_refused(tmp_path, capsys):
    assert run(compose_args(tmp_path / "b"), capsys)[0] == 0
    (tmp_path / "b" / "notes.txt").write_text("mine")
    before = snapshot(tmp_path / "b")
    code, _, err = run(compose_args(tmp_path / "b", seed=4), capsys)
    assert code == 2 and "did not write" in err and "notes.txt" in err
    assert snapshot(tmp_path / "b") == before


def test_a_new_format_replaces_the_whole_bundle(tmp_path, capsys):
    assert run(compose_args(tmp_path / "b"), capsys)[0] == 0
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["mix.wav", "score.mid", "stems", "track.json"]
    assert run(compose_args(tmp_path / "b", "--format", "flac", "--layers", "--musicxml"), capsys)[0] == 0
    names = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert names == ["layers", "mix.flac", "score.mid", "score.musicxml", "stems", "track.json"]
    assert complete(tmp_path / "b") and sorted(p.name for p in tmp_path.iterdir()) == ["b"]


def test_an_empty_folder_may_become_a_bundle(tmp_path, capsys):
    (tmp_path / "e").mkdir()
    assert run(compose_args(tmp_path / "e"), capsys)[0] == 0 and complete(tmp_path / "e")


def test_a_failed_write_leaves_the_old_bundle_and_no_staging(tmp_path, capsys):
    assert run(compose_args(tmp_path / "b"), capsys)[0] == 0
    before = snapshot(tmp_path / "b")
    with pytest.raises(RuntimeError):
        with staged(tmp_path / "b") as out:
            (out / "half.wav").write_bytes(b"RIFF")
            raise RuntimeError("disk full")
    assert snapshot(tmp_path / "b") == before and sorted(p.name for p in tmp_path.iterdir()) == ["b"]


def test_the_swap_without_an_atomic_exchange(tmp_path, monkeypatch):
    from gekiban.bundle import folders

    monkeypatch.setattr(folders, "_exchange", lambda a, b: False)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "old").write_text("old")
    with staged(tmp_path / "b") as out:
        (out / "new").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"] and (tmp_path / "b" / "new").read_text() == "new"


def test_stale_staging_is_cleaned_and_an_interrupted_swap_repaired(tmp_path):
    pid = dead_pid()
    (tmp_path / f".b.gekiban-new-{pid}-0123456789ab").mkdir()
    (tmp_path / f".b.gekiban-old-{pid}-0123456789ab").mkdir()  # killed between the two renames:
    (tmp_path / f".b.gekiban-old-{pid}-0123456789ab" / "track.json").write_text("{}")  # b is missing
    (tmp_path / f".other.gekiban-new-{pid}-0123456789ab").mkdir()  # another target's: not ours to touch
    (tmp_path / f".b.gekiban-new-{os.getpid()}-0123456789ab").mkdir()  # a live writer's
    clean_stale(tmp_path / "b")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["b", f".other.gekiban-new-{pid}-0123456789ab", f".b.gekiban-new-{os.getpid()}-0123456789ab"])
    assert (tmp_path / "b" / "track.json").read_text() == "{}"


@pytest.mark.parametrize("bad", ["", "file"])
def test_unusable_targets_are_named(tmp_path, bad):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="empty|not a folder"):
        check_out_dir(str(tmp_path / bad) if bad else "")


def test_an_incomplete_bundle_is_not_a_bundle(tmp_path, capsys):
    assert run(compose_args(tmp_path / "b"), capsys)[0] == 0
    meta = json.loads((tmp_path / "b" / "track.json").read_text())
    (tmp_path / "b" / meta["files"]["stems"][0]).unlink()
    with pytest.raises(BundleError, match="incomplete bundle"):
        check_bundle(tmp_path / "b")


def test_a_kill_at_any_moment_leaves_the_old_bundle_or_the_new_one(tmp_path):
    target = tmp_path / "b"
    cmd = [sys.executable, "-m", "gekiban", *compose_args(target)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    old = snapshot(target)
    seen = {"old": 0, "new": 0}
    # Kill while composing (fixed delays), while saving (a delay after the staging folder
    # appears) and around the swap (a delay after the last file, track.json, is in it).
    moments = [("at", 0.3), ("at", 0.9), *[("save", d) for d in (0.0, 0.005, 0.02, 0.06)],
               *[("end", d) for d in (0.0, 0.0005, 0.001, 0.002, 0.005, 0.05)]]
    for k, (when, delay) in enumerate(moments):
        seed = 10 + k
        proc = subprocess.Popen([sys.executable, "-m", "gekiban", *compose_args(target, seed=seed)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if when == "at":
            time.sleep(delay)
        else:
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline and not staging_has(tmp_path, proc.pid, when):
                time.sleep(0.0002)
            time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = snapshot(target)
        assert complete(target), (when, delay)
        if now == old:
            seen["old"] += 1
        else:
            assert json.loads((target / "track.json").read_text())["seed"] == seed, (when, delay)
            seen["new"] += 1
            old = now
    assert seen["old"] >= 2 and seen["new"] >= 1 and sum(seen.values()) == len(moments)
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)  # the next write cleans up
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"] and complete(target)
