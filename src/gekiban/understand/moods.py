"""Moods and intensity: the words that set a cue's mood, and how they move energy and tension.

A mood word ('melancholy', 切ない) names the mood and nudges energy and tension; an intensity
word ('quiet', 'explosive', 静か, 激しく) only nudges energy. Each mood also has a sentence the
embedding model compares with prompts that name no mood word.
"""

from __future__ import annotations

import re

from gekiban.understand.text import negated

# mood: (English words, Japanese substrings, energy delta, tension delta, preferred mode kind,
#        description for the embedding model)
MOODS: dict[str, tuple[tuple[str, ...], tuple[str, ...], float, float, str | None, str]] = {
    "calm": (("calm", "peaceful", "gentle", "quiet", "serene", "relaxed", "relaxing", "soft", "tranquil",
              "soothing", "mellow", "chill", "laid-back", "laid back", "leisurely", "restful", "still"),
             ("穏やか", "静か", "落ち着", "のんびり", "癒し", "まったり", "ゆったり", "安らか"),
             -0.25, -0.15, None, "calm, peaceful and gentle, nothing happens"),
    "sad": (("sad", "melancholy", "melancholic", "sorrow", "sorrowful", "tearful", "lonely", "grief", "tragic",
             "mournful", "farewell", "bittersweet", "heartbreak", "heartbreaking", "heartbroken", "mourning",
             "despair", "gloomy", "wistful"),
            ("悲し", "切な", "寂し", "涙", "別れ", "哀", "泣", "喪失", "絶望"), -0.2, 0.05, "minor",
            "sad and sorrowful, grief, tears and loss"),
    "tense": (("tense", "tension", "suspense", "suspenseful", "anxious", "nervous", "uneasy", "ominous", "creepy",
               "scary", "dread", "horror", "eerie", "unsettling", "sneaky", "stealthy"),
              ("緊張", "不穏", "不安", "怖", "恐", "ホラー", "サスペンス", "不気味", "緊迫"), -0.05, 0.3, "minor",
              "tense and anxious, danger and dread"),
    "mysterious": (("mysterious", "mystery", "strange", "enigmatic", "curious", "mystical", "cryptic"),
                   ("神秘", "謎", "不思議", "ミステリ"), -0.1, 0.2, None, "mysterious, strange and enigmatic"),
    "dark": (("dark", "sinister", "evil", "menacing", "villain", "villainous", "grim", "malevolent", "heavy"),
             ("闇", "邪悪", "悪役", "ダーク", "魔王", "威圧"), 0.0, 0.25, "minor", "dark, evil and menacing"),
    "happy": (("happy", "cheerful", "joyful", "bright", "playful", "fun", "upbeat", "sunny", "lively", "funny",
               "comedic", "bouncy", "silly", "goofy", "cute", "jolly"),
              ("明る", "楽し", "嬉し", "元気", "陽気", "コミカル", "かわいい", "かわいく", "にぎやか", "賑やか"),
              0.15, -0.15, "major", "happy, cheerful and playful fun"),
    "hopeful": (("hopeful", "uplifting", "warm", "inspiring", "determined", "optimistic", "hope", "positive"),
                ("希望", "前向き", "温か", "決意"), 0.05, -0.1, "major", "hopeful and uplifting, looking to the future"),
    "romantic": (("romantic", "tender", "love", "loving", "nostalgic", "nostalgia", "sweet", "intimate", "shy"),
                 ("恋", "ロマンチック", "懐かし", "優し", "ときめき", "甘"), -0.1, -0.05, "major",
                 "romantic and tender, love and nostalgia"),
    "epic": (("epic", "heroic", "grand", "triumphant", "majestic", "dramatic", "powerful", "climactic", "glorious",
              "soaring", "huge", "massive", "bombastic"),
             ("壮大", "勇まし", "英雄", "熱い", "ドラマチック", "熱く", "熱血"), 0.25, 0.1, None,
             "epic, heroic, grand and triumphant"),
    "intense": (("intense", "fierce", "aggressive", "frantic", "furious", "violent", "urgent", "desperate",
                 "breathless", "relentless", "explosive", "chaotic"),
                ("激し", "必死", "全力", "怒り"), 0.3, 0.25, "minor", "intense, fierce, frantic and aggressive"),
}
MOOD_DELTA_CAP = 0.4

# Intensity words that move energy without naming a mood: (English, Japanese, delta).
INTENSITY: tuple[tuple[tuple[str, ...], tuple[str, ...], float], ...] = (
    (("hushed", "subdued", "restrained", "sparse", "minimal", "delicate", "faint", "sleepy", "lazy", "drowsy",
      "muted", "understated", "intimate", "lullaby", "stillness", "silence", "silent", "meditative", "slow"),
     ("静寂", "しっとり", "控えめ", "ひっそり", "眠", "ゆっくり", "スロー", "静"), -0.2),
    (("energetic", "driving", "pounding", "rowdy", "wild", "loud", "full band", "all-out", "hype", "pumped",
      "exciting", "thrilling", "fast", "rapid", "racing", "action", "climax", "showdown", "roaring", "cheering",
      "full power", "blazing", "transformation", "sprint", "rush"),
     ("疾走", "全開", "盛り上が", "激し", "熱", "アップテンポ", "速", "ノリノリ", "爆発", "興奮", "歓声"), 0.2),
)


def find_moods(text: str) -> list[tuple[int, str, str]]:
    """(position, mood, word) for each mood word in text order; negated words are skipped."""
    found = []
    for mood, (words, ja, *_rest) in MOODS.items():
        for w in words:
            for m in re.finditer(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.IGNORECASE):
                if not negated(text, m.start()):
                    found.append((m.start(), mood, m[0]))
        for w in ja:
            pos = text.find(w)
            if pos >= 0:
                found.append((pos, mood, w))
    found.sort()
    return found


def find_intensity(text: str) -> list[tuple[str, float]]:
    """(word, energy delta) for each intensity word; negated words are skipped."""
    out = []
    for words, ja, delta in INTENSITY:
        for w in words:
            for m in re.finditer(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.IGNORECASE):
                if not negated(text, m.start()):
                    out.append((m[0], delta))
                    break
        for w in ja:
            if w in text:
                out.append((w, delta))
    return out
