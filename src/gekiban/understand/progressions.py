"""Chord progressions in a prompt or in ``--chords``: a named one ("in the style of the Royal
Road progression", 王道進行, カノン進行), chord symbols ("the progression is Am F C G",
"revolves around G and D") or Roman numerals ("I V vi IV").

A named progression becomes its Roman numerals from ``data/progressions.toml``, so it sounds in
whatever key the cue is in; symbols stay symbols (absolute chords), and
:func:`infer_key` finds the key they sit in when nothing else gives one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gekiban.errors import InvalidOptionError
from gekiban.theory import MODES, Chord, Key, parse_chord_symbol, parse_roman
from gekiban.understand.text import Span, normalise

MAX_CHORDS = 16


@dataclass(frozen=True)
class ProgressionReading:
    """Chords found: the chord texts, the progression's name (when named) and its mode."""

    chords: tuple[str, ...]
    name: str = ""
    mode: str = "any"  # "major", "minor" or "any": the keys the progression is idiomatic in
    span: Span | None = None
    romans: bool = False


@cache
def _catalogue() -> dict:
    from gekiban.styles import load_progressions

    return load_progressions()


@cache
def _aliases() -> tuple[dict[str, str], dict[str, str]]:
    data = tomllib.loads(resources.files("gekiban").joinpath("data/understand/progression_names.toml").read_text(encoding="utf-8"))
    norm = lambda d: {_key(k): v for k, v in d.items()}
    return norm(data.get("names", {})), norm(data.get("strict", {}))


def _key(text: str) -> str:
    return re.sub(r"[\s_\-–]+", " ", normalise(text).strip().lower())


def named(name: str) -> ProgressionReading | None:
    """The progression called ``name`` (a catalogue name or an alias), else None."""
    key = _key(name)
    key = re.sub(r"\s*(?:progression|chord progression|cadence|chords)$|\s*(?:コード)?進行$", "", key) or key
    names, strict = _aliases()
    cat = _catalogue()
    target = names.get(key) or names.get(_key(name)) or strict.get(key)
    if target is None:
        target = next((n for n in cat if _key(n) == key), None)
    if target is None or target not in cat:
        return None
    p = cat[target]
    return ProgressionReading(tuple(p.romans), name=p.name, mode=p.mode, romans=True)


_TRIGGER = (r"(?:progression|chords?|changes|sequence|revolv\w*\s+around|alternat\w*\s+between|vamp\w*\s+(?:on|between)|over|on|"
            r"(?:goes|going|moves?|moving)\s+from|cycle\w*\s+through|loop\w*\s+(?:of|on)|コード進行|コード|進行)")
# Between two chords: a dash, arrow, bar, comma (an Oxford "…, and G" too), space, "and", "then", "to", と.
_SEP = (r"(?:\s*(?:-|–|—|→|->|>|\||,|、|・|/(?=\s)|\s)\s*(?:(?:and\s+then|and|then|or)\s+)?|\s+(?:and\s+then|and|then|to)\s+|"
        r"\s*(?:と|から)\s*)")
_SYMBOL = r"[A-G](?:#|b|♯|♭)?(?:maj9|maj7|M7|mmaj7|m7b5|m9|m7|m6|madd9|m|dim7|dim|aug|\+|7sus4|sus2|sus4|add9|9|7|6|5)?(?:/[A-G](?:#|b)?)?"
_ROMAN = r"(?:b|#|♭|♯)?(?:VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(?:△7|maj7|M7|°7|ø7|7sus4|sus2|sus4|add9|°|ø|\+|7|9|6|5|o7|o)?(?:/(?:VII|VI|IV|V|III|II|vii|vi|iv|v|iii|ii))?"
_SYMBOL_SEQ = re.compile(rf"(?<![A-Za-z0-9#])({_SYMBOL}(?:{_SEP}{_SYMBOL})+)(?![A-Za-z0-9#'])")
_ROMAN_SEQ = re.compile(rf"(?<![A-Za-z0-9#])({_ROMAN}(?:{_SEP}{_ROMAN})+)(?![A-Za-z0-9#'])")
_TRIGGER_BEFORE = re.compile(rf"{_TRIGGER}\s*(?:is|are|of|:|=|goes|like|は|が)?\s*(?:the\s+)?(?:chords?\s+)?$", re.IGNORECASE)
# A trigger after the chords: "a D, G/D chord sequence", "Am、Dm、Eのコード進行", "EbとBbを行き来する".
_TRIGGER_AFTER = re.compile(r"^(?:\s*(?:chords?\s+)?(?:progression|sequence|changes|loop|vamp|cycle|chords?)\b|"
                            r"\s*の?(?:コード進行|コード|進行|循環|繰り返し)|\s*(?:を|の間を)\s*(?:交互|行き来|繰り返))", re.IGNORECASE)
