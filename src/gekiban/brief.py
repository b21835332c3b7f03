"""Brief: everything the composer needs to know about the cue, resolved from text and options.

Explicit options always win over what the prompt says; the ``evidence`` map records why each
field has its value (for ``gekiban explain`` and ``track.json``).

The prompt is read by :func:`read_prompt`, a first keyword-based understanding (style tags,
explicit tempo/key/meter/length, mood words, loop and exclusion requests). It is one function
with a plain ``dict`` result so a later, embedding-based reader can replace it without touching
:func:`resolve_brief`.
"""

from __future__ import annotations

import importlib
import math
import random
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gekiban.errors import InvalidOptionError, StyleError
from gekiban.theory import NOTE_NAMES, MODES, Key, Meter, parse_key, parse_meter, pitch_class

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


def parse_duration(x: float | int | str) -> float:
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


def parse_tempo(x: float | int | str) -> float:
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
    elif isinstance(x, float) and x.is_integer():
        value = int(x)
    elif isinstance(x, str) and re.fullmatch(r"\s*\d+\s*", x):
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
# Reading the prompt
# --------------------------------------------------------------------------------------------

# mood: (English words, Japanese substrings, energy delta, tension delta, preferred mode kind)
MOODS: dict[str, tuple[tuple[str, ...], tuple[str, ...], float, float, str | None]] = {
    "calm": (("calm", "peaceful", "gentle", "quiet", "serene", "relaxed", "relaxing", "soft",
              "tranquil", "soothing", "mellow", "chill"), ("穏やか", "静か", "落ち着", "のんびり", "癒し"),
             -0.25, -0.15, None),
    "sad": (("sad", "melancholy", "melancholic", "sorrow", "sorrowful", "tearful", "lonely",
             "grief", "tragic", "mournful", "farewell", "bittersweet", "heartbreak"),
            ("悲し", "切な", "寂し", "涙", "別れ", "哀"), -0.2, 0.05, "minor"),
    "tense": (("tense", "tension", "suspense", "suspenseful", "anxious", "nervous", "uneasy",
               "ominous", "creepy", "scary", "dread", "horror"),
              ("緊張", "不穏", "不安", "怖", "恐", "ホラー", "サスペンス"), 0.0, 0.3, "minor"),
    "mysterious": (("mysterious", "mystery", "eerie", "strange", "enigmatic", "curious"),
                   ("神秘", "謎", "不思議", "ミステリ"), -0.1, 0.2, None),
    "dark": (("dark", "sinister", "evil", "menacing", "villain", "villainous", "grim"),
             ("闇", "邪悪", "悪役", "ダーク"), 0.0, 0.25, "minor"),
    "happy": (("happy", "cheerful", "joyful", "bright", "playful", "fun", "upbeat", "sunny",
               "lively", "funny", "comedic"), ("明る", "楽し", "嬉し", "元気", "陽気", "コミカル"),
              0.15, -0.15, "major"),
    "hopeful": (("hopeful", "uplifting", "warm", "inspiring", "determined", "optimistic"),
                ("希望", "前向き", "温か"), 0.05, -0.1, "major"),
    "romantic": (("romantic", "tender", "love", "loving", "nostalgic", "nostalgia"),
                 ("恋", "ロマンチック", "懐かし", "優し"), -0.1, -0.05, "major"),
    "epic": (("epic", "heroic", "grand", "triumphant", "majestic", "dramatic", "powerful",
              "climactic", "glorious"), ("壮大", "勇まし", "英雄", "熱い", "ドラマチック"), 0.25, 0.1, None),
    "intense": (("intense", "fierce", "aggressive", "frantic", "furious", "violent", "urgent",
                 "desperate"), ("激し", "緊迫", "必死"), 0.3, 0.25, "minor"),
}
_MOOD_DELTA_CAP = 0.4
_SLOW_WORDS = (("slow", "slowly", "languid", "leisurely"), ("ゆっくり", "スロー"))
_FAST_WORDS = (("fast", "quick", "rapid", "uptempo", "up-tempo", "frantic"), ("速い", "速め", "アップテンポ"))
_LOOP_RE = re.compile(r"\b(?:loop|loops|loopable|looping|looped)\b|ループ", re.IGNORECASE)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "half a": 0.5}

