"""Brief: everything the composer needs to know about the cue, resolved from text and options.

Explicit options always win over what the prompt says; the ``evidence`` map records why each
field has its value (for ``gekiban explain`` and ``track.json``).

The prompt is read by :func:`read_prompt` with :mod:`gekiban.understand`: explicit values
(tempo, key, meter, length, loop, instruments, chord progressions) exactly, in English and
Japanese, and the free description by meaning (sentence embeddings against every style's
description and scenes, plus keyword evidence). ``Brief.energy`` levels: below 0.4 low, below
0.7 mid, else high (:func:`gekiban.understand.energy_level`).
"""

from __future__ import annotations

import importlib
import math
import os
import random
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gekiban.errors import InvalidOptionError, StyleError
from gekiban.theory import (
    MODES,
    NOTE_NAMES,
    Key,
    Meter,
    parse_key,
    parse_meter,
    pitch_class,
)

if TYPE_CHECKING:  # pragma: no cover
    from gekiban.style import Style

MAX_PROMPT_CHARS = 2000
MAX_DURATION_S = 1200.0
TEMPO_RANGE = (30.0, 300.0)
MAX_SEED = 2**32 - 1
DEFAULT_DURATION_S = 60.0
SHORT_DURATION_S = 5.0  # default length for styles of family "short" (stingers, eye-catches)
TV_SIZE_S = 89.0  # OP/ED "TV size" (MUSIC.md §6)

# Tried in order when the prompt matches no style; then the first style tagged hopeful/calm.
DEFAULT_STYLE_NAMES = ("hopeful", "slice-of-life", "pastoral", "emotional-piano", "ambient")
DEFAULT_STYLE_TAGS = ("hopeful", "calm", "gentle", "peaceful")

FORMATS = ("wav", "flac", "mp3")
SAMPLE_RATES = (44100, 48000)


@dataclass(frozen=True)
class Brief:
    """A fully resolved request: every field has a value.

    ``style`` is a style name, or for a blend the normalised spec (``"lofi:0.7+chiptune:0.3"``)
    whose parts are also in ``style_blend``. ``instruments`` is empty when the style's own palette
    is used; when not empty it replaces that palette. ``exclude`` holds role names and/or
    instrument ids the user asked to leave out ("no drums", "without piano").
    ``chords`` is a progression the user asked for (chord symbols such as ``"Am"`` or Roman
    numerals such as ``"IV△7"``), played by every section; ``motif`` is a melody seed as
    (onset in beats, length in beats, MIDI pitch) that becomes the main motif. ``arc`` holds
    (seconds, intensity 0-1, tension 0-1) points that shape the energy along the cue; ``hits``
    the times in seconds where a section downbeat with an accent must fall; ``ending`` is one
    of ring, fade, button, loop; ``cue`` a short cue type (stinger, eyecatch, preview, bumper)
    or empty.
    """

    prompt: str
    style: str
    mood: str
    energy: float
    tension: float
    tempo: float
    key: Key
    meter: Meter
    duration: float
    instruments: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    loop: bool = False
    seed: int = 0
    evidence: dict[str, str] = field(default_factory=dict)
    style_blend: tuple[tuple[str, float], ...] = ()
    chords: tuple[str, ...] = ()
    motif: tuple[tuple[float, float, int], ...] = ()
    arc: tuple[tuple[float, float, float], ...] = ()
    hits: tuple[float, ...] = ()
    ending: str = "ring"
    cue: str = ""


# --------------------------------------------------------------------------------------------
# Option parsers: each takes what a user typed (or a number) and raises InvalidOptionError whose
# message names the bad value and what is allowed.
# --------------------------------------------------------------------------------------------

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_SEC = r"(?:s|sec|secs|second|seconds|秒)"
_MIN = r"(?:m|min|mins|minute|minutes|分)"
_DURATION_FORMS = (
    (re.compile(rf"({_NUM})\s*{_SEC}?"), lambda m: float(m[1])),
    (re.compile(rf"({_NUM})\s*{_MIN}"), lambda m: float(m[1]) * 60),
    (re.compile(rf"(\d+)\s*{_MIN}\s*(\d+(?:\.\d*)?)\s*{_SEC}?"), lambda m: int(m[1]) * 60 + float(m[2])),
    (re.compile(r"(\d+):([0-5]?\d(?:\.\d*)?)"), lambda m: int(m[1]) * 60 + float(m[2])),
    (re.compile(r"(\d+):([0-5]\d):([0-5]\d(?:\.\d*)?)"), lambda m: int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])),
)
_DURATION_HELP = "use seconds (90, 90s), minutes (2m, 2 min), m:ss (1:30) or 1m30s"


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _check_duration(seconds: float, shown: Any) -> float:
    if not math.isfinite(seconds) or seconds <= 0 or seconds > MAX_DURATION_S:
        raise InvalidOptionError(
            f"duration {shown!r} is {seconds:g} s: it must be more than 0 and at most "
            f"{MAX_DURATION_S:g} s (20 minutes)")
    return float(seconds)


