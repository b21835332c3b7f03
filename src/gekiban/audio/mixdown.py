"""The audio half of the pipeline: a Score becomes stems and a mastered mix.

Every part is rendered on its own (:mod:`~gekiban.audio.render`); when it is done, in the same
thread, its dry loudness is measured, it is given its gain, pan, EQ and reverb
(:mod:`~gekiban.audio.stem`) and brought to its role's level (:mod:`~gekiban.audio.balance`).
Parts run in parallel, so one part's effects overlap another's synthesis. A loop's release is folded onto its start, a fade or a
closing ramp applied (:mod:`~gekiban.audio.loops`); then the master bus brings the sum to the
delivery loudness under the true-peak ceiling (:mod:`~gekiban.audio.master`) and the stems are
scaled by the same gain, so they sum to the mix before the limiter.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from gekiban.audio.balance import balance_gain
from gekiban.audio.loops import fade_out, fold_tail, loop_length
from gekiban.audio.master import MasterResult, master
from gekiban.audio.meter import integrated_loudness
from gekiban.audio.render import check_options, play_parts, usable_cpus
from gekiban.audio.stem import StemChain
from gekiban.audio.synth import find_soundfont, load_font
from gekiban.score import Part, Score

Progress = Callable[[str, float], None]
#: Release rendered after the last bar, in seconds, by ending.
TAIL_SECONDS = {"ring": 4.0, "loop": 4.0, "button": 1.5, "fade": 0.5}


@dataclass(frozen=True, eq=False)
class Mixdown:
    """The audio of a Score: stems at mix level and the mastered mix.

    ``stems`` are float32 (n, 2) arrays, one per part in score order: their sample-by-sample sum
    is the mix before the master limiter. ``mix`` is the mastered stereo mix, ``master`` what the
    master bus did and measured, ``timings`` the seconds each stage took.
    """

    sample_rate: int
    stems: tuple[np.ndarray, ...]
    mix: np.ndarray
    master: MasterResult
    timings: dict[str, float] = field(default_factory=dict)


class _StemSink:
    """One part's stem, made in the thread that renders the part: EQ, gain and pan on each
    chunk as it comes (:class:`~gekiban.audio.stem.StemChain`); when the part is done, its
    loudness is measured, its reverb added and the balance gain applied (every step is linear,
    so the balance gain after the chain equals one before it)."""

    def __init__(self, part: Part, *, frames: int, sample_rate: int) -> None:
        self.part = part
        self.sample_rate = sample_rate
        self.chain = StemChain(sample_rate=sample_rate, volume=part.volume, pan=part.pan, reverb=part.reverb,
                               is_drum=part.is_drum, role=part.role)
        self.out = np.zeros((frames, 2), dtype=np.float32)

    def write(self, start: int, planar: np.ndarray) -> None:
        self.chain.process(planar, self.out, start)

    def finish(self) -> np.ndarray:
        part = self.part
        # The balance brings the part as it is heard, after its EQ and pan and before its gain
        # and reverb, to its role's level (panning a wide part narrows it: up to 1 LU).
        dry = integrated_loudness(self.out, sample_rate=self.sample_rate) - self.chain.gain_db
        self.chain.finish(self.out)
        gain = balance_gain(dry, role=part.role, volume=part.volume)
        if gain != 1.0:
            self.out *= np.float32(gain)
        return self.out


def mix_score(score: Score, *, ending: str, target_lufs: float, sample_rate: int,
              soundfont: str | os.PathLike[str] | None = None, progress: Progress | None = None,
              workers: int | None = None) -> Mixdown:
    """Render, mix and master a Score.

    Parameters
    ----------
    score
        The piece.
    ending
        ``"ring"``, ``"button"``, ``"fade"`` or ``"loop"``: the release tail rendered after the
        music, a fade over the last two bars, or a seamless loop of whole bars.
    target_lufs
        Integrated loudness of the mastered mix.
    sample_rate
        Hz.
    soundfont
        A General MIDI SoundFont; default: ``$GEKIBAN_SOUNDFONT`` or the Debian one.
    progress
        Called as ``progress(stage, fraction)`` from 0.1 (rendering) to 0.9 (mastering).
    workers
        Parts rendered and processed at once (default: the number of CPUs); the result does
        not depend on it.

    Raises
    ------
    SoundFontError, RenderError
        When the SoundFont cannot be found or synthesis fails.
    """
    report = progress or (lambda stage, fraction: None)
    tail = TAIL_SECONDS.get(ending, 4.0)
    frames = check_options(score, sample_rate, tail, workers, 600.0)
    font = load_font(find_soundfont(soundfont))
    timings: dict[str, float] = {}
    t1 = time.perf_counter()
    report("rendering", 0.1)
    sinks = [_StemSink(part, frames=frames, sample_rate=sample_rate) for part in score.parts]
    stems = play_parts(score, sinks, font=font, sample_rate=sample_rate, frames=frames, workers=workers,
                       progress=lambda f: report("rendering", 0.1 + 0.7 * f))
    timings["render"] = time.perf_counter() - t1  # synthesis, and each stem's chain as it renders
    t2 = time.perf_counter()
    report("mixing", 0.8)
    music = loop_length(score.duration, sample_rate)
    if ending == "loop":
        stems = [fold_tail(s, music) for s in stems]
    elif ending == "fade":  # the last two bars (at least 3 s) fade to silence with the music's end
        fade = max(score.seconds_at(score.total_beats) - score.seconds_at(score.total_beats - 2 * score.meter.bar_beats), 3.0)
        stems = [fade_out(s, start=max(0, music - int(fade * sample_rate)), end=music)[:music] for s in stems]
    else:  # the end of the release tail closes smoothly instead of being cut
        for s in stems:
            fade_out(s, start=max(music, len(s) - int(0.3 * sample_rate)), end=len(s))
    report("mastering", 0.9)
    result = master(stems, sample_rate=sample_rate, target_lufs=target_lufs, loop=ending == "loop")
    gain = np.float32(result.stem_gain)
    with ThreadPoolExecutor(max_workers=max(1, min(len(stems), usable_cpus()))) as pool:  # numpy frees the GIL
        list(pool.map(lambda s: np.multiply(s, gain, out=s), stems))
    timings["mix"] = time.perf_counter() - t2
    return Mixdown(sample_rate=sample_rate, stems=tuple(stems), mix=result.mix, master=result, timings=timings)
