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

:func:`edit_bundle`, :func:`vary_bundle` and :func:`extend_bundle` read a bundle, change it and
render it again through :func:`gekiban.pipeline.render_track`; the new bundle's track.json
records its ``"origin"`` (source folder, seed and what was done).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gekiban.brief import Brief, parse_tempo
from gekiban.errors import InvalidOptionError, ScoreError
from gekiban.score import Control, Part, Score, TempoChange
from gekiban.theory import CHORD_INTERVALS, MODES, Chord, Key, parse_key

__all__ = [
    "Edits",
    "degree_map",
    "edit_brief",
    "edit_bundle",
    "edit_score",
    "extend_bundle",
    "kept_bars",
    "make_origin",
    "parse_edits",
    "plan_edit",
    "plan_extension",
    "plan_variations",
    "render_and_save",
    "transpose_interval",
    "vary_bundle",
]

#: Velocity factor per intensity step.
VELOCITY_STEP = 1.15
#: Roles that drive the rhythm (their expression rises against the others with intensity).
DRIVING_ROLES = frozenset({"drums", "percussion", "bass", "ostinato", "taiko", "timpani"})
#: Roles that sustain (their expression falls as intensity rises). Lead lines are left alone.
SUSTAINING_ROLES = frozenset({"pad", "counter", "drone"})
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


def _base(role: str) -> str:
    return role.rstrip("0123456789")


def _matches(part: Part, selector: str) -> bool:
    s = selector.strip().lower()
    return part.role == s or part.name == s or _base(part.role) == s


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
    from gekiban.instruments import get_instrument

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
        else:
            role, name = item
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


# --------------------------------------------------------------------------------------- key


def transpose_interval(old_tonic: int, new_tonic: int) -> int:
    """Semitones from one tonic to another, the shortest way: −6 to +5."""
    d = (new_tonic - old_tonic) % 12
    return d - 12 if d >= 6 else d


def degree_map(old_mode: str, new_mode: str) -> tuple[int, ...]:
    """For each of the 12 semitones above the tonic in ``old_mode``, its counterpart above the
    tonic in ``new_mode``: scale degrees map to the same degree, other notes keep their
    alteration from the degree below (values may reach 12)."""
    old, new = MODES[old_mode], MODES[new_mode]
    out = []
    for r in range(12):
        d = max(k for k in range(7) if old[k] <= r)
        out.append(new[d] + (r - old[d]))
    return tuple(out)


def _move(pitch: int, old: Key, shift: int, table: tuple[int, ...]) -> int:
    r = (pitch - old.tonic) % 12
    return pitch + shift + (table[r] - r)


def _move_pc(pc: int, old: Key, shift: int, table: tuple[int, ...]) -> int:
    return _move(pc, old, shift, table) % 12


def _move_chord(chord: Chord, old: Key, shift: int, table: tuple[int, ...]) -> Chord:
    root = _move_pc(chord.root, old, shift, table)
    bass = None if chord.bass is None else _move_pc(chord.bass, old, shift, table)
    quality = chord.quality
    if any(v != r for r, v in enumerate(table)):  # the mode changes: find the quality of the moved tones
        moved = {(_move_pc(pc, old, shift, table) - root) % 12 for pc in chord.pitch_classes}
        for q, intervals in CHORD_INTERVALS.items():
            if {i % 12 for i in intervals} == moved and len(intervals) == len(chord.intervals):
                quality = q
                break
    return Chord(root, quality, bass)


def _fit(pitch: int, low: int, high: int) -> int:
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch if pitch >= low else low


def _instrument(part: Part) -> Any:
    from gekiban.instruments import get_instrument

    try:
        return get_instrument(part.instrument)
    except InvalidOptionError:  # a part read from a foreign MIDI file ("program-5")
        return None


def _change_key(score: Score, key: Key) -> Score:
    old = score.key
    shift = transpose_interval(old.tonic, key.tonic)
    table = degree_map(old.mode, key.mode)
    parts = []
    for p in score.parts:
        if p.is_drum:
            parts.append(p)
            continue
        inst = _instrument(p)
        lo, hi = (inst.low, inst.high) if inst is not None else (0, 127)
        notes = tuple(replace(n, pitch=_fit(_move(n.pitch, old, shift, table), lo, hi)) for n in p.notes)
        parts.append(replace(p, notes=notes))
    chords = tuple(replace(c, chord=_move_chord(c.chord, old, shift, table)) for c in score.chords)
    return replace(score, key=key, parts=tuple(parts), chords=chords)