def parse_duration(x: float | str) -> float:
    """Read a cue length in seconds.

    Accepts a number of seconds or text such as ``"90"``, ``"90s"``, ``"1:30"``, ``"2m"``,
    ``"2 min"``, ``"1m30s"``, ``"2分"``, ``"1分30秒"``.

    Returns
    -------
    float
        Seconds, more than 0 and at most 1200 (20 minutes).

    Raises
    ------
    InvalidOptionError
        If the text cannot be read or the length is out of range.
    """
    if _is_number(x):
        return _check_duration(float(x), x)
    if not isinstance(x, str):
        raise InvalidOptionError(f"bad duration {x!r}: {_DURATION_HELP}")
    text = x.strip().lower()
    for pattern, value in _DURATION_FORMS:
        m = pattern.fullmatch(text)
        if m:
            return _check_duration(value(m), x)
    raise InvalidOptionError(f"bad duration {x!r}: {_DURATION_HELP}")


def parse_tempo(x: float | str) -> float:
    """Read a tempo in quarter-note beats per minute: ``140``, ``"140"``, ``"140bpm"``.

    Raises
    ------
    InvalidOptionError
        If it is not a number from 30 to 300.
    """
    lo, hi = TEMPO_RANGE
    value: float | None = None
    if _is_number(x):
        value = float(x)
    elif isinstance(x, str):
        m = re.fullmatch(rf"\s*({_NUM})\s*(?:bpm)?\s*", x, re.IGNORECASE)
        value = float(m[1]) if m else None
    if value is None or not math.isfinite(value):
        raise InvalidOptionError(f"bad tempo {x!r}: use a number of beats per minute from {lo:g} to {hi:g}, e.g. 140")
    if not lo <= value <= hi:
        raise InvalidOptionError(f"tempo {x!r} is out of range: use {lo:g} to {hi:g} beats per minute")
    return value


def parse_seed(x: int | str) -> int:
    """Read a random seed: a whole number from 0 to 4294967295.

    Raises
    ------
    InvalidOptionError
        If it is not such a number.
    """
    value: int | None = None
    if isinstance(x, int) and not isinstance(x, bool):
        value = x
    elif isinstance(x, float) and x.is_integer() or isinstance(x, str) and re.fullmatch(r"\s*\d+\s*", x):
        value = int(x)
    if value is None or not 0 <= value <= MAX_SEED:
        raise InvalidOptionError(f"bad seed {x!r}: use a whole number from 0 to {MAX_SEED}")
    return value


def parse_instruments(x: str | Iterable[str]) -> tuple[str, ...]:
    """Read instruments (``"piano, strings"`` or a list) into registry ids, in order, without
    duplicates.

    Raises
    ------
    InvalidOptionError
        If a name is unknown (the message suggests close names) or the list is empty.
    """
    from gekiban.instruments import get_instrument

    if isinstance(x, str):
        names = [n.strip() for n in re.split(r"[,;]", x)]
    else:
        names = [str(n).strip() for n in x]
    names = [n for n in names if n]
    if not names:
        raise InvalidOptionError(f"no instruments in {x!r}: list one or more, e.g. 'piano,strings' (see `gekiban instruments`)")
    out: list[str] = []
    for name in names:
        ident = get_instrument(name).id
        if ident not in out:
            out.append(ident)
    return tuple(out)


def check_prompt(text: str) -> str:
    """Check a prompt: a string of at most 2000 characters without control characters other
    than newline and tab. Windows line ends (CR LF) are read as newlines.

    Returns
    -------
    str
        The prompt with CR LF turned into LF.

    Raises
    ------
    InvalidOptionError
        If the prompt is too long or holds a control character.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InvalidOptionError(f"bad prompt {text!r}: it must be text")
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_PROMPT_CHARS:
        raise InvalidOptionError(f"prompt is {len(text)} characters long: at most {MAX_PROMPT_CHARS} are allowed")
    for i, ch in enumerate(text):
        if ch not in "\n\t" and unicodedata.category(ch) == "Cc":
            raise InvalidOptionError(
                f"prompt holds control character U+{ord(ch):04X} at position {i}: "
                "only newline and tab are allowed")
    return text


def parse_format(x: str) -> str:
    """Read an audio file format: ``wav``, ``flac`` or ``mp3``.

    Raises
    ------
    InvalidOptionError
        If it is another format.
    """
    fmt = str(x).strip().lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidOptionError(f"unknown format {x!r}: use one of {', '.join(FORMATS)}")
    return fmt


def parse_sample_rate(x: int | str) -> int:
    """Read a sample rate: 44100 or 48000 (``"48k"`` and ``"44.1k"`` are read too).

    Raises
    ------
    InvalidOptionError
        If it is another rate.
    """
    value: float | None = None
    if _is_number(x):
        value = float(x)
    elif isinstance(x, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(k?)(?:hz)?\s*", x.lower())
        if m:
            value = float(m[1]) * (1000 if m[2] else 1)
    if value is None or value not in SAMPLE_RATES:
        raise InvalidOptionError(f"unsupported sample rate {x!r}: use {' or '.join(map(str, SAMPLE_RATES))}")
    return int(value)


# --------------------------------------------------------------------------------------------
# Styles: reached through gekiban.styles (imported on use, so tests can substitute it).
# --------------------------------------------------------------------------------------------

def _styles_module() -> Any:
    try:
        return importlib.import_module("gekiban.styles")
    except ModuleNotFoundError as exc:  # only while the style library is not installed
        if exc.name != "gekiban.styles":
            raise
        raise StyleError("the style library (gekiban.styles) is not available") from exc


def resolve_style(spec: str) -> tuple[str, Style, tuple[tuple[str, float], ...]]:
    """Resolve a style name or blend (``"lofi:0.7+orchestral-battle:0.3"``).

    Returns
    -------
    tuple
        The normalised spec (the name for one style), the :class:`~gekiban.style.Style`
        (blended for several), and the ``(name, weight)`` parts, weights summing to 1.

    Raises
    ------
    StyleError
        If a name is unknown or the spec cannot be read.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise StyleError(f"bad style {spec!r}: give a style name (see `gekiban styles`) or a blend like 'lofi:0.7+chiptune:0.3'")
    mod = _styles_module()
    parts = list(mod.parse_style_spec(spec.strip()))
    if not parts:
        raise StyleError(f"bad style {spec!r}: no style named in it (see `gekiban styles`)")
    total = sum(w for _, w in parts) or 1.0
    blend_parts = tuple((s.name, round(w / total, 4)) for s, w in parts)
    # The spec is kept as given (whitespace trimmed) when it names a file or a blend, so that
    # parse_style_spec(brief.style) finds the same style again; a shipped name is normalised.
    text = "+".join(p.strip() for p in spec.strip().split("+"))
    if len(parts) == 1:
        single = parts[0][0]
        return (text if any(c in text for c in "/\\") or text.endswith(".toml") else single.name), single, ()
    return text, mod.blend(parts), blend_parts


