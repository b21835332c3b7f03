"""The true-peak-safe look-ahead limiter of the master bus, and sub-mixes limited like the mix.

The peak envelope of the stem sum is taken on the 4x oversampled signal per control block; each
block's needed reduction is spread ahead (look-ahead), held and released at a constant rate, then
smoothed by moving averages that only cover windows holding the peak, so the gain never rises
above what any peak allows. A loop is treated as a periodic signal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gekiban.audio.meter import (
    TP_HALO,
    Getter,
    hop_size,
    scan,
    segment_peaks,
    slicer,
    stem_summer,
    true_peak_linear,
)
from gekiban.audio.signal import as_stereo, check_sample_rate, check_unit, db
from gekiban.errors import RenderError

#: Range of true-peak ceilings accepted, in dBTP.
CEILING_RANGE: tuple[float, float] = (-12.0, -0.1)

# Limiter settings (times in seconds, release in dB per second).
LIMITER_MARGIN_DB = 0.15  # the limiter aims this far under the ceiling
_LIMITER_CONTROL_RATE = 6_000.0  # gain-control points per second
_LIMITER_ATTACK = 0.002  # look-ahead; the gain ramps down over it
_LIMITER_HOLD = 0.004
_LIMITER_RELEASE_DB_PER_S = 40.0

# Loops are mastered as periodic signals: the analysis runs over [end | loop | start] with this
# much wrapped audio either side, longer than the limiter's memory (look-ahead, hold, and the
# release of at most MAX_LIMITING_DB at 40 dB/s = 0.3 s), so the gain at the wrap point is the
# same seen from either side.
_LOOP_PAD_S = 0.5
_MIX_CHUNK = 1 << 15


def check_stems(stems: Sequence[np.ndarray]) -> list[np.ndarray]:
    if isinstance(stems, np.ndarray) or len(stems) == 0:
        raise RenderError("master() needs a non-empty list of stems, each float32 (n, 2)")
    checked = [as_stereo(s, what=f"stem {i}") for i, s in enumerate(stems)]
    shape = checked[0].shape
    for i, s in enumerate(checked):
        if s.shape != shape:
            raise RenderError(
                f"stem {i} has shape {s.shape} but stem 0 has {shape}; all stems must have "
                "the same length"
            )
    return checked


def premaster(stems: Sequence[np.ndarray], stem_gain: float) -> np.ndarray:
    """The mix before the limiter: ``stem * stem_gain`` summed in list order, in float32.

    This is bit-for-bit ``sum(s * stem_gain for s in stems)`` for float32 stems, i.e. the sum
    of the stems as they are written to disk (as float).
    """
    return _premaster(check_stems(stems), stem_gain)


def _premaster(
    checked: list[np.ndarray],
    stem_gain: float,
    curve: tuple[np.ndarray, int] | tuple[np.ndarray, int, int] | None = None,
) -> np.ndarray:
    """Sum ``stem * stem_gain`` in list order (float32), then apply the limiter curve if given.

    Works in chunks that stay in cache; element-wise float32 arithmetic does not depend on
    the chunking, so the result is bit-identical to whole-array ``sum(s * g for s in stems)``.
    """
    gain = np.float32(stem_gain)
    n = checked[0].shape[0]
    out = np.empty((n, 2), dtype=np.float32)
    tmp = np.empty((min(n, _MIX_CHUNK), 2), dtype=np.float32)
    if curve is not None:
        gain_blocks, block = curve[0], curve[1]
        first = curve[2] if len(curve) > 2 else 0  # gain_blocks[0] is block -first of the mix
        centres = (np.arange(gain_blocks.size) - first) * block + (block - 1) / 2.0
    for start in range(0, n, _MIX_CHUNK):
        stop = min(n, start + _MIX_CHUNK)
        acc = out[start:stop]
        t = tmp[: stop - start]
        if gain == 1.0:  # the plain sum (x * 1 is x exactly)
            acc[...] = checked[0][start:stop]
            for s in checked[1:]:
                acc += s[start:stop]
        else:
            np.multiply(checked[0][start:stop], gain, out=acc)
            for s in checked[1:]:
                np.multiply(s[start:stop], gain, out=t)
                acc += t
        if curve is not None:
            # Linear interpolation between block centres: a sample between two centres gets
            # a gain between theirs, and each block's need covers its neighbours' peaks.
            g = np.interp(np.arange(start, stop), centres, gain_blocks).astype(np.float32)
            acc *= g[:, None]
    return out


def _max_filter(x: np.ndarray, back: int, ahead: int) -> np.ndarray:
    """out[i] = max(x[i - back : i + ahead + 1]) with zeros outside."""
    from scipy import ndimage  # lazy, like scipy.signal in gekiban.audio.meter

    size = back + ahead + 1
    # maximum_filter1d's window for output i starts at i - size//2 - origin.
    return ndimage.maximum_filter1d(x, size, mode="constant", cval=0.0, origin=back - size // 2)


def _causal_mean(x: np.ndarray, length: int) -> np.ndarray:
    """out[i] = mean(x[i - length + 1 : i + 1]) with zeros before the start."""
    c = np.concatenate([np.zeros(length), np.cumsum(x)])
    return (c[length:] - c[:-length]) / length


@dataclass(frozen=True)
class Limiter:
    """Control-rate settings of the look-ahead limiter (times in control blocks)."""

    block: int
    attack1: int
    attack2: int
    hold: int
    release_db: float

    @classmethod
    def for_rate(cls, sample_rate: int) -> Limiter:
        # A block length that divides the 100 ms gating hop, so loudness can be measured
        # exactly from per-block power (per-sample control where the hop is fractional).
        hop = hop_size(sample_rate)
        wanted = max(1, int(round(sample_rate / _LIMITER_CONTROL_RATE)))
        block = max(d for d in range(1, wanted + 1) if hop % d == 0) if hop else 1
        rate = sample_rate / block
        attack = max(2, int(round(_LIMITER_ATTACK * rate)))
        return cls(
            block=block,
            attack1=attack // 2 + 1,
            attack2=attack - attack // 2 + 1,
            hold=int(round(_LIMITER_HOLD * rate)),
            release_db=_LIMITER_RELEASE_DB_PER_S / rate,
        )

    def reduction_db(self, need_db: np.ndarray) -> np.ndarray:
        """Smooth gain reduction (dB, >= 0) that is at least ``need_db`` everywhere.

        The need is spread ``attack1 + attack2 - 2`` blocks ahead (look-ahead) and ``hold``
        blocks behind, released at a constant rate in dB, then smoothed by two causal moving
        averages whose combined reach equals the look-ahead. Every value averaged at block i
        comes from a window that contains i, so the result never falls below ``need_db[i]``.
        """
        ahead = self.attack1 + self.attack2 - 2
        padded = np.concatenate([np.zeros(ahead), need_db])
        held = _max_filter(padded, self.hold, ahead)
        ramp = self.release_db * np.arange(held.size)
        released = np.maximum.accumulate(held + ramp) - ramp
        smooth = _causal_mean(_causal_mean(released, self.attack1), self.attack2)
        return np.maximum(smooth[ahead:], 0.0)


@dataclass(frozen=True, eq=False)
class Analysis:
    """Per-control-block K-weighted power and 4x peak of the stem sum.

    For a loop the blocks cover [last ``pad`` samples | loop | first ``pad`` samples] (read
    with wrapped indices) and ``core`` selects the loop's own blocks; otherwise ``pad`` is 0
    and ``core`` selects every block.
    """

    power: np.ndarray
    peaks: np.ndarray
    pad_blocks: int
    n: int
    loop: bool

    @property
    def core(self) -> slice:
        return slice(self.pad_blocks, self.pad_blocks + self.peaks.size - 2 * self.pad_blocks)

    def near_db(self) -> np.ndarray:
        """Each block's need covers its neighbours, for the interpolated gain between centres."""
        p = self.peaks
        near = np.maximum(p, np.maximum(np.r_[0.0, p[:-1]], np.r_[p[1:], 0.0]))
        with np.errstate(divide="ignore"):
            return 20.0 * np.log10(near)


