"""Building a menu: every cue into OUT/M-n/, the manifest, resume after an interruption, and
never writing over what gekiban did not write."""

from __future__ import annotations

import json
import os

import pytest
from season_fixtures import FakeExecutor, write_fake_bundle

from gekiban.errors import OutputError, RenderError
from gekiban.season.build import MANIFEST, build_menu, check_menu_out
from gekiban.season.menu import MenuError, parse_menu
from gekiban.season.plan import plan_menu


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path / "data"))


def make(n=3, **over):
    cues = [{"m": f"M-{i}", "title": f"cue {i}", "use": "theme" if i == 1 else "scene",
             "description": ["hopeful morning", "calm afternoon", "tense chase", "sad farewell"][(i - 1) % 4],
             "length": 6} for i in range(1, n + 1)]
    return parse_menu({"title": "test menu", "palette": "piano, strings", "cues": cues, **over})


def build(menu, out, executor=None, **kw):
    executor = executor or FakeExecutor()
    result = build_menu(menu, out, executor=executor, jobs=plan_menu(menu, semantic=False), **kw)
    return result, executor


def test_every_cue_lands_in_its_m_folder_with_a_manifest(tmp_path):
    out = tmp_path / "season"
    seen = []
    result, ex = build(make(), out, progress=lambda stage, f: seen.append((stage, f)))
    assert result.composed == ("M-1", "M-2", "M-3") and result.kept == ()
    for m in ("M-1", "M-2", "M-3"):
        assert (out / m / "track.json").is_file() and (out / m / "mix.wav").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["M-1", "M-2", "M-3", "cuesheet.csv", "cuesheet.json", "index.html",
                                                     MANIFEST]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["title"] == "test menu" and manifest["palette"] == ["piano", "strings"]
    assert [c["status"] for c in manifest["cues"]] == ["done"] * 3
    assert all(not t.folder.endswith(t.id) and "/.M-" in t.folder for t in ex.tasks)  # staged, then renamed
    assert seen[-1] == ("menu done", 1.0) and all(0.0 <= f <= 1.0 for _, f in seen)
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions)


def test_a_rebuild_keeps_complete_cues_and_redoes_half_written_ones(tmp_path):
    out = tmp_path / "season"
    menu = make()
    build(menu, out)
    # M-2: a cue folder half-written (its mix lost); M-3: a staging folder a killed run left,
    # with the finished M-3 never renamed into place.
    (out / "M-2" / "mix.wav").unlink()
    os.rename(out / "M-3", out / ".M-3.gekiban-new-999999-0123456789ab")
    (out / ".M-3.gekiban-new-999999-0123456789ab" / "stems").rename(out / ".M-3.gekiban-new-999999-0123456789ab" / "x")
    mtime = (out / "M-1" / "mix.wav").stat().st_mtime_ns
    result, ex = build(menu, out)
    assert result.kept == ("M-1",) and result.composed == ("M-2", "M-3")
    assert [t.id.rsplit(":", 1)[1] for t in ex.tasks] == ["M-2", "M-3"]
    assert (out / "M-1" / "mix.wav").stat().st_mtime_ns == mtime
    assert (out / "M-2" / "mix.wav").is_file() and (out / "M-3" / "track.json").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # leftovers cleaned


def test_a_cue_the_menu_changed_is_composed_again(tmp_path):
    out = tmp_path / "season"
    build(make(), out)
    changed = parse_menu({"title": "test menu", "palette": "piano, strings", "cues": [
        {"m": "M-1", "title": "cue 1", "use": "theme", "description": "hopeful morning", "length": 6},
        {"m": "M-2", "title": "cue 2", "use": "scene", "description": "stormy sea", "length": 6},
        {"m": "M-3", "title": "cue 3", "use": "scene", "description": "tense chase", "length": 6}]})
    result, _ = build(changed, out)
    assert result.composed == ("M-2",) and result.kept == ("M-1", "M-3")


def test_an_interrupted_build_resumes_without_a_manifest_entry_by_seed_and_prompt(tmp_path):
    out = tmp_path / "season"
    menu = make(2)
    build(menu, out)
    (out / MANIFEST).write_text(json.dumps({"gekiban": "0.1.0", "cues": []}), encoding="utf-8")
    result, _ = build(menu, out)
    assert result.kept == ("M-1", "M-2")


def test_a_failed_cue_is_named_and_the_others_kept(tmp_path):
    out = tmp_path / "season"
    with pytest.raises(RenderError, match=r"1 of 3 cues failed \(M-2: the render failed\)"):
        build(make(), out, FakeExecutor(fail={"M-2"}))
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert [c["status"] for c in manifest["cues"]] == ["done", "failed", "done"]
    assert not (out / "M-2").exists() and (out / "M-3" / "track.json").is_file()
    result, _ = build(make(), out)
    assert result.composed == ("M-2",)