_NAMED_RE = re.compile(r"([A-Za-z0-9\-' ]{2,40}?|[^\s、。,.]{1,20}?)\s*(?:chord progression|progression|cadence|コード進行|進行)", re.IGNORECASE)


def _split(seq: str) -> list[str]:
    parts = re.split(rf"{_SEP}", seq)
    return [p for p in (x.strip() for x in parts) if p and p.lower() not in ("and", "then", "to", "or")]


def find_progression(text: str) -> ProgressionReading | None:
    """A progression in a normalised prompt: a name, symbols or Roman numerals; None if none."""
    names = _aliases()[0]
    lowered = text.lower()
    # 1. a known alias anywhere ("王道進行", "royal road", "just the two of us")
    best = None
    for alias, target in names.items():
        pattern = r"(?<![\w])" + re.escape(alias).replace(r"\ ", r"[\s\-]+") + r"(?![\w])" if alias.isascii() else re.escape(alias)
        m = re.search(pattern, lowered)
        if m and (best is None or len(m[0]) > len(best[0][0])):
            best = (m, target)
    if best:
        r = named(best[1])
        if r:
            return ProgressionReading(r.chords, r.name, r.mode, Span(best[0].start(), best[0].end(), text[best[0].start():best[0].end()]), True)
    # 2. "<name> progression" / "<name>進行" for any catalogue name or strict alias
    for m in _NAMED_RE.finditer(text):
        head = m[1].strip()
        words_ = head.split()
        for k in range(len(words_)):  # longest tail first: "the minor-iv" → "minor-iv"
            cand = " ".join(words_[k:])
            r = named(cand)
            if r:
                start = m.start(1) + head.find(words_[k])
                return ProgressionReading(r.chords, r.name, r.mode, Span(start, m.end(), text[start:m.end()]), True)
    # 3. chord symbols or numerals: two or more after a trigger word, else three or more
    for pattern, is_roman in ((_SYMBOL_SEQ, False), (_ROMAN_SEQ, True)):
        for m in pattern.finditer(text):
            items = _split(m[1])
            triggered = _TRIGGER_BEFORE.search(text[:m.start()]) is not None or _TRIGGER_AFTER.match(text[m.end():]) is not None
            if len(items) < 2 or (len(items) < 3 and not triggered):
                continue
            if not triggered and is_roman and all(i in ("I", "V", "i", "v") for i in items):
                continue  # "I, V" prose is too likely; numerals need a trigger then
            if not is_roman and not triggered and sum(len(i) > 1 for i in items) == 0 and "A" in items:
                continue  # "A B C" lists
            try:
                key = Key(0, "major")
                for it in items:
                    (parse_roman(it, key) if is_roman else parse_chord_symbol(it))
            except InvalidOptionError:
                continue
            if len(items) > MAX_CHORDS:
                items = items[:MAX_CHORDS]
            return ProgressionReading(tuple(items), span=Span(m.start(), m.end(), m[0]), romans=is_roman,
                                      mode=_roman_mode(items) if is_roman else "any")
    return None


def all_romans(chords: Sequence[str]) -> bool:
    """True when every chord is a Roman numeral (``"IV△7"``, ``"bVII"``), not a chord symbol."""
    return all(re.fullmatch(_ROMAN, c) for c in chords)


def _roman_mode(items: list[str]) -> str:
    first = re.sub(r"^[b#♭♯]", "", items[0])
    return "minor" if first[:1] == "i" and first[:2] not in ("iv", "ii") and not first.startswith("ii") else "major"


