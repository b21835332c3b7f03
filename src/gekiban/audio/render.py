"""SoundFont synthesis of a :class:`~gekiban.score.Score`: one stereo float32 buffer per part.

Each part gets its own in-process FluidSynth (through pyfluidsynth's ctypes binding) with reverb
and chorus off and volume/pan left neutral (CC7 127, CC10 64): the mix stage applies the part's
gain, pan and reverb. Parts render in parallel threads; ctypes releases the GIL inside FluidSynth.

Level: ``SYNTH_GAIN = 0.125`` (-18 dB). Measured with FluidR3_GM at CC7 127, velocity 127: the
loudest dense part found (8-note slow-strings chord) peaks at -7.3 dBFS, 8-note pad/organ/choir
chords at -8.5 to -10 dBFS, piano or harp arpeggios with the pedal down and 16th-note drums near
-15 dBFS; MuseScore_General is 4-5 dB quieter. Output is float, so nothing clips here anyway.

The part's own controllers (``Part.controls``: CC11 expression, CC64 sustain ...) are applied
as given; a CC7 or CC10 among them acts on top of the neutral setup, so static level and pan
belong in ``Part.volume`` and ``Part.pan``.

Timing: FluidSynth computes audio in blocks of 64 samples and a note-on takes effect at a block
start, so every event is placed on the nearest block boundary (within ±32 samples, 0.67 ms at
48 kHz) instead of up to 64 samples late.

Memory: samples are loaded on demand (``synth.dynamic-sample-loading``) and FluidSynth's sample
cache shares them between the synths of one process; each further synth costs about 13 MB.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path

import numpy as np

from gekiban.audio.synth import (
    find_soundfont,
    fluidsynth_module,
    new_synth,
    write_float,
)
from gekiban.errors import InvalidOptionError, RenderError, SoundFontError
from gekiban.midi import DRUM_CHANNEL, check_control, note_spans
from gekiban.score import Part, Score

log = logging.getLogger(__name__)


MAX_SECONDS = 20 * 60.0
"""Longest score (without tail) that will be rendered."""
MAX_TAIL = 60.0
BLOCK = 64
"""FluidSynth's internal block size (FLUID_BUFSIZE) in samples."""
_CHUNK = BLOCK * 256  # samples rendered between deadline checks (~0.34 s at 48 kHz)
_PROGRESS_EVERY = 0.25  # seconds between progress reports
_MELODIC_CHANNEL = 0
_ORDER_OFF, _ORDER_CC, _ORDER_ON = range(3)


# --------------------------------------------------------------------------- rendering