_TEMPO_RES = (
    re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(?:bpm|b\.p\.m\.?)(?![a-z])", re.IGNORECASE),
    re.compile(r"(?:tempo|bpm|テンポ)\s*(?:of|=|:|is|at)?\s*(\d{1,3}(?:\.\d+)?)", re.IGNORECASE),
    re.compile(r"♩\s*=\s*(\d{1,3}(?:\.\d+)?)"),
)
_MODE_WORDS = "|".join(sorted((m.replace("-", "[- ]") for m in MODES), key=len, reverse=True))
_KEY_RES = (
    re.compile(rf"(?<![A-Za-z])([A-G](?:#|♯|b|♭|-flat|-sharp| flat| sharp)?)\s*(?i:({_MODE_WORDS}|maj|min))(?![A-Za-z])"),
    re.compile(r"\bkey of ([A-G](?:#|♯|b|♭)?)(?:\s+(major|minor))?", re.IGNORECASE),
)
_MODE_ONLY_RE = re.compile(r"\b(?:in\s+)?(?:a\s+)?(major|minor)\s+key\b", re.IGNORECASE)
_JA_KEY_RE = re.compile(r"(嬰|変)?([ハニホヘトイロ])(長調|短調)")
_JA_NOTE = {"ハ": "C", "ニ": "D", "ホ": "E", "ヘ": "F", "ト": "G", "イ": "A", "ロ": "B"}
_METER_RE = re.compile(r"(?<![\d/:.])(\d{1,2})\s*/\s*(\d{1,2})(?![\d/])")
_JA_METER_RE = re.compile(r"(\d{1,2})分の(\d{1,2})拍子")
_JA_METER_WORDS = {"二拍子": "2/4", "三拍子": "3/4", "四拍子": "4/4", "ワルツ": "3/4"}

_NUMW = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_DUR_TEXT_RES = (
    # 1 minute 30 seconds / 1m30s / 2 minutes / 2-minute / two minutes
    re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*(?:minutes?|mins?|m)\b"
               r"(?:\s*(?:and\s+)?(\d+)\s*-?\s*(?:seconds?|secs?|s)\b)?", re.IGNORECASE),
    re.compile(rf"\b({_NUMW})[\s-]+minutes?\b", re.IGNORECASE),
    re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*(?:seconds?|secs?)\b", re.IGNORECASE),
    re.compile(r"(?<![\d:])(\d{1,2}):([0-5]\d)(?![\d:])"),
    re.compile(r"(\d+)\s*分(?!の)\s*(?:(\d+)\s*秒)?"),
    re.compile(r"(\d+)\s*秒"),
    re.compile(r"\btv[- ]?size\b|TVサイズ", re.IGNORECASE),
)

_ROLE_WORDS = {"lead": "lead", "leads": "lead", "melody": "lead", "counter": "counter",
               "countermelody": "counter", "pad": "pad", "pads": "pad", "ostinato": "ostinato",
               "arp": "ostinato", "arps": "ostinato", "arpeggio": "ostinato", "arpeggios": "ostinato",
               "bass": "bass", "bassline": "bass", "drum": "drums", "drums": "drums",
               "percussion": "percussion", "beat": "drums", "beats": "drums"}
_JA_EXCLUDE = {"ドラム": "drums", "打楽器": "percussion", "パーカッション": "percussion",
               "ベース": "bass", "ピアノ": "piano", "ストリングス": "strings", "弦": "strings",
               "ギター": "guitar", "コーラス": "choir", "合唱": "choir", "シンセ": "synth lead"}
_EXCLUDE_RE = re.compile(r"\b(?:no|without|minus|sans)\s+(?:the\s+|any\s+)?([a-z][a-z' ,\-]*)", re.IGNORECASE)
_JA_EXCLUDE_RE = re.compile(r"(" + "|".join(_JA_EXCLUDE) + r")(?:は)?(?:なし|無し|抜き|不要|いらない)")


