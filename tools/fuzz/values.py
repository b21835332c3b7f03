"""Adversarial values: prompt fragments (moods, tempi, keys, meters, durations... in several
languages and scripts), random and mutated text, extreme numbers and wrong Python types."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\r", "\x1b", "\x7f", "\x85", "\x9f"]
ODD = ["\udcff", "\ud800", "\udfff", "\ud83c", "\ufeff", "\u200b", "\u200d", "\u202e", "\u2028", "\u2029",
       "\u0301", "\u0300\u0301\u0302", "\ufffd", "\U0010ffff", "\U000e0001", "\ufdfa", "\u3300", "\u337b",
       "\ufb03", "\u2168", "\u00bd", "\u2155", "\u00b2", "\u2070", "\uff11\uff12\uff10", "\u0661\u0662\u0660",
       "\U0001d7cf\U0001d7d0", "\u09e6", "\u00a0", "\u3000", "\t", "\n", "\r\n", "\\", "'", '"', "%s", "{0}",
       "\u2212", "\u2013", "\u301c", "\uff0f", "\u2044", "\u00f7"]
EMOJI = ["\U0001f3b5", "\u2694\ufe0f", "\U0001f62d", "\U0001f327\ufe0f", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
         "\U0001f525", "\U0001f1ef\U0001f1f5", "\u2764\ufe0f", "\U0001f3b9", "\U0001f941"]
NUMBERS_TEXT = ["0", "00", "-0", "-5", "1", "2", "3", "7", "12", "29.9", "30", "60", "89", "120", "140", "200", "300",
                "300.0001", "301", "999", "1000", "1200", "1201", "65535", "4294967295", "4294967296",
                "99999999999999999999", "9" * 400, "1e9", "1e309", "nan", "NaN", "inf", "-inf", "1.5.5", "1,000",
                "1_000", ".5", "5.", "..", "+3", "--3", "0x10", "\uff11\uff12\uff10", "\u0661\u0662\u0660",
                "\U0001d7cf\U0001d7d0\U0001d7ce", "\u00b9\u00b2\u2070", "\u2168", "\u00bd", "\u4e8c", "\u767e"]
MOODS = ["calm", "calm morning", "dramatic battle", "sad farewell", "a gentle waltz", "tense chase at night",
         "heroic victory fanfare", "spooky horror", "lofi study beats", "epic orchestral climax", "romantic cafe",
         "mysterious forest shrine", "comedy", "8-bit chiptune boss", "magical girl transformation", "festival",
         "not fast", "not sad", "without drums", "no piano", "never calm", "slow but fast", "happy sad",
         "quiet loud", "very very very calm", "battle battle battle", "rain", "the", "a", "music", "BGM", "OST",
         "heroic battle on a burning city skyline", "staying up late, taking it easy", "villain theme"]
TEMPO_FORMS = ["at {n} bpm", "{n}bpm", "{n} BPM", "tempo {n}", "tempo: {n}", "bpm {n}", "BPM{n}", "\u2669={n}",
               "\u266a = {n}", "\u30c6\u30f3\u30dd{n}", "at {n} b.p.m.", "{n} beats per minute"]
TEMPO_WORDS = ["prestissimo", "presto", "grave", "largo", "very slow", "very fast", "up-tempo", "fast", "slow",
               "\u3086\u3063\u305f\u308a", "\u30a2\u30c3\u30d7\u30c6\u30f3\u30dd", "\u9045\u3044", "slow strings",
               "fast-paced", "mid-tempo"]
KEYS = ["C major", "A minor", "F# minor", "Bbm", "Bb", "Cb major", "E# minor", "Fb lydian", "H major", "X minor",
        "c", "am", "A", "D dorian", "E phrygian", "F lydian", "G mixolydian", "B locrian", "C harmonic minor",
        "C harmonic-minor", "C harmonic_minor", "C ionian", "C aeolian", "C major minor", "C minor major",
        "Cmaj", "Cmin", "C#b", "C##", "Db-flat", "D flat major", "E-sharp minor", "\u266dB", "B\u266d minor",
        "C\u266f major", "", " ", "major", "minor", "C  major", "C\tminor", "C major ", "Z", "\u30cf\u9577\u8abf",
        "\u30a4\u77ed\u8abf", "Am7"]
KEY_FORMS = ["in {k}", "key of {k}", "{k}", "in the key of {k}", "a minor key", "a major key", "\u77ed\u8abf",
             "\u9577\u8abf", "\u30cb\u77ed\u8abf", "\u5b30\u30cf\u77ed\u8abf", "\u5909\u30ed\u9577\u8abf",
             "D\u30de\u30a4\u30ca\u30fc", "E\u30e1\u30b8\u30e3\u30fc", "C\u77ed\u8abf\u30ad\u30fc"]
METER_PARTS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "12", "13", "16", "32", "64", "99", "-3", "00", "04"]
METER_WORDS = ["waltz", "triple meter", "six-eight", "common time", "compound time", "\u4e09\u62cd\u5b50",
               "\u30ef\u30eb\u30c4", "4\u62cd\u5b50", "0\u62cd\u5b50", "13\u62cd\u5b50"]
DURATION_FORMS = ["{n} seconds", "{n} second", "{n} secs", "{n} minutes", "{n} minute", "{n} min", "{n}m", "{n}m{m}s",
                  "{n} minutes and {m} seconds", "{n}:{m}", "{n}-minute", "{n}\u5206", "{n}\u5206\u534a",
                  "{n}\u5206{m}\u79d2", "{n}\u79d2", "with {n} seconds left", "the last {n} seconds", "\u6b8b\u308a{n}\u79d2"]
DURATION_WORDS = ["TV size", "TV-size", "\u30c6\u30ec\u30d3\u30b5\u30a4\u30ba", "half a minute", "a minute",
                  "twenty minutes", "ninety minutes", "forty-five minutes", "an hour", "a long piece",
                  "short", "stinger", "eyecatch"]
LOOP_WORDS = ["loop", "loopable", "seamless loop", "\u30eb\u30fc\u30d7", "no loop", "not looping", "looped 3 times"]
INSTRUMENT_WORDS = ["with piano", "piano only", "solo violin", "with shakuhachi and koto", "\u5c3a\u516b\u3068\u7434",
                    "no drums", "without strings", "drums drums drums", "with kazoo", "with orchestra hit",
                    "with choir, strings, brass, piano, guitar, bass, drums, flute, oboe, harp, timpani, celesta",
                    "8-bit", "synth", "music box", "\u30d4\u30a2\u30ce", "\u30d0\u30a4\u30aa\u30ea\u30f3\u30bd\u30ed",
                    "no piano, only piano", "with 99 pianos"]
PROGRESSIONS = ["royal road progression", "\u738b\u9053\u9032\u884c", "\u4e38\u30b5\u9032\u884c", "canon progression",
                "vi IV I V", "Am F C G", "I-V-vi-IV", "chords: Am F C G", "|", "|||", "| |", "||:Am|F:||",
                "I V vi iii IV I IV V", "chords Xm7b9", "IV\u25b37 III7 vi", "bVI bVII I", "V/V V I",
                "V/V/V/V/V/V/V/V", "komuro progression", "axis progression", "chords: , , ,", "chords:",
                "\u2192\u2192", "Am - - F", "C/E/G", "chords " + "C " * 200]
JAPANESE = ["\u5207\u306a\u3044\u5225\u308c", "\u6fc0\u3057\u3044\u6226\u95d8", "\u7a4f\u3084\u304b\u306a\u671d",
            "\u307b\u306e\u307c\u306e\u65e5\u5e38", "\u30db\u30e9\u30fc", "\u9b54\u6cd5\u5c11\u5973\u306e\u5909\u8eab",
            "\u30c6\u30f3\u30dd120", "BPM200\u306e\u30d0\u30c8\u30eb\u66f2", "\uff12\u5206\u306e\u30eb\u30fc\u30d7",
            "\u7dca\u5f35\u611f\u306e\u3042\u308b\u5834\u9762", "\u52dd\u5229", "\u3002", "\u3001", "\uff01\uff1f",
            "\u8ffd\u3044\u304b\u3051\u3063\u3053", "\uff8a\uff9f\uff9d\uff80\uff9e"]
SEPARATORS = [" ", " ", " ", ", ", "\u3001", " and ", "\n", "", "...", " | ", " / ", "\t", " but ", " not ", "; "]
STYLES = ["lofi", "chiptune", "jrock-battle", "ambient", "stinger", "eyecatch", "horror", "LOFI", " lofi ", "lo-fi",
          "lofi:0.7+chiptune:0.3", "lofi+chiptune", "lofi+lofi", "lofi:0+chiptune:0", "lofi:-1+chiptune:2",
          "lofi:nan+chiptune:1", "lofi:inf", "lofi:1e999+chiptune:1", "lofi:", ":0.5", "+", ":", "lofi::1",
          "lofi:0.5+", "+lofi", "nonexistent", "", " ", "a" * 300, "/nonexistent/x.toml", "style.toml", "..", "/",
          "../../etc/passwd", "/dev/null", "lofi:0.5+chiptune:0.5+ambient:0.5+horror:0.5+comedy:0.5",
          "\u30ed\u30fc\u30d5\u30a1\u30a4", "lofi\x00", "lofi\udcff"]


def _number_text(rng: random.Random) -> str:
    return rng.choice(NUMBERS_TEXT)


def _fmt(rng: random.Random, form: str) -> str:
    return form.format(n=_number_text(rng), m=_number_text(rng), k=rng.choice(KEYS))


def fragment(rng: random.Random) -> str:
    """One prompt fragment of a random sort."""
    sort = rng.randrange(14)
    if sort == 0:
        return rng.choice(MOODS)
    if sort == 1:
        return _fmt(rng, rng.choice(TEMPO_FORMS))
    if sort == 2:
        return rng.choice(TEMPO_WORDS)
    if sort == 3:
        return _fmt(rng, rng.choice(KEY_FORMS))
    if sort == 4:
        a, b = rng.choice(METER_PARTS), rng.choice(METER_PARTS)
        return rng.choice(["{a}/{b}", "in {a}/{b}", "{a}/{b} time", "{b}\u5206\u306e{a}\u62cd\u5b50", "{a}/{b}\u62cd\u5b50",
                           "{a} / {b}"]).format(a=a, b=b) if rng.random() < 0.8 else rng.choice(METER_WORDS)
    if sort == 5:
        return _fmt(rng, rng.choice(DURATION_FORMS)) if rng.random() < 0.8 else rng.choice(DURATION_WORDS)
    if sort == 6:
        return rng.choice(LOOP_WORDS)
    if sort == 7:
        return rng.choice(INSTRUMENT_WORDS)
    if sort == 8:
        return rng.choice(PROGRESSIONS)
    if sort == 9:
        return rng.choice(JAPANESE)
    if sort == 10:
        return rng.choice(EMOJI)
    if sort == 11:
        return rng.choice(STYLES[:10]) + rng.choice(["", " style", " music", "\u98a8"])
    if sort == 12:
        return rng.choice(CONTROL + ODD)
    return random_text(rng, rng.randrange(1, 12))


_RANGES = [(0x20, 0x7e), (0x00, 0x1f), (0x80, 0xff), (0x300, 0x36f), (0x3040, 0x30ff), (0x4e00, 0x9fff),
           (0xff00, 0xffef), (0xd800, 0xdfff), (0x1f300, 0x1faff), (0x2000, 0x206f), (0xfb00, 0xfdff), (0x10000, 0x10ffff),
           (0x0660, 0x0669), (0x3300, 0x33ff)]


def random_text(rng: random.Random, n: int) -> str:
    """Random code points, mostly printable ASCII, with every awkward range represented."""
    out = []
    for _ in range(n):
        lo, hi = _RANGES[0] if rng.random() < 0.5 else rng.choice(_RANGES)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def mutate_text(rng: random.Random, text: str, rounds: int | None = None) -> str:
    """Insert, delete, repeat or replace parts of ``text``."""
    for _ in range(rng.randint(1, 3) if rounds is None else rounds):
        op = rng.randrange(8)
        pos = rng.randint(0, len(text))
        if op == 0:
            text = text[:pos] + rng.choice(CONTROL + ODD + EMOJI) + text[pos:]
        elif op == 1 and text:
            end = rng.randint(pos, min(len(text), pos + 8))
            text = text[:pos] + text[end:]
        elif op == 2:
            text = text * rng.choice([2, 3, 10, 100])
        elif op == 3:
            text = text.upper() if rng.random() < 0.5 else text.swapcase()
        elif op == 4:
            text = text[:pos] + _number_text(rng) + text[pos:]
        elif op == 5:
            text = text[:pos] + rng.choice(SEPARATORS) + text[pos:]
        elif op == 6:
            text = "".join(chr(ord(c) + 0xfee0) if "!" <= c <= "~" and rng.random() < 0.5 else c for c in text)
        else:
            text = text[:pos] + random_text(rng, rng.randint(1, 5)) + text[pos:]
    return text


def prompt_text(rng: random.Random) -> str:
    """A prompt: fragments joined, mutated, random, or at the length limits."""
    mode = rng.random()
    if mode < 0.55:
        text = rng.choice(SEPARATORS).join(fragment(rng) for _ in range(rng.randint(1, 6)))
        return mutate_text(rng, text) if rng.random() < 0.3 else text
    if mode < 0.7:  # contradictions: two of the same sort
        sort = rng.choice([TEMPO_FORMS, KEY_FORMS, DURATION_FORMS])
        return " ".join(_fmt(rng, rng.choice(sort)) for _ in range(rng.randint(2, 4)))
    if mode < 0.85:
        return random_text(rng, rng.choice([0, 1, 2, 5, 20, 60, 200]))
    if mode < 0.92:
        unit = rng.choice(["a", "\u3042", "\U0001f3b5", "\ufdfa", "\u3300", "1", "bpm ", "in C major ", "\r\n", " ",
                           "120 bpm ", "1/4 ", "\u0301"])
        target = rng.choice([1999, 2000, 2001, 4000])
        return (unit * (target // len(unit) + 1))[:target]
    return "".join(rng.choice(["", "at "]) + rng.choice(NUMBERS_TEXT) + rng.choice([" bpm", "/", "/4", " seconds", " min",
                                                                                     ":", "\u5206", "\u79d2", " "])
                   for _ in range(rng.randint(1, 5)))


NUMBERS = [0, -0.0, 1, -1, 0.5, 29.999, 30, 300, 300.0001, 1200, 1200.0001, 1e-300, 5e-324, 1e308, -1e308,
           float("inf"), float("-inf"), float("nan"), 2**31, 2**32 - 1, 2**32, 2**63, 10**30, -10**30, 10**400,
           True, False, 44100, 48000, 44100.0, 48000.5, -14, -40.0, -6, 120, 3.0, 3.5]


def number(rng: random.Random) -> Any:
    return rng.choice(NUMBERS)


def wrong_type(rng: random.Random) -> Any:
    """A value of a type no option takes (what a careless API caller may pass)."""
    import numpy as np

    return rng.choice([None, [], {}, (), b"120", bytearray(b"C major"), ["piano"], [1, 2], {"a": 1}, Path("x"),
                       complex(1, 2), Decimal("NaN"), Decimal(120), Fraction(1, 3), np.float64("nan"),
                       np.float64(120.0), np.int64(120), np.int64(-1), np.array([1.0]), range(3), {1, 2},
                       frozenset(), ..., 1j])


def option_value(rng: random.Random, pool: list, *, typo: float = 0.25) -> tuple[Any, str]:
    """A value for an option: from its pool (maybe mutated), a number, or a wrong type."""
    r = rng.random()
    if r < 0.6:
        v = rng.choice(pool)
        if isinstance(v, str) and rng.random() < typo:
            return mutate_text(rng, v), "text"
        return v, "text" if isinstance(v, str) else "value"
    if r < 0.75:
        return prompt_text(rng)[:200], "text"
    if r < 0.9:
        return number(rng), "number"
    return wrong_type(rng), "type"