def brief_style(brief: Brief) -> Style:
    """The :class:`~gekiban.style.Style` a brief names (blended again for a blend)."""
    return resolve_style(brief.style)[1]


# --------------------------------------------------------------------------------------------
# Reading the prompt (gekiban.understand does the work; this section assembles its answers)
# --------------------------------------------------------------------------------------------

from gekiban.understand import energy_level
from gekiban.understand.moods import MOOD_DELTA_CAP as _MOOD_DELTA_CAP
from gekiban.understand.moods import MOODS, find_intensity, find_moods
from gekiban.understand.text import Span, blank, has_japanese, normalise

INTENSITY_CAP = 0.3
# Energy = the style's energy + these shares of what the prompt adds (clamped to 0.02-0.98):
# mood words (a mood that is the style's own does not make it busier: 'goofy' comedy stays as busy), intensity
# words ('quiet', 'explosive', 静か, 激しく), the embedding's high-vs-low energy reading (about
# ±0.2; differences under ENERGY_PROBE_DEADZONE are noise) and a stated tempo's distance from
# 110 bpm. Weights set on tests/prompts/tune.toml.
ENERGY_WEIGHTS = {"mood": 0.25, "intensity": 0.5, "meaning": 0.25, "tempo": 0.5}
ENERGY_PROBE_DEADZONE = 0.03


def score_styles(text: str, styles: Mapping[str, Style]) -> list[tuple[str, float, tuple[str, ...]]]:
    """Keyword points of each style for ``text`` (see
    :func:`gekiban.understand.semantic.keyword_scores`), best first."""
    from gekiban.understand.semantic import keyword_scores

    return keyword_scores(normalise(text), styles)


def default_style_name(styles: Mapping[str, Style]) -> str:
    """The style used when the prompt names none: a calm/hopeful one."""
    for name in DEFAULT_STYLE_NAMES:
        if name in styles:
            return name
    for tag in DEFAULT_STYLE_TAGS:
        for name, style in styles.items():
            if tag in getattr(style, "tags", ()):
                return name
    if not styles:
        raise StyleError("no styles are installed: the style library is empty")
    return next(iter(styles))


def _q(words: Iterable[str]) -> str:
    return ", ".join(repr(w) for w in words)


# Words that ask for a mix of two styles: "lofi meets chiptune", "jazz with a touch of horror".
_BLEND_RE = re.compile(r"\b(?:meets|mixed with|crossed with|fused with|blended with|mashed up with|fusion of|"
                       r"with a (?:touch|hint|dash|bit) of)\b|\s[x×+]\s|ミックス|融合|×", re.IGNORECASE)


def _find_blend(text: str, english: str, ranked: list[Any]) -> tuple[tuple[tuple[str, float], ...], str] | None:
    """Two styles the prompt names by keywords and asks to mix, with weights (0.7/0.3 for 'a
    touch of', else 0.6/0.4), or None."""
    m = _BLEND_RE.search(text) or _BLEND_RE.search(english)
    if not m:
        return None
    named = [s for s in ranked if s.keyword >= 2][:2]
    if len(named) < 2:
        return None
    light = re.search(r"touch|hint|dash|bit", m[0], re.IGNORECASE) is not None
    w = (0.7, 0.3) if light else (0.6, 0.4)
    first, second = named
    return ((first.name, w[0]), (second.name, w[1])), f"prompt: {m[0].strip()!r} between {_q(first.hits[:2])} and {_q(second.hits[:2])}"


