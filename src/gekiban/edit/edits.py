"""Edits of a composed cue without recomposing it, and the bundle operations built on them.

:func:`edit_score` changes a :class:`~gekiban.score.Score` only as asked:

tempo
    The tempo map is scaled so its first tempo becomes the new one (a bent map keeps its
    shape). Notes, in beats, do not change; hits and arc times move with the music.
key
    Every pitched note and chord moves by the interval from the old tonic to the new one, the
    shortest way (−6 to +5 semitones). When the mode changes too (C major → A minor), each
    note keeps its scale degree: the degree's pitch in the old mode becomes that degree's
    pitch in the new mode, and a note outside the old scale keeps its alteration from the
    degree below it (in C major → C minor, E becomes E♭, F♯ stays F♯ — the raised fourth).
    Chord roots and tones move the same way; a chord's quality is the one whose tones match
    the moved tones (C → Cm), else it stays. Drums never move. A note pushed outside its
    instrument's playable range moves by octaves back into it.
instrument
    ``role=instrument`` gives a part a new instrument (id and GM program); its notes move by
    whole octaves so that as many as possible lie in the new instrument's comfortable range,
    and any left outside the playable range move by octaves into it. Polyphony is not
    reduced (a SoundFont plays any number of notes).
mute
    Parts of the role are left out (no stem, no MIDI track).
intensity
    ±1 or ±2 steps: every velocity is scaled by 1.15 per step (clipped to 1-127; a SoundFont
    answers with a brighter or softer attack as well as level), and the balance moves with CC11
    (expression): a step up turns the sustaining roles (pad, counter, drone) down against the
    driving ones (drums, percussion, bass, ostinato) — expression 108 at +1, 92 at +2 —, a step
    down turns the driving roles down (100 at −1, 80 at −2); lead lines keep theirs. GM
    expression is a gain of (value/127)², so these are about −3, −6, −4 and −8 dB. Existing
    CC11 curves (pad swells) are scaled by the same factor. The master brings the loudness back
    to the delivery target, so the edit changes energy and balance, not level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from gekiban.edit.keys import change_key
from gekiban.errors import InvalidOptionError, ScoreError
from gekiban.instruments import get_instrument
from gekiban.roles import base_role, role_of
from gekiban.score import Control, Part, Score, TempoChange
from gekiban.theory import Key, parse_key
from gekiban.understand.brief import Brief, Evidence
from gekiban.understand.options import parse_tempo

#: Velocity factor per intensity step.
VELOCITY_STEP = 1.15

_EXPRESSION = {  # intensity step → (driving roles, sustaining roles) CC11 level
    -2: (80, 127), -1: (100, 127), 1: (127, 108), 2: (127, 92),
}
INTENSITY_STEPS = (-2, -1, 1, 2)


@dataclass(frozen=True)
class Edits:
    """A checked set of edits (see :func:`parse_edits`)."""

    tempo: float | None = None
    key: Key | None = None
    instruments: tuple[tuple[str, str], ...] = ()  # (role selector, instrument id)
    mute: tuple[str, ...] = ()
    intensity: int = 0

    @property
    def empty(self) -> bool:
        """True when nothing is asked."""
        return self.tempo is None and self.key is None and not self.instruments and not self.mute and not self.intensity

    def describe(self) -> list[str]:
        """The edits in words, in the order they are applied (for track.json)."""
        out = []
        if self.tempo is not None:
            out.append(f"tempo {self.tempo:g}")
        if self.key is not None:
            out.append(f"key {self.key.name}")
        out += [f"instrument {r}={i}" for r, i in self.instruments]
        out += [f"mute {r}" for r in self.mute]
        if self.intensity:
            out.append(f"intensity {self.intensity:+d}")
        return out


def _matches(part: Part, selector: str) -> bool:
    s = selector.strip().lower()
    return part.role == s or part.name == s or base_role(part.role) == s


def _roles_text(score: Score) -> str:
    return ", ".join(dict.fromkeys(p.role for p in score.parts))


def _check_role(score: Score, selector: str, what: str) -> None:
    if not any(_matches(p, selector) for p in score.parts):
        raise InvalidOptionError(f"{what}: no part has role {selector!r}; this cue's roles are {_roles_text(score)}")


def parse_intensity(value: str | int) -> int:
    """``"+1"``, ``"-2"``, ``1`` … → an intensity step in ±1, ±2.

    Raises
    ------
    InvalidOptionError
        For anything else.
    """
    text = str(value).strip()
    try:
        step = int(text)
    except ValueError:
        step = None
    if step not in INTENSITY_STEPS or isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise InvalidOptionError(f"intensity {value!r} is not allowed: use +1, +2, -1 or -2 (steps up or down)")
    return step


def parse_edits(score: Score, *, tempo: str | float | None = None, key: str | Key | None = None,
                instruments: Sequence[str] | Sequence[tuple[str, str]] = (), mute: Sequence[str] = (),
                intensity: str | int | None = None) -> Edits:
    """Check edit options against a score before any work.

    Parameters
    ----------
    score
        The cue to edit.
    tempo
        New (first) tempo, 30-300 bpm.
    key
        New key (``"E minor"``).
    instruments
        ``"role=instrument"`` texts or (role, instrument) pairs.
    mute
        Roles to leave out.
    intensity
        ``+1``, ``+2``, ``-1`` or ``-2``.

    Raises
    ------
    InvalidOptionError
        For a bad tempo or key, an unknown role or instrument, a drum/melodic mismatch, a role
        both muted and given an instrument, or muting every part; the message names the value
        and what is allowed.
    """
    new_tempo = parse_tempo(tempo) if tempo is not None else None
    if new_tempo is not None:
        factor = new_tempo / score.tempo[0].bpm
        lo, hi = min(t.bpm for t in score.tempo) * factor, max(t.bpm for t in score.tempo) * factor
        if lo < 10 or hi > 400:
            raise InvalidOptionError(f"tempo {tempo!r} would take this cue's tempo map to {lo:.0f}-{hi:.0f} bpm: "
                                     "it must stay within 10-400")
    new_key = key if isinstance(key, Key) or key is None else parse_key(key)
    swaps: list[tuple[str, str]] = []
    for item in instruments:
        if isinstance(item, str):
            role, sep, name = item.partition("=")
            if not sep or not role.strip() or not name.strip():
                raise InvalidOptionError(f"instrument edit {item!r} is not ROLE=INSTRUMENT, e.g. 'lead=flute'")
        elif isinstance(item, (list, tuple)) and len(item) == 2 and all(isinstance(x, str) for x in item):
            role, name = item
        else:
            raise InvalidOptionError(f"instrument edit {item!r} is not ROLE=INSTRUMENT or a (role, instrument) pair")
        role = role.strip().lower()
        _check_role(score, role, f"instrument edit {role}={name}")
        inst = get_instrument(name)
        for p in score.parts:
            if _matches(p, role) and p.is_drum != inst.drum:
                kind = "drum kit" if p.is_drum else "pitched instrument"
                raise InvalidOptionError(f"instrument edit {role}={name}: part {p.name} needs a {kind}, and "
                                         f"{inst.id} is {'a drum kit' if inst.drum else 'a pitched instrument'}")
        if any(r == role for r, _ in swaps):
            raise InvalidOptionError(f"role {role!r} is given two instruments: give each role one --instrument")
        swaps.append((role, inst.id))
    muted: list[str] = []
    for m in mute:
        sel = str(m).strip().lower()
        _check_role(score, sel, f"mute {sel}")
        if any(r == sel for r, _ in swaps):
            raise InvalidOptionError(f"role {sel!r} is both muted and given an instrument: choose one")
        if sel not in muted:
            muted.append(sel)
    if muted and all(any(_matches(p, s) for s in muted) for p in score.parts):
        raise InvalidOptionError(f"muting {', '.join(muted)} leaves no part to play: this cue's roles are {_roles_text(score)}")
    step = parse_intensity(intensity) if intensity is not None and str(intensity).strip() not in ("", "0", "+0") else 0
    return Edits(tempo=new_tempo, key=new_key, instruments=tuple(swaps), mute=tuple(muted), intensity=step)


def _swap(part: Part, instrument_id: str) -> Part:
    inst = get_instrument(instrument_id)
    notes = part.notes
    if not inst.drum and notes:
        best = min(range(-4, 5), key=lambda k: (-sum(inst.comfort_low <= n.pitch + 12 * k <= inst.comfort_high for n in notes),
                                               abs(k)))
        notes = tuple(replace(n, pitch=inst.fit(n.pitch + 12 * best, comfortable=False)) for n in notes)
    return replace(part, instrument=inst.id, program=inst.program, notes=notes)


def _intensity(part: Part, step: int) -> Part:
    factor = VELOCITY_STEP ** step
    notes = tuple(replace(n, velocity=max(1, min(127, round(n.velocity * factor)))) for n in part.notes)
    driving, sustaining = _EXPRESSION[step]
    drive = "driving" if part.is_drum else role_of(part.role).drive
    level = driving if drive == "driving" else sustaining if drive == "sustaining" else 127
    controls = part.controls
    if level != 127:
        scale = level / 127
        has11 = any(c.number == 11 for c in controls)
        controls = tuple(replace(c, value=max(0, min(127, round(c.value * scale)))) if c.number == 11 else c
                         for c in controls)
        if not has11 or min((c.beat for c in controls if c.number == 11), default=1.0) > 0:
            controls = (Control(0.0, 11, level),) + controls
    return replace(part, notes=notes, controls=controls)


def edit_score(score: Score, edits: Edits) -> Score:
    """Apply checked edits (:func:`parse_edits`) to a score: mute, instruments, key, tempo,
    intensity. Nothing else changes: sections, chords' timing, markers and every note's time
    and length stay as they were.

    Raises
    ------
    ScoreError
        If the edited score breaks an invariant (not reached for checked edits).
    """
    parts = [p for p in score.parts if not any(_matches(p, m) for m in edits.mute)]
    for role, inst in edits.instruments:
        parts = [_swap(p, inst) if _matches(p, role) else p for p in parts]
    if not parts:
        raise ScoreError("the edits leave no part to play")
    out = replace(score, parts=tuple(parts))
    if edits.key is not None and edits.key != score.key:
        out = change_key(out, edits.key)
    if edits.tempo is not None:
        factor = edits.tempo / score.tempo[0].bpm
        tempo = tuple(TempoChange(t.beat, round(t.bpm * factor, 6)) for t in score.tempo)
        tempo = (TempoChange(0.0, edits.tempo),) + tempo[1:]
        out = replace(out, tempo=tempo)
    if edits.intensity:
        out = replace(out, parts=tuple(_intensity(p, edits.intensity) for p in out.parts))
    return out


def edit_brief(brief: Brief, score: Score, edited: Score, edits: Edits) -> Brief:
    """The brief of an edited cue: new tempo and key; hit and arc times moved with the tempo;
    the duration is the edited music's."""
    factor = score.duration / edited.duration if edited.duration else 1.0
    out = replace(brief, duration=round(edited.duration, 6))
    if edits.tempo is not None:
        out = replace(out, tempo=edits.tempo, tempo_exact=True, hits=tuple(round(h / factor, 4) for h in brief.hits),
                      arc=tuple((round(t / factor, 4), i, x) for t, i, x in brief.arc),
                      evidence=out.with_evidence("tempo", Evidence("edit", f"option tempo {edits.tempo:g} (edit)")))
    if edits.key is not None:
        out = replace(out, key=edits.key, evidence=out.with_evidence("key", Evidence("edit", f"option key {edits.key.name!r} (edit)")))
    return out
