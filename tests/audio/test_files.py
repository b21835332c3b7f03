"""Audio files (gekiban.audio.files): atomic writes, reads, and output-folder checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from gekiban.audio import files as audio_io
from gekiban.errors import InvalidOptionError, OutputError, RenderError

SR = 48_000


@pytest.fixture
def audio() -> np.ndarray:
    """Half a second of stereo noise plus a tone, inside full scale."""
    rng = np.random.default_rng(7)
    t = np.arange(SR // 2) / SR
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    x = np.stack([tone, -tone], axis=1) + rng.uniform(-0.3, 0.3, (t.size, 2))
    return x.astype(np.float32)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_wav_24bit_round_trip(tmp_path: Path, audio: np.ndarray) -> None:
    path = audio_io.write_audio(tmp_path / "mix.wav", audio, sample_rate=SR)
    assert path == tmp_path / "mix.wav"
    info = sf.info(path)
    assert (info.format, info.subtype, info.samplerate, info.channels) == ("WAV", "PCM_24", SR, 2)
    back, rate = audio_io.read_audio(path)
    assert rate == SR and back.dtype == np.float32 and back.shape == audio.shape
    assert np.abs(back - audio).max() < 1e-6
    assert _leftovers(tmp_path) == ["mix.wav"]


def test_float_wav_is_exact_and_deterministic(tmp_path: Path, audio: np.ndarray) -> None:
    loud = audio * 3.0  # float stems may exceed full scale
    a = audio_io.write_audio(tmp_path / "a.wav", loud, sample_rate=SR, subtype="FLOAT")
    b = audio_io.write_audio(tmp_path / "b.wav", loud, sample_rate=SR, subtype="float")
    back, _ = audio_io.read_audio(a)
    assert np.array_equal(back, loud)
    assert a.read_bytes() == b.read_bytes()  # no time stamp in the file


def test_flac_24bit_round_trip(tmp_path: Path, audio: np.ndarray) -> None:
    path = audio_io.write_audio(tmp_path / "mix.flac", audio, sample_rate=SR, format="flac")
    info = sf.info(path)
    assert (info.format, info.subtype) == ("FLAC", "PCM_24")
    back, rate = audio_io.read_audio(path)
    assert rate == SR and np.abs(back - audio).max() < 1e-6


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
def test_mp3_is_decodable_and_about_the_right_length(tmp_path: Path, audio: np.ndarray) -> None:
    path = audio_io.write_audio(tmp_path / "mix.mp3", audio * 0.5, sample_rate=SR, format="mp3")
    assert _leftovers(tmp_path) == ["mix.mp3"]
    head = path.read_bytes()[:3]
    assert head == b"ID3" or head[0] == 0xFF  # ID3 tag or an MPEG frame sync
    back, rate = audio_io.read_audio(path)
    assert rate == SR
    assert abs(back.shape[0] - audio.shape[0]) <= 0.05 * SR
    rms = lambda a: float(np.sqrt(np.mean(np.square(a, dtype=np.float64))))  # noqa: E731
    assert rms(back) == pytest.approx(rms(audio * 0.5), rel=0.1)


def test_mono_is_read_as_stereo(tmp_path: Path, audio: np.ndarray) -> None:
    path = audio_io.write_audio(tmp_path / "mono.wav", audio[:, 0], sample_rate=SR)
    assert sf.info(path).channels == 1
    back, _ = audio_io.read_audio(path)
    assert back.shape == (audio.shape[0], 2)
    assert np.array_equal(back[:, 0], back[:, 1])


def test_bad_format_and_subtype(tmp_path: Path, audio: np.ndarray) -> None:
    with pytest.raises(InvalidOptionError) as info:
        audio_io.write_audio(tmp_path / "x.aiff", audio, sample_rate=SR, format="aiff")
    assert "'aiff'" in str(info.value) and "wav, flac, ogg, mp3" in str(info.value)
    with pytest.raises(InvalidOptionError, match="FLOAT.*flac|flac.*PCM_24"):
        audio_io.write_audio(tmp_path / "x.flac", audio, sample_rate=SR, format="flac",
                             subtype="FLOAT")  # fmt: skip
    with pytest.raises(InvalidOptionError, match="sample_rate"):
        audio_io.write_audio(tmp_path / "x.wav", audio, sample_rate=0)
    assert _leftovers(tmp_path) == []


def test_beyond_full_scale_is_refused_for_integer_formats(
    tmp_path: Path, audio: np.ndarray
) -> None:
    hot = audio.copy()
    hot[100, 1] = 1.02
    for fmt in ("wav", "flac", "mp3"):
        with pytest.raises(RenderError, match="full scale"):
            audio_io.write_audio(tmp_path / f"hot.{fmt}", hot, sample_rate=SR, format=fmt)
    nan = audio.copy()
    nan[5, 0] = np.nan
    with pytest.raises(RenderError, match="NaN"):
        audio_io.write_audio(tmp_path / "nan.wav", nan, sample_rate=SR, subtype="FLOAT")
    assert _leftovers(tmp_path) == []


def test_failed_write_leaves_nothing(
    tmp_path: Path, audio: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The folder vanished: a clear OutputError and no file anywhere.
    gone = tmp_path / "gone"
    with pytest.raises(OutputError) as info:
        audio_io.write_audio(gone / "mix.wav", audio, sample_rate=SR)
    assert str(gone / "mix.wav") in str(info.value)
    assert not gone.exists()

    # The encoder dies half-way: the half-written temporary file is removed.
    def broken(path: Path, data: np.ndarray, *args: object) -> None:
        Path(path).write_bytes(b"RIFF half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(audio_io, "_write_soundfile", broken)
    with pytest.raises(OutputError, match="No space left"):
        audio_io.write_audio(tmp_path / "mix.wav", audio, sample_rate=SR)
    assert _leftovers(tmp_path) == []


def test_failed_mp3_encode_leaves_nothing(
    tmp_path: Path, audio: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "old.mp3").write_bytes(b"previous take")
    monkeypatch.setattr(audio_io.shutil, "which", lambda name: "/bin/false")
    with pytest.raises(RenderError, match="ffmpeg failed"):
        audio_io.write_audio(tmp_path / "old.mp3", audio, sample_rate=SR, format="mp3")
    assert _leftovers(tmp_path) == ["old.mp3"]
    assert (tmp_path / "old.mp3").read_bytes() == b"previous take"  # untouched
    monkeypatch.setattr(audio_io.shutil, "which", lambda name: None)
    with pytest.raises(RenderError, match="ffmpeg was not found"):
        audio_io.write_audio(tmp_path / "new.mp3", audio, sample_rate=SR, format="mp3")
    assert _leftovers(tmp_path) == ["old.mp3"]


def test_read_audio_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidOptionError, match="does not exist"):
        audio_io.read_audio(tmp_path / "missing.wav")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all")
    with pytest.raises(InvalidOptionError, match="junk.wav"):
        audio_io.read_audio(junk)


def test_writing_over_a_folder_is_refused(tmp_path: Path, audio: np.ndarray) -> None:
    (tmp_path / "mix.wav").mkdir()
    with pytest.raises(OutputError, match="folder"):
        audio_io.write_audio(tmp_path / "mix.wav", audio, sample_rate=SR)