def read_prompt(text: str, styles: Mapping[str, Style] | None = None, *, semantic: bool = True) -> dict[str, Any]:
    """Read what a prompt says, in English or Japanese.

    Explicit values (tempo or a tempo word, key or mode, meter, length, loop, instruments
    wanted / unwanted / alone, a chord progression) are read exactly; the rest of the prompt is
    compared by meaning with every style and mood (:mod:`gekiban.understand.semantic`), together
    with keyword evidence. A Japanese prompt is also glossed into English for the model.

    Parameters
    ----------
    text : str
        The prompt (checked with :func:`check_prompt` first by callers).
    styles : mapping, optional
        Styles by name to rank; default: all installed styles; ``{}`` skips style ranking.
    semantic : bool
        Use the sentence-embedding model (default); False reads keywords only.

    Returns
    -------
    dict
        Only the fields the text speaks to, among: ``style``, ``style_scores`` (name, score) best
        first, ``neighbours`` (name, score, closest style sentence) for the top styles,
        ``tempo``, ``tempo_range`` (from a tempo word), ``key`` (a Key) or ``mode``
        (``"major"``/``"minor"``), ``mode_hint``, ``meter``, ``duration`` (seconds, not yet
        range-checked), ``mood``, ``energy_delta``, ``tension_delta``, ``loop``, ``exclude``,
        ``instruments`` and ``instruments_only``, ``chords`` with ``chords_name`` and
        ``chords_mode``, ``gloss`` (the English read for a Japanese prompt); and ``evidence``:
        one short string per field, quoting the words it came from.
    """
    from gekiban.understand.explicit import (
        find_duration,
        find_key,
        find_loop,
        find_meter,
        find_tempo,
        find_tempo_word,
    )
    from gekiban.understand.instruments import read_instruments
    from gekiban.understand.progressions import find_progression

    out: dict[str, Any] = {}
    ev: dict[str, str] = {}
    raw = text or ""
    if not raw.strip():
        out["evidence"] = ev
        return out
    t = normalise(raw)
    spans: list[Span] = []

    found = find_tempo(t)
    if found:
        out["tempo"], sp = found
        ev["tempo"] = f"prompt: {sp.text!r}"
        spans.append(sp)
    found_word = find_tempo_word(t)
    if found_word:
        (lo, hi), sp = found_word
        if "tempo" not in out:
            out["tempo_range"] = (float(lo), float(hi))
            ev["tempo_range"] = f"prompt: {sp.text!r} means {lo:g}–{hi:g} bpm"
        spans.append(sp)
    found_key = find_key(t)
    if found_key:
        value, sp = found_key
        out["key" if isinstance(value, Key) else "mode"] = value
        ev["key" if isinstance(value, Key) else "mode"] = f"prompt: {sp.text!r}"
        spans.append(sp)
    found_meter = find_meter(t)
    if found_meter:
        out["meter"], sp = found_meter
        ev["meter"] = f"prompt: {sp.text!r}"
        spans.append(sp)
    found_dur = find_duration(t)
    if found_dur:
        out["duration"], sp = found_dur
        ev["duration"] = f"prompt: {sp.text!r}"
        spans.append(sp)
    found_loop = find_loop(t)
    if found_loop:
        out["loop"], sp = found_loop
        ev["loop"] = f"prompt: {sp.text!r}"
        spans.append(sp)
    prog = find_progression(t)
    if prog:
        out["chords"] = prog.chords
        out["chords_name"] = prog.name
        out["chords_mode"] = prog.mode
        what = f"the {prog.name} progression " if prog.name else ""
        ev["chords"] = f"prompt: {prog.span.text!r} → {what}{' '.join(prog.chords)}" if prog.span else f"{what}{' '.join(prog.chords)}"
        if prog.span:
            spans.append(prog.span)
    inst = read_instruments(t)
    if inst.exclude:
        out["exclude"] = inst.exclude
        ev["exclude"] = "prompt: " + ", ".join(f"{i!r} (from {w!r})" if i != w.lower() else repr(i)
                                               for i, w in zip(inst.exclude, inst.exclude_words))
    if inst.wanted:
        out["instruments"] = inst.wanted
        out["instruments_only"] = inst.only
        ev["instruments"] = ("prompt: only " if inst.only else "prompt: with ") + _q(inst.wanted_words)

    # What is left describes the scene: gloss Japanese, drop the explicit values, read by meaning.
    scene = blank(t, spans)
    english = scene
    if has_japanese(scene):
        from gekiban.understand.japanese import gloss

        english, pairs = gloss(scene)
        if pairs:
            out["gloss"] = english
            ev["gloss"] = "Japanese read as: " + "; ".join(f"{a}={b}" for a, b in pairs[:12])
    moods = find_moods(f"{english} \n {t}")
    intensity = find_intensity(f"{english} \n {t}")
    use_model = semantic and bool(english.strip())
    vec = None
    if use_model:
        from gekiban.understand.semantic import embed_prompt, has_words

        if has_words(english):
            vec = embed_prompt(english)

    if styles is None:
        styles = _styles_module().all_styles()
    if styles:
        from gekiban.understand.semantic import MIN_STYLE_SCORE, rank_styles

        ranked = rank_styles(vec, english, t, styles)
        best = ranked[0] if ranked else None
        out["neighbours"] = [(s.name, s.score, s.neighbour) for s in ranked[:3]]
        if ranked:
            ev["neighbour_scores"] = " ".join(f"{s.name}={s.score:.4f}" for s in ranked[:5])
            ev["neighbours"] = "; ".join(
                f"{s.name} {s.score:.3f}" + (f" (similarity {s.similarity:.3f} to {s.neighbour!r}" if s.neighbour else " (")
                + (f", keywords {_q(s.hits)})" if s.hits else ")") for s in ranked[:3])
        if best is not None and (best.keyword > 0 or best.score >= MIN_STYLE_SCORE):
            out["style"] = best.name
            out["style_scores"] = [(s.name, s.score) for s in ranked if s.score > 0]
            why = []
            if best.hits:
                why.append(f"keywords {_q(best.hits)}")
            if best.neighbour:
                why.append(f"closest to {best.neighbour!r} (similarity {best.similarity:.3f})")
            ev["style"] = f"prompt: {' and '.join(why) or 'words'} → {best.name} (score {best.score:.3f})"
            blend = _find_blend(t, english, ranked)
            if blend:
                out["blend"], ev["blend"] = blend
        elif best is not None and vec is not None:
            out["style_miss"] = f"best match {best.name} scored {best.score:.3f}, below {MIN_STYLE_SCORE}"
        else:
            out["style_miss"] = "no words in it that describe a scene"

    if moods:
        seen: list[str] = []
        de = dt = 0.0
        for _, mood, _w in moods:
            if mood not in seen:
                seen.append(mood)
                de += MOODS[mood][2]
                dt += MOODS[mood][3]
        cap = _MOOD_DELTA_CAP
        out["mood"] = seen[0]
        out["energy_delta"] = max(-cap, min(cap, de))
        out["tension_delta"] = max(-cap, min(cap, dt))
        words = _q(dict.fromkeys(w for _, _, w in moods[:4]))
        ev["mood"] = f"prompt: {words}"
        ev["energy"] = ev["tension"] = f"mood words {words}"
        kind = next((MOODS[m][4] for m in seen if MOODS[m][4]), None)
        if kind:
            out["mode_hint"] = kind
            ev["mode_hint"] = f"mood {seen[0]} prefers {kind}"
    elif vec is not None:
        from gekiban.understand.semantic import nearest_mood

        mood, sim = nearest_mood(vec)
        if sim >= 0.3:
            out["mood"] = mood
            out["energy_delta"] = MOODS[mood][2] / 2
            out["tension_delta"] = MOODS[mood][3] / 2
            ev["mood"] = f"prompt reads as {mood} (similarity {sim:.3f} to {MOODS[mood][5]!r})"
            ev["energy"] = ev["tension"] = f"mood {mood} by meaning"
    if intensity:
        d = max(-INTENSITY_CAP, min(INTENSITY_CAP, sum(x for _, x in intensity)))
        out["intensity"] = d
        ev["intensity"] = f"intensity words {_q(dict.fromkeys(w for w, _ in intensity))}"
    if vec is not None:
        from gekiban.understand.semantic import energy_probe

        out["energy_probe"] = energy_probe(vec)
    out["evidence"] = ev
    return out