def _stem(word: str) -> str:
    """A very light English stemmer so that 'battles'/'chasing' meet 'battle'/'chase'."""
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("ing", ""), ("es", ""), ("s", ""), ("ed", "")):
        if len(w) > len(suffix) + 2 and w.endswith(suffix) and not w.endswith("ss"):
            return w[: -len(suffix)] + repl
    return w


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['\-][a-z0-9]+)*", text.lower())


def _stems_text(text: str) -> str:
    """Lower-cased, stemmed words joined by single spaces, padded: phrase matches are
    ``f" {phrase} " in padded``."""
    return " " + " ".join(_stem(w) for w in _words(text.replace("-", " "))) + " "


def _negated(text: str, start: int) -> bool:
    """True when the word at ``start`` follows 'not', 'no', 'non' or 'without'."""
    return re.search(r"\b(?:not|no|non|without|never)\s+(?:too\s+|very\s+|so\s+)?$", text[:start], re.IGNORECASE) is not None


def score_styles(text: str, styles: Mapping[str, Style]) -> list[tuple[str, float, tuple[str, ...]]]:
    """Score each style against the prompt's words.

    English tags, the style name (whole, or its hyphen parts) and its family are matched as
    stemmed, lower-cased words or phrases; Japanese tags as substrings.

    Returns
    -------
    list
        ``(name, score, matched terms)`` for the styles with a positive score, best first
        (ties keep the styles' order).
    """
    padded = _stems_text(text)
    lowered = text.lower()
    out = []
    for order, (name, style) in enumerate(styles.items()):
        score, hits = 0.0, []
        parts = [p for p in name.split("-") if len(p) > 2]
        fam = getattr(style, "family", "") or ""
        # Groups are scored separately, so a word that is both a tag and part of the name
        # ('victory' in victory-fanfare) counts for both: the name shows what the style is for.
        groups: list[list[tuple[str, float]]] = [
            [(name.replace("-", " "), 3.0)],
            [(t, 2.0) for t in getattr(style, "tags", ())],
            [(p, 1.0) for p in parts if len(parts) > 1] + ([(fam.replace("-", " "), 1.0)] if fam and fam != name else []),
        ]
        for group in groups:
            seen: set[str] = set()
            for term, weight in group:
                key = _stems_text(term).strip()
                if not key or key in seen:
                    continue
                seen.add(key)
                if f" {key} " in padded:
                    score += weight
                    hits.append(term)
        seen_ja: set[str] = set()
        for tag in getattr(style, "tags_ja", ()):
            if tag and tag in lowered and tag not in seen_ja:
                seen_ja.add(tag)
                score += 2.0
                hits.append(tag)
        if score > 0:
            out.append((name, score, tuple(dict.fromkeys(hits)), order))
    out.sort(key=lambda r: (-r[1], r[3]))
    return [(n, s, h) for n, s, h, _ in out]


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


def _num(text: str) -> float:
    return float(_NUMBER_WORDS[text.lower()]) if text.lower() in _NUMBER_WORDS else float(text)


def _find_tempo(text: str) -> tuple[float, str] | None:
    for pattern in _TEMPO_RES:
        m = pattern.search(text)
        if m:
            return float(m[1]), m[0].strip()
    return None


def _find_key(text: str) -> tuple[Key | str, str] | None:
    """A Key for 'in D minor' / 'key of F#' / 嬰ヘ短調, or a mode name for 'a minor key'."""
    m = _JA_KEY_RE.search(text)
    if m:
        acc = {"嬰": "#", "変": "b"}.get(m[1] or "", "")
        return Key(pitch_class(_JA_NOTE[m[2]] + acc), "major" if m[3] == "長調" else "minor"), m[0]
    mode_only = _MODE_ONLY_RE.search(text)
    for pattern in _KEY_RES:
        for m in pattern.finditer(text):
            if mode_only and mode_only.start() <= m.start() < mode_only.end():
                continue
            tonic = m[1].replace("-flat", "b").replace(" flat", "b").replace("-sharp", "#").replace(" sharp", "#")
            try:
                return parse_key(f"{tonic} {m[2] or 'major'}"), m[0].strip()
            except InvalidOptionError:
                continue
    if mode_only:
        return mode_only[1].lower(), mode_only[0]
    return None


def _find_meter(text: str) -> tuple[Meter, str] | None:
    m = _JA_METER_RE.search(text)
    if m:
        try:
            return parse_meter(f"{m[2]}/{m[1]}"), m[0]
        except InvalidOptionError:
            pass
    for m in _METER_RE.finditer(text):
        try:
            return parse_meter(f"{m[1]}/{m[2]}"), m[0]
        except InvalidOptionError:
            continue
    for word, meter in _JA_METER_WORDS.items():
        if word in text:
            return parse_meter(meter), word
    m = re.search(r"\bwaltz\b", text, re.IGNORECASE)
    if m:
        return parse_meter("3/4"), m[0]
    return None


def _find_duration(text: str) -> tuple[float, str] | None:
    for i, pattern in enumerate(_DUR_TEXT_RES):
        m = pattern.search(text)
        if not m:
            continue
        if i == 0:
            seconds = float(m[1]) * 60 + (float(m[2]) if m[2] else 0.0)
        elif i == 1:
            seconds = _num(m[1]) * 60
        elif i == 2:
            seconds = float(m[1])
        elif i in (3, 4):
            seconds = int(m[1]) * 60 + (float(m[2]) if m[2] else 0.0)
        elif i == 5:
            seconds = float(m[1])
        else:
            seconds = TV_SIZE_S
        return seconds, m[0].strip()
    return None


def _find_moods(text: str) -> list[tuple[int, str, str]]:
    """(position, mood, word) for each mood word, in text order; negated words are skipped."""
    found = []
    for mood, (words, ja, *_rest) in MOODS.items():
        for w in words:
            for m in re.finditer(rf"\b{re.escape(w)}\b", text, re.IGNORECASE):
                if not _negated(text, m.start()):
                    found.append((m.start(), mood, m[0]))
        for w in ja:
            pos = text.find(w)
            if pos >= 0:
                found.append((pos, mood, w))
    found.sort()
    return found


def _find_pace(text: str) -> tuple[float, str] | None:
    for words, ja, shift in ((*_SLOW_WORDS, -0.3), (*_FAST_WORDS, 0.3)):
        for w in words:
            m = re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)
            if m and not _negated(text, m.start()):
                return shift, m[0]
        for w in ja:
            if w in text:
                return shift, w
    return None


