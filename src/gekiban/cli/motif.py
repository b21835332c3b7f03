"""``gekiban motif add|list|show|remove``: the motif library of the data folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gekiban.errors import InvalidOptionError
from gekiban.motifs import Motif, MotifLibrary, data_home, motif_from_midi, parse_notes
from gekiban.motifs.store import check_chords, check_name, check_notes, motif_to_dict


#: Fewer notes than this make a shape common in any tune (a bare triad is in most cues).
RECOGNISABLE_NOTES = 5


def _library(args: argparse.Namespace) -> MotifLibrary:
    return MotifLibrary(Path(args.data).expanduser() if args.data else data_home())


def _line(m: Motif) -> str:
    chords = f"  [{' '.join(m.chords)}]" if m.chords else ""
    return f"{m.name:<16} {m.text}{chords}  ({len(m.notes)} notes, from {m.source})"


def cmd_motif(args: argparse.Namespace) -> int:
    """Run a motif verb; without one, say which there are."""
    if args.verb is None:
        raise InvalidOptionError("say what to do: gekiban motif add|list|show|remove (see `gekiban motif --help`)")
    lib = _library(args)
    if args.verb == "add":
        check_name(args.name)
        if (args.notes is None) == (args.from_file is None):
            raise InvalidOptionError('give the motif as --notes "E4 G4 A4 B4-" or as --from FILE.mid (one of them)')
        if args.track is not None and args.from_file is None:
            raise InvalidOptionError("--track picks a track of the --from file: give --from FILE.mid too")
        if args.notes is not None:
            notes, source = parse_notes(args.notes), "notes"
        else:
            notes, source = motif_from_midi(args.from_file, track=args.track)
        motif = lib.add(args.name, Motif(args.name, check_notes(notes), check_chords(args.chords or ()), source),
                        replace=args.replace)
        print(json.dumps(motif_to_dict(motif), ensure_ascii=False) if args.json else f"added {_line(motif)}")
        if len({on for on, _, _ in motif.notes}) < RECOGNISABLE_NOTES:
            sys.stderr.write(f"gekiban: note: a motif of {len(motif.notes)} notes is a shape much music shares: "
                             f"{RECOGNISABLE_NOTES} or more make it recognisable (and `evaluate --motif` reliable)\n")
        return 0
    if args.verb == "list":
        motifs = lib.list()
        if args.json:
            print(json.dumps([motif_to_dict(m) for m in motifs], ensure_ascii=False, indent=2))
        elif not motifs:
            print(f"no motifs in {lib.folder} (add one with `gekiban motif add NAME --notes \"E4 G4 A4 B4-\"`)")
        for m in motifs if not args.json else ():
            print(_line(m))
        return 0
    if args.verb == "show":
        m = lib.get(args.name)
        if args.json:
            print(json.dumps(motif_to_dict(m), ensure_ascii=False, indent=2))
        else:
            print(f"name:   {m.name}\nnotes:  {m.text}\nchords: {' '.join(m.chords) or '-'}\nsource: {m.source}")
            print("beats:  " + ", ".join(f"{on:g}+{d:g}" for on, d, _ in m.notes))
        return 0
    lib.remove(args.name)
    print(json.dumps({"removed": args.name}) if args.json else f"removed {args.name}")
    return 0
