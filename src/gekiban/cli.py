"""The ``gekiban`` command line.

``gekiban compose "PROMPT" [options]`` writes a bundle (mix, stems, score.mid, track.json);
``gekiban styles`` and ``gekiban instruments`` list what can be asked for.

Only the standard library is imported at module load, so ``--help`` answers at once; the
composer (numpy, FluidSynth) is imported when a cue is composed. Every option and the output
folder are checked before composing, so bad input writes nothing. Errors the user can fix are
one line on stderr, ``gekiban: error: <message>``, with exit status 2.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
SOUNDFONT_HINT = "install one with `make deps` or `sudo apt-get install fluid-soundfont-gm`, or pass --soundfont PATH"

_EPILOG = """\
examples:
  gekiban compose "dramatic battle"
  gekiban compose "切ない別れのシーン、ピアノ" --duration 1:30 --seed 7
  gekiban compose "city night chase" --tempo 168 --key "E minor" --format flac
  gekiban compose --style "lofi:0.7+chiptune:0.3" --instruments "piano,synth bass,drums"
"""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``gekiban: error: ...``) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see `{self.prog} --help`)")


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    line = " ".join(str(message).split())  # exactly one line
    sys.stderr.write(f"gekiban: error: {line}\n")
    sys.exit(code)


def _version() -> str:
    import gekiban

    return gekiban.__version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (options stay strings here; :func:`cmd_compose` validates them)."""
    p = _Parser(prog="gekiban", description="AI composer of anime background music (劇伴): "
                "prompt → mix, stems, MIDI and metadata.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    c = sub.add_parser("compose", help="compose a cue from a prompt and write its bundle",
                       description="Compose, render and master a cue. Explicit options win over the prompt.",
                       epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("prompt", nargs="*", help="what the scene needs, in English or Japanese (may be empty with --style)")
    c.add_argument("--duration", metavar="LEN", help="length: seconds (90), m:ss (1:30), 2m, 1m30s; at most 20 minutes (default 60 s)")
    c.add_argument("--seed", metavar="N", help="random seed 0-4294967295: same inputs and seed give the same cue (default: random, printed)")
    c.add_argument("--key", metavar="KEY", help='key, e.g. "D major", "F# minor", "A dorian"')
    c.add_argument("--tempo", metavar="BPM", help="tempo in quarter notes per minute, 30-300")
    c.add_argument("--meter", metavar="N/D", help="time signature, e.g. 4/4, 3/4, 6/8")
    c.add_argument("--style", metavar="NAME", help='style name or blend, e.g. "lofi" or "lofi:0.7+orchestral-battle:0.3" (see `gekiban styles`)')
    c.add_argument("--instruments", metavar="LIST", help='comma-separated instruments replacing the style\'s, e.g. "piano,strings" (see `gekiban instruments`)')
    c.add_argument("--out", metavar="DIR", help="bundle folder (default out/<prompt-or-style>-<seed>)")
    c.add_argument("--format", metavar="FMT", default="wav", help="audio format: wav, flac or mp3 (default wav)")
    c.add_argument("--loudness", metavar="TARGET", default="stream",
                   help="mix loudness: stream (-14 LUFS), ebu (-23), arib (-24) or LUFS from -40 to -6 (default stream)")
    c.add_argument("--sample-rate", metavar="HZ", default="48000", help="44100 or 48000 (default 48000)")
    c.add_argument("--soundfont", metavar="PATH", help="General MIDI SoundFont (.sf2/.sf3); default $GEKIBAN_SOUNDFONT or Debian's")
    c.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    _add_seed_options(c)
    _add_timing_options(c)
    _add_bundle_commands(sub)

    sub.add_parser("styles", help="list the styles with one-line descriptions",
                   description="List the styles (use a name with `compose --style`).")
    sub.add_parser("instruments", help="list instrument ids, GM program and range",
                   description="List the instruments (use ids or names with `compose --instruments`).")
    _add_explain_command(sub)
    e = sub.add_parser("evaluate", help="measure bundles or MIDI files: statistics, structure, playability, originality",
                       description="Print per-track and aggregate metrics of bundles (folders with score.mid and "
                       "track.json) or MIDI files; with --reference, the overlapping area of each metric against "
                       "public-domain music from the music21 corpus.")
    e.add_argument("paths", nargs="+", metavar="PATH", help="bundle folder or MIDI file")
    e.add_argument("--reference", action="store_true", help="compare with the human reference (overlapping area per metric)")
    e.add_argument("--split", default="all", metavar="SPLIT", help="reference pieces to use: all, dev or heldout (default all)")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    return p


# ------------------------------------------------------------------------------- helpers


def slugify(text: str, *, max_len: int = 40) -> str:
    """A file-name-safe ASCII slug: ``"Heroic battle!"`` → ``"heroic-battle"``; ``""`` when
    nothing ASCII is left (e.g. a Japanese prompt)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def style_label(spec: str) -> str:
    """Short name of a style spec: ``"lofi:0.7+/home/me/hero.toml:0.3"`` → ``"lofi+hero"``."""
    names = []
    for part in spec.split("+"):
        head, sep, tail = part.strip().rpartition(":")
        if sep and not any(c in tail for c in "/\\"):
            part = head
        names.append(Path(part).stem if part.endswith(".toml") or "/" in part or "\\" in part else part)
    return "+".join(names)


def default_out_dir(prompt: str, style: str, seed: int) -> Path:
    """``out/<slug of prompt, else of style>-<seed>``."""
    slug = slugify(prompt) or slugify(style_label(style)) or "cue"
    return Path("out") / f"{slug}-{seed}"


def check_out_dir(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can become the bundle folder, without creating anything.

    It may exist (a folder we can write in) or not (then its nearest existing parent must be
    a folder we can write in).

    Raises
    ------
    OutputError
        Naming the path and the reason.
    """
    from gekiban.errors import OutputError

    target = Path(path).expanduser()
    if str(path).strip() == "":
        raise OutputError("output folder '' is empty: give a folder name with --out")
    if target.exists():
        if not target.is_dir():
            raise OutputError(f"output folder {str(target)!r} exists and is not a folder")
        probe = target
    else:
        probe = target.absolute().parent
        while not probe.exists():
            probe = probe.parent
        if not probe.is_dir():
            raise OutputError(f"output folder {str(target)!r} cannot be created: {str(probe)!r} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {str(target)!r} is not writable: no permission to write in {str(probe)!r}")
    try:  # os.access does not see read-only mounts; a real write does
        with tempfile.TemporaryFile(dir=probe, prefix=".gekiban-check-"):
            pass
    except OSError as exc:
        raise OutputError(f"output folder {str(target)!r} is not writable: {exc.strerror or exc}") from None
    return target


def _check_soundfont(path: str | None) -> None:
    """Find the SoundFont now (with the renderer's own search when it is installed)."""
    from gekiban.errors import SoundFontError

    try:
        from gekiban.render import find_soundfont
    except ImportError:
        find_soundfont = None
    if find_soundfont is not None:
        find_soundfont(path)
    elif path is not None and not Path(path).expanduser().is_file():
        raise SoundFontError(f"SoundFont {path!r} not found: {SOUNDFONT_HINT}")


def _pipeline() -> Any:
    import importlib

    try:
        return importlib.import_module("gekiban.pipeline")
    except ModuleNotFoundError as exc:
        if exc.name != "gekiban.pipeline":
            raise
        from gekiban.errors import GekibanError

        raise GekibanError("the composition engine (gekiban.pipeline) is not installed") from None


def _mmss(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def _first_attr(obj: Any, *names: str) -> Any:
    for n in names:
        v = getattr(obj, n, None)
        if v is not None:
            return v
    return None


def summary_lines(track: Any, brief: Any, target_lufs: float) -> list[str]:
    """Two lines: musical facts (style, mood, key, tempo, meter, length) and delivery facts."""
    b = getattr(track, "brief", None) or brief
    tempo = b.tempo
    score = getattr(track, "score", None)
    if score is not None and getattr(score, "tempo", None):
        tempo = score.tempo[0].bpm
    length = b.duration
    sr = getattr(track, "sample_rate", None)
    if score is not None and isinstance(getattr(score, "duration", None), (int, float)):
        length = score.duration
    style = getattr(getattr(track, "style", None), "name", None) or style_label(b.style)
    line1 = f"  {style} · {b.mood} · {b.key.name} · {tempo:g} bpm · {b.meter} · {_mmss(length)}"
    if getattr(b, "loop", False):
        line1 += " · loop"
    master = getattr(track, "master", None)
    lufs = _first_attr(master, "integrated_lufs", "lufs") if master is not None else None
    peak = _first_attr(master, "true_peak_dbtp", "true_peak") if master is not None else None
    loud = f"{lufs:.1f} LUFS" if isinstance(lufs, (int, float)) else f"target {target_lufs:g} LUFS"
    line2 = f"  loudness {loud}"
    if isinstance(peak, (int, float)):
        line2 += f", true peak {peak:.1f} dBTP"
    line2 += f" · {sr or '?'} Hz · seed {b.seed}"
    return [line1, line2]


# ------------------------------------------------------------------------------- commands


def cmd_compose(args: argparse.Namespace) -> int:
    """Validate every option and the output folder, compose, save, print the summary."""
    from gekiban.brief import parse_format, parse_sample_rate, resolve_brief
    from gekiban.progress import Progress

    # Light checks first (standard library only), so a typo is answered at once.
    prompt = " ".join(args.prompt)
    fmt = parse_format(args.format)
    sample_rate = parse_sample_rate(args.sample_rate)
    options = dict(duration=args.duration, key=args.key, tempo=args.tempo, meter=args.meter,
                   style=args.style, instruments=args.instruments)
    options.update(_seed_options(args))
    brief = resolve_brief(prompt, seed=args.seed, **options)  # validates; draws the seed if none
    brief, timing = _timing_options(args, prompt, brief, options)
    out = check_out_dir(args.out) if args.out is not None else check_out_dir(default_out_dir(prompt, brief.style, brief.seed))
    from gekiban.mix import parse_loudness  # imports numpy/scipy

    loudness = parse_loudness(args.loudness)
    if fmt == "mp3":
        import shutil

        if shutil.which("ffmpeg") is None:
            from gekiban.errors import InvalidOptionError

            raise InvalidOptionError("format 'mp3' needs ffmpeg, which is not installed: run `make deps` "
                                     "or `sudo apt-get install ffmpeg`, or use --format wav or flac")
    _check_soundfont(args.soundfont)
    pipeline = _pipeline()

    progress = Progress(sys.stderr, quiet=args.quiet)
    try:
        track = pipeline.compose(prompt, seed=brief.seed, loudness=loudness, sample_rate=sample_rate,
                                 soundfont=args.soundfont, progress=progress, **options, **timing)
        progress("saving", 1.0)
        saved = _save_track(track, out, fmt, layers=args.layers)
    finally:
        progress.close()
    where = Path(saved) if isinstance(saved, (str, os.PathLike)) else out
    print(where)
    for line in summary_lines(track, brief, loudness):
        print(line)
    return 0


def cmd_styles(args: argparse.Namespace) -> int:
    """Print each style name with its one-line description."""
    from gekiban.brief import _styles_module

    rows = list(_styles_module().describe_styles())
    if not rows:
        from gekiban.errors import StyleError

        raise StyleError("no styles are installed (the package's data/styles folder is empty)")
    width = max((len(n) for n, _ in rows), default=0)
    for name, desc in rows:
        print(f"{name:<{width}}  {' '.join(str(desc).split())}")
    return 0


def cmd_instruments(args: argparse.Namespace) -> int:
    """Print each instrument id with its GM program, family and playable range."""
    from gekiban.instruments import registry
    from gekiban.theory import note_name

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


# ------------------------------------------------------- prompt understanding: explain, seeds


def _add_seed_options(c: argparse.ArgumentParser) -> None:
    """--chords and --from-midi: a progression and a melody seed to build on."""
    c.add_argument("--chords", metavar="CHORDS",
                   help='progression every section plays: "Am F C G", "vi IV I V" or a name such as royal-road / 王道進行')
    c.add_argument("--from-midi", metavar="FILE",
                   help="MIDI seed: its melody's first bars become the main motif, its chord track the progression")


def _seed_options(args: argparse.Namespace) -> dict[str, Any]:
    return {k: v for k, v in (("chords", getattr(args, "chords", None)), ("from_midi", getattr(args, "from_midi", None)))
            if v is not None}


def _add_explain_command(sub: Any) -> None:
    x = sub.add_parser("explain", help="show how a prompt is read: the brief and the evidence for each field",
                       description="Read a prompt (English or Japanese) and print the resolved brief with, for each "
                       "field, where its value came from: the words, the closest styles and their scores, or the "
                       "default used. Options win over the prompt, as in compose.")
    x.add_argument("prompt", nargs="*", help="what the scene needs (may be empty: shows the defaults)")
    for flag, meta, text in (("--duration", "LEN", "length"), ("--seed", "N", "random seed"), ("--key", "KEY", "key"),
                             ("--tempo", "BPM", "tempo"), ("--meter", "N/D", "time signature"),
                             ("--style", "NAME", "style name or blend"), ("--instruments", "LIST", "instruments")):
        x.add_argument(flag, metavar=meta, help=f"{text}, as for compose")
    _add_seed_options(x)
    x.add_argument("--json", action="store_true", help="print the brief and the evidence as JSON")


def cmd_explain(args: argparse.Namespace) -> int:
    """Print the brief a prompt resolves to and the evidence for each field."""
    from gekiban.brief import explain_lines, resolve_brief

    options = dict(duration=args.duration, key=args.key, tempo=args.tempo, meter=args.meter,
                   style=args.style, instruments=args.instruments, **_seed_options(args))
    brief = resolve_brief(" ".join(args.prompt), seed=args.seed, **options)
    if args.json:
        import json

        from gekiban.export import brief_to_dict

        print(json.dumps({"brief": brief_to_dict(brief), "evidence": dict(brief.evidence)}, ensure_ascii=False, indent=2))
    else:
        for line in explain_lines(brief):
            print(line)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Evaluate bundles or MIDI files and print the report (text or JSON)."""
    from gekiban.evaluate import evaluate_paths, format_text

    report = evaluate_paths(args.paths, reference=args.reference, split=args.split)
    if args.json:
        import json

        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in format_text(report):
            print(line)
    return 0


# ------------------------------------------------------- timing options and bundle commands
# (arcs, hits, endings, loops, cue types, layers; extend / edit / vary an existing bundle)


def _add_timing_options(c: argparse.ArgumentParser) -> None:
    """The compose options that shape the cue in time."""
    g = c.add_argument_group("shape in time")
    g.add_argument("--arc", metavar="STAGES", help='emotion arc spread over the cue, e.g. "calm>build>climax>resolve"')
    g.add_argument("--arc-file", metavar="JSON", help='arc points: a JSON list of {"time": "0:45", "intensity": 0-1, "tension": 0-1}')
    g.add_argument("--section", action="append", default=[], metavar="TIME=MOOD",
                   help="a mood from TIME on, e.g. 0:45=tense (repeatable; English or Japanese moods such as 緊張)")
    g.add_argument("--hit", action="append", default=[], metavar="TIME",
                   help="put an accented section downbeat at TIME, e.g. 0:42.5 (repeatable)")
    g.add_argument("--ending", metavar="KIND", help="ring (default: final chord rings out), fade, button or loop")
    g.add_argument("--loop", action="store_true", default=None, help="a seamless loop of whole bars (same as --ending loop)")
    g.add_argument("--cue", metavar="TYPE", help="short cue type with its usual length: stinger, eyecatch, preview or bumper")
    g.add_argument("--layers", action="store_true", help="also write layers/low, mid, high: stem groups for adaptive use")


def _timing_options(args: argparse.Namespace, prompt: str, brief: Any, options: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Check the timing options against the cue's length; return the brief (resolved again with
    a cue type's length and style) and the keyword arguments for ``compose``."""
    from gekiban.brief import resolve_brief
    from gekiban.errors import InvalidOptionError
    from gekiban.timeline import apply_timing, check_hits, cue_defaults, load_arc_file, parse_arc, parse_section_moods

    cue = getattr(args, "cue", None)
    if cue:
        style, duration = cue_defaults(cue, style=options.get("style"), duration=options.get("duration"))
        if (style, duration) != (options.get("style"), options.get("duration")):
            brief = resolve_brief(prompt, seed=brief.seed, **{**options, "style": style, "duration": duration})
    given = [name for name, v in (("--arc", getattr(args, "arc", None)), ("--arc-file", getattr(args, "arc_file", None)),
                                  ("--section", getattr(args, "section", None))) if v]
    if len(given) > 1:
        raise InvalidOptionError(f"{' and '.join(given)} both describe the arc: give only one of --arc, --arc-file, --section")
    arc: tuple = ()
    if getattr(args, "arc", None):
        arc = parse_arc(args.arc, brief.duration)
    elif getattr(args, "arc_file", None):
        arc = load_arc_file(args.arc_file, brief.duration)
    elif getattr(args, "section", None):
        arc = parse_section_moods(args.section, brief.duration)
    hits = check_hits(getattr(args, "hit", None) or (), brief.duration)
    ending, loop = getattr(args, "ending", None), getattr(args, "loop", None)
    if loop and ending not in (None, "loop"):
        raise InvalidOptionError(f"--loop and --ending {ending} contradict each other: a loop has no ending")
    timing = {"arc": arc, "hits": hits, "ending": ending, "loop": loop, "cue": cue}
    apply_timing(brief, **timing)  # every check the pipeline makes, before any work
    return brief, {k: v for k, v in timing.items() if v not in (None, ())}


def _save_track(track: Any, out: Path, fmt: str, *, layers: bool = False) -> Any:
    if not layers:
        return track.save(out, format=fmt)
    from gekiban.export import save_bundle

    return save_bundle(track, out, format=fmt, layers=True)


def _add_bundle_commands(sub: Any) -> None:
    x = sub.add_parser("extend", help="continue a bundle to a longer length with new sections",
                       description="Continue a bundle: the bars before its ending stay note for note, new sections "
                       "from the same motifs, harmony and palette follow, then a new ending.")
    x.add_argument("bundle", metavar="DIR", help="a bundle folder written by gekiban")
    x.add_argument("--to", required=True, metavar="LEN", help="new length: seconds (240), m:ss (4:00), 4m")
    x.add_argument("--out", metavar="NEW", help="new bundle folder (default DIR-extended)")
    e = sub.add_parser("edit", help="change tempo, key, instruments, mutes or intensity without recomposing",
                       description="Re-render the same composition with edits; notes change only as an edit asks.")
    e.add_argument("bundle", metavar="DIR", help="a bundle folder written by gekiban")
    e.add_argument("--tempo", metavar="BPM", help="new tempo, 30-300 (a bent tempo map keeps its shape)")
    e.add_argument("--key", metavar="KEY", help='new key, e.g. "E minor" (moves the shortest way; a new mode maps scale degrees)')
    e.add_argument("--instrument", action="append", default=[], metavar="ROLE=INST",
                   help="give a role another instrument, e.g. lead=flute (repeatable)")
    e.add_argument("--mute", action="append", default=[], metavar="ROLE", help="leave a role out, e.g. drums (repeatable)")
    e.add_argument("--intensity", metavar="STEP", help="+1, +2, -1 or -2: dynamics and balance up or down")
    e.add_argument("--out", required=True, metavar="NEW", help="new bundle folder")
    v = sub.add_parser("vary", help="make variations that keep the harmony and the main motif",
                       description="Compose variations of a bundle: same form, harmony and main motif; new "
                       "development, arrangement and performance. Each goes to its own bundle.")
    v.add_argument("bundle", metavar="DIR", help="a bundle folder written by gekiban")
    v.add_argument("--count", default="4", metavar="N", help="how many variations, 1-16 (default 4)")
    v.add_argument("--out", metavar="PREFIX", help="folder prefix: PREFIX-1 … PREFIX-N (default DIR-var)")
    for p in (x, e, v):
        p.add_argument("--layers", action="store_true", default=None, help="also write intensity layers (default: as the source)")
        p.add_argument("--soundfont", metavar="PATH", help="General MIDI SoundFont (default $GEKIBAN_SOUNDFONT or Debian's)")
        p.add_argument("--quiet", "-q", action="store_true", help="no progress display")


def _print_bundle(saved: Any, track: Any) -> None:
    print(saved)
    target = getattr(getattr(track, "master", None), "target_lufs", -14.0)
    for line in summary_lines(track, track.brief, target):
        print(line)


def _run_bundle_jobs(args: argparse.Namespace, jobs: list[tuple[Any, ...]], meta: dict[str, Any]) -> int:
    """Render and save (score, brief, style, out, origin) jobs, printing each bundle."""
    from gekiban.edit import RenderOptions, render_and_save
    from gekiban.progress import Progress

    progress = Progress(sys.stderr, quiet=args.quiet)
    opts = RenderOptions(layers=args.layers, soundfont=args.soundfont, progress=progress)
    try:
        done = []
        for score, brief, style, out, origin in jobs:
            done.append(render_and_save(score, brief, style, meta, out, opts, origin))
            progress("saving", 1.0)
    finally:
        progress.close()
    for saved, track in done:
        _print_bundle(saved, track)
    return 0


def _check_count(text: str) -> int:
    from gekiban.errors import InvalidOptionError

    try:
        count = int(str(text).strip())
    except ValueError:
        count = 0
    if not 1 <= count <= 16:
        raise InvalidOptionError(f"--count {text!r} is not allowed: use a whole number from 1 to 16")
    return count


def cmd_extend(args: argparse.Namespace) -> int:
    """Check the bundle, the length and the output folder; extend, render, save."""
    from gekiban.edit import extended_path, kept_bars, make_origin, plan_extension

    target = check_out_dir(extended_path(args.bundle, args.out))
    _check_soundfont(args.soundfont)
    score, brief, style, meta, longer = plan_extension(args.bundle, args.to)
    from dataclasses import replace

    origin = make_origin("extend", Path(args.bundle), meta, from_seconds=round(score.duration, 3),
                         to_seconds=round(longer.duration, 3), kept_bars=kept_bars(score, longer))
    return _run_bundle_jobs(args, [(longer, replace(brief, duration=round(longer.duration, 6)), style, target, origin)], meta)


def cmd_edit(args: argparse.Namespace) -> int:
    """Check the bundle, every edit and the output folder; edit, render, save."""
    from gekiban.edit import edit_brief, make_origin, plan_edit

    target = check_out_dir(args.out)
    _check_soundfont(args.soundfont)
    score, brief, style, meta, edits, edited = plan_edit(args.bundle, tempo=args.tempo, key=args.key,
                                                         instruments=args.instrument, mute=args.mute,
                                                         intensity=args.intensity)
    origin = make_origin("edit", Path(args.bundle), meta, edits=edits.describe())
    return _run_bundle_jobs(args, [(edited, edit_brief(brief, score, edited, edits), style, target, origin)], meta)


def cmd_vary(args: argparse.Namespace) -> int:
    """Check the bundle, the count and the output folders; compose the variations, render, save."""
    from gekiban.bundle import check_bundle
    from gekiban.edit import make_origin, plan_variations, variation_prefix

    count = _check_count(args.count)
    check_bundle(args.bundle)
    prefix = variation_prefix(args.bundle, args.out)
    targets = [check_out_dir(f"{prefix}-{k}") for k in range(1, count + 1)]
    _check_soundfont(args.soundfont)
    scores, brief, style, meta = plan_variations(args.bundle, count)
    jobs = [(score, brief, style, target, make_origin("vary", Path(args.bundle), meta, variation=k))
            for k, (score, target) in enumerate(zip(scores, targets), start=1)]
    return _run_bundle_jobs(args, jobs, meta)


_BUNDLE_COMMANDS = {"extend": cmd_extend, "edit": cmd_edit, "vary": cmd_vary}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"gekiban {_version()}")
        return 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    handler = {"compose": cmd_compose, "styles": cmd_styles, "instruments": cmd_instruments, **_BUNDLE_COMMANDS,
               "evaluate": cmd_evaluate, "explain": cmd_explain}[args.command]
    from gekiban.errors import GekibanError, SoundFontError

    try:
        return handler(args)
    except SoundFontError as exc:
        msg = str(exc)
        if "make deps" not in msg and "apt-get" not in msg:
            msg = f"{msg}: {SOUNDFONT_HINT}"
        _fail(msg)
    except GekibanError as exc:
        _fail(str(exc))
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
        _fail(f"{exc.strerror or exc}{': ' + repr(exc.filename) if exc.filename else ''}", code=1)


if __name__ == "__main__":
    sys.exit(main())
