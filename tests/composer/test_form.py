import numpy as np
import pytest

from gekiban.composer.form import bars_for, plan_form


@pytest.mark.parametrize("bars", [1, 2, 3, 5, 8, 12, 15, 16, 30, 37, 45, 48, 64, 96, 200])
def test_sections_cover_every_bar_contiguously(bars):
    secs = plan_form(bars, energy=0.6, tension=0.4, rng=np.random.default_rng(0))
    assert sum(s.bars for s in secs) == bars
    assert [s.start_bar for s in secs] == [sum(x.bars for x in secs[:i]) for i in range(len(secs))]
    assert all(0 < s.energy <= 1 and 0 <= s.tension <= 1 for s in secs)


def test_long_cue_has_form_and_a_climax():
    secs = plan_form(48, energy=0.6, tension=0.4, rng=np.random.default_rng(0))
    names = [s.name for s in secs]
    assert names[0] == "intro" and names[-1] == "outro"
    assert "A" in names and "B" in names and any(s.kind == "chorus" for s in secs)
    climax = max(secs, key=lambda s: s.energy)
    assert climax.kind == "chorus"
    body = [s for s in secs if s.kind not in ("intro", "outro")]
    assert all(s.bars % 4 == 0 for s in body), "phrases come in whole 4-bar units"


def test_loop_has_no_intro_or_outro():
    secs = plan_form(32, energy=0.5, tension=0.3, loop=True, rng=np.random.default_rng(0))
    assert all(s.kind not in ("intro", "outro") for s in secs)


def test_bars_for_rounds_to_whole_bars():
    assert bars_for(30, tempo=128, bar_beats=4) == 16
    assert bars_for(1, tempo=60, bar_beats=4) == 1