def _loop_summer(stems: list[np.ndarray], pad: int) -> Getter:
    """Samples lo:hi of the stem sum read periodically, shifted by ``pad`` (lo may be < pad)."""
    n = stems[0].shape[0]

    def get(lo: int, hi: int) -> np.ndarray:
        a = (lo - pad) % n
        if a + (hi - lo) <= n:  # no wrap inside this range: plain slices
            acc = stems[0][a : a + hi - lo].copy()
            for stem in stems[1:]:
                acc += stem[a : a + hi - lo]
            return acc
        idx = (np.arange(lo, hi) - pad) % n
        acc = stems[0][idx]
        for stem in stems[1:]:
            acc += stem[idx]
        return acc

    return get


def analyse(stems: list[np.ndarray], sample_rate: int, lim: Limiter, *, loop: bool) -> Analysis:
    n = stems[0].shape[0]
    if not loop:
        power, peaks = scan(
            stem_summer(stems), n, sample_rate=sample_rate, power_size=lim.block, peak_block=lim.block
        )
        pad_blocks = 0
    else:
        # The pad is a whole number of blocks, so the loop's first sample starts a block.
        pad_blocks = max(1, math.ceil(_LOOP_PAD_S * sample_rate / lim.block))
        pad = pad_blocks * lim.block
        core_blocks = math.ceil(n / lim.block)
        total = pad + core_blocks * lim.block + pad
        power, peaks = scan(
            _loop_summer(stems, pad), total, sample_rate=sample_rate, power_size=lim.block,
            peak_block=lim.block,
        )  # fmt: skip
    if power is None or peaks is None:  # not reached: both were asked for
        raise RenderError("internal: the analysis of the stem sum returned nothing")
    return Analysis(power=power, peaks=peaks, pad_blocks=pad_blocks, n=n, loop=loop)