def parse_chords(text: str) -> ProgressionReading:
    """Read ``--chords``: a progression name ("royal-road", "王道進行"), chord symbols
    ("Am F C G", "Am-F-C-G", "Dm7,G7,Cmaj7") or Roman numerals ("vi IV I V").

    Raises
    ------
    InvalidOptionError
        Naming the chord that cannot be read and what is allowed.
    """
    allowed = ("give chord symbols such as 'Am F C G', Roman numerals such as 'vi IV I V' or a progression name "
               "such as 'royal-road'")
    if not isinstance(text, str) or not text.strip():
        raise InvalidOptionError(f"bad chords {text!r}: {allowed}")
    raw = normalise(text).strip()
    r = named(raw)
    if r:
        return r
    items = [p for p in re.split(r"[\s,、|]+|\s*(?:-|–|→|->)\s*", raw) if p]
    if not items:
        raise InvalidOptionError(f"no chords in {text!r}: {allowed}")
    if len(items) > MAX_CHORDS:
        raise InvalidOptionError(f"chords {text!r} has {len(items)} chords: give 1 to {MAX_CHORDS}")
    romans = all_romans(items)
    for it in items:
        try:
            parse_roman(it, Key(0, "major")) if romans else parse_chord_symbol(it)
        except InvalidOptionError:
            names = ", ".join(sorted(_catalogue())[:6])
            raise InvalidOptionError(
                f"cannot read chord {it!r} in {text!r}: use chord symbols (C, Am, F#m7, Bbmaj7, G7, Dsus4, C/E), "
                f"Roman numerals (I, vi, IV△7, bVII, V7) or a progression name ({names}, … see data/progressions.toml)") from None
    return ProgressionReading(tuple(items), romans=romans, mode=_roman_mode(items) if romans else "any")


def infer_key(chords: tuple[str, ...] | list[str]) -> Key:
    """The major or minor key that chord symbols sit in best: most chords inside the scale,
    then the key whose tonic chord comes first, then last."""
    parsed = [parse_chord_symbol(c) for c in chords]
    best, best_score = Key(0, "major"), -1.0
    for tonic in range(12):
        for mode in ("major", "minor"):
            scale = {(tonic + i) % 12 for i in MODES[mode]}
            if mode == "minor":
                scale_v = scale | {(tonic + 11) % 12}  # harmonic minor's leading tone for V
            else:
                scale_v = scale
            fit = sum(set(c.pitch_classes) <= scale_v for c in parsed)
            score = fit + (0.5 if _is_tonic(parsed[0], tonic, mode) else 0) + (0.25 if _is_tonic(parsed[-1], tonic, mode) else 0)
            if score > best_score:
                best, best_score = Key(tonic, mode), score
    return best


def _fit(parsed: list[Chord], key: Key) -> int:
    """How many chords lie inside the key's scale (a minor key's leading tone allowed)."""
    scale = {(key.tonic + i) % 12 for i in MODES[key.mode]}
    if key.is_minor:
        scale.add((key.tonic + 11) % 12)
    return sum(set(c.pitch_classes) <= scale for c in parsed)


def contradicts(chords: Sequence[str], key: Key) -> Key | None:
    """The key chord symbols sit in when they contradict ``key`` (more of them fit that key's
    scale than ``key``'s: 'in C major, alternating between Eb and Bb' sits in Eb major), else None."""
    parsed = [parse_chord_symbol(c) for c in chords]
    best = infer_key(list(chords))
    return best if _fit(parsed, best) > _fit(parsed, key) else None


def _is_tonic(chord: Chord, tonic: int, mode: str) -> bool:
    minor = chord.quality.startswith("m") and not chord.quality.startswith("maj")
    return chord.root == tonic and minor == (mode == "minor")


def transpose_symbol(symbol: str, semitones: int) -> str:
    """``"Am"`` moved by ``semitones`` (``transpose_symbol("Am", 5) == "Dm"``)."""
    c = parse_chord_symbol(symbol)
    return Chord((c.root + semitones) % 12, c.quality, None if c.bass is None else (c.bass + semitones) % 12).symbol
