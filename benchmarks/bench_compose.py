"""Benchmark: time each stage of `compose` against the bare FluidSynth render of the same MIDI.

For each SoundFont and for 30 s, 90 s and 180 s cues it runs, each in a fresh child process (so
the font loads cold and peak memory is that run's alone): compose + save of a full bundle with
stems, then the `fluidsynth` command-line render of the bundle's score.mid with the same
SoundFont and sample rate. It prints the stage times, the ratio of the whole compose+save to the
bare render, the CPU seconds of each and the peak resident memory. With ``--repeat N`` each
measurement runs N times and the fastest is kept (other work on the machine only slows runs).

    .venv/bin/python benchmarks/bench_compose.py [--durations 30 90 180] [--style orchestral-battle]
        [--soundfont musescore fluidr3 | PATH ...] [--repeat 3]

Stages: ``render`` is synthesis with each stem's chain (EQ, pan, reverb) run on the audio as it
renders, ``mix`` the master bus (loudness, true-peak limiter), ``save`` the bundle's files.
Goal (issue 10): compose+save in at most the bare render's time (ratio ≤ 1.0) with either font,
peak memory under 1 GB for 180 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FONTS = {
    "musescore": None,  # the default font: MuseScore General where installed
    "musescore-sf2": "/usr/share/sounds/sf2/MuseScore_General_Full.sf2",
    "musescore-sf3": "/usr/share/sounds/sf3/MuseScore_General_Full.sf3",
    "fluidr3": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
}

CHILD = r"""
import json, resource, sys, time
from gekiban.pipeline import compose_brief
from gekiban.understand.resolve import resolve_brief
t = time.perf_counter()
brief = resolve_brief(sys.argv[1], duration=float(sys.argv[2]), seed=7, style=sys.argv[3])
track = compose_brief(brief, sample_rate=48000, soundfont=sys.argv[5])
t_save = time.perf_counter()
track.save(sys.argv[4])
timings = dict(track.timings, save=time.perf_counter() - t_save, all=time.perf_counter() - t)
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"timings": timings, "parts": len(track.score.parts), "peak_mb": ru.ru_maxrss / 1024,
                  "cpu": ru.ru_utime + ru.ru_stime}))
"""


def run_once(args: argparse.Namespace, font: str, dur: float) -> tuple[dict, float, float]:
    from gekiban.audio.render import render_midi_cli

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bundle"
        res = subprocess.run([sys.executable, "-c", CHILD, args.prompt, str(dur), args.style, str(out), font],
                             capture_output=True, text=True, timeout=1800)
        if res.returncode:
            raise RuntimeError(res.stderr)
        data = json.loads(res.stdout.strip().splitlines()[-1])
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        render_midi_cli(out / "score.mid", Path(tmp) / "bare.wav", sample_rate=48000, soundfont=font, timeout=1800)
        bare = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    bare_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return data, bare, bare_cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--durations", type=float, nargs="+", default=[30, 90, 180])
    ap.add_argument("--style", default="orchestral-battle")
    ap.add_argument("--prompt", default="the hero's last stand on a burning bridge")
    ap.add_argument("--soundfont", nargs="+", default=["musescore", "fluidr3"],
                    help=f"fonts to run with: {', '.join(FONTS)} or a path")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest is kept")
    args = ap.parse_args()
    from gekiban.audio.synth import find_soundfont

    worst = 0.0
    print(f"style: {args.style}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    for name in args.soundfont:
        sf = find_soundfont(FONTS.get(name, name))
        print(f"\nsoundfont: {sf}")
        print(f"{'length':>7} {'parts':>5} {'compose':>8} {'render':>7} {'mix':>6} {'save':>6} {'total':>7} {'bare':>6} "
              f"{'ratio':>6} {'CPU s':>6} {'bare CPU':>8} {'peak MB':>8}")
        for dur in args.durations:
            runs = [run_once(args, str(sf), dur) for _ in range(max(1, args.repeat))]
            data = min((r[0] for r in runs), key=lambda d: d["timings"]["all"])
            bare, bare_cpu = min((r[1], r[2]) for r in runs)
            tm = data["timings"]
            ratio = tm["all"] / bare
            worst = max(worst, ratio)
            print(f"{dur:>6.0f}s {data['parts']:>5} {tm['compose']:>8.2f} {tm['render']:>7.2f} {tm['mix']:>6.2f} "
                  f"{tm['save']:>6.2f} {tm['all']:>7.2f} {bare:>6.2f} {ratio:>6.2f} {data['cpu']:>6.2f} {bare_cpu:>8.2f} "
                  f"{max(r[0]['peak_mb'] for r in runs):>8.0f}")
    print(f"\nworst ratio compose+save / bare render: {worst:.2f} (goal ≤ 1.0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