def test_a_folder_gekiban_did_not_write_is_refused_before_any_work(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    ex = FakeExecutor()
    with pytest.raises(OutputError, match="holds no gekiban menu"):
        build_menu(make(), mine, executor=ex, jobs=plan_menu(make(), semantic=False))
    assert ex.tasks == [] and (mine / "notes.txt").read_text() == "my notes"


def test_a_cue_folder_with_foreign_files_is_refused(tmp_path):
    out = tmp_path / "season"
    build(make(), out)
    (out / "M-2" / "take2.wav").write_bytes(b"mine")
    with pytest.raises(OutputError, match=r"M-2: .* holds files gekiban did not write \(take2.wav\)"):
        check_menu_out(out, make())
    (out / "M-2" / "take2.wav").unlink()
    (out / "M-3").rename(out / "elsewhere")
    (out / "M-3").write_text("a file")
    with pytest.raises(OutputError, match="M-3: .* is not a folder gekiban wrote"):
        build(make(), out)


def test_a_file_is_not_a_menu_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        check_menu_out(tmp_path / "f", make())


def test_inline_motifs_go_to_the_library_and_unknown_ones_are_refused(tmp_path):
    from gekiban.motifs import MotifLibrary

    menu = make(2, motifs={"hero": "D4 F#4 A4-"})
    menu = parse_menu({"title": "m", "motifs": {"hero": "D4 F#4 A4-"}, "cues": [
        {"m": "M-1", "title": "t", "use": "theme", "description": "hopeful", "length": 6, "motifs": ["hero"]}]})
    build(menu, tmp_path / "a")
    assert MotifLibrary(tmp_path / "data").get("hero").notes
    bad = parse_menu({"title": "m", "cues": [{"m": "M-1", "title": "t", "length": 6, "motifs": ["villain"]}]})
    with pytest.raises(MenuError, match="M-1: motif 'villain' is neither"):
        build(bad, tmp_path / "b")
    other = parse_menu({"title": "m", "motifs": {"hero": "C4 C4 C4"}, "cues": [{"m": "M-1", "title": "t", "length": 6}]})
    with pytest.raises(MenuError, match="holds other notes"):
        build(other, tmp_path / "c")


def test_the_bundle_helper_writes_what_the_check_accepts(tmp_path):
    write_fake_bundle(tmp_path / "b", {"prompt": "x", "seed": 1})
    from gekiban.bundle.folders import foreign_files

    assert foreign_files(tmp_path / "b") == []


class Stuck(FakeExecutor):
    """Tasks that never finish; Ctrl-C arrives while the build waits for them."""

    def __init__(self):
        super().__init__()
        self.cancelled = []
        self.polls = 0

    def submit(self, task, *, on_progress=None):
        from pathlib import Path

        self.tasks.append(task)
        Path(task.folder).mkdir()
        (Path(task.folder) / "half.wav").write_bytes(b"RIFF")
        executor = self

        class Handle:
            def done(self):
                executor.polls += 1
                if executor.polls > 5:
                    raise KeyboardInterrupt
                return False

            def cancel(self):
                executor.cancelled.append(task.id)

            def result(self, timeout=None):
                return []

        return Handle()


def test_an_interrupted_build_cancels_its_cues_and_drops_their_staging(tmp_path):
    out = tmp_path / "season"
    menu = make(2)
    stuck = Stuck()
    with pytest.raises(KeyboardInterrupt):
        build_menu(menu, out, executor=stuck, jobs=plan_menu(menu, semantic=False), poll_s=0.01)
    assert stuck.cancelled == ["test menu:M-1", "test menu:M-2"]
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST]


def test_the_command_builds_and_resumes(tmp_path, monkeypatch, capsys):
    from gekiban.cli import menu as cli_menu
    from gekiban.cli.main import main

    monkeypatch.setattr(cli_menu, "_executor", lambda args, workers: FakeExecutor())
    path = tmp_path / "m.yaml"
    path.write_text("title: t\ncues:\n  - {m: M-1, title: a, use: theme, description: hopeful, length: 6}\n"
                    "  - {m: M-2, title: b, description: calm, length: 6, ending: loop}\n", encoding="utf-8")
    assert main(["menu", "build", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert "2 cues composed, 0 kept" in capsys.readouterr().out
    assert main(["menu", "build", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert "0 cues composed, 2 kept" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["menu", "build", str(path), "--out", str(tmp_path / "o"), "--workers", "zero"])
    assert "--workers 'zero'" in capsys.readouterr().err
