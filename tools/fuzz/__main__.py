"""Fuzz every input path of gekiban (issue 9): bad input must end in a ``GekibanError`` (or be
accepted), never in another exception, and never hang.

Three families of seeded cases, each case in a child process under a per-case time limit:

* ``prompt``  random and adversarial prompts and option values for ``resolve_brief`` (keyword reading,
  and a slice with the embedding model) and every option parser (``understand.options``, keys,
  meters, chords, Roman numerals, progressions, loudness, times, arcs, section moods, hits, cue
  types, styles, edits); an accepted request is also composed (``apply_timing`` + ``build_score``),
  a few written to MIDI and read back;
* ``midi``    byte and field mutations of valid MIDI files (gekiban's own, type 0/1/2, running status,
  drums, tempo changes) fed to ``read_midi``, ``read_seed``, ``resolve_brief(from_midi=...)`` (then
  composed) and ``evaluate_paths``;
* ``bundle``  mutations of real bundles' ``track.json`` and ``score.mid``, then the pure parts of the
  bundle operations: ``load_bundle``, vary (``build_score(variation=1)``), extend (``extend_score``),
  edit (``parse_edits`` + ``edit_score`` + ``edit_brief``), the delivery settings and ``evaluate_paths``.

A case "passes" when every step returns or raises a ``GekibanError`` subclass. Anything else is
*uncaught*; a step past the limit (default 30 s) is a *hang*; a child that dies is uncaught too.
The first failing case of each distinct (exception type, innermost gekiban frame) signature is
shrunk and printed as a Python call; failing MIDI files and bundles are saved under ``--save``.

    .venv/bin/python tools/fuzz                                     # full run (exit 1 on any failure)
    .venv/bin/python tools/fuzz --prompts 500 --midi 100 --bundles 50
    .venv/bin/python tools/fuzz --case midi:17                      # re-run one case with its traceback

``tests/fuzz/test_fuzz.py`` runs a short slice of the same cases in-process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from core import DEFAULT_TIMEOUT, FAMILIES, _short_repr
from report import Results, print_report, run_cases
from runner import MAKERS, execute, make_cases
from shrink import shrink
from worker import Isolated, worker_main

DEFAULT_COUNTS = {"prompt": 10_000, "midi": 1_000, "bundle": 1_000}


def _single(name: str, seed: int, timeout: float) -> int:
    family, _, index = name.partition(":")
    case = MAKERS[family](int(index), seed)
    print(f"{case.name} target={case.target} kind={case.kind} note={case.note}")
    print(f"args={_short_repr(case.args, 2000)} kwargs={_short_repr(case.kwargs, 2000)} then={case.then}")
    bad = 0
    for s in execute(case, timeout):
        print(f"- {s.step}: {s.status} {s.etype} {s.message[:300]} ({s.seconds:.3f} s)")
        if s.status in ("uncaught", "hang"):
            bad += 1
            print(f"  call: {s.call[:1000]}\n{s.tb}")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, default=DEFAULT_COUNTS["prompt"], help="prompt/option cases (default 10000)")
    ap.add_argument("--midi", type=int, default=DEFAULT_COUNTS["midi"], help="MIDI file cases (default 1000)")
    ap.add_argument("--bundles", type=int, default=DEFAULT_COUNTS["bundle"], help="bundle cases (default 1000)")
    ap.add_argument("--seed", type=int, default=0, help="seed of every generator (default 0)")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="per-case limit in seconds (default 30)")
    ap.add_argument("--save", help="folder for failing MIDI files and bundles (default: a new temporary folder)")
    ap.add_argument("--no-shrink", action="store_true", help="print the first failing case of each signature as is")
    ap.add_argument("--in-process", action="store_true", help="run cases here (alarm only; a hang in C code is not stopped)")
    ap.add_argument("--memory-gb", type=float, default=8.0, help="address-space limit of the child process (0: none)")
    ap.add_argument("--case", help="re-run one case (FAMILY:INDEX, e.g. midi:17) here and print its traceback")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker_main(args.timeout, args.memory_gb)
        return 0
    if args.case:
        return _single(args.case, args.seed, args.timeout)

    save = Path(args.save) if args.save else Path(tempfile.mkdtemp(prefix="gekiban-fuzz-failures-"))
    save.mkdir(parents=True, exist_ok=True)
    counts = {"prompt": args.prompts, "midi": args.midi, "bundle": args.bundles}
    print(f"gekiban fuzz: seed {args.seed}, per-case limit {args.timeout:g} s, counts {counts}, failures saved in {save}",
          flush=True)
    isolated = None if args.in_process else Isolated(args.timeout, save / "worker-stderr.log", args.memory_gb)
    results, wall = Results(), {}
    t_all = time.perf_counter()
    try:
        for fam in FAMILIES:
            if counts[fam] <= 0:
                continue
            t0 = time.perf_counter()
            cases = make_cases(fam, counts[fam], args.seed)
            print(f"{fam}: {len(cases)} cases made in {time.perf_counter() - t0:.1f} s", flush=True)
            t1 = time.perf_counter()
            run_cases(cases, timeout=args.timeout, isolated=isolated, results=results,
                      progress=lambda m: print(m, flush=True))
            wall[fam] = time.perf_counter() - t1
            t = results.tallies[fam]
            print(f"{fam}: {t.cases} run in {wall[fam]:.1f} s: {t.accepted} accepted, {t.refused} refused, "
                  f"{t.uncaught} uncaught, {t.hangs} hangs", flush=True)
        if not args.no_shrink and results.failures:
            t0 = time.perf_counter()
            for f in results.failures.values():
                if time.perf_counter() - t0 > 240:  # enough: the rest keep their smallest example as found
                    break
                budget = 30.0 if f.case.family == "midi" else 10.0
                small = (isolated.shrink(f.case, f.step, budget) if isolated
                         else shrink(f.case, f.signature, budget, args.timeout, save))
                if small is not f.case:
                    steps = isolated.run(small) if isolated else execute(small, args.timeout)
                    hit = next((s for s in steps if s.status == "uncaught" and s.signature == f.signature), None)
                    if hit:
                        f.case, f.step = small, hit
            print(f"shrunk {len(results.failures)} reproducers in {time.perf_counter() - t0:.1f} s", flush=True)
    finally:
        if isolated:
            isolated.close()
    print_report(results, save=save, wall=wall)
    total = time.perf_counter() - t_all
    ok = results.uncaught == 0 and results.hang_count == 0
    print(f"\ntotal {sum(t.cases for t in results.tallies.values())} cases in {total:.1f} s: "
          f"{results.uncaught} uncaught, {results.hang_count} hangs -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
