"""A compose request: every option of ``gekiban compose`` in one checked, frozen value.

The command line builds a :class:`ComposeRequest` from its arguments and the server from a JSON
body (:meth:`ComposeRequest.from_mapping`); both then call :func:`resolve_request` (every option
checked, the Brief resolved once) and :func:`compose_to` (composed, rendered and saved), so the
two front ends check and compose with the same code. An :class:`InvalidOptionError` raised here
carries the name of the option it is about in its ``field`` attribute where that is known.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gekiban.audio.targets import parse_loudness
from gekiban.errors import InvalidOptionError, NotFoundError
from gekiban.motifs import Motif, MotifLibrary, data_home
from gekiban.theory import parse_key, parse_meter
from gekiban.understand.brief import Brief, Evidence
from gekiban.understand.options import (
    MAX_DURATION_S,
    check_prompt,
    parse_duration,
    parse_format,
    parse_instruments,
    parse_sample_rate,
    parse_seed,
    parse_tempo,
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

if TYPE_CHECKING:  # the Track's module loads the audio stack, which must wait for the prompt's reading
    from gekiban.bundle.track import Track

__all__ = ["ComposeRequest", "Composed", "Resolved", "compose_recorded", "compose_to", "resolve_request", "with_motifs"]


@dataclass(frozen=True, kw_only=True)
class ComposeRequest:
    """Every compose option as given (text or numbers), before any check.

    ``sections`` are ``"TIME=MOOD"`` items and ``hits`` times (``"0:42.5"`` or seconds);
    ``from_midi`` and ``arc_file`` are file paths; ``motif`` names motifs of the motif library
    (``"hero"`` or ``"hero,heroine"``); ``None`` means "not given".
    """

    prompt: str = ""
    style: str | None = None
    duration: str | float | None = None
    seed: int | str | None = None
    key: str | None = None
    tempo: str | float | None = None
    meter: str | None = None
    instruments: str | None = None
    chords: str | None = None
    from_midi: str | None = None
    motif: str | None = None
    arc: str | None = None
    arc_file: str | None = None
    sections: tuple[str, ...] = ()
    hits: tuple[str | float, ...] = ()
    ending: str | None = None
    loop: bool = False
    cue: str | None = None
    layers: bool = False
    loudness: str = "stream"
    format: str = "wav"
    sample_rate: str | int = 48000
    stems_format: str = "float"
    stem_names: str = "plain"
    delivery: str = "standard"
    musicxml: bool = False

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ComposeRequest:
        """A request from JSON-like data (a request body), each value's type checked.

        Lists are accepted for ``sections``, ``hits``, ``instruments``, ``chords`` and ``motif``; numbers
        for ``duration``, ``tempo``, ``seed``, ``hits``, ``loudness`` and ``sample_rate``.

        Raises
        ------
        InvalidOptionError
            For data that is not a mapping, an unknown key (the message lists the allowed
            ones) or a value of the wrong type (naming the field, the value and what is
            allowed); ``field`` names the key.
        """
        if not isinstance(data, Mapping):
            raise InvalidOptionError(f"a compose request must be a JSON object, not {type(data).__name__}")
        allowed = [f.name for f in fields(cls)]
        unknown = sorted(str(k) for k in data if k not in allowed)
        if unknown:
            raise _about_field(InvalidOptionError(f"unknown option {unknown[0]!r}: the options are {', '.join(allowed)}"),
                               unknown[0])
        return cls(**{name: _convert(name, value) for name, value in data.items()})


@dataclass(frozen=True)
class Resolved:
    """A request checked and resolved: the Brief and the delivery settings."""

    brief: Brief
    loudness: float
    sample_rate: int
    format: str
    layers: bool
    stems_format: str = "float"
    stem_names: str = "plain"
    musicxml: bool = False
    request: dict[str, Any] | None = None


@dataclass(frozen=True, eq=False)
class Composed:
    """What :func:`compose_to` wrote: the bundle folder and the Track in it."""

    folder: Path
    track: Track


# What each field of a JSON request may hold (types after JSON decoding) and how to say so.
_TEXT = ((str,), "text")
_NUMBER_OR_TEXT = ((str, int, float), "a number or text")
_KINDS: dict[str, tuple[tuple[type, ...], str]] = {
    "prompt": _TEXT, "style": _TEXT, "duration": _NUMBER_OR_TEXT, "seed": ((str, int), "a whole number or text"),
    "key": _TEXT, "tempo": _NUMBER_OR_TEXT, "meter": _TEXT, "instruments": ((str, list, tuple), "text or a list of names"),
    "chords": ((str, list, tuple), "text or a list of chords"), "from_midi": _TEXT,
    "motif": ((str, list, tuple), "a motif name or a list of names"), "arc": _TEXT, "arc_file": _TEXT,
    "sections": ((str, list, tuple), 'a list of "TIME=MOOD" items'), "hits": ((str, int, float, list, tuple), "a list of times"),
    "ending": _TEXT, "loop": ((bool,), "true or false"), "cue": _TEXT, "layers": ((bool,), "true or false"),
    "loudness": _NUMBER_OR_TEXT, "format": _TEXT, "sample_rate": ((str, int), "44100 or 48000"),
    "stems_format": _TEXT, "stem_names": _TEXT, "delivery": _TEXT,
    "musicxml": ((bool,), "true or false"),
}
_OPTIONAL = {"style", "duration", "seed", "key", "tempo", "meter", "instruments", "chords", "from_midi", "motif", "arc", "arc_file",
             "ending", "cue"}


def _about_field(exc: InvalidOptionError, field: str | None) -> InvalidOptionError:
    if getattr(exc, "field", None) is None:
        exc.field = field  # type: ignore[attr-defined]
    return exc


@contextmanager
def _about(field: str | None) -> Iterator[None]:
    """Name ``field`` on an :class:`InvalidOptionError` raised inside the block."""
    try:
        yield
    except InvalidOptionError as exc:
        raise _about_field(exc, field)


def _convert(name: str, value: Any) -> Any:
    """``value`` of field ``name`` checked for type and put in the dataclass's form."""
    if value is None and name in _OPTIONAL:
        return None
    kinds, what = _KINDS[name]
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise _about_field(InvalidOptionError(f"bad {name} {value!r}: it must be {what}"), name)
    if name in ("sections", "hits"):
        items = (value,) if isinstance(value, (str, int, float)) else tuple(value)
        item_kinds = (str,) if name == "sections" else (str, int, float)
        for item in items:
            if not isinstance(item, item_kinds) or isinstance(item, bool):
                raise _about_field(InvalidOptionError(f"bad {name} item {item!r}: it must be {what}"), name)
        return items
    if name in ("instruments", "chords", "motif") and not isinstance(value, str):
        if not all(isinstance(item, str) for item in value):
            raise _about_field(InvalidOptionError(f"bad {name} {value!r}: every item must be text"), name)
        return {"instruments": ", ", "chords": " ", "motif": ","}[name].join(value)
    if name == "loudness":
        return str(value)
    return value


