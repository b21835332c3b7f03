"""Musical elements a prompt names: genres, dances, settings, line-ups and grooves ("heroic
battle", "sad waltz", "ballroom", "string quartet", "a hip hop beat"), read from
``data/understand/named.toml``, and what each becomes: styles to blend, a meter, an ensemble,
instruments to add, drums.

:func:`find_named` reads them from a normalised prompt; :func:`plan_styles` turns those that
name styles into one style or a blend; :func:`named_evidence` says, per kind, where each element
went in the resolved Brief (``gekiban explain`` prints it). Hand-written because the phrases sit
in free text in two languages, where a tokenizer-based matcher would still need this table.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from gekiban.errors import GekibanError, InvalidOptionError
from gekiban.theory import parse_meter
from gekiban.understand.brief import Evidence
from gekiban.understand.text import Span, negated

#: The kinds of element, in the order ``explain`` lists them.
KINDS = ("genre", "dance", "setting", "ensemble", "groove")
#: Blend weight of the head element's style; the other styles share the rest.
HEAD_WEIGHT = 0.6
#: At most this many styles in a blend made from named elements.
MAX_STYLES = 3
_MODIFIER_BEFORE = re.compile(r"(?:\bwith\s+(?:a|an|some)\s+(?:\w+\s+)?|\b(?:touch|hint|dash|bit)\s+of\s+(?:a\s+)?)$", re.IGNORECASE)
# The time around the cue, not its music: "after the battle", "before the final duel", 戦いの後.
_CONTEXT_BEFORE = re.compile(r"\b(?:after|before|following|since)\s+(?:the|a|an|his|her|their|our|its|this|that)?\s*(?:\w+\s+)?$",
                             re.IGNORECASE)
_CONTEXT_AFTER_JA = re.compile(r"^(?:の)?(?:後|あと|前|直後|直前|以来)")
#: A style the prompt's keywords back this many times more than the head's (plus one point)
#: leads the blend instead ('late-night jazz bar, saxophone …, the detective is off duty').
DOMINANCE = 2.0


@dataclass(frozen=True)
class Element:
    """One entry of the table: what a named genre, dance, setting, line-up or groove implies."""

    kind: str
    name: str
    words: tuple[str, ...] = ()
    ja: tuple[str, ...] = ()
    not_words: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    blend: tuple[str, ...] = ()
    meter: str = ""
    ensemble: tuple[str, ...] = ()
    add: tuple[str, ...] = ()
    drums: bool = False
    marker: bool = False
    hide: bool = False

    @property
    def names_styles(self) -> bool:
        return bool(self.styles or self.blend)


@dataclass(frozen=True)
class Named:
    """An element found in the prompt, with the words that named it."""

    element: Element
    span: Span

    @property
    def word(self) -> str:
        return self.span.text

    @property
    def kind(self) -> str:
        return self.element.kind


def _key(word: str) -> str:
    return re.sub(r"[\s\-]+", " ", word.strip().lower())


def _pattern(word: str) -> str:
    return r"[\s\-]+".join(re.escape(t) for t in _key(word).split(" "))


@cache
def table() -> tuple[tuple[Element, ...], dict[str, tuple[str, ...]]]:
    """The elements of ``data/understand/named.toml`` and the instrument groups a family word
    removes from a line-up (see :func:`parse_table`)."""
    text = resources.files("gekiban").joinpath("data/understand/named.toml").read_text(encoding="utf-8")
    return parse_table(tomllib.loads(text))


def parse_table(data: Mapping[str, Any]) -> tuple[tuple[Element, ...], dict[str, tuple[str, ...]]]:
    """Elements and instrument groups from the parsed TOML of a named-elements table.

    Raises
    ------
    GekibanError
        If an entry has an unknown kind or key, an unknown instrument id or a bad meter, or names
        no word; the message names the entry and the value.
    """
    from gekiban.instruments import get_instrument

    keys = {"words", "ja", "not", "styles", "blend", "meter", "ensemble", "add", "drums", "marker", "hide"}
    out = []
    for kind, entries in data.items():
        if kind == "groups":
            continue
        if kind not in KINDS or not isinstance(entries, Mapping):
            raise GekibanError(f"named.toml: unknown kind [{kind}]: use one of {', '.join(KINDS)}")
        for name, e in entries.items():
            where = f"named.toml [{kind}.{name}]"
            if not isinstance(e, Mapping) or set(e) - keys:
                raise GekibanError(f"{where}: unknown keys {sorted(set(e) - keys) if isinstance(e, Mapping) else e!r}; "
                                   f"allowed: {', '.join(sorted(keys))}")
            el = Element(kind, name, tuple(e.get("words", ())), tuple(e.get("ja", ())), tuple(e.get("not", ())),
                         tuple(e.get("styles", ())), tuple(e.get("blend", ())), str(e.get("meter", "")),
                         tuple(e.get("ensemble", ())), tuple(e.get("add", ())), bool(e.get("drums", False)),
                         bool(e.get("marker", False)), bool(e.get("hide", False)))
            if not el.words and not el.ja:
                raise GekibanError(f"{where}: no words: give `words` (English) or `ja`")
            try:
                for ident in (*el.ensemble, *el.add):
                    if get_instrument(ident).id != ident:
                        raise InvalidOptionError(f"{ident!r} is an instrument name, not its id {get_instrument(ident).id!r}")
                if el.meter:
                    parse_meter(el.meter)
            except InvalidOptionError as exc:
                raise GekibanError(f"{where}: {exc}") from None
            out.append(el)
    groups = {k: tuple(v) for k, v in data.get("groups", {}).items()}
    return tuple(out), groups


@cache
def _matchers() -> tuple[re.Pattern[str], dict[str, Element], tuple[tuple[str, Element], ...]]:
    """One regex for every English word (longest first), the element of each word, and the
    Japanese spellings longest first."""
    elements, _ = table()
    by_word: dict[str, Element] = {}
    ja: list[tuple[str, Element]] = []
    for el in elements:
        for w in el.words:
            by_word.setdefault(_key(w), el)
        ja += [(w, el) for w in el.ja]
    alternation = "|".join(_pattern(w) for w in sorted(by_word, key=len, reverse=True))
    regex = re.compile(rf"(?<![A-Za-z0-9\-])(?:{alternation})(?![A-Za-z0-9\-])", re.IGNORECASE)
    return regex, by_word, tuple(sorted(ja, key=lambda p: -len(p[0])))


def _blocked(text: str, start: int, end: int, el: Element) -> bool:
    """True when one of the element's ``not`` phrases covers text[start:end]."""
    for phrase in el.not_words:
        pattern = _pattern(phrase) if phrase.isascii() else re.escape(phrase)
        for m in re.finditer(pattern, text, re.IGNORECASE):
            if m.start() <= start and end <= m.end():
                return True
    return False


