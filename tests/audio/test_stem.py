"""Per-stem processing: gain, pan, EQ, reverb, in place and in chunks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from audio_checks import SR, noise
from scipy import signal

from gekiban.audio import stem as mix
from gekiban.errors import InvalidOptionError, RenderError


def test_process_stem_shape_determinism_and_reverb_tail() -> None:
    dry = np.zeros((2 * SR, 2), np.float32)
    dry[: SR // 2] = noise(0.5, 0.1)
    wet = mix.process_stem(dry, sample_rate=SR, volume=1.0, pan=0.0, reverb=0.6)
    again = mix.process_stem(dry, sample_rate=SR, volume=1.0, pan=0.0, reverb=0.6)
    assert wet.shape == dry.shape and wet.dtype == np.float32
    assert np.array_equal(wet, again)
    assert np.abs(wet[SR // 2 + 2400 :]).max() > 1e-3  # the stem carries its own tail
    dry_only = mix.process_stem(dry, sample_rate=SR, volume=1.0, pan=0.0, reverb=0.0)
    assert np.abs(dry_only[SR // 2 + 2400 :]).max() < 1e-4


def test_process_stem_gain_and_pan() -> None:
    mono = noise(1, 0.1)[:, :1].repeat(2, axis=1)
    centre = mix.process_stem(mono, sample_rate=SR, volume=1.0, pan=0.0, reverb=0.0, is_drum=True)
    assert np.array_equal(centre, mono)  # unity, untouched
    left = mix.process_stem(mono, sample_rate=SR, volume=1.0, pan=-1.0, reverb=0.0, is_drum=True)
    assert np.abs(left[:, 1]).max() == 0.0
    power = lambda a: float((a.astype(np.float64) ** 2).sum())  # noqa: E731
    assert power(left) == pytest.approx(power(mono), rel=1e-5)  # constant power
    half = mix.process_stem(mono, sample_rate=SR, volume=0.5, pan=0.0, reverb=0.0, is_drum=True)
    assert 10 * math.log10(power(half) / power(mono)) == pytest.approx(-12.04, abs=0.01)
    silent = mix.process_stem(mono, sample_rate=SR, volume=0.0, pan=0.0, reverb=0.5)
    assert silent.shape == mono.shape and not silent.any()


def test_process_stem_high_pass_spares_bass() -> None:
    t = np.arange(SR) / SR
    rumble = np.repeat((0.3 * np.sin(2 * np.pi * 20 * t))[:, None], 2, axis=1).astype(np.float32)
    pad = mix.process_stem(rumble, sample_rate=SR, volume=1.0, pan=0.0, reverb=0.0, role="pad")
    bass = mix.process_stem(rumble, sample_rate=SR, volume=1.0, pan=0.0, reverb=0.0, role="bass")
    rms = lambda a: float(np.sqrt((a[SR // 2 :].astype(np.float64) ** 2).mean()))  # noqa: E731
    assert rms(pad) < 0.5 * rms(rumble)
    assert rms(bass) == pytest.approx(rms(rumble), rel=1e-6)


def test_process_stem_brightness_tilts() -> None:
    x = noise(1, 0.1)
    bright = mix.process_stem(x, sample_rate=SR, volume=1, pan=0, reverb=0, brightness=1.0)
    dark = mix.process_stem(x, sample_rate=SR, volume=1, pan=0, reverb=0, brightness=-1.0)
    treble = signal.butter(4, 8000, "high", fs=SR, output="sos")
    hi = lambda a: float((signal.sosfilt(treble, a[:, 0]) ** 2).sum())  # noqa: E731
    assert hi(bright) > 2.0 * hi(dark)


@pytest.mark.parametrize(
    ("option", "value"),
    [("volume", 1.5), ("volume", -0.1), ("pan", 2.0), ("reverb", -1.0), ("brightness", 3.0)],
)
def test_process_stem_rejects_bad_options(option: str, value: float) -> None:
    options = {"volume": 0.8, "pan": 0.0, "reverb": 0.2, "brightness": 0.0} | {option: value}
    with pytest.raises(InvalidOptionError) as info:
        mix.process_stem(noise(0.1, 0.1), sample_rate=SR, **options)
    assert option in str(info.value) and repr(value) in str(info.value)


def test_process_stem_rejects_bad_audio() -> None:
    with pytest.raises(RenderError, match="shape"):
        mix.process_stem(np.zeros((10, 3), np.float32), sample_rate=SR, volume=1, pan=0, reverb=0)


def test_process_stem_in_place_and_in_chunks_equals_one_pass(monkeypatch):
    import gekiban.audio.stem as mix

    rng = np.random.default_rng(3)
    x = (rng.standard_normal((150_000, 2)) * 0.1).astype(np.float32)
    whole = mix.process_stem(x.copy(), sample_rate=48000, volume=0.7, pan=-0.4, reverb=0.6, brightness=0.3)
    monkeypatch.setattr(mix, "_CHUNK", 4096)
    buf = x.copy()
    chunked = mix.process_stem(buf, sample_rate=48000, volume=0.7, pan=-0.4, reverb=0.6, brightness=0.3, inplace=True)
    assert chunked is buf
    np.testing.assert_allclose(chunked, whole, atol=1e-6)