def _find_excludes(text: str) -> list[tuple[str, str]]:
    """(role name or instrument id, matched text) for 'no drums', 'without piano', ドラムなし."""
    from gekiban.instruments import get_instrument

    out: list[tuple[str, str]] = []

    def lookup(phrase: str) -> str | None:
        words = phrase.lower().replace("-", " ").split()
        while words:
            cand = " ".join(words)
            if cand in _ROLE_WORDS:
                return _ROLE_WORDS[cand]
            for c in (cand, cand[:-1] if cand.endswith("s") else None):
                if c:
                    try:
                        return get_instrument(c).id
                    except InvalidOptionError:
                        pass
            words.pop()
        return None

    for m in _EXCLUDE_RE.finditer(text):
        # each item of "no drums, bass or piano" up to the end of the clause
        clause = re.split(r"[.;!?\n]|\bbut\b|\bwith\b", m[1], maxsplit=1)[0]
        for item in re.split(r",|\band\b|\bor\b|\bnor\b", clause):
            item = re.sub(r"^(?:(?:no|without|minus|sans|the|any|a|an)\s+)+", "", item.strip(), flags=re.IGNORECASE)
            ident = lookup(item)
            if ident and ident not in [i for i, _ in out]:
                out.append((ident, f"{m[0].split()[0]} {item.strip()}"))
            elif not ident:
                break  # the list ended: 'no drums and a soaring melody'
    for m in _JA_EXCLUDE_RE.finditer(text):
        name = _JA_EXCLUDE[m[1]]
        ident = _ROLE_WORDS.get(name) or lookup(name)
        if ident and ident not in [i for i, _ in out]:
            out.append((ident, m[0]))
    return out


