"""SoundFont synthesis of a :class:`~gekiban.score.Score`, part by part.

Each part gets its own FluidSynth synthesizer (through pyfluidsynth's ctypes binding) with
reverb and chorus off and volume/pan left neutral (CC7 127, CC10 64): the mix stage applies
the part's gain, pan and reverb. A part plays on one or more seats, one MIDI channel each
(:mod:`gekiban.audio.presets`: a string section per channel, an Expr. preset, or its GM
program), all mixed into the part's own stereo output. Parts render in parallel threads
(ctypes releases the GIL inside FluidSynth), each streaming its audio in chunks of planar
float32 to a sink: :func:`render_parts` collects the dry parts, the mixer
(:mod:`gekiban.audio.mixdown`) runs each part's stem chain on the chunks as they come.

Why a synthesizer per part rather than one for all (with ``synth.audio-groups`` and
``fluid_synth_nwrite_float``, a stereo output per part): measured on a 60 s 7-part cue on two
cores, one synthesizer took 2.16 s (``synth.cpu-cores`` 1) or 2.65 s (2), seven in two threads
1.03 s; and a part's audio does not depend on how parts are grouped or how many threads run.
The font is still loaded once per process (:func:`~gekiban.audio.synth.load_font`): each
synthesizer reads only the preset headers, and a preset's samples are decoded once and shared
through FluidSynth's sample cache (in parallel, for parts in different threads).

Level: ``SYNTH_GAIN = 0.125`` (-18 dB). Measured with FluidR3_GM at CC7 127, velocity 127: the
loudest dense part found (8-note slow-strings chord) peaks at -7.3 dBFS, 8-note pad/organ/choir
chords at -8.5 to -10 dBFS, piano or harp arpeggios with the pedal down and 16th-note drums near
-15 dBFS; MuseScore_General is 4-5 dB quieter. Output is float, so nothing clips here anyway.

The part's own controllers (``Part.controls``: CC11 expression, CC64 sustain ...) are applied
as given (on Expr. seats CC11 becomes part of the CC2 curve, :mod:`gekiban.audio.timeline`);
a CC7 or CC10 among them acts on top of the neutral setup, so static level and pan belong in
``Part.volume`` and ``Part.pan``. Events sit on FluidSynth's 64-sample blocks.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Protocol

import numpy as np

from gekiban.audio.presets import Seat, seats
from gekiban.audio.synth import (
    Font,
    find_soundfont,
    fluidsynth_module,
    hold_presets,
    load_font,
    new_synth,
    nwrite_float,
    trim_heap,
)
from gekiban.audio.timeline import BLOCK, ORDER_CC, ORDER_ON, channel_of, part_events
from gekiban.errors import InvalidOptionError, RenderError, SoundFontError
from gekiban.score import Part, Score

__all__ = ["BLOCK", "MAX_SECONDS", "MAX_TAIL", "PartSink", "play_parts", "render_midi_cli", "render_parts",
           "usable_cpus"]

log = logging.getLogger(__name__)

MAX_SECONDS = 20 * 60.0
"""Longest score (without tail) that will be rendered."""
MAX_TAIL = 60.0
_PROGRESS_EVERY = 0.25  # seconds between progress reports


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def chunk_frames(sample_rate: int) -> int:
    """Samples per streamed chunk: eight 100 ms loudness hops (0.8 s) where the rate allows,
    so a chunk never splits a hop; 32768 otherwise."""
    return 8 * (sample_rate // 10) if sample_rate % 10 == 0 else 32768


class PartSink(Protocol):
    """Where one part's audio goes, chunk by chunk, from the thread that renders it."""

    def write(self, start: int, planar: np.ndarray) -> None:
        """Take samples ``start : start + m`` as planar float32 ``(2, m)`` (valid during the call)."""

    def finish(self) -> np.ndarray:
        """The part's result once every chunk was written (for a part without notes, ``write``
        is never called)."""