def _part_events(score: Score, part: Part, sample_rate: int) -> list[tuple[int, int, int, int, int]]:
    """``(sample, order, seq, a, b)`` events of one part, on FluidSynth block boundaries."""

    def to_sample(beat: float) -> int:
        s = round(score.seconds_at(beat) * sample_rate)
        return (s + BLOCK // 2) // BLOCK * BLOCK

    events = []
    for seq, c in enumerate(part.controls):
        check_control(c, where=f"part {part.name}")
        events.append((to_sample(c.beat), _ORDER_CC, seq, c.number, c.value))
    for on, off, pitch, vel, _ in note_spans(((n, 0) for n in part.notes), to_sample):
        events.append((on, _ORDER_ON, pitch, pitch, vel))
        events.append((off, _ORDER_OFF, pitch, pitch, 0))
    events.sort()
    return events


def _render_part(score: Score, part: Part, *, soundfont: Path, sample_rate: int, frames: int,
                 deadline: float, stop: threading.Event, done: Callable[[int], None]) -> np.ndarray:
    out = np.zeros((frames, 2), dtype=np.float32)
    if not part.notes:
        done(frames)
        return out
    fs = fluidsynth_module()
    write = write_float()
    events = _part_events(score, part, sample_rate)
    synth, sfid = new_synth(soundfont, sample_rate)
    try:
        ptr = synth.synth
        ch = DRUM_CHANNEL if part.is_drum else _MELODIC_CHANNEL
        bank = 128 if part.is_drum else 0
        if fs.fluid_synth_program_select(ptr, ch, sfid, bank, part.program) != 0:
            log.warning("SoundFont %s has no preset %d:%d for part %s; using %d:0", soundfont, bank,
                        part.program, part.name, bank)
            if fs.fluid_synth_program_select(ptr, ch, sfid, bank, 0) != 0:
                raise SoundFontError(f"{soundfont} has no preset {bank}:{part.program} nor {bank}:0 for part "
                                     f"{part.name}; use a General MIDI SoundFont")
        fs.fluid_synth_cc(ptr, ch, 7, 127)  # neutral: the mixer applies the part's volume ...
        fs.fluid_synth_cc(ptr, ch, 10, 64)  # ... and pan
        base = out.ctypes.data
        pos = 0

        def advance(to: int) -> None:
            nonlocal pos
            while pos < to:
                if stop.is_set():
                    raise _Stopped
                if time.monotonic() > deadline:
                    raise RenderError(f"rendering part {part.name} went past the time limit")
                count = min(to - pos, _CHUNK)
                if write(ptr, count, base, 2 * pos, 2, base, 2 * pos + 1, 2) != 0:
                    raise RenderError(f"FluidSynth failed while rendering part {part.name}")
                pos += count
                done(pos)

        for sample, order, _, a, b in events:
            if sample >= frames:
                break
            advance(sample)
            if order == _ORDER_ON:
                fs.fluid_synth_noteon(ptr, ch, a, b)
            elif order == _ORDER_OFF:
                fs.fluid_synth_noteoff(ptr, ch, a)
            else:
                fs.fluid_synth_cc(ptr, ch, a, b)
        advance(frames)
    finally:
        synth.delete()
    return out


class _Stopped(Exception):
    """Another part failed; this one gives up quietly."""


def _check_options(score: Score, sample_rate: int, tail: float, workers: int, timeout: float) -> int:
    if not isinstance(sample_rate, (int, np.integer)) or not (8000 <= sample_rate <= 96000):
        raise InvalidOptionError(f"sample rate {sample_rate!r} is outside 8000-96000 Hz")
    if not (0 <= tail <= MAX_TAIL):
        raise InvalidOptionError(f"tail {tail!r} s is outside 0-{MAX_TAIL:g} s")
    if not isinstance(workers, (int, np.integer)) or workers < 1:
        raise InvalidOptionError(f"workers {workers!r} must be a whole number ≥ 1")
    if not (timeout > 0):
        raise InvalidOptionError(f"timeout {timeout!r} s must be > 0")
    if score.duration > MAX_SECONDS:
        raise RenderError(f"the score lasts {score.duration:.1f} s; at most {MAX_SECONDS:.0f} s (20 minutes) is rendered")
    return round((score.duration + tail) * sample_rate)


def render_parts(score: Score, *, sample_rate: int = 48000, soundfont: str | os.PathLike[str] | None = None,
                 tail: float = 4.0, workers: int = 2, timeout: float = 600.0,
                 progress: Callable[[float], None] | None = None) -> list[np.ndarray]:
    """Render every part of ``score`` to its own stereo buffer.

    Parameters
    ----------
    score
        The piece; times go through its tempo map.
    sample_rate
        Output rate in Hz (8000-96000).
    soundfont
        SoundFont to use; see :func:`find_soundfont`.
    tail
        Seconds after the last bar for releases to ring out (0-60).
    workers
        Parts rendered at once, each in its own thread and FluidSynth instance.
    timeout
        Wall-clock limit in seconds for the whole render.
    progress
        Called on the calling thread with the fraction done (0-1), a few times a second.

    Returns
    -------
    list of numpy.ndarray
        One float32 array of shape ``(n, 2)`` per part, in part order, all with
        ``n = round((score.duration + tail) * sample_rate)``. Dry (no reverb or chorus), volume
        and pan neutral; the part's controllers (CC11 expression, CC64 sustain ...) applied.

    Raises
    ------
    SoundFontError
        If no SoundFont is found or it cannot be loaded.
    RenderError
        If the score is longer than 20 minutes, FluidSynth fails, or ``timeout`` passes.
    InvalidOptionError
        If an option is out of range.
    """
    frames = _check_options(score, sample_rate, tail, workers, timeout)
    path = find_soundfont(soundfont)
    if not score.parts:
        return []
    fluidsynth_module()
    deadline = time.monotonic() + timeout
    stop = threading.Event()
    results: list[np.ndarray | None] = [None] * len(score.parts)
    done_frames = [0] * len(score.parts)  # written by the workers, read for progress only

    def job(i: int) -> None:
        results[i] = _render_part(score, score.parts[i], soundfont=path, sample_rate=sample_rate, frames=frames,
                                  deadline=deadline, stop=stop, done=lambda n: done_frames.__setitem__(i, n))

    total = frames * len(score.parts)
    with ThreadPoolExecutor(max_workers=min(workers, len(score.parts)), thread_name_prefix="gekiban-render") as pool:
        futures = [pool.submit(job, i) for i in range(len(score.parts))]
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=_PROGRESS_EVERY, return_when=FIRST_EXCEPTION)
                if any(f.exception() is not None for f in finished):
                    break
                if progress is not None:
                    progress(min(1.0, sum(done_frames) / total) if total else 1.0)
        finally:  # a failed part, a raising callback or Ctrl-C: the others give up at their next chunk
            if pending:
                stop.set()
                for f in futures:
                    f.cancel()
    errors = [f.exception() for f in futures if not f.cancelled() and f.exception() is not None]
    real = [e for e in errors if not isinstance(e, _Stopped)]
    if real:
        raise real[0]
    if progress is not None:
        progress(1.0)
    return results  # type: ignore[return-value]


