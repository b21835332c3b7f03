"""Audio files: atomic writes (WAV, FLAC, OGG Vorbis, MP3) and reads.

WAV, FLAC and OGG (Vorbis, for games) go through ``soundfile`` (libsndfile); MP3 is encoded by the ``ffmpeg`` command
(libmp3lame, 320 kbit/s) from a temporary float WAV. Every write goes to a temporary file in
the target folder and is renamed into place, so a failed write leaves nothing behind.
Integer formats and MP3 refuse samples beyond full scale instead of clipping them silently,
so the master's ceiling stays honest. A WAV can carry loop points in a RIFF ``smpl`` chunk
(:func:`write_audio` ``loop=``; :func:`read_loop`), which samplers, game engines and DAWs read.
"""

from __future__ import annotations

import functools
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from gekiban.errors import InvalidOptionError, OutputError, RenderError

__all__ = ["FORMATS", "read_audio", "read_loop", "write_audio"]

#: Formats :func:`write_audio` can write, with the subtypes each accepts (first is default).
FORMATS: dict[str, tuple[str | None, ...]] = {
    "wav": ("PCM_24", "PCM_16", "PCM_32", "FLOAT"),
    "flac": ("PCM_24", "PCM_16"),
    "ogg": ("VORBIS",),
    "mp3": (None,),
}
_SF_FORMAT = {"wav": "WAV", "flac": "FLAC", "ogg": "OGG"}
_MP3_BITRATE = "320k"
_SFC_SET_ADD_PEAK_CHUNK = 0x1050  # libsndfile command (sndfile.h); not exported by soundfile


def _check_format(format: str, subtype: str | None) -> tuple[str, str | None]:
    fmt = format.lower().lstrip(".") if isinstance(format, str) else format
    if fmt not in FORMATS:
        raise InvalidOptionError(
            f"audio format {format!r} is not supported; use one of {', '.join(FORMATS)}"
        )
    allowed = FORMATS[fmt]
    if subtype is None:
        return fmt, allowed[0]
    sub = subtype.upper() if isinstance(subtype, str) else subtype
    if sub not in allowed:
        names = ", ".join(a for a in allowed if a) or "none (leave subtype unset)"
        raise InvalidOptionError(
            f"subtype {subtype!r} is not available for {fmt}; use one of {names}"
        )
    return fmt, sub


