"""``gekiban compose``: every option and the output folder checked, the Brief resolved once, the
cue composed with :func:`gekiban.pipeline.compose_brief` and saved."""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import Any

from gekiban.audio.targets import parse_loudness
from gekiban.bundle.folders import check_out_dir
from gekiban.cli.common import default_out_dir, print_saved, seed_options
from gekiban.cli.progress import Progress
from gekiban.errors import InvalidOptionError
from gekiban.understand.brief import Brief
from gekiban.understand.options import parse_format, parse_sample_rate
from gekiban.understand.resolve import resolve_brief
from gekiban.understand.timing import (
    apply_timing,
    check_hits,
    cue_defaults,
    load_arc_file,
    parse_arc,
    parse_section_moods,
)


def cmd_compose(args: argparse.Namespace) -> int:
    """Check every option and the output folder, resolve the brief once, compose, save, print
    the summary."""
    prompt = " ".join(args.prompt)
    fmt = parse_format(args.format)
    sample_rate = parse_sample_rate(args.sample_rate)
    loudness = parse_loudness(args.loudness)
    style, duration = cue_defaults(args.cue, style=args.style, duration=args.duration)
    brief = resolve_brief(prompt, seed=args.seed, duration=duration, key=args.key, tempo=args.tempo, meter=args.meter,
                          style=style, instruments=args.instruments, **seed_options(args))
    brief = timed_brief(args, brief)
    out = check_out_dir(args.out if args.out is not None else default_out_dir(prompt, brief.style, brief.seed))
    if fmt == "mp3" and shutil.which("ffmpeg") is None:
        raise InvalidOptionError("format 'mp3' needs ffmpeg, which is not installed: run `make deps` "
                                 "or `sudo apt-get install ffmpeg`, or use --format wav or flac")
    # The audio stack (scipy, pedalboard, FluidSynth) loads only now, after the embedding model
    # has read the prompt: loaded first, it raises the peak memory of a compose by about 35 MB.
    from gekiban.audio.render import find_soundfont
    from gekiban.pipeline import compose_brief

    find_soundfont(args.soundfont)
    progress = Progress(sys.stderr, quiet=args.quiet)
    try:
        track = compose_brief(brief, loudness=loudness, sample_rate=sample_rate, soundfont=args.soundfont,
                              progress=progress)
        progress("saving", 1.0)
        folder = track.save(out, format=fmt, layers=args.layers)
    finally:
        progress.close()
    print_saved(folder, track)
    return 0


def timed_brief(args: argparse.Namespace, brief: Brief) -> Brief:
    """The brief with the timing options folded in (arc, hits, ending, loop, cue), each checked
    against the cue's length."""
    given = [name for name, value in (("--arc", args.arc), ("--arc-file", args.arc_file), ("--section", args.section))
             if value]
    if len(given) > 1:
        raise InvalidOptionError(f"{' and '.join(given)} both describe the arc: give only one of --arc, --arc-file, --section")
    arc: tuple[Any, ...] = ()
    if args.arc:
        arc = parse_arc(args.arc, brief.duration)
    elif args.arc_file:
        arc = load_arc_file(args.arc_file, brief.duration)
    elif args.section:
        arc = parse_section_moods(args.section, brief.duration)
    if args.loop and args.ending not in (None, "loop"):
        raise InvalidOptionError(f"--loop and --ending {args.ending} contradict each other: a loop has no ending")
    return apply_timing(brief, arc=arc, hits=check_hits(args.hit, brief.duration), ending=args.ending, loop=args.loop,
                        cue=args.cue)
