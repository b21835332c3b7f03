"""Explaining a Brief: the lines ``gekiban explain`` prints and the structured reading
``track.json`` records."""

from __future__ import annotations

from typing import Any

from gekiban.understand.brief import Brief, StyleMatch, energy_level

#: The fields of a Brief that carry evidence, in the order they are explained.
EXPLAIN_FIELDS = ("style", "mood", "energy", "tension", "tempo", "key", "meter", "duration", "instruments",
                  "exclude", "loop", "chords", "motif", "seed")
#: Evidence beside the fields, shown when present: where each genre, dance, setting, line-up
#: and groove the prompt named went, and a named key that the named chords contradict.
NAMED_FIELDS = ("genre", "dance", "setting", "ensemble", "groove", "key_conflict")


def defaults_used(brief: Brief) -> list[str]:
    """The fields nothing the user said set (the style's or a built-in default, a random seed)."""
    return [f for f in EXPLAIN_FIELDS if (ev := brief.why(f)) is not None and ev.is_default]


def describe_neighbours(matches: tuple[StyleMatch, ...], count: int = 3) -> str:
    """The closest styles in words: score, closest sentence and similarity, keywords."""
    def one(m: StyleMatch) -> str:
        near = f" (similarity {m.similarity:.3f} to {m.sentence!r}" if m.sentence else " ("
        words = f", keywords {', '.join(repr(w) for w in m.keywords)})" if m.keywords else ")"
        return f"{m.name} {m.score:.3f}{near}{words}"

    return "; ".join(one(m) for m in matches[:count])


def understanding(brief: Brief) -> dict[str, Any]:
    """How the prompt was read, for ``track.json``: the closest styles with their scores, the
    Japanese gloss and the fields that fell back to defaults."""
    out: dict[str, Any] = {}
    if brief.neighbours:
        out["style_neighbours"] = [{"style": m.name, "score": m.score} for m in brief.neighbours]
    gloss = brief.why("gloss")
    if gloss is not None:
        out["japanese_gloss"] = gloss.text
    named = {f: ev.text for f in NAMED_FIELDS if (ev := brief.why(f)) is not None}
    if named:
        out["named"] = named
    out["defaults"] = defaults_used(brief)
    return out


def explain_lines(brief: Brief) -> list[str]:
    """The brief and the evidence for each field, for ``gekiban explain``."""
    value = {
        "style": brief.style, "mood": brief.mood, "energy": f"{brief.energy:g} ({energy_level(brief.energy)})",
        "tension": f"{brief.tension:g}", "tempo": f"{brief.tempo:g} bpm", "key": brief.key.name,
        "meter": str(brief.meter), "duration": f"{brief.duration:g} s",
        "instruments": ", ".join(brief.instruments) or "(style palette)",
        "exclude": ", ".join(brief.exclude) or "-", "loop": "yes" if brief.loop else "no",
        "chords": " ".join(brief.chords) or "(style progressions)",
        "motif": f"{len(brief.motif)} notes" if brief.motif else "-", "seed": str(brief.seed),
    }
    lines = [f"prompt: {brief.prompt!r}" if brief.prompt else "prompt: (empty)"]
    named = [(f, ev) for f in NAMED_FIELDS if (ev := brief.why(f)) is not None]
    width = max(len(f) for f in (*EXPLAIN_FIELDS, *(f for f, _ in named)))
    for f in EXPLAIN_FIELDS:
        lines.append(f"{f:<{width}}  {value[f]}")
        why = brief.why(f)
        if why is not None:
            lines.append(f"{'':<{width}}    ← {why.text}")
    for f, ev in named:
        lines.append(f"{f:<{width}}  {ev.text}")
    if brief.leitmotifs:
        lines.append(f"leitmotifs: {', '.join(f'{name} ({len(notes)} notes)' for name, notes in brief.leitmotifs)}")
        why = brief.why("leitmotifs")
        if why is not None:
            lines.append(f"    ← {why.text}")
    if brief.neighbours:
        lines.append(f"style neighbours: {describe_neighbours(brief.neighbours)}")
    gloss = brief.why("gloss")
    if gloss is not None:
        lines.append(f"japanese: {gloss.text}")
    defaults = defaults_used(brief)
    if defaults:
        lines.append(f"defaults used for: {', '.join(defaults)}")
    return lines