# --------------------------------------------------------------------------- command-line baseline


def render_midi_cli(midi_path: str | os.PathLike[str], wav_path: str | os.PathLike[str], *, sample_rate: int = 48000,
                    soundfont: str | os.PathLike[str] | None = None, timeout: float = 600.0) -> Path:
    """Render a whole MIDI file with the ``fluidsynth`` command line (benchmark baseline).

    Runs ``fluidsynth -ni -F OUT -r SR -T wav SOUNDFONT MIDI`` (default reverb and chorus on,
    16-bit WAV) and moves the result to ``wav_path`` only when it succeeded.

    Parameters
    ----------
    midi_path
        Standard MIDI file.
    wav_path
        Output WAV file; its folder must exist.
    sample_rate
        Output rate in Hz.
    soundfont
        SoundFont to use; see :func:`find_soundfont`.
    timeout
        Seconds before the process is killed.

    Returns
    -------
    Path
        ``wav_path``.

    Raises
    ------
    RenderError
        If ``fluidsynth`` is missing, fails or runs past ``timeout``.
    SoundFontError
        If no SoundFont is found.
    """
    exe = shutil.which("fluidsynth")
    if exe is None:
        raise RenderError("the fluidsynth command is not installed; install it with `sudo apt-get install fluidsynth`")
    font = find_soundfont(soundfont)
    midi, wav = Path(midi_path), Path(wav_path)
    if not midi.is_file():
        raise RenderError(f"MIDI file {os.fspath(midi)!r} does not exist")
    tmp = wav.with_name(f".{wav.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    cmd = [exe, "-ni", "-F", os.fspath(tmp), "-r", str(sample_rate), "-T", "wav", os.fspath(font), os.fspath(midi)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        if proc.returncode != 0 or not tmp.is_file():
            tail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()[-400:]
            raise RenderError(f"fluidsynth failed on {os.fspath(midi)!r} (exit {proc.returncode}): {tail}")
        os.replace(tmp, wav)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"fluidsynth did not finish {os.fspath(midi)!r} within {timeout:g} s") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return wav
