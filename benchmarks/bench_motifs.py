"""Benchmark: leitmotifs found where they are asked for, and not where they are not.

Composes scores (no audio: the detector reads notes) for several motifs × styles from different
families × the meters 4/4, 3/4 and 6/8, once with the motif asked for (``Brief.leitmotifs``, as
``compose --motif NAME`` sets it) and once without (same style, meter and seed), and runs the
detector of ``gekiban evaluate --motif`` (:mod:`gekiban.evaluate.motif`) on every cue. It prints
the found rate of both sets: goal ≥ 90 % with the motif, < 5 % without, on ≥ 100 cues each
(and the other motifs searched in each cue built on one: < 5 % too).
Then it compares a battle and a farewell version of one theme (tempo, note density of the lead,
mode, register, time scale of the statements): both must be found, and differ.

    .venv/bin/python benchmarks/bench_motifs.py [--seeds 1] [--duration 60] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time

from gekiban.composer.build import build_score
from gekiban.evaluate.motif import find_motif
from gekiban.motifs import parse_notes
from gekiban.styles import resolve_style
from gekiban.understand.resolve import resolve_brief

MOTIFS = {
    "hero": "D4. E4/ F#4 A4 | B4/ A4/ F#4- D4",
    "heroine": "A4- G4/ F#4/ E4 D4 | B3. C#4/ D4-",
    "rival": "E4/ E4/ G4/ F#4/ B3 C4 | D#4- E4",
    "friends": "C4 G4. F4/ E4 | D4/ E4/ C4 A3-",
}
STYLES = ("orchestral-battle", "jrock-battle", "sad-farewell", "emotional-piano", "slice-of-life", "pastoral",
          "heroic", "lofi", "festival", "cafe-jazz", "mystery")
METERS = ("4/4", "3/4", "6/8")


def _brief(style: str, meter: str, seed: int, duration: float, motif: str | None):
    brief = resolve_brief("", style=style, meter=meter, seed=seed, duration=duration, semantic=False)
    if motif is None:
        return brief
    return dataclasses.replace(brief, leitmotifs=((motif, parse_notes(MOTIFS[motif])),))


def run(seeds: int, duration: float) -> dict:
    asked, not_asked, misses, false = 0, 0, [], []
    found_with = found_without = cross = cross_found = 0
    cross_false: list[str] = []
    t0 = time.perf_counter()
    for seed in range(1, seeds + 1):
        for i, style in enumerate(STYLES):
            _, st, _ = resolve_style(style)
            for j, meter in enumerate(METERS):
                for k, name in enumerate(MOTIFS):
                    cue_seed = seed * 1000 + i * 100 + j * 10 + k
                    notes = parse_notes(MOTIFS[name])
                    score = build_score(_brief(style, meter, cue_seed, duration, name), st)
                    asked += 1
                    if find_motif(score, notes):
                        found_with += 1
                    else:
                        misses.append(f"{name}/{style}/{meter}/seed {cue_seed}")
                    for other in MOTIFS:  # a cue built on one theme does not hold the others
                        if other != name:
                            cross += 1
                            if find_motif(score, parse_notes(MOTIFS[other])):
                                cross_found += 1
                                cross_false.append(f"{other} in {name}/{style}/{meter}/seed {cue_seed}")
                    plain = build_score(_brief(style, meter, cue_seed, duration, None), st)
                    not_asked += 1
                    if find_motif(plain, notes):
                        found_without += 1
                        false.append(f"{name}/{style}/{meter}/seed {cue_seed}")
    return {"cues_with_motif": asked, "found_with_motif": found_with, "rate_with": found_with / asked,
            "cues_without_motif": not_asked, "found_without_motif": found_without, "rate_without": found_without / not_asked,
            "misses": misses, "false_finds": false,
            "cross_searches": cross, "cross_found": cross_found, "rate_cross": cross_found / cross, "cross_false": cross_false, "seconds": round(time.perf_counter() - t0, 1)}


def _mode_word(score) -> str:
    return score.key.name


def battle_vs_farewell(duration: float) -> dict:
    """One theme as a battle cue and as a farewell cue: both found, and how they differ."""
    notes = parse_notes(MOTIFS["hero"])
    out = {}
    for style in ("orchestral-battle", "sad-farewell"):
        _, st, _ = resolve_style(style)
        score = build_score(_brief(style, "4/4", 7, duration, "hero"), st)
        lead = next(p for p in score.parts if p.role.startswith("lead"))
        matches = find_motif(score, notes)
        beats = score.total_beats
        out[style] = {"found": bool(matches), "key": _mode_word(score), "tempo": score.tempo[0].bpm,
                      "lead_notes_per_second": round(len(lead.notes) / score.duration, 2),
                      "lead_median_pitch": statistics.median(n.pitch for n in lead.notes),
                      "lead_instrument": lead.instrument,
                      "statement_time_scale": sorted({round(m.factor, 2) for m in matches if m.part == lead.name}),
                      "lead_notes_per_beat": round(len(lead.notes) / beats, 2)}
    b, f = out["orchestral-battle"], out["sad-farewell"]
    out["differ"] = {"tempo_ratio": round(b["tempo"] / f["tempo"], 2),
                     "density_ratio": round(b["lead_notes_per_second"] / max(f["lead_notes_per_second"], 1e-9), 2),
                     "keys": f"{b['key']} vs {f['key']}",
                     "register_semitones": b["lead_median_pitch"] - f["lead_median_pitch"]}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=1, help="seeds per motif × style × meter (default 1: 132 cues each way)")
    ap.add_argument("--duration", type=float, default=60.0, help="cue length in seconds (default 60)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = run(args.seeds, args.duration)
    result["battle_vs_farewell"] = battle_vs_farewell(args.duration)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    print(f"motifs {len(MOTIFS)} × styles {len(STYLES)} × meters {len(METERS)} × seeds {args.seeds}, "
          f"{args.duration:g} s cues, {result['seconds']} s")
    print(f"found with the motif asked:    {result['found_with_motif']}/{result['cues_with_motif']} "
          f"= {100 * result['rate_with']:.1f} %  (goal ≥ 90 %)")
    print(f"found without the motif asked: {result['found_without_motif']}/{result['cues_without_motif']} "
          f"= {100 * result['rate_without']:.1f} %  (goal < 5 %)")
    print(f"another motif found in a cue built on one: {result['cross_found']}/{result['cross_searches']} "
          f"= {100 * result['rate_cross']:.1f} %  (goal < 5 %)")
    for what in ("misses", "false_finds", "cross_false"):
        if result[what]:
            print(f"  {what}: {', '.join(result[what][:12])}{' …' if len(result[what]) > 12 else ''}")
    bf = result["battle_vs_farewell"]
    for style in ("orchestral-battle", "sad-farewell"):
        r = bf[style]
        print(f"{style:>18}: found {r['found']}, {r['key']}, {r['tempo']:g} bpm, {r['lead_instrument']}, "
              f"lead {r['lead_notes_per_second']} notes/s, median pitch {r['lead_median_pitch']}, "
              f"statements at ×{r['statement_time_scale']}")
    print(f"battle vs farewell: tempo ×{bf['differ']['tempo_ratio']}, lead density ×{bf['differ']['density_ratio']}, "
          f"{bf['differ']['keys']}, register {bf['differ']['register_semitones']:+g} semitones")
    ok = result["rate_with"] >= 0.9 and result["rate_without"] < 0.05 and result["rate_cross"] < 0.05 and bf["orchestral-battle"]["found"] and bf["sad-farewell"]["found"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
