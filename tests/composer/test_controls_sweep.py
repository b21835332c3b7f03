"""Controls hold for any mix of inputs: a seeded sweep over styles, meters, lengths, tempi,
keys, instrument lists, endings and hits (no audio)."""

import random

import pytest

from gekiban.composer import build_score
from gekiban.instruments import get_instrument, registry
from gekiban.styles import all_styles, resolve_style
from gekiban.understand.resolve import resolve_brief
from gekiban.understand.timing import apply_timing

METERS = ["4/4", "3/4", "6/8", "7/8", "5/4", "2/4", "12/8", "9/8", "2/2"]


def cases(n=60, seed=2026):
    rnd = random.Random(seed)
    names, insts = sorted(all_styles()), sorted(registry())
    for k in range(n):
        dur = rnd.choice([1, 3, 7, 13, 31, 60, 200])
        yield dict(style=rnd.choice(names), meter=rnd.choice(METERS), duration=dur, seed=k,
                   tempo=rnd.choice([None, 30, 97, 140, 300]), key=rnd.choice([None, "F# minor", "Eb lydian", "A dorian"]),
                   instruments=rnd.sample(insts, rnd.randint(1, 5)) if rnd.random() < 0.4 else None,
                   ending=rnd.choice([None, "ring", "fade", "button", "loop"]),
                   hits=tuple(sorted(rnd.sample([dur * 0.3, dur * 0.55, dur * 0.8], rnd.randint(0, 2)))) if dur >= 30 else ())


@pytest.mark.parametrize("case", list(cases()), ids=lambda c: f"{c['style']}-{c['meter']}-{c['duration']}s")
def test_controls_hold(case):
    timing = {k: case.pop(k) for k in ("ending", "hits")}
    brief = apply_timing(resolve_brief("", **case), **timing)
    score = build_score(brief, resolve_style(brief.style)[1])
    assert str(score.meter) == case["meter"]
    if case["key"]:
        assert score.key.name == case["key"]
    if case["tempo"] and not timing["hits"]:
        assert score.tempo == ((score.tempo[0]),) and score.tempo[0].bpm == case["tempo"]
    bar = score.meter.bar_beats * 60 / score.tempo[0].bpm
    assert score.bars == 1 or abs(score.duration - case["duration"]) <= bar * 1.01
    if case["instruments"]:
        assert {p.instrument for p in score.parts} == {get_instrument(i).id for i in case["instruments"]}
    for p in score.parts:
        inst = get_instrument(p.instrument)
        assert p.is_drum or all(inst.low <= n.pitch <= inst.high for n in p.notes)
