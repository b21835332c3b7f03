"""The Brief as JSON in track.json: it round-trips whole, evidence and closest styles included,
and bundles written before sources were recorded still read."""

import json

from gekiban.bundle.schema import (
    brief_from_dict,
    brief_to_dict,
    evidence_from_dict,
    evidence_to_dict,
    stem_filename,
)
from gekiban.understand.brief import Evidence
from gekiban.understand.resolve import resolve_brief
from gekiban.understand.timing import apply_timing


def test_a_resolved_brief_round_trips_through_json():
    brief = resolve_brief("夏祭りの夜、太鼓と笛で賑やかに, 45 seconds at 132 bpm", seed=4, chords="C G Am F")
    brief = apply_timing(brief, arc=((0.0, 0.2, 0.1), (45.0, 0.9, 0.5)), hits=(20.0,), ending="button")
    data = json.loads(json.dumps({"request": brief_to_dict(brief), "evidence": evidence_to_dict(brief)}, ensure_ascii=False))
    again = brief_from_dict(data["request"], evidence=evidence_from_dict(data["evidence"]))
    assert again == brief
    assert again.tempo_exact and again.neighbours and again.gloss and again.why("tempo").source == "prompt"


def test_evidence_written_as_plain_strings_reads_as_recorded():
    pairs = evidence_from_dict({"tempo": "option tempo '120'", "key": {"source": "style", "text": "style x tonic D"},
                                "broken": 5})
    assert pairs == (("tempo", Evidence("recorded", "option tempo '120'")), ("key", Evidence("style", "style x tonic D")))
    assert evidence_from_dict(None) == ()


def test_stem_file_names_sort_in_score_order():
    assert stem_filename(0, "lead", "french-horn") == "01-lead-french-horn.wav"
    assert stem_filename(11, "pad2", "strings") == "12-pad2-strings.wav"