# ------------------------------------------------------------------------------ other edits


def _swap(part: Part, instrument_id: str) -> Part:
    from gekiban.instruments import get_instrument

    inst = get_instrument(instrument_id)
    notes = part.notes
    if not inst.drum and notes:
        best = min(range(-4, 5), key=lambda k: (-sum(inst.comfort_low <= n.pitch + 12 * k <= inst.comfort_high for n in notes),
                                               abs(k)))
        notes = tuple(replace(n, pitch=_fit(n.pitch + 12 * best, inst.low, inst.high)) for n in notes)
    return replace(part, instrument=inst.id, program=inst.program, notes=notes)


def _intensity(part: Part, step: int) -> Part:
    factor = VELOCITY_STEP ** step
    notes = tuple(replace(n, velocity=max(1, min(127, round(n.velocity * factor)))) for n in part.notes)
    driving, sustaining = _EXPRESSION[step]
    base = _base(part.role)
    level = driving if (part.is_drum or base in DRIVING_ROLES) else sustaining if base in SUSTAINING_ROLES else 127
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
        out = _change_key(out, edits.key)
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
    ev = dict(brief.evidence)
    changes: dict[str, Any] = {}
    if edits.tempo is not None:
        changes.update(tempo=edits.tempo, hits=tuple(round(h / factor, 4) for h in brief.hits),
                       arc=tuple((round(t / factor, 4), i, x) for t, i, x in brief.arc))
        ev["tempo"] = f"option tempo {edits.tempo:g} (edit)"
    if edits.key is not None:
        changes["key"] = edits.key
        ev["key"] = f"option key {edits.key.name!r} (edit)"
    changes["duration"] = round(edited.duration, 6)
    return replace(brief, evidence=ev, **changes)


# ---------------------------------------------------------------------------- bundle level

Report = Callable[[str, float], None]


@dataclass(frozen=True)
class RenderOptions:
    """How a bundle operation renders and writes: taken from the source bundle by default."""

    loudness: float | None = None
    sample_rate: int | None = None
    format: str | None = None
    layers: bool | None = None
    soundfont: str | os.PathLike[str] | None = None
    progress: Report | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def render_and_save(score: Score, brief: Brief, style: Any, meta: dict[str, Any], out: Path, opts: RenderOptions,
                    origin: dict[str, Any]) -> tuple[Path, Any]:
    """Render ``score`` through :func:`gekiban.pipeline.render_track` with the source bundle's
    delivery settings (unless ``opts`` says otherwise) and save it to ``out``; returns the
    folder and the Track."""
    from gekiban.bundle import bundle_format, bundle_has_layers, bundle_loudness, bundle_sample_rate
    from gekiban.export import save_bundle
    from gekiban.pipeline import render_track

    track = render_track(score, brief=brief, style=style,
                         loudness=opts.loudness if opts.loudness is not None else bundle_loudness(meta),
                         sample_rate=opts.sample_rate or bundle_sample_rate(meta), soundfont=opts.soundfont,
                         progress=opts.progress)
    saved = save_bundle(track, out, format=opts.format or bundle_format(meta),
                        layers=bundle_has_layers(meta) if opts.layers is None else opts.layers, origin=origin)
    return saved, track


def make_origin(operation: str, source: Path, meta: dict[str, Any], **more: Any) -> dict[str, Any]:
    prior = meta.get("origin")
    out = {"operation": operation, "source": str(source.resolve()), "source_seed": meta.get("seed"),
           "source_prompt": meta.get("prompt", ""), **more}
    if isinstance(prior, dict):
        out["source_origin"] = prior
    return out


def plan_edit(source: str | os.PathLike[str], **options: Any) -> tuple[Score, Brief, Any, dict[str, Any], Edits, Score]:
    """Read a bundle and check and apply edits to its score, writing nothing.

    Returns ``(score, brief, style, meta, edits, edited_score)``; options as :func:`parse_edits`.

    Raises
    ------
    InvalidOptionError
        For a folder that is not a bundle, a bad edit, or no edit at all.
    """
    from gekiban.bundle import load_bundle

    score, brief, style, meta = load_bundle(source)
    edits = parse_edits(score, **options)
    if edits.empty:
        raise InvalidOptionError("no edit asked: give --tempo, --key, --instrument, --mute or --intensity")
    return score, brief, style, meta, edits, edit_score(score, edits)


