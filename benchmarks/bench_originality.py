"""Benchmark: the distributions behind the originality thresholds (issue 13), scores only.

    .venv/bin/python benchmarks/bench_originality.py [--corpus-lines 2000] [--cues 100] [--seed0 5000]

1. Independent human pieces: ``--corpus-lines`` reference melody lines (at least 16 notes) are
   each matched against an index of every *other* collection (leave one collection out: a
   collection holds variants and re-editions of its own tunes, e.g. two Monteverdi editions;
   the British-Isles fiddle books share tunes and count as one collection).
2. gekiban cues: ``--cues`` fresh cues (every style in turn, seeds from ``--seed0``, default
   length) are composed and every melodic part matched against the whole shipped index.

Prints the median / 90th / 95th / 99th percentile / max of the longest match (notes) for both
modes (intervals only; intervals and rhythm), the false-positive rate of the cues at the
shipped thresholds, and the matching time per cue.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


#: Collections that share tunes (the same reel in O'Neill's and Ryan's) count as one group.
GROUPS = {"oneills1850": "fiddle", "ryansMammoth": "fiddle", "airdsAirs": "fiddle", "miscFolk": "fiddle"}


def _group(name: str) -> str:
    d = name.split("/")[0]
    return GROUPS.get(d, d)


def _stats(v: list[int]) -> str:
    a = np.asarray(v, dtype=float)
    if not len(a):
        return "n 0"
    return (f"n {len(a)}  median {np.median(a):.0f}  p90 {np.percentile(a, 90):.0f}  p95 {np.percentile(a, 95):.0f}  p97.5 {np.percentile(a, 97.5):.0f}  "
            f"p99 {np.percentile(a, 99):.0f}  max {a.max():.0f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus-lines", type=int, default=2000)
    ap.add_argument("--cues", type=int, default=100)
    ap.add_argument("--seed0", type=int, default=5000)
    args = ap.parse_args(argv)

    from gekiban.evaluate.goals import compose_score
    from gekiban.evaluate.originality import (
        PITCH_NOTES,
        RHYTHM_NOTES,
        build_index,
        corpus_index,
        originality,
        pitch_codes,
    )
    from gekiban.evaluate.reference import SEPARATOR, melody_index
    from gekiban.styles import all_styles

    ref = melody_index()
    codes = ref.codes.astype(np.int64)
    bounds = list(ref.starts) + [len(codes)]
    lines = [(ref.names[i], codes[bounds[i]:bounds[i + 1]]) for i in range(len(ref.names))]
    lines = [(n, c[c != int(SEPARATOR)]) for n, c in lines]
    a_lines = [(n, c) for n, c in lines if len(c) >= 15]
    rng = np.random.default_rng(0)
    pick = sorted(rng.choice(len(a_lines), min(args.corpus_lines, len(a_lines)), replace=False),
                  key=lambda i: _group(a_lines[i][0]))
    indep: dict[str, list[int]] = {"pitch": [], "rhythm": []}
    worst = {"pitch": (0, "", ""), "rhythm": (0, "", "")}
    others: dict[str, dict] = {}
    for i in pick:
        name, c = a_lines[i]
        g = _group(name)
        if g not in others:
            others.clear()  # one leave-one-out index at a time (the picks are sorted by collection)
            others[g] = build_index((n, x) for n, x in lines if _group(n) != g)
        for mode in ("pitch", "rhythm"):
            k, src, _ = others[g][mode].longest(pitch_codes(c)[0] if mode == "pitch" else c)
            notes = k + 1 if k else 0
            indep[mode].append(notes)
            if notes > worst[mode][0]:
                worst[mode] = (notes, name, src)
    print(f"1. independent corpus lines (each against the other collections; {len(a_lines)} lines of 16+ notes)")
    for mode in ("pitch", "rhythm"):
        print(f"   {mode:<6}  {_stats(indep[mode])}   longest: {worst[mode][1]} ~ {worst[mode][2]}")

    corpus_index()  # built once per process; not part of the per-cue time
    names = sorted(all_styles())
    cue = {"pitch": [], "rhythm": []}
    flagged, times, t_compose = [], [], 0.0
    for j in range(args.cues):
        style, seed = names[j % len(names)], args.seed0 + j
        t0 = time.perf_counter()
        score, _ = compose_score(style=style, seed=seed)
        t1 = time.perf_counter()
        o = originality(score)
        times.append(time.perf_counter() - t1)
        t_compose += t1 - t0
        for h in o.hits:
            cue[h.mode].append(h.notes)
        if o.warnings:
            flagged.append(f"{style}#{seed}: " + "; ".join(o.warnings))
    print(f"2. gekiban cues ({args.cues}: {len(names)} styles, seeds {args.seed0}..{args.seed0 + args.cues - 1}), "
          "every melodic part against the whole index")
    for mode in ("pitch", "rhythm"):
        print(f"   {mode:<6}  {_stats(cue[mode])}")
    print(f"3. thresholds: pitch {PITCH_NOTES} notes (independent p99 {np.percentile(indep['pitch'], 99):.0f}), "
          f"rhythm {RHYTHM_NOTES} notes (independent p99 {np.percentile(indep['rhythm'], 99):.0f})")
    fp_ind = np.mean([(p >= PITCH_NOTES) or (r >= RHYTHM_NOTES) for p, r in zip(indep["pitch"], indep["rhythm"])])
    print(f"   independent corpus lines flagged: {fp_ind:.1%}")
    print(f"   gekiban cues flagged (false-positive rate): {len(flagged)}/{args.cues} = {len(flagged) / args.cues:.1%}")
    for f in flagged[:10]:
        print(f"     {f}")
    print(f"4. matching time per cue: median {np.median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms "
          f"(composing: {t_compose / args.cues * 1e3:.0f} ms per cue)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