# --------------------------------------------------------------------------------------------
# Resolving
# --------------------------------------------------------------------------------------------

def _clamp01(x: float) -> float:
    return round(min(1.0, max(0.0, x)), 3)


def _nudge(value: float, delta: float) -> float:
    """Move ``value`` (0-1) by a mood's ``delta`` as a share of the room left on that side, so
    'epic' lifts a calm style a lot and an already epic one a little (delta 0.25 → half the room)."""
    value = min(1.0, max(0.0, float(value)))
    delta = max(-0.5, min(0.5, delta))
    moved = value + 2 * delta * (1 - value) if delta > 0 else value + 2 * delta * value
    return _clamp01(moved)


def _mood_of(style: Style, energy: float, tension: float) -> tuple[str, str]:
    """A mood word for a style when the prompt has none: a tag that is a mood, else by
    energy and tension."""
    for tag in getattr(style, "tags", ()):
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


def _energy(st: Style, reading: Mapping[str, Any], x_tempo: float | None) -> tuple[float, list[str]]:
    """The cue's energy (0-1) and the reasons, from the style's energy and what the prompt adds."""
    w = ENERGY_WEIGHTS
    rev = reading.get("evidence", {})
    parts: list[tuple[str, float]] = []
    if "energy_delta" in reading:
        own, _ = _mood_of(st, st.energy, st.tension)
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
    return energy, [f"{why} {d:+.2f}" for why, d in parts if abs(d) >= 0.005]


def _pick_mode(style: Style, kind: str | None) -> str:
    modes = [m for m in getattr(style, "modes", ()) if m in MODES] or ["major"]
    if kind in ("major", "minor"):
        want_minor = kind == "minor"
        for m in modes:
            if (MODES[m][2] == 3) == want_minor:
                return m
        return kind
    return modes[0]


def _tonic_choices(style: Style) -> list[int]:
    out = []
    for t in getattr(style, "tonics", ()):
        try:
            out.append(pitch_class(t))
        except InvalidOptionError:
            try:
                out.append(parse_key(t).tonic)
            except InvalidOptionError:
                continue
    return out


def _palette(style: Style, exclude: Sequence[str]) -> tuple[str, ...]:
    """The instrument ids the style seats (first choice per role), minus excluded ones."""
    from gekiban.instruments import get_instrument

    roles = {"lead", "counter", "pad", "ostinato", "bass", "drums", "percussion"}
    out: list[str] = []
    for spec in getattr(style, "roles", ()):
        if spec.role in exclude:
            continue
        for name in spec.instruments:
            try:
                ident = get_instrument(name).id
            except InvalidOptionError:
                continue
            if ident not in exclude and name not in roles:
                if ident not in out:
                    out.append(ident)
                break
    return tuple(out)