class _Collect:
    """The dry part as float32 ``(n, 2)``."""

    def __init__(self, frames: int) -> None:
        self.out = np.zeros((frames, 2), dtype=np.float32)

    def write(self, start: int, planar: np.ndarray) -> None:
        self.out[start : start + planar.shape[1]] = planar.T

    def finish(self) -> np.ndarray:
        return self.out


# --------------------------------------------------------------------------- rendering


def _select(synth: object, sfid: int, font: Font, part: Part, chosen: tuple[Seat, ...], used: set[int]) -> None:
    fs = fluidsynth_module()
    ptr = synth.synth  # type: ignore[attr-defined]
    for k in sorted(used):
        seat, ch = chosen[k], channel_of(chosen, k)
        if fs.fluid_synth_program_select(ptr, ch, sfid, seat.bank, seat.program) != 0:
            log.warning("SoundFont %s has no preset %d:%d for part %s; using %d:0", font.path, seat.bank,
                        seat.program, part.name, seat.bank)
            if fs.fluid_synth_program_select(ptr, ch, sfid, seat.bank, 0) != 0:
                raise SoundFontError(f"{font.path} has no preset {seat.bank}:{seat.program} nor {seat.bank}:0 for "
                                     f"part {part.name}; use a General MIDI SoundFont")
        fs.fluid_synth_cc(ptr, ch, 7, 127)  # neutral: the mixer applies the part's volume ...
        fs.fluid_synth_cc(ptr, ch, 10, 64)  # ... and pan
    hold_presets(font, [(chosen[k].bank, chosen[k].program) for k in used])


def _play_part(score: Score, part: Part, sink: PartSink, *, font: Font, sample_rate: int, frames: int,
               deadline: float, stop: threading.Event, done: Callable[[int], None]) -> np.ndarray:
    if not part.notes:
        done(frames)
        return sink.finish()
    fs = fluidsynth_module()
    write = nwrite_float()
    chosen = seats(part, score, font)
    events = part_events(score, part, chosen, sample_rate=sample_rate, frames=frames)
    channels = {channel_of(chosen, k): k for k in range(len(chosen))}
    used = {channels[e[2]] for e in events if e[1] == ORDER_ON}
    synth, sfid = new_synth(font.path, sample_rate)
    try:
        ptr = synth.synth
        _select(synth, sfid, font, part, chosen, used)
        chunk = chunk_frames(sample_rate)
        scratch = np.empty((2, chunk), dtype=np.float32)
        left, right = (ctypes.c_void_p * 1)(), (ctypes.c_void_p * 1)()
        base, row = scratch.ctypes.data, chunk * scratch.itemsize
        pos = start = 0

        def advance(to: int) -> None:
            nonlocal pos, start
            while pos < to:
                if stop.is_set():
                    raise _Stopped
                if time.monotonic() > deadline:
                    raise RenderError(f"rendering part {part.name} went past the time limit")
                count = min(to, start + chunk) - pos
                left[0] = base + (pos - start) * scratch.itemsize
                right[0] = left[0] + row
                if write(ptr, count, left, right, None, None) != 0:
                    raise RenderError(f"FluidSynth failed while rendering part {part.name}")
                pos += count
                if pos == start + chunk or pos == frames:
                    sink.write(start, scratch[:, : pos - start])
                    start = pos
                    done(pos)

        for sample, order, ch, _, a, b in events:
            if sample >= frames:
                break
            advance(sample)
            if order == ORDER_ON:
                fs.fluid_synth_noteon(ptr, ch, a, b)
            elif order == ORDER_CC:
                fs.fluid_synth_cc(ptr, ch, a, b)
            else:
                fs.fluid_synth_noteoff(ptr, ch, a)
        advance(frames)
    finally:
        synth.delete()
        trim_heap()  # its samples and voices, unless another part's synthesizer still uses them
    return sink.finish()


class _Stopped(Exception):
    """Another part failed; this one gives up quietly."""