def limited_mix(
    stems: list[np.ndarray],
    sample_rate: int,
    lim: Limiter,
    stem_gain: float,
    reduction: np.ndarray,
    analysis: Analysis,
) -> tuple[np.ndarray, float]:
    """The limited mix (``stem * stem_gain`` summed, times the gain curve) and its true peak
    (linear; across the wrap point too for a loop)."""
    core = analysis.core
    limiting = reduction.size > 0 and reduction.max() > 0.0
    curve = None
    if limiting:
        lo = max(0, core.start - 1)  # one block either side, for the interpolation at the ends
        hi = min(reduction.size, core.stop + 1)
        curve = (10.0 ** (-reduction[lo:hi] / 20.0), lim.block, core.start - lo)
    mix = _premaster(stems, stem_gain, curve)
    peak = _final_true_peak(mix, reduction[core], analysis.peaks[core], stem_gain, lim.block, sample_rate)
    if analysis.loop and mix.shape[0] > 1:
        # Inter-sample peaks across the wrap point: the file is played end → start.
        k = min(mix.shape[0], 4 * TP_HALO)
        seam = np.concatenate([mix[-k:], mix[:k]])
        peak = max(peak, float(segment_peaks(seam)[TP_HALO : -TP_HALO].max()))
    return mix, peak


def limit(
    stems: Sequence[np.ndarray],
    *,
    sample_rate: int,
    stem_gain: float = 1.0,
    post_gain: float = 1.0,
    ceiling_dbtp: float = -1.0,
    loop: bool = False,
) -> np.ndarray:
    """Sum ``stem * stem_gain``, true-peak limit it under the ceiling with :func:`master`'s
    limiter and multiply by ``post_gain``: a sub-mix made at the same gains as a mastered mix.

    Used for the intensity layers of a bundle (a group of stems at the master's gain): the
    layer is as loud as those stems are in the full mix, never clips and stays at or under
    ``ceiling_dbtp``. ``loop`` treats the signal as periodic, as in :func:`master`.

    Returns
    -------
    numpy.ndarray
        float32 (n, 2).
    """
    sample_rate = check_sample_rate(sample_rate)
    ceiling = check_unit("ceiling_dbtp", ceiling_dbtp, *CEILING_RANGE)
    checked = check_stems(stems)
    lim = Limiter.for_rate(sample_rate)
    a = analyse(checked, sample_rate, lim, loop=loop)
    gain = float(np.float32(stem_gain))
    gain_db = db(gain)
    need = np.maximum(a.near_db() + gain_db + db(post_gain) - (ceiling - LIMITER_MARGIN_DB), 0.0)
    reduction = lim.reduction_db(need) if need.any() else np.zeros(need.size)
    mix, peak = limited_mix(checked, sample_rate, lim, gain, reduction, a)
    trim = post_gain
    if db(peak * post_gain) > ceiling - 0.01:
        trim = post_gain * 10.0 ** ((ceiling - 0.02 - db(peak * post_gain)) / 20.0)
    if trim != 1.0:
        mix *= np.float32(trim)
    return mix


def _final_true_peak(
    mix: np.ndarray,
    reduction: np.ndarray,
    peaks: np.ndarray,
    stem_gain: float,
    block: int,
    sample_rate: int,
) -> float:
    """True peak (linear) of the limited mix, oversampling only where the limiter acted.

    Where the gain is 1 over a block and its neighbours (the interpolator reaches 6 samples
    either side), the limited mix is the pre-master sum times ``stem_gain``, whose 4x peaks
    per block are already known (``peaks``, measured on the plain sum; float32 rounding of
    the stem sum moves them by ~1e-7, far inside the limiter's margin). Runs of blocks where
    the limiter acted are oversampled again.
    """
    n = mix.shape[0]
    if n == 0:
        return 0.0
    from scipy import ndimage

    active = reduction > 0.0
    if active.any():
        reach = -(-TP_HALO // block)
        active = ndimage.maximum_filter1d(active.astype(np.uint8), 2 * reach + 1) > 0
    best = float(peaks[~active].max()) * stem_gain if (~active).any() else 0.0
    if not active.any():
        return best
    flags = np.concatenate([[False], active, [False]])
    changes = np.flatnonzero(flags[1:] != flags[:-1])
    get = slicer(mix)
    for b_start, b_stop in zip(changes[0::2], changes[1::2]):
        start, stop = int(b_start) * block, min(n, int(b_stop) * block)
        best = max(best, true_peak_linear(get, n, sample_rate, start, stop))
    return best
