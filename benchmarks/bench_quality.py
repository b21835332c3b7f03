"""Benchmark: the musical-quality goals of issue 3 over every style × seeds (scores only, no audio).

    .venv/bin/python benchmarks/bench_quality.py [--seeds 10] [--split heldout] [--styles a,b] [--json FILE]

For each style it composes ``--seeds`` scores with ``gekiban.composer.build_score`` (the brief
``gekiban compose --style NAME --seed N`` would resolve to), evaluates them with
``gekiban.evaluate``, prints a per-style table and one line per goal with PASS/FAIL:

* playability violations: 0;
* texture scale consistency ≥ 0.95 on tonal styles; lead pitch-class entropy and pitch range inside
  the human reference's 5–95 % band;
* overlapping area ≥ 0.7 against the human reference on at least five metrics;
* 30–85 % of lead bars recur;
* a nearest-centroid classifier names the style of held-out tracks ≥ 90 % of the time;
* ten seeds of one prompt give ten different melodies (no pair shares > 1/3 of its 4-grams);
* no lead phrase of 12 or more notes occurs in the reference corpus.

The reference comparison uses the ``heldout`` half of the reference by default; tune the
composer with ``--split dev`` and report with ``heldout``. Exit status 1 if a goal fails.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np


def _median(values: list[float]) -> float:
    v = np.array(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else math.nan


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=10, help="seeds per style (default 10)")
    ap.add_argument("--split", default="heldout", choices=("dev", "heldout", "all"), help="reference split (default heldout)")
    ap.add_argument("--styles", default="", help="comma-separated styles (default: all)")
    ap.add_argument("--prompt", default="dramatic battle", help="prompt of the seed-diversity goal")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args(argv)

    from gekiban.evaluate.goals import generate, measure_goals
    from gekiban.styles import all_styles

    styles = all_styles()
    names = [s.strip() for s in args.styles.split(",") if s.strip()] or sorted(styles)
    t0 = time.perf_counter()
    gen = generate(names, list(range(1, args.seeds + 1)))
    t_gen = time.perf_counter() - t0

    cols = ("lead.pitch_class_entropy", "lead.pitch_range", "lead.bar_recurrence", "lead.lz_repetition",
            "lead.mean_interval", "lead.note_density", "texture.scale_consistency")
    short = ("pce", "range", "recur", "lz", "interval", "density", "scale")
    w = max(len(n) for n in names)
    print(f"{'style':<{w}}  tonal form   " + " ".join(f"{s:>8}" for s in short) + "  viol  match")
    for name in names:
        gs = gen[name]
        vals = [_median([g.report.metrics[c] for g in gs]) for c in cols]
        viol = sum(len(g.report.violations) for g in gs)
        match = max((g.report.match.notes for g in gs if g.report.match), default=0)
        st = styles[name]
        print(f"{name:<{w}}  {'yes' if st.tonal else 'no':<5} {st.form:<6} " + " ".join(f"{v:8.3f}" for v in vals)
              + f"  {viol:4d}  {match:5d}")
    print(f"(medians over {args.seeds} seeds; composed and measured {sum(len(g) for g in gen.values())} scores "
          f"in {t_gen:.1f} s)\n")

    goals = measure_goals(gen, split=args.split, prompt=args.prompt)
    failed = 0
    for g in goals:
        print(f"[{'PASS' if g.ok else 'FAIL'}] {g.name}: {g.figure}")
        for d in g.details:
            print(f"         {d}")
        failed += not g.ok
    print(f"\n{len(goals) - failed} of {len(goals)} goals hold (reference split: {args.split}; "
          f"{time.perf_counter() - t0:.1f} s)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"seeds": args.seeds, "split": args.split, "styles": names,
                       "goals": [{"name": g.name, "figure": g.figure, "ok": g.ok, "details": list(g.details)} for g in goals]},
                      f, ensure_ascii=False, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
