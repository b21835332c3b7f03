"""The commands that only read: ``styles``, ``instruments``, ``explain`` and ``evaluate``."""

from __future__ import annotations

import argparse
import json

from gekiban.bundle.schema import brief_to_dict, evidence_to_dict
from gekiban.cli.common import seed_options
from gekiban.errors import StyleError
from gekiban.instruments import registry
from gekiban.styles import describe_styles, user_styles, user_styles_dir
from gekiban.theory import note_name
from gekiban.understand.explain import explain_lines
from gekiban.understand.resolve import resolve_brief


def cmd_styles(args: argparse.Namespace) -> int:
    """Print each style name with its one-line description."""
    rows = describe_styles()
    if not rows:
        raise StyleError("no styles are installed (the package's data/styles folder is empty)")
    styles, broken = user_styles()
    own = sorted([(name, style.description) for name, style in styles.items()] +
                 [(name, f"(cannot be read: {why})") for name, why in broken.items()])
    width = max(len(n) for n, _ in rows + own)
    for name, desc in rows:
        print(f"{name:<{width}}  {' '.join(str(desc).split())}")
    if own:
        print(f"\nyour styles ({user_styles_dir()}):")
        for name, desc in own:
            print(f"{name:<{width}}  {' '.join(str(desc).split())}")
    return 0


def cmd_instruments(args: argparse.Namespace) -> int:
    """Print each instrument id with its GM program, family and playable range."""
    insts = list(registry().values())
    width = max(len(i.id) for i in insts)
    print(f"{'id':<{width}}  program  {'family':<13} range")
    for i in insts:
        prog = "drums" if i.drum else f"{i.program:>5}"
        rng = f"{note_name(i.low)}–{note_name(i.high)}"
        aka = f"  (also: {', '.join(a for a in i.aliases if a != i.id)})" if any(a != i.id for a in i.aliases) else ""
        print(f"{i.id:<{width}}  {prog:>7}  {i.family:<13} {rng}{aka}")
    print("\nprogram: General MIDI program, 0-based; drums play on MIDI channel 10.")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    """Print the brief a prompt resolves to and the evidence for each field."""
    brief = resolve_brief(" ".join(args.prompt), seed=args.seed, duration=args.duration, key=args.key, tempo=args.tempo,
                          meter=args.meter, style=args.style, instruments=args.instruments, **seed_options(args))
    if args.motif is not None:
        from gekiban.requests import with_motifs

        brief = with_motifs(brief, args.motif)
    if args.json:
        print(json.dumps({"brief": brief_to_dict(brief), "evidence": evidence_to_dict(brief)}, ensure_ascii=False, indent=2))
    else:
        for line in explain_lines(brief):
            print(line)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Evaluate bundles or MIDI files and print the report (text or JSON); with ``--motif`` or
    ``--notes``, whether each holds the motif instead."""
    if getattr(args, "originality", False) or getattr(args, "avoid", None) is not None:
        return _originality(args)
    if args.motif is not None or args.notes is not None:
        return _find_motif(args)
    from gekiban.evaluate import (  # lazy: the other commands need none of it
        evaluate_paths,
        format_text,
    )

    report = evaluate_paths(args.paths, reference=args.reference, split=args.split)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in format_text(report):
            print(line)
    return 0


def _originality(args: argparse.Namespace) -> int:
    """``evaluate --originality [--avoid DIR]``: the longest melodic match of each piece."""
    from gekiban.errors import InvalidOptionError
    from gekiban.evaluate.load import load_target
    from gekiban.evaluate.originality import avoid_index, format_originality, originality

    if not args.originality:
        raise InvalidOptionError("--avoid DIR goes with --originality")
    if args.motif is not None or args.notes is not None or args.reference:
        raise InvalidOptionError("--originality does not go with --motif, --notes or --reference")
    avoid = avoid_index(args.avoid) if args.avoid is not None else None  # a bad folder fails before any work
    targets = [load_target(p) for p in args.paths]
    reports = [(t.label, originality(t.score, avoid=avoid)) for t in targets]
    if args.json:
        print(json.dumps([{"label": label, "originality": o.to_dict()} for label, o in reports],
                         ensure_ascii=False, indent=2))
    else:
        for label, o in reports:
            for line in format_originality(label, o):
                print(line)
    return 0


def _find_motif(args: argparse.Namespace) -> int:
    """``evaluate --motif NAME`` / ``--notes NOTES``: found or not in each piece, and the share."""
    from gekiban.errors import InvalidOptionError
    from gekiban.evaluate.motif import find_in_paths, format_reports
    from gekiban.motifs import MotifLibrary, data_home, parse_notes

    if args.motif is not None and args.notes is not None:
        raise InvalidOptionError("--motif and --notes both name the motif to find: give one")
    if args.reference:
        raise InvalidOptionError("--reference compares metrics: it does not go with --motif or --notes")
    if args.motif is not None:
        motif = MotifLibrary(data_home()).get(args.motif)
        name, notes = motif.name, motif.notes
    else:
        name, notes = repr(args.notes), parse_notes(args.notes)
    reports = find_in_paths(args.paths, notes)
    if args.json:
        found = sum(r.found for r in reports)
        print(json.dumps({"motif": name, "pieces": [r.to_dict() for r in reports], "found": found,
                          "of": len(reports)}, ensure_ascii=False, indent=2))
    else:
        for line in format_reports(reports, name):
            print(line)
    return 0