def _check_audio(audio: np.ndarray, *, integer: bool) -> np.ndarray:
    arr = np.asarray(audio)
    if arr.dtype.kind != "f":
        raise RenderError(f"audio has dtype {arr.dtype}; expected float samples in [-1, 1]")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] not in (1, 2) or arr.shape[0] == 0:
        raise RenderError(
            f"audio has shape {np.asarray(audio).shape}; expected (samples, 2) or (samples,) "
            "with at least one sample"
        )
    hi, lo = float(arr.max()), float(arr.min())  # no |arr| copy: stems are large
    if not (np.isfinite(hi) and np.isfinite(lo)):
        raise RenderError("audio contains NaN or infinite samples")
    peak = max(hi, -lo)
    if integer and peak > 1.0:
        raise RenderError(
            f"audio peaks at {peak:.4f} ({20 * np.log10(peak):+.2f} dBFS), beyond full scale; "
            "master it under the ceiling or write a FLOAT WAV"
        )
    return np.ascontiguousarray(arr)


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temp_path(target: Path, suffix: str) -> Path:
    """Create an empty temporary file beside ``target`` and return its path."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    except OSError as exc:
        raise OutputError(
            f"cannot write {target}: {exc.strerror or exc} (folder {target.parent})"
        ) from exc
    os.close(fd)
    return Path(name)


def _write_soundfile(path: Path, audio: np.ndarray, sample_rate: int, fmt: str, sub: str) -> None:
    import soundfile as sf

    with sf.SoundFile(
        path, "w", samplerate=sample_rate, channels=audio.shape[1], format=_SF_FORMAT[fmt],
        subtype=sub,
    ) as f:
        if fmt == "wav" and sub == "FLOAT":
            # libsndfile adds a PEAK chunk with a wall-clock timestamp to float WAVs; drop it
            # so the same audio always gives the same bytes.
            try:
                sf._snd.sf_command(f._file, _SFC_SET_ADD_PEAK_CHUNK, sf._ffi.NULL, sf._snd.SF_FALSE)
            except AttributeError:  # a soundfile without these internals: keep the chunk
                pass
        f.write(audio)


def _check_loop(loop: tuple[int, int], frames: int) -> tuple[int, int]:
    try:
        start, end = (int(v) for v in loop)
    except (TypeError, ValueError):
        raise InvalidOptionError(f"loop {loop!r} must be (start, end) sample indices") from None
    if not 0 <= start < end <= frames:
        raise InvalidOptionError(
            f"loop {loop!r} must satisfy 0 <= start < end <= {frames} (the samples in the file)"
        )
    return start, end


def _smpl_chunk(start: int, end: int, sample_rate: int) -> bytes:
    """A RIFF ``smpl`` chunk with one forward loop over samples ``start`` to ``end - 1``.

    Layout (little-endian 32-bit words, as in the Microsoft/IBM RIFF spec and libsndfile):
    manufacturer, product, sample period (ns), MIDI unity note (60), pitch fraction, SMPTE
    format, SMPTE offset, number of loops (1), sampler data (0); then per loop: cue point id,
    type (0 = forward), start, end, fraction, play count (0 = forever). The spec's end is the
    last sample played, so it is ``end - 1`` of the half-open range.
    """
    period = round(1e9 / sample_rate)
    body = struct.pack("<9I", 0, 0, period, 60, 0, 0, 0, 1, 0)
    body += struct.pack("<6I", 0, 0, start, end - 1, 0, 0)
    return b"smpl" + struct.pack("<I", len(body)) + body


def _riff_chunks(f) -> list[tuple[bytes, int, int]]:  # type: ignore[no-untyped-def]
    """(id, offset of the data, size) of each chunk of an open RIFF/WAVE file."""
    f.seek(0)
    head = f.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise RenderError("not a RIFF/WAVE file (RF64 and other forms cannot carry loop points here)")
    f.seek(0, os.SEEK_END)
    size = f.tell()
    chunks, pos = [], 12
    while pos + 8 <= size:
        f.seek(pos)
        cid, length = struct.unpack("<4sI", f.read(8))
        chunks.append((cid, pos + 8, length))
        pos += 8 + length + (length & 1)
    return chunks


def _add_loop_chunk(path: Path, start: int, end: int, sample_rate: int) -> None:
    """Append a ``smpl`` chunk to a WAV file (replacing none: libsndfile writes none unless
    asked) and fix the RIFF size. Written by hand because soundfile cannot write loop points."""
    with open(path, "r+b") as f:
        chunks = _riff_chunks(f)
        if any(c[0] == b"smpl" for c in chunks):
            raise RenderError(f"{path} already has a smpl chunk")
        f.seek(0, os.SEEK_END)
        if f.tell() & 1:  # chunks start on even offsets
            f.write(b"\0")
        f.write(_smpl_chunk(start, end, sample_rate))
        total = f.tell()
        f.seek(4)
        f.write(struct.pack("<I", total - 8))


def read_loop(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """The first loop of a WAV file's ``smpl`` chunk as a half-open sample range
    ``(start, end)``, or None when the file has no loop.

    Raises
    ------
    InvalidOptionError
        If the file cannot be read or is not a RIFF/WAVE file.
    """
    source = Path(path)
    try:
        with open(source, "rb") as f:
            for cid, offset, length in _riff_chunks(f):
                if cid == b"smpl" and length >= 36:
                    f.seek(offset)
                    body = f.read(length)
                    if struct.unpack_from("<I", body, 28)[0] >= 1 and length >= 60:
                        start, end = struct.unpack_from("<II", body, 36 + 8)
                        return int(start), int(end) + 1
                    return None
    except OSError as exc:
        raise InvalidOptionError(f"cannot read {source}: {exc.strerror or exc}") from exc
    except RenderError as exc:
        raise InvalidOptionError(f"cannot read loop points of {source}: {exc}") from exc
    return None


def _encode_mp3(wav: Path, mp3: Path, duration: float) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RenderError("ffmpeg was not found on PATH; install ffmpeg or choose wav or flac")
    cmd = [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-i", str(wav),
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
        "-c:a", "libmp3lame", "-b:a", _MP3_BITRATE, "-f", "mp3", str(mp3),
    ]  # fmt: skip
    timeout = 30.0 + 2.0 * duration
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"ffmpeg took longer than {timeout:.0f} s to encode {mp3}") from exc
    except OSError as exc:
        raise RenderError(f"ffmpeg could not be started: {exc}") from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode(errors="replace").strip()[-500:]
        raise RenderError(f"ffmpeg failed (exit {proc.returncode}) encoding MP3: {tail}")


def write_audio(
    path: str | os.PathLike[str],
    audio: np.ndarray,
    *,
    sample_rate: int,
    format: str = "wav",
    subtype: str | None = None,
    loop: tuple[int, int] | None = None,
) -> Path:
    """Write audio atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file; its folder must exist. The name is
        used as given, whatever its suffix.
    audio : numpy.ndarray
        float samples, (n, 2) or (n,) / (n, 1) for mono, nominally in [-1, 1].
    sample_rate : int
        Sample rate in Hz.
    format : {"wav", "flac", "ogg", "mp3"}, optional
        File format. WAV and FLAC default to 24-bit PCM; OGG is Vorbis (libsndfile); MP3 is
        320 kbit/s CBR (libmp3lame).
    subtype : str, optional
        WAV: ``PCM_24`` (default), ``PCM_16``, ``PCM_32`` or ``FLOAT`` (for stems that must
        add up exactly); FLAC: ``PCM_24`` (default) or ``PCM_16``; OGG: ``VORBIS``; MP3: none.
    loop : (int, int), optional
        WAV only: a loop over samples ``start`` to ``end`` (half-open), written as a ``smpl``
        chunk (whose end field is ``end - 1``, the last sample played). FLAC and MP3 have no
        loop chunk and ignore it (MP3 cannot loop sample-exactly anyway: encoder padding).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    InvalidOptionError
        If the format or subtype is unknown, or the sample rate is not positive.
    RenderError
        If the audio is malformed, not finite, beyond full scale for an integer format or
        MP3, or ffmpeg fails.
    OutputError
        If the file cannot be written.
    """
    fmt, sub = _check_format(format, subtype)
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or (
        not 1 <= sample_rate <= 768_000
    ):
        raise InvalidOptionError(
            f"sample_rate {sample_rate!r} is not allowed; use a positive integer number of Hz"
        )
    data = _check_audio(audio, integer=sub != "FLOAT")
    loop_range = _check_loop(loop, data.shape[0]) if loop is not None else None
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder")
    temps: list[Path] = []
    try:
        if fmt == "mp3":
            wav = _temp_path(target, ".wav")
            temps.append(wav)
            _write_soundfile(wav, data.astype(np.float32), int(sample_rate), "wav", "FLOAT")
            out = _temp_path(target, ".mp3")
            temps.append(out)
            _encode_mp3(wav, out, data.shape[0] / sample_rate)
        else:
            out = _temp_path(target, f".{fmt}")
            temps.append(out)
            _write_soundfile(out, data, int(sample_rate), fmt, sub)  # type: ignore[arg-type]
            if loop_range is not None and fmt == "wav":
                _add_loop_chunk(out, *loop_range, int(sample_rate))
        os.chmod(out, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(out, target)
        temps.remove(out)
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except RuntimeError as exc:  # soundfile.LibsndfileError
        if isinstance(exc, RenderError):
            raise
        raise OutputError(f"cannot write {target}: {exc}") from exc
    finally:
        for temp in temps:
            try:
                temp.unlink()
            except OSError:
                pass
    return target


def read_audio(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read an audio file (WAV, FLAC, MP3, anything libsndfile reads) as stereo float32.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    audio : numpy.ndarray
        float32 (n, 2); mono files are duplicated to both channels.
    sample_rate : int
        Sample rate in Hz.

    Raises
    ------
    InvalidOptionError
        If the file does not exist, cannot be decoded, or has more than two channels.
    """
    import soundfile as sf

    source = Path(path)
    if not source.is_file():
        raise InvalidOptionError(f"audio file {source} does not exist or is not a file")
    try:
        data, rate = sf.read(source, dtype="float32", always_2d=True)
    except (RuntimeError, OSError) as exc:  # soundfile.LibsndfileError is a RuntimeError
        raise InvalidOptionError(f"cannot read audio file {source}: {exc}") from exc
    if data.shape[1] == 1:
        data = np.repeat(data, 2, axis=1)
    elif data.shape[1] != 2:
        raise InvalidOptionError(
            f"audio file {source} has {data.shape[1]} channels; only mono and stereo are read"
        )
    return np.ascontiguousarray(data), int(rate)
