"""The ``gekiban`` command: parse, dispatch to a command, turn errors into one line.

Only the standard library and the parser are imported at load, so ``--help`` answers at once; a
command's module (numpy, FluidSynth, the embedding model) is imported when it runs. Errors the
user can fix are one line on stderr, ``gekiban: error: <message>``, with exit status 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from gekiban.about import package_version
from gekiban.cli.common import EXIT_INTERRUPTED, EXIT_USAGE, SOUNDFONT_HINT, fail
from gekiban.cli.parser import attach_dash_values, build_parser
from gekiban.errors import GekibanError, SoundFontError


def _handler(command: str) -> Callable[..., int]:
    """The function of a command, its module imported only now (lazy: ``--help`` stays fast)."""
    if command == "compose":
        from gekiban.cli.compose import cmd_compose

        return cmd_compose
    if command in ("extend", "edit", "vary"):
        from gekiban.cli import bundles

        return {"extend": bundles.cmd_extend, "edit": bundles.cmd_edit, "vary": bundles.cmd_vary}[command]
    if command == "regenerate":
        from gekiban.cli.regenerate import cmd_regenerate

        return cmd_regenerate
    if command == "export":
        from gekiban.cli.export import cmd_export

        return cmd_export
    if command == "menu":
        from gekiban.cli.menu import cmd_menu

        return cmd_menu
    if command == "motif":
        from gekiban.cli.motif import cmd_motif

        return cmd_motif
    if command == "style":
        from gekiban.cli.style import cmd_style

        return cmd_style
    if command == "serve":
        from gekiban.cli.serve import cmd_serve

        return cmd_serve
    from gekiban.cli import info

    return {"styles": info.cmd_styles, "instruments": info.cmd_instruments, "explain": info.cmd_explain,
            "evaluate": info.cmd_evaluate}[command]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(attach_dash_values(parser, list(sys.argv[1:] if argv is None else argv)))
    if args.version:
        print(f"gekiban {package_version()}")
        return 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return _handler(args.command)(args)
    except SoundFontError as exc:
        msg = str(exc)
        if "make deps" not in msg and "apt-get" not in msg:
            msg = f"{msg}: {SOUNDFONT_HINT}"
        fail(msg)
    except GekibanError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        sys.stderr.write("\ngekiban: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `gekiban instruments | head`
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0
    except OSError as exc:  # disk full, permission lost mid-write...
        fail(f"{exc.strerror or exc}{': ' + repr(exc.filename) if exc.filename else ''}", code=1)
