"""Resolving a request: a prompt and options become a complete :class:`Brief`.

Explicit options always win and are used exactly; then a MIDI seed file; then what the prompt
says (:func:`gekiban.understand.reading.read_prompt`); then the style's defaults
(:mod:`gekiban.understand.choices`). Every field gets an :class:`Evidence`.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from gekiban.errors import InvalidOptionError
from gekiban.styles import default_style_name, resolve_style
from gekiban.styles.catalogue import all_styles
from gekiban.styles.schema import Style
from gekiban.theory import NOTE_NAMES, Key, Meter, parse_key, parse_meter
from gekiban.understand.brief import Brief, Evidence, energy_level
from gekiban.understand.choices import (
    energy_of,
    mood_of,
    nudge,
    pick_mode,
    tempo_from_range,
    tonic_choices,
)
from gekiban.understand.ensemble import choose_instruments
from gekiban.understand.midi_seed import Seed, describe, read_seed
from gekiban.understand.named import named_evidence
from gekiban.understand.options import (
    DEFAULT_DURATION_S,
    SHORT_DURATION_S,
    check_duration,
    check_motif,
    check_prompt,
    parse_duration,
    parse_instruments,
    parse_seed,
    parse_tempo,
)
from gekiban.understand.progressions import (
    ProgressionReading,
    all_romans,
    contradicts,
    infer_key,
    parse_chords,
    transpose_symbol,
)
from gekiban.understand.reading import read_prompt


def resolve_brief(
    prompt: str = "",
    *,
    duration: float | str | None = None,
    seed: int | str | None = None,
    key: str | Key | None = None,
    tempo: float | str | None = None,
    meter: str | Meter | None = None,
    style: str | None = None,
    instruments: str | Sequence[str] | None = None,
    chords: str | Sequence[str] | None = None,
    from_midi: str | os.PathLike[str] | None = None,
    motif: Sequence[tuple[float, float, int]] | None = None,
    semantic: bool = True,
    styles: Mapping[str, Style] | None = None,
) -> Brief:
    """Resolve a prompt and options into a complete :class:`Brief`.

    Explicit options always win and are used exactly; then a MIDI seed (``from_midi``); then
    what the prompt says (see :func:`~gekiban.understand.reading.read_prompt`); then the
    style's defaults. Every option is checked before the style library is consulted, so a bad
    value is reported first.

    Parameters
    ----------
    prompt : str
        Free text (English or Japanese), at most 2000 characters; may be empty.
    duration, seed, key, tempo, meter, style, instruments
        Explicit values; ``None`` means "from the prompt, else the default". With
        ``seed=None`` a random 31-bit seed is drawn and recorded in the brief.
    chords
        A progression every section plays: chord symbols (``"Am F C G"``), Roman numerals
        (``"vi IV I V"``), a progression name (``"royal-road"``, ``"王道進行"``) or a list of chords.
    from_midi
        A MIDI file whose melody (its first bars) becomes the main motif and whose chord track,
        if any, the progression.
    motif
        A melody seed given directly: (onset in beats, length in beats, MIDI pitch) notes.
    semantic
        Read the prompt with the sentence-embedding model (default) or by keywords only.
    styles
        The styles to choose from and to resolve ``style`` in (default: the shipped styles).

    Returns
    -------
    Brief
        With an :class:`Evidence` for every field saying where its value came from.

    Raises
    ------
    InvalidOptionError
        For a bad option or a bad value stated in the prompt.
    StyleError
        For an unknown style.
    MidiError
        For a MIDI seed that cannot be read.
    """
    ev: dict[str, Evidence] = {}
    prompt = check_prompt(prompt)
    x_duration = parse_duration(duration) if duration is not None else None
    x_seed = parse_seed(seed) if seed is not None else None
    x_key = key if isinstance(key, Key) else (parse_key(key) if key is not None else None)
    x_tempo = parse_tempo(tempo) if tempo is not None else None
    x_meter = meter if isinstance(meter, Meter) else (parse_meter(meter) if meter is not None else None)
    x_instruments = parse_instruments(instruments) if instruments is not None else None
    x_chords = _chords_option(chords) if chords is not None else None
    x_motif = check_motif(motif) if motif is not None else None
    seed_midi = read_seed(from_midi) if from_midi is not None else None

    if x_seed is None:
        x_seed = secrets.randbits(31)
        ev["seed"] = Evidence("random", "random (no seed given); pass this seed to reproduce the cue")
    else:
        ev["seed"] = Evidence("option", "option seed")

    if style is not None:
        style_name, st, blend_parts = resolve_style(style, styles=styles)
        ev["style"] = Evidence("option", f"option style {style!r}")
        reading = read_prompt(prompt, styles={}, semantic=semantic)
    else:
        library = all_styles() if styles is None else styles
        reading = read_prompt(prompt, styles=library, semantic=semantic)
        style_name, st, blend_parts, ev["style"] = _style_from(reading, prompt, library)
    _refuse_conflicts(reading, tempo=x_tempo, key=x_key, meter=x_meter, duration=x_duration)
    rev = reading["evidence"]
    if "gloss" in rev:
        ev["gloss"] = Evidence("prompt", rev["gloss"])

    # energy / tension / mood
    energy, parts_e, energy_source = energy_of(st, reading, x_tempo)
    tension = nudge(st.tension, reading.get("tension_delta", 0.0))
    if "mood" in reading:
        mood = reading["mood"]
        ev["mood"] = Evidence("prompt", rev["mood"])
        ev["tension"] = Evidence("prompt", f"style {st.name} {st.tension:g} adjusted by {rev['tension']} → {tension:g}")
    else:
        mood, why = mood_of(st, energy, tension)
        ev["mood"] = Evidence("style", why)
        ev["tension"] = Evidence("style", f"style {st.name} default {tension:g}")
    if parts_e:
        ev["energy"] = Evidence(energy_source, f"style {st.name} {st.energy:g}, {'; '.join(parts_e)} → {energy:g} "
                                               f"({energy_level(energy)})")
    else:
        ev["energy"] = Evidence("style", f"style {st.name} default {energy:g} ({energy_level(energy)})")

    tempo_v, ev["tempo"] = _tempo(x_tempo, tempo, reading, st, energy)
    meter_v, ev["meter"] = _meter(x_meter, meter, reading, seed_midi, st)

    # chords (option > MIDI seed > prompt) and the key they need
    chords_v: tuple[str, ...] = ()
    chords_mode = "any"
    chords_symbols = False
    if x_chords is not None:
        chords_v, chords_mode, chords_symbols = x_chords.chords, x_chords.mode, not x_chords.romans
        ev["chords"] = Evidence("option", f"option chords {chords!r}" + (f" (the {x_chords.name} progression)" if x_chords.name else ""))
    elif seed_midi is not None and seed_midi.chords:
        chords_v, chords_symbols = seed_midi.chords, True
        ev["chords"] = Evidence("midi", f"MIDI seed {seed_midi.path!r} chord track {seed_midi.chord_track!r}: {' '.join(chords_v)}")
    elif "chords" in reading:
        chords_v, chords_mode = tuple(reading["chords"]), reading.get("chords_mode", "any")
        chords_symbols = not reading.get("chords_name") and not all_romans(chords_v)
        ev["chords"] = Evidence("prompt", rev["chords"])
    else:
        ev["chords"] = Evidence("style", "style progressions")

    # key
    if x_key is not None:
        key_v = x_key
        ev["key"] = Evidence("option", f"option key {key if isinstance(key, str) else key.name!r}")
    elif "key" in reading:
        key_v = reading["key"]
        ev["key"] = Evidence("prompt", rev["key"])
    elif seed_midi is not None and (seed_midi.chords or seed_midi.key_stated):
        key_v = seed_midi.key
        how = "key signature" if seed_midi.key_stated else "estimated from its notes"
        ev["key"] = Evidence("midi", f"MIDI seed {seed_midi.path!r} {how}: {key_v.name}")
    elif chords_v and chords_symbols:
        key_v = infer_key(chords_v)
        ev["key"] = Evidence(ev["chords"].source, f"the key the chords {' '.join(chords_v)} sit in: {key_v.name}")
    else:
        key_v, ev["key"] = _key_from_style(st, reading, chords_mode, seed_midi, x_seed)
    key_named = x_key is not None or "key" in reading
    if chords_v and chords_symbols and key_named and (other := contradicts(chords_v, key_v)):
        ev["key_conflict"] = Evidence(ev["key"].source, f"the chords {' '.join(chords_v)} sit in {other.name}, not in the "
                                                        f"named {key_v.name}: they are played as named, in {key_v.name}")
    if seed_midi is not None and chords_v and chords_symbols and x_chords is None and key_v.tonic != seed_midi.key.tonic:
        shift = (key_v.tonic - seed_midi.key.tonic) % 12
        chords_v = tuple(transpose_symbol(c, shift) for c in chords_v)
        ev["chords"] = Evidence(ev["chords"].source, f"{ev['chords'].text}; moved to {key_v.name}: {' '.join(chords_v)}")

    # melody seed
    motif_v: tuple[tuple[float, float, int], ...] = ()
    if x_motif is not None:
        motif_v = x_motif
        ev["motif"] = Evidence("option", f"option motif ({len(motif_v)} notes)")
    elif seed_midi is not None and seed_midi.motif:
        motif_v = seed_midi.motif
        ev["motif"] = Evidence("midi", describe(seed_midi))
    else:
        ev["motif"] = Evidence("style", "composed from the style")

    duration_v, ev["duration"] = _duration(x_duration, duration, reading, st)
    band = choose_instruments(x_instruments, instruments, reading, st)
    instruments_v, exclude_v, ev["instruments"], ev["exclude"] = band.instruments, band.exclude, band.why, band.why_exclude
    if reading.get("named"):
        used = {style_name, *(n for n, _ in blend_parts)}
        ev.update(named_evidence(reading["named"], styles=reading.get("named_styles", {}), used_styles=used,
                                 style_option=style is not None, meter=str(meter_v), meter_words=ev["meter"].text,
                                 used=band.used, instruments=instruments_v, instruments_option=x_instruments is not None,
                                 drums=band.drums))
    loop_v = bool(reading.get("loop", False))
    ev["loop"] = Evidence("prompt", rev["loop"]) if "loop" in rev else Evidence("default", "default: hard ending")

    return Brief(
        prompt=prompt, style=style_name, mood=mood, energy=energy, tension=tension,
        tempo=float(tempo_v), key=key_v, meter=meter_v, duration=float(duration_v),
        instruments=instruments_v, exclude=exclude_v, loop=loop_v, seed=x_seed,
        tempo_exact=x_tempo is not None or "tempo" in reading, evidence=tuple(ev.items()),
        style_blend=blend_parts, chords=chords_v, motif=motif_v, neighbours=tuple(reading.get("neighbours", ())),
        gloss=reading.get("gloss", ""),
    )


def _chords_option(chords: Any) -> ProgressionReading:
    """``chords=`` as text (``"Am F C G"``) or a list of chords."""
    if isinstance(chords, (list, tuple)):
        chords = " ".join(map(str, chords))
    if not isinstance(chords, str):
        raise InvalidOptionError(f"bad chords {chords!r}: give text such as 'Am F C G' or a list of chords")
    return parse_chords(chords)


def _refuse_conflicts(reading: Mapping[str, Any], **given: Any) -> None:
    """Two different values for one field in the prompt, with no option to settle it, are an
    error naming both (an option wins over the prompt, so then there is nothing to settle)."""
    for field, (first, other) in reading.get("conflicts", {}).items():
        if given.get(field) is None:
            plural = {"tempo": "tempos", "key": "keys", "meter": "meters", "duration": "lengths"}[field]
            raise InvalidOptionError(f"the prompt asks for two {plural}, {first!r} and {other!r}: keep one, "
                                     f"or choose with --{field}")


def _style_from(reading: Mapping[str, Any], prompt: str, library: Mapping[str, Style]
                ) -> tuple[str, Style, tuple[tuple[str, float], ...], Evidence]:
    """The style the prompt names (a blend, a single style or the default) and why."""
    rev = reading["evidence"]
    if "blend" in reading:
        spec = "+".join(f"{n}:{w:g}" for n, w in reading["blend"])
        name, st, parts = resolve_style(spec, styles=library)
        return name, st, parts, Evidence("prompt", f"{rev['blend']} → blend {spec}")
    if "style" in reading:
        return reading["style"], library[reading["style"]], (), Evidence("prompt", rev["style"])
    name = default_style_name(library)
    if not prompt.strip():
        why = "empty prompt"
    elif "style_miss" in reading:
        why = f"nothing in the prompt matched a style ({reading['style_miss']})"
    else:
        why = "no style matched the prompt"
    return name, library[name], (), Evidence("default", f"default: {why}; used {name}")


def _tempo(x_tempo: float | None, given: Any, reading: Mapping[str, Any], st: Style, energy: float) -> tuple[float, Evidence]:
    rev = reading["evidence"]
    if x_tempo is not None:
        return x_tempo, Evidence("option", f"option tempo {given!r}")
    if "tempo" in reading:
        try:
            value = parse_tempo(reading["tempo"])
        except InvalidOptionError as exc:
            raise InvalidOptionError(f"the prompt asks for {reading['tempo_words']!r}: {exc}; override it with --tempo") from None
        return value, Evidence("prompt", rev["tempo"])
    lo, hi = st.tempo
    word = reading.get("tempo_range")
    value = tempo_from_range(lo, hi, energy, word)
    if word is not None:
        return value, Evidence("prompt", f"{rev['tempo_range']}; {value:g} within it (style {st.name} {lo:g}–{hi:g} "
                                         f"at energy {energy:g})")
    return value, Evidence("style", f"style {st.name} default range {lo:g}–{hi:g} at energy {energy:g}")


def _meter(x_meter: Meter | None, given: Any, reading: Mapping[str, Any], seed_midi: Seed | None, st: Style) -> tuple[Meter, Evidence]:
    if x_meter is not None:
        return x_meter, Evidence("option", f"option meter {str(given)!r}")
    if "meter" in reading:
        return reading["meter"], Evidence("prompt", reading["evidence"]["meter"])
    if seed_midi is not None:
        try:
            meter = parse_meter(str(seed_midi.meter))
        except InvalidOptionError as exc:
            raise InvalidOptionError(f"MIDI seed {seed_midi.path!r} is in {seed_midi.meter}: {exc}; "
                                     "choose one with --meter") from None
        return meter, Evidence("midi", f"MIDI seed {seed_midi.path!r} time signature {seed_midi.meter}")
    first = st.meters[0] if st.meters else "4/4"
    return parse_meter(first), Evidence("style", f"style {st.name} first meter {first}")


def _key_from_style(st: Style, reading: Mapping[str, Any], chords_mode: str, seed_midi: Seed | None,
                    seed: int) -> tuple[Key, Evidence]:
    """A key the prompt does not name: the mode it implies (or the style's), a seeded choice
    of the style's tonics (or the MIDI seed's tonic)."""
    rev = reading["evidence"]
    if "mode" in reading:  # 'in a minor key': exact
        mode, mode_src = reading["mode"], f"; {rev['mode']}"
    elif chords_mode in ("major", "minor"):
        mode = pick_mode(st, chords_mode)
        mode_src = f"; the progression is {chords_mode}"
    else:
        mode = pick_mode(st, reading.get("mode_hint"))
        mode_src = f"; {rev['mode_hint']}" if mode != pick_mode(st, None) else ""
    tonics = tonic_choices(st)
    rng = random.Random(f"gekiban-key-{seed}")
    if tonics:
        tonic = rng.choice(tonics)
        source, src = "style", f"style {st.name} tonic {NOTE_NAMES[tonic]} (seeded choice of {len(tonics)})"
    else:
        tonic = rng.randrange(12)
        source, src = "default", f"seeded tonic {NOTE_NAMES[tonic]} (style {st.name} lists none)"
    if seed_midi is not None:
        tonic = seed_midi.key.tonic
        source, src = "midi", f"MIDI seed {seed_midi.path!r} tonic {NOTE_NAMES[tonic]} (estimated)"
    return Key(tonic, mode), Evidence(source, f"{src}, mode {mode}{mode_src}")


def _duration(x_duration: float | None, given: Any, reading: Mapping[str, Any], st: Style) -> tuple[float, Evidence]:
    if x_duration is not None:
        return x_duration, Evidence("option", f"option duration {given!r}")
    if "duration" in reading:
        words = reading["duration_words"]
        try:
            value = check_duration(reading["duration"], words)
        except InvalidOptionError as exc:
            raise InvalidOptionError(f"the prompt asks for {words!r}: {exc}; override it with --duration") from None
        return value, Evidence("prompt", reading["evidence"]["duration"])
    if st.family == "short" or st.form == "short":
        return SHORT_DURATION_S, Evidence("default", f"default for short style {st.name}: {SHORT_DURATION_S:g} s")
    return DEFAULT_DURATION_S, Evidence("default", f"default: {DEFAULT_DURATION_S:g} s")
