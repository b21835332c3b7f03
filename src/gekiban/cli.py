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

    sub.add_parser("styles", help="list the styles with one-line descriptions",
                   description="List the styles (use a name with `compose --style`).")
    sub.add_parser("instruments", help="list instrument ids, GM program and range",
                   description="List the instruments (use ids or names with `compose --instruments`).")
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
    brief = resolve_brief(prompt, seed=args.seed, **options)  # validates; draws the seed if none
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
                                 soundfont=args.soundfont, progress=progress, **options)
        progress("saving", 1.0)
        saved = track.save(out, format=fmt)
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
    handler = {"compose": cmd_compose, "styles": cmd_styles, "instruments": cmd_instruments}[args.command]
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
