"""The pipeline: Brief → form → harmony → melody → arrangement → Score → audio → Track.

:func:`build_score` is the pure composition step (no audio, see :mod:`gekiban.composer`);
:func:`compose` runs the whole chain and returns a :class:`Track` that can be saved as a bundle;
:func:`render_track` is its audio half, shared by edits, variations and extensions.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gekiban.brief import Brief
from gekiban.composer import build_score, extend_score  # re-exported: the pipeline's composition entry points

__all__ = ["Track", "build_score", "check_render_options", "compose", "extend_score", "render_track"]
from gekiban.score import Part, Score
from gekiban.style import Style

if TYPE_CHECKING:
    from gekiban.mix import MasterResult

Progress = Callable[[str, float], None]
TAIL_SECONDS = {"ring": 4.0, "loop": 4.0, "button": 1.5, "fade": 0.5}  # release after the last bar, by ending


@dataclass(frozen=True, eq=False)
class Track:
    """A composed and rendered cue: the brief, its Score, the stems and the mastered mix.

    ``stems`` are float32 (n, 2) arrays at mix level: their sample-by-sample sum is the mix
    before the master limiter. ``mix`` is the mastered stereo mix.
    """

    brief: Brief
    style: Style
    score: Score
    sample_rate: int
    stems: tuple[np.ndarray, ...]
    mix: np.ndarray
    master: MasterResult
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def parts(self) -> tuple[Part, ...]:
        """The parts, in stem order."""
        return self.score.parts

    def save(self, directory: str | Path, *, format: str = "wav") -> Path:
        """Write the bundle (mix, stems, score.mid, track.json) to ``directory``; see
        :func:`gekiban.export.save_bundle`."""
        from gekiban.export import save_bundle

        return save_bundle(self, directory, format=format)


def compose(prompt: str = "", *, duration: float | str | None = None, seed: int | None = None, key: str | None = None,
            tempo: float | str | None = None, meter: str | None = None, style: str | None = None,
            instruments: str | Sequence[str] | None = None, loudness: str | float = "stream",
            sample_rate: int = 48000, soundfont: str | Path | None = None, progress: Progress | None = None,
            arc: Sequence[tuple[float, float, float]] = (), hits: Sequence[float] = (), ending: str | None = None,
            loop: bool | None = None, cue: str | None = None, **brief_options: Any) -> Track:
    """Compose, render and master a cue from a prompt.

    Parameters
    ----------
    prompt
        What the scene needs, in English or Japanese ("dramatic battle", 「切ない別れ」).
    duration, seed, key, tempo, meter, style, instruments
        Explicit controls; each wins over the prompt and is exact in the output.
    loudness
        Delivery target: ``"stream"`` (-14 LUFS), ``"ebu"`` (-23), ``"arib"`` (-24) or LUFS.
    sample_rate
        44100 or 48000.
    soundfont
        A General MIDI SoundFont; default: ``$GEKIBAN_SOUNDFONT`` or the Debian one.
    progress
        Called as ``progress(stage, fraction)`` while working.
    arc
        (seconds, intensity 0-1, tension 0-1) points: intensity drives layers, density, register,
        dynamics and drums; tension drives harmony and rhythm (see :mod:`gekiban.timeline`).
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

    Returns
    -------
    Track
        Call ``.save(directory)`` to write the bundle.
    """
    from gekiban.brief import resolve_brief
    from gekiban.render import find_soundfont
    from gekiban.styles import blend, parse_style_spec

    report = progress or (lambda stage, fraction: None)
    check_render_options(loudness=loudness, sample_rate=sample_rate)
    sf = find_soundfont(soundfont)
    t0 = time.perf_counter()
    report("understanding the prompt", 0.0)
    from gekiban.timeline import apply_timing, cue_defaults

    cue_style, duration = cue_defaults(cue, style=style, duration=duration)
    brief = resolve_brief(prompt, duration=duration, seed=seed, key=key, tempo=tempo, meter=meter, style=cue_style,
                          instruments=instruments, **brief_options)
    brief = apply_timing(brief, arc=arc, hits=hits, ending=ending, loop=loop, cue=cue)
    the_style = blend(parse_style_spec(brief.style))
    report("composing", 0.05)
    score = build_score(brief, the_style, exact_tempo=tempo is not None or brief.evidence.get("tempo", "").startswith("prompt:"))
    return render_track(score, brief=brief, style=the_style, loudness=loudness, sample_rate=sample_rate,
                        soundfont=sf, progress=report, timings={"compose": time.perf_counter() - t0})


def check_render_options(*, loudness: str | float, sample_rate: int) -> float:
    """Validate the delivery options before any work; return the loudness target in LUFS.

    Raises
    ------
    InvalidOptionError
        If the sample rate is not 44100 or 48000, or the loudness target is unknown.
    """
    from gekiban.errors import InvalidOptionError
    from gekiban.mix import parse_loudness

    if sample_rate not in (44100, 48000):
        raise InvalidOptionError(f"sample rate {sample_rate!r} is not supported: use 44100 or 48000")
    return parse_loudness(str(loudness))


def render_track(score: Score, *, brief: Brief, style: Style, loudness: str | float = "stream", sample_rate: int = 48000,
                 soundfont: str | Path | None = None, progress: Progress | None = None,
                 timings: dict[str, float] | None = None) -> Track:
    """Render, mix and master a Score into a Track (the audio half of :func:`compose`).

    Edits, extensions and variations of a bundle come through here too, so every cue meets the
    same delivery rules. Parameters are those of :func:`compose`; ``timings`` collects the
    seconds each stage took.
    """
    from gekiban.balance import balance_gain
    from gekiban.looping import fade_out, fold_tail, loop_length
    from gekiban.mix import master, process_stem
    from gekiban.render import find_soundfont, render_parts

    report = progress or (lambda stage, fraction: None)
    target = check_render_options(loudness=loudness, sample_rate=sample_rate)
    sf = find_soundfont(soundfont)
    timings = dict(timings or {})
    t1 = time.perf_counter()
    report("rendering", 0.1)
    raw = render_parts(score, sample_rate=sample_rate, soundfont=sf, tail=TAIL_SECONDS.get(brief.ending, 4.0),
                       progress=lambda f: report("rendering", 0.1 + 0.7 * f))
    timings["render"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    report("mixing", 0.8)
    stems = list(raw)
    del raw

    def process(i: int) -> None:  # in place, so each raw buffer is freed as soon as it is mixed
        part = score.parts[i]
        stems[i] *= np.float32(balance_gain(stems[i], role=part.role, volume=part.volume, sample_rate=sample_rate))
        stems[i] = process_stem(stems[i], sample_rate=sample_rate, volume=part.volume, pan=part.pan,
                                reverb=part.reverb, is_drum=part.is_drum, role=part.role, inplace=True)

    with ThreadPoolExecutor(max_workers=2) as pool:  # pedalboard releases the GIL
        list(pool.map(process, range(len(stems))))
    music = loop_length(score.duration, sample_rate)
    if brief.ending == "loop":
        stems = [fold_tail(s, music) for s in stems]
    elif brief.ending == "fade":  # the last two bars (at least 3 s) fade to silence with the music's end
        fade = max(score.seconds_at(score.total_beats) - score.seconds_at(score.total_beats - 2 * score.meter.bar_beats), 3.0)
        stems = [fade_out(s, start=max(0, music - int(fade * sample_rate)), end=music)[:music] for s in stems]
    else:  # the end of the release tail closes smoothly instead of being cut
        for s in stems:
            fade_out(s, start=max(music, len(s) - int(0.3 * sample_rate)), end=len(s))
    report("mastering", 0.9)
    result = master(stems, sample_rate=sample_rate, target_lufs=target, loop=brief.ending == "loop")
    for s in stems:
        s *= np.float32(result.stem_gain)
    timings["mix"] = time.perf_counter() - t2
    timings["total"] = sum(timings.values())
    return Track(brief=brief, style=style, score=score, sample_rate=sample_rate, stems=tuple(stems), mix=result.mix,
                 master=result, timings=timings)
