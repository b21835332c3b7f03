"""Tests for gekiban.mix: loudness parsing, stem processing, mastering and measurement."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest
from scipy import signal

from gekiban import mix
from gekiban.errors import InvalidOptionError, RenderError

SR = 48_000


def _noise(seconds: float, rms: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((int(seconds * SR), 2)) * rms).astype(np.float32)


def _sine_with_transients(seconds: float = 4.0) -> list[np.ndarray]:
    """Two stems: a soft 220 Hz pad and sharp decaying hits four times a second."""
    t = np.arange(int(seconds * SR)) / SR
    pad = 0.1 * np.sin(2 * np.pi * 220 * t) * (1 + 0.3 * np.sin(2 * np.pi * 0.5 * t))
    hits = np.zeros_like(t)
    hits[:: SR // 4] = 1.0
    k = np.arange(SR // 5)
    hit = np.exp(-k / 2400.0) * np.sin(2 * np.pi * 180 * k / SR + 0.4 * np.sin(k / 7.0))
    hits = np.convolve(hits, hit)[: t.size] * 0.5
    pad_st = np.stack([pad, 0.9 * pad], axis=1).astype(np.float32)
    hit_st = np.stack([0.8 * hits, hits], axis=1).astype(np.float32)
    return [pad_st, hit_st]


def _reference_true_peak_db(x: np.ndarray) -> float:
    """An independent 4x meter: scipy's long polyphase interpolator."""
    up = signal.resample_poly(x.astype(np.float64), 4, 1, axis=0, window=("kaiser", 10.0))
    return 20 * math.log10(float(np.abs(up).max()))


# ---------------------------------------------------------------------------------------------
# parse_loudness


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("stream", -14.0),
        ("EBU", -23.0),
        (" arib ", -24.0),
        ("r128", -23.0),
        ("-16", -16.0),
        ("-16 LUFS", -16.0),
        ("-23.5lkfs", -23.5),
        ("-6", -6.0),
        ("-40 lufs", -40.0),
    ],
)
def test_parse_loudness_words_and_numbers(text: str, value: float) -> None:
    assert mix.parse_loudness(text) == value


@pytest.mark.parametrize("text", ["loud", "", "-5", "-41", "16 dB", "nan", "-1e3", "--14"])
def test_parse_loudness_rejects(text: str) -> None:
    with pytest.raises(InvalidOptionError) as info:
        mix.parse_loudness(text)
    message = str(info.value)
    assert repr(text) in message
    assert "stream" in message and "-40" in message and "-6" in message


# ---------------------------------------------------------------------------------------------
# master


@pytest.mark.parametrize("target", [-14.0, -23.0])
def test_master_noise_hits_target(target: float) -> None:
    result = mix.master([_noise(5, 0.05)], sample_rate=SR, target_lufs=target)
    assert abs(result.integrated_lufs - target) <= 0.5
    assert result.true_peak_dbtp <= -1.0
    assert np.abs(result.mix).max() < 1.0
    assert result.mix.dtype == np.float32 and result.mix.shape == (5 * SR, 2)
    assert result.on_target and result.notes == ()
    # Independent meters agree with what the result reports.
    lufs = pyloudnorm.Meter(SR).integrated_loudness(result.mix.astype(np.float64))
    assert abs(lufs - result.integrated_lufs) < 0.02
    assert _reference_true_peak_db(result.mix) <= -0.95


@pytest.mark.parametrize("target", [-14.0, -10.0, -24.0])
def test_master_sine_with_transients(target: float) -> None:
    stems = _sine_with_transients()
    result = mix.master(stems, sample_rate=SR, target_lufs=target, ceiling_dbtp=-1.0)
    assert abs(result.integrated_lufs - target) <= 0.5
    assert result.true_peak_dbtp <= -1.0
    assert result.sample_peak_dbfs <= result.true_peak_dbtp + 1e-6
    assert np.abs(result.mix).max() < 1.0
    assert _reference_true_peak_db(result.mix) <= -0.95
    measured = mix.measure(result.mix, sample_rate=SR)
    assert measured["integrated_lufs"] == pytest.approx(result.integrated_lufs, abs=1e-6)
    assert measured["true_peak_dbtp"] == pytest.approx(result.true_peak_dbtp, abs=1e-4)
    if target == -10.0:  # loud: the limiter had to work
        assert result.limiter_gain_reduction_db > 1.0
    if target == -24.0:  # quiet: the limiter stayed out of the way
        assert result.limiter_gain_reduction_db == 0.0


