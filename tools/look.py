"""Render examples and draw each as a piano roll over a spectrogram, to look at what we cannot hear.

    .venv/bin/python tools/look.py [--out DIR] [--families a,b] [--duration 40] [--seed 1]

Composes the README's demo prompt and one cue per style family (the family's first style by
name, or the styles named with ``--styles``), saves each bundle under ``DIR/NAME/`` and writes
``DIR/NAME.png``: the piano roll of every part by role (drums as a lane of hits below), section
boundaries and names, and the log-frequency spectrogram of the mastered mix in dB. Each image's
title gives the style, tempo, key, meter, loudness and true peak.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

DEMO = "heroic battle on a burning city skyline"
COLOURS = {"lead": "#d62728", "counter": "#ff7f0e", "pad": "#2ca02c", "ostinato": "#1f77b4", "bass": "#8c564b",
           "drums": "#7f7f7f", "percussion": "#9467bd"}


def draw(track, path: Path, *, window: tuple[float, float] | None = None) -> None:
    """Piano roll over spectrogram of ``track``, written to ``path`` (PNG); ``window`` = (start,
    end) in seconds draws only that stretch, so single notes can be told apart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy import signal

    from gekiban.audio.meter import measure
    from gekiban.roles import base_role

    score, mix, sr = track.score, track.mix, track.sample_rate
    fig, (roll, spec) = plt.subplots(2, 1, figsize=(16, 9), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    lowest = min((n.pitch for p in score.parts if not p.is_drum for n in p.notes), default=36)
    for part in score.parts:
        role = base_role(part.role)
        colour = COLOURS.get(role, "black")
        bars = []
        for n in part.notes:
            a, b = score.seconds_at(n.start), score.seconds_at(n.end)
            y = lowest - 10 + (n.pitch - 35) / 6 if part.is_drum else n.pitch
            bars.append((a, max(b - a, 0.02), y))
        for a, w, y in bars:
            roll.broken_barh([(a, w)], (y - 0.4, 0.8), facecolors=colour, alpha=0.75 if not part.is_drum else 0.5)
        roll.plot([], [], color=colour, lw=6, label=f"{part.role}: {part.instrument}")
    for sec in score.sections:
        t = score.seconds_at(sec.start_bar * score.meter.bar_beats)
        roll.axvline(t, color="black", lw=0.8, alpha=0.5)
        roll.text(t + 0.2, roll.get_ylim()[1] - 2, f"{sec.name} ({sec.energy:.2f})", fontsize=8, va="top")
    roll.set_ylabel("MIDI pitch (drums: lane below)")
    roll.legend(loc="upper right", fontsize=7, ncol=2)
    mono = mix.mean(axis=1)
    f, t, z = signal.spectrogram(mono, fs=sr, nperseg=4096, noverlap=3072)
    keep = (f >= 30) & (f <= 16000)
    db = 10 * np.log10(z[keep] + 1e-12)
    spec.pcolormesh(t, f[keep], db, shading="auto", cmap="magma", vmin=db.max() - 90, vmax=db.max())
    spec.set_yscale("log")
    if window is not None:
        spec.set_xlim(*window)
    spec.set_ylabel("Hz")
    spec.set_xlabel("seconds")
    m = measure(mix, sample_rate=sr)
    lufs, peak = m["integrated_lufs"], m["true_peak_dbtp"]
    fig.suptitle(f"{track.brief.style} — {score.tempo[0].bpm:g} bpm, {score.key}, {score.meter}, "
                 f"{lufs:.1f} LUFS, true peak {peak:.1f} dBTP — {track.brief.prompt!r}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("look"), help="folder for the bundles and images (default ./look)")
    ap.add_argument("--styles", default="", help="comma-separated styles (default: the first style of every family)")
    ap.add_argument("--duration", type=float, default=40.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--zoom", type=float, nargs=2, metavar=("FROM", "TO"),
                    help="also draw NAME-zoom.png of this stretch in seconds")
    ap.add_argument("--soundfont", default=None, help="SoundFont to render with (default: MuseScore General, else FluidR3)")
    args = ap.parse_args(argv)

    from gekiban.pipeline import compose
    from gekiban.styles import all_styles

    styles = all_styles()
    if args.styles:
        names = [s.strip() for s in args.styles.split(",") if s.strip()]
    else:
        names = sorted({s.family: n for n, s in sorted(styles.items(), reverse=True)}.values())
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = [("demo", DEMO, {})] + [(n, "", {"style": n}) for n in names]
    for name, prompt, options in jobs:
        track = compose(prompt, duration=args.duration, seed=args.seed, soundfont=args.soundfont, **options)
        track.save(args.out / name)
        draw(track, args.out / f"{name}.png")
        if args.zoom:
            draw(track, args.out / f"{name}-zoom.png", window=tuple(args.zoom))
        print(f"{name:24s} {track.brief.style:36s} → {args.out / (name + '.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
