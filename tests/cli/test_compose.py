"""The command line: fast help, one-line errors with exit status 2 before anything is written,
the compose flow (with a stand-in pipeline), listings, and the light public package."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gekiban import cli, pipeline
from gekiban.bundle.folders import check_out_dir
from gekiban.cli.common import default_out_dir, slugify, style_label
from gekiban.cli.progress import Progress
from gekiban.errors import SoundFontError


def run(*args: str, cwd: Path | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    """``python -m gekiban.cli ARGS`` in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "gekiban.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*")] if path.exists() else []


# ----------------------------------------------------------------------------- subprocess

def test_help_is_fast_and_imports_nothing_heavy():
    t0 = time.perf_counter()
    r = run("--help")
    elapsed = time.perf_counter() - t0
    assert r.returncode == 0 and "compose" in r.stdout and "styles" in r.stdout
    assert elapsed < 2.0, f"--help took {elapsed:.2f} s"
    r = run("compose", "--help")
    assert r.returncode == 0 and "--duration" in r.stdout and "--loudness" in r.stdout
    code = "import sys, gekiban, gekiban.cli; print(sorted(m for m in ('numpy', 'fluidsynth', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30).stdout
    assert out.strip() == "[]"


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("gekiban ") and r.stdout.strip().split()[1][0].isdigit()


