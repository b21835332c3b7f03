"""Who plays: the instruments of a Brief from the options, the instruments the prompt names
(wanted, unwanted, alone) and the line-ups its named elements imply.

Precedence: the ``instruments`` option; else a line-up named outright ("string quartet") or
instruments named alone ("solo violin", "a sad piano piece"), joined by those named with them
("with a harp"); else a line-up a dance or setting implies (a tango, a ballroom), joined by the
instruments named and what a setting adds; else the instruments named and added join the style
palette; else the style palette. "no X" removes X (a family word removes the family from a
line-up); a beat has drums.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gekiban.styles.schema import Style
from gekiban.understand.brief import Evidence
from gekiban.understand.choices import palette
from gekiban.understand.named import Named, group_of


@dataclass(frozen=True)
class Ensemble:
    """The instruments chosen (empty: the style palette), the exclusions kept, their evidence,
    the named elements whose line-up or added instruments play, and how a beat's drums were met
    (``"seated"`` by the style, ``"added"``, ``"excluded"``; empty: no beat)."""

    instruments: tuple[str, ...]
    exclude: tuple[str, ...]
    why: Evidence
    why_exclude: Evidence
    used: tuple[Named, ...] = ()
    drums: str = ""


def _q(words: Sequence[str]) -> str:
    return ", ".join(repr(w) for w in words)


def choose_instruments(x_instruments: tuple[str, ...] | None, given: Any, reading: Mapping[str, Any], st: Style) -> Ensemble:
    """The instruments and exclusions of a Brief, with their evidence (see the module text).

    Parameters
    ----------
    x_instruments, given
        The checked ``instruments`` option (None: not given) and the option as written.
    reading
        :func:`gekiban.understand.reading.read_prompt` output.
    st
        The resolved style (its palette is what "with X" joins).
    """
    rev = reading["evidence"]
    found: tuple[Named, ...] = tuple(reading.get("named", ()))
    exclude = tuple(reading.get("exclude", ()))
    wanted = [i for i in reading.get("instruments", ()) if i not in exclude]
    only = bool(reading.get("instruments_only"))
    if x_instruments is not None:
        kept = tuple(e for e in exclude if e not in x_instruments)
        why_x = Evidence("prompt", rev["exclude"] + ("" if kept == exclude else "; named instruments kept")) if exclude \
            else Evidence("default", "nothing excluded")
        return Ensemble(x_instruments, kept, Evidence("option", f"option instruments {given!r} (replaces the style palette)"), why_x)

    removed = {g for e in exclude for g in group_of(e)} - set(wanted)
    named_lineups = [n for n in found if n.kind == "ensemble" and n.element.ensemble]
    implied = next((n for kind in ("dance", "setting") for n in found if n.kind == kind and n.element.ensemble), None)
    adds = [n for n in found if n.element.add]
    said = rev["instruments"] if wanted else ""
    lineup: list[str] = []
    chosen: list[str] = []
    used: list[Named] = []
    if named_lineups or only:
        used = named_lineups
        for n in named_lineups:
            lineup += [i for i in n.element.ensemble if i not in removed]
        chosen = lineup + [w for w in dict.fromkeys(wanted) if w not in lineup]
        what = [f"the {n.word!r} line-up" for n in named_lineups] + ([said.removeprefix("prompt: ")] if said else [])
        why = Evidence("prompt", f"prompt: {' + '.join(what)} (replaces the style palette)")
    elif implied is not None:
        used = [implied, *adds]
        lineup = [i for i in implied.element.ensemble if i not in removed]
        extra = [a for n in adds for a in n.element.add if a not in removed]
        chosen = lineup + [i for i in dict.fromkeys([*wanted, *extra]) if i not in lineup]
        why = Evidence("prompt", f"prompt: {implied.kind} {implied.word!r} implies its line-up"
                                 + (f"; {said.removeprefix('prompt: ')}" if said else "")
                                 + (f", {_q([n.word for n in adds])} adds {', '.join(extra)}" if extra else "")
                                 + " (replaces the style palette)")
    elif wanted or adds:
        used = adds
        extra = [a for n in adds for a in n.element.add if a not in removed]
        chosen = list(dict.fromkeys([*wanted, *extra, *(p for p in palette(st, exclude) if p not in removed)]))
        parts = ([said] if said else []) + ([f"prompt: {_q([n.word for n in adds])} adds {', '.join(extra)}"] if extra else [])
        why = Evidence("prompt", f"{'; '.join(parts)}, added to the style {st.name} palette")
    else:
        why = Evidence("style", f"style {st.name} palette")

    drums = ""
    if any(n.element.drums for n in found):
        kits = set(group_of("drums"))
        if "drums" in exclude or "drums" in removed:
            drums = "excluded"
        elif chosen:
            drums = "seated" if kits & set(chosen) else "added"
            if drums == "added":
                chosen.append("drums")
        elif "drums" in palette(st, exclude):
            drums = "seated"
        else:
            chosen = [*palette(st, exclude), "drums"]
            drums = "added"
        if drums == "added":
            beat = next(n.word for n in found if n.element.drums)
            why = Evidence("prompt", f"{why.text}; {beat!r} adds drums" if why.source == "prompt"
                           else f"prompt: {beat!r} adds drums to the style {st.name} palette")
    if not exclude:
        return Ensemble(tuple(chosen), (), why, Evidence("default", "nothing excluded"), tuple(used), drums)
    return Ensemble(tuple(chosen), exclude, why, Evidence("prompt", rev["exclude"]), tuple(used), drums)
