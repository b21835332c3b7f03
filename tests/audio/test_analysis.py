"""Measurements of rendered audio: silences inside the music."""

from __future__ import annotations

import numpy as np
import pytest
from audio_checks import SR, noise

from gekiban.audio import analysis as mix


def test_longest_silence() -> None:
    tone = np.sin(2 * np.pi * 440 * np.arange(SR) / SR).astype(np.float32) * 0.3
    gap = np.zeros(3 * SR, np.float32)
    x = np.concatenate([gap[: SR // 2], tone, gap, tone, gap[: SR]])
    assert mix.longest_silence(x, sample_rate=SR) == pytest.approx(3.0, abs=0.06)
    assert mix.longest_silence(x, sample_rate=SR, ignore_edges=True) == pytest.approx(3.0, abs=0.06)
    edges_only = np.concatenate([gap, tone])
    assert mix.longest_silence(edges_only, sample_rate=SR) == pytest.approx(3.0, abs=0.06)
    assert mix.longest_silence(edges_only, sample_rate=SR, ignore_edges=True) == 0.0
    # -50 dBFS noise is not silence at -60 dB, but is at -40 dB.
    hiss = noise(2.5, 10 ** (-50 / 20))
    assert mix.longest_silence(hiss, sample_rate=SR) == 0.0
    assert mix.longest_silence(hiss, sample_rate=SR, threshold_db=-40) == pytest.approx(2.5)
