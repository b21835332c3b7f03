"""Progress display for long runs: ``progress(stage, fraction)`` callbacks drawn on a stream.

On a terminal one line is redrawn in place (stage name and percent); elsewhere (logs, pipes,
CI) each new stage is printed once on its own line, so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """A ``progress(stage: str, fraction: float) -> None`` callback that draws on ``stream``.

    Parameters
    ----------
    stream : text stream, optional
        Where to draw; default ``sys.stderr``.
    quiet : bool
        Draw nothing.
    tty : bool, optional
        Force the in-place (True) or line-per-stage (False) display; default: whether the
        stream is a terminal.
    min_interval : float
        Seconds between redraws of the in-place line (the stage changing always redraws).
    """

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False, tty: bool | None = None,
                 min_interval: float = 0.1) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        if tty is None:
            isatty = getattr(self.stream, "isatty", None)
            tty = bool(isatty and isatty())
        self.tty = tty
        self.min_interval = min_interval
        self._stage: str | None = None
        self._last = 0.0
        self._drawn = False
        self._width = 0

    def __call__(self, stage: str, fraction: float) -> None:
        if self.quiet:
            return
        fraction = min(1.0, max(0.0, float(fraction)))
        pct = int(round(fraction * 100))
        new_stage = stage != self._stage
        self._stage = stage
        if self.tty:
            now = time.monotonic()
            if not new_stage and now - self._last < self.min_interval and fraction < 1.0:
                return
            self._last = now
            text = f"gekiban: {stage} {pct:3d}%"
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._width = len(text)
            self._drawn = True
            self.stream.flush()
        elif new_stage:
            self.stream.write(f"gekiban: {stage} ({pct}%)\n")
            self.stream.flush()

    def close(self) -> None:
        """End the in-place line (call once the work is done or has failed)."""
        if self._drawn and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
        self._drawn = False
