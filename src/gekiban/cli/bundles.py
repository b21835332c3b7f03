"""``gekiban extend``, ``edit`` and ``vary``: the bundle operations of :mod:`gekiban.edit.operations`
with a progress display and the summary of each bundle written."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from gekiban.cli.common import print_saved
from gekiban.cli.progress import Progress
from gekiban.edit.operations import (
    RenderOptions,
    Saved,
    edit_bundle,
    extend_bundle,
    vary_bundle,
)


def _run(args: argparse.Namespace, operation: Callable[[RenderOptions], Saved | list[Saved]]) -> int:
    progress = Progress(sys.stderr, quiet=args.quiet)
    opts = RenderOptions(layers=args.layers, soundfont=args.soundfont, progress=progress)
    try:
        saved = operation(opts)
    finally:
        progress.close()
    for one in saved if isinstance(saved, list) else [saved]:
        print_saved(one.folder, one.track)
    return 0


def cmd_extend(args: argparse.Namespace) -> int:
    """Continue a bundle to a longer length."""
    return _run(args, lambda opts: extend_bundle(args.bundle, args.to, out=args.out, opts=opts))


def cmd_edit(args: argparse.Namespace) -> int:
    """Re-render a bundle with edits."""
    return _run(args, lambda opts: edit_bundle(args.bundle, args.out, opts=opts, tempo=args.tempo, key=args.key,
                                               instruments=args.instrument, mute=args.mute, intensity=args.intensity))


def cmd_vary(args: argparse.Namespace) -> int:
    """Write variations of a bundle."""
    return _run(args, lambda opts: vary_bundle(args.bundle, args.count, prefix=args.out, opts=opts))