def edit_bundle(source: str | os.PathLike[str], out: str | os.PathLike[str], *, opts: RenderOptions | None = None,
                **options: Any) -> Path:
    """Edit a bundle without recomposing and write the result to ``out``.

    Options are those of :func:`parse_edits`. Returns the new bundle folder.
    """
    score, brief, style, meta, edits, edited = plan_edit(source, **options)
    new_brief = edit_brief(brief, score, edited, edits)
    origin = make_origin("edit", Path(source), meta, edits=edits.describe())
    return render_and_save(edited, new_brief, style, meta, Path(out), opts or RenderOptions(), origin)[0]


def plan_variations(source: str | os.PathLike[str], count: int) -> tuple[list[Score], Brief, Any, dict[str, Any]]:
    """Read a bundle and compose ``count`` variations of it (no audio, nothing written).

    Raises
    ------
    InvalidOptionError
        For a folder that is not a bundle or a count outside 1-16.
    """
    from gekiban.bundle import load_bundle
    from gekiban.pipeline import build_score

    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 16:
        raise InvalidOptionError(f"variation count {count!r} is not allowed: use a whole number from 1 to 16")
    _, brief, style, meta = load_bundle(source)
    exact = bool(meta["request"].get("exact_tempo", True))
    scores = [build_score(brief, style, exact_tempo=exact, variation=k) for k in range(1, count + 1)]
    return scores, brief, style, meta


def variation_prefix(source: str | os.PathLike[str], prefix: str | os.PathLike[str] | None) -> str:
    """Folder name prefix of the variations: ``prefix``, else the source path with ``-var``."""
    return str(prefix) if prefix is not None else str(Path(source)).rstrip("/\\") + "-var"


def extended_path(source: str | os.PathLike[str], out: str | os.PathLike[str] | None) -> Path:
    """Folder of an extension: ``out``, else the source path with ``-extended``."""
    return Path(out) if out is not None else Path(str(Path(source)).rstrip("/\\") + "-extended")


def vary_bundle(source: str | os.PathLike[str], count: int, *, prefix: str | os.PathLike[str] | None = None,
                opts: RenderOptions | None = None) -> list[Path]:
    """Write ``count`` variations of a bundle (same harmony and main motif) to ``PREFIX-1`` …
    ``PREFIX-count`` (default prefix: the source folder's path with ``-var``)."""
    scores, brief, style, meta = plan_variations(source, count)
    base = variation_prefix(source, prefix)
    outs = []
    for k, score in enumerate(scores, start=1):
        origin = make_origin("vary", Path(source), meta, variation=k)
        outs.append(render_and_save(score, brief, style, meta, Path(f"{base}-{k}"), opts or RenderOptions(), origin)[0])
    return outs


def plan_extension(source: str | os.PathLike[str], to: str | float) -> tuple[Score, Brief, Any, dict[str, Any], Score]:
    """Read a bundle and extend its score to ``to`` (seconds or ``"4:00"``), writing nothing.

    Raises
    ------
    InvalidOptionError
        For a folder that is not a bundle, or a length not longer than the cue.
    """
    from gekiban.brief import parse_duration
    from gekiban.bundle import load_bundle
    from gekiban.pipeline import extend_score

    seconds = parse_duration(to)
    score, brief, style, meta = load_bundle(source)
    if seconds <= score.duration + 1e-6:
        raise InvalidOptionError(f"--to {to!r} ({seconds:g} s) is not longer than the cue ({score.duration:.1f} s): "
                                 "give a longer length")
    longer = extend_score(score, brief, style, duration=seconds)
    return score, brief, style, meta, longer


def extend_bundle(source: str | os.PathLike[str], to: str | float, *, out: str | os.PathLike[str] | None = None,
                  opts: RenderOptions | None = None) -> Path:
    """Continue a bundle to ``to`` and write it to ``out`` (default: the source path with
    ``-extended``). The bars before the original's ending stay note for note."""
    score, brief, style, meta, longer = plan_extension(source, to)
    target = extended_path(source, out)
    new_brief = replace(brief, duration=round(longer.duration, 6))
    origin = make_origin("extend", Path(source), meta, from_seconds=round(score.duration, 3), to_seconds=round(longer.duration, 3),
                     kept_bars=kept_bars(score, longer))
    return render_and_save(longer, new_brief, style, meta, target, opts or RenderOptions(), origin)[0]


def kept_bars(score: Score, longer: Score) -> int:
    """Bars at the start of ``longer`` that are the original's, section by section."""
    kept = 0
    for a, b in zip(score.sections, longer.sections):
        if a != b:
            break
        kept = a.end_bar
    return kept