def test_python_dash_m_gekiban():
    r = subprocess.run([sys.executable, "-m", "gekiban", "--version"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("gekiban ")


@pytest.mark.parametrize(("args", "shown"), [
    (["--tempo", "500"], "'500'"),
    (["--duration", "abc"], "'abc'"),
    (["--key", "H minor"], "'H minor'"),
])
def test_bad_input_in_a_real_process_exits_2_with_one_line(tmp_path, args, shown):
    out = tmp_path / "bundle"
    r = run("compose", "battle", "--out", str(out), *args, cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gekiban: error: ") and shown in lines[0]
    assert r.stdout == "" and files_under(tmp_path) == []


def test_usage_errors_exit_2_with_one_line():
    for args in (["compose", "--bogus"], ["frobnicate"], []):
        r = run(*args)
        assert r.returncode == 2, args
        if args:
            assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("gekiban: error: ")


def _has_shipped_styles() -> bool:
    if importlib.util.find_spec("gekiban.styles") is None:
        return False
    from gekiban.styles import all_styles

    try:
        return bool(all_styles())
    except Exception:  # no style files yet
        return False


@pytest.mark.skipif(not _has_shipped_styles(), reason="no shipped styles yet")
def test_styles_lists_the_shipped_styles():
    r = run("styles")
    assert r.returncode == 0 and len(r.stdout.splitlines()) >= 1


# ----------------------------------------------------------------------------- in process

def call(args: list[str], capsys) -> tuple[int, str, str]:
    """Run ``cli.main(args)``; return (exit status, stdout, stderr)."""
    try:
        code = cli.main(args)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


BAD = [
    (["--tempo", "29"], "'29'"), (["--tempo", "301"], "'301'"), (["--tempo", "fast?"], "'fast?'"),
    (["--duration", "0"], "'0'"), (["--duration", "-5"], "'-5'"), (["--duration", "1201"], "'1201'"),
    (["--duration", "abc"], "'abc'"), (["--key", "H minor"], "'H minor'"), (["--meter", "5/3"], "'5/3'"),
    (["--meter", "4/5"], "'4/5'"), (["--instruments", "piano,kazoo"], "'kazoo'"), (["--seed", "-1"], "'-1'"),
    (["--seed", "many"], "'many'"), (["--style", "nosuch"], "'nosuch'"), (["--format", "aiff"], "'aiff'"),
    (["--stems-format", "wav32"], "'wav32'"), (["--stem-names", "fancy"], "'fancy'"), (["--delivery", "radio"], "'radio'"),
    (["--delivery", "video", "--format", "mp3"], "'mp3'"), (["--delivery", "video", "--sample-rate", "44100"], "44100"),
    (["--loudness", "loud"], "'loud'"), (["--loudness", "-3"], "'-3'"), (["--sample-rate", "22050"], "'22050'"),
    (["--soundfont", "/nonexistent/x.sf2"], "/nonexistent/x.sf2"),
]


@pytest.mark.parametrize(("args", "shown"), BAD)
def test_bad_options_exit_2_naming_the_value_and_write_nothing(tmp_path, monkeypatch, capsys, no_compose, args, shown):
    monkeypatch.chdir(tmp_path)
    code, out, err = call(["compose", "dramatic battle", "--out", str(tmp_path / "b"), *args], capsys)
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gekiban: error: ") and shown in lines[0], err
    assert out == "" and files_under(tmp_path) == []


def test_bad_prompts_exit_2(tmp_path, monkeypatch, capsys, no_compose):
    monkeypatch.chdir(tmp_path)
    for prompt, shown in (("x" * 2001, "2001 characters"), ("boss\x07fight", "U+0007")):
        code, out, err = call(["compose", prompt], capsys)
        assert code == 2 and len(err.splitlines()) == 1 and shown in err
    assert files_under(tmp_path) == []


def test_output_folder_that_is_a_file_is_refused(tmp_path, monkeypatch, capsys, no_compose):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    code, _, err = call(["compose", "battle", "--out", str(target)], capsys)
    assert code == 2 and "is not a folder" in err and str(target) in err
    code, _, err = call(["compose", "battle", "--out", str(target / "sub")], capsys)
    assert code == 2 and "not a folder" in err


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_folder_is_refused(tmp_path, monkeypatch, capsys, no_compose):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = call(["compose", "battle", "--out", str(locked / "b")], capsys)
        assert code == 2 and "not writable" in err
    finally:
        locked.chmod(0o700)


def test_compose_flow_default_out_summary_and_progress(tmp_path, monkeypatch, capsys, fake_pipeline):
    monkeypatch.chdir(tmp_path)
    code, out, err = call(["compose", "Heroic battle", "on a skyline!", "--seed", "7", "--format", "flac",
                           "--loudness", "ebu", "--sample-rate", "44100"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == str(Path("out") / "heroic-battle-on-a-skyline-7")
    assert (tmp_path / lines[0] / "mix.flac").is_file()
    assert 2 <= len(lines) - 1 <= 3
    summary = "\n".join(lines[1:])
    for fact in ("orchestral-battle", "bpm", "4/4", "0:03", "-14.0 LUFS", "-1.3 dBTP", "seed 7"):
        assert fact in summary
    call_kw = fake_pipeline[0]
    assert call_kw["brief"].prompt == "Heroic battle on a skyline!" and call_kw["brief"].seed == 7
    assert call_kw["loudness"] == -23.0 and call_kw["sample_rate"] == 44100
    # stderr is not a terminal here: one plain line per stage
    assert "gekiban: composing" in err and "gekiban: rendering" in err and "\r" not in err


def test_compose_random_seed_names_the_folder_and_is_passed_on(tmp_path, monkeypatch, capsys, fake_pipeline):
    monkeypatch.chdir(tmp_path)
    code, out, _ = call(["compose", "切ない別れ", "--quiet"], capsys)
    assert code == 0
    seed = fake_pipeline[0]["brief"].seed
    assert out.splitlines()[0] == str(Path("out") / f"sad-farewell-{seed}")  # Japanese prompt → style slug
    assert f"seed {seed}" in out


def test_quiet_silences_progress(tmp_path, capsys, fake_pipeline):
    code, out, err = call(["compose", "battle", "--quiet", "--seed", "1", "--out", str(tmp_path / "b")], capsys)
    assert code == 0 and err == "" and out.splitlines()[0] == str(tmp_path / "b")


def test_soundfont_error_says_how_to_install(tmp_path, monkeypatch, capsys, fake_pipeline):
    def no_font(*a, **k):
        raise SoundFontError("no General MIDI SoundFont found")

    monkeypatch.setattr(pipeline, "compose_brief", no_font)
    code, out, err = call(["compose", "battle", "--out", str(tmp_path / "b"), "-q"], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert "make deps" in err and "musescore-general-soundfont" in err
    assert files_under(tmp_path) == []


def test_styles_and_instruments_listings(capsys):
    from gekiban.styles import style_names

    code, out, _ = call(["styles"], capsys)
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == list(style_names())
    code, out, _ = call(["instruments"], capsys)
    assert code == 0
    piano = next(line for line in out.splitlines() if line.startswith("piano "))
    assert " 0 " in piano and "A0–C8" in piano
    assert any(line.startswith("taiko ") for line in out.splitlines())


# ----------------------------------------------------------------------------- helpers

def test_slugify_and_default_out():
    assert slugify("Heroic battle on a burning city skyline!") == "heroic-battle-on-a-burning-city-skyline"
    assert slugify("Café déjà vu") == "cafe-deja-vu"
    assert slugify("切ない") == ""
    assert len(slugify("word " * 40)) <= 40
    assert default_out_dir("", "lofi:0.7+orchestral-battle:0.3", 5) == Path("out/lofi-orchestral-battle-5")
    assert style_label("/home/me/my.style/hero.toml:0.6+lofi") == "hero+lofi"
    assert default_out_dir("…", "~/styles/hero.toml", 1) == Path("out/hero-1")


def test_check_out_dir_accepts_new_nested_folders_without_creating_them(tmp_path):
    target = tmp_path / "a" / "b" / "c"
    assert check_out_dir(target) == target
    assert not (tmp_path / "a").exists()


def test_progress_display_modes():
    tty = io.StringIO()
    p = Progress(tty, tty=True, min_interval=0)
    p("rendering", 0.25)
    p("rendering", 0.5)
    p.close()
    text = tty.getvalue()
    assert text.count("\r") == 2 and "50%" in text and text.endswith("\n")
    plain = io.StringIO()
    p = Progress(plain, tty=False)
    p("composing", 0.0)
    p("composing", 0.5)
    p("rendering", 0.6)
    p.close()
    assert plain.getvalue().splitlines() == ["gekiban: composing (0%)", "gekiban: rendering (60%)"]
    quiet = io.StringIO()
    p = Progress(quiet, quiet=True)
    p("x", 1.0)
    p.close()
    assert quiet.getvalue() == ""


# ----------------------------------------------------------------------------- package API

def test_package_exports():
    import gekiban

    assert isinstance(gekiban.__version__, str) and gekiban.__version__
    assert gekiban.Brief.__name__ == "Brief"
    assert issubclass(gekiban.GekibanError, Exception)
    with pytest.raises(AttributeError):
        gekiban.no_such_name  # noqa: B018


@pytest.mark.skipif(importlib.util.find_spec("gekiban.pipeline") is None, reason="gekiban.pipeline not written yet")
def test_compose_is_the_function():
    code = ("import gekiban, inspect; from gekiban import compose, Track; "
            "print(inspect.isfunction(compose), inspect.isclass(Track), gekiban.compose is compose)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["True", "True", "True"], r.stderr
