"""Bundle operations: edit, vary and extend a bundle on disk.

Each makes a new bundle rendered through :func:`gekiban.pipeline.render_track` with the source's
delivery settings (unless :class:`RenderOptions` says otherwise); its track.json records its
``"origin"`` (source folder, seed and what was done). Every option, the source bundle, the
target folders and the SoundFont are checked before any work, so bad input writes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gekiban.audio.mixdown import Progress
from gekiban.audio.synth import find_soundfont
from gekiban.bundle.folders import check_out_dir
from gekiban.bundle.read import (
    bundle_format,
    bundle_has_layers,
    bundle_loudness,
    bundle_sample_rate,
    check_bundle,
    load_bundle,
)
from gekiban.bundle.track import Track
from gekiban.composer import build_score, extend_score
from gekiban.edit.edits import edit_brief, edit_score, parse_edits
from gekiban.errors import InvalidOptionError
from gekiban.pipeline import render_track
from gekiban.score import Score
from gekiban.styles.schema import Style
from gekiban.understand.brief import Brief
from gekiban.understand.options import parse_duration

#: How many variations one call may make.
MAX_VARIATIONS = 16


@dataclass(frozen=True)
class RenderOptions:
    """How a bundle operation renders and writes; ``None`` takes the source bundle's setting."""

    loudness: float | None = None
    sample_rate: int | None = None
    format: str | None = None
    layers: bool | None = None
    soundfont: str | os.PathLike[str] | None = None
    progress: Progress | None = None


@dataclass(frozen=True, eq=False)
class Saved:
    """A bundle an operation wrote: its folder and the Track in it."""

    folder: Path
    track: Track


def _render_and_save(score: Score, brief: Brief, style: Style, meta: dict[str, Any], out: Path, opts: RenderOptions,
                     origin: dict[str, Any]) -> Saved:
    track = render_track(score, brief=brief, style=style,
                         loudness=opts.loudness if opts.loudness is not None else bundle_loudness(meta),
                         sample_rate=opts.sample_rate or bundle_sample_rate(meta), soundfont=opts.soundfont,
                         progress=opts.progress)
    folder = track.save(out, format=opts.format or bundle_format(meta),
                        layers=bundle_has_layers(meta) if opts.layers is None else opts.layers, origin=origin)
    if opts.progress is not None:
        opts.progress("saving", 1.0)
    return Saved(folder, track)


def make_origin(operation: str, source: str | os.PathLike[str], meta: dict[str, Any], **more: Any) -> dict[str, Any]:
    """The ``"origin"`` record of a bundle made from ``source`` by ``operation``."""
    prior = meta.get("origin")
    out = {"operation": operation, "source": str(Path(source).resolve()), "source_seed": meta.get("seed"),
           "source_prompt": meta.get("prompt", ""), **more}
    if isinstance(prior, dict):
        out["source_origin"] = prior
    return out


def edit_bundle(source: str | os.PathLike[str], out: str | os.PathLike[str], *, opts: RenderOptions | None = None,
                **options: Any) -> Saved:
    """Edit a bundle without recomposing and write the result to ``out``.

    Options are those of :func:`gekiban.edit.edits.parse_edits` (tempo, key, instruments, mute,
    intensity); at least one is needed.

    Raises
    ------
    InvalidOptionError
        For a folder that is not a bundle, a bad edit, no edit at all, or ``out`` being the
        source.
    OutputError
        If ``out`` cannot be written.
    """
    opts = opts or RenderOptions()
    target = _target(out, source)
    find_soundfont(opts.soundfont)
    score, brief, style, meta = load_bundle(source)
    edits = parse_edits(score, **options)
    if edits.empty:
        raise InvalidOptionError("no edit asked: give --tempo, --key, --instrument, --mute or --intensity")
    edited = edit_score(score, edits)
    origin = make_origin("edit", source, meta, edits=edits.describe())
    return _render_and_save(edited, edit_brief(brief, score, edited, edits), style, meta, target, opts, origin)


