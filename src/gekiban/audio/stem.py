"""Per-stem processing: one dry rendered part becomes a finished stem (gain, pan, EQ and its
own reverb), so the plain sum of the stems is the whole pre-master mix."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gekiban.audio.reverb import add_reverb
from gekiban.audio.signal import as_stereo, check_sample_rate, check_unit
from gekiban.roles import role_of

# Stem processing settings.
_HIGHPASS_HZ = 35.0
_LOW_SHELF_HZ = 200.0
_HIGH_SHELF_HZ = 5_000.0
_LOW_SHELF_DB_PER_BRIGHTNESS = -2.0
_HIGH_SHELF_DB_PER_BRIGHTNESS = 4.0
_CHUNK = 1 << 16  # samples per processing block in process_stem


def volume_db(volume: float) -> float:
    """Gain in dB for a part volume 0-1 (the General MIDI CC7 curve, ``40 log10 v``).

    ``1.0`` is 0 dB, ``0.8`` is -3.9 dB, ``0.5`` is -12 dB, ``0`` is silence (-inf).
    """
    volume = check_unit("volume", volume, 0.0, 1.0)
    return 40.0 * math.log10(volume) if volume > 0 else -math.inf


class StemChain:
    """The stem chain of one part, run chunk by chunk on planar audio (see :func:`process_stem`
    for what it does; the settings are checked the same way).

    Each :meth:`process` call takes the next chunk in order, float32 ``(2, m)``, and writes the
    dry stem (EQ, gain, pan) into ``out[start : start + m]`` of a float32 ``(n, 2)`` buffer; the
    filter state carries across calls, so any chunking gives the one-pass result. Only the
    last chunk may be shorter than 64 samples. :meth:`finish` then adds the reverb to the whole
    buffer.
    """

    def __init__(self, *, sample_rate: int, volume: float, pan: float, reverb: float, brightness: float = 0.0,
                 is_drum: bool = False, role: str = "") -> None:
        import pedalboard  # lazy: keeps `gekiban --help` fast

        self.sample_rate = check_sample_rate(sample_rate)
        gain_db = volume_db(volume)
        pan = check_unit("pan", pan, -1.0, 1.0)
        reverb = check_unit("reverb", reverb, 0.0, 1.0)
        brightness = check_unit("brightness", brightness, -1.0, 1.0)
        self.gain_db = gain_db
        self.silent = gain_db == -math.inf
        self.gain = np.float32(10.0 ** (gain_db / 20.0)) if not self.silent else np.float32(0.0)
        eq: list[Any] = []
        if not (is_drum or role_of(role).low_end):
            eq.append(pedalboard.HighpassFilter(cutoff_frequency_hz=_HIGHPASS_HZ))
        if brightness != 0.0:
            eq.append(pedalboard.LowShelfFilter(cutoff_frequency_hz=_LOW_SHELF_HZ,
                                                gain_db=_LOW_SHELF_DB_PER_BRIGHTNESS * brightness))
            eq.append(pedalboard.HighShelfFilter(cutoff_frequency_hz=_HIGH_SHELF_HZ,
                                                 gain_db=_HIGH_SHELF_DB_PER_BRIGHTNESS * brightness))
        self.board = pedalboard.Pedalboard(eq) if eq else None
        self.reverb = reverb
        self.pan = pan

    def process(self, planar: np.ndarray, out: np.ndarray, start: int) -> None:
        """Run the chain on the next chunk ``planar`` (float32 ``(2, m)``, left unchanged) and
        write the result into ``out[start : start + m]``."""
        m = planar.shape[1]
        if self.silent:
            out[start : start + m] = 0.0
            return
        # pedalboard takes (channels, samples); pad very short chunks so the layout is unambiguous.
        y = planar if m >= 64 else np.pad(planar, ((0, 0), (0, 64 - m)))
        if self.board is not None:
            y = self.board(y, self.sample_rate, reset=False)
            y *= self.gain
        else:
            y = y * self.gain
        if self.pan != 0.0:
            y = _pan_planar(y, self.pan)
        out[start : start + m] = y[:, :m].T

    def finish(self, out: np.ndarray) -> None:
        """Add the stem's reverb to the whole processed buffer ``out`` (float32 ``(n, 2)``), in place."""
        if not self.silent:
            add_reverb(out, send=self.reverb, sample_rate=self.sample_rate)


def _pan_planar(y: np.ndarray, pan: float) -> np.ndarray:
    """Constant-power pan of planar ``(2, m)`` audio, unity at centre.

    The mid (L+R)/2 is placed with the sin/cos law scaled by sqrt(2), so a centred part keeps
    its level and a mono source keeps its power wherever it is panned; the side (L-R)/2 narrows
    by ``1 - |pan|`` so a hard-panned part ends up in one speaker.
    """
    theta = (pan + 1.0) * math.pi / 4.0
    gl = np.float32(math.sqrt(2.0) * math.cos(theta))
    gr = np.float32(math.sqrt(2.0) * math.sin(theta))
    width = np.float32(1.0 - abs(pan))
    mid = (y[0] + y[1]) * np.float32(0.5)
    side = (y[0] - y[1]) * np.float32(0.5)
    out = np.empty_like(y)
    out[0] = gl * mid + width * side
    out[1] = gr * mid - width * side
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
    room 0.55, dry at unity, wet ``0.5 * reverb``, run as a convolution:
    :mod:`gekiban.audio.reverb`). Because every stem carries its own reverb, the plain sum
    of processed stems is the whole pre-master mix. Every step is linear, so a gain applied
    before the chain or after it gives the same stem (to float rounding).

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
    chain = StemChain(sample_rate=sample_rate, volume=volume, pan=pan, reverb=reverb, brightness=brightness,
                      is_drum=is_drum, role=role)
    x = as_stereo(audio, what="stem audio")
    n = x.shape[0]
    if n == 0 or chain.silent:
        return np.zeros((n, 2), dtype=np.float32)
    out = x if inplace and x is audio and x.dtype == np.float32 else np.empty((n, 2), dtype=np.float32)
    # Chunks keep the working memory small on long cues; the chain carries the filter and
    # reverb state across chunk borders, so the result equals one pass over the whole buffer.
    for start in range(0, n, _CHUNK):
        end = min(n, start + _CHUNK)
        chain.process(np.ascontiguousarray(x[start:end].T, dtype=np.float32), out, start)
    chain.finish(out)
    return out
