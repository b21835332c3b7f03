"""A small run of issue 3's quality goals (benchmarks/bench_quality.py runs them at full size:
every style x 10 seeds): a few styles x 2 seeds, composed without audio."""

from __future__ import annotations

import numpy as np
import pytest

from gekiban.evaluate.goals import (
    CLASSIFIER_MIN,
    OA_METRICS,
    OA_MIN,
    RECUR_BAND,
    SHARE_MAX,
    generate,
    measure_goals,
    seed_diversity,
)
from gekiban.evaluate.reference import load_reference
from gekiban.evaluate.report import ORIGINALITY_NOTES

STYLES = ("hopeful", "orchestral-battle", "lofi", "emotional-piano", "stinger")


@pytest.fixture(scope="module")
def generated():
    return generate(STYLES, [1, 2])


def test_small_goals_hold(generated):
    every = [g for gs in generated.values() for g in gs]
    assert all(not g.report.violations for g in every), [v for g in every for v in g.report.violations][:3]
    assert max(g.report.match.notes for g in every) < ORIGINALITY_NOTES
    ref = load_reference("dev")
    lo, hi = ref.band("lead.pitch_range")
    for name in STYLES[:-1]:  # the stinger is a few bars: no melody to measure
        gs = generated[name]
        recur = np.mean([g.report.metrics["lead.bar_recurrence"] for g in gs])
        assert RECUR_BAND[0] <= recur <= RECUR_BAND[1], (name, recur)
        assert all(lo <= g.report.metrics["lead.pitch_range"] <= hi for g in gs), name
    for name in ("hopeful", "emotional-piano", "lofi", "orchestral-battle"):
        assert np.mean([g.report.metrics["texture.scale_consistency"] for g in generated[name]]) >= 0.95, name


def test_goal_report_names_every_goal(generated):
    goals = measure_goals(generated, split="dev", prompt_seeds=range(1, 5))
    assert len(goals) == 9 and all(g.figure for g in goals)
    by_start = {g.name.split(" ")[0]: g for g in goals}
    oa = by_start["overlapping"]
    assert sum(1 for d in oa.details if float(d.rsplit(" ", 1)[1]) >= OA_MIN) >= OA_METRICS
    assert float(by_start["nearest-centroid"].figure.split("%")[0]) / 100 >= CLASSIFIER_MIN
    assert by_start["playability"].ok and by_start["original:"].ok


def test_seeds_give_different_melodies():
    worst, distinct = seed_diversity("dramatic battle", range(1, 5))
    assert distinct == 4 and worst <= SHARE_MAX
