"""A part's events on the sample timeline: note-ons, note-offs and controller changes on the
MIDI channels of its seats (:mod:`gekiban.audio.presets`), each on a FluidSynth block boundary.

FluidSynth computes audio in blocks of 64 samples and an event takes effect at a block start,
so every event is placed on the nearest block boundary (within ±32 samples, 0.67 ms at 48 kHz)
instead of up to 64 samples late.

Expression: an Expr. seat ignores velocity and follows CC2, so its CC2 curve is built here from
the notes it plays and the part's CC11 points: ``CC2 = velocity × CC11 / 127`` (the velocity of
the latest onset, the loudest of a chord; CC11 joined by straight lines between its points,
127 before the first), at most one change per block. On the font's Expr. presets CC2 = v
sounds like velocity v on the bank-0 preset, and the product adds their levels in dB as
velocity and CC11 do on a bank-0 preset; the straight lines turn CC11 steps into swells and
move the preset's brightness with its loudness. CC11 itself is not sent to an Expr. seat; a
part that carries its own CC2 (from a MIDI file) keeps it and its CC11 as they are. Other
seats get the part's controllers as given.
"""

from __future__ import annotations

import numpy as np

from gekiban.audio.presets import DRUM_BANK, EXPRESSION_CC, Seat, seat_of
from gekiban.midi import DRUM_CHANNEL, check_control, note_spans
from gekiban.score import Part, Score

BLOCK = 64
"""FluidSynth's internal block size (FLUID_BUFSIZE) in samples."""
ORDER_OFF, ORDER_CC, ORDER_ON = range(3)
_EXPRESSION_CC11 = 11
#: ``(sample, order, channel, seq, a, b)``: order is ORDER_OFF / ORDER_CC / ORDER_ON; a, b are
#: pitch and velocity for notes, controller and value for controls.
Event = tuple[int, int, int, int, int, int]


def channel_of(seats: tuple[Seat, ...], index: int) -> int:
    """MIDI channel of seat ``index``: drums on the GM drum channel, melodic seats from 0 up,
    skipping it."""
    if seats[index].bank == DRUM_BANK:
        return DRUM_CHANNEL
    return index if index < DRUM_CHANNEL else index + 1


def part_events(score: Score, part: Part, seats: tuple[Seat, ...], *, sample_rate: int,
                frames: int) -> list[Event]:
    """Every event of ``part`` played on ``seats``, sorted, on block boundaries.

    Notes go to the seat :func:`~gekiban.audio.presets.seat_of` gives their pitch; each seat's
    notes become non-overlapping spans (:func:`gekiban.midi.note_spans`). Controls go to every
    seat (CC11 excepted on Expr. seats, which get the CC2 curve instead).

    Raises
    ------
    ScoreError
        If a control is out of range.
    """

    def to_sample(beat: float) -> int:
        s = round(score.seconds_at(beat) * sample_rate)
        return (s + BLOCK // 2) // BLOCK * BLOCK

    for c in part.controls:
        check_control(c, where=f"part {part.name}")
    by_seat: list[list] = [[] for _ in seats]
    for n in part.notes:
        by_seat[seat_of(seats, n.pitch)].append((n, 0))
    own_cc2 = any(c.number == EXPRESSION_CC for c in part.controls)
    cc11 = [(to_sample(c.beat), c.value) for c in part.controls if c.number == _EXPRESSION_CC11]
    events: list[Event] = []
    for k, seat in enumerate(seats):
        ch = channel_of(seats, k)
        if not by_seat[k] and len(seats) > 1:
            continue
        for seq, c in enumerate(part.controls):
            if not (seat.expression and not own_cc2 and c.number == _EXPRESSION_CC11):
                events.append((to_sample(c.beat), ORDER_CC, ch, seq, c.number, c.value))
        spans = note_spans(by_seat[k], to_sample)
        for on, off, pitch, vel, _ in spans:
            events.append((on, ORDER_ON, ch, pitch, pitch, vel))
            events.append((off, ORDER_OFF, ch, pitch, pitch, 0))
        if seat.expression and not own_cc2 and spans:
            seq0 = len(part.controls)
            events.extend((s, ORDER_CC, ch, seq0, EXPRESSION_CC, v)
                          for s, v in expression_curve(spans, cc11, frames=frames))
    events.sort()
    return events


def expression_curve(spans: list, cc11: list[tuple[int, int]], *, frames: int) -> list[tuple[int, int]]:
    """The CC2 changes ``(sample, value)`` of an Expr. seat, one at most per block.

    Parameters
    ----------
    spans
        The seat's note spans ``(on, off, pitch, velocity, tag)`` (samples, sorted by onset).
    cc11
        The part's CC11 points ``(sample, value)`` in score order (the last of one sample wins).
    frames
        Length of the render; no change is placed at or after it.

    Returns
    -------
    list of (int, int)
        A value at sample 0, then each block where the value changes; values 1-127.
    """
    blocks = max(1, -(-frames // BLOCK))
    times = np.arange(blocks, dtype=np.int64) * BLOCK
    onsets: dict[int, int] = {}
    for on, _, _, vel, _ in spans:
        onsets[on] = max(onsets.get(on, 0), vel)
    on_at = np.fromiter(onsets, dtype=np.int64, count=len(onsets))
    vel_at = np.fromiter(onsets.values(), dtype=np.float64, count=len(onsets))
    idx = np.searchsorted(on_at, times, side="right") - 1
    vel = vel_at[np.maximum(idx, 0)]  # before the first note: its velocity, ready for it
    level = np.full(blocks, 127.0)
    if cc11:
        last: dict[int, int] = {}
        for s, v in cc11:
            last[s] = v
        xs = np.fromiter(last, dtype=np.float64, count=len(last))
        ys = np.fromiter(last.values(), dtype=np.float64, count=len(last))
        order = np.argsort(xs, kind="stable")
        xs, ys = xs[order], ys[order]
        ramp = np.interp(times, xs, ys)
        level = np.where(times < xs[0], 127.0, ramp)
    value = np.clip(np.rint(vel * level / 127.0), 1, 127).astype(np.int64)
    change = np.flatnonzero(np.diff(value)) + 1
    keep = np.concatenate([[0], change])
    return [(int(times[i]), int(value[i])) for i in keep]
