"""`gekiban explain`, and compose's --chords and --from-midi options, on the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gekiban import cli


def test_explain_prints_the_brief_and_evidence_per_field(capsys):
    assert cli.main(["explain", "the hero's last stand in the rain, 2 minutes", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    for field in ("style", "mood", "energy", "tempo", "key", "meter", "duration", "instruments", "chords"):
        assert any(line.startswith(field) for line in out.splitlines()), field
    assert "← prompt: '2 minutes'" in out and "style neighbours:" in out and "similarity" in out


def test_explain_json(capsys):
    assert cli.main(["explain", "切ない別れ、ピアノのみ", "--seed", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["brief"]["instruments"] == ["piano"] and data["brief"]["style"] == "sad-farewell"
    assert data["evidence"]["gloss"]["text"].startswith("Japanese read as:")
    assert data["evidence"]["gloss"]["source"] == "prompt" and data["evidence"]["duration"]["source"] == "default"


def test_explain_empty_prompt_says_which_defaults(capsys):
    assert cli.main(["explain", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "default: empty prompt" in out and "defaults used for: style" in out


def test_explain_options_win(capsys):
    assert cli.main(["explain", "battle at 140 bpm", "--tempo", "90", "--chords", "royal-road", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "90 bpm" in out and "option tempo" in out and "IV△7 V7 iii7 vi" in out


@pytest.mark.parametrize(("args", "shown"), [
    (["explain", "x", "--chords", "Am H7"], "'H7'"),
    (["compose", "x", "--chords", "C Q"], "'Q'"),
    (["compose", "x", "--from-midi", "/no/such/seed.mid"], "seed.mid"),
    (["explain", "battle at 500 bpm"], "500 bpm"),
    (["explain", "bad\x07prompt"], "U+0007"),
    (["explain", "x" * 2001], "2001 characters"),
])
def test_bad_input_is_one_line_naming_the_value(capsys, args, shown):
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("gekiban: error: ") and err.count("\n") == 1 and shown in err


def test_compose_help_lists_the_seed_options():
    r = subprocess.run([sys.executable, "-m", "gekiban.cli", "compose", "--help"], check=False, capture_output=True, text=True, timeout=30)
    assert "--chords" in r.stdout and "--from-midi" in r.stdout


def test_explain_in_a_fresh_process():
    r = subprocess.run([sys.executable, "-m", "gekiban.cli", "explain", "夏祭りの夜", "--seed", "1"],
                       check=False, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "festival" in r.stdout


def test_explain_says_where_each_named_element_went(capsys):
    assert cli.main(["explain", "a sad waltz in a ballroom, lo-fi beat", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line and not line.startswith(" ")}
    assert "meter 3/4" in lines["dance"] and "'waltz'" in lines["dance"]
    assert "'ballroom'" in lines["setting"] and "line-up" in lines["setting"]
    assert "'lo-fi'" in lines["genre"] and "'beat'" in lines["groove"]


def test_explain_reports_a_key_the_chords_contradict(capsys):
    assert cli.main(["explain", "in C major, alternating between Eb and Bb", "--seed", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["brief"]["key"] == {"tonic": 0, "mode": "major"} and data["brief"]["chords"] == ["Eb", "Bb"]
    assert "Eb major" in data["evidence"]["key_conflict"]["text"]
