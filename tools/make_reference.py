"""Build gekiban's human reference from the public-domain music21 corpus (run once; needs the
``reference`` extra: ``pip install -e '.[reference]'``).

    python tools/make_reference.py [--jobs 2] [--out src/gekiban/data/reference]

Writes two files that ship with the package (see :mod:`gekiban.evaluate.reference`):

* ``music21.json``: per piece, every metric of :mod:`gekiban.evaluate.metrics`, for a "lead" set
  of melodies (folk songs from the Essen collection, Irish/Scottish fiddle tunes, Bach chorale
  soprano lines) and a "texture" set of multi-voice pieces (Bach chorales, string quartets,
  madrigals, masses...), each piece marked ``dev`` or ``heldout`` by a hash of its id. Tune the
  composer against ``dev`` only; the benchmark reports against ``heldout``.
* ``music21-melodies.npz``: the interval-rhythm tokens of every melody line of those pieces
  (all folk tunes, every voice of the multi-voice pieces), for the originality check.

The metrics are computed by the same code that evaluates gekiban's output, after the corpus
piece is turned into a gekiban Score: measures are laid on a regular bar grid (a pickup bar is
right-aligned), ties are merged, chord symbols are skipped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pickle
import random
import sys
import time
import warnings
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# Collections: directory in the music21 corpus → (set, how many pieces to measure; None = all).
MELODY_DIRS = {"essenFolksong": 700, "oneills1850": 300, "ryansMammoth": 250, "airdsAirs": 250, "miscFolk": 100}
CHORALE_SOPRANOS = 400
TEXTURE_DIRS = {
    "bach": None, "beethoven": None, "mozart": None, "haydn": None, "schumann_robert": None, "schumann_clara": None,
    "monteverdi": None, "joplin": None, "handel": None, "corelli": None, "cpebach": None, "schubert": None,
    "verdi": None, "weber": None, "chopin": None, "beach": None, "liliuokalani": None, "johnson_j_r": None,
    "schoenberg": None, "webern": None, "trecento": 60, "palestrina": 150,
}
SUFFIXES = (".abc", ".mxl", ".xml", ".musicxml", ".krn")


def split_of(piece_id: str) -> str:
    """``dev`` or ``heldout``, fixed by the id (half each)."""
    return "dev" if hashlib.sha1(piece_id.encode()).digest()[0] % 2 == 0 else "heldout"


def _notes_of(part, bar_len: float) -> tuple[list[tuple[int, float, float]], list[tuple[int, float, float]]]:
    """(bar-aligned notes, notes on the real timeline) of a music21 part, as (pitch, start, length)."""
    from music21 import harmony, stream

    part = part.stripTies(inPlace=False)
    measures = list(part.getElementsByClass(stream.Measure))
    aligned: list[tuple[int, float, float]] = []
    real: list[tuple[int, float, float]] = []
    if not measures:
        for n in part.flatten().notes:
            if isinstance(n, harmony.ChordSymbol) or n.duration.isGrace or n.quarterLength <= 0:
                continue
            for p in n.pitches:
                real.append((int(p.midi), float(n.offset), float(n.quarterLength)))
        return list(real), real
    eps = 1e-6
    bar, fill = -1, bar_len
    for idx, m in enumerate(measures):
        length = float(m.duration.quarterLength)
        if fill >= bar_len - eps or length >= bar_len - eps:  # a new bar
            bar += 1
            # a pickup before the first full bar sits at the end of its bar
            pos = bar_len - length if idx == 0 and 0 < length < bar_len - eps and len(measures) > 1 else 0.0
            fill = pos + length
        else:  # short measures (before and after a repeat sign) share one bar
            pos, fill = fill, fill + length
        shift = bar * bar_len + pos
        real_shift = float(m.offset)
        for n in m.recurse().notes:
            if isinstance(n, harmony.ChordSymbol) or n.duration.isGrace or n.quarterLength <= 0:
                continue
            off = float(n.getOffsetInHierarchy(m))
            for p in n.pitches:
                if 0 <= p.midi <= 127:
                    aligned.append((int(p.midi), shift + off, float(n.quarterLength)))
                    real.append((int(p.midi), real_shift + off, float(n.quarterLength)))
    return aligned, real


def _piece(score, piece_id: str, collection: str) -> dict | None:
    from music21 import meter as m21meter

    parts = list(score.parts) if hasattr(score, "parts") and len(score.parts) else [score]
    ts = next(iter(score.recurse().getElementsByClass(m21meter.TimeSignature)), None)
    num, den = (ts.numerator, ts.denominator) if ts is not None else (4, 4)
    bar_len = num * 4 / den
    out_parts = []
    for p in parts:
        aligned, real = _notes_of(p, bar_len)
        if aligned:
            out_parts.append((aligned, real))
    if not out_parts:
        return None
    return {"id": piece_id, "collection": collection, "meter": (num, den), "parts": out_parts}


def parse_file(job: tuple[str, str, str]) -> list[dict]:
    """Parse one corpus file (an opus of tunes or one score) into plain piece records."""
    path, rel, collection = job
    warnings.filterwarnings("ignore")
    from music21 import converter, stream

    try:
        obj = converter.parse(path)
    except Exception as exc:  # a few corpus files do not parse; skip them and say so
        print(f"  skipped {rel}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return []
    scores = list(obj.scores) if isinstance(obj, stream.Opus) else [obj]
    out = []
    for i, s in enumerate(scores):
        number = s.metadata.number if s.metadata is not None and s.metadata.number else str(i + 1)
        piece_id = f"{rel}#{number}" if len(scores) > 1 else rel
        try:
            rec = _piece(s, piece_id, collection)
        except Exception as exc:
            print(f"  skipped {piece_id}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        if rec is not None:
            out.append(rec)
    return out


def corpus_jobs() -> list[tuple[str, str, str]]:
    import music21

    root = Path(music21.__file__).parent / "corpus"
    jobs = []
    for d in list(MELODY_DIRS) + list(TEXTURE_DIRS):
        files = sorted(p for p in (root / d).rglob("*") if p.suffix in SUFFIXES)
        limit = TEXTURE_DIRS.get(d)
        if limit is not None and len(files) > limit:
            files = sorted(random.Random(f"ref-{d}").sample(files, limit))
        jobs += [(str(p), str(p.relative_to(root)), d) for p in files]
    return jobs


def to_score(rec: dict, *, lead_only: bool):
    from gekiban.score import Note, Part, Score, TempoChange
    from gekiban.theory import Key, Meter

    meter = Meter(*rec["meter"])
    parts = []
    for i, (aligned, _) in enumerate(rec["parts"][:1] if lead_only else rec["parts"]):
        notes = tuple(Note(p, s, d) for p, s, d in aligned if d > 0)
        parts.append(Part("lead" if i == 0 else "part", "piano", 0, notes))
    end = max(n.end for p in parts for n in p.notes)
    return Score(meter=meter, key=Key(0, "major"), tempo=(TempoChange(0.0, 100.0),),
                 bars=max(1, math.ceil(end / meter.bar_beats)), parts=tuple(parts))


def line_codes(real: list[tuple[int, float, float]], bar_beats: float) -> np.ndarray:
    from gekiban.evaluate.metrics import melody_line, token_codes, tokens
    from gekiban.score import Note

    line = melody_line([Note(p, s, d) for p, s, d in real if d > 0], bar_beats)
    return token_codes(tokens(line)).astype(np.uint16)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", default=str(ROOT / "src/gekiban/data/reference"))
    ap.add_argument("--cache", metavar="FILE", help="keep the parsed corpus in FILE (pickle) and reuse it on the next run")
    args = ap.parse_args(argv)
    import music21

    from gekiban.evaluate.metrics import (
        LEAD_METRICS,
        TEXTURE_METRICS,
        lead_metrics,
        texture_metrics,
    )
    from gekiban.evaluate.reference import SEPARATOR

    t0 = time.time()
    pieces: list[dict] = []
    if args.cache and Path(args.cache).is_file():
        with open(args.cache, "rb") as f:
            pieces = pickle.load(f)
        print(f"read {len(pieces)} parsed pieces from {args.cache}", file=sys.stderr)
    else:
        jobs = corpus_jobs()
        print(f"parsing {len(jobs)} corpus files with {args.jobs} processes...", file=sys.stderr)
        with Pool(args.jobs) as pool:
            for k, recs in enumerate(pool.imap_unordered(parse_file, jobs, chunksize=2)):
                pieces += recs
                if k % 100 == 0:
                    print(f"  {k}/{len(jobs)} files, {len(pieces)} pieces, {time.time() - t0:.0f} s", file=sys.stderr)
        if args.cache:
            with open(args.cache, "wb") as f:
                pickle.dump(pieces, f)
    pieces.sort(key=lambda r: r["id"])
    by_coll: dict[str, list[dict]] = defaultdict(list)
    for r in pieces:
        by_coll[r["collection"]].append(r)

    # which pieces are measured (melodies per collection quota; chorale sopranos; textures)
    lead_recs: list[dict] = []
    for coll, quota in MELODY_DIRS.items():
        recs = [r for r in by_coll[coll] if len(r["parts"]) == 1 and len(r["parts"][0][0]) >= 16]
        lead_recs += random.Random(f"lead-{coll}").sample(recs, min(quota, len(recs)))
    chorales = [r for r in by_coll["bach"] if len(r["parts"]) == 4]
    lead_recs += random.Random("lead-chorales").sample(chorales, min(CHORALE_SOPRANOS, len(chorales)))
    texture_recs = [r for c in TEXTURE_DIRS for r in by_coll[c] if len(r["parts"]) >= 2]

    sets = {}
    for set_name, recs, fn, names in (("lead", lead_recs, lead_metrics, LEAD_METRICS),
                                      ("texture", texture_recs, texture_metrics, TEXTURE_METRICS)):
        ids, colls, splits, values = [], [], [], {k: [] for k in names}
        for r in recs:
            try:
                m = fn(to_score(r, lead_only=set_name == "lead"))
            except Exception as exc:
                print(f"  not measured {r['id']}: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            ids.append(r["id"])
            colls.append(r["collection"])
            splits.append(split_of(r["id"]))
            for k in names:
                v = m[k]
                values[k].append(None if not math.isfinite(v) else round(float(v), 4))
        sets[set_name] = {"pieces": ids, "collection": colls, "split": splits, "values": values}
        print(f"{set_name}: {len(ids)} pieces measured ({splits.count('dev')} dev, {splits.count('heldout')} held out)",
              file=sys.stderr)

    # the melody index: every line of every piece on its real timeline
    chunks, starts, names, at = [], [], [], 0
    for r in pieces:
        for i, (_, real) in enumerate(r["parts"]):
            codes = line_codes(real, r["meter"][0] * 4 / r["meter"][1])
            if len(codes) < 4:
                continue
            starts.append(at)
            names.append(r["id"] + (f" part {i + 1}" if len(r["parts"]) > 1 else ""))
            chunks += [codes, np.array([SEPARATOR], dtype=np.uint16)]
            at += len(codes) + 1
    codes = np.concatenate(chunks) if chunks else np.zeros(0, np.uint16)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    doc = {
        "name": "music21",
        "description": (f"public-domain music from the music21 {music21.__version__} corpus: melodies "
                        f"({', '.join(MELODY_DIRS)}, Bach chorale sopranos) and multi-voice pieces "
                        f"({', '.join(TEXTURE_DIRS)})"),
        "built_by": "tools/make_reference.py",
        "music21_version": music21.__version__,
        "sets": sets,
    }
    (out / "music21.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    np.savez_compressed(out / "music21-melodies.npz", codes=codes, starts=np.array(starts, dtype=np.int64),
                        names=np.array("\n".join(names)))
    print(f"melody index: {len(starts)} lines, {len(codes)} tokens; wrote {out} in {time.time() - t0:.0f} s",
          file=sys.stderr)
    for f in ("music21.json", "music21-melodies.npz"):
        print(f"  {f}: {(out / f).stat().st_size / 1e6:.2f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
