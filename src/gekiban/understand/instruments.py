"""Instruments named in a prompt: wanted ("with taiko and shamisen"), unwanted ("no drums",
"without piano", ドラムなし) or alone ("solo piano", "piano only", ピアノのみ).

Every instrument of the registry is found by its id, General MIDI name and aliases (plurals
too), the extra English names in ``data/understand/instrument_names.toml`` and the Japanese names
in ``data/understand/lexicon_ja.toml``; role words (drums, percussion, bass, pads…) are found
for exclusions. Hand-written because the phrases sit inside free text, where a name lookup
alone (:func:`gekiban.instruments.get_instrument`) cannot see where a name starts and ends.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gekiban.instruments import get_instrument
from gekiban.understand.text import Span

# Role names a prompt may exclude as a whole ("no drums" leaves out the drum role, whatever
# instrument the style seats there).
ROLE_WORDS = {"drum": "drums", "drums": "drums", "beat": "drums", "beats": "drums", "percussion": "percussion",
              "bass": "bass", "bassline": "bass", "melody": "lead", "lead": "lead", "pad": "pad", "pads": "pad",
              "ostinato": "ostinato", "arp": "ostinato", "arps": "ostinato", "arpeggio": "ostinato",
              "arpeggios": "ostinato", "countermelody": "counter", "counter-melody": "counter"}
ROLE_WORDS_JA = {"ドラム": "drums", "ドラムス": "drums", "打楽器": "percussion", "パーカッション": "percussion",
                 "ベース": "bass", "リズム隊": "drums"}


@dataclass(frozen=True)
class Mention:
    """One instrument (or role) named in the prompt."""

    ident: str          # instrument id, or a role name when ``role`` is true
    span: Span
    role: bool = False
    weak: bool = False
    phrase: str = ""


@dataclass(frozen=True)
class InstrumentReading:
    """What the prompt says about instruments: ids wanted (in order), ``only`` when the
    prompt wants exactly those, and ids or role names to leave out; phrases for the evidence."""

    wanted: tuple[str, ...] = ()
    only: bool = False
    exclude: tuple[str, ...] = ()
    wanted_words: tuple[str, ...] = ()
    exclude_words: tuple[str, ...] = ()
    only_words: tuple[str, ...] = ()


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


@cache
def _tables() -> tuple[dict[str, str], frozenset[str], dict[str, str], int]:
    """English phrase → id, weak phrases, Japanese name → id, longest English phrase (words)."""
    from gekiban.instruments import registry
    from gekiban.understand.japanese import lexicon

    data = tomllib.loads(resources.files("gekiban").joinpath("data/understand/instrument_names.toml").read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for inst in registry().values():
        for name in (inst.id, inst.name, *inst.aliases):
            table.setdefault(_norm(name), inst.id)
    for phrase, ident in data.get("names", {}).items():
        table[_norm(phrase)] = ident
    for phrase, ident in list(table.items()):  # plurals: "violins", "flutes"
        if not phrase.endswith("s") and not phrase[-1].isdigit():
            table.setdefault(phrase + "s", ident)
    weak = frozenset(_norm(w) for w in data.get("weak", ()))
    ja = dict(lexicon()[1])
    longest = max(len(p.split()) for p in table)
    return table, weak, ja, longest


_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*|\([a-z ]+\)")


def find_mentions(text: str) -> list[Mention]:
    """Instrument and role names in ``text`` (normalised), longest first, in text order."""
    table, weak, ja, longest = _tables()
    toks = [(m.start(), m.end(), _norm(m[0])) for m in _TOKEN_RE.finditer(text)]
    out: list[Mention] = []
    i = 0
    while i < len(toks):
        hit = None
        for n in range(min(longest, len(toks) - i), 0, -1):
            phrase = " ".join(t[2] for t in toks[i:i + n])
            if phrase in table:
                hit = (n, table[phrase], phrase)
                break
            if n == 1 and phrase in ROLE_WORDS:
                hit = (1, ROLE_WORDS[phrase], phrase)
        if hit:
            n, ident, phrase = hit
            a, b = toks[i][0], toks[i + n - 1][1]
            is_role = phrase in ROLE_WORDS and (phrase not in table or phrase in ("drum", "drums", "bass", "pad", "pads", "percussion"))
            out.append(Mention(ident, Span(a, b, text[a:b]), role=is_role and phrase in ROLE_WORDS and ident == ROLE_WORDS.get(phrase),
                               weak=phrase in weak, phrase=phrase))
            i += n
        else:
            i += 1
    # Japanese names: longest first, without overlapping what was found
    taken = [(m.span.start, m.span.end) for m in out]
    for name in sorted({*ja, *ROLE_WORDS_JA}, key=len, reverse=True):
        start = 0
        while (pos := text.find(name, start)) >= 0:
            end = pos + len(name)
            start = end
            if any(a < end and pos < b for a, b in taken):
                continue
            taken.append((pos, end))
            if name in ROLE_WORDS_JA and name not in ja:
                out.append(Mention(ROLE_WORDS_JA[name], Span(pos, end, name), role=True, phrase=name))
            else:
                weak_ja = name in ("シンセ", "弦", "鐘", "ベース", "パッド")
                role = ROLE_WORDS_JA.get(name)
                out.append(Mention(role or ja[name], Span(pos, end, name), role=role is not None, weak=weak_ja, phrase=name))
    out.sort(key=lambda m: m.span.start)
    return out


# Glue between items of one list: "drums, bass or piano", "taiko and shamisen", ドラムとベース.
_GLUE_RE = re.compile(r"^(?:\s|,|、|・|/|&|\+|and|or|nor|the|any|a|an|no|without|と|や|も|、)*$", re.IGNORECASE)
_NEG_EN = re.compile(r"\b(?:no|without|minus|sans|except|excluding|not|skip(?:ping)?|drop(?:ping)?|leave out|lose)\s+(?:the\s+|any\s+|a\s+|an\s+)?$", re.IGNORECASE)
_NEG_AFTER_EN = re.compile(r"^(?:-free\b|\s+free\b|\s+(?:is|are)\s+(?:not|unwanted|banned)\b)", re.IGNORECASE)
_NEG_JA = re.compile(r"^(?:は|を)?(?:なし|無し|抜き|ぬき|不要|いらない|要らない|使わない|使わず|禁止|NG|ナシ|除く|以外)")
# Instruments alone: "solo piano", "just an acoustic guitar", "for piano" (a piece written for it),
# "piano only", "a sad piano piece", "shakuhachi and koto duet", ピアノのみ, ピアノ曲, 無伴奏チェロ.
_ONLY_BEFORE_EN = re.compile(r"\b(?:solo|only|just|unaccompanied|nothing but|purely|only an?|just an?|just the|only the|"
                             r"for(?:\s+(?:an?|the|solo))?)\s+$", re.IGNORECASE)
_ONLY_AFTER_EN = re.compile(r"^(?:\s+solo\b|\s+only\b|\s+alone\b|\s+and nothing else\b|-only\b|\s+(?:piece|pieces|tune|"
                            r"number|improvisation|improv|etude|étude|nocturne|prelude|instrumental|composition|duet|duo)\b)",
                            re.IGNORECASE)
_SOLO_WORD = re.compile(r"solo|ソロ|独奏", re.IGNORECASE)
_ONLY_JA = re.compile(r"^(?:の|で)?(?:のみ|だけ|ソロ|一本|一台|1台|オンリー|単独|曲|独奏|二重奏|デュエット|デュオ|のための)")
_ONLY_BEFORE_JA = re.compile(r"(?:ソロ|独奏|無伴奏)\s*$")
# An instrument joined to those alone: "a sad piano piece with a cello", ピアノ曲にチェロを加えて.
_ADD_BEFORE_EN = re.compile(r"\b(?:with|plus|adding|add|featuring)\s+(?:an?\s+|the\s+|some\s+)?$", re.IGNORECASE)
_ADD_AFTER_JA = re.compile(r"^(?:を|も)?(?:加え|足し|入れ|添え)")
_MARKER_BEFORE = re.compile(r"\b(?:with|featuring|feat\.?|using|on|plus|add|adding|over|under|and|led by|played on|for|"
                            r"plays?|playing|played|strums?|strumming|blows?|blowing)\s+"
                            r"(?:a\s+|an\s+|the\s+|his\s+|her\s+|their\s+|its\s+|some\s+|soft\s+|light\s+|low\s+|warm\s+|dark\s+|gentle\s+|old\s+)*$",
                            re.IGNORECASE)
# "with a lonesome whistle": a describing word between the marker and the name
_MARKER_BEFORE_DESCRIBED = re.compile(r"\b(?:with|featuring|using|plus|adding|led by|played on)\s+(?:an?|the|some|his|her|their|its)\s+"
                                      r"[a-z][a-z\-]*\s+$", re.IGNORECASE)
# The name as the subject of a musical verb: "the fiddle going full tilt", チェロが歌う
_PLAYING_AFTER = (r"\s+(?:going|goes|playing|plays|sings|singing|soars|soaring|wails|wailing|cries|crying|weeps|weeping|"
                  r"leads|leading|carries|carrying|sighs|sighing|answers|joins|enters|comes in|takes the (?:lead|melody|tune))\b|"
                  r"が(?:歌|鳴|奏で|響|泣|唸|囁)")
_MARKER_AFTER = re.compile(r"^(?:-led|\s+led|\s+line|\s+part|\s+melody|\s+solo|\s+and\b|,|と|で|を使|を入|入り|中心|メイン|主体|ソロ|"
                           + _PLAYING_AFTER + ")", re.IGNORECASE)
#: A section whose "alone" keeps the named instruments of its family: a cello in a string piece.
_SECTION_FAMILY = {"strings": "strings", "slow-strings": "strings", "brass-section": "brass"}


def read_instruments(text: str) -> InstrumentReading:
    """Read instruments wanted, unwanted and alone from a normalised prompt.

    A negation ('no', 'without', なし…) applies to the names it is followed (Japanese:
    preceded) by, through a list ('no drums, bass or piano'); 'solo X', 'X only', Xのみ, Xだけ mark
    the names that alone make the cue ('solo' only while no other instrument is wanted).
    A weak name (bass, bell, whistle, synth…) counts only with a musical marker around it.
    """
    mentions = find_mentions(text)
    neg: set[int] = set()
    only: set[int] = set()
    solo_only: set[int] = set()
    for k, m in enumerate(mentions):
        before, after = text[:m.span.start], text[m.span.end:]
        prev_end = mentions[k - 1].span.end if k else None
        in_negated_list = prev_end is not None and (k - 1) in neg and _GLUE_RE.match(text[prev_end:m.span.start])
        if _NEG_EN.search(before) or _NEG_AFTER_EN.match(after) or in_negated_list:
            neg.add(k)
        marker = _ONLY_BEFORE_EN.search(before) or _ONLY_AFTER_EN.match(after) or _ONLY_BEFORE_JA.search(before)
        if marker:
            only.add(k)
            if _SOLO_WORD.search(marker[0]):  # 'solo' alone leaves room for others: "a violin solo over strings"
                solo_only.add(k)
        elif _SOLO_WORD.search(m.span.text):
            only.add(k)
            solo_only.add(k)
    # Japanese: the marker follows the (last) name of a list: ドラムとベースなし, ピアノとチェロだけ
    for k in range(len(mentions) - 1, -1, -1):
        m = mentions[k]
        after = text[m.span.end:]
        nxt = k + 1 < len(mentions) and _GLUE_RE.match(text[m.span.end:mentions[k + 1].span.start])
        if _NEG_JA.match(after) or (nxt and (k + 1) in neg and _is_ja_list(text, m, mentions[k + 1])):
            neg.add(k)
        if _ONLY_JA.match(after) or (nxt and (k + 1) in only and _is_ja_list(text, m, mentions[k + 1])):
            only.add(k)
        # English list before 'only': "piano and cello only"
        if nxt and (k + 1) in only and (k + 1) not in solo_only and _ONLY_AFTER_EN.match(text[mentions[k + 1].span.end:]):
            only.add(k)
    for k in range(1, len(mentions)):  # "solo piano and cello" / "only piano and strings"
        if (k - 1) in only and k not in neg and _GLUE_RE.match(text[mentions[k - 1].span.end:mentions[k].span.start]) \
                and re.search(r"\band\b|,|、|と", text[mentions[k - 1].span.end:mentions[k].span.start]):
            only.add(k)
            if (k - 1) in solo_only:
                solo_only.add(k)

    wanted, wanted_words, exclude, exclude_words, only_ids, only_words = [], [], [], [], [], []
    joined: set[str] = set()
    for k, m in enumerate(mentions):
        if k in neg:
            ident = ROLE_WORDS.get(m.phrase) or ROLE_WORDS_JA.get(m.phrase) or m.ident
            if ident not in exclude:
                exclude.append(ident)
                exclude_words.append(m.span.text)
            continue
        if m.role and m.ident not in ("drums", "percussion", "bass", "pad"):
            continue  # 'melody', 'arpeggios' name roles, not instruments to add
        ident = m.ident
        if m.role:  # a wanted role word names that role's usual instrument
            ident = {"drums": "drums", "percussion": "orchestral-percussion", "bass": "finger-bass", "pad": "warm-pad"}[m.ident]
        strong_context = k in only or _MARKER_BEFORE.search(text[:m.span.start]) or _MARKER_AFTER.match(text[m.span.end:]) \
            or _MARKER_BEFORE_DESCRIBED.search(text[:m.span.start]) or _listed_with_strong(text, mentions, k)
        if m.weak and not strong_context:
            continue
        if k in only and ident not in only_ids:
            only_ids.append(ident)
            only_words.append(m.span.text)
        elif _ADD_BEFORE_EN.search(text[:m.span.start]) or _ADD_AFTER_JA.match(text[m.span.end:]):
            joined.add(ident)
        if ident not in wanted:
            wanted.append(ident)
            wanted_words.append(m.span.text)
    is_only = bool(only_ids)
    if is_only and all(k in solo_only for k in only) and len(wanted) > len(only_ids):
        is_only = False  # "a violin solo over strings and harp": the violin leads, the others stay
    if is_only and len(wanted) > len(only_ids) and not all(k in solo_only for k in only):
        sections = {_SECTION_FAMILY[i] for i in only_ids if i in _SECTION_FAMILY}
        wanted = [w for w in wanted if w in only_ids or w in joined or get_instrument(w).family in sections]
    wanted_t = tuple(wanted)
    return InstrumentReading(wanted=wanted_t, only=is_only, exclude=tuple(exclude),
                             wanted_words=tuple(wanted_words), exclude_words=tuple(exclude_words),
                             only_words=tuple(only_words))


def _is_ja_list(text: str, a: Mention, b: Mention) -> bool:
    return bool(re.search(r"[と・や&＆]", text[a.span.end:b.span.start]))


def _listed_with_strong(text: str, mentions: list[Mention], k: int) -> bool:
    """True when mention ``k`` sits in a list next to a non-weak instrument ('taiko and bass')."""
    for j in (k - 1, k + 1):
        if 0 <= j < len(mentions) and not mentions[j].weak and not mentions[j].role:
            a, b = sorted((j, k))
            if _GLUE_RE.match(text[mentions[a].span.end:mentions[b].span.start]):
                return True
    return False
