"""A small run of issue 3's quality goals (benchmarks/bench_quality.py runs them at full size:
every style x 10 seeds): a few styles x 2 seeds, composed without audio."""

from __future__ import annotations

import numpy as np
import pytest

from gekiban.evaluate.goals import (
    CLASSIFIER_MIN,
    OA_METRICS,
    OA_MIN,
    SCALE_MIN,
    SHARE_MAX,
    generate,
    in_key_or_chord,
    measure_goals,
    recur_band,
    seed_diversity,
)
from gekiban.evaluate.reference import load_reference
from gekiban.evaluate.report import ORIGINALITY_NOTES
from gekiban.styles import load_style

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
        low, high = recur_band(load_style(name))
        assert low <= recur <= high, (name, recur)
        assert all(lo <= g.report.metrics["lead.pitch_range"] <= hi for g in gs), name
    for name in ("hopeful", "emotional-piano", "lofi", "orchestral-battle"):
        assert np.mean([in_key_or_chord(g.score, load_style(name)) for g in generated[name]]) >= SCALE_MIN, name


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


def test_a_wrong_note_lowers_the_key_or_chord_share_and_a_chord_tone_does_not():
    from dataclasses import replace

    from gekiban.score import ChordEvent, Note, Part, Score, TempoChange
    from gekiban.theory import Chord, Meter, parse_key

    key = parse_key("C major")
    chords = (ChordEvent(0.0, 4.0, Chord(8)), ChordEvent(4.0, 4.0, Chord(0)))  # Ab (borrowed), then C
    part = Part(role="pad", instrument="piano", program=0, notes=(Note(60, 0, 1), Note(63, 1, 1), Note(68, 2, 1), Note(64, 4, 1)))
    score = Score(meter=Meter(4, 4), key=key, tempo=(TempoChange(0.0, 120.0),), bars=2, chords=chords, parts=(part,))
    assert in_key_or_chord(score, load_style("hopeful")) == 1.0  # Eb and Ab belong to the borrowed chord
    wrong = replace(score, parts=(replace(part, notes=part.notes + (Note(66, 5, 1),)),))  # F# over C
    assert in_key_or_chord(wrong, load_style("hopeful")) == pytest.approx(4 / 5)
