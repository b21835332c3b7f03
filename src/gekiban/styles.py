"""Load, validate and blend styles, progressions and grooves (the TOML files under ``data/``).

A style file (``data/styles/<name>.toml`` or a user's own ``.toml``) becomes a frozen
:class:`gekiban.style.Style`; chord progressions come from ``data/progressions.toml`` and drum
grooves from ``data/grooves.toml``. Every problem raises :class:`gekiban.errors.StyleError`
with a message of the form ``FILE: FIELD: problem``. ``docs/styles.md`` documents the format.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from gekiban.errors import GekibanError, StyleError
from gekiban.instruments import Instrument, get_instrument, registry
from gekiban.style import (
    ROLES,
    SECTION_KINDS,
    Groove,
    HarmonySpec,
    MelodySpec,
    Progression,
    RoleSpec,
    Style,
)
from gekiban.theory import MODES, SCALES, Key, parse_key, parse_meter, parse_roman, pitch_class

__all__ = [
    "PAD_PATTERNS", "OSTINATO_PATTERNS", "BASS_PATTERNS", "ENDINGS", "RHYTHMS", "FORMS",
    "FAMILIES", "PROGRESSION_MODES", "load_style", "all_styles", "style_names",
    "describe_styles", "load_progressions", "load_grooves", "parse_style_spec", "blend",
    "progression_fits", "progressions_for", "groove_for",
]

# Figures the arranger knows, per role (drums and percussion name a groove instead).
PAD_PATTERNS = ("sustain", "swell", "tremolo", "stabs", "offbeat")
OSTINATO_PATTERNS = (
    "sixteenths", "eighths", "arp-up", "arp-updown", "broken", "alberti", "chug", "pulse",
    "strum", "waltz", "timpani",
)
BASS_PATTERNS = ("roots", "eighths", "walking", "pedal", "oom-pah", "octaves", "sustain", "syncopated")
ROLE_PATTERNS: dict[str, tuple[str, ...]] = {
    "pad": PAD_PATTERNS, "ostinato": OSTINATO_PATTERNS, "bass": BASS_PATTERNS,
}
DEFAULT_PATTERNS = {"pad": "sustain", "ostinato": "eighths", "bass": "roots"}

ENDINGS = ("authentic", "plagal", "picardy", "mario", "tonic", "open")
RHYTHMS = ("straight", "dotted", "syncopated", "triplet", "long", "driving", "swing")
FORMS = ("song", "loop", "short", "march")
PROGRESSION_MODES = ("major", "minor", "any")
# The families the shipped styles use (a user's style may name another short word).
FAMILIES = (
    "battle", "chase", "heroic", "dark", "suspense", "horror", "sad", "emotional", "romance",
    "hopeful", "pastoral", "daily", "comedy", "jazz", "lofi", "festival", "japanese", "fantasy",
    "adventure", "scifi", "magical", "idol", "sports", "ending", "opening", "chiptune", "ambient",
    "march", "short",
)

_STYLE_FIELDS = (
    "name", "description", "family", "tags", "tags_ja", "tempo", "meters", "modes", "tonics",
    "energy", "tension", "swing", "humanize", "reverb", "tonal", "form", "harmony", "melody",
    "roles",
)
_HARMONY_FIELDS = ("progressions", "harmonic_rhythm", "ending", "by_section")
_MELODY_FIELDS = ("scale", "density", "leap", "rhythm", "phrase_bars")
_ROLE_FIELDS = ("instruments", "pattern", "min_energy", "volume", "pan", "octave")
_PROGRESSION_FIELDS = ("romans", "mode", "description")
_GROOVE_FIELDS = ("steps", "meters", "drum", "description", "lanes", "fill", "alternates")
_STEP_CHARS = frozenset("xXg.")
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9\-]*")
_PROG_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
_HARMONIC_RHYTHMS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


# ─── small checked readers ──────────────────────────────────────────────────────────────────

class _Ctx:
    """Where we are while reading a file: builds ``FILE: FIELD: problem`` errors."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, field: str, problem: str) -> StyleError:
        return StyleError(f"{self.file}: {field}: {problem}")

    def unknown_keys(self, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                label = f"{where}.{key}" if where else key
                raise self.error(label, f"unknown field (allowed: {', '.join(allowed)}){hint}")

    def string(self, value: Any, field: str, *, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.error(field, f"must be a string, got {_kind(value)}")
        if not empty and not value.strip():
            raise self.error(field, "must not be empty")
        return value.strip()

    def strings(self, value: Any, field: str, *, empty: bool = False) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.error(field, f"must be a list of strings, got {_kind(value)}")
        if not value and not empty:
            raise self.error(field, "must list at least one value")
        return tuple(self.string(v, f"{field}[{i}]") for i, v in enumerate(value))

    def number(self, value: Any, field: str, lo: float, hi: float) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(field, f"must be a number from {lo:g} to {hi:g}, got {_kind(value)}")
        if not (lo <= value <= hi) or math.isnan(value):
            raise self.error(field, f"{value!r} is out of range: use a number from {lo:g} to {hi:g}")
        return float(value)

    def integer(self, value: Any, field: str, lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(field, f"must be a whole number from {lo} to {hi}, got {_kind(value)}")
        if not lo <= value <= hi:
            raise self.error(field, f"{value!r} is out of range: use a whole number from {lo} to {hi}")
        return value

    def boolean(self, value: Any, field: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(field, f"must be true or false, got {_kind(value)}")
        return value

    def table(self, value: Any, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(field, f"must be a table ([{field}]), got {_kind(value)}")
        return value

    def choice(self, value: Any, field: str, allowed: tuple[str, ...]) -> str:
        text = self.string(value, field)
        if text not in allowed:
            close = difflib.get_close_matches(text, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise self.error(field, f"unknown value {text!r} (allowed: {', '.join(allowed)}){hint}")
        return text


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a string ({value!r})"
    return f"{type(value).__name__} {value!r}"


def _read_toml(text: str, ctx: _Ctx) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ctx.error("(syntax)", f"not valid TOML: {exc}") from None


def _data_text(relative: str) -> str:
    return resources.files("gekiban").joinpath(relative).read_text(encoding="utf-8")


def _is_minor(mode: str) -> bool:
    return MODES[mode][2] == 3


def progression_fits(progression: Progression, mode: str) -> bool:
    """True when ``progression`` is idiomatic in a key of ``mode`` (a key of ``theory.MODES``).

    ``"major"`` progressions fit modes with a major third (major, lydian, mixolydian),
    ``"minor"`` ones modes with a minor third, ``"any"`` every mode.
    """
    if progression.mode == "any":
        return True
    return _is_minor(mode) == (progression.mode == "minor")


# ─── progressions ───────────────────────────────────────────────────────────────────────────

def _parse_progressions(text: str, file: str) -> dict[str, Progression]:
    ctx = _Ctx(file)
    data = _read_toml(text, ctx)
    out: dict[str, Progression] = {}
    keys = (Key(0, "major"), Key(9, "minor"))
    for name, body in data.items():
        where = f"[{name}]"
        if not _PROG_NAME_RE.fullmatch(name):
            raise ctx.error(where, "progression names use letters, digits and '-'")
        body = ctx.table(body, where)
        ctx.unknown_keys(body, _PROGRESSION_FIELDS, where)
        if "romans" not in body:
            raise ctx.error(f"{where}.romans", "missing: list 2 to 8 Roman numerals")
        romans = ctx.strings(body["romans"], f"{where}.romans")
        if not 2 <= len(romans) <= 8:
            raise ctx.error(f"{where}.romans", f"has {len(romans)} chords: use 2 to 8")
        for i, numeral in enumerate(romans):
            for key in keys:
                try:
                    parse_roman(numeral, key)
                except GekibanError as exc:
                    raise ctx.error(f"{where}.romans[{i}]", str(exc)) from None
        mode = ctx.choice(body.get("mode", "any"), f"{where}.mode", PROGRESSION_MODES)
        desc = ctx.string(body.get("description", ""), f"{where}.description", empty=True)
        out[name] = Progression(name=name, romans=romans, mode=mode, description=desc)
    return out


@cache
def _progressions() -> dict[str, Progression]:
    return _parse_progressions(_data_text("data/progressions.toml"), "data/progressions.toml")


def load_progressions() -> dict[str, Progression]:
    """All shipped chord progressions by name (from ``data/progressions.toml``).

    Returns
    -------
    dict of str to Progression
        A fresh dict on each call; the Progression values are shared and frozen.
    """
    return dict(_progressions())


# ─── grooves ───────────────────────────────────────────────────────────────────────────────

def _parse_lanes(value: Any, field: str, steps: int, drum: bool, ctx: _Ctx) -> dict[int, str]:
    table = ctx.table(value, field)
    lanes: dict[int, str] = {}
    lo, hi = (27, 87) if drum else (0, 127)
    for key, pattern in table.items():
        lane = f'{field}."{key}"'
        if not key.strip().isdigit():
            raise ctx.error(lane, "lane keys are MIDI key numbers in quotes, e.g. \"36\" = \"x...\"")
        number = int(key)
        if not lo <= number <= hi:
            what = "General MIDI drum key" if drum else "MIDI pitch"
            raise ctx.error(lane, f"key {number} is not a {what} ({lo}-{hi})")
        pattern = ctx.string(pattern, lane)
        if len(pattern) != steps:
            raise ctx.error(lane, f"step string {pattern!r} has {len(pattern)} characters; the groove has steps = {steps}")
        bad = sorted(set(pattern) - _STEP_CHARS)
        if bad:
            raise ctx.error(lane, f"bad characters {''.join(bad)!r} in {pattern!r}: use x (hit), X (accent), g (ghost), . (rest)")
        lanes[number] = pattern
    if not drum:
        for step in range(steps):
            hits = [k for k, p in lanes.items() if p[step] != "."]
            if len(hits) > 1:
                raise ctx.error(field, f"keys {hits} all strike on step {step + 1}: a melodic percussion groove plays one note per step")
    return lanes


def _parse_grooves(text: str, file: str) -> tuple[dict[str, Groove], dict[str, dict[str, str]]]:
    ctx = _Ctx(file)
    data = _read_toml(text, ctx)
    grooves: dict[str, Groove] = {}
    alternates: dict[str, dict[str, str]] = {}
    for name, body in data.items():
        where = f"[{name}]"
        if not _NAME_RE.fullmatch(name):
            raise ctx.error(where, "groove names use lower-case letters, digits and '-'")
        body = ctx.table(body, where)
        ctx.unknown_keys(body, _GROOVE_FIELDS, where)
        for required in ("steps", "meters", "lanes"):
            if required not in body:
                raise ctx.error(f"{where}.{required}", "missing")
        steps = ctx.integer(body["steps"], f"{where}.steps", 2, 64)
        meters = tuple(_meter(m, f"{where}.meters[{i}]", ctx) for i, m in enumerate(ctx.strings(body["meters"], f"{where}.meters")))
        for i, meter in enumerate(meters):
            numerator = int(meter.split("/")[0])
            if steps % numerator:
                raise ctx.error(f"{where}.meters[{i}]", f"steps = {steps} does not divide into the {numerator} beats of {meter}")
        drum = ctx.boolean(body.get("drum", True), f"{where}.drum")
        lanes = _parse_lanes(body["lanes"], f"{where}.lanes", steps, drum, ctx)
        if not lanes:
            raise ctx.error(f"{where}.lanes", "must hold at least one lane")
        fill = _parse_lanes(body["fill"], f"{where}.fill", steps, drum, ctx) if "fill" in body else {}
        desc = ctx.string(body.get("description", ""), f"{where}.description", empty=True)
        alt = ctx.table(body.get("alternates", {}), f"{where}.alternates")
        alternates[name] = {
            _meter(m, f"{where}.alternates", ctx): ctx.string(g, f"{where}.alternates.{m}") for m, g in alt.items()
        }
        grooves[name] = Groove(name=name, steps=steps, meters=meters, lanes=lanes, fill=fill, drum=drum, description=desc)
    for name, table in alternates.items():
        for meter, other in table.items():
            field = f"[{name}].alternates.\"{meter}\""
            if other not in grooves:
                raise ctx.error(field, f"unknown groove {other!r}{_did_you_mean(other, grooves)}")
            if meter not in grooves[other].meters:
                raise ctx.error(field, f"groove {other!r} is for {', '.join(grooves[other].meters)}, not {meter}")
            if grooves[other].drum != grooves[name].drum:
                raise ctx.error(field, f"groove {other!r} must be a {'drum-kit' if grooves[name].drum else 'melodic'} groove like {name!r}")
    return grooves, alternates


@cache
def _groove_data() -> tuple[dict[str, Groove], dict[str, dict[str, str]]]:
    return _parse_grooves(_data_text("data/grooves.toml"), "data/grooves.toml")


def load_grooves() -> dict[str, Groove]:
    """All shipped drum and percussion grooves by name (from ``data/grooves.toml``).

    Returns
    -------
    dict of str to Groove
        A fresh dict on each call; the Groove values are shared.
    """
    return dict(_groove_data()[0])


def groove_for(name: str, meter: str) -> Groove | None:
    """The groove to play for groove ``name`` in a cue of ``meter``.

    Returns the groove itself when it fits the meter, else its declared alternate for that
    meter, else the groove of the same kind (drum map or melodic) in that meter whose hit
    density is closest; None when no groove of that kind exists in that meter.

    Raises
    ------
    StyleError
        If ``name`` is not a known groove or ``meter`` cannot be read.
    """
    grooves, alternates = _groove_data()
    if name not in grooves:
        raise StyleError(f"unknown groove {name!r}{_did_you_mean(name, grooves)}")
    meter = _meter(meter, "meter", _Ctx("groove_for"))
    groove = grooves[name]
    if meter in groove.meters:
        return groove
    alt = alternates[name].get(meter)
    if alt:
        return grooves[alt]
    candidates = [g for g in grooves.values() if meter in g.meters and g.drum == groove.drum]
    if not candidates:
        return None
    target = _density(groove)
    return min(candidates, key=lambda g: (abs(_density(g) - target), g.name))


def _density(groove: Groove) -> float:
    return sum(p.count("x") + p.count("X") for p in groove.lanes.values()) / groove.steps


def _meter(text: Any, field: str, ctx: _Ctx) -> str:
    if not isinstance(text, str):
        raise ctx.error(field, f"must be a meter string such as \"4/4\", got {_kind(text)}")
    try:
        return str(parse_meter(text))
    except GekibanError as exc:
        raise ctx.error(field, str(exc)) from None


# ─── styles ───────────────────────────────────────────────────────────────────────────────

def _mode(text: Any, field: str, ctx: _Ctx) -> str:
    name = ctx.string(text, field)
    try:
        return _parse_mode(name)
    except GekibanError:
        close = difflib.get_close_matches(name.lower(), list(MODES), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ctx.error(field, f"unknown mode {name!r} (allowed: {', '.join(MODES)}){hint}") from None


def _parse_mode(name: str) -> str:
    return parse_key(f"C {name}").mode


def _parse_role(role: str, body: Any, ctx: _Ctx, meter: str) -> RoleSpec:
    where = f"roles.{role}"
    body = ctx.table(body, where)
    ctx.unknown_keys(body, _ROLE_FIELDS, where)
    if "instruments" not in body:
        raise ctx.error(f"{where}.instruments", "missing: list one or more instrument ids, e.g. [\"piano\"]")
    names = ctx.strings(body["instruments"], f"{where}.instruments")
    instruments = []
    reg = registry()
    for i, name in enumerate(names):
        field = f"{where}.instruments[{i}]"
        inst = reg.get(name) or _instrument_alias(name)
        if inst is None:
            raise ctx.error(field, f"unknown instrument {name!r}{_did_you_mean(name, reg)} (see `gekiban instruments`)")
        instruments.append(inst)
    kinds = {inst.drum for inst in instruments}
    pattern = ctx.string(body.get("pattern", ""), f"{where}.pattern", empty=True)
    pfield = f"{where}.pattern"
    if role in ("drums", "percussion"):
        if role == "drums" and kinds != {True}:
            raise ctx.error(f"{where}.instruments", "the drums role plays a drum kit: use \"drums\" or \"orchestral-percussion\"")
        if len(kinds) > 1:
            raise ctx.error(f"{where}.instruments", "mixes drum kits and melodic percussion: a groove is written for one kind")
        if not pattern:
            raise ctx.error(pfield, "missing: name a groove from data/grooves.toml")
        grooves = _groove_data()[0]
        if pattern not in grooves:
            raise ctx.error(pfield, f"unknown groove {pattern!r}{_did_you_mean(pattern, grooves)}")
        groove = grooves[pattern]
        drum = kinds == {True}
        if groove.drum != drum:
            want = "a drum-map groove (drum = true)" if drum else "a melodic groove (drum = false) whose keys are pitches"
            raise ctx.error(pfield, f"groove {pattern!r} does not suit {names[0]!r}: use {want}")
        if meter not in groove.meters:
            raise ctx.error(pfield, f"groove {pattern!r} is for {', '.join(groove.meters)}, but the style's first meter is {meter}")
        if not drum:
            for inst in instruments:
                outside = sorted(k for k in set(groove.lanes) | set(groove.fill) if not inst.low <= k <= inst.high)
                if outside:
                    raise ctx.error(pfield, f"groove {pattern!r} uses pitches {outside} outside the range of {inst.id} ({inst.low}-{inst.high})")
    else:
        if True in kinds:
            raise ctx.error(f"{where}.instruments", f"a drum kit cannot play the {role} role: put it in roles.drums or roles.percussion")
        if role in ROLE_PATTERNS:
            pattern = pattern or DEFAULT_PATTERNS[role]
            allowed = ROLE_PATTERNS[role]
            if pattern not in allowed:
                raise ctx.error(pfield, f"unknown {role} pattern {pattern!r} (allowed: {', '.join(allowed)}){_did_you_mean(pattern, allowed)}")
        elif pattern:
            raise ctx.error(pfield, f"the {role} role takes no pattern (it plays a melodic line)")
    return RoleSpec(
        role=role,
        instruments=tuple(inst.id for inst in instruments),
        pattern=pattern,
        min_energy=ctx.number(body.get("min_energy", 0.0), f"{where}.min_energy", 0.0, 1.0),
        volume=ctx.number(body.get("volume", 0.8), f"{where}.volume", 0.0, 1.0),
        pan=ctx.number(body.get("pan", 0.0), f"{where}.pan", -1.0, 1.0),
        octave=ctx.integer(body.get("octave", 0), f"{where}.octave", -3, 3),
    )


def _instrument_alias(name: str) -> Instrument | None:
    try:
        return get_instrument(name)
    except GekibanError:
        return None


def _progression_list(value: Any, field: str, modes: tuple[str, ...], ctx: _Ctx) -> tuple[str, ...]:
    names = ctx.strings(value, field)
    catalogue = _progressions()
    for i, name in enumerate(names):
        if name not in catalogue:
            raise ctx.error(f"{field}[{i}]", f"unknown progression {name!r}{_did_you_mean(name, catalogue)} (see data/progressions.toml)")
        if not any(progression_fits(catalogue[name], m) for m in modes):
            raise ctx.error(f"{field}[{i}]", f"progression {name!r} is for {catalogue[name].mode} keys, but the style's modes are {', '.join(modes)}")
    return names


def _parse_style(text: str, file: str, stem: str) -> Style:
    ctx = _Ctx(file)
    data = _read_toml(text, ctx)
    ctx.unknown_keys(data, _STYLE_FIELDS, "")
    name = ctx.string(data.get("name", stem), "name")
    if name != stem:
        raise ctx.error("name", f"{name!r} must equal the file name without .toml ({stem!r})")
    if not _NAME_RE.fullmatch(name):
        raise ctx.error("name", f"{name!r}: use lower-case letters, digits and '-'")
    for required in ("description", "family", "tempo", "meters", "modes", "harmony", "roles"):
        if required not in data:
            raise ctx.error(required, "missing (see docs/styles.md)")
    description = ctx.string(data["description"], "description")
    if "\n" in description:
        raise ctx.error("description", "must be one line")
    family = ctx.string(data["family"], "family")
    if not _NAME_RE.fullmatch(family):
        raise ctx.error("family", f"{family!r}: one short lower-case word, e.g. {', '.join(FAMILIES[:4])}")

    tempo_v = data["tempo"]
    if isinstance(tempo_v, int) and not isinstance(tempo_v, bool):
        tempo_v = [tempo_v, tempo_v]
    if not isinstance(tempo_v, list) or len(tempo_v) != 2:
        raise ctx.error("tempo", f"must be [low, high] in BPM, e.g. [90, 120], got {_kind(tempo_v)}")
    lo = ctx.integer(tempo_v[0], "tempo[0]", 30, 300)
    hi = ctx.integer(tempo_v[1], "tempo[1]", 30, 300)
    if lo > hi:
        raise ctx.error("tempo", f"low {lo} is above high {hi}")

    meters = tuple(_meter(m, f"meters[{i}]", ctx) for i, m in enumerate(ctx.strings(data["meters"], "meters")))
    modes = tuple(_mode(m, f"modes[{i}]", ctx) for i, m in enumerate(ctx.strings(data["modes"], "modes")))
    tonics = ctx.strings(data.get("tonics", []), "tonics", empty=True)
    for i, tonic in enumerate(tonics):
        try:
            pitch_class(tonic)
        except GekibanError as exc:
            raise ctx.error(f"tonics[{i}]", str(exc)) from None

    harmony_t = ctx.table(data["harmony"], "harmony")
    ctx.unknown_keys(harmony_t, _HARMONY_FIELDS, "harmony")
    if "progressions" not in harmony_t:
        raise ctx.error("harmony.progressions", "missing: list progression names from data/progressions.toml")
    progressions = _progression_list(harmony_t["progressions"], "harmony.progressions", modes, ctx)
    by_section = {}
    for kind, pool in ctx.table(harmony_t.get("by_section", {}), "harmony.by_section").items():
        if kind not in SECTION_KINDS:
            raise ctx.error(f"harmony.by_section.{kind}", f"unknown section kind (allowed: {', '.join(SECTION_KINDS)})")
        by_section[kind] = _progression_list(pool, f"harmony.by_section.{kind}", modes, ctx)
    hr = ctx.number(harmony_t.get("harmonic_rhythm", 1.0), "harmony.harmonic_rhythm", 0.25, 8.0)
    if hr not in _HARMONIC_RHYTHMS:
        raise ctx.error("harmony.harmonic_rhythm", f"{hr:g} bars per chord: use one of {', '.join(f'{h:g}' for h in _HARMONIC_RHYTHMS)}")
    harmony = HarmonySpec(
        progressions=progressions, by_section=by_section, harmonic_rhythm=hr,
        ending=ctx.choice(harmony_t.get("ending", "authentic"), "harmony.ending", ENDINGS),
    )

    melody_t = ctx.table(data.get("melody", {}), "melody")
    ctx.unknown_keys(melody_t, _MELODY_FIELDS, "melody")
    scale = None
    if "scale" in melody_t:
        scale = ctx.choice(melody_t["scale"], "melody.scale", tuple(SCALES))
    melody = MelodySpec(
        scale=scale,
        density=ctx.number(melody_t.get("density", 0.5), "melody.density", 0.0, 1.0),
        leap=ctx.number(melody_t.get("leap", 0.3), "melody.leap", 0.0, 1.0),
        rhythm=ctx.choice(melody_t.get("rhythm", "straight"), "melody.rhythm", RHYTHMS),
        phrase_bars=ctx.integer(melody_t.get("phrase_bars", 4), "melody.phrase_bars", 1, 16),
    )

    roles_t = ctx.table(data["roles"], "roles")
    if not roles_t:
        raise ctx.error("roles", "must define at least one role")
    roles = []
    for role, body in roles_t.items():
        if role not in ROLES:
            raise ctx.error(f"roles.{role}", f"unknown role (allowed: {', '.join(ROLES)}){_did_you_mean(role, ROLES)}")
    for role in ROLES:  # canonical order
        if role in roles_t:
            roles.append(_parse_role(role, roles_t[role], ctx, meters[0]))

    return Style(
        name=name, description=description, family=family, tempo=(lo, hi), meters=meters,
        modes=modes, harmony=harmony, melody=melody, roles=tuple(roles),
        tags=ctx.strings(data.get("tags", []), "tags", empty=True),
        tags_ja=ctx.strings(data.get("tags_ja", []), "tags_ja", empty=True),
        tonics=tonics,
        energy=ctx.number(data.get("energy", 0.5), "energy", 0.0, 1.0),
        tension=ctx.number(data.get("tension", 0.3), "tension", 0.0, 1.0),
        swing=ctx.number(data.get("swing", 0.5), "swing", 0.5, 0.75),
        humanize=ctx.number(data.get("humanize", 0.5), "humanize", 0.0, 1.0),
        reverb=ctx.number(data.get("reverb", 0.3), "reverb", 0.0, 1.0),
        tonal=ctx.boolean(data.get("tonal", True), "tonal"),
        form=ctx.choice(data.get("form", "song"), "form", FORMS),
    )


def _did_you_mean(name: str, choices: Any) -> str:
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def _normalise(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


@cache
def style_names() -> tuple[str, ...]:
    """Names of the shipped styles, sorted."""
    folder = resources.files("gekiban").joinpath("data/styles")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


@cache
def _shipped(name: str) -> Style:
    relative = f"data/styles/{name}.toml"
    return _parse_style(_data_text(relative), relative, name)


@cache
def _user_file(path: str, mtime: float) -> Style:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise StyleError(f"{path}: cannot read style file: {exc.strerror or exc}") from None
    return _parse_style(text, path, p.stem)


def _looks_like_path(text: str) -> bool:
    return text.endswith(".toml") or "/" in text or "\\" in text


def load_style(name_or_path: str | Path) -> Style:
    """Load a shipped style by name (``"lofi"``) or a style file by path (``"my.toml"``).

    Results are cached; a user file is re-read when its modification time changes.

    Raises
    ------
    StyleError
        If the name is unknown (the message lists close names and points to
        ``gekiban styles``), the file is missing, or the file is malformed (the message names
        the file, the field and the problem).
    """
    if isinstance(name_or_path, Path) or _looks_like_path(str(name_or_path)):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise StyleError(f"{path}: no such style file")
        return _user_file(str(path.resolve()), path.stat().st_mtime)
    name = _normalise(str(name_or_path))
    if name not in style_names():
        raise StyleError(_unknown_style_message(str(name_or_path), name))
    return _shipped(name)


def _unknown_style_message(raw: str, name: str) -> str:
    names = style_names()
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    word = name.replace("-", " ")
    tagged = [s for s in names if s not in close and any(word == t.lower() for t in _shipped(s).tags)]
    suggestions = (close + tagged)[:5]
    hint = f"; close: {', '.join(suggestions)}" if suggestions else ""
    return f"unknown style {raw!r}{hint}. Run `gekiban styles` to list all styles, or pass a path to a .toml style file"


def all_styles() -> dict[str, Style]:
    """Every shipped style by name, sorted by name."""
    return {name: _shipped(name) for name in style_names()}


def describe_styles() -> list[tuple[str, str]]:
    """``(name, description)`` of every shipped style, sorted by name (for ``gekiban styles``)."""
    return [(name, style.description) for name, style in all_styles().items()]


def progressions_for(style: Style, mode: str, kind: str | None = None) -> tuple[Progression, ...]:
    """The progressions of ``style`` that fit a key of ``mode``, for a section ``kind``.

    Uses the section's pool when it has one, else the general pool; falls back to every
    catalogue progression that fits the mode when the pool has none (a blended or user
    style in an unusual mode).
    """
    catalogue = _progressions()
    for pool in ((style.harmony.pool(kind) if kind else ()), style.harmony.progressions):
        fitting = tuple(catalogue[n] for n in pool if n in catalogue and progression_fits(catalogue[n], mode))
        if fitting:
            return fitting
    return tuple(p for p in catalogue.values() if progression_fits(p, mode))


# ─── blends ───────────────────────────────────────────────────────────────────────────────

def parse_style_spec(text: str) -> list[tuple[Style, float]]:
    """Read ``"lofi"`` or a blend such as ``"lofi:0.7+orchestral-battle:0.3"``.

    Parts are joined by ``+``; each is a style name or path with an optional ``:weight``
    (a positive number; a bare name weighs 1). Weights are normalised to sum to 1 and
    repeated styles merged.

    Raises
    ------
    StyleError
        If a part is empty, a weight is not a positive number, or a style is unknown.
    """
    if not isinstance(text, str) or not text.strip():
        raise StyleError("empty style: name a style such as 'lofi' or a blend such as 'lofi:0.7+orchestral-battle:0.3'")
    parts: list[tuple[Style, float]] = []
    for raw in text.split("+"):
        part = raw.strip()
        if not part:
            raise StyleError(f"style blend {text!r} has an empty part: write 'a:0.7+b:0.3'")
        name, weight = part, 1.0
        if ":" in part:
            head, tail = part.rsplit(":", 1)
            if not any(c in tail for c in "/\\"):
                name = head.strip()
                try:
                    weight = float(tail)
                except ValueError:
                    raise StyleError(f"bad weight {tail.strip()!r} for style {name!r} in {text!r}: use a positive number, e.g. {name}:0.5") from None
                if not math.isfinite(weight) or weight <= 0:
                    raise StyleError(f"bad weight {tail.strip()!r} for style {name!r} in {text!r}: weights must be positive numbers")
        style = load_style(name)
        for i, (seen, w) in enumerate(parts):
            if seen is style:
                parts[i] = (seen, w + weight)
                break
        else:
            parts.append((style, weight))
    total = sum(w for _, w in parts)
    return [(s, w / total) for s, w in parts]


def blend(weighted: list[tuple[Style, float]]) -> Style:
    """Mix styles by weight into one Style.

    Numbers (tempo, energy, tension, swing, humanize, reverb, melody density and leap,
    harmonic rhythm) are interpolated by weight; categorical fields (family, meters, modes,
    tonics, form, scale, rhythm, ending) come from the heaviest style. A role is kept when
    the heaviest style has it or a style of weight ≥ 0.3 has it; its instruments and
    pattern come from the heaviest style that has the role (a groove is swapped for its
    alternate when it does not fit the blend's meter). The progression pool is the
    heaviest style's, extended by those of styles of weight ≥ 0.3 that fit its modes.

    Raises
    ------
    StyleError
        If the list is empty or a weight is not positive.
    """
    if not weighted:
        raise StyleError("blend needs at least one style")
    for style, w in weighted:
        if not isinstance(w, (int, float)) or isinstance(w, bool) or not math.isfinite(w) or w <= 0:
            raise StyleError(f"bad weight {w!r} for style {style.name!r}: weights must be positive numbers")
    total = sum(w for _, w in weighted)
    items = [(s, w / total) for s, w in weighted]
    if len(items) == 1:
        return items[0][0]
    ranked = sorted(items, key=lambda sw: -sw[1])  # stable: ties keep the given order
    top = ranked[0][0]

    def mix(get) -> float:
        return sum(get(s) * w for s, w in items)

    lo = round(mix(lambda s: s.tempo[0]))
    hi = max(lo, round(mix(lambda s: s.tempo[1])))
    meter = top.meters[0]

    roles = []
    for role in ROLES:
        having = [(s, w) for s, w in ranked if s.role(role) is not None]
        if not having or not (top.role(role) is not None or any(w >= 0.3 for _, w in having)):
            continue
        spec = having[0][0].role(role)
        if role in ("drums", "percussion"):
            groove = groove_for(spec.pattern, meter)
            if groove is None:
                continue
            spec = replace(spec, pattern=groove.name)
        roles.append(spec)

    catalogue = _progressions()
    pool = list(top.harmony.progressions)
    for s, w in ranked[1:]:
        if w >= 0.3:
            pool += [p for p in s.harmony.progressions if p not in pool and any(progression_fits(catalogue[p], m) for m in top.modes)]
    log_hr = mix(lambda s: math.log2(s.harmony.harmonic_rhythm))
    hr = min(_HARMONIC_RHYTHMS, key=lambda h: abs(math.log2(h) - log_hr))

    def union(get) -> tuple[str, ...]:
        out: list[str] = []
        for s, _ in ranked:
            out += [t for t in get(s) if t not in out]
        return tuple(out)

    return replace(
        top,
        name="+".join(s.name for s, _ in items),
        description="Blend of " + ", ".join(f"{round(w * 100)}% {s.name}" for s, w in items),
        tempo=(lo, hi),
        harmony=replace(top.harmony, progressions=tuple(pool), harmonic_rhythm=hr),
        melody=replace(top.melody, density=round(mix(lambda s: s.melody.density), 3), leap=round(mix(lambda s: s.melody.leap), 3)),
        roles=tuple(roles),
        tags=union(lambda s: s.tags),
        tags_ja=union(lambda s: s.tags_ja),
        energy=round(mix(lambda s: s.energy), 3),
        tension=round(mix(lambda s: s.tension), 3),
        swing=round(mix(lambda s: s.swing), 3),
        humanize=round(mix(lambda s: s.humanize), 3),
        reverb=round(mix(lambda s: s.reverb), 3),
    )
