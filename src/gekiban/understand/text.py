"""Small text helpers shared by the prompt readers (standard library only)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_JA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_NEG_BEFORE = re.compile(r"\b(?:not|no|non|without|never)\s+(?:too\s+|very\s+|so\s+|that\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """Where a value was read: character offsets in the normalised prompt and the words."""

    start: int
    end: int
    text: str


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII, half-width kana full-width) and
    typographic dashes and quotes made plain; the length may change, so every reader works on
    this normalised text."""
    text = unicodedata.normalize("NFKC", text or "")
    return (text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
            .replace("\u2019", "'").replace("\u2018", "'").replace("\u301c", "~"))


def has_japanese(text: str) -> bool:
    """True when the text holds kana or kanji."""
    return _JA_RE.search(text or "") is not None


def negated(text: str, start: int) -> bool:
    """True when the word at ``start`` follows 'not', 'no', 'non', 'without' or 'never'."""
    return _NEG_BEFORE.search(text[:start]) is not None


def stem(word: str) -> str:
    """A very light English stemmer so that 'battles'/'chasing' meet 'battle'/'chase'."""
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("ing", ""), ("es", ""), ("s", ""), ("ed", "")):
        if len(w) > len(suffix) + 2 and w.endswith(suffix) and not w.endswith("ss"):
            return w[: -len(suffix)] + repl
    return w


def words(text: str) -> list[str]:
    """Lower-case ASCII words (with inner hyphens and apostrophes)."""
    return re.findall(r"[a-z0-9]+(?:['\-][a-z0-9]+)*", text.lower())


def stems_text(text: str) -> str:
    """Stemmed words joined by single spaces and padded, so a phrase matches as
    ``f" {phrase} " in padded``."""
    return " " + " ".join(stem(w) for w in words(text.replace("-", " "))) + " "


def blank(text: str, spans: list[Span] | list[tuple[int, int]]) -> str:
    """``text`` with the given spans replaced by spaces (offsets stay valid)."""
    chars = list(text)
    for s in spans:
        a, b = (s.start, s.end) if isinstance(s, Span) else s
        for i in range(max(0, a), min(len(chars), b)):
            chars[i] = " "
    return "".join(chars)