def find_named(text: str) -> tuple[Named, ...]:
    """The genres, dances, settings, line-ups and grooves a normalised prompt names, in text
    order; a longer name wins over a shorter one inside it ('jazz trio' over 'jazz'), a negated
    English word ('no jazz') and a word inside a ``not`` phrase ('school festival') are skipped."""
    regex, by_word, ja = _matchers()
    found: list[Named] = []
    for m in regex.finditer(text):
        el = by_word[_key(m[0])]
        if negated(text, m.start()) or _blocked(text, m.start(), m.end(), el):
            continue
        found.append(Named(el, Span(m.start(), m.end(), m[0])))
    taken = [(n.span.start, n.span.end) for n in found]
    for word, el in ja:
        start = 0
        while (pos := text.find(word, start)) >= 0:
            end = pos + len(word)
            start = end
            if any(a < end and pos < b for a, b in taken) or _blocked(text, pos, end, el):
                continue
            taken.append((pos, end))
            found.append(Named(el, Span(pos, end, word)))
    found = [n for n in found if not (n.element.names_styles and n.kind == "genre" and _context(text, n.span))]
    return tuple(sorted(found, key=lambda n: n.span.start))


def _context(text: str, span: Span) -> bool:
    """True when the words name the time around the cue ('after the battle'), not its music."""
    return bool(_CONTEXT_BEFORE.search(text[:span.start]) or _CONTEXT_AFTER_JA.match(text[span.end:]))


def named_meter(found: Sequence[Named]) -> tuple[str, Named] | None:
    """The meter the first dance with one implies, and that dance."""
    return next(((n.element.meter, n) for n in found if n.element.meter), None)


