"""Checked audio buffers and units shared by the mixing stages: stereo float32 buffers, sample
rates, bounded settings, decibels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gekiban.errors import InvalidOptionError, RenderError

_SAMPLE_RATES = (8_000, 192_000)


def check_sample_rate(sample_rate: int) -> int:
    lo, hi = _SAMPLE_RATES
    if (
        isinstance(sample_rate, bool)
        or not isinstance(sample_rate, (int, np.integer))
        or not lo <= sample_rate <= hi
    ):
        raise InvalidOptionError(
            f"sample_rate {sample_rate!r} is not allowed; use an integer from {lo} to {hi} Hz"
        )
    return int(sample_rate)


def check_unit(name: str, value: float, lo: float, hi: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not lo <= number <= hi:
        raise InvalidOptionError(f"{name} {value!r} is out of range; allowed {lo:g} to {hi:g}")
    return number


def as_stereo(audio: Any, *, what: str = "audio") -> np.ndarray:
    """Return ``audio`` as a C-contiguous float32 (n, 2) array (mono is duplicated)."""
    arr = np.asarray(audio)
    if arr.dtype.kind not in "fiu":
        raise RenderError(f"{what} has dtype {arr.dtype}; expected float samples")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] not in (1, 2):
        raise RenderError(f"{what} has shape {arr.shape}; expected (samples, 2) or (samples,)")
    arr = np.asarray(arr, dtype=np.float32)
    if arr.shape[1] == 1:
        arr = np.repeat(arr, 2, axis=1)
    # The sum is finite when every sample is (barring absurd magnitudes), and needs no
    # n-sized temporary, unlike np.isfinite(arr).all().
    if not math.isfinite(float(arr.sum())):
        raise RenderError(f"{what} contains NaN, infinite or absurdly large samples")
    return np.ascontiguousarray(arr)


def db(x: float) -> float:
    return 20.0 * math.log10(x) if x > 0 else -math.inf