def timing_points(req: ComposeRequest, duration: float) -> tuple[tuple[ArcPoint, ...], tuple[float, ...]]:
    """The arc points and hit times ``req`` asks for in a cue of ``duration`` seconds, with the
    ending and loop options checked too.

    Raises
    ------
    InvalidOptionError
        For two descriptions of the arc, a bad arc, ending or hit, or a loop with an ending.
    """
    given = [name for name, value in (("--arc", req.arc), ("--arc-file", req.arc_file), ("--section", req.sections))
             if value]
    if len(given) > 1:
        raise _about_field(InvalidOptionError(f"{' and '.join(given)} both describe the arc: give only one of --arc, "
                                              "--arc-file, --section"), "arc")
    with _about("ending"):
        check_ending(req.ending)
        if req.loop and req.ending not in (None, "loop"):
            raise InvalidOptionError(f"--loop and --ending {req.ending} contradict each other: a loop has no ending")
    arc: tuple[ArcPoint, ...] = ()
    if req.arc:
        with _about("arc"):
            arc = parse_arc(req.arc, duration)
    elif req.arc_file:
        with _about("arc_file"):
            arc = load_arc_file(req.arc_file, duration)
    elif req.sections:
        with _about("sections"):
            arc = parse_section_moods(req.sections, duration)
    with _about("hits"):
        return arc, check_hits(req.hits, duration)


