"""The look-ahead limiter's gain curve."""

from __future__ import annotations

import numpy as np
from audio_checks import SR

from gekiban.audio.limiter import Limiter, _max_filter


def test_limiter_reduction_never_below_need() -> None:
    lim = Limiter.for_rate(SR)
    rng = np.random.default_rng(5)
    need = np.where(rng.random(5000) < 0.01, rng.random(5000) * 10, 0.0)
    need[:3] = 4.0  # a peak at the very start
    need[-2:] = 6.0  # and at the very end
    reduction = lim.reduction_db(need)
    assert reduction.shape == need.shape
    assert np.all(reduction >= need - 1e-9)
    # Smooth: it never jumps by more than the largest need over the attack.
    assert np.abs(np.diff(reduction)).max() < need.max() / (lim.attack1 - 1) + 1e-9


def test_max_filter_window() -> None:
    x = np.random.default_rng(6).random(200)
    got = _max_filter(x, 3, 7)
    for i in range(x.size):
        assert got[i] == x[max(0, i - 3) : i + 8].max()