def _tempo_from_range(lo: float, hi: float, point: float, word: tuple[float, float] | None) -> float:
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
) -> Brief:
    """Resolve a prompt and options into a complete :class:`Brief`.

    Explicit options always win and are used exactly; then a MIDI seed (``from_midi``); then
    what the prompt says (see :func:`read_prompt`); then the style's defaults. Every option is
    checked before the style library is consulted, so a bad value is reported first.

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

    Returns
    -------
    Brief
        With ``evidence`` holding one short string per field saying where its value came from.

    Raises
    ------
    InvalidOptionError
        For a bad option or a bad value stated in the prompt.
    StyleError
        For an unknown style.
    MidiError
        For a MIDI seed that cannot be read.
    """
    ev: dict[str, str] = {}
    prompt = check_prompt(prompt)
    x_duration = parse_duration(duration) if duration is not None else None
    x_seed = parse_seed(seed) if seed is not None else None
    x_key = key if isinstance(key, Key) else (parse_key(key) if key is not None else None)
    x_tempo = parse_tempo(tempo) if tempo is not None else None
    x_meter = meter if isinstance(meter, Meter) else (parse_meter(meter) if meter is not None else None)
    x_instruments = parse_instruments(instruments) if instruments is not None else None
    x_chords = None
    if chords is not None:
        from gekiban.understand.progressions import parse_chords

        x_chords = parse_chords(chords if isinstance(chords, str) else " ".join(map(str, chords)))
    x_motif = _check_motif(motif) if motif is not None else None
    seed_midi = None
    if from_midi is not None:
        from gekiban.understand.midi_seed import read_seed

        seed_midi = read_seed(from_midi)

    if x_seed is None:
        x_seed = secrets.randbits(31)
        ev["seed"] = "random (no seed given); pass this seed to reproduce the cue"
    else:
        ev["seed"] = "option seed"

    if style is not None:
        style_name, st, blend_parts = resolve_style(style)
        ev["style"] = f"option style {style!r}"
        reading = read_prompt(prompt, styles={}, semantic=semantic)
    else:
        styles_lib = _styles_module().all_styles()
        reading = read_prompt(prompt, styles=styles_lib, semantic=semantic)
        blend_parts = ()
        if "blend" in reading:
            spec = "+".join(f"{n}:{w:g}" for n, w in reading["blend"])
            style_name, st, blend_parts = resolve_style(spec)
            ev["style"] = f"{reading['evidence']['blend']} → blend {spec}"
        elif "style" in reading:
            style_name = reading["style"]
            ev["style"] = reading["evidence"]["style"]
        else:
            style_name = default_style_name(styles_lib)
            if not prompt.strip():
                why = "empty prompt"
            elif "style_miss" in reading:
                why = f"nothing in the prompt matched a style ({reading['style_miss']})"
            else:
                why = "no style matched the prompt"
            ev["style"] = f"default: {why}; used {style_name}"
        if "blend" not in reading:
            st = styles_lib[style_name]
    rev = reading["evidence"]
    for extra in ("neighbours", "neighbour_scores", "gloss"):
        if extra in rev:
            ev[extra] = rev[extra]

    # energy / tension / mood
    energy, parts_e = _energy(st, reading, x_tempo)
    tension = _nudge(st.tension, reading.get("tension_delta", 0.0))
    if "mood" in reading:
        mood = reading["mood"]
        ev["mood"] = rev["mood"]
        ev["tension"] = f"style {st.name} {st.tension:g} adjusted by {rev['tension']} → {tension:g}"
    else:
        mood, ev["mood"] = _mood_of(st, energy, tension)
        ev["tension"] = f"style {st.name} default {tension:g}"
    if parts_e:
        ev["energy"] = f"style {st.name} {st.energy:g}, {'; '.join(parts_e)} → {energy:g} ({energy_level(energy)})"
    else:
        ev["energy"] = f"style {st.name} default {energy:g} ({energy_level(energy)})"

    # tempo
    lo, hi = st.tempo
    if x_tempo is not None:
        tempo_v = x_tempo
        ev["tempo"] = f"option tempo {tempo!r}"
    elif "tempo" in reading:
        try:
            tempo_v = parse_tempo(reading["tempo"])
        except InvalidOptionError as exc:
            raise InvalidOptionError(f"the prompt asks for {rev['tempo'].removeprefix('prompt: ')}: {exc}; "
                                     "override it with --tempo") from None
        ev["tempo"] = rev["tempo"]
    else:
        word = reading.get("tempo_range")
        tempo_v = _tempo_from_range(lo, hi, energy, word)
        if word is not None:
            ev["tempo"] = f"{rev['tempo_range']}; {tempo_v:g} within it (style {st.name} {lo:g}–{hi:g} at energy {energy:g})"
        else:
            ev["tempo"] = f"style {st.name} default range {lo:g}–{hi:g} at energy {energy:g}"

    # meter
    if x_meter is not None:
        meter_v = x_meter
        ev["meter"] = f"option meter {str(meter)!r}"
    elif "meter" in reading:
        meter_v = reading["meter"]
        ev["meter"] = rev["meter"]
    elif seed_midi is not None:
        meter_v = seed_midi.meter
        ev["meter"] = f"MIDI seed {seed_midi.path!r} time signature {seed_midi.meter}"
    else:
        meters = tuple(getattr(st, "meters", ())) or ("4/4",)
        meter_v = parse_meter(meters[0])
        ev["meter"] = f"style {st.name} first meter {meters[0]}"

    # chords (option > MIDI seed > prompt) and the key they need
    chords_v: tuple[str, ...] = ()
    chords_mode = "any"
    chords_symbols = False
    if x_chords is not None:
        chords_v, chords_mode, chords_symbols = x_chords.chords, x_chords.mode, not x_chords.romans
        ev["chords"] = f"option chords {chords!r}" + (f" (the {x_chords.name} progression)" if x_chords.name else "")
    elif seed_midi is not None and seed_midi.chords:
        chords_v, chords_symbols = seed_midi.chords, True
        ev["chords"] = f"MIDI seed {seed_midi.path!r} chord track {seed_midi.chord_track!r}: {' '.join(chords_v)}"
    elif "chords" in reading:
        chords_v, chords_mode = tuple(reading["chords"]), reading.get("chords_mode", "any")
        chords_symbols = not reading.get("chords_name") and not _all_romans(chords_v)
        ev["chords"] = rev["chords"]
    else:
        ev["chords"] = "style progressions"

    # key
    if x_key is not None:
        key_v = x_key
        ev["key"] = f"option key {key if isinstance(key, str) else key.name!r}"
    elif "key" in reading:
        key_v = reading["key"]
        ev["key"] = rev["key"]
    elif seed_midi is not None and (seed_midi.chords or seed_midi.key_stated):
        key_v = seed_midi.key
        how = "key signature" if seed_midi.key_stated else "estimated from its notes"
        ev["key"] = f"MIDI seed {seed_midi.path!r} {how}: {key_v.name}"
    elif chords_v and chords_symbols:
        from gekiban.understand.progressions import infer_key

        key_v = infer_key(chords_v)
        ev["key"] = f"the key the chords {' '.join(chords_v)} sit in: {key_v.name}"
    else:
        if "mode" in reading:  # 'in a minor key': exact
            mode, mode_src = reading["mode"], f"; {rev['mode']}"
        elif chords_mode in ("major", "minor"):
            mode = _pick_mode(st, chords_mode)
            mode_src = f"; the progression is {chords_mode}"
        else:
            mode = _pick_mode(st, reading.get("mode_hint"))
            first = _pick_mode(st, None)
            mode_src = f"; {rev['mode_hint']}" if mode != first else ""
        tonics = _tonic_choices(st)
        rng = random.Random(f"gekiban-key-{x_seed}")
        if tonics:
            tonic = rng.choice(tonics)
            src = f"style {st.name} tonic {NOTE_NAMES[tonic]} (seeded choice of {len(tonics)})"
        else:
            tonic = rng.randrange(12)
            src = f"seeded tonic {NOTE_NAMES[tonic]} (style {st.name} lists none)"
        if seed_midi is not None:
            tonic, src = seed_midi.key.tonic, f"MIDI seed {seed_midi.path!r} tonic {NOTE_NAMES[seed_midi.key.tonic]} (estimated)"
        key_v = Key(tonic, mode)
        ev["key"] = f"{src}, mode {mode}{mode_src}"
    if seed_midi is not None and chords_v and chords_symbols and x_chords is None and key_v.tonic != seed_midi.key.tonic:
        from gekiban.understand.progressions import transpose_symbol

        shift = (key_v.tonic - seed_midi.key.tonic) % 12
        chords_v = tuple(transpose_symbol(c, shift) for c in chords_v)
        ev["chords"] += f"; moved to {key_v.name}: {' '.join(chords_v)}"

    # melody seed
    motif_v: tuple[tuple[float, float, int], ...] = ()
    if x_motif is not None:
        motif_v = x_motif
        ev["motif"] = f"option motif ({len(motif_v)} notes)"
    elif seed_midi is not None and seed_midi.motif:
        from gekiban.understand.midi_seed import describe

        motif_v = seed_midi.motif
        ev["motif"] = describe(seed_midi)
    else:
        ev["motif"] = "composed from the style"

    # duration
    if x_duration is not None:
        duration_v = x_duration
        ev["duration"] = f"option duration {duration!r}"
    elif "duration" in reading:
        phrase = rev["duration"].removeprefix("prompt: ")
        try:
            duration_v = _check_duration(reading["duration"], phrase.strip("'\""))
        except InvalidOptionError as exc:
            raise InvalidOptionError(f"the prompt asks for {phrase}: {exc}; override it with --duration") from None
        ev["duration"] = rev["duration"]
    elif getattr(st, "family", "") == "short" or getattr(st, "form", "") == "short":
        duration_v = SHORT_DURATION_S
        ev["duration"] = f"default for short style {st.name}: {SHORT_DURATION_S:g} s"
    else:
        duration_v = DEFAULT_DURATION_S
        ev["duration"] = f"default: {DEFAULT_DURATION_S:g} s"

    # instruments and exclusions
    exclude_v = tuple(reading.get("exclude", ()))
    if x_instruments is not None:
        instruments_v = x_instruments
        ev["instruments"] = f"option instruments {instruments!r} (replaces the style palette)"
    elif reading.get("instruments"):
        wanted = tuple(i for i in reading["instruments"] if i not in exclude_v)
        if reading.get("instruments_only"):
            instruments_v = wanted
            ev["instruments"] = f"{rev['instruments']} (replaces the style palette)"
        else:
            instruments_v = tuple(dict.fromkeys((*wanted, *_palette(st, exclude_v))))
            ev["instruments"] = f"{rev['instruments']}, added to the style {st.name} palette"
    else:
        instruments_v = ()
        ev["instruments"] = f"style {st.name} palette"
    if exclude_v:
        kept = tuple(e for e in exclude_v if e not in instruments_v or x_instruments is None)
        if x_instruments is not None:
            kept = tuple(e for e in exclude_v if e not in instruments_v)
        ev["exclude"] = rev["exclude"] + ("" if kept == exclude_v else "; named instruments kept")
        exclude_v = kept
    else:
        ev["exclude"] = "nothing excluded"

    loop_v = bool(reading.get("loop", False))
    ev["loop"] = rev.get("loop", "default: hard ending")

    return Brief(
        prompt=prompt, style=style_name, mood=mood, energy=energy, tension=tension,
        tempo=float(tempo_v), key=key_v, meter=meter_v, duration=float(duration_v),
        instruments=instruments_v, exclude=exclude_v, loop=loop_v, seed=x_seed,
        evidence=ev, style_blend=blend_parts, chords=chords_v, motif=motif_v,
    )


