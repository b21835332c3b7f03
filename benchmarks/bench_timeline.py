"""Benchmark: shaping music in time (issue 5) — arcs, hits, loops, extensions and edits.

    .venv/bin/python benchmarks/bench_timeline.py [--quick]

It prints:

* arc: for a set of arcs (named stages, timed section moods and arc-file points) in two styles,
  each section's measured energy against the intensity the arc asks for there (the mean of the
  arc over the section). Two measures: notes per second × mean velocity (from the Score), and
  the loudness of the pre-master mix (the stems summed before the loudness gain, BS.1770) over
  the section. Spearman ρ per arc, and pooled over all sections of a style. Goal ρ ≥ 0.8.
* hits: the error in ms of each hit in the rendered mix (onset of the accent found in the audio
  by :func:`gekiban.audio.analysis.measure_onset`) and in the MIDI (the marker's time through the tempo
  map). Goal: within ±10 ms.
* loops: for loops of several styles, the file length against whole bars at the tempo (exact to
  the sample), and the seam of the mix tiled three times: sample step and short-window spectral
  flux against their 99th percentile inside (:func:`gekiban.audio.analysis.seam_measures`; a ratio
  below 1 is no outlier; the goal). Also shown, not a goal: the level of the 10 ms either side
  of the seam against the 1st percentile inside ("gap"; above 1 when the music breathes
  before the wrap — notes released early in the last bar — and far above for a real gap).
* extension: bars kept and notes that differ in them between the original score.mid and the
  extended one (goal 0).
* edits: after tempo and key edits, notes that moved other than by the transposition asked.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

ARCS = {
    "calm>build>climax>resolve": ("arc", "calm>build>climax>resolve"),
    "climax>calm>climax": ("arc", "climax>calm>climax"),
    "peaceful>rise>peak>release>calm": ("arc", "peaceful>rise>peak>release>calm"),
    "sections calm/tense/triumphant": ("sections", ["0:00=calm", "0:20=緊張", "0:40=triumphant"]),
    "sections epic/sad/action/peaceful": ("sections", ["0:00=epic", "0:15=悲しい", "0:30=action", "0:45=穏やか"]),
    "file: slow ramp up": ("points", [(0, 0.1, 0.2), (60, 1.0, 0.6)]),
    "file: ramp down": ("points", [(0, 1.0, 0.5), (60, 0.1, 0.1)]),
}
STYLES = ("orchestral-battle", "slice-of-life")
DURATION = 60.0


def arc_points(kind: str, spec, duration: float):
    from gekiban.understand.timing import check_arc, parse_arc, parse_section_moods

    if kind == "arc":
        return parse_arc(spec, duration)
    if kind == "sections":
        return parse_section_moods(spec, duration)
    return check_arc(spec, duration)


def mean_intensity(points, t0: float, t1: float) -> float:
    ts = np.linspace(t0, t1, 50)
    return float(np.mean(np.interp(ts, [p[0] for p in points], [p[1] for p in points])))


def section_measures(track, points):
    from gekiban.audio.meter import integrated_loudness

    score, sr = track.score, track.sample_rate
    pre = sum(s.astype(np.float64) for s in track.stems) / track.master.stem_gain
    bar = score.meter.bar_beats
    rows = []
    for s in score.sections:
        b0, b1 = s.start_bar * bar, s.end_bar * bar
        t0, t1 = score.seconds_at(b0), score.seconds_at(b1)
        vel = sum(n.velocity for p in score.parts for n in p.notes if b0 <= n.start < b1)
        lufs = integrated_loudness(pre[int(t0 * sr):int(t1 * sr)].astype(np.float32), sample_rate=sr)
        # the arc as asked over the section, in seconds of the request (the score may round the length)
        scale = track.brief.duration / score.duration
        rows.append((mean_intensity(points, t0 * scale, t1 * scale), vel / (t1 - t0), lufs, s.name))
    return rows


def rho(x, y) -> float:
    if len(set(x)) < 2 or len(set(y)) < 2:
        return float("nan")
    return float(spearmanr(x, y).statistic)


def bench_arcs(quick: bool) -> list[float]:
    from gekiban.pipeline import compose

    print("== arc: per-section energy vs requested intensity (Spearman ρ) ==")
    pooled_all = []
    for style in STYLES[:1] if quick else STYLES:
        pooled = []
        print(f"style {style}, {DURATION:g} s cues")
        print(f"  {'arc':36s} {'sections':>8} {'ρ notes×vel':>12} {'ρ loudness':>11}")
        for name, (kind, spec) in list(ARCS.items())[: 5 if quick else None]:
            points = arc_points(kind, spec, DURATION)
            track = compose("", style=style, duration=DURATION, seed=11, arc=points)
            rows = section_measures(track, points)
            pooled += rows
            want = [r[0] for r in rows]
            print(f"  {name:36s} {len(rows):>8} {rho(want, [r[1] for r in rows]):>12.2f} {rho(want, [r[2] for r in rows]):>11.2f}")
        want = [r[0] for r in pooled]
        r_notes, r_loud = rho(want, [r[1] for r in pooled]), rho(want, [r[2] for r in pooled])
        print(f"  {'pooled over all sections':36s} {len(pooled):>8} {r_notes:>12.2f} {r_loud:>11.2f}   (goal ≥ 0.8)")
        pooled_all += [r_notes, r_loud]
    return pooled_all


def bench_hits(quick: bool) -> float:
    from gekiban.audio.analysis import measure_onset
    from gekiban.pipeline import compose

    print("\n== hits: error of each hit (ms) ==")
    cases = [("tense chase", 60, [12.5, 42.5], 3), ("gentle morning piano", 45, [10.0, 31.7], 4),
             ("dramatic battle", 30, [7.3, 15.1, 22.0], 5), ("sad farewell", 40, [20.0], 6)]
    worst = 0.0
    for prompt, dur, hits, seed in cases[: 2 if quick else None]:
        track = compose(prompt, duration=dur, seed=seed, hits=hits)
        marks = [m for m in track.score.markers if m.text.startswith("hit")]
        for h, m in zip(hits, marks):
            audio_err = (measure_onset(track.mix, track.sample_rate, h) - h) * 1000
            midi_err = (track.score.seconds_at(m.beat) - h) * 1000
            worst = max(worst, abs(audio_err), abs(midi_err))
            print(f"  {prompt:22s} hit {h:6.2f} s   audio {audio_err:+6.2f} ms   tempo map {midi_err:+7.3f} ms")
    print(f"  worst {worst:.2f} ms (goal ≤ 10)")
    return worst


def bench_loops(quick: bool) -> tuple[int, float]:
    from gekiban.audio.analysis import seam_measures
    from gekiban.pipeline import compose

    print("\n== loops: length and seams (tiled 3×; ratio < 1 = not an outlier) ==")
    print(f"  {'prompt':22s} {'len':>8} {'whole bars':>10} {'step':>6} {'flux':>6} {'gap':>6}")
    prompts = ["lofi study", "dramatic battle", "gentle morning piano", "festival", "sad farewell", "city night chase"]
    off, worst = 0, 0.0
    for prompt in prompts[: 3 if quick else None]:
        for dur in (8, 30):
            track = compose(prompt, duration=dur, seed=2, loop=True)
            score, sr = track.score, track.sample_rate
            exact = round(score.seconds_at(score.bars * score.meter.bar_beats) * sr)
            off += abs(track.mix.shape[0] - exact)
            m = seam_measures(track.mix, sr)
            worst = max(worst, m["step_ratio"], m["flux_ratio"])
            print(f"  {prompt[:16] + f' {dur}s':22s} {track.mix.shape[0]:>8} {str(track.mix.shape[0] == exact):>10} "
                  f"{m['step_ratio']:6.2f} {m['flux_ratio']:6.2f} {m['gap_ratio']:6.2f}")
    print(f"  samples off whole bars: {off}; worst seam ratio (step, flux) {worst:.2f} (goal < 1)")
    return off, worst


def bench_extension_and_edits() -> int:
    from gekiban.edit.keys import transpose_interval
    from gekiban.edit.operations import edit_bundle, extend_bundle
    from gekiban.midi import read_midi
    from gekiban.pipeline import compose

    print("\n== extension and edits ==")
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "cue"
        compose("hopeful morning", duration=30, seed=3).save(src)
        t = time.perf_counter()
        longer = extend_bundle(src, "1:30", out=Path(tmp) / "longer").folder
        took = time.perf_counter() - t
        a, b = read_midi(src / "score.mid"), read_midi(longer / "score.mid")
        import json

        kept = json.loads((longer / "track.json").read_text())["origin"]["kept_bars"]
        cut = kept * a.meter.bar_beats
        diff = 0
        for pa, pb in zip(a.parts, b.parts):
            x = sorted((n.start, n.pitch, n.velocity) for n in pa.notes if n.start < cut)
            y = sorted((n.start, n.pitch, n.velocity) for n in pb.notes if n.start < cut)
            diff += sum(u != v for u, v in zip(x, y)) + abs(len(x) - len(y))
        bad += diff
        print(f"  extend 30 s → 90 s: {a.bars} → {b.bars} bars, first {kept} bars kept; notes that differ there: {diff} "
              f"({took:.1f} s)")
        edited = edit_bundle(src, Path(tmp) / "edited", tempo="140", key="F# minor" if a.key.is_minor else "F# major").folder
        c = read_midi(edited / "score.mid")
        shift = transpose_interval(a.key.tonic, 6)
        moved = 0
        for pa, pc in zip(a.parts, c.parts):
            x = sorted((n.start, n.duration, n.velocity, n.pitch) for n in pa.notes)
            y = sorted((n.start, n.duration, n.velocity, n.pitch - (0 if pa.is_drum else shift)) for n in pc.notes)
            moved += sum(u[:3] != v[:3] or (u[3] - v[3]) % 12 != 0 for u, v in zip(x, y)) + abs(len(x) - len(y))
        bad += moved
        print(f"  edit tempo {a.tempo[0].bpm:g} → 140, key {a.key.name} → {c.key.name}: notes changed other than by "
              f"{shift:+d} semitones (or an octave to stay playable): {moved}; duration {a.duration:.1f} → {c.duration:.1f} s")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer arcs, hits and loops")
    args = ap.parse_args()
    t = time.perf_counter()
    rhos = bench_arcs(args.quick)
    worst_hit = bench_hits(args.quick)
    off, seam = bench_loops(args.quick)
    bad = bench_extension_and_edits()
    ok = min(rhos) >= 0.8 and worst_hit <= 10 and off == 0 and seam < 1 and bad == 0
    print(f"\n{'all goals met' if ok else 'some goals missed'} ({time.perf_counter() - t:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
