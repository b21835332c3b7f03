"""``gekiban style learn|remove``: styles learned from the user's MIDI files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gekiban.cli.common import fail

_DATA_HELP = "data folder (default $GEKIBAN_DATA, else ~/.local/share/gekiban); the style goes to its styles/"


def add_style_command(sub: Any, parser_class: type) -> None:
    """The ``style`` command (standard library only)."""
    s = sub.add_parser("style", help="learn a style from your MIDI files, or remove one",
                       description="Styles of your own, kept in the data folder's styles/ folder: `--style NAME` "
                       "composes in one and `gekiban styles` lists them. See docs/styles.md, 'Learned styles'.")
    verbs = s.add_subparsers(dest="verb", metavar="VERB", parser_class=parser_class)
    learn = verbs.add_parser(
        "learn", help="learn a style from MIDI files or folders of them",
        description="Learn a style from MIDI files: instrumentation by role (lead, bass, pad, drums ...), tempo, "
        "meter, key and mode, chord progressions, melodic rhythm and intervals, drum and bass grooves, phrase and "
        "section lengths. Parts on their own tracks or channels, drums on channel 10, roughly quantised files; "
        "type 0 files, tempo changes, pickups and program changes are coped with.")
    learn.add_argument("name", metavar="NAME", help="the style's name: lower-case letters, digits and '-'")
    learn.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER", help="MIDI files, or folders searched for .mid")
    learn.add_argument("--family", default="learned", metavar="WORD", help="the style's family (default learned)")
    learn.add_argument("--replace", action="store_true", help="learn again over a style learned before")
    remove = verbs.add_parser("remove", help="remove a learned style")
    remove.add_argument("name", metavar="NAME")
    for p in (learn, remove):
        p.add_argument("--data", metavar="DIR", help=_DATA_HELP)


def cmd_style(args: argparse.Namespace) -> int:
    """Run a style verb."""
    if args.verb is None:
        fail("choose what to do: gekiban style learn NAME FILES... | gekiban style remove NAME")
    from gekiban.learn import learn_style, remove_style

    folder = Path(args.data).expanduser() / "styles" if args.data else None
    if args.verb == "remove":
        print(f"removed {remove_style(args.name, folder=folder)}")
        return 0
    learned = learn_style(args.name, args.paths, family=args.family, replace=args.replace, folder=folder)
    for reason in learned.skipped:
        print(f"skipped {reason}")
    print(f"learned style {learned.style.name!r} → {learned.path}")
    for line in learned.summary.lines:
        print(f"  {line}")
    print(f"compose in it: gekiban compose \"PROMPT\" --style {learned.style.name}")
    return 0