def parse_count(value: int | str) -> int:
    """A number of variations: a whole number from 1 to 16.

    Raises
    ------
    InvalidOptionError
        For anything else.
    """
    try:
        count = int(str(value).strip()) if not isinstance(value, (bool, float)) else None
    except ValueError:
        count = None
    if count is None or not 1 <= count <= MAX_VARIATIONS:
        raise InvalidOptionError(f"variation count {value!r} is not allowed: use a whole number from 1 to {MAX_VARIATIONS}")
    return count


def variation_prefix(source: str | os.PathLike[str], prefix: str | os.PathLike[str] | None) -> str:
    """Folder name prefix of the variations: ``prefix``, else the source path with ``-var``."""
    return str(prefix) if prefix is not None else str(Path(source)).rstrip("/\\") + "-var"


def vary_bundle(source: str | os.PathLike[str], count: int | str, *, prefix: str | os.PathLike[str] | None = None,
                opts: RenderOptions | None = None) -> list[Saved]:
    """Write ``count`` variations of a bundle (same form, harmony and main motif; new
    development, arrangement and performance) to ``PREFIX-1`` … ``PREFIX-count`` (default
    prefix: the source folder's path with ``-var``).

    Raises
    ------
    InvalidOptionError
        For a folder that is not a bundle or a count outside 1-16.
    """
    opts = opts or RenderOptions()
    count = parse_count(count)
    check_bundle(source)
    base = variation_prefix(source, prefix)
    targets = [_target(f"{base}-{k}", source) for k in range(1, count + 1)]
    find_soundfont(opts.soundfont)
    _, brief, style, meta = load_bundle(source)
    scores = [build_score(brief, style, variation=k) for k in range(1, count + 1)]
    return [_render_and_save(score, brief, style, meta, target, opts, make_origin("vary", source, meta, variation=k))
            for k, (score, target) in enumerate(zip(scores, targets), start=1)]


def extended_path(source: str | os.PathLike[str], out: str | os.PathLike[str] | None) -> Path:
    """Folder of an extension: ``out``, else the source path with ``-extended``."""
    return Path(out) if out is not None else Path(str(Path(source)).rstrip("/\\") + "-extended")


def extend_bundle(source: str | os.PathLike[str], to: str | float, *, out: str | os.PathLike[str] | None = None,
                  opts: RenderOptions | None = None) -> Saved:
    """Continue a bundle to ``to`` (seconds or ``"4:00"``) and write it to ``out`` (default: the
    source path with ``-extended``). The bars before the original's ending stay note for note.

    Raises
    ------
    InvalidOptionError
        For a folder that is not a bundle, or a length not longer than the cue.
    """
    opts = opts or RenderOptions()
    target = _target(extended_path(source, out), source)
    find_soundfont(opts.soundfont)
    seconds = parse_duration(to)
    score, brief, style, meta = load_bundle(source)
    if seconds <= score.duration + 1e-6:
        raise InvalidOptionError(f"--to {to!r} ({seconds:g} s) is not longer than the cue ({score.duration:.1f} s): "
                                 "give a longer length")
    longer = extend_score(score, brief, style, duration=seconds)
    origin = make_origin("extend", source, meta, from_seconds=round(score.duration, 3),
                         to_seconds=round(longer.duration, 3), kept_bars=kept_bars(score, longer))
    return _render_and_save(longer, replace(brief, duration=round(longer.duration, 6)), style, meta, target, opts, origin)


def kept_bars(score: Score, longer: Score) -> int:
    """Bars at the start of ``longer`` that are the original's, section by section."""
    kept = 0
    for a, b in zip(score.sections, longer.sections):
        if a != b:
            break
        kept = a.end_bar
    return kept


def _target(out: str | os.PathLike[str], source: str | os.PathLike[str]) -> Path:
    """Check an output folder before any work: writable, and not the source bundle itself."""
    target = check_out_dir(out)
    if Path(source).expanduser().resolve() == target.absolute().resolve():
        raise InvalidOptionError(f"output folder {str(out)!r} is the source bundle: give another folder with --out")
    return target
