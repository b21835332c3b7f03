"""The Track: a composed and rendered cue in memory, the value a bundle on disk holds."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gekiban.audio.master import MasterResult
from gekiban.audio.mixdown import Mixdown
from gekiban.bundle.write import Delivery, write_bundle
from gekiban.score import Part, Score
from gekiban.styles.schema import Style
from gekiban.understand.brief import Brief


@dataclass(frozen=True, eq=False)
class Track:
    """A composed and rendered cue: the brief, its style and Score, and its audio.

    ``stems`` are float32 (n, 2) arrays at mix level: their sample-by-sample sum is the mix
    before the master limiter. ``mix`` is the mastered stereo mix.
    """

    brief: Brief
    style: Style
    score: Score
    audio: Mixdown

    @property
    def parts(self) -> tuple[Part, ...]:
        """The parts, in stem order."""
        return self.score.parts

    @property
    def stems(self) -> tuple[np.ndarray, ...]:
        """One float32 (n, 2) stem per part, at mix level."""
        return self.audio.stems

    @property
    def mix(self) -> np.ndarray:
        """The mastered mix, float32 (n, 2)."""
        return self.audio.mix

    @property
    def master(self) -> MasterResult:
        """What the master bus did and measured."""
        return self.audio.master

    @property
    def sample_rate(self) -> int:
        """Sample rate of the stems and the mix, in Hz."""
        return self.audio.sample_rate

    @property
    def timings(self) -> dict[str, float]:
        """Seconds each stage took (compose, render, mix, total)."""
        return self.audio.timings

    def save(self, directory: str | os.PathLike[str], *, format: str = "wav", layers: bool = False,
             origin: dict[str, Any] | None = None, delivery: Delivery | None = None) -> Path:
        """Write the bundle (mix, stems, score.mid, track.json) to ``directory``; see
        :func:`gekiban.bundle.write.write_bundle`."""
        return write_bundle(directory, brief=self.brief, style=self.style, score=self.score, audio=self.audio,
                            format=format, layers=layers, origin=origin, delivery=delivery)
