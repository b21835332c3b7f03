"""Timing requests: times, emotion arcs, arc files, timed section moods, hits, and the compose
options that carry them (bad values are refused with a clear message and write nothing)."""

import json

import pytest
from style_fixtures import fake_brief

from gekiban import cli
from gekiban.errors import InvalidOptionError
from gekiban.understand.timing import (
    ENDINGS,
    MOOD_ALIASES,
    MOODS,
    apply_timing,
    check_arc,
    check_hits,
    cue_defaults,
    cue_types,
    load_arc_file,
    mood_values,
    parse_arc,
    parse_section_moods,
    parse_time,
)

# ----------------------------------------------------------------------------------- times


@pytest.mark.parametrize("text, seconds", [
    ("42.5", 42.5), ("42", 42.0), (" 42.5s ", 42.5), ("0:42.5", 42.5), ("1:20", 80.0), ("12:00", 720.0),
    ("1:02:03", 3723.0), ("0:00", 0.0), (".5", 0.5), (7, 7.0), (7.25, 7.25), ("3秒", 3.0),
])
def test_parse_time_forms(text, seconds):
    assert parse_time(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "abc", "1:7x", "-3", "1:75", "1:02:75", "1:60:00", "0:-5", "1::2", True, float("nan"), -1])
def test_parse_time_rejects_malformed_times_naming_the_value(text):
    with pytest.raises(InvalidOptionError, match="time") as err:
        parse_time(text)
    assert repr(text) in str(err.value) or str(text) in str(err.value)


# ------------------------------------------------------------------------------------ moods


def test_mood_table_has_enough_words_with_japanese_ones():
    assert len(MOODS) >= 25
    for word in ("緊張", "悲しい", "穏やか", "勝利"):
        assert word in MOOD_ALIASES and mood_values(word) == MOODS[MOOD_ALIASES[word]]
    for i, x in MOODS.values():
        assert 0 <= i <= 1 and 0 <= x <= 1
    assert mood_values("tense")[1] > mood_values("calm")[1]
    assert mood_values("triumphant")[0] > mood_values("sad")[0]
    assert mood_values("  Tense ") == mood_values("tense")


def test_unknown_mood_names_the_word_and_the_choices():
    with pytest.raises(InvalidOptionError, match=r"unknown mood 'tens'.*did you mean 'tense'.*calm"):
        mood_values("tens")


# ------------------------------------------------------------------------------------- arcs


def test_parse_arc_spreads_stages_over_the_cue():
    pts = parse_arc("calm>build>climax>resolve", 80)
    times = [t for t, _, _ in pts]
    assert times[0] == 0 and times[-1] == 80 and times == sorted(set(times))
    assert [t for t, _, _ in pts[1:-1]] == [10, 30, 50, 70]  # the middle of each quarter
    inten = [i for _, i, _ in pts[1:-1]]
    assert inten[0] < inten[1] < inten[2] and inten[3] < inten[2]
    assert pts[0][1:] == pts[1][1:] and pts[-1][1:] == pts[-2][1:]
    assert parse_arc("穏やか → 緊張, 勝利", 30)[1][1:] == MOODS["calm"]


@pytest.mark.parametrize("text, shown", [("calm>zzz", "zzz"), ("", "names no stage"), (">>", "names no stage")])
def test_parse_arc_rejects_unknown_or_empty_stages(text, shown):
    with pytest.raises(InvalidOptionError, match=shown):
        parse_arc(text, 60)


def test_check_arc_rules():
    assert check_arc([(0, 0.1, 0.2), (5, 1, 0)], 10) == ((0.0, 0.1, 0.2), (5.0, 1.0, 0.0))
    with pytest.raises(InvalidOptionError, match="time order"):
        check_arc([(5, 0.1, 0.2), (5, 0.5, 0.5)], 10)
    with pytest.raises(InvalidOptionError, match="time order"):
        check_arc([(6, 0.1, 0.2), (5, 0.5, 0.5)], 10)
    with pytest.raises(InvalidOptionError, match="intensity 1.2"):
        check_arc([(1, 1.2, 0.2)], 10)
    with pytest.raises(InvalidOptionError, match="tension -0.1"):
        check_arc([(1, 0.2, -0.1)], 10)
    with pytest.raises(InvalidOptionError, match="outside the cue"):
        check_arc([(11, 0.2, 0.1)], 10)
    with pytest.raises(InvalidOptionError, match="not \\(time, intensity, tension\\)"):
        check_arc([(1, 0.2)], 10)


