"""The pipeline: a resolved Brief becomes a Track (Score, stems and a mastered mix).

:func:`compose_brief` is the one entry point that every front end calls with a Brief resolved
once (the command line, the benchmarks, the coming server); :func:`compose` is the same from a
prompt and options; :func:`render_track` is the audio half, shared by edits, variations and
extensions of a bundle.

    prompt → Brief (gekiban.understand) → Score (gekiban.composer) → audio (gekiban.audio) → Track
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from gekiban.audio.mixdown import Progress, mix_score
from gekiban.audio.synth import find_soundfont
from gekiban.audio.targets import parse_loudness
from gekiban.bundle.track import Track
from gekiban.composer import build_score
from gekiban.score import Score
from gekiban.styles import resolve_style
from gekiban.styles.schema import Style
from gekiban.understand.brief import Brief
from gekiban.understand.options import parse_sample_rate
from gekiban.understand.resolve import resolve_brief
from gekiban.understand.timing import apply_timing, cue_defaults

__all__ = ["Track", "check_render_options", "compose", "compose_brief", "render_track"]


def check_render_options(*, loudness: str | float, sample_rate: int | str) -> tuple[float, int]:
    """Check the delivery options before any work.

    Returns
    -------
    tuple
        The loudness target in LUFS and the sample rate in Hz.

    Raises
    ------
    InvalidOptionError
        If the sample rate is not 44100 or 48000, or the loudness target is unknown.
    """
    return parse_loudness(str(loudness)), parse_sample_rate(sample_rate)


def compose_brief(brief: Brief, *, loudness: str | float = "stream", sample_rate: int = 48000,
                  soundfont: str | os.PathLike[str] | None = None, progress: Progress | None = None,
                  style: Style | None = None) -> Track:
    """Compose, render and master the cue a resolved Brief describes.

    Parameters
    ----------
    brief
        From :func:`gekiban.understand.resolve.resolve_brief` (and
        :func:`gekiban.understand.timing.apply_timing` for arcs, hits and endings).
    loudness
        Delivery target: ``"stream"`` (-14 LUFS), ``"ebu"`` (-23), ``"arib"`` (-24) or LUFS.
    sample_rate
        44100 or 48000.
    soundfont
        A General MIDI SoundFont; default: ``$GEKIBAN_SOUNDFONT`` or the Debian one.
    progress
        Called as ``progress(stage, fraction)`` while working.
    style
        The brief's style when the caller already has it (default: resolved from ``brief.style``).

    Returns
    -------
    Track
        Call ``.save(directory)`` to write the bundle.

    Raises
    ------
    InvalidOptionError, StyleError, SoundFontError, RenderError
        For a bad delivery option, an unknown style, a missing SoundFont or a failed render.
    """
    report = progress or (lambda stage, fraction: None)
    check_render_options(loudness=loudness, sample_rate=sample_rate)
    find_soundfont(soundfont)  # before any work
    the_style = style if style is not None else resolve_style(brief.style)[1]
    t0 = time.perf_counter()
    report("composing", 0.05)
    score = build_score(brief, the_style)
    return render_track(score, brief=brief, style=the_style, loudness=loudness, sample_rate=sample_rate,
                        soundfont=soundfont, progress=report, timings={"compose": time.perf_counter() - t0})


def compose(prompt: str = "", *, duration: float | str | None = None, seed: int | None = None, key: str | None = None,
            tempo: float | str | None = None, meter: str | None = None, style: str | None = None,
            instruments: str | Sequence[str] | None = None, loudness: str | float = "stream",
            sample_rate: int = 48000, soundfont: str | os.PathLike[str] | None = None, progress: Progress | None = None,
            arc: Sequence[tuple[float, float, float]] = (), hits: Sequence[float] = (), ending: str | None = None,
            loop: bool | None = None, cue: str | None = None, **brief_options: Any) -> Track:
    """Compose, render and master a cue from a prompt: :func:`resolve_brief`, then
    :func:`compose_brief`.

    Parameters
    ----------
    prompt
        What the scene needs, in English or Japanese ("dramatic battle", 「切ない別れ」).
    duration, seed, key, tempo, meter, style, instruments
        Explicit controls; each wins over the prompt and is exact in the output.
    loudness, sample_rate, soundfont, progress
        As for :func:`compose_brief`.
    arc
        (seconds, intensity 0-1, tension 0-1) points: intensity drives layers, density, register,
        dynamics and drums; tension drives harmony and rhythm (see :mod:`gekiban.understand.timing`).
    hits
        Times in seconds where a section downbeat with an accent must land; the tempo map bends
        smoothly to put it there.
    ending
        ``"ring"`` (default: final cadence and natural release), ``"fade"``, ``"button"`` or ``"loop"``.
    loop
        Same as ``ending="loop"``: a seamless loop of whole bars, exact to the sample.
    cue
        A short cue type with its usual length and shape: ``"stinger"``, ``"eyecatch"``,
        ``"preview"`` or ``"bumper"``.
    **brief_options
        Further options of :func:`resolve_brief` (``chords``, ``from_midi``, ``motif`` ...).

    Returns
    -------
    Track
        Call ``.save(directory)`` to write the bundle.
    """
    report = progress or (lambda stage, fraction: None)
    check_render_options(loudness=loudness, sample_rate=sample_rate)
    find_soundfont(soundfont)
    report("understanding the prompt", 0.0)
    cue_style, duration = cue_defaults(cue, style=style, duration=duration)
    brief = resolve_brief(prompt, duration=duration, seed=seed, key=key, tempo=tempo, meter=meter, style=cue_style,
                          instruments=instruments, **brief_options)
    brief = apply_timing(brief, arc=arc, hits=hits, ending=ending, loop=loop, cue=cue)
    return compose_brief(brief, loudness=loudness, sample_rate=sample_rate, soundfont=soundfont, progress=report)


def render_track(score: Score, *, brief: Brief, style: Style, loudness: str | float = "stream", sample_rate: int = 48000,
                 soundfont: str | os.PathLike[str] | None = None, progress: Progress | None = None,
                 timings: dict[str, float] | None = None) -> Track:
    """Render, mix and master a Score into a Track (the audio half of :func:`compose_brief`).

    Edits, extensions and variations of a bundle come through here too, so every cue meets the
    same delivery rules. Parameters are those of :func:`compose_brief`; ``timings`` collects the
    seconds each stage took.
    """
    target, rate = check_render_options(loudness=loudness, sample_rate=sample_rate)
    audio = mix_score(score, ending=brief.ending, target_lufs=target, sample_rate=rate, soundfont=soundfont,
                      progress=progress)
    spent = {**(timings or {}), **audio.timings}
    spent["total"] = sum(spent.values())
    return Track(brief=brief, style=style, score=score, audio=replace(audio, timings=spent))
