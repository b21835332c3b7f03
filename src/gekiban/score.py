"""The Score: the one central value of the pipeline, in musical time.

Times are in quarter-note beats from the start of the piece; seconds appear only through the
tempo map (:meth:`Score.seconds_at`) at rendering. All classes are frozen; build new values with
:func:`dataclasses.replace`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from gekiban.errors import ScoreError
from gekiban.theory import Chord, Key, Meter


@dataclass(frozen=True)
class Note:
    """One note: MIDI pitch, onset and length in beats, MIDI velocity."""

    pitch: int
    start: float
    duration: float
    velocity: int = 80

    @property
    def end(self) -> float:
        """Offset in beats."""
        return self.start + self.duration


@dataclass(frozen=True)
class Control:
    """A MIDI controller value (e.g. 11 expression, 64 sustain) at a beat."""

    beat: float
    number: int
    value: int


@dataclass(frozen=True)
class Part:
    """One performer's line: a role, an instrument and its notes.

    ``instrument`` is an id from the instrument registry (``"french-horn"``), ``program`` its GM
    program (0-based). Drum parts play on the GM drum channel; their pitches are drum-map keys.
    """

    role: str
    instrument: str
    program: int
    notes: tuple[Note, ...] = ()
    is_drum: bool = False
    volume: float = 0.8
    pan: float = 0.0
    reverb: float = 0.25
    controls: tuple[Control, ...] = ()

    @property
    def name(self) -> str:
        """Stem-style name ``role-instrument``."""
        return f"{self.role}-{self.instrument}"


@dataclass(frozen=True)
class Section:
    """A formal section over whole bars.

    ``name`` is its label in the form (intro, A, B, climax, A', bridge, outro...); ``kind`` its
    function (intro, verse, chorus, bridge, outro), which picks the harmony pool; ``energy`` and
    ``tension`` (0-1) drive the arrangement.
    """

    name: str
    start_bar: int
    bars: int
    energy: float = 0.5
    tension: float = 0.3
    kind: str = "verse"

    @property
    def end_bar(self) -> int:
        """First bar after the section."""
        return self.start_bar + self.bars


@dataclass(frozen=True)
class ChordEvent:
    """A chord held from ``start`` for ``duration`` beats; ``roman`` is its function in the key."""

    start: float
    duration: float
    chord: Chord
    roman: str = ""

    @property
    def end(self) -> float:
        """Offset in beats."""
        return self.start + self.duration


@dataclass(frozen=True)
class TempoChange:
    """Tempo in quarter notes per minute from ``beat`` on."""

    beat: float
    bpm: float


@dataclass(frozen=True)
class Marker:
    """A named point in the score (section starts, hit points)."""

    beat: float
    text: str


@dataclass(frozen=True)
class Score:
    """A complete piece in musical time."""

    meter: Meter
    key: Key
    tempo: tuple[TempoChange, ...]
    bars: int
    sections: tuple[Section, ...] = ()
    chords: tuple[ChordEvent, ...] = ()
    parts: tuple[Part, ...] = ()
    markers: tuple[Marker, ...] = ()
    _tempo_seconds: tuple[float, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_score(self)
        secs, acc = [], 0.0
        for i, t in enumerate(self.tempo):
            if i:
                prev = self.tempo[i - 1]
                acc += (t.beat - prev.beat) * 60.0 / prev.bpm
            secs.append(acc)
        object.__setattr__(self, "_tempo_seconds", tuple(secs))

    @property
    def total_beats(self) -> float:
        """Length of the music (without release tail) in beats."""
        return self.bars * self.meter.bar_beats

    @property
    def duration(self) -> float:
        """Length of the music in seconds."""
        return self.seconds_at(self.total_beats)

    def bar_beat(self, bar: int) -> float:
        """Beat at which 0-based ``bar`` starts."""
        return bar * self.meter.bar_beats

    def seconds_at(self, beat: float) -> float:
        """Seconds from the start to ``beat`` through the tempo map."""
        i = bisect.bisect_right([t.beat for t in self.tempo], beat) - 1
        i = max(i, 0)
        t = self.tempo[i]
        return self._tempo_seconds[i] + (beat - t.beat) * 60.0 / t.bpm

    def part(self, role: str) -> Part:
        """The first part with ``role``.

        Raises
        ------
        ScoreError
            If no part has that role.
        """
        for p in self.parts:
            if p.role == role:
                return p
        raise ScoreError(f"no part with role {role!r}; roles: {', '.join(p.role for p in self.parts)}")

    def chord_at(self, beat: float) -> ChordEvent | None:
        """The chord sounding at ``beat``, if any."""
        starts = [c.start for c in self.chords]
        i = bisect.bisect_right(starts, beat) - 1
        if i >= 0 and self.chords[i].end > beat:
            return self.chords[i]
        return None


def check_note(note: Note, *, where: str = "note") -> None:
    """Raise :class:`ScoreError` unless the note is a valid MIDI note in musical time."""
    if not (0 <= note.pitch <= 127):
        raise ScoreError(f"{where}: pitch {note.pitch} is outside MIDI 0-127")
    if not (1 <= note.velocity <= 127):
        raise ScoreError(f"{where}: velocity {note.velocity} is outside 1-127")
    if note.start < 0 or note.duration <= 0:
        raise ScoreError(f"{where}: start {note.start} and duration {note.duration} must be ≥ 0 and > 0 beats")


def check_score(score: Score) -> None:
    """Raise :class:`ScoreError` if the score breaks an invariant."""
    if not score.tempo or score.tempo[0].beat != 0:
        raise ScoreError("the tempo map must start with a tempo at beat 0")
    for t in score.tempo:
        if not (10 <= t.bpm <= 400):
            raise ScoreError(f"tempo {t.bpm} bpm at beat {t.beat} is outside 10-400")
    if any(b.beat <= a.beat for a, b in zip(score.tempo, score.tempo[1:])):
        raise ScoreError("tempo changes must be in increasing beat order")
    if score.bars < 1:
        raise ScoreError(f"a score needs at least one bar, got {score.bars}")
    for p in score.parts:
        if not (0 <= p.program <= 127):
            raise ScoreError(f"part {p.name}: program {p.program} is outside GM 0-127")
        for n in p.notes:
            check_note(n, where=f"part {p.name}")