def _all_romans(chords: Sequence[str]) -> bool:
    from gekiban.understand.progressions import _ROMAN

    return all(re.fullmatch(_ROMAN, c) for c in chords)


def _check_motif(notes: Sequence[tuple[float, float, int]]) -> tuple[tuple[float, float, int], ...]:
    out = []
    for i, n in enumerate(notes):
        try:
            on, length, pitch = n
            on, length, pitch = float(on), float(length), int(pitch)
        except (TypeError, ValueError):
            raise InvalidOptionError(f"bad motif note {n!r} at {i}: give (onset beats, length beats, MIDI pitch)") from None
        if not (math.isfinite(on) and on >= 0 and math.isfinite(length) and length > 0 and 0 <= pitch <= 127):
            raise InvalidOptionError(f"bad motif note {n!r} at {i}: onset ≥ 0, length > 0 and pitch 0-127 are allowed")
        out.append((on, length, pitch))
    if not out:
        raise InvalidOptionError("the motif has no notes: give at least one (onset beats, length beats, MIDI pitch)")
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Explaining
# --------------------------------------------------------------------------------------------

EXPLAIN_FIELDS = ("style", "mood", "energy", "tension", "tempo", "key", "meter", "duration", "instruments",
                  "exclude", "loop", "chords", "motif", "seed")


