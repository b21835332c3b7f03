"""Each family's idiom, checked in the Score of the shipped styles, so that it cannot silently
disappear: battle drives, fills lead into section changes, comedy is short and plucked, a
waltz is oom-pah-pah, energy changes the figure and a return restates its melody."""

from functools import cache

import numpy as np
import pytest

from gekiban.composer import build_score
from gekiban.roles import base_role
from gekiban.styles import all_styles, load_style
from gekiban.styles.schema import energy_band
from gekiban.understand.resolve import resolve_brief

STYLES = all_styles()
WITH_DRUMS = sorted(n for n, s in STYLES.items() if s.role("drums") and s.form != "short")
BATTLE = sorted(n for n, s in STYLES.items() if s.family in ("battle", "chase"))
COMEDY = sorted(n for n, s in STYLES.items() if s.family == "comedy")
WALTZ = sorted(n for n, s in STYLES.items() if s.meters[0] == "3/4" and s.role("bass") and s.role("bass").pattern == "waltz-bass")
SONG = sorted(n for n, s in STYLES.items() if s.form == "song" and s.melody.returns != "develop")


@cache
def score(style: str, seed: int = 1, duration: float = 90.0):
    brief = resolve_brief("", style=style, seed=seed, duration=duration)
    return build_score(brief, load_style(brief.style))


def part(s, role):
    return next((p for p in s.parts if base_role(p.role) == role), None)


def onsets_per_beat(notes, a, b):
    return len({round(n.start * 4) for n in notes if a <= n.start < b}) / (b - a)


def test_the_families_under_test_exist():
    assert BATTLE and COMEDY and WITH_DRUMS and SONG and WALTZ


@pytest.mark.parametrize("name", BATTLE)
def test_a_battle_climax_drives_in_the_bass_and_the_ostinato(name):
    s = score(name)
    climax = max(s.sections, key=lambda x: x.energy)
    a, b = climax.start_bar * s.meter.bar_beats, climax.end_bar * s.meter.bar_beats
    for role in ("bass", "ostinato"):
        p = part(s, role)
        if p is not None:
            assert onsets_per_beat(p.notes, a, b) >= 2.0, (name, role)


def fill_changes(s):
    """Section changes the drums play into, and how many of them a fill leads into: the last
    beat before the change differs from the same beat a bar earlier."""
    drums = part(s, "drums")
    bar = s.meter.bar_beats
    led, changes = 0, 0
    for sec, nxt in zip(s.sections, s.sections[1:]):
        t = nxt.start_bar * bar
        after = [n for n in drums.notes if t <= n.start < t + bar]
        if not after or sec.bars < 2:
            continue
        changes += 1
        beat = bar / len(s.meter.pulses) if not s.meter.compound else 1.5

        def last_beat(end):
            return sorted((n.pitch, round((n.start - end) * 4)) for n in drums.notes if end - beat <= n.start < end - 1e-6)
        led += last_beat(t) != last_beat(t - bar)
    return led, changes


@pytest.mark.parametrize("name", WITH_DRUMS)
def test_a_fill_leads_into_nine_of_ten_section_changes(name):
    led, changes = fill_changes(score(name))
    if not changes:
        pytest.skip("the drums sit out every section change of this cue (their min_energy)")
    assert led >= 0.9 * changes, (name, led, changes)


@pytest.mark.parametrize("name", COMEDY)
def test_comedy_plays_short_notes_or_plucks(name):
    s = score(name, duration=30.0)
    short = [p for p in s.parts if not p.is_drum and p.notes
             and (p.program == 45 or np.median([n.duration for n in p.notes]) <= 0.3)]
    assert short, [(p.role, p.instrument, np.median([n.duration for n in p.notes])) for p in s.parts]


@pytest.mark.parametrize("name", WALTZ)
def test_a_waltz_has_its_bass_on_one_and_chords_on_two_and_three(name):
    s = score(name, duration=45.0)
    bass = part(s, "bass")
    chords = [p for p in s.parts if base_role(p.role) in ("pad", "ostinato") and p.notes]
    body = [n for n in bass.notes if n.start < (s.bars - 1) * 3]
    assert np.mean([round(n.start) % 3 == 0 for n in body]) >= 0.9
    beats = {round(n.start) % 3 for p in chords for n in p.notes if n.start < (s.bars - 1) * 3}
    assert {1, 2} <= beats


@pytest.mark.parametrize("name", sorted(n for n, s in STYLES.items() if s.role("bass") and s.form == "song"))
def test_energy_picks_another_figure_not_only_more_parts(name):
    """Where a cue's sections span calm and busy, some accompanying part changes its rhythm."""
    s = score(name, duration=120.0)
    st = STYLES[name]
    bands = {energy_band(x.energy, st.energy) for x in s.sections if x.kind not in ("intro", "outro")}
    if bands == {""}:
        pytest.skip("every section sits at the style's own energy")
    grids = {}
    for x in s.sections:
        a, b = x.start_bar * s.meter.bar_beats, x.end_bar * s.meter.bar_beats
        for role in ("bass", "ostinato", "pad"):
            p = part(s, role)
            if p is not None and any(a <= n.start < b for n in p.notes):
                grids.setdefault(role, {})[energy_band(x.energy, st.energy)] = onsets_per_beat(p.notes, a, b)
    assert any(len({round(v, 1) for v in by.values()}) > 1 for by in grids.values()), grids


@pytest.mark.parametrize("name", SONG)
def test_a_return_restates_the_first_statement(name):
    s = score(name, duration=90.0)
    lead = part(s, "lead")
    bar = s.meter.bar_beats
    first = {}
    restated = total = 0
    for sec in s.sections:
        letter = sec.name.rstrip("'")
        bars = [tuple(sorted((round((n.start - (sec.start_bar + k) * bar) * 4), n.pitch) for n in lead.notes
                             if (sec.start_bar + k) * bar - 0.1 <= n.start < (sec.start_bar + k + 1) * bar - 0.6))
                for k in range(sec.bars)]
        if letter in first and sec.kind != "intro":
            pairs = list(zip(first[letter], bars))[:-1]  # the last bar may close differently
            restated += sum(a == b for a, b in pairs)
            total += len(pairs)
        first.setdefault(letter, bars)
    if not total:
        pytest.skip("no section returns in a 90 s cue of this style")
    assert restated >= 0.75 * total, (name, restated, total)