def resolve_request(req: ComposeRequest, *, max_duration: float | None = None,
                    max_prompt: int | None = None, data_dir: str | os.PathLike[str] | None = None) -> Resolved:
    """Check every option of ``req`` and resolve its Brief once (what ``gekiban compose`` does
    before composing): cue defaults, timing checks, :func:`resolve_brief`, :func:`apply_timing`.

    Parameters
    ----------
    req
        The request.
    max_duration
        Longest cue allowed, in seconds (the server's bound); ``None``: the options' own limit.
    max_prompt
        Longest prompt allowed, in characters; ``None``: the options' own limit.
    data_dir
        The data folder whose motif library ``req.motif`` names are looked up in; ``None``:
        the default data folder (:func:`gekiban.motifs.data_home`, as the server's).

    Raises
    ------
    InvalidOptionError
        For any bad option (``field`` names it where known), mp3 without ffmpeg, a length
        or prompt past the bounds given, or a motif name the library does not hold.
    StyleError, MidiError
        For an unknown style or an unreadable MIDI seed.
    """
    with _about("format"):
        fmt = parse_format(req.format)
    with _about("sample_rate"):
        sample_rate = parse_sample_rate(req.sample_rate)
    with _about("loudness"):
        loudness = parse_loudness(req.loudness)
    fmt, sample_rate, stems_format, stem_names = _delivery(req, fmt, sample_rate)
    with _about("cue"):
        style, duration = cue_defaults(req.cue, style=req.style, duration=req.duration)
    # Every timing option is checked before the prompt is read (the length the prompt may state
    # is not known yet: the longest cue stands in for it, and the real one is checked below).
    with _about("duration"):
        length = parse_duration(duration) if duration is not None else MAX_DURATION_S
        if max_duration is not None and duration is not None:
            _check_bound(length, max_duration, f"duration {duration!r}")
    timing_points(req, min(length, max_duration) if max_duration is not None else length)
    if fmt == "mp3" and shutil.which("ffmpeg") is None:
        raise _about_field(InvalidOptionError("format 'mp3' needs ffmpeg, which is not installed: run `make deps` or "
                                              "`sudo apt-get install ffmpeg`, or use --format wav or flac"), "format")
    _check_simple_options(req, duration, max_prompt)
    motifs = _motifs(req.motif, data_dir) if req.motif is not None else ()
    brief = resolve_brief(req.prompt, seed=req.seed, duration=duration, key=req.key, tempo=req.tempo, meter=req.meter,
                          style=style, instruments=req.instruments,
                          **{k: v for k, v in (("chords", req.chords), ("from_midi", req.from_midi)) if v is not None})
    if max_duration is not None:
        with _about("prompt" if duration is None else "duration"):
            _check_bound(brief.duration, max_duration, "the length the prompt asks for")
    arc, hits = timing_points(req, brief.duration)
    with _about(None):
        brief = apply_timing(brief, arc=arc, hits=hits, ending=req.ending, loop=req.loop or None, cue=req.cue)
    if motifs and req.motif is not None:
        brief = _with_motifs(brief, motifs, req.motif)
    recorded = {**asdict(req), "seed": brief.seed}
    return Resolved(brief=brief, loudness=loudness, sample_rate=sample_rate, format=fmt, layers=req.layers,
                    stems_format=stems_format, stem_names=stem_names, musicxml=req.musicxml, request=recorded)


def _delivery(req: ComposeRequest, fmt: str, sample_rate: int) -> tuple[str, int, str, str]:
    """The mix format, sample rate, stems format and stem names ``req`` asks for; ``delivery
    video`` is a 48 kHz 24-bit WAV mix with 24-bit WAV stems."""
    from gekiban.bundle.schema import parse_delivery, parse_stem_names, parse_stems_format

    with _about("stems_format"):
        stems = parse_stems_format(req.stems_format)
    with _about("stem_names"):
        names = parse_stem_names(req.stem_names)
    with _about("delivery"):
        if parse_delivery(req.delivery) == "video":
            if fmt != "wav" or sample_rate != 48000 or stems not in ("float", "wav24"):
                raise InvalidOptionError(f"delivery 'video' is a 48 kHz 24-bit WAV mix and stems: it cannot be "
                                         f"combined with format {fmt!r}, sample rate {sample_rate} or stems format "
                                         f"{stems!r}")
            stems = "wav24"
    return fmt, sample_rate, stems, names


