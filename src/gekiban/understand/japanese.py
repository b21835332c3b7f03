"""Japanese prompts: an English gloss from the shipped lexicon (``data/understand/lexicon_ja.toml``).

The sentence-embedding model reads English only, so a Japanese prompt is glossed word by word:
the longest lexicon entry that starts at each position wins, the rest (particles, unknown
words) is skipped, and ASCII words in the prompt are kept. Hand-written because no packaged
Japanese-English dictionary of this size ships offline on PyPI with a licence that fits; the
lexicon is data a musician can extend.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from gekiban.understand.text import has_japanese, normalise


@cache
def lexicon() -> tuple[dict[str, str], dict[str, str]]:
    """``(words, instruments)``: Japanese → English gloss, Japanese → instrument id."""
    text = resources.files("gekiban").joinpath("data/understand/lexicon_ja.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    norm = lambda d: {normalise(k): v for k, v in d.items()}
    return norm(data.get("words", {})), norm(data.get("instruments", {}))


@cache
def _max_len() -> int:
    words, inst = lexicon()
    return max(len(k) for k in (*words, *inst))


def gloss(text: str) -> tuple[str, list[tuple[str, str]]]:
    """English gloss of a (partly) Japanese text.

    Returns
    -------
    tuple
        The gloss (English words in the prompt's order) and the ``(Japanese, English)`` pairs
        used, for the evidence.
    """
    text = normalise(text)
    if not has_japanese(text):
        return text, []
    words, inst = lexicon()
    longest = _max_len()
    out: list[str] = []
    hits: list[tuple[str, str]] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch.isascii():
            m = re.match(r"[A-Za-z0-9#/:.\-']+", text[i:])
            if m:
                out.append(m[0])
                i += len(m[0])
            else:
                i += 1
            continue
        found = None
        for length in range(min(longest, n - i), 0, -1):
            piece = text[i:i + length]
            if piece in words:
                found = (piece, words[piece])
                break
            if piece in inst:
                found = (piece, inst[piece].replace("-", " "))
                break
        if found:
            out.append(found[1])
            hits.append(found)
            i += len(found[0])
        else:
            i += 1
    return " ".join(out), hits
