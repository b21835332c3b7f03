"""The master bus: the stem sum brought to a delivery loudness under a true-peak ceiling
(:func:`master`), with what was done and measured (:class:`MasterResult`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from gekiban.audio.limiter import (
    CEILING_RANGE,
    LIMITER_MARGIN_DB,
    Analysis,
    Limiter,
    analyse,
    check_stems,
    limited_mix,
)
from gekiban.audio.meter import loudness_of, lufs_from_sums, slicer
from gekiban.audio.signal import check_sample_rate, check_unit, db
from gekiban.audio.targets import LOUDNESS_RANGE
from gekiban.errors import RenderError

#: The loudness gain never exceeds this (silence and near-silence are not blown up).
MAX_GAIN_DB = 40.0
#: The limiter never takes more than this off the loudest peak (the target gives way instead).
MAX_LIMITING_DB = 12.0
LOUDNESS_TOLERANCE_LU = 0.5




@dataclass(frozen=True, eq=False)
class MasterResult:
    """What :func:`master` made and measured.

    Attributes
    ----------
    mix : numpy.ndarray
        The mastered mix, float32 (n, 2).
    stem_gain : float
        Linear loudness gain applied to the sum of the stems (exactly representable in
        float32). Stems written as ``stem * stem_gain`` add up (in list order, in float32) to
        the mix before the limiter; see :func:`premaster`.
    integrated_lufs : float
        Integrated loudness of ``mix`` (BS.1770-4), ``-inf`` for silence.
    true_peak_dbtp : float
        True peak of ``mix`` (4x oversampled).
    sample_peak_dbfs : float
        Largest sample magnitude of ``mix`` in dBFS.
    target_lufs : float
        The loudness asked for.
    limiter_gain_reduction_db : float
        Largest gain reduction of the limiter (positive dB; 0 when it never acted).
    ceiling_dbtp : float
        The true-peak ceiling asked for.
    premaster_lufs : float
        Loudness of the plain sum of the stems before any gain.
    post_gain : float
        Linear trim applied after the limiter (1.0 unless a last correction was needed; it only
        ever lowers the level).
    notes : tuple of str
        Plain-language remarks (silence, capped gain, a target the material cannot reach).
    """

    mix: np.ndarray = field(repr=False)
    stem_gain: float
    integrated_lufs: float
    true_peak_dbtp: float
    sample_peak_dbfs: float
    target_lufs: float
    limiter_gain_reduction_db: float
    ceiling_dbtp: float = -1.0
    premaster_lufs: float = -math.inf
    post_gain: float = 1.0
    notes: tuple[str, ...] = ()

    @property
    def on_target(self) -> bool:
        """True when loudness is within ±0.5 LU of target and true peak is under the ceiling."""
        return (
            abs(self.integrated_lufs - self.target_lufs) <= LOUDNESS_TOLERANCE_LU
            and self.true_peak_dbtp <= self.ceiling_dbtp
        )

    def to_dict(self) -> dict[str, Any]:
        """Measurements as JSON-safe values (``-inf`` becomes ``None``), without the audio."""

        def clean(v: float) -> float | None:
            return round(v, 3) if math.isfinite(v) else None

        return {
            "integrated_lufs": clean(self.integrated_lufs),
            "true_peak_dbtp": clean(self.true_peak_dbtp),
            "sample_peak_dbfs": clean(self.sample_peak_dbfs),
            "target_lufs": self.target_lufs,
            "ceiling_dbtp": self.ceiling_dbtp,
            "stem_gain_db": clean(db(self.stem_gain)),
            "limiter_gain_reduction_db": round(self.limiter_gain_reduction_db, 3),
            "premaster_lufs": clean(self.premaster_lufs),
            "notes": list(self.notes),
        }


def master(
    stems: Sequence[np.ndarray],
    *,
    sample_rate: int,
    target_lufs: float = -14.0,
    ceiling_dbtp: float = -1.0,
    loop: bool = False,
) -> MasterResult:
    """Master the sum of the stems to a loudness target under a true-peak ceiling.

    Parameters
    ----------
    stems : sequence of numpy.ndarray
        Processed stems (:func:`process_stem`), float32 (n, 2), all the same length.
    sample_rate : int
        Sample rate in Hz.
    target_lufs : float, optional
        Integrated loudness target, -40 to -6 LUFS (:func:`gekiban.audio.targets.parse_loudness`).
    ceiling_dbtp : float, optional
        True-peak ceiling, -12 to -0.1 dBTP.
    loop : bool, optional
        The stems are one period of a seamless loop (the tail already folded onto the start,
        :func:`gekiban.audio.loops.fold_tail`): the analysis, the limiter and the true-peak check
        treat the signal as periodic. They run over a padded copy [last 0.5 s | loop | first
        0.5 s] (read in place, never copied whole), so the gain just before the wrap point is
        the gain just after it and the repeated file has no gain jump there; the loudness is
        that of the loop (its K-filter state warmed by the wrapped end), and inter-sample
        peaks across the wrap are counted.

    Returns
    -------
    MasterResult
        The mix and its measurements.

    Raises
    ------
    InvalidOptionError
        If the target, ceiling or sample rate is out of range.
    RenderError
        If the stems are empty, of different shapes, or not finite.

    Notes
    -----
    The chain:

    1. Pre-master mix: the stems summed. Its loudness is measured (BS.1770-4).
    2. One linear gain, ``stem_gain``, applied to every stem, so that
       ``sum(stem * stem_gain)`` (:func:`premaster`) is exactly the limiter's input. It is
       capped at +40 dB (silence and near-silence are not blown up) and at the gain that
       would need more than 12 dB of limiting on the loudest peak.
    3. A true-peak-safe look-ahead limiter: the peak envelope is taken on the 4x
       oversampled pre-master (in chunks), each peak's needed reduction is spread 2 ms
       ahead, held 4 ms and released at 40 dB/s, then smoothed by moving averages that can
       only cover windows containing the peak, so the gain never rises above what any peak
       allows. It aims 0.15 dB under the ceiling. Limiting lowers loudness, so
       ``stem_gain`` is raised and the limiter recomputed (on a fast estimate of the
       limited loudness) until the estimate is on target.
    4. The limited mix is built from the stems and measured: a true peak still above the
       ceiling, or a loudness more than 0.3 LU over the target, is trimmed down after the
       limiter (``post_gain``, usually 1); a loudness more than 0.3 LU short runs step 3
       once more with a corrected gain. The result is within ±0.5 LU of the target, at or
       under the ceiling and never at full scale, or ``notes`` says why not.
    """
    sample_rate = check_sample_rate(sample_rate)
    target = check_unit("target_lufs", target_lufs, *LOUDNESS_RANGE)
    ceiling = check_unit("ceiling_dbtp", ceiling_dbtp, *CEILING_RANGE)
    checked = check_stems(stems)
    n = checked[0].shape[0]
    notes: list[str] = []
    lim = Limiter.for_rate(sample_rate)

    # 1. the plain sum: loudness, K-weighted power per control block, peak envelope (over
    # the padded periodic copy for a loop; `core` picks the blocks of the music itself).
    a = analyse(checked, sample_rate, lim, loop=loop)
    power_blocks, core = a.power[a.core], a.core
    l0 = lufs_from_sums(power_blocks, lim.block, n, sample_rate)
    near_db = a.near_db()
    aim = ceiling - LIMITER_MARGIN_DB

    def limited(gain_db: float) -> tuple[np.ndarray, float]:
        need = np.maximum(near_db + gain_db - aim, 0.0)
        reduction = lim.reduction_db(need) if need.any() else np.zeros(need.size)
        # Estimated loudness of the limited mix: K-weighted power per block times the gain
        # squared (the gain moves slowly against the K-filter's memory, so this is close).
        g2 = 10.0 ** ((gain_db - reduction[core]) / 10.0)
        return reduction, lufs_from_sums(power_blocks * g2, lim.block, n, sample_rate)

    def finish(gain_db: float, reduction: np.ndarray) -> MasterResult:
        return _finish(
            checked, sample_rate, lim, gain_db, reduction, a, target, ceiling, l0, notes
        )

    if not math.isfinite(l0):
        notes.append("the mix is silent (below the -70 LUFS gate); no loudness gain applied")
        return finish(0.0, limited(0.0)[0])  # the ceiling still holds

    # The most gain: +40 dB in all, and no more than 12 dB of limiting on the loudest peak.
    peak_db = float(near_db.max())
    max_gain = min(MAX_GAIN_DB, aim + MAX_LIMITING_DB - peak_db)
    gain_db = target - l0
    if gain_db > MAX_GAIN_DB:
        notes.append(
            f"the mix is very quiet ({l0:.1f} LUFS); gain capped at +{MAX_GAIN_DB:g} dB, so "
            f"the target {target:g} LUFS is not reached"
        )
    gain_db = min(gain_db, max_gain)
    for outer in range(2):
        gain_db, reduction = _solve_gain(limited, gain_db, target, max_gain)
        result = finish(gain_db, reduction)
        short = target - result.integrated_lufs
        if outer == 1 or short <= 0.3 or gain_db >= max_gain:
            break
        gain_db = min(max_gain, gain_db + short)
    if result.integrated_lufs < target - LOUDNESS_TOLERANCE_LU and target - l0 <= MAX_GAIN_DB:
        result = _with_note(
            result,
            f"loudness {result.integrated_lufs:.1f} LUFS falls short of {target:g} LUFS: "
            f"this material would need more than {MAX_LIMITING_DB:g} dB of limiting to get "
            f"there under {ceiling:g} dBTP",
        )
    return result


def _solve_gain(
    limited: Any, gain_db: float, target: float, max_gain: float
) -> tuple[float, np.ndarray]:
    """Find the gain whose estimated limited loudness meets the target (within 0.03 LU).

    Limited loudness grows with the gain at a slope of at most 1: from below, a secant step
    (at least the shortfall, at most 4x it) closes in fast even under heavy limiting; once
    the target is bracketed, regula falsi (bisection as a fallback) finishes.
    """
    tol = 0.03
    best: tuple[float, float, np.ndarray] | None = None
    lo: tuple[float, float] | None = None  # (gain, estimate) short of the target
    hi: tuple[float, float] | None = None  # (gain, estimate) over the target
    for _ in range(12):
        reduction, est = limited(gain_db)
        err = target - est
        if best is None or abs(err) < best[0]:
            best = (abs(err), gain_db, reduction)
        if abs(err) <= tol or (err > 0 and gain_db >= max_gain):
            break
        if err > 0:
            prev_lo, lo = lo, (gain_db, est)
        else:
            prev_lo, hi = lo, (gain_db, est)
        if lo is not None and hi is not None:
            step_to = lo[0] + (target - lo[1]) * (hi[0] - lo[0]) / (hi[1] - lo[1])
            if not lo[0] < step_to < hi[0]:
                step_to = (lo[0] + hi[0]) / 2.0
        elif lo is not None:
            step = err
            if prev_lo is not None and lo[0] > prev_lo[0] and lo[1] > prev_lo[1]:
                slope = (lo[1] - prev_lo[1]) / (lo[0] - prev_lo[0])
                step = min(4.0 * err, max(err, err / max(slope, 1e-3)))
            step_to = gain_db + step
        else:  # over the target without limiting (estimate error): step down
            step_to = gain_db + err
        gain_db = min(max_gain, step_to)
    if best is None:  # not reached: the loop runs at least once
        raise RenderError("loudness search did not run")
    return best[1], best[2]


def _finish(
    stems: list[np.ndarray],
    sample_rate: int,
    lim: Limiter,
    gain_db: float,
    reduction: np.ndarray,
    analysis: Analysis,
    target: float,
    ceiling: float,
    l0: float,
    notes: list[str],
) -> MasterResult:
    """Build the limited mix from the stems, measure it, and trim it down if needed.

    ``reduction`` covers the blocks of ``analysis`` (the padded copy for a loop).
    """
    stem_gain = float(np.float32(10.0 ** (gain_db / 20.0)))
    mix, tp_lin = limited_mix(stems, sample_rate, lim, stem_gain, reduction, analysis)
    tp = db(tp_lin)
    lufs = loudness_of(slicer(mix), mix.shape[0], sample_rate)
    # Trims after the limiter only ever lower the level. They are linear, so loudness and
    # true peak move by exactly the trim in dB and need no second measurement.
    post_db = 0.0
    if tp > ceiling - 0.01:
        post_db = ceiling - 0.02 - tp
    if math.isfinite(lufs) and lufs + post_db > target + 0.3:
        post_db = target - lufs
    post = 1.0
    if post_db < 0.0:
        post = 10.0 ** (post_db / 20.0)
        mix *= np.float32(post)
        lufs += post_db
        tp += post_db
    sample_peak = db(max(float(mix.max()), -float(mix.min()))) if mix.size else -math.inf
    if sample_peak >= 0.0:  # cannot happen with a ceiling <= -0.1 dBTP; kept as a guard
        raise RenderError(f"mastered mix reaches full scale ({sample_peak:.2f} dBFS)")
    return MasterResult(
        mix=mix,
        stem_gain=stem_gain,
        integrated_lufs=lufs,
        true_peak_dbtp=tp,
        sample_peak_dbfs=sample_peak,
        target_lufs=target,
        limiter_gain_reduction_db=float(reduction[analysis.core].max()) if reduction.size else 0.0,
        ceiling_dbtp=ceiling,
        premaster_lufs=l0,
        post_gain=post,
        notes=tuple(notes),
    )


def _with_note(result: MasterResult, note: str) -> MasterResult:
    return replace(result, notes=result.notes + (note,))
