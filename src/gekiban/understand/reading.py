"""Reading a prompt: what it says outright, and what scene it describes by meaning.

:func:`read_prompt` gathers the answers of the readers in this package (explicit values,
instruments, progressions, moods, the Japanese gloss, the style ranking by meaning) into one
reading; :func:`gekiban.understand.resolve.resolve_brief` turns a reading and the options into
a Brief.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from gekiban.styles import all_styles
from gekiban.styles.schema import Style
from gekiban.theory import Key, parse_meter
from gekiban.understand.brief import StyleMatch
from gekiban.understand.explicit import (
    find_conflicts,
    find_duration,
    find_key,
    find_loop,
    find_meter,
    find_tempo,
    find_tempo_word,
)
from gekiban.understand.instruments import read_instruments
from gekiban.understand.japanese import gloss
from gekiban.understand.moods import MOOD_DELTA_CAP, MOODS, find_intensity, find_moods
from gekiban.understand.named import Named, find_named, named_meter, plan_styles
from gekiban.understand.progressions import find_progression
from gekiban.understand.semantic import (
    MIN_STYLE_SCORE,
    embed_prompt,
    energy_probe,
    has_words,
    keyword_scores,
    nearest_mood,
    rank_styles,
)
from gekiban.understand.text import Span, blank, has_japanese, normalise

INTENSITY_CAP = 0.3
#: How many of the closest styles a reading keeps.
NEIGHBOURS = 5


def score_styles(text: str, styles: Mapping[str, Style]) -> list[tuple[str, float, tuple[str, ...]]]:
    """Keyword points of each style for ``text`` (see
    :func:`gekiban.understand.semantic.keyword_scores`), best first."""
    return keyword_scores(normalise(text), styles)


def _q(words: Iterable[str]) -> str:
    return ", ".join(repr(w) for w in words)


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


def _pick_style(out: dict[str, Any], ev: dict[str, str], *, ranked: list[Any], found: tuple[Named, ...], text: str,
                english: str, styles: Mapping[str, Style], model: bool) -> None:
    """The style (or blend) of a reading: a blend the prompt asks for ('lofi meets chiptune'), else
    the styles its named genres, dances and settings ask for, else the style closest to the scene."""
    best = ranked[0] if ranked else None
    out["neighbours"] = tuple(StyleMatch(s.name, s.score, s.similarity, s.neighbour, s.hits) for s in ranked[:NEIGHBOURS])
    blend = _find_blend(text, english, ranked)
    parts, per = plan_styles(found, text, [s.name for s in ranked], styles, points={s.name: s.keyword for s in ranked}) \
        if found and not blend else ((), {})
    if per:
        out["named_styles"] = per
    if best is not None and (best.keyword > 0 or best.score >= MIN_STYLE_SCORE or parts):
        out["style_scores"] = [(s.name, s.score) for s in ranked if s.score > 0]
        if blend:
            out["style"] = best.name
            out["blend"], ev["blend"] = blend
        elif parts:
            names = [p for p, _ in parts]
            words = {p: [found[i].word for i, s in per.items() if s == p] for p in names}
            said = "; ".join(f"{_q(words[p])} → {p}" for p in names if words[p])
            out["style"] = names[0]
            if len(parts) > 1:
                out["blend"] = parts
                ev["blend"] = f"prompt: named {said}"
        else:
            out["style"] = best.name
        if parts and len(parts) == 1:
            ev["style"] = f"prompt: named {said} (the scene is closest to {best.name})"
        else:
            why = []
            if best.hits:
                why.append(f"keywords {_q(best.hits)}")
            if best.neighbour:
                why.append(f"closest to {best.neighbour!r} (similarity {best.similarity:.3f})")
            ev["style"] = f"prompt: {' and '.join(why) or 'words'} → {best.name} (score {best.score:.3f})"
    elif best is not None and model:
        out["style_miss"] = f"best match {best.name} scored {best.score:.3f}, below {MIN_STYLE_SCORE}"
    else:
        out["style_miss"] = "no words in it that describe a scene"


def read_prompt(text: str, styles: Mapping[str, Style] | None = None, *, semantic: bool = True) -> dict[str, Any]:
    """Read what a prompt says, in English or Japanese.

    Explicit values (tempo or a tempo word, key or mode, meter, length, loop, instruments
    wanted / unwanted / alone, a chord progression) are read exactly, and the genres, dances,
    settings and line-ups it names (:mod:`gekiban.understand.named`); the rest of the prompt is
    compared by meaning with every style and mood (:mod:`gekiban.understand.semantic`), together
    with keyword evidence. A Japanese prompt is also glossed into English for the model.

    Parameters
    ----------
    text : str
        The prompt (checked with :func:`~gekiban.understand.options.check_prompt` first by callers).
    styles : mapping, optional
        Styles by name to rank; default: all installed styles; ``{}`` skips style ranking.
    semantic : bool
        Use the sentence-embedding model (default); False reads keywords only.

    Returns
    -------
    dict
        Only the fields the text speaks to, among: ``style``, ``style_scores`` (name, score) best
        first, ``neighbours`` (:class:`~gekiban.understand.brief.StyleMatch` of the closest
        styles, best first), ``tempo`` and ``tempo_words`` (the words that said it),
        ``tempo_range`` (from a tempo word), ``key`` (a Key) or ``mode``
        (``"major"``/``"minor"``), ``mode_hint``, ``meter``, ``duration`` (seconds, not yet
        range-checked) and ``duration_words``, ``mood``, ``energy_delta``, ``tension_delta``,
        ``loop``, ``exclude``, ``instruments`` and ``instruments_only``, ``chords`` with
        ``chords_name`` and ``chords_mode``, ``gloss`` (the English read for a Japanese prompt),
        ``conflicts`` (field → the words of two values that disagree, for tempo, key, meter and
        length), ``named`` (the genres, dances, settings, line-ups and grooves named:
        :class:`~gekiban.understand.named.Named`), ``named_styles`` (the style each went to, by
        index), ``blend`` ((style, weight) parts: asked for, or made from named elements);
        and ``evidence``: one short string per field, quoting the words it came from (all from
        the prompt; :func:`~gekiban.understand.resolve.resolve_brief` makes each an Evidence).
    """
    out: dict[str, Any] = {}
    ev: dict[str, str] = {}
    raw = text or ""
    if not raw.strip():
        out["evidence"] = ev
        return out
    t = normalise(raw)
    spans: list[Span] = []
    named = find_named(t)
    conflicts = find_conflicts(t)
    if conflicts:
        out["conflicts"] = conflicts

    found = find_tempo(t)
    if found:
        out["tempo"], sp = found
        out["tempo_words"] = sp.text
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
    elif (dance := named_meter(named)) is not None:
        out["meter"] = parse_meter(dance[0])
        ev["meter"] = f"prompt: {dance[1].word!r} is in {dance[0]}"
    found_dur = find_duration(t)
    if found_dur:
        out["duration"], sp = found_dur
        out["duration_words"] = sp.text
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
    inst = read_instruments(blank(t, [n.span for n in named if n.element.ensemble or n.element.hide]))
    named = tuple(n for n in named if not n.element.marker or inst.only)
    if named:
        out["named"] = named
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
        english, pairs = gloss(scene)
        if pairs:
            out["gloss"] = english
            ev["gloss"] = "Japanese read as: " + "; ".join(f"{a}={b}" for a, b in pairs[:12])
    moods = find_moods(f"{english} \n {t}")
    intensity = find_intensity(f"{english} \n {t}")
    use_model = semantic and bool(english.strip())
    vec = None
    if use_model:
        if has_words(english):
            vec = embed_prompt(english)

    if styles is None:
        styles = all_styles()
    if styles:
        _pick_style(out, ev, ranked=rank_styles(vec, english, t, styles), found=named, text=t, english=english,
                    styles=styles, model=vec is not None)

    if moods:
        seen: list[str] = []
        de = dt = 0.0
        for _, mood, _w in moods:
            if mood not in seen:
                seen.append(mood)
                de += MOODS[mood][2]
                dt += MOODS[mood][3]
        cap = MOOD_DELTA_CAP
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
        out["energy_probe"] = energy_probe(vec)
    out["evidence"] = ev
    return out
