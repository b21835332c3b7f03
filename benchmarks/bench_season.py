"""Benchmark: does a menu sound like one score? The in-menu vs across-menu consistency figure.

Builds three menus of four cues each (theme, 情景 scene, 状況 situation, 感情 emotion: the same
four descriptions in each menu), each menu with its own palette (chamber, band, Japanese),
through a LocalExecutor, then measures every cue's palette features
(:mod:`gekiban.season.consistency`: instruments, register, timbre of the mix) and prints the
fraction of in-menu cue pairs that are closer to each other than to the cues of the other
menus. Goal (issue 12): at least 90 %. ``--control`` builds the same cues without the shared
palette (each cue with its own style's line-up), to show what the palette does.

    .venv/bin/python benchmarks/bench_season.py [--seconds 15] [--workers 2] [--out DIR] [--control]

With ``--out`` the builds are kept there (and a second run resumes them); else a temporary folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

from gekiban.executor import LocalExecutor
from gekiban.season.build import build_menu
from gekiban.season.consistency import menu_consistency, palette_features
from gekiban.season.menu import parse_menu
from gekiban.season.plan import plan_menu

CUES = (("theme", "main theme, hopeful and bright"), ("scene", "calm school afternoon"),
        ("situation", "tense chase through the night streets"), ("emotion", "sad farewell at the station"))
PALETTES = {"chamber": "piano, strings, flute, harp", "band": "overdrive guitar, electric piano, synth bass, drums",
            "japanese": "koto, shakuhachi, shamisen, taiko"}


def menu_of(name: str, palette: str, seconds: float) -> object:
    return parse_menu({"title": f"bench {name}", "palette": palette, "cues": [
        {"m": f"M-{i}", "title": desc, "use": use, "description": desc, "length": seconds}
        for i, (use, desc) in enumerate(CUES, 1)]})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15.0, help="length of each cue (default 15)")
    ap.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    ap.add_argument("--out", help="keep the builds here (default: a temporary folder)")
    ap.add_argument("--control", action="store_true", help="no shared palette: each cue plays its own style's line-up")
    args = ap.parse_args()
    root = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="gekiban-bench-season-"))
    started = time.perf_counter()
    features = {}
    executor = LocalExecutor(args.workers)
    try:
        for name, palette in PALETTES.items():
            menu = menu_of(name, palette, args.seconds)
            jobs = plan_menu(menu)
            if args.control:
                jobs = tuple(dataclasses.replace(j, request=dataclasses.replace(j.request, instruments=None)) for j in jobs)
            folder = root / (f"{name}-control" if args.control else name)
            result = build_menu(menu, folder, executor=executor, jobs=jobs)
            features[name] = [palette_features(folder / j.cue.m) for j in jobs]
            shown = "each cue its own style's line-up" if args.control else f"palette {', '.join(jobs[0].palette)}"
            print(f"{name:9} {len(result.composed)} composed, {len(result.kept)} kept · {shown}", file=sys.stderr)
    finally:
        executor.close()
    report = menu_consistency(features)
    print(f"menus: {len(features)} × {len(CUES)} cues of {args.seconds:g} s, {'control (no shared palette)' if args.control else 'shared palette'}")
    print(f"in-menu pairs closer than across menus: {report.passed}/{report.pairs} = {report.fraction:.0%} (goal ≥ 90 %)")
    print(f"mean distance in-menu {report.mean_within:.3f}, across menus {report.mean_across:.3f}")
    print(f"built and measured in {time.perf_counter() - started:.0f} s · {root}")
    return 0 if args.control or report.fraction >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