def read_prompt(text: str, styles: Mapping[str, Style] | None = None) -> dict[str, Any]:
    """Read what a prompt says, keyword by keyword (the first, rule-based understanding).

    Parameters
    ----------
    text : str
        The prompt (checked with :func:`check_prompt` first by callers).
    styles : mapping, optional
        Styles by name to score against; default: all installed styles.

    Returns
    -------
    dict
        Only the fields the text speaks to, among: ``style`` (best-scoring style name),
        ``style_scores`` (all positive scores, best first), ``tempo``, ``key`` (a Key), ``mode``
        (``"major"``/``"minor"`` from 'a minor key'), ``mode_hint`` (the same, preferred by mood
        words), ``meter``, ``duration``
        (seconds, not yet range-checked), ``mood``, ``energy_delta``, ``tension_delta``,
        ``tempo_shift`` (-0.3 slow / +0.3 fast), ``loop``, ``exclude`` (tuple); and
        ``evidence``: one short string per field, quoting the words it came from.
    """
    if styles is None:
        styles = _styles_module().all_styles()
    out: dict[str, Any] = {}
    ev: dict[str, str] = {}
    text = text or ""

    scores = score_styles(text, styles) if text.strip() else []
    if scores:
        name, score, hits = scores[0]
        out["style"] = name
        out["style_scores"] = [(n, s) for n, s, _ in scores]
        ev["style"] = f"prompt: {', '.join(repr(h) for h in hits)} matched {name} (score {score:g})"
    moods = _find_moods(text)
    if not scores and moods:
        # No style named: let the mood words, and their synonyms, choose ('mysterious' → mystery).
        first = moods[0][1]
        words = " ".join(dict.fromkeys([first, *MOODS[first][0][:3], *(w for _, _, w in moods)]))
        by_mood = score_styles(words, styles)
        if by_mood:
            name, score, hits = by_mood[0]
            out["style"] = name
            out["style_scores"] = [(n, s) for n, s, _ in by_mood]
            ev["style"] = f"prompt mood {first!r}: {', '.join(repr(h) for h in hits)} matched {name}"

    found = _find_tempo(text)
    if found:
        out["tempo"], phrase = found
        ev["tempo"] = f"prompt: {phrase!r}"
    found_key = _find_key(text)
    if found_key:
        value, phrase = found_key
        if isinstance(value, Key):
            out["key"] = value
            ev["key"] = f"prompt: {phrase!r}"
        else:
            out["mode"] = value
            ev["mode"] = f"prompt: {phrase!r}"
    found_meter = _find_meter(text)
    if found_meter:
        out["meter"], phrase = found_meter
        ev["meter"] = f"prompt: {phrase!r}"
    found_dur = _find_duration(text)
    if found_dur:
        out["duration"], phrase = found_dur
        ev["duration"] = f"prompt: {phrase!r}"

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
        words = ", ".join(repr(w) for _, _, w in moods[:4])
        ev["mood"] = f"prompt: {words}"
        ev["energy"] = ev["tension"] = f"mood words {words}"
        kind = next((MOODS[m][4] for m in seen if MOODS[m][4]), None)
        if kind:
            out["mode_hint"] = kind
            ev["mode_hint"] = f"mood {seen[0]} prefers {kind}"
    pace = _find_pace(text)
    if pace:
        out["tempo_shift"], word = pace
        ev["tempo_shift"] = f"prompt: {word!r}"
    m = _LOOP_RE.search(text)
    if m:
        out["loop"] = True
        ev["loop"] = f"prompt: {m[0]!r}"
    excludes = _find_excludes(text)
    if excludes:
        out["exclude"] = tuple(i for i, _ in excludes)
        ev["exclude"] = "prompt: " + ", ".join(repr(p) for _, p in excludes)
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


def _pick_mode(style: Style, kind: str | None) -> str:
    modes = [m for m in getattr(style, "modes", ()) if m in MODES] or ["major"]
    if kind in ("major", "minor"):
        want_minor = kind == "minor"
        for m in modes:
            if (MODES[m][2] == 3) == want_minor:
                return m
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


