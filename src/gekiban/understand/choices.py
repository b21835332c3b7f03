"""What the style chooses where the prompt and the options are silent: energy and tension
moved by what the prompt adds, a mood word, a mode, a tonic, a tempo in the style's range, the
style's palette."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from gekiban.errors import InvalidOptionError
from gekiban.instruments import get_instrument
from gekiban.roles import is_role
from gekiban.styles.schema import Style
from gekiban.theory import MODES, parse_key, pitch_class
from gekiban.understand.moods import MOODS

# Energy = the style's energy + these shares of what the prompt adds (clamped to 0.02-0.98):
# mood words (a mood that is the style's own does not make it busier: 'goofy' comedy stays as busy), intensity
# words ('quiet', 'explosive', 静か, 激しく), the embedding's high-vs-low energy reading (about
# ±0.2; differences under ENERGY_PROBE_DEADZONE are noise) and a stated tempo's distance from
# 110 bpm. Weights set on tests/prompts/tune.toml.
ENERGY_WEIGHTS = {"mood": 0.25, "intensity": 0.5, "meaning": 0.25, "tempo": 0.5}
ENERGY_PROBE_DEADZONE = 0.03


def _clamp01(x: float) -> float:
    return round(min(1.0, max(0.0, x)), 3)


def nudge(value: float, delta: float) -> float:
    """Move ``value`` (0-1) by a mood's ``delta`` as a share of the room left on that side, so
    'epic' lifts a calm style a lot and an already epic one a little (delta 0.25 → half the room)."""
    value = min(1.0, max(0.0, float(value)))
    delta = max(-0.5, min(0.5, delta))
    moved = value + 2 * delta * (1 - value) if delta > 0 else value + 2 * delta * value
    return _clamp01(moved)


def mood_of(style: Style, energy: float, tension: float) -> tuple[str, str]:
    """A mood word for a style when the prompt has none: a tag that is a mood, else by
    energy and tension."""
    for tag in style.tags:
        for mood, (words, *_rest) in MOODS.items():
            if tag.lower() == mood or tag.lower() in words:
                return mood, f"style {style.name} tag {tag!r}"
    if tension >= 0.6:
        mood = "intense" if energy >= 0.6 else "tense"
    elif energy >= 0.65:
        mood = "epic" if tension >= 0.35 else "happy"
    elif energy <= 0.35:
        mood = "sad" if tension >= 0.35 else "calm"
    else:
        mood = "hopeful"
    return mood, f"style {style.name} energy {energy:g}, tension {tension:g}"


def energy_of(st: Style, reading: Mapping[str, Any], x_tempo: float | None) -> tuple[float, list[str], str]:
    """The cue's energy (0-1), the reasons, and their source (``"prompt"``, ``"option"`` when only
    the tempo option moved it, ``"style"`` when nothing did), from the style's energy and what
    the prompt adds."""
    w = ENERGY_WEIGHTS
    rev = reading.get("evidence", {})
    parts: list[tuple[str, float]] = []
    if "energy_delta" in reading:
        own, _ = mood_of(st, st.energy, st.tension)
        if reading.get("mood") != own or reading["energy_delta"] < 0:
            parts.append((f"mood {reading['mood']} ({rev.get('mood', '')})", w["mood"] * reading["energy_delta"]))
    if "intensity" in reading:
        parts.append((rev.get("intensity", "intensity words"), w["intensity"] * reading["intensity"]))
    probe = reading.get("energy_probe", 0.0)
    if abs(probe) > ENERGY_PROBE_DEADZONE:
        probe -= math.copysign(ENERGY_PROBE_DEADZONE, probe)
        parts.append(("meaning (closer to " + ("busy" if probe > 0 else "quiet") + " music)", w["meaning"] * probe))
    bpm = x_tempo if x_tempo is not None else reading.get("tempo")
    if bpm is None and "tempo_range" in reading:
        bpm = sum(reading["tempo_range"]) / 2
    if bpm is not None:
        parts.append((f"tempo {float(bpm):g} bpm", w["tempo"] * max(-0.15, min(0.15, (float(bpm) - 110.0) / 300.0))))
    energy = st.energy + sum(d for _, d in parts)
    energy = round(min(0.98, max(0.02, energy)), 3)
    reasons = [f"{why} {d:+.2f}" for why, d in parts if abs(d) >= 0.005]
    only_option = x_tempo is not None and len(parts) == 1
    return energy, reasons, "style" if not reasons else "option" if only_option else "prompt"


def pick_mode(style: Style, kind: str | None) -> str:
    modes = [m for m in style.modes if m in MODES] or ["major"]
    if kind in ("major", "minor"):
        want_minor = kind == "minor"
        for m in modes:
            if (MODES[m][2] == 3) == want_minor:
                return m
        return kind
    return modes[0]


def tonic_choices(style: Style) -> list[int]:
    out = []
    for t in style.tonics:
        try:
            out.append(pitch_class(t))
        except InvalidOptionError:
            try:
                out.append(parse_key(t).tonic)
            except InvalidOptionError:
                continue
    return out


def palette(style: Style, exclude: Sequence[str]) -> tuple[str, ...]:
    """The instrument ids the style seats (first choice per role), minus excluded ones; the drum
    kit too (the id ``drums`` is also a role name), so "with X" keeps the style's drums."""
    out: list[str] = []
    for spec in style.roles:
        if spec.role in exclude:
            continue
        for name in spec.instruments:
            try:
                ident = get_instrument(name).id
            except InvalidOptionError:
                continue
            if ident not in exclude and (not is_role(name) or get_instrument(name).drum):
                if ident not in out:
                    out.append(ident)
                break
    return tuple(out)


def tempo_from_range(lo: float, hi: float, point: float, word: tuple[float, float] | None) -> float:
    """A tempo in the style's range at ``point`` (0-1), held inside a tempo word's range."""
    tempo = lo + (hi - lo) * min(1.0, max(0.0, point))
    if word is not None:
        wlo, whi = word
        if max(lo, wlo) <= min(hi, whi):  # the ranges overlap: stay in both
            lo2, hi2 = max(lo, wlo), min(hi, whi)
            tempo = lo2 + (hi2 - lo2) * min(1.0, max(0.0, point))
        else:
            tempo = min(whi, max(wlo, tempo))
    return float(round(tempo))