def test_stems_times_gain_sum_to_premaster_mix() -> None:
    dry = _sine_with_transients(3.0) + [_noise(3, 0.01, seed=4)]
    stems = [
        mix.process_stem(d, sample_rate=SR, volume=v, pan=p, reverb=r, role=role)
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
    assert np.array_equal(mix.premaster(stems, loud.stem_gain), expected)
    assert float(np.float32(loud.stem_gain)) == loud.stem_gain


def test_master_silence() -> None:
    result = mix.master([np.zeros((SR * 2, 2), np.float32)], sample_rate=SR)
    assert result.integrated_lufs == -math.inf
    assert result.stem_gain == 1.0
    assert not result.mix.any()
    assert any("silent" in note for note in result.notes)
    assert result.to_dict()["integrated_lufs"] is None


def test_master_near_silence_caps_gain() -> None:
    quiet = _noise(3, 5e-4)  # about -60 LUFS: +46 dB would be needed
    result = mix.master([quiet], sample_rate=SR, target_lufs=-14.0)
    assert 20 * math.log10(result.stem_gain) == pytest.approx(mix.MAX_GAIN_DB, abs=0.01)
    expected = result.premaster_lufs + mix.MAX_GAIN_DB
    assert result.integrated_lufs == pytest.approx(expected, abs=0.05)
    assert not result.on_target
    assert any("capped" in note for note in result.notes)


def test_master_too_loud_target_is_reported() -> None:
    result = mix.master(_sine_with_transients(), sample_rate=SR, target_lufs=-6.0)
    assert result.true_peak_dbtp <= -1.0
    assert result.limiter_gain_reduction_db <= mix.MAX_LIMITING_DB + 1e-6
    assert result.limiter_gain_reduction_db == pytest.approx(mix.MAX_LIMITING_DB, abs=0.01)
    assert result.integrated_lufs < -6.5 and not result.on_target
    assert any("falls short" in note for note in result.notes)


def test_master_is_deterministic() -> None:
    stems = _sine_with_transients(2.0)
    a = mix.master(stems, sample_rate=SR, target_lufs=-12.0)
    b = mix.master(stems, sample_rate=SR, target_lufs=-12.0)
    assert np.array_equal(a.mix, b.mix) and a.stem_gain == b.stem_gain


def test_master_bad_input() -> None:
    with pytest.raises(RenderError):
        mix.master([], sample_rate=SR)
    with pytest.raises(RenderError, match="stem 1"):
        mix.master([_noise(1, 0.1), _noise(2, 0.1)], sample_rate=SR)
    bad = _noise(1, 0.1)
    bad[10, 0] = np.nan
    with pytest.raises(RenderError, match="NaN"):
        mix.master([bad], sample_rate=SR)
    with pytest.raises(InvalidOptionError, match="target_lufs"):
        mix.master([_noise(1, 0.1)], sample_rate=SR, target_lufs=-3.0)
    with pytest.raises(InvalidOptionError, match="ceiling_dbtp"):
        mix.master([_noise(1, 0.1)], sample_rate=SR, ceiling_dbtp=0.5)
    with pytest.raises(InvalidOptionError, match="sample_rate"):
        mix.master([_noise(1, 0.1)], sample_rate=100)


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


# ---------------------------------------------------------------------------------------------
# limiter internals


def test_limiter_reduction_never_below_need() -> None:
    lim = mix._Limiter.for_rate(SR)
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
    got = mix._max_filter(x, 3, 7)
    for i in range(x.size):
        assert got[i] == x[max(0, i - 3) : i + 8].max()


# ---------------------------------------------------------------------------------------------
# measurement


def test_integrated_loudness_matches_pyloudnorm() -> None:
    x = _sine_with_transients(3.0)[1] + _noise(3, 0.02)
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
    noise = _noise(1, 0.2)
    whole = mix.true_peak(noise, sample_rate=SR)
    monkeypatch.setattr(mix, "_SCAN_CHUNK", 1000)
    assert mix.true_peak(noise, sample_rate=SR) == pytest.approx(whole, abs=1e-9)
    assert whole == pytest.approx(_reference_true_peak_db(noise), abs=0.05)


def test_measure_keys_and_silence() -> None:
    m = mix.measure(_noise(1, 0.1), sample_rate=SR)
    assert set(m) == {"integrated_lufs", "true_peak_dbtp", "sample_peak_dbfs", "duration_s"}
    assert m["duration_s"] == 1.0
    assert m["true_peak_dbtp"] >= m["sample_peak_dbfs"] - 0.01
    s = mix.measure(np.zeros((SR, 2), np.float32), sample_rate=SR)
    assert s["integrated_lufs"] == s["true_peak_dbtp"] == s["sample_peak_dbfs"] == -math.inf
    short = mix.measure(_noise(0.2, 0.1), sample_rate=SR)  # under one 400 ms block
    assert math.isfinite(short["integrated_lufs"])


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
    hiss = _noise(2.5, 10 ** (-50 / 20))
    assert mix.longest_silence(hiss, sample_rate=SR) == 0.0
    assert mix.longest_silence(hiss, sample_rate=SR, threshold_db=-40) == pytest.approx(2.5)


# ---------------------------------------------------------------------------------------------
# process_stem


def test_process_stem_shape_determinism_and_reverb_tail() -> None:
    dry = np.zeros((2 * SR, 2), np.float32)
    dry[: SR // 2] = _noise(0.5, 0.1)
    wet = mix.process_stem(dry, sample_rate=SR, volume=1.0, pan=0.0, reverb=0.6)
    again = mix.process_stem(dry, sample_rate=SR, volume=1.0, pan=0.0, reverb=0.6)
    assert wet.shape == dry.shape and wet.dtype == np.float32
    assert np.array_equal(wet, again)
    assert np.abs(wet[SR // 2 + 2400 :]).max() > 1e-3  # the stem carries its own tail
    dry_only = mix.process_stem(dry, sample_rate=SR, volume=1.0, pan=0.0, reverb=0.0)
    assert np.abs(dry_only[SR // 2 + 2400 :]).max() < 1e-4


def test_process_stem_gain_and_pan() -> None:
    mono = _noise(1, 0.1)[:, :1].repeat(2, axis=1)
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
    x = _noise(1, 0.1)
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
        mix.process_stem(_noise(0.1, 0.1), sample_rate=SR, **options)
    assert option in str(info.value) and repr(value) in str(info.value)


def test_process_stem_rejects_bad_audio() -> None:
    with pytest.raises(RenderError, match="shape"):
        mix.process_stem(np.zeros((10, 3), np.float32), sample_rate=SR, volume=1, pan=0, reverb=0)


def test_process_stem_in_place_and_in_chunks_equals_one_pass(monkeypatch):
    import gekiban.mix as mix

    rng = np.random.default_rng(3)
    x = (rng.standard_normal((150_000, 2)) * 0.1).astype(np.float32)
    whole = mix.process_stem(x.copy(), sample_rate=48000, volume=0.7, pan=-0.4, reverb=0.6, brightness=0.3)
    monkeypatch.setattr(mix, "_CHUNK", 4096)
    buf = x.copy()
    chunked = mix.process_stem(buf, sample_rate=48000, volume=0.7, pan=-0.4, reverb=0.6, brightness=0.3, inplace=True)
    assert chunked is buf
    np.testing.assert_allclose(chunked, whole, atol=1e-6)
