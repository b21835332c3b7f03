"""Per-stem processing: one dry rendered part becomes a finished stem (gain, pan, EQ and its
own reverb), so the plain sum of the stems is the whole pre-master mix."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gekiban.audio.signal import as_stereo, check_sample_rate, check_unit
from gekiban.roles import role_of

# Stem processing settings.
_HIGHPASS_HZ = 35.0
_LOW_SHELF_HZ = 200.0
_HIGH_SHELF_HZ = 5_000.0
_LOW_SHELF_DB_PER_BRIGHTNESS = -2.0
_HIGH_SHELF_DB_PER_BRIGHTNESS = 4.0
_REVERB_ROOM = 0.55
_REVERB_DAMPING = 0.5
_REVERB_WET_PER_SEND = 0.5  # pedalboard wet_level at reverb=1.0 (wet RMS about -3.6 dB re dry)
_CHUNK = 1 << 16  # samples per processing block in process_stem


def volume_db(volume: float) -> float:
    """Gain in dB for a part volume 0-1 (the General MIDI CC7 curve, ``40 log10 v``).

    ``1.0`` is 0 dB, ``0.8`` is -3.9 dB, ``0.5`` is -12 dB, ``0`` is silence (-inf).
    """
    volume = check_unit("volume", volume, 0.0, 1.0)
    return 40.0 * math.log10(volume) if volume > 0 else -math.inf


def _pan(audio: np.ndarray, pan: float) -> np.ndarray:
    """Constant-power pan of a stereo buffer, unity at centre.

    The mid (L+R)/2 is placed with the sin/cos law scaled by sqrt(2), so a centred part keeps
    its level and a mono source keeps its power wherever it is panned; the side (L-R)/2 narrows
    by ``1 - |pan|`` so a hard-panned part ends up in one speaker.
    """
    if pan == 0.0:
        return audio
    theta = (pan + 1.0) * math.pi / 4.0
    gl = np.float32(math.sqrt(2.0) * math.cos(theta))
    gr = np.float32(math.sqrt(2.0) * math.sin(theta))
    width = np.float32(1.0 - abs(pan))
    mid = (audio[:, 0] + audio[:, 1]) * np.float32(0.5)
    side = (audio[:, 0] - audio[:, 1]) * np.float32(0.5)
    out = np.empty_like(audio)
    out[:, 0] = gl * mid + width * side
    out[:, 1] = gr * mid - width * side
    return out


def process_stem(
    audio: np.ndarray,
    *,
    sample_rate: int,
    volume: float,
    pan: float,
    reverb: float,
    brightness: float = 0.0,
    is_drum: bool = False,
    role: str = "",
    inplace: bool = False,
) -> np.ndarray:
    """Turn one dry rendered part into a finished stem.

    Chain (all effects from ``pedalboard``, a fresh instance per call, so the result is
    deterministic): high-pass 35 Hz (12 dB/oct; skipped for drum parts and the roles
    whose low end the role table keeps, :mod:`gekiban.roles`) → optional tilt EQ (low shelf
    200 Hz ``-2 * brightness`` dB, high shelf 5 kHz ``+4 * brightness`` dB) → gain
    (:func:`volume_db`) → constant-power pan → the stem's own reverb (``pedalboard.Reverb``,
    room 0.55, dry at unity, wet ``0.5 * reverb``). Because every stem carries its own reverb,
    the plain sum of processed stems is the whole pre-master mix.

    Parameters
    ----------
    audio : numpy.ndarray
        Dry part, float (n, 2) (mono (n,) or (n, 1) is duplicated to stereo).
    sample_rate : int
        Sample rate in Hz.
    volume : float
        Part volume 0-1 (``Part.volume``).
    pan : float
        -1 (left) to 1 (right) (``Part.pan``).
    reverb : float
        Reverb send 0-1 (``Part.reverb``).
    brightness : float, optional
        -1 (darker) to 1 (brighter); 0 leaves the tone alone.
    is_drum : bool, optional
        Drum parts keep their low end.
    role : str, optional
        Part role; roles the role table marks ``low_end`` (bass, drums, percussion) keep their
        low end.
    inplace : bool, optional
        Write the result over ``audio`` (float32 (n, 2)) to save memory on long cues.

    Returns
    -------
    numpy.ndarray
        float32 (n, 2), the same length as ``audio`` (the reverb tail is cut at the end; the
        renderer leaves room for it).

    Raises
    ------
    InvalidOptionError
        If a setting is out of range.
    RenderError
        If the audio is not a finite (n, 2) or (n,) array.
    """
    import pedalboard  # lazy: keeps `gekiban --help` fast

    sample_rate = check_sample_rate(sample_rate)
    gain_db = volume_db(volume)
    pan = check_unit("pan", pan, -1.0, 1.0)
    reverb = check_unit("reverb", reverb, 0.0, 1.0)
    brightness = check_unit("brightness", brightness, -1.0, 1.0)
    x = as_stereo(audio, what="stem audio")
    n = x.shape[0]
    if n == 0 or gain_db == -math.inf:
        return np.zeros((n, 2), dtype=np.float32)

    keep_low = is_drum or role_of(role).low_end
    eq: list[Any] = []
    if not keep_low:
        eq.append(pedalboard.HighpassFilter(cutoff_frequency_hz=_HIGHPASS_HZ))
    if brightness != 0.0:
        eq.append(
            pedalboard.LowShelfFilter(
                cutoff_frequency_hz=_LOW_SHELF_HZ,
                gain_db=_LOW_SHELF_DB_PER_BRIGHTNESS * brightness,
            )
        )
        eq.append(
            pedalboard.HighShelfFilter(
                cutoff_frequency_hz=_HIGH_SHELF_HZ,
                gain_db=_HIGH_SHELF_DB_PER_BRIGHTNESS * brightness,
            )
        )

    room = None
    if reverb > 0.0:
        room = pedalboard.Reverb(
            room_size=_REVERB_ROOM,
            damping=_REVERB_DAMPING,
            wet_level=_REVERB_WET_PER_SEND * reverb,
            dry_level=0.5,  # JUCE's reverb doubles the dry level: 0.5 is unity
            width=1.0,
            freeze_mode=0.0,
        )
    board = pedalboard.Pedalboard(eq) if eq else None
    gain = np.float32(10.0 ** (gain_db / 20.0))
    out = x if inplace and x is audio and x.dtype == np.float32 else np.empty((n, 2), dtype=np.float32)
    # Chunks keep the working memory small on long cues; reset=False carries the filter and
    # reverb state across chunk borders, so the result equals one pass over the whole buffer.
    for start in range(0, n, _CHUNK):
        end = min(n, start + _CHUNK)
        # pedalboard takes (channels, samples); pad very short buffers so the layout is unambiguous.
        pad = max(0, 64 - (end - start))
        chans = np.ascontiguousarray(np.pad(x[start:end], ((0, pad), (0, 0))).T)
        if board is not None:
            chans = board(chans, sample_rate, reset=False)
        y = np.ascontiguousarray(chans.T)
        y *= gain
        y = _pan(y, pan)
        if room is not None:
            y = np.ascontiguousarray(room(np.ascontiguousarray(y.T), sample_rate, reset=False).T)
        out[start:end] = y[: end - start]
    return out