def resolve_brief(
    prompt: str = "",
    *,
    duration: float | int | str | None = None,
    seed: int | str | None = None,
    key: str | Key | None = None,
    tempo: float | int | str | None = None,
    meter: str | Meter | None = None,
    style: str | None = None,
    instruments: str | Sequence[str] | None = None,
) -> Brief:
    """Resolve a prompt and options into a complete :class:`Brief`.

    Explicit options always win and are used exactly; then what the prompt says (see
    :func:`read_prompt`); then the style's defaults. Every option is checked before the style
    library is consulted, so a bad value is reported first.

    Parameters
    ----------
    prompt : str
        Free text (English or Japanese), at most 2000 characters; may be empty.
    duration, seed, key, tempo, meter, style, instruments
        Explicit values; ``None`` means "from the prompt, else the default". With
        ``seed=None`` a random 31-bit seed is drawn and recorded in the brief.

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
    """
    ev: dict[str, str] = {}
    prompt = check_prompt(prompt)
    x_duration = parse_duration(duration) if duration is not None else None
    x_seed = parse_seed(seed) if seed is not None else None
    x_key = key if isinstance(key, Key) else (parse_key(key) if key is not None else None)
    x_tempo = parse_tempo(tempo) if tempo is not None else None
    x_meter = meter if isinstance(meter, Meter) else (parse_meter(meter) if meter is not None else None)
    x_instruments = parse_instruments(instruments) if instruments is not None else None

    if x_seed is None:
        x_seed = secrets.randbits(31)
        ev["seed"] = "random (no seed given); pass this seed to reproduce the cue"
    else:
        ev["seed"] = "option seed"

    styles_lib = None
    if style is not None:
        style_name, st, blend_parts = resolve_style(style)
        ev["style"] = f"option style {style!r}"
        reading = read_prompt(prompt, styles={})  # style scoring not needed
    else:
        styles_lib = _styles_module().all_styles()
        reading = read_prompt(prompt, styles=styles_lib)
        blend_parts = ()
        if "style" in reading:
            style_name = reading["style"]
            ev["style"] = reading["evidence"]["style"]
        else:
            style_name = default_style_name(styles_lib)
            why = "empty prompt" if not prompt.strip() else "no style matched the prompt"
            ev["style"] = f"default: {why}; used {style_name}"
        st = styles_lib[style_name]
    rev = reading["evidence"]

    # energy / tension / mood
    energy = _nudge(st.energy, reading.get("energy_delta", 0.0))
    tension = _nudge(st.tension, reading.get("tension_delta", 0.0))
    if "mood" in reading:
        mood = reading["mood"]
        ev["mood"] = rev["mood"]
        ev["energy"] = f"style {st.name} {st.energy:g} adjusted by {rev['energy']} → {energy:g}"
        ev["tension"] = f"style {st.name} {st.tension:g} adjusted by {rev['tension']} → {tension:g}"
    else:
        mood, ev["mood"] = _mood_of(st, energy, tension)
        ev["energy"] = f"style {st.name} default {energy:g}"
        ev["tension"] = f"style {st.name} default {tension:g}"

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
        point = energy + reading.get("tempo_shift", 0.0)
        point = min(1.0, max(0.0, point))
        tempo_v = float(round(lo + (hi - lo) * point))
        how = f"energy {energy:g}"
        if "tempo_shift" in reading:
            how += f" moved by the word {rev['tempo_shift'].removeprefix('prompt: ')}"
        ev["tempo"] = f"style {st.name} default range {lo:g}–{hi:g} at {how}"

    # meter
    if x_meter is not None:
        meter_v = x_meter
        ev["meter"] = f"option meter {str(meter)!r}"
    elif "meter" in reading:
        meter_v = reading["meter"]
        ev["meter"] = rev["meter"]
    else:
        meters = tuple(getattr(st, "meters", ())) or ("4/4",)
        meter_v = parse_meter(meters[0])
        ev["meter"] = f"style {st.name} first meter {meters[0]}"

    # key
    if x_key is not None:
        key_v = x_key
        ev["key"] = f"option key {key if isinstance(key, str) else key.name!r}"
    elif "key" in reading:
        key_v = reading["key"]
        ev["key"] = rev["key"]
    else:
        if "mode" in reading:  # 'in a minor key': exact
            mode, mode_src = reading["mode"], f"; {rev['mode']}"
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
        key_v = Key(tonic, mode)
        ev["key"] = f"{src}, mode {mode}{mode_src}"

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
    if x_instruments is not None:
        instruments_v = x_instruments
        ev["instruments"] = f"option instruments {instruments!r} (replaces the style palette)"
    else:
        instruments_v = ()
        ev["instruments"] = f"style {st.name} palette"
    exclude_v = tuple(reading.get("exclude", ()))
    if exclude_v:
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
        evidence=ev, style_blend=blend_parts,
    )


__all__ = [
    "Brief", "resolve_brief", "read_prompt", "score_styles", "default_style_name", "resolve_style",
    "brief_style", "parse_duration", "parse_tempo", "parse_seed", "parse_instruments",
    "check_prompt", "parse_format", "parse_sample_rate",
]
