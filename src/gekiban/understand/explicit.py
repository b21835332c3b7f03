"""Values a prompt states outright, in English and Japanese: tempo (a number or a tempo word),
key and mode, meter, length and loop.

Every finder takes the normalised prompt (:func:`gekiban.understand.text.normalise`) and returns
the value with the :class:`~gekiban.understand.text.Span` it was read from, or None. Values are
returned as written; range checks happen in :func:`gekiban.brief.resolve_brief`, which reports
an out-of-range value with the words it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gekiban.errors import InvalidOptionError
from gekiban.theory import MODES, Key, Meter, parse_key, parse_meter, pitch_class
from gekiban.understand.text import Span, negated

TV_SIZE_S = 89.0  # OP/ED "TV size" (MUSIC.md §6)

# ─── tempo ────────────────────────────────────────────────────────────────────────────────

_TEMPO_RES = (
    re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:bpm|b\.p\.m\.?|beats?\s+(?:per|a|each)\s+minute|beats?/min)(?![a-z])", re.IGNORECASE),
    re.compile(r"(?:tempo|bpm|テンポ)\s*(?:of|=|:|is|at|は|を|が)?\s*(\d+(?:\.\d+)?)", re.IGNORECASE),
    re.compile(r"[♩♪]\s*=\s*(\d+(?:\.\d+)?)"),
    re.compile(r"(?:\bmetronome(?:\s+marking)?|\bM\.\s?M\.|\bMM)\s*(?:=|:|of|at)?\s*(\d+(?:\.\d+)?)(?![\d.])"),
    re.compile(r"(?:毎分|1分間に|一分間に)\s*(\d+(?:\.\d+)?)\s*拍"),
)

# Tempo words and the BPM range each stands for: the Italian markings as the metronome
# tradition reads them (Prestissimo above 200, Presto 168-200, Vivace 156-176, Allegro 120-156,
# Moderato 108-120, Andante 76-108, Adagio 66-76, Largo 40-60 …), their English glosses
# (very fast = presto, brisk = allegro, moderate = moderato, walking pace = andante) and the
# plain words a sound director uses.
TEMPO_WORDS: tuple[tuple[str, float, float], ...] = (
    ("prestissimo", 200, 240), ("vivacissimo", 172, 176), ("allegrissimo", 172, 176), ("allegro vivace", 172, 176),
    ("presto", 168, 200), ("vivace", 156, 176), ("molto allegro", 124, 156), ("allegro moderato", 116, 120),
    ("allegro", 120, 156), ("allegretto", 100, 128), ("moderato", 108, 120), ("andante moderato", 92, 98),
    ("andantino", 80, 108), ("andante", 76, 108), ("adagietto", 70, 80), ("adagio", 66, 76), ("larghetto", 60, 66),
    ("larghissimo", 20, 24), ("largo", 40, 60), ("lento", 45, 60), ("grave", 25, 45),
    ("extremely fast", 200, 240), ("very slow", 40, 60), ("very fast", 168, 200), ("mid-tempo", 90, 120),
    ("mid tempo", 90, 120), ("medium tempo", 90, 120), ("medium-tempo", 90, 120), ("moderate", 108, 120),
    ("brisk", 120, 156), ("briskly", 120, 156), ("walking pace", 76, 108), ("up-tempo", 140, 200), ("uptempo", 140, 200),
    ("fast-paced", 140, 200), ("fast", 140, 200), ("slow", 50, 80), ("slowly", 50, 80),
)
TEMPO_WORDS_JA: tuple[tuple[str, float, float], ...] = (
    ("プレスティッシモ", 200, 240), ("プレスト", 168, 200), ("ヴィヴァーチェ", 156, 176), ("ビバーチェ", 156, 176),
    ("アレグレット", 100, 128), ("アレグロ", 120, 156), ("モデラート", 108, 120), ("アンダンテ", 76, 108),
    ("アダージョ", 66, 76), ("ラルゴ", 40, 60), ("レント", 45, 60),
    ("とても速い", 168, 200), ("非常に速い", 168, 200), ("とても遅い", 40, 60), ("中くらいのテンポ", 108, 120),
    ("中くらいの速さ", 108, 120), ("ゆったり", 50, 80), ("ゆっくり", 50, 80), ("スローテンポ", 50, 80), ("スロー", 50, 80),
    ("ミドルテンポ", 90, 120), ("アップテンポ", 140, 200), ("ハイテンポ", 150, 200), ("速め", 140, 200),
    ("速い", 140, 200), ("早め", 140, 200), ("遅め", 50, 80), ("遅い", 50, 80),
)
_ITALIAN = frozenset(w for w, _, _ in TEMPO_WORDS[:21]) | frozenset(w for w, _, _ in TEMPO_WORDS_JA[:11])
_TEMPO_WORD_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(w) for w, _, _ in sorted(TEMPO_WORDS, key=lambda t: -len(t[0])))
    + r")(?![\w-])(?!\s+(?:strings?|motion|burn|fade))",
    re.IGNORECASE)
# Katakana Italian words stand alone, not inside a longer katakana word (タレント is not レント).
_KATAKANA = re.compile(r"[\u30a0-\u30ff]")


def _tempos(text: str) -> Iterator[tuple[float, Span]]:
    for pattern in _TEMPO_RES:
        for m in pattern.finditer(text):
            yield float(m[1]), Span(m.start(), m.end(), m[0].strip())


def find_tempo(text: str) -> tuple[float, Span] | None:
    """A tempo number: '140 bpm', 'tempo 140', 'BPM80', 'テンポ140', '♩=96' (the whole number,
    however large: the range is checked later, naming the words)."""
    return next(_tempos(text), None)


def _tempo_words(text: str) -> Iterator[tuple[str, float, float, Span]]:
    for m in _TEMPO_WORD_RE.finditer(text):
        if not negated(text, m.start()):
            word = m[1].lower()
            lo, hi = next((a, b) for w, a, b in TEMPO_WORDS if w == word)
            yield word, lo, hi, Span(m.start(), m.end(), m[0])
    taken: list[tuple[int, int]] = []
    for word, lo, hi in TEMPO_WORDS_JA:
        start = 0
        while (pos := text.find(word, start)) >= 0:
            end, start = pos + len(word), pos + len(word)
            if any(a < end and pos < b for a, b in taken):
                continue
            taken.append((pos, end))
            if _KATAKANA.match(word) and pos and _KATAKANA.match(text[pos - 1]):
                continue
            yield word, lo, hi, Span(pos, end, word)


def find_tempo_word(text: str) -> tuple[tuple[float, float], Span] | None:
    """A tempo word and its BPM range: 'slow' (50-80), 'Presto' (168-200), 'ゆったり' (50-80).

    Two words that agree narrow the range to what both allow ('a brisk moderato' is 120);
    when they do not overlap, an Italian marking wins over a plain word, else the first does.
    """
    found = sorted(_tempo_words(text), key=lambda w: w[3].start)
    if not found:
        return None
    word, lo, hi, span = found[0]
    for other, lo2, hi2, sp2 in found[1:]:
        if max(lo, lo2) <= min(hi, hi2):
            lo, hi = max(lo, lo2), min(hi, hi2)
            span = Span(min(span.start, sp2.start), max(span.end, sp2.end), f"{span.text} … {sp2.text}")
        elif other in _ITALIAN and word not in _ITALIAN:
            word, lo, hi, span = other, lo2, hi2, sp2
    return (lo, hi), span


# ─── key and mode ────────────────────────────────────────────────────────────────────────

_MODE_WORDS = "|".join(sorted((m.replace("-", "[- ]") for m in MODES), key=len, reverse=True))
_KEY_RES = (
    re.compile(rf"(?<![A-Za-z])([A-G](?:#|♯|b|♭|-flat|-sharp| flat| sharp)?)\s*(?i:({_MODE_WORDS}|maj|min))(?![A-Za-z0-9])"),
    re.compile(r"\bkey of ([A-G](?:#|♯|b|♭)?)(?:\s+(major|minor))?", re.IGNORECASE),
)
_MODE_ONLY_RE = re.compile(r"\b(?:in\s+)?(?:a\s+)?(major|minor)\s+key\b", re.IGNORECASE)
_JA_KEY_RE = re.compile(r"(嬰|変)?([ハニホヘトイロ])(長調|短調)")
_JA_NOTE = {"ハ": "C", "ニ": "D", "ホ": "E", "ヘ": "F", "ト": "G", "イ": "A", "ロ": "B"}
_KATAKANA_KEY_RE = re.compile(r"(?<![A-Za-z])([A-G](?:#|♯|b|♭)?)\s*(メジャー|マイナー|長調|短調)(?:キー)?")
_JA_MODE_ONLY_RE = re.compile(r"(短調|長調|マイナーキー|メジャーキー)")


def _keys(text: str) -> Iterator[tuple[Key, Span]]:
    """Every key the text names outright, Japanese forms first."""
    for m in _JA_KEY_RE.finditer(text):
        acc = {"嬰": "#", "変": "b"}.get(m[1] or "", "")
        yield Key(pitch_class(_JA_NOTE[m[2]] + acc), "major" if m[3] == "長調" else "minor"), Span(m.start(), m.end(), m[0])
    for m in _KATAKANA_KEY_RE.finditer(text):
        mode = "major" if m[2] in ("メジャー", "長調") else "minor"
        yield Key(pitch_class(m[1]), mode), Span(m.start(), m.end(), m[0])
    mode_only = _MODE_ONLY_RE.search(text)
    for pattern in _KEY_RES:
        for m in pattern.finditer(text):
            if mode_only and mode_only.start() <= m.start() < mode_only.end():
                continue
            tonic = m[1].replace("-flat", "b").replace(" flat", "b").replace("-sharp", "#").replace(" sharp", "#")
            try:
                yield parse_key(f"{tonic} {m[2] or 'major'}"), Span(m.start(), m.end(), m[0].strip())
            except InvalidOptionError:
                continue


def find_key(text: str) -> tuple[Key | str, Span] | None:
    """A Key for 'in D minor' / 'key of F#' / 'E lydian' / ニ短調 / Dマイナー, or a mode name for
    'a minor key' / 短調."""
    found = next(_keys(text), None)
    if found:
        return found
    mode_only = _MODE_ONLY_RE.search(text)
    if mode_only:
        return mode_only[1].lower(), Span(mode_only.start(), mode_only.end(), mode_only[0])
    m = _JA_MODE_ONLY_RE.search(text)
    if m:
        return ("minor" if m[1] in ("短調", "マイナーキー") else "major"), Span(m.start(), m.end(), m[0])
    return None


# ─── meter ───────────────────────────────────────────────────────────────────────────────

_METER_RE = re.compile(r"(?<![\d/:.])(\d{1,2})\s*/\s*(\d{1,2})(?![\d/])")
_JA_METER_RE = re.compile(r"(\d{1,2})分の(\d{1,2})(?:拍子)?")
_JA_METER_WORDS = {"二拍子": "2/4", "三拍子": "3/4", "四拍子": "4/4", "2拍子": "2/4", "3拍子": "3/4",
                   "4拍子": "4/4", "ワルツ": "3/4"}
_EN_METER_WORDS = re.compile(r"\b(waltz|triple meter|triple time|three-four|three four|duple meter|"
                             r"two-four|six-eight|six eight|compound time|common time)\b", re.IGNORECASE)
_EN_METER_VALUES = {"waltz": "3/4", "triple meter": "3/4", "triple time": "3/4", "three-four": "3/4",
                    "three four": "3/4", "duple meter": "2/4", "two-four": "2/4", "six-eight": "6/8",
                    "six eight": "6/8", "compound time": "6/8", "common time": "4/4"}


def _meters(text: str) -> Iterator[tuple[Meter, Span]]:
    """Every time signature the text writes as numbers ('6/8', '8分の6拍子')."""
    for m in _JA_METER_RE.finditer(text):
        try:
            yield parse_meter(f"{m[2]}/{m[1]}"), Span(m.start(), m.end(), m[0])
        except InvalidOptionError:
            pass
    for m in _METER_RE.finditer(text):
        try:
            yield parse_meter(f"{m[1]}/{m[2]}"), Span(m.start(), m.end() + (2 if text[m.end():m.end() + 2] == "拍子" else 0), m[0])
        except InvalidOptionError:
            continue


def find_meter(text: str) -> tuple[Meter, Span] | None:
    """'in 6/8', '3/4', 'waltz', '8分の6拍子', '三拍子' (numbers win over the words that imply a meter)."""
    found = next(_meters(text), None)
    if found:
        return found
    for word, meter in _JA_METER_WORDS.items():
        pos = text.find(word)
        if pos >= 0:
            return parse_meter(meter), Span(pos, pos + len(word), word)
    m = _EN_METER_WORDS.search(text)
    if m:
        return parse_meter(_EN_METER_VALUES[m[1].lower()]), Span(m.start(), m.end(), m[0])
    return None


# ─── length ──────────────────────────────────────────────────────────────────────────────

_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20,
                 "thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60, "ninety": 90, "half a": 0.5}
_NUMW = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_DUR_TEXT_RES = (
    # 1 minute 30 seconds / 1m30s / 2 minutes / 2-minute / 1.5 min
    re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*(?:minutes?|mins?|m)\b"
               r"(?:\s*(?:and\s+)?(\d+)\s*-?\s*(?:seconds?|secs?|s)\b)?", re.IGNORECASE),
    re.compile(rf"\b({_NUMW})[\s-]+minutes?\b", re.IGNORECASE),
    re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*(?:seconds?|secs?)\b", re.IGNORECASE),
    re.compile(r"(?<![\d:])(\d{1,2}):([0-5]\d)(?![\d:])"),
    re.compile(r"(\d+(?:\.\d+)?)\s*分(?!の|間に)\s*(?:(半)|(\d+)\s*秒)?"),
    re.compile(r"(\d+(?:\.\d+)?)\s*秒"),
    re.compile(r"\btv[- ]?size\b|TVサイズ|テレビサイズ", re.IGNORECASE),
)


def _num(text: str) -> float:
    return float(_NUMBER_WORDS[text.lower()]) if text.lower() in _NUMBER_WORDS else float(text)


# Story time, not cue length: "with 3 seconds left", "the last 10 seconds", 残り3秒, あと5分.
_NARRATIVE_BEFORE = re.compile(r"(?:\b(?:last|final|remaining|only|just)\s+|残り\s*|あと\s*)$", re.IGNORECASE)
_NARRATIVE_AFTER = re.compile(r"^\s*(?:left|remaining|to go|later|ago|before|after|earlier|on the clock|前|後|以内に)", re.IGNORECASE)


def _narrative_time(text: str, m: re.Match[str]) -> bool:
    return bool(_NARRATIVE_BEFORE.search(text[:m.start()]) or _NARRATIVE_AFTER.match(text[m.end():]))


def _durations(text: str) -> Iterator[tuple[float, Span]]:
    for i, pattern in enumerate(_DUR_TEXT_RES):
        for m in pattern.finditer(text):
            if not _narrative_time(text, m):
                yield _seconds(i, m), Span(m.start(), m.end(), m[0].strip())


def find_duration(text: str) -> tuple[float, Span] | None:
    """'2 minutes', '90 seconds', '1:30', 'two-minute', '2分', '1分30秒', '2分半', 'TV size' (89 s)."""
    return next(_durations(text), None)


def _seconds(i: int, m: re.Match[str]) -> float:
    """The length a match of the ``i``-th duration pattern states."""
    if i == 0:
        return float(m[1]) * 60 + (float(m[2]) if m[2] else 0.0)
    if i == 1:
        return _num(m[1]) * 60
    if i in (2, 5):
        return float(m[1])
    if i == 3:
        return int(m[1]) * 60 + float(m[2])
    if i == 4:
        return float(m[1]) * 60 + (30.0 if m[2] else float(m[3]) if m[3] else 0.0)
    return TV_SIZE_S


# ─── contradictions ──────────────────────────────────────────────────────────────────────

_ALL = {"tempo": _tempos, "key": _keys, "meter": _meters, "duration": _durations}


def find_conflicts(text: str) -> dict[str, tuple[str, str]]:
    """Fields the text states twice with different values: ``{"tempo": ("at 60 bpm", "at 200
    bpm")}`` (the words of the first and of the first that disagrees; overlapping readings of
    the same words, such as '1 minute 30 seconds', are one statement)."""
    out: dict[str, tuple[str, str]] = {}
    for field, candidates in _ALL.items():
        seen: list[tuple[object, Span]] = []
        for value, span in candidates(text):
            if any(span.start < s.end and s.start < span.end for _, s in seen):
                continue
            if seen and value != seen[0][0]:
                out[field] = (seen[0][1].text, span.text)
                break
            seen.append((value, span))
    return out


# ─── loop ────────────────────────────────────────────────────────────────────────────────

_LOOP_RE = re.compile(r"\b(?:loop|loops|loopable|looping|looped|seamless loop)\b|ループ", re.IGNORECASE)
_NO_LOOP_RE = re.compile(r"\b(?:no|not|without|non)[\s-]+(?:a\s+)?loop(?:able|ing|ed)?\b|ループなし|ループしない", re.IGNORECASE)


def find_loop(text: str) -> tuple[bool, Span] | None:
    """True for 'loopable', 'loop it', 'ループ'; False for 'no loop', 'not looping', 'ループなし'."""
    m = _NO_LOOP_RE.search(text)
    if m:
        return False, Span(m.start(), m.end(), m[0])
    m = _LOOP_RE.search(text)
    if m:
        return True, Span(m.start(), m.end(), m[0])
    return None