def write_json(tmp_path, data, name="arc.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_load_arc_file_reads_times_and_fills_tension(tmp_path):
    path = write_json(tmp_path, [{"time": "0:00", "intensity": 0.2, "tension": 0.1}, {"time": "0:45", "intensity": 0.8},
                                 {"time": 70, "intensity": 1, "tension": 0.9}])
    assert load_arc_file(path, 90) == ((0.0, 0.2, 0.1), (45.0, 0.8, 0.1), (70.0, 1.0, 0.9))
    wrapped = write_json(tmp_path, {"points": [{"time": 1, "intensity": 0.5}]}, "wrapped.json")
    assert load_arc_file(wrapped, 10) == ((1.0, 0.5, 0.3),)


@pytest.mark.parametrize("data, shown", [
    ("{not json", "not valid JSON"),
    ([], "non-empty list"),
    ({"time": 1}, "non-empty list"),
    ([{"intensity": 0.5}], "point 1.*\"time\" and \"intensity\""),
    ([{"time": "0:10", "intensity": 0.5}, {"time": "0:05", "intensity": 0.5}], "time order"),
    ([{"time": 5, "intensity": 1.5}], "intensity 1.5"),
    ([{"time": 5, "intensity": "high"}], "intensity 'high' must be a number"),
    ([{"time": 5, "intensity": True}], "intensity True must be a number"),
    ([{"time": "2:00", "intensity": 0.5}], "outside the cue"),
    ([{"time": "1:7x", "intensity": 0.5}], "point 1: time '1:7x'"),
])
def test_load_arc_file_rejects_bad_files_naming_the_file_and_point(tmp_path, data, shown):
    path = write_json(tmp_path, data)
    with pytest.raises(InvalidOptionError, match=shown) as err:
        load_arc_file(path, 90)
    assert "arc file" in str(err.value)


def test_load_arc_file_missing(tmp_path):
    with pytest.raises(InvalidOptionError, match="does not exist"):
        load_arc_file(tmp_path / "nope.json", 60)


# ---------------------------------------------------------------------------- section moods


def intensity_at(points, t):
    """Linear interpolation of the arc, as an engine reading it would."""
    for (t0, i0, _), (t1, i1, _) in zip(points, points[1:]):
        if t0 <= t <= t1:
            return i0 + (i1 - i0) * (t - t0) / (t1 - t0)
    return points[-1][1]


def test_section_moods_make_a_step_shaped_arc():
    pts = parse_section_moods(["0:00=calm", "0:45=緊張", "1:20=triumphant"], 120)
    assert pts[0][0] == 0 and pts[-1][0] == 120
    for t, want in [(0, "calm"), (20, "calm"), (44.9, "calm"), (45, "tense"), (79.9, "tense"), (80, "triumphant"), (119, "triumphant")]:
        assert intensity_at(pts, t) == pytest.approx(MOODS[want][0]), t
    # the first mood also covers the time before it
    late = parse_section_moods(["0:10=sad", "0:20=happy"], 30)
    assert late[0] == (0.0, *MOODS["sad"])


@pytest.mark.parametrize("items, shown", [
    (["calm"], "not TIME=MOOD"),
    (["0:45="], "not TIME=MOOD"),
    (["=calm"], "not TIME=MOOD"),
    (["0:00=calm", "0:45=wibble"], "unknown mood 'wibble'"),
    (["0:00=calm", "2:00=tense"], "at or after the end of the cue"),
    (["0:30=calm", "0:10=tense"], "time order"),
    (["0:10=calm", "0:10=tense"], "time order"),
    (["x=calm"], "time 'x'"),
    ([], "no section moods"),
])
def test_section_moods_reject_bad_values(items, shown):
    with pytest.raises(InvalidOptionError, match=shown):
        parse_section_moods(items, 90)


# ------------------------------------------------------------------------------------ hits


def test_check_hits_sorts_and_parses():
    assert check_hits(["0:42.5", 10, "1:00"], 90) == (10.0, 42.5, 60.0)


@pytest.mark.parametrize("hits, shown", [
    (["1:40"], "hit at 100 s is outside the music"), ([0], "hit at 0 s"), ([90], "hit at 90 s"),
    ([5, "0:05"], "two hits at 5 s"), (["soon"], "time 'soon'"),
])
def test_check_hits_rejects_bad_hits(hits, shown):
    with pytest.raises(InvalidOptionError, match=shown):
        check_hits(hits, 90)


# ----------------------------------------------------------------------- the existing rules


def test_apply_timing_and_cue_defaults_still_hold(fake_styles):
    brief = fake_brief("", style="hopeful", duration=60, seed=1)
    out = apply_timing(brief, arc=parse_arc("calm>climax", 60), hits=(30,), ending="fade", cue=None)
    assert out.ending == "fade" and out.hits == (30.0,) and len(out.arc) == 4 and not out.loop
    assert apply_timing(brief, loop=True).ending == "loop"
    assert set(ENDINGS) == {"ring", "fade", "button", "loop"} and set(cue_types()) == {"stinger", "eyecatch", "preview", "bumper"}
    assert cue_defaults("preview", style=None, duration=None) == (None, 30.0)
    with pytest.raises(InvalidOptionError, match="hit at 61 s"):
        apply_timing(brief, hits=(61,))


# ------------------------------------------------------------------------------- the CLI


@pytest.fixture
def recorded(fake_pipeline):
    """The briefs the command line composes (a stand-in pipeline records them)."""
    return fake_pipeline


def run(args, capsys):
    try:
        code = cli.main(args)
    except SystemExit as exc:  # errors leave through sys.exit(2)
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_compose_folds_timing_options_into_the_brief(tmp_path, capsys, recorded):
    code, out, err = run(["compose", "battle", "--duration", "1:30", "--seed", "3", "-q", "--out", str(tmp_path / "b"),
                          "--section", "0:00=calm", "--section", "0:45=緊張", "--hit", "0:42.5", "--hit", "20",
                          "--ending", "button"], capsys)
    assert code == 0, err
    brief = recorded[0]["brief"]
    assert brief.hits == (20.0, 42.5) and brief.ending == "button"
    assert brief.arc[0] == (0.0, *MOODS["calm"]) and brief.arc[-1] == (90.0, *MOODS["tense"])
    code, _, err = run(["compose", "battle", "--seed", "3", "-q", "--out", str(tmp_path / "c"), "--loop", "--cue", "stinger",
                        "--arc", "calm>climax"], capsys)
    assert code == 0, err
    brief = recorded[1]["brief"]
    assert brief.loop is True and brief.cue == "stinger" and brief.arc[-1][0] == cue_types()["stinger"].duration


@pytest.mark.parametrize("extra, shown", [
    (["--hit", "2:00"], "hit at 120 s is outside the music"),
    (["--hit", "1:7x"], "time '1:7x'"),
    (["--arc", "calm>zzz"], "unknown mood 'zzz'"),
    (["--section", "0:00=calm", "--section", "0:00=tense"], "time order"),
    (["--section", "0:00=wibble"], "unknown mood 'wibble'"),
    (["--section", "0:30"], "not TIME=MOOD"),
    (["--arc-file", "missing.json"], "does not exist"),
    (["--arc", "calm", "--section", "0:00=calm"], "give only one of --arc, --arc-file, --section"),
    (["--ending", "sudden"], "unknown ending 'sudden'"),
    (["--loop", "--ending", "fade"], "contradict"),
    (["--cue", "trailer"], "unknown cue type 'trailer'"),
])
def test_bad_timing_options_exit_2_with_one_line_and_write_nothing(tmp_path, monkeypatch, capsys, recorded, extra, shown):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["compose", "battle", "--duration", "60", "--seed", "1", "--out", str(tmp_path / "b")] + extra, capsys)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("gekiban: error: ") and shown in err
    assert recorded == [] and list(tmp_path.iterdir()) == []


def test_arc_file_points_out_of_order_are_refused(tmp_path, capsys, recorded):
    path = write_json(tmp_path, [{"time": "0:30", "intensity": 0.5}, {"time": "0:10", "intensity": 0.9}])
    code, _, err = run(["compose", "battle", "--duration", "60", "--out", str(tmp_path / "b"), "--arc-file", str(path)], capsys)
    assert code == 2 and "time order" in err and not (tmp_path / "b").exists()
