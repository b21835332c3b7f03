"""Benchmark: ways to render a cue's parts, each in a cold process, against the bare CLI.

For the orchestral-battle cue of ``bench_compose.py`` (same prompt and seed) at each length it
times, in a fresh child process each (so the font is loaded cold, as by the command line):

- ``parts``: :func:`gekiban.audio.render.render_parts` as shipped: a synthesizer per part, parts
  in parallel threads (one per CPU), presets chosen per part (sections, Expr. presets);
- ``parts-1``: the same in one thread;
- ``one-synth``: one synthesizer for all parts, a stereo output per part (``synth.audio-groups``,
  ``fluid_synth_nwrite_float``), the same presets and events, with ``synth.cpu-cores`` 1 and 2;
- ``one-synth-static``: the same with ``synth.dynamic-sample-loading`` off (every sample of the
  font loaded or decoded up front, as the ``fluidsynth`` command does);
- ``cli``: the ``fluidsynth`` command on the cue's ``score.mid``.

It prints wall and CPU seconds and peak memory per way, font and length.

    .venv/bin/python benchmarks/bench_render.py [--durations 30 90 180] [--soundfont PATH ...] [--repeat 2]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WAYS = ("parts", "parts-1", "one-synth-c1", "one-synth-c2", "one-synth-static", "cli")
PROMPT, STYLE, SEED = "the hero's last stand on a burning bridge", "orchestral-battle", 7
FONTS = ("/usr/share/sounds/sf3/MuseScore_General_Full.sf3", "/usr/share/sounds/sf2/MuseScore_General_Full.sf2",
         "/usr/share/sounds/sf2/FluidR3_GM.sf2")


def bench_score(duration: float):
    from gekiban.composer import build_score
    from gekiban.styles import resolve_style
    from gekiban.understand.resolve import resolve_brief

    brief = resolve_brief(PROMPT, duration=duration, seed=SEED, style=STYLE)
    return build_score(brief, resolve_style(brief.style)[1])


def one_synth(score, font_path: str, *, cores: int, dynamic: int, sample_rate: int = 48000) -> list[np.ndarray]:
    """All parts on one synthesizer, part i on the channels i, i+P, i+2P ... so that its voices
    go to audio group i; the same seats and events as :func:`render_parts`."""
    from gekiban.audio import synth as S
    from gekiban.audio.presets import DRUM_BANK, seats
    from gekiban.audio.render import chunk_frames
    from gekiban.audio.timeline import ORDER_CC, ORDER_ON, channel_of, part_events

    fs = S.fluidsynth_module()
    font = S.load_font(Path(font_path))
    frames = round((score.duration + 4.0) * sample_rate)
    parts = score.parts
    n = len(parts)
    chosen = [seats(p, score, font) for p in parts]
    channels = 16 * -(-n * max(len(c) for c in chosen) // 16)
    synth = fs.Synth(gain=S.SYNTH_GAIN, samplerate=float(sample_rate), channels=channels, **{
        "synth.audio-groups": n, "synth.audio-channels": n, "synth.polyphony": min(65535, 256 * n),
        "synth.reverb.active": 0, "synth.chorus.active": 0, "synth.dynamic-sample-loading": dynamic,
        "synth.threadsafe-api": 0, "synth.cpu-cores": cores})
    sfid = synth.sfload(font_path)
    set_type = S._bound("fluid_synth_set_channel_type", ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int)
    events = []
    for i, (part, cs) in enumerate(zip(parts, chosen)):
        remap = {channel_of(cs, k): i + n * k for k in range(len(cs))}
        for k, seat in enumerate(cs):
            ch = i + n * k
            set_type(synth.synth, ch, 1 if seat.bank == DRUM_BANK else 0)
            fs.fluid_synth_program_select(synth.synth, ch, sfid, seat.bank, seat.program)
            fs.fluid_synth_cc(synth.synth, ch, 7, 127)
            fs.fluid_synth_cc(synth.synth, ch, 10, 64)
        events += [(s, o, remap[c], q, a, b) for s, o, c, q, a, b in
                   part_events(score, part, cs, sample_rate=sample_rate, frames=frames)]
    events.sort()
    outs = [np.zeros((frames, 2), np.float32) for _ in parts]
    chunk = chunk_frames(sample_rate)
    scratch = np.empty((n, 2, chunk), np.float32)
    left, right = (ctypes.c_void_p * n)(), (ctypes.c_void_p * n)()
    write = S.nwrite_float()
    pos = start = 0

    def advance(to: int) -> None:
        nonlocal pos, start
        while pos < to:
            count = min(to, start + chunk) - pos
            for i in range(n):
                left[i] = scratch[i, 0, pos - start:].ctypes.data
                right[i] = scratch[i, 1, pos - start:].ctypes.data
            write(synth.synth, count, left, right, None, None)
            pos += count
            if pos == start + chunk or pos == frames:
                for i in range(n):
                    outs[i][start:pos] = scratch[i, :, : pos - start].T
                start = pos

    for s, order, ch, _, a, b in events:
        if s >= frames:
            break
        advance(s)
        if order == ORDER_ON:
            fs.fluid_synth_noteon(synth.synth, ch, a, b)
        elif order == ORDER_CC:
            fs.fluid_synth_cc(synth.synth, ch, a, b)
        else:
            fs.fluid_synth_noteoff(synth.synth, ch, a)
    advance(frames)
    synth.delete()
    return outs


def child(way: str, font: str, duration: float) -> dict:
    score = bench_score(duration)
    t, c = time.perf_counter(), time.process_time()
    if way == "cli":
        from gekiban.audio.render import render_midi_cli
        from gekiban.midi import write_midi

        with tempfile.TemporaryDirectory() as tmp:
            mid = write_midi(score, Path(tmp) / "cue.mid")
            t, c = time.perf_counter(), time.process_time()
            render_midi_cli(mid, Path(tmp) / "cue.wav", sample_rate=48000, soundfont=font, timeout=900)
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {"wall": time.perf_counter() - t, "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024}
    if way.startswith("parts"):
        from gekiban.audio.render import render_parts

        render_parts(score, soundfont=font, workers=1 if way == "parts-1" else None)
    else:
        one_synth(score, font, cores=2 if way == "one-synth-c2" else 1, dynamic=0 if way.endswith("static") else 1)
    return {"wall": time.perf_counter() - t, "cpu": time.process_time() - c,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--durations", type=float, nargs="+", default=[30, 90, 180])
    ap.add_argument("--soundfont", nargs="+", default=[f for f in FONTS if Path(f).is_file()])
    ap.add_argument("--ways", nargs="+", default=list(WAYS), choices=WAYS)
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest is kept")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], float(args.child[2]))))
        return 0
    print(f"{'font':<28} {'length':>6} " + " ".join(f"{w:>17}" for w in args.ways) + "   (wall s / CPU s)")
    for font in args.soundfont:
        for dur in args.durations:
            cells = []
            for way in args.ways:
                runs = []
                for _ in range(max(1, args.repeat)):
                    res = subprocess.run([sys.executable, __file__, "--child", way, font, str(dur)],
                                         capture_output=True, text=True, timeout=1800)
                    if res.returncode:
                        print(res.stderr, file=sys.stderr)
                        return 1
                    runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
                r = min(runs, key=lambda r: r["wall"])
                cells.append(f"{r['wall']:>7.2f} / {r['cpu']:>6.2f}")
            print(f"{Path(font).name:<28} {dur:>5.0f}s " + " ".join(f"{c:>17}" for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