def check_options(score: Score, sample_rate: int, tail: float, workers: int | None, timeout: float) -> int:
    """Check the render options; the number of frames to render.

    Raises
    ------
    InvalidOptionError
        If an option is out of range.
    RenderError
        If the score is longer than 20 minutes.
    """
    if not isinstance(sample_rate, (int, np.integer)) or not (8000 <= sample_rate <= 96000):
        raise InvalidOptionError(f"sample rate {sample_rate!r} is outside 8000-96000 Hz")
    if not (0 <= tail <= MAX_TAIL):
        raise InvalidOptionError(f"tail {tail!r} s is outside 0-{MAX_TAIL:g} s")
    if workers is not None and (not isinstance(workers, (int, np.integer)) or workers < 1):
        raise InvalidOptionError(f"workers {workers!r} must be a whole number ≥ 1")
    if not (timeout > 0):
        raise InvalidOptionError(f"timeout {timeout!r} s must be > 0")
    if score.duration > MAX_SECONDS:
        raise RenderError(f"the score lasts {score.duration:.1f} s; at most {MAX_SECONDS:.0f} s (20 minutes) is rendered")
    return round((score.duration + tail) * sample_rate)


def _cost(score: Score, part: Part) -> float:
    """Rough work of a part, to start the biggest first: voice time and a fixed share for the mix."""
    voices = sum(score.seconds_at(n.start + n.duration) - score.seconds_at(n.start) + 0.5 for n in part.notes)
    return voices + 4.0 * score.duration * bool(part.notes)


def play_parts(score: Score, sinks: Sequence[PartSink], *, font: Font, sample_rate: int, frames: int,
               workers: int | None = None, timeout: float = 600.0,
               progress: Callable[[float], None] | None = None) -> list[np.ndarray]:
    """Render every part of ``score`` into its sink, ``workers`` parts at a time (default: one
    per CPU), the costliest first; returns each sink's :meth:`~PartSink.finish` in part order.

    ``progress`` is called on the calling thread with the fraction done (0-1), a few times a
    second. A failing part (or a raising ``progress``) stops the others at their next chunk.
    """
    if not score.parts:
        return []
    fluidsynth_module()
    deadline = time.monotonic() + timeout
    stop = threading.Event()
    results: list[np.ndarray | None] = [None] * len(score.parts)
    done_frames = [0] * len(score.parts)  # written by the workers, read for progress only

    def job(i: int) -> None:
        results[i] = _play_part(score, score.parts[i], sinks[i], font=font, sample_rate=sample_rate, frames=frames,
                                deadline=deadline, stop=stop, done=lambda n: done_frames.__setitem__(i, n))

    total = frames * len(score.parts)
    order = sorted(range(len(score.parts)), key=lambda i: -_cost(score, score.parts[i]))
    threads = min(workers or usable_cpus(), len(score.parts))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="gekiban-render") as pool:
        futures = [pool.submit(job, i) for i in order]
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


def render_parts(score: Score, *, sample_rate: int = 48000, soundfont: str | os.PathLike[str] | None = None,
                 tail: float = 4.0, workers: int | None = None, timeout: float = 600.0,
                 progress: Callable[[float], None] | None = None) -> list[np.ndarray]:
    """Render every part of ``score`` to its own stereo buffer.

    Parameters
    ----------
    score
        The piece; times go through its tempo map.
    sample_rate
        Output rate in Hz (8000-96000).
    soundfont
        SoundFont to use; see :func:`~gekiban.audio.synth.find_soundfont`.
    tail
        Seconds after the last bar for releases to ring out (0-60).
    workers
        Parts rendered at once, each in its own thread and FluidSynth instance (default: the
        number of CPUs). The result does not depend on it.
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
    frames = check_options(score, sample_rate, tail, workers, timeout)
    font = load_font(find_soundfont(soundfont))
    sinks = [_Collect(frames) for _ in score.parts]
    return play_parts(score, sinks, font=font, sample_rate=sample_rate, frames=frames, workers=workers,
                      timeout=timeout, progress=progress)


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
