"""The master bus: loudness targets, the true-peak ceiling, stems that sum to the pre-master mix."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest
from audio_checks import SR, noise, reference_true_peak_db, sine_with_transients

from gekiban.audio import master as mix
from gekiban.audio.limiter import premaster
from gekiban.audio.meter import measure
from gekiban.audio.stem import process_stem
from gekiban.errors import InvalidOptionError, RenderError

# ---------------------------------------------------------------------------------------------
# master


@pytest.mark.parametrize("target", [-14.0, -23.0])
def test_master_noise_hits_target(target: float) -> None:
    result = mix.master([noise(5, 0.05)], sample_rate=SR, target_lufs=target)
    assert abs(result.integrated_lufs - target) <= 0.5
    assert result.true_peak_dbtp <= -1.0
    assert np.abs(result.mix).max() < 1.0
    assert result.mix.dtype == np.float32 and result.mix.shape == (5 * SR, 2)
    assert result.on_target and result.notes == ()
    # Independent meters agree with what the result reports.
    lufs = pyloudnorm.Meter(SR).integrated_loudness(result.mix.astype(np.float64))
    assert abs(lufs - result.integrated_lufs) < 0.02
    assert reference_true_peak_db(result.mix) <= -0.95


@pytest.mark.parametrize("target", [-14.0, -10.0, -24.0])
def test_master_sine_with_transients(target: float) -> None:
    stems = sine_with_transients()
    result = mix.master(stems, sample_rate=SR, target_lufs=target, ceiling_dbtp=-1.0)
    assert abs(result.integrated_lufs - target) <= 0.5
    assert result.true_peak_dbtp <= -1.0
    assert result.sample_peak_dbfs <= result.true_peak_dbtp + 1e-6
    assert np.abs(result.mix).max() < 1.0
    assert reference_true_peak_db(result.mix) <= -0.95
    measured = measure(result.mix, sample_rate=SR)
    assert measured["integrated_lufs"] == pytest.approx(result.integrated_lufs, abs=1e-6)
    assert measured["true_peak_dbtp"] == pytest.approx(result.true_peak_dbtp, abs=1e-4)
    if target == -10.0:  # loud: the limiter had to work
        assert result.limiter_gain_reduction_db > 1.0
    if target == -24.0:  # quiet: the limiter stayed out of the way
        assert result.limiter_gain_reduction_db == 0.0


def test_stems_times_gain_sum_to_premaster_mix() -> None:
    dry = sine_with_transients(3.0) + [noise(3, 0.01, seed=4)]
    stems = [
        process_stem(d, sample_rate=SR, volume=v, pan=p, reverb=r, role=role)
        for d, v, p, r, role in zip(
            dry, (0.8, 1.0, 0.5), (-0.4, 0.0, 0.7), (0.3, 0.1, 0.6), ("pad", "drums", "fx")
        )
    ]
    # Quiet target: no limiting, so the mastered mix IS the gained sum, bit for bit.
    quiet = mix.master(stems, sample_rate=SR, target_lufs=-30.0)
    assert quiet.limiter_gain_reduction_db == 0.0 and quiet.post_gain == 1.0
    written = [s * quiet.stem_gain for s in stems]
    assert all(w.dtype == np.float32 for w in written)
    assert np.array_equal(sum(written), quiet.mix)
    # Loud target: the limiter's input is still exactly the sum of the gained stems.
    loud = mix.master(stems, sample_rate=SR, target_lufs=-12.0)
    assert loud.limiter_gain_reduction_db > 0.0
    expected = sum(s * loud.stem_gain for s in stems)
    assert np.array_equal(premaster(stems, loud.stem_gain), expected)
    assert float(np.float32(loud.stem_gain)) == loud.stem_gain


def test_master_silence() -> None:
    result = mix.master([np.zeros((SR * 2, 2), np.float32)], sample_rate=SR)
    assert result.integrated_lufs == -math.inf
    assert result.stem_gain == 1.0
    assert not result.mix.any()
    assert any("silent" in note for note in result.notes)
    assert result.to_dict()["integrated_lufs"] is None


def test_master_near_silence_caps_gain() -> None:
    quiet = noise(3, 5e-4)  # about -60 LUFS: +46 dB would be needed
    result = mix.master([quiet], sample_rate=SR, target_lufs=-14.0)
    assert 20 * math.log10(result.stem_gain) == pytest.approx(mix.MAX_GAIN_DB, abs=0.01)
    expected = result.premaster_lufs + mix.MAX_GAIN_DB
    assert result.integrated_lufs == pytest.approx(expected, abs=0.05)
    assert not result.on_target
    assert any("capped" in note for note in result.notes)


def test_master_too_loud_target_is_reported() -> None:
    result = mix.master(sine_with_transients(), sample_rate=SR, target_lufs=-6.0)
    assert result.true_peak_dbtp <= -1.0
    assert result.limiter_gain_reduction_db <= mix.MAX_LIMITING_DB + 1e-6
    assert result.limiter_gain_reduction_db == pytest.approx(mix.MAX_LIMITING_DB, abs=0.01)
    assert result.integrated_lufs < -6.5 and not result.on_target
    assert any("falls short" in note for note in result.notes)


def test_master_is_deterministic() -> None:
    stems = sine_with_transients(2.0)
    a = mix.master(stems, sample_rate=SR, target_lufs=-12.0)
    b = mix.master(stems, sample_rate=SR, target_lufs=-12.0)
    assert np.array_equal(a.mix, b.mix) and a.stem_gain == b.stem_gain


def test_master_bad_input() -> None:
    with pytest.raises(RenderError):
        mix.master([], sample_rate=SR)
    with pytest.raises(RenderError, match="stem 1"):
        mix.master([noise(1, 0.1), noise(2, 0.1)], sample_rate=SR)
    bad = noise(1, 0.1)
    bad[10, 0] = np.nan
    with pytest.raises(RenderError, match="NaN"):
        mix.master([bad], sample_rate=SR)
    with pytest.raises(InvalidOptionError, match="target_lufs"):
        mix.master([noise(1, 0.1)], sample_rate=SR, target_lufs=-3.0)
    with pytest.raises(InvalidOptionError, match="ceiling_dbtp"):
        mix.master([noise(1, 0.1)], sample_rate=SR, ceiling_dbtp=0.5)
    with pytest.raises(InvalidOptionError, match="sample_rate"):
        mix.master([noise(1, 0.1)], sample_rate=100)


def test_master_other_sample_rate() -> None:
    rate = 44_100
    rng = np.random.default_rng(2)
    stems = [(rng.standard_normal((rate * 3, 2)) * 0.2).astype(np.float32)]
    result = mix.master(stems, sample_rate=rate, target_lufs=-12.0)
    assert abs(result.integrated_lufs - -12.0) <= 0.5
    assert result.true_peak_dbtp <= -1.0
    assert pyloudnorm.Meter(rate).integrated_loudness(result.mix) == pytest.approx(
        result.integrated_lufs, abs=0.02
    )
