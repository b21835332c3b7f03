"""Benchmark: in-process per-part rendering vs. the fluidsynth command line.

Builds a 180 s score (90 bars of 4/4 at 120 bpm, 7 parts) in code, then times
:func:`gekiban.audio.render.render_parts` (1 and 2 workers, each in a fresh process so peak RSS is
its own) and ``fluidsynth -ni`` on the same MIDI file.

Run: ``.venv/bin/python benchmarks/bench_render.py [--soundfont PATH]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from gekiban.score import Control, Note, Part, Score, TempoChange
from gekiban.theory import Key, Meter


def bench_score(bars: int = 90, bpm: float = 120.0, seed: int = 7) -> Score:
    """A dense 7-part score: melody, counter-line, string pad, piano ostinato, harp, bass, drums."""
    rng = np.random.default_rng(seed)
    prog = [(0, (57, 60, 64)), (5, (62, 65, 69)), (7, (55, 59, 62)), (0, (52, 55, 60))]
    lead, counter, pad, piano, harp, bass, drums = ([] for _ in range(7))
    for bar in range(bars):
        b0 = bar * 4.0
        root, triad = prog[bar % 4]
        for i in range(8):
            if rng.random() < 0.8:
                lead.append(Note(int(rng.choice(triad)) + 12, b0 + i / 2, 0.5, int(rng.integers(70, 110))))
        for i in range(2):
            counter.append(Note(int(rng.choice(triad)), b0 + 2 * i, 2.0, 70))
        pad.extend(Note(p, b0, 4.0, 64) for p in (*triad, triad[0] + 12))
        for i in range(16):
            piano.append(Note(triad[i % 3] - 12 + 12 * (i // 8), b0 + i / 4, 0.25, 60 + 10 * (i % 4 == 0)))
        for i in range(8):
            harp.append(Note(triad[i % 3] + 12 * (i // 3 % 2), b0 + i / 2, 1.0, 55))
        bass.extend(Note(36 + root + (12 if i % 2 else 0) - (12 if root > 5 else 0), b0 + i, 1.0, 90) for i in range(4))
        for i in range(16):
            drums.append(Note(42, b0 + i / 4, 0.1, 50 + 20 * (i % 2 == 0)))
            if i % 8 == 0:
                drums.append(Note(36, b0 + i / 4, 0.2, 110))
            if i % 8 == 4:
                drums.append(Note(38, b0 + i / 4, 0.2, 100))
        if bar % 8 == 0:
            drums.append(Note(49, b0, 1.0, 110))
    pedal = tuple(c for bar in range(bars) for c in (Control(bar * 4.0, 64, 0), Control(bar * 4.0 + 0.05, 64, 127)))
    parts = (
        Part("lead", "flute", 73, tuple(lead)),
        Part("counter", "violin", 40, tuple(counter)),
        Part("pad", "string-ensemble-1", 48, tuple(pad)),
        Part("ostinato", "piano", 0, tuple(piano), controls=pedal),
        Part("arp", "orchestral-harp", 46, tuple(harp)),
        Part("bass", "contrabass", 43, tuple(bass)),
        Part("drums", "drums", 0, tuple(drums), is_drum=True),
    )
    return Score(meter=Meter(4, 4), key=Key(9, "minor"), tempo=(TempoChange(0, bpm),), bars=bars, parts=parts)


def _child_cli(soundfont: str | None) -> None:
    from gekiban.audio.render import render_midi_cli
    from gekiban.midi import write_midi

    with tempfile.TemporaryDirectory() as tmp:
        mid = write_midi(bench_score(), Path(tmp) / "bench.mid")
        t = time.perf_counter()
        render_midi_cli(mid, Path(tmp) / "bench.wav", sample_rate=48000, soundfont=soundfont)
        wall = time.perf_counter() - t
    print(json.dumps({"seconds": wall, "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def _child(workers: int, soundfont: str | None) -> None:
    from gekiban.audio.render import render_parts

    score = bench_score()
    t = time.perf_counter()
    stems = render_parts(score, workers=workers, soundfont=soundfont)
    wall = time.perf_counter() - t
    peaks = [float(20 * np.log10(np.abs(s).max() + 1e-12)) for s in stems]
    print(json.dumps({"workers": workers, "seconds": wall, "audio_s": score.duration,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "stem_peaks_dbfs": [round(p, 1) for p in peaks]}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--soundfont")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "cli":
        _child_cli(args.soundfont)
        return
    if args.child:
        _child(int(args.child), args.soundfont)
        return
    from gekiban.audio.synth import find_soundfont

    font = find_soundfont(args.soundfont)
    print(f"soundfont: {font}")

    def child(arg: str) -> dict:
        cmd = [sys.executable, __file__, "--child", arg, "--soundfont", str(font)]
        return json.loads(subprocess.run(cmd, capture_output=True, check=True, text=True).stdout)

    for workers in (1, 2):
        r = child(str(workers))
        print(f"render_parts workers={workers}: {r['seconds']:.2f} s for {r['audio_s']:.0f} s of audio x 7 parts, "
              f"peak RSS {r['peak_rss_mb']:.0f} MB, stem peaks {r['stem_peaks_dbfs']} dBFS")
    r = child("cli")
    print(f"fluidsynth CLI (one synth, all parts, reverb+chorus on): {r['seconds']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