_DEFAULT_RE = re.compile(r"^(?:default\b|style \S+ (?:default|palette|first meter|tonic)|style progressions|composed from|"
                         r"seeded tonic|random \(no seed)")


def is_default(evidence: str) -> bool:
    """True when a field's evidence says a default was used (nothing in the prompt or the
    options set it)."""
    return bool(_DEFAULT_RE.match(evidence))


def understanding(evidence: Mapping[str, str]) -> dict[str, Any]:
    """The structured part of the evidence for ``track.json``: the closest styles with their
    scores, the Japanese gloss and the fields that fell back to defaults."""
    out: dict[str, Any] = {}
    scores = evidence.get("neighbour_scores", "")
    if scores:
        out["style_neighbours"] = [{"style": n, "score": float(v)} for n, _, v in (x.partition("=") for x in scores.split())]
    if evidence.get("gloss"):
        out["japanese_gloss"] = evidence["gloss"]
    out["defaults"] = [f for f in EXPLAIN_FIELDS if is_default(evidence.get(f, ""))]
    return out


def explain_lines(brief: Brief) -> list[str]:
    """The brief and the evidence for each field, for ``gekiban explain``."""
    from gekiban.understand import energy_level as level

    value = {
        "style": brief.style, "mood": brief.mood, "energy": f"{brief.energy:g} ({level(brief.energy)})",
        "tension": f"{brief.tension:g}", "tempo": f"{brief.tempo:g} bpm", "key": brief.key.name,
        "meter": str(brief.meter), "duration": f"{brief.duration:g} s",
        "instruments": ", ".join(brief.instruments) or "(style palette)",
        "exclude": ", ".join(brief.exclude) or "-", "loop": "yes" if brief.loop else "no",
        "chords": " ".join(brief.chords) or "(style progressions)",
        "motif": f"{len(brief.motif)} notes" if brief.motif else "-", "seed": str(brief.seed),
    }
    lines = [f"prompt: {brief.prompt!r}" if brief.prompt else "prompt: (empty)"]
    width = max(len(f) for f in EXPLAIN_FIELDS)
    for f in EXPLAIN_FIELDS:
        lines.append(f"{f:<{width}}  {value[f]}")
        why = brief.evidence.get(f)
        if why:
            lines.append(f"{'':<{width}}    ← {why}")
    for extra, label in (("neighbours", "style neighbours"), ("gloss", "japanese")):
        if brief.evidence.get(extra):
            lines.append(f"{label}: {brief.evidence[extra]}")
    defaults = [f for f in EXPLAIN_FIELDS if is_default(brief.evidence.get(f, ""))]
    if defaults:
        lines.append(f"defaults used for: {', '.join(defaults)}")
    return lines


__all__ = [
    "Brief",
    "brief_style",
    "check_prompt",
    "default_style_name",
    "energy_level",
    "explain_lines",
    "is_default",
    "parse_duration",
    "parse_format",
    "parse_instruments",
    "parse_sample_rate",
    "parse_seed",
    "parse_tempo",
    "read_prompt",
    "resolve_brief",
    "resolve_style",
    "score_styles",
    "understanding",
]
