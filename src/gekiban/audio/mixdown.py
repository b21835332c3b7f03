"""The audio half of the pipeline: a Score becomes stems and a mastered mix.

Every part is rendered on its own (:mod:`~gekiban.audio.render`), brought to its role's level
(:mod:`~gekiban.audio.balance`), given its gain, pan, EQ and reverb (:mod:`~gekiban.audio.stem`);
a loop's release is folded onto its start, a fade or a closing ramp applied
(:mod:`~gekiban.audio.loops`); then the master bus brings the sum to the delivery loudness under
the true-peak ceiling (:mod:`~gekiban.audio.master`) and the stems are scaled by the same gain,
so they sum to the mix before the limiter.
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
from gekiban.audio.render import render_parts
from gekiban.audio.stem import process_stem
from gekiban.audio.synth import find_soundfont
from gekiban.score import Score

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


def mix_score(score: Score, *, ending: str, target_lufs: float, sample_rate: int,
              soundfont: str | os.PathLike[str] | None = None, progress: Progress | None = None) -> Mixdown:
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

    Raises
    ------
    SoundFontError, RenderError
        When the SoundFont cannot be found or synthesis fails.
    """
    report = progress or (lambda stage, fraction: None)
    sf = find_soundfont(soundfont)
    timings: dict[str, float] = {}
    t1 = time.perf_counter()
    report("rendering", 0.1)
    raw = render_parts(score, sample_rate=sample_rate, soundfont=sf, tail=TAIL_SECONDS.get(ending, 4.0),
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
    for s in stems:
        s *= np.float32(result.stem_gain)
    timings["mix"] = time.perf_counter() - t2
    return Mixdown(sample_rate=sample_rate, stems=tuple(stems), mix=result.mix, master=result, timings=timings)
