"""``gekiban compose``: every option and the output folder checked, the Brief resolved once, the
cue composed with :func:`gekiban.pipeline.compose_brief` and saved."""

from __future__ import annotations

import argparse
import shutil
import sys

from gekiban.audio.targets import parse_loudness
from gekiban.bundle.folders import check_out_dir
from gekiban.cli.common import default_out_dir, print_saved, seed_options
from gekiban.cli.progress import Progress
from gekiban.errors import InvalidOptionError
from gekiban.understand.options import (
    MAX_DURATION_S,
    parse_duration,
    parse_format,
    parse_sample_rate,
)
from gekiban.understand.resolve import resolve_brief
from gekiban.understand.timing import (
    ArcPoint,
    apply_timing,
    check_ending,
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
    # Every timing option is checked before the prompt is read (the length the prompt may state
    # is not known yet: the longest cue stands in for it, and the real one is checked below).
    timing_points(args, parse_duration(duration) if duration is not None else MAX_DURATION_S)
    if args.out is not None:
        check_out_dir(args.out)
    if fmt == "mp3" and shutil.which("ffmpeg") is None:
        raise InvalidOptionError("format 'mp3' needs ffmpeg, which is not installed: run `make deps` "
                                 "or `sudo apt-get install ffmpeg`, or use --format wav or flac")
    brief = resolve_brief(prompt, seed=args.seed, duration=duration, key=args.key, tempo=args.tempo, meter=args.meter,
                          style=style, instruments=args.instruments, **seed_options(args))
    arc, hits = timing_points(args, brief.duration)
    brief = apply_timing(brief, arc=arc, hits=hits, ending=args.ending, loop=args.loop, cue=args.cue)
    out = check_out_dir(args.out if args.out is not None else default_out_dir(prompt, brief.style, brief.seed))
    # The audio stack (scipy, pedalboard, FluidSynth) loads only now, after the embedding model
    # has read the prompt: loaded first, it raises the peak memory of a compose by about 35 MB.
    from gekiban.audio.synth import find_soundfont
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


def timing_points(args: argparse.Namespace, duration: float) -> tuple[tuple[ArcPoint, ...], tuple[float, ...]]:
    """The arc points and hit times the timing options ask for in a cue of ``duration`` seconds,
    with the ending and loop options checked too."""
    given = [name for name, value in (("--arc", args.arc), ("--arc-file", args.arc_file), ("--section", args.section))
             if value]
    if len(given) > 1:
        raise InvalidOptionError(f"{' and '.join(given)} both describe the arc: give only one of --arc, --arc-file, --section")
    check_ending(args.ending)
    if args.loop and args.ending not in (None, "loop"):
        raise InvalidOptionError(f"--loop and --ending {args.ending} contradict each other: a loop has no ending")
    arc: tuple[ArcPoint, ...] = ()
    if args.arc:
        arc = parse_arc(args.arc, duration)
    elif args.arc_file:
        arc = load_arc_file(args.arc_file, duration)
    elif args.section:
        arc = parse_section_moods(args.section, duration)
    return arc, check_hits(args.hit, duration)
