"""Benchmark: styles learned from public-domain music lie closer to held-out pieces of that
music than any shipped style does (issue 13), scores only.

    .venv/bin/python benchmarks/bench_learn.py [--train 24] [--held 8] [--cues 6] [--seeds 2]

For each genre of the music21 corpus (Bach chorales, Palestrina mass movements, jigs from
Ryan's Mammoth Collection) and one band genre whose MIDI files this script writes (a funk
groove with drums, slap bass, comping and a lead: :func:`band_files`), the files are split into
``--train`` training files and ``--held`` held-out ones (never seen by the learner). A style is
learned from the training files with :func:`gekiban.learn.learn_style`; ``--cues`` cues of 45 s
are composed in it (seeds 1..), and ``--seeds`` cues of every shipped style. Every cue goes
through its own score.mid and the learner's reader, like the files. Printed per genre: the
distance (:mod:`gekiban.learn.features`, 0 same, 1 unlike) of the held-out files to the
training files, to the learned style's cues and to the nearest shipped style's cues, and the
groups where each is closer. Goal: the learned style is nearer than the nearest shipped style
for at least 3 genres.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GENRES = ("chorale", "palestrina", "jig", "band")


def corpus_files(genre: str, count: int, out: Path) -> list[Path]:
    """``count`` pieces of a music21 corpus genre written as MIDI files into ``out``."""
    from music21 import corpus

    paths = sorted(str(p) for p in corpus.getCorePaths())
    chosen = {"chorale": [p for p in paths if "/bach/" in p and "bwv" in p],
              "palestrina": [p for p in paths if "/palestrina/" in p],
              "jig": [p for p in paths if "/ryansMammoth/" in p and p.endswith("Jig.abc")]}[genre]
    rng = np.random.default_rng(13)
    written: list[Path] = []
    for p in rng.permutation(chosen):
        if len(written) >= count:
            break
        try:
            score = corpus.parse(str(p))
            score = score.scores[0] if hasattr(score, "scores") else score
            target = out / f"{genre}-{len(written):03d}.mid"
            score.write("midi", fp=str(target))
            written.append(target)
        except Exception as exc:  # a corpus file music21 itself cannot convert is left out
            print(f"  (skipped {Path(str(p)).name}: {type(exc).__name__})", file=sys.stderr)
    return written


def band_files(count: int, out: Path) -> list[Path]:
    """``count`` funk band pieces (a genre no corpus has: drums, slap bass, clavinet comping,
    a synth lead) written with pretty_midi: 17 bars at 96-104 bpm in E or A dorian, a 16th-note
    hi-hat, kick on 1 and the 'and' of 2, snare on 2 and 4, a syncopated bass, i7 IV7 i7 v7
    four times and a last bar on i7."""
    import pretty_midi

    written = []
    for k in range(count):
        rng = np.random.default_rng(100 + k)
        bpm = float(rng.integers(96, 105))
        tonic = int(rng.choice([40, 45]))  # E2 or A2
        pm = pretty_midi.PrettyMIDI(initial_tempo=bpm)
        beat = 60.0 / bpm
        drums = pretty_midi.Instrument(0, is_drum=True)
        bass = pretty_midi.Instrument(36)
        comp = pretty_midi.Instrument(7)
        lead = pretty_midi.Instrument(81)
        scale = [0, 2, 3, 5, 7, 9, 10]
        for bar in range(17):  # i7 IV7 i7 v7 four times, and a last bar on i7
            t0 = bar * 4 * beat
            root = tonic + (0, 5, 0, 7)[bar % 4] if bar < 16 else tonic
            for s in range(16):
                drums.notes.append(pretty_midi.Note(70 + 20 * (s % 4 == 0), 42, t0 + s * beat / 4, t0 + s * beat / 4 + 0.05))
            for s in (0, 6, 10):
                drums.notes.append(pretty_midi.Note(110, 36, t0 + s * beat / 4, t0 + s * beat / 4 + 0.1))
            for s in (4, 12):
                drums.notes.append(pretty_midi.Note(112, 38, t0 + s * beat / 4, t0 + s * beat / 4 + 0.1))
            for s, iv in ((0, 0), (3, 12), (6, 0), (8, 10), (10, 7), (14, 12)):
                bass.notes.append(pretty_midi.Note(100, root + iv, t0 + s * beat / 4, t0 + (s + 1.5) * beat / 4))
            chord = [root + 24 + i for i in ((0, 4, 7, 10) if bar % 4 == 1 else (0, 3, 7, 10))]
            for s in (2, 6, 11, 14):
                for p in chord:
                    comp.notes.append(pretty_midi.Note(80, p, t0 + s * beat / 4, t0 + (s + 0.8) * beat / 4))
            at = 0.0
            while at < 4 - 1e-9:
                length = float(rng.choice([0.5, 0.5, 0.25, 1.0, 0.75]))
                if rng.random() < 0.8:
                    degree = int(rng.integers(0, 7))
                    lead.notes.append(pretty_midi.Note(96, tonic + 36 + scale[degree], t0 + at * beat,
                                                       t0 + min(at + length, 4) * beat * 0.95))
                at += length
        pm.instruments += [drums, bass, comp, lead]
        target = out / f"band-{k:03d}.mid"
        pm.write(str(target))
        written.append(target)
    return written


def analyse_cues(style: str, seeds: range, scratch: Path) -> list:
    """Compose cues of ``style`` (scores only, 45 s) and analyse their score.mid files."""
    from gekiban.evaluate.goals import compose_score
    from gekiban.learn.analyse import analyse
    from gekiban.learn.read import read_piece
    from gekiban.midi import write_midi

    out = []
    for seed in seeds:
        score, _ = compose_score(style=style, seed=seed, duration=45)
        path = write_midi(score, scratch / f"{style}-{seed}.mid")
        out.append(analyse(read_piece(path)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", type=int, default=24)
    ap.add_argument("--held", type=int, default=8)
    ap.add_argument("--cues", type=int, default=6)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--genres", nargs="+", default=list(GENRES), choices=GENRES)
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-learn-"))
    os.environ["GEKIBAN_DATA"] = str(work / "data")  # the learned styles live here, found by name
    from gekiban.learn import analyse_files, learn_style
    from gekiban.learn.features import distance, group_distances, mean_features
    from gekiban.styles import style_names

    t0 = time.perf_counter()
    scratch = work / "cues"
    scratch.mkdir()
    shipped = {name: mean_features(analyse_cues(name, range(1, args.seeds + 1), scratch)) for name in style_names()}
    print(f"shipped styles: {len(shipped)} × {args.seeds} cues analysed in {time.perf_counter() - t0:.0f} s")
    wins = 0
    for genre in args.genres:
        folder = work / genre
        (folder / "train").mkdir(parents=True)
        (folder / "held").mkdir()
        files = band_files(args.train + args.held, folder) if genre == "band" else \
            corpus_files(genre, args.train + args.held, folder)
        for i, f in enumerate(files):
            f.rename(folder / ("train" if i < args.train else "held") / f.name)
        t = time.perf_counter()
        learned = learn_style(f"learned-{genre}", [folder / "train"])
        learn_s = time.perf_counter() - t
        held = mean_features(analyse_files([folder / "held"])[0])
        train = mean_features(analyse_files([folder / "train"])[0])
        cues = mean_features(analyse_cues(learned.style.name, range(1, args.cues + 1), scratch))
        nearest = min(shipped, key=lambda n: distance(shipped[n], held))
        d_learned, d_near, d_train = distance(cues, held), distance(shipped[nearest], held), distance(train, held)
        wins += d_learned < d_near
        g_learned, g_near = group_distances(cues, held), group_distances(shipped[nearest], held)
        better = [g for g in g_learned if g_learned[g] < g_near[g] - 0.01]
        worse = [g for g in g_learned if g_learned[g] > g_near[g] + 0.01]
        print(f"\n{genre}: {len(files)} files ({args.train} train, {args.held} held out), learned in {learn_s:.1f} s")
        for line in learned.summary.lines:
            print(f"  {line}")
        print(f"  distance to the held-out files: training files {d_train:.3f}, learned style's cues {d_learned:.3f}, "
              f"nearest shipped style ({nearest}) {d_near:.3f} → {'learned closer' if d_learned < d_near else 'NOT closer'}")
        print(f"  closer on: {', '.join(better) or '-'}; farther on: {', '.join(worse) or '-'}")
        print("  per group (learned / shipped): " + ", ".join(f"{g} {g_learned[g]:.2f}/{g_near[g]:.2f}" for g in g_learned))
    goal = min(3, len(args.genres))
    print(f"\nlearned style closer than the nearest shipped style: {wins} of {len(args.genres)} genres "
          f"(goal ≥ {goal}) {'met' if wins >= goal else 'NOT met'}; {time.perf_counter() - t0:.0f} s")
    return 0 if wins >= goal else 1


if __name__ == "__main__":
    sys.exit(main())
