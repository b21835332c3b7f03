"""Loudness (BS.1770-4) and true-peak measurement against pyloudnorm and an independent meter."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest
from audio_checks import SR, noise, reference_true_peak_db, sine_with_transients

from gekiban.audio import meter as mix


def test_integrated_loudness_matches_pyloudnorm() -> None:
    x = sine_with_transients(3.0)[1] + noise(3, 0.02)
    ours = mix.integrated_loudness(x, sample_rate=SR)
    assert ours == pytest.approx(pyloudnorm.Meter(SR).integrated_loudness(x), abs=0.01)


def test_true_peak_finds_intersample_peaks(monkeypatch: pytest.MonkeyPatch) -> None:
    t = np.arange(SR) / SR
    # A sine at a quarter of the sample rate, phase 45 degrees: samples are 3 dB under the peak.
    fade = np.clip(np.minimum(t, t[-1] - t) / 0.05, 0.0, 1.0)  # no abrupt edges to ring
    x = (0.5 * fade * np.sin(2 * np.pi * (SR / 4) * t + np.pi / 4)).astype(np.float32)
    stereo = np.stack([x, x], axis=1)
    sample_peak = 20 * math.log10(float(np.abs(x).max()))
    tp = mix.true_peak(stereo, sample_rate=SR)
    assert sample_peak == pytest.approx(20 * math.log10(0.5) - 3.01, abs=0.05)
    assert tp == pytest.approx(20 * math.log10(0.5), abs=0.05)
    # Chunk boundaries do not change the answer.
    hiss = noise(1, 0.2)
    whole = mix.true_peak(hiss, sample_rate=SR)
    monkeypatch.setattr(mix, "_SCAN_CHUNK", 1000)
    assert mix.true_peak(hiss, sample_rate=SR) == pytest.approx(whole, abs=1e-9)
    assert whole == pytest.approx(reference_true_peak_db(hiss), abs=0.05)


def test_measure_keys_and_silence() -> None:
    m = mix.measure(noise(1, 0.1), sample_rate=SR)
    assert set(m) == {"integrated_lufs", "true_peak_dbtp", "sample_peak_dbfs", "duration_s"}
    assert m["duration_s"] == 1.0
    assert m["true_peak_dbtp"] >= m["sample_peak_dbfs"] - 0.01
    s = mix.measure(np.zeros((SR, 2), np.float32), sample_rate=SR)
    assert s["integrated_lufs"] == s["true_peak_dbtp"] == s["sample_peak_dbfs"] == -math.inf
    short = mix.measure(noise(0.2, 0.1), sample_rate=SR)  # under one 400 ms block
    assert math.isfinite(short["integrated_lufs"])
