"""``gekiban menu build|draft|check``: build a music menu, draft one from a script, check one."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gekiban.cli.progress import Progress


def add_menu_command(sub: Any) -> None:
    """The ``menu`` command and its three subcommands (standard library only)."""
    m = sub.add_parser("menu", help="a season's music menu (音楽メニュー): build, draft from a script, check",
                       description="Build every cue of a music menu (YAML or CSV, docs/menu.md) into M-1/, M-2/ … "
                       "with a cue sheet and a contact sheet; draft a menu from a script; check a menu file.")
    msub = m.add_subparsers(dest="menu_command", metavar="ACTION", required=True)
    b = msub.add_parser("build", help="compose every cue of a menu (resumes an interrupted build)",
                        description="Compose every cue into DIR/M-1/ …, then DIR/cuesheet.csv, DIR/cuesheet.json "
                        "and DIR/index.html. Run again after an interruption: complete cues are kept.")
    b.add_argument("file", metavar="FILE", help="the menu: .yaml/.yml or .csv")
    b.add_argument("--out", required=True, metavar="DIR", help="the menu folder (new, empty, or an earlier build)")
    b.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="a Dask scheduler to run the cues on "
                   "(a shared filesystem is assumed); default: local worker processes")
    b.add_argument("--workers", metavar="N", help="local worker processes (default: by the CPUs)")
    b.add_argument("--soundfont", metavar="PATH", help="General MIDI SoundFont (default $GEKIBAN_SOUNDFONT or Debian's)")
    b.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    d = msub.add_parser("draft", help="propose a menu from a script or scene list (English or Japanese)",
                        description="Read a screenplay or scene list (INT. … - DAY, ○場所（時）, シーン1; optional "
                        "timings such as (1:20)) and print a proposed menu as YAML.")
    d.add_argument("script", metavar="SCRIPT", help="the script, UTF-8 text")
    d.add_argument("--out", metavar="FILE", help="write the menu here instead of printing it")
    d.add_argument("--title", metavar="TEXT", help="the menu's title (default: from the file name)")
    c = msub.add_parser("check", help="check a menu file and show its plan (keys, palette), composing nothing",
                        description="Read and check a menu; print each cue with its planned key and the palette.")
    c.add_argument("file", metavar="FILE", help="the menu: .yaml/.yml or .csv")


def _workers(args: argparse.Namespace) -> int | None:
    """``--workers`` checked (before any work)."""
    from gekiban.errors import InvalidOptionError

    if args.workers is None:
        return None
    try:
        workers = int(args.workers)
    except ValueError:
        workers = 0
    if workers < 1:
        raise InvalidOptionError(f"--workers {args.workers!r} must be a whole number from 1 up")
    return workers


def _executor(args: argparse.Namespace, workers: int | None) -> Any:
    """The executor the build runs on (the one place it is made)."""
    from gekiban.executor import make_executor

    return make_executor(scheduler=args.scheduler, workers=workers, soundfont=args.soundfont)


def cmd_menu(args: argparse.Namespace) -> int:
    """Run ``gekiban menu ACTION``."""
    if args.menu_command == "draft":
        return _draft(args)
    from gekiban.season.menu import read_menu
    from gekiban.season.plan import plan_menu

    menu = read_menu(args.file)
    if args.menu_command == "check":
        from gekiban.season.plan import prepare_motifs

        prepare_motifs(menu)
        jobs = plan_menu(menu)
        print(f"{menu.title} · {len(menu.cues)} cues · composer {menu.composer}")
        print(f"  palette: {', '.join(jobs[0].palette)}")
        for job in jobs:
            cue = job.cue
            motifs = f" · motifs {', '.join(cue.motifs)}" if cue.motifs else ""
            print(f"  {cue.m:6} {cue.use:10} {job.key:10} {cue.length:6.1f} s {cue.ending:6} {cue.title}{motifs}")
        return 0
    return _build(args, menu)


def _build(args: argparse.Namespace, menu: Any) -> int:
    from gekiban.season.build import build_menu, check_menu_out
    from gekiban.season.plan import plan_menu, prepare_motifs

    workers = _workers(args)
    check_menu_out(args.out, menu)  # before the plan reads any prompt
    prepare_motifs(menu)
    jobs = plan_menu(menu)
    progress = Progress(quiet=args.quiet)
    executor = _executor(args, workers)
    try:
        result = build_menu(menu, args.out, executor=executor, progress=progress, jobs=jobs)
    finally:
        progress.close()
        executor.close()
    print(result.out)
    print(f"  {len(result.composed)} cues composed, {len(result.kept)} kept · cuesheet.csv, cuesheet.json, index.html")
    return 0


def _draft(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gekiban.errors import InvalidOptionError
    from gekiban.season.draft import draft_menu, menu_yaml

    path = Path(args.script)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidOptionError(f"cannot read the script {str(path)!r}: {getattr(exc, 'strerror', None) or exc}") from None
    menu = draft_menu(text, title=args.title or path.stem)
    out = menu_yaml(menu)
    if args.out:
        from gekiban.atomic import atomic_write

        data = out.encode("utf-8")
        atomic_write(Path(args.out), lambda f: f.write(data))
        sys.stderr.write(f"gekiban: wrote {args.out} ({len(menu.cues)} cues)\n")
    else:
        sys.stdout.write(out)
    return 0