def plan_styles(found: Sequence[Named], text: str, ranked: Sequence[str], library: Mapping[str, object], *,
                points: Mapping[str, float] | None = None) -> tuple[tuple[tuple[str, float], ...], dict[int, str]]:
    """The styles the named elements ask for, as ``(name, weight)`` parts (one part: a single
    style), and the style each element (by its index in ``found``) went to.

    Genres and dances decide; settings and line-ups only when no genre or dance names a style.
    Each element takes the style the scene ranks best among its own (``ranked``: every style
    name, best first), preferring one another element also lists ('punk rock fight' is one
    jrock-battle); the last element not in a "with a ... edge" phrase is the head (weight 0.6),
    unless the prompt's keyword ``points`` per style back another style :data:`DOMINANCE` times
    more.
    """
    usable = [(i, n) for i, n in enumerate(found) if n.element.names_styles]
    primary = [(i, n) for i, n in usable if n.kind in ("genre", "dance")]
    use = primary or usable
    if not use:
        return (), {}
    rank = {name: k for k, name in enumerate(ranked)}
    counts: dict[str, int] = {}
    for _, n in use:
        for s in n.element.styles:
            counts[s] = counts.get(s, 0) + 1
    chosen: dict[int, tuple[str, ...]] = {}
    for i, n in use:
        if n.element.blend:
            parts = tuple(s for s in n.element.blend if s in library)
        else:
            cands = [s for s in n.element.styles if s in library]
            parts = (min(cands, key=lambda s: (-counts.get(s, 0), rank.get(s, len(rank)))),) if cands else ()
        if parts:
            chosen[i] = parts
    if not chosen:
        return (), {}
    heads = [i for i in chosen if not _MODIFIER_BEFORE.search(text[:found[i].span.start])]
    head = (heads or list(chosen))[-1]
    pts = points or {}
    strongest = max(chosen, key=lambda i: pts.get(chosen[i][0], 0.0))
    if pts.get(chosen[strongest][0], 0.0) >= DOMINANCE * pts.get(chosen[head][0], 0.0) + 1:
        head = strongest
    order = list(dict.fromkeys([*chosen[head], *(s for i in chosen if i != head for s in chosen[i])]))[:MAX_STYLES]
    if len(order) == 1:
        parts_w: tuple[tuple[str, float], ...] = ((order[0], 1.0),)
    else:
        rest = round((1 - HEAD_WEIGHT) / (len(order) - 1), 3)
        parts_w = ((order[0], HEAD_WEIGHT), *((s, rest) for s in order[1:]))
    return parts_w, {i: parts[0] for i, parts in chosen.items()}


def group_of(word: str) -> tuple[str, ...]:
    """The instruments a family word (an id or role name from the instrument reader) removes from
    a line-up: ``"brass-section"`` → trumpet, trombone, tuba, horn…; else just ``(word,)``."""
    return table()[1].get(word, (word,))


def named_evidence(found: Sequence[Named], *, styles: Mapping[int, str], used_styles: set[str], style_option: bool,
                   meter: str, meter_words: str, used: Sequence[Named], instruments: Sequence[str],
                   instruments_option: bool, drums: str) -> dict[str, Evidence]:
    """One Evidence per kind of named element, saying where each went.

    Parameters
    ----------
    found
        The elements read (:func:`find_named`).
    styles, used_styles, style_option
        The style each element asked for (by index), the styles the Brief uses, and whether an
        option chose the style.
    meter, meter_words
        The Brief's meter, and the evidence text that set it.
    used, instruments, instruments_option
        The elements whose line-up or added instruments play, the Brief's instruments, and
        whether an option chose them.
    drums
        How a beat's drums were met (``"seated"`` by the style, ``"added"``, ``"excluded"``).
    """
    texts: dict[str, list[str]] = {}
    for i, n in enumerate(found):
        el = n.element
        said: list[str] = []
        if i in styles:
            s = styles[i]
            if style_option:
                said.append(f"style {s} not used: the style option wins")
            elif s in used_styles:
                said.append(f"style {s}" + (" in the blend" if len(used_styles) > 1 else ""))
            else:
                said.append(f"style {s} not used")
        elif el.names_styles:
            said.append("its styles not used: the style option wins" if style_option
                        else "its styles give way to the genre or dance named")
        if el.meter:
            said.append(f"meter {el.meter}" if meter == el.meter else f"meter {el.meter} not used: {meter} from {meter_words}")
        for what, ids in (("the line-up", el.ensemble), ("adds", el.add)):
            if not ids:
                continue
            if n in used and not instruments_option:
                left = [x for x in dict.fromkeys(ids) if x not in instruments]
                said.append(f"{what} {', '.join(ids)}" + (f" ({', '.join(left)} left out as asked)" if left else ""))
            else:
                other = next((u for u in used if u.element.ensemble), None)
                why = ("the instruments option wins" if instruments_option else
                       f"the {other.word!r} line-up wins" if other is not None else "the instruments named win")
                said.append(f"{what} {', '.join(ids)} not used: {why}")
        if el.marker:
            said.append("the instruments named with it are the whole ensemble")
        if el.drums:
            said.append({"seated": "drums (the style seats a drum kit)", "added": "drums added",
                         "excluded": "drums asked for, but the prompt excludes them"}.get(drums, "drums"))
        texts.setdefault(n.kind, []).append(f"{n.word!r} → {'; '.join(said) or 'read'}")
    return {kind: Evidence("prompt", "prompt: " + "; ".join(texts[kind])) for kind in KINDS if kind in texts}
