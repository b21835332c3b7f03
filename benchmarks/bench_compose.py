"""Benchmark: time each stage of `compose` against the bare FluidSynth render of the same MIDI.

For 30 s, 90 s and 180 s cues it runs, each in a fresh child process (so peak memory is that
run's alone): compose + save of a full bundle with stems, then the `fluidsynth` command-line
render of the bundle's score.mid with the same SoundFont and sample rate. It prints the stage
times, the ratio of the whole compose+save to the bare render, and the peak resident memory.

    .venv/bin/python benchmarks/bench_compose.py [--durations 30 90 180] [--style orchestral-battle]

Goal (issue 2): a 180 s track with stems in at most 2x the bare render, peak memory under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from gekiban.pipeline import compose_brief
from gekiban.understand.resolve import resolve_brief
t = time.perf_counter()
brief = resolve_brief(sys.argv[1], duration=float(sys.argv[2]), seed=7, style=sys.argv[3])
track = compose_brief(brief, sample_rate=48000)
t_save = time.perf_counter()
track.save(sys.argv[4])
timings = dict(track.timings, save=time.perf_counter() - t_save, all=time.perf_counter() - t)
print(json.dumps({"timings": timings, "parts": len(track.score.parts), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--durations", type=float, nargs="+", default=[30, 90, 180])
    ap.add_argument("--style", default="orchestral-battle")
    ap.add_argument("--prompt", default="the hero's last stand on a burning bridge")
    args = ap.parse_args()
    from gekiban.audio.render import render_midi_cli
    from gekiban.audio.synth import find_soundfont

    sf = find_soundfont()
    print(f"soundfont: {sf}\nstyle: {args.style}\n")
    print(f"{'length':>7} {'parts':>5} {'compose':>8} {'render':>7} {'mix':>6} {'save':>6} {'total':>7} {'bare':>6} {'ratio':>6} {'peak MB':>8}")
    worst = 0.0
    for dur in args.durations:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "bundle"
            res = subprocess.run([sys.executable, "-c", CHILD, args.prompt, str(dur), args.style, str(out)],
                                 capture_output=True, text=True, timeout=900)
            if res.returncode:
                print(res.stderr, file=sys.stderr)
                return 1
            data = json.loads(res.stdout.strip().splitlines()[-1])
            t = time.perf_counter()
            render_midi_cli(out / "score.mid", Path(tmp) / "bare.wav", sample_rate=48000, soundfont=sf, timeout=900)
            bare = time.perf_counter() - t
        tm = data["timings"]
        ratio = tm["all"] / bare
        worst = max(worst, ratio)
        print(f"{dur:>6.0f}s {data['parts']:>5} {tm['compose']:>8.2f} {tm['render']:>7.2f} {tm['mix']:>6.2f} {tm['save']:>6.2f} "
              f"{tm['all']:>7.2f} {bare:>6.2f} {ratio:>6.2f} {data['peak_mb']:>8.0f}")
    print(f"\nworst ratio compose+save / bare render: {worst:.2f} (goal ≤ 2.0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
