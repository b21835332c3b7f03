"""Form: split a cue into sections of whole bars with an energy and tension per section.

The shapes follow the cue-length templates of anime scoring (shared/MUSIC.md §6): a short intro,
8- or 16-bar statements (A, B, climax), a return of A, an optional bridge and an outro that
carries the final cadence. Short cues (stingers, eye-catches) become one statement and a button.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gekiban.score import Section

# label, kind, energy offset from the style's base, tension offset
_CYCLE = (
    ("A", "verse", -0.12, -0.05),
    ("B", "verse", 0.0, 0.08),
    ("climax", "chorus", 0.18, 0.1),
    ("A'", "verse", -0.05, 0.0),
    ("bridge", "bridge", -0.2, 0.12),
    ("climax'", "chorus", 0.22, 0.1),
)


def bars_for(duration: float, *, tempo: float, bar_beats: float) -> int:
    """Whole bars closest to ``duration`` seconds at ``tempo`` (at least one)."""
    return max(1, int(round(duration * tempo / (60.0 * bar_beats))))


def plan_form(bars: int, *, energy: float, tension: float, short: bool = False, loop: bool = False,
              section_bars: int = 0, rng: np.random.Generator) -> tuple[Section, ...]:
    """Plan the sections of a cue of ``bars`` bars.

    Parameters
    ----------
    bars
        Total length in bars (the caller derives it from duration and tempo).
    energy, tension
        The style's (or brief's) base level, 0-1; sections move around it.
    short
        Use the short-cue shape (statement + button) for cues up to 8 bars.
    loop
        Leave out intro and outro so the end leads back into the start.
    section_bars
        Bars of each statement (4, 8, 12 or 16: a style's, learned from its music); 0: 8 bars,
        16 in cues of 80 bars or more.
    rng
        Random generator for the small choices (intro length, long or short statements).

    Returns
    -------
    tuple of Section
        Contiguous sections covering exactly ``bars`` bars.
    """
    def sec(name: str, kind: str, start: int, n: int, de: float, dt: float) -> Section:
        return Section(name, start, n, float(np.clip(energy + de, 0.05, 1.0)), float(np.clip(tension + dt, 0.0, 1.0)), kind)

    if (short and bars <= 8) or bars <= 6:
        if bars == 1 or loop:
            return (sec("A", "chorus", 0, bars, 0.05, 0.0),)
        return (sec("A", "chorus", 0, bars - 1, 0.05, 0.0), sec("outro", "outro", bars - 1, 1, 0.0, -0.1))
    if loop:
        intro = outro = 0
    elif bars < 12:
        outro = 2 if bars >= 8 else 1
        intro = (bars - outro) % 4
    else:
        intro = 4 if bars >= 40 else 2
        outro = 4 if bars >= 48 else 2
    units, rem = divmod(bars - intro - outro, 4)
    if not loop:
        intro += rem // 2
        outro += rem - rem // 2
        rem = 0
    unit_per_section = section_bars // 4 if section_bars else 4 if bars >= 80 and units >= 12 else 2
    lengths: list[int] = []
    left = units
    while left > 0:
        take = min(unit_per_section, left)
        if left - take == 1 and unit_per_section > 1:  # never leave a lone 4-bar section at the end
            take += 1
        lengths.append(take * 4)
        left -= take
    if loop and rem:
        if lengths:
            lengths[-1] += rem
        else:
            lengths = [rem]
    out: list[Section] = []
    bar = 0
    if intro:
        out.append(sec("intro", "intro", 0, intro, -0.3, -0.1))
        bar = intro
    cycle = _CYCLE if len(lengths) != 3 else (_CYCLE[0], _CYCLE[1], _CYCLE[2])
    for i, n in enumerate(lengths):
        label, kind, de, dt = cycle[i % len(cycle)]
        if i >= len(cycle):
            label += "'"
        if i == len(lengths) - 1 and len(lengths) >= 2 and kind == "bridge":
            label, kind, de, dt = _CYCLE[2]  # end the body on a statement, not a bridge
        out.append(sec(label, kind, bar, n, de, dt))
        bar += n
    if outro:
        out.append(sec("outro", "outro", bar, outro, -0.25, -0.15))
    del rng  # shapes are deterministic for now; kept for planners that vary them
    return tuple(out)


def split_at(sections: tuple[Section, ...], bars: set[int], *, required: set[int] = frozenset()) -> tuple[Section, ...]:
    """Make every bar in ``bars`` a section start (0 < bar < end), splitting the section that
    holds it; the later part restates the same material from its downbeat. A section shorter
    than two bars that no ``required`` start needs is merged into the one before it.
    """
    end = sections[-1].end_bar
    out = list(sections)
    for b in sorted(x for x in set(bars) | set(required) if 0 < x < end):
        i = next(k for k, s in enumerate(out) if s.start_bar <= b < s.end_bar)
        s = out[i]
        if s.start_bar == b or (b not in required and min(b - s.start_bar, s.end_bar - b) < 2):
            continue
        out[i:i + 1] = [replace(s, bars=b - s.start_bar), replace(s, start_bar=b, bars=s.end_bar - b)]
    merged: list[Section] = []
    for s in out:
        if merged and s.bars < 2 and s.start_bar not in required and s.kind != "outro":
            prev = merged[-1]
            merged[-1] = replace(prev, bars=prev.bars + s.bars)
        else:
            merged.append(s)
    return tuple(merged)


def arc_value(points: tuple[tuple[float, float, float], ...], t: float) -> tuple[float, float]:
    """Intensity and tension at ``t`` seconds, interpolated linearly between arc points."""
    times = [p[0] for p in points]
    return float(np.interp(t, times, [p[1] for p in points])), float(np.interp(t, times, [p[2] for p in points]))


def follow_arc(sections: tuple[Section, ...], points: tuple[tuple[float, float, float], ...],
               seconds_at_bar) -> tuple[Section, ...]:
    """Set each section's energy and tension from the arc at its middle (a step in the arc
    inside a section counts from where it starts)."""
    out = []
    for s in sections:
        a, b = seconds_at_bar(s.start_bar), seconds_at_bar(s.end_bar)
        energy, tension = arc_value(points, a + 0.45 * (b - a))
        out.append(replace(s, energy=float(np.clip(energy, 0.05, 1.0)), tension=float(np.clip(tension, 0.0, 1.0))))
    return tuple(out)