def with_motifs(brief: Brief, names: str, *, data_dir: str | os.PathLike[str] | None = None) -> Brief:
    """``brief`` with the leitmotifs ``names`` asks for (``"hero"`` or ``"hero,heroine"``) from
    the motif library of ``data_dir`` (default :func:`gekiban.motifs.data_home`), and their
    evidence.

    Raises
    ------
    InvalidOptionError
        For a bad name list or a name the library does not hold (``field`` is ``"motif"``).
    """
    return _with_motifs(brief, _motifs(names, data_dir), names)


def _with_motifs(brief: Brief, motifs: tuple[Motif, ...], names: str) -> Brief:
    told = "; ".join(f"{m.name} ({m.text})" for m in motifs)
    return replace(brief, leitmotifs=tuple((m.name, m.notes) for m in motifs),
                   evidence=brief.with_evidence("leitmotifs", Evidence("option", f"option motif {names!r}: {told}")))


def _motifs(names: str, data_dir: str | os.PathLike[str] | None) -> tuple[Motif, ...]:
    """The motifs ``names`` asks for, from the motif library of ``data_dir``."""
    with _about("motif"):
        try:
            return MotifLibrary(data_home() if data_dir is None else data_dir).resolve(names)
        except NotFoundError as exc:  # a bad option of the request, not a missing resource
            raise InvalidOptionError(str(exc)) from None


def _check_bound(seconds: float, bound: float, what: str) -> None:
    if seconds > bound:
        raise InvalidOptionError(f"{what} is {seconds:g} s: at most {bound:g} s is allowed here")


def _check_simple_options(req: ComposeRequest, duration: float | str | None, max_prompt: int | None) -> None:
    """The options :func:`resolve_brief` checks first, checked here in its order so the error
    names its field."""
    with _about("prompt"):
        prompt = check_prompt(req.prompt)
        if max_prompt is not None and len(prompt) > max_prompt:
            raise InvalidOptionError(f"prompt is {len(prompt)} characters long: at most {max_prompt} are allowed here")
    checks: tuple[tuple[str, Any, Callable[[Any], Any]], ...] = (
        ("duration", duration, parse_duration), ("seed", req.seed, parse_seed), ("key", req.key, parse_key),
        ("tempo", req.tempo, parse_tempo), ("meter", req.meter, parse_meter),
        ("instruments", req.instruments, parse_instruments))
    for field, value, check in checks:
        if value is not None:
            with _about(field):
                check(value)


def compose_to(resolved: Resolved, folder: str | os.PathLike[str], *, soundfont: str | os.PathLike[str] | None = None,
               progress: Callable[[str, float], None] | None = None) -> Composed:
    """Compose, render and master the resolved request, and save its bundle to ``folder``.

    Returns
    -------
    Composed
        The bundle folder (as :meth:`Track.save` returns it) and the Track.

    Raises
    ------
    SoundFontError, RenderError, OutputError
        For a missing SoundFont, a failed render or a folder that cannot be written.
    """
    # The audio stack (scipy, pedalboard, FluidSynth) loads only now, after the embedding model
    # has read the prompt: loaded first, it raises the peak memory of a compose by about 35 MB.
    from gekiban import pipeline
    from gekiban.audio.synth import find_soundfont
    from gekiban.bundle.write import Delivery

    font = find_soundfont(soundfont)
    track = pipeline.compose_brief(resolved.brief, loudness=resolved.loudness, sample_rate=resolved.sample_rate,
                                   soundfont=soundfont, progress=progress)
    if progress is not None:
        progress("saving", 1.0)
    delivery = Delivery(stems_format=resolved.stems_format, stem_names=resolved.stem_names, musicxml=resolved.musicxml,
                        request=resolved.request,
                        soundfont=str(font) if font is not None else None)
    return Composed(folder=track.save(folder, format=resolved.format, layers=resolved.layers, delivery=delivery),
                    track=track)


def compose_recorded(request: Mapping[str, Any], folder: str | os.PathLike[str], *,
                     soundfont: str | os.PathLike[str] | None = None) -> Path:
    """Compose the request a bundle's provenance records (``track.json`` ``"provenance"``
    ``"request"``) into ``folder``; what ``gekiban regenerate`` rebuilds a bundle with.

    Raises
    ------
    InvalidOptionError
        If the recorded request is not a valid compose request.
    """
    return compose_to(resolve_request(ComposeRequest.from_mapping(request)), folder, soundfont=soundfont).folder
