"""``gekiban export DIR --musicxml [--out FILE]``: a bundle's score for notation programs."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from gekiban.cli.common import fail


def add_export_command(sub: Any) -> None:
    """The ``export`` command (standard library only)."""
    x = sub.add_parser("export", help="write a bundle's score as MusicXML for notation programs and DAWs",
                       description="Write the bundle's score (from its score.mid) as MusicXML: one part per "
                       "instrument at written pitch, clefs, key, meter, tempo, rehearsal marks at the sections, "
                       "chord symbols, dynamics and articulations, quantised to sixteenths and eighth triplets.")
    x.add_argument("bundle", metavar="DIR", help="a bundle folder written by gekiban")
    x.add_argument("--musicxml", action="store_true", help="write MusicXML (the one export format so far)")
    x.add_argument("--out", metavar="FILE", help="the file to write (default DIR.musicxml beside the bundle, "
                   "which lists only its own files; a bundle composed with --musicxml already holds score.musicxml)")


def cmd_export(args: argparse.Namespace) -> int:
    """Export a bundle's score."""
    if not args.musicxml:
        fail("choose what to export: --musicxml")
    from gekiban.bundle.read import check_bundle
    from gekiban.midi import read_midi
    from gekiban.midi.musicxml import write_musicxml

    folder, meta = check_bundle(args.bundle)
    files = meta.get("files") if isinstance(meta.get("files"), dict) else {}
    if args.out:
        out = Path(args.out)
    elif files.get("musicxml") == "score.musicxml" and (folder / "score.musicxml").is_file():
        # the bundle's own copy, whose hash its provenance records: left as it is
        print(f"{folder / 'score.musicxml'}  (already in the bundle; --out FILE writes another copy)")
        return 0
    else:  # an older bundle: a file it does not list would make it look foreign, so write beside it
        out = folder.resolve().parent / f"{folder.resolve().name}.musicxml"
    if out.is_dir():
        fail(f"--out {str(out)!r} is a folder: name the file, e.g. {str(out / 'score.musicxml')!r}")
    t0 = time.perf_counter()
    score = read_midi(folder / "score.mid")
    style = meta.get("style") if isinstance(meta.get("style"), dict) else {}
    title = str(meta.get("prompt") or "").strip()[:80] or str(style.get("name") or "gekiban cue")
    write_musicxml(score, out, title=title)
    print(f"{out}  ({len(score.parts)} parts, {score.bars} bars, {time.perf_counter() - t0:.1f} s)")
    return 0
