"""``gekiban compose``: the options read into a :class:`~gekiban.requests.ComposeRequest`, every
option and the output folder checked, the Brief resolved once, the cue composed and saved with
the same code the server uses (:mod:`gekiban.requests`)."""

from __future__ import annotations

import argparse
import sys

from gekiban.bundle.folders import check_out_dir
from gekiban.cli.common import default_out_dir, print_saved
from gekiban.cli.progress import Progress
from gekiban.requests import ComposeRequest, compose_to, resolve_request


def request_from_args(args: argparse.Namespace) -> ComposeRequest:
    """The compose request the command-line options describe."""
    return ComposeRequest(
        prompt=" ".join(args.prompt), style=args.style, duration=args.duration, seed=args.seed, key=args.key,
        tempo=args.tempo, meter=args.meter, instruments=args.instruments, chords=args.chords, from_midi=args.from_midi,
        motif=args.motif, arc=args.arc, arc_file=args.arc_file, sections=tuple(args.section), hits=tuple(args.hit),
        ending=args.ending,
        loop=bool(args.loop), cue=args.cue, layers=args.layers, loudness=args.loudness, format=args.format,
        sample_rate=args.sample_rate, stems_format=args.stems_format, stem_names=args.stem_names,
        delivery=args.delivery, musicxml=args.musicxml)


def cmd_compose(args: argparse.Namespace) -> int:
    """Check every option and the output folder, resolve the brief once, compose, save, print
    the summary."""
    req = request_from_args(args)
    if args.out is not None:
        check_out_dir(args.out)
    resolved = resolve_request(req)
    brief = resolved.brief
    out = check_out_dir(args.out if args.out is not None else default_out_dir(req.prompt, brief.style, brief.seed))
    from gekiban.audio.synth import find_soundfont  # the audio stack loads after the prompt is read

    find_soundfont(args.soundfont)
    progress = Progress(sys.stderr, quiet=args.quiet)
    try:
        composed = compose_to(resolved, out, soundfont=args.soundfont, progress=progress)
    finally:
        progress.close()
    from gekiban.evaluate.originality import annotate_bundle  # lazy: a few ms per cue, the index once

    annotate_bundle(composed.folder, composed.track.score)
    print_saved(composed.folder, composed.track)
    return 0
