"""The Score: the one central value of the pipeline, in musical time.

Times are in quarter-note beats from the start of the piece; seconds appear only through the
tempo map (:meth:`Score.seconds_at`) at rendering. All classes are frozen; build new values with
:func:`dataclasses.replace`.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

from gekiban.errors import ScoreError
from gekiban.theory import CHORD_INTERVALS, Chord, Key, Meter

#: Section functions: the kind picks a section's harmony pool (see ``[harmony.by_section]``).
SECTION_KINDS = ("intro", "verse", "chorus", "bridge", "outro")
#: Meters a Score may be in: numerators and the note values a beat may be.
_NUMERATORS = range(1, 65)
_DENOMINATORS = (1, 2, 4, 8, 16, 32, 64)


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


def _unit(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and 0.0 <= x <= 1.0


def check_section(section: Section, *, where: str = "section") -> None:
    """Raise :class:`ScoreError` unless the section has a name, a known kind, whole bars from a
    bar ≥ 0, and energy and tension within 0-1."""
    s = section
    if not (isinstance(s.name, str) and s.kind in SECTION_KINDS):
        raise ScoreError(f"{where}: name {s.name!r} and kind {s.kind!r}: the kind must be one of {', '.join(SECTION_KINDS)}")
    if not (type(s.start_bar) is int and type(s.bars) is int and s.start_bar >= 0 and s.bars >= 1):
        raise ScoreError(f"{where} {s.name!r}: start bar {s.start_bar!r} and length {s.bars!r} must be whole bars, "
                         "from bar 0 on, at least one long")
    if not (_unit(s.energy) and _unit(s.tension)):
        raise ScoreError(f"{where} {s.name!r}: energy {s.energy!r} and tension {s.tension!r} must be within 0-1")


def check_chord_event(event: ChordEvent, *, where: str = "chord") -> None:
    """Raise :class:`ScoreError` unless the chord event is a known chord over a positive span."""
    c = event.chord
    if not (isinstance(event.start, (int, float)) and isinstance(event.duration, (int, float))
            and math.isfinite(event.start) and math.isfinite(event.duration) and event.start >= 0 and event.duration > 0):
        raise ScoreError(f"{where}: start {event.start!r} and duration {event.duration!r} must be ≥ 0 and > 0 beats")
    pcs = [c.root] + ([] if c.bass is None else [c.bass])
    if not (all(type(p) is int and 0 <= p <= 11 for p in pcs) and c.quality in CHORD_INTERVALS
            and isinstance(event.roman, str)):
        raise ScoreError(f"{where} at beat {event.start:g}: root {c.root!r}, quality {c.quality!r} and bass {c.bass!r} "
                         "are not a chord (pitch classes 0-11, a known quality)")


def check_score(score: Score) -> None:
    """Raise :class:`ScoreError` if the score breaks an invariant."""
    m = score.meter
    if not (type(m.numerator) is int and m.numerator in _NUMERATORS and m.denominator in _DENOMINATORS):
        raise ScoreError(f"meter {m.numerator!r}/{m.denominator!r}: use 1-64 beats of a whole to a 64th note")
    if not score.tempo or score.tempo[0].beat != 0:
        raise ScoreError("the tempo map must start with a tempo at beat 0")
    for t in score.tempo:
        if not (10 <= t.bpm <= 400):
            raise ScoreError(f"tempo {t.bpm} bpm at beat {t.beat} is outside 10-400")
    if any(b.beat <= a.beat for a, b in zip(score.tempo, score.tempo[1:])):
        raise ScoreError("tempo changes must be in increasing beat order")
    if type(score.bars) is not int or score.bars < 1:
        raise ScoreError(f"a score needs a whole number of bars, at least one, got {score.bars!r}")
    end = 0
    for s in score.sections:
        check_section(s)
        if s.start_bar != end:
            raise ScoreError(f"section {s.name!r} starts at bar {s.start_bar}, not where the one before ends ({end})")
        end = s.end_bar
    if end > score.bars:
        raise ScoreError(f"the sections run to bar {end}, past the score's {score.bars} bars")
    for c in score.chords:
        check_chord_event(c)
    for p in score.parts:
        if not (0 <= p.program <= 127):
            raise ScoreError(f"part {p.name}: program {p.program} is outside GM 0-127")
        for n in p.notes:
            check_note(n, where=f"part {p.name}")
