"""Edits without recomposing (tempo, key, instruments, mutes, intensity), variations and
extensions of a bundle, and the commands that run them: notes change only as asked, and bad
input exits 2 with one line and writes nothing."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from gekiban import cli
from gekiban.bundle.read import load_bundle
from gekiban.composer import build_score, extend_score
from gekiban.edit.edits import Edits, edit_score, parse_edits
from gekiban.edit.keys import degree_map, transpose_interval
from gekiban.edit.operations import edit_bundle, extend_bundle, vary_bundle
from gekiban.errors import InvalidOptionError
from gekiban.instruments import get_instrument
from gekiban.midi import read_midi
from gekiban.theory import MODES, Key, parse_key


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """An 8 s cue with a hit (so its tempo map is bent) and drums."""
    from gekiban.pipeline import compose

    out = tmp_path_factory.mktemp("src") / "cue"
    track = compose("tense chase", duration=8, seed=5, hits=[5.0])
    track.save(out)
    return track, out


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """An 8 s cue at one tempo: a main section and an outro."""
    from gekiban.pipeline import compose

    out = tmp_path_factory.mktemp("plain") / "cue"
    track = compose("hopeful morning", duration=8, seed=3)
    track.save(out)
    return track, out


def pairs(a, b):
    """Note pairs of two scores with the same parts in the same order (edits keep note order)."""
    assert [p.role for p in a.parts] == [p.role for p in b.parts]
    for pa, pb in zip(a.parts, b.parts):
        assert len(pa.notes) == len(pb.notes)
        yield from ((pa, na, pb, nb) for na, nb in zip(pa.notes, pb.notes))


# ------------------------------------------------------------------------------------ key


def test_transpose_interval_is_the_shortest_way():
    for a in range(12):
        for b in range(12):
            d = transpose_interval(a, b)
            assert -6 <= d <= 5 and (a + d) % 12 == b


def test_degree_map_keeps_scale_degrees():
    for mode in MODES:
        assert degree_map(mode, mode) == tuple(range(12))
    to_minor = degree_map("major", "minor")
    assert [to_minor[r] for r in MODES["major"]] == list(MODES["minor"])
    assert to_minor[6] == 6 and to_minor[1] == 1  # F# and C# keep their alteration from the degree below
    to_dorian = degree_map("minor", "dorian")
    assert to_dorian[8] == 9 and to_dorian[3] == 3


@pytest.mark.parametrize("key", ["F major", "B major", "Eb minor", "G major"])
def test_a_key_edit_moves_every_pitched_note_by_the_interval_asked_and_nothing_else(bundle, key):
    track, _ = bundle
    score = track.score
    new = parse_key(key)
    if new.mode != score.key.mode:
        new = Key(new.tonic, score.key.mode)
    edited = edit_score(score, parse_edits(score, key=new))
    shift = transpose_interval(score.key.tonic, new.tonic)
    assert edited.key == new
    assert (edited.tempo, edited.sections, edited.markers, edited.bars) == (score.tempo, score.sections, score.markers, score.bars)
    moved = 0
    for pa, na, pb, nb in pairs(score, edited):
        assert (nb.start, nb.duration, nb.velocity) == (na.start, na.duration, na.velocity)
        if pa.is_drum:
            assert nb.pitch == na.pitch
            continue
        inst = get_instrument(pb.instrument)
        assert inst.low <= nb.pitch <= inst.high
        assert (nb.pitch - na.pitch - shift) % 12 == 0  # the transposition, or it an octave away to stay playable
        if inst.low <= na.pitch + shift <= inst.high:
            assert nb.pitch == na.pitch + shift
            moved += 1
    assert moved >= 0.9 * sum(len(p.notes) for p in score.parts if not p.is_drum)  # the rest: near an edge of the range
    for ca, cb in zip(score.chords, edited.chords):
        assert (cb.start, cb.duration, cb.roman, cb.chord.quality) == (ca.start, ca.duration, ca.roman, ca.chord.quality)
        assert cb.chord.root == (ca.chord.root + shift) % 12


def test_a_mode_change_maps_scale_degrees(plain):
    track, _ = plain
    score = track.score
    target = Key((score.key.tonic + 7) % 12, "minor" if score.key.mode == "major" else "major")
    edited = edit_score(score, parse_edits(score, key=f"{['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'][target.tonic]} {target.mode}"))
    table = degree_map(score.key.mode, target.mode)
    shift = transpose_interval(score.key.tonic, target.tonic)
    for pa, na, pb, nb in pairs(score, edited):
        if pa.is_drum:
            assert nb == na
            continue
        r = (na.pitch - score.key.tonic) % 12
        assert (nb.pitch - (na.pitch + shift + table[r] - r)) % 12 == 0
        assert (nb.start, nb.duration, nb.velocity) == (na.start, na.duration, na.velocity)
    in_scale = lambda s, p: (p - s.key.tonic) % 12 in MODES[s.key.mode]  # noqa: E731
    before = [in_scale(score, n.pitch) for p in score.parts if not p.is_drum for n in p.notes]
    after = [in_scale(edited, n.pitch) for p in edited.parts if not p.is_drum for n in p.notes]
    assert before == after  # a note in the old scale is in the new one, and only those
    tonic_chords = [(a, b) for a, b in zip(score.chords, edited.chords) if a.chord.root == score.key.tonic and a.chord.quality in ("", "m")]
    for a, b in tonic_chords:
        assert b.chord.root == target.tonic and b.chord.quality == ("m" if target.mode == "minor" else "")


# ---------------------------------------------------------------------------------- tempo


def test_a_tempo_edit_scales_the_tempo_map_and_changes_no_note(bundle):
    track, _ = bundle
    score = track.score
    assert len(score.tempo) > 1  # the hit bent it
    edited = edit_score(score, parse_edits(score, tempo="120"))
    assert edited.parts == score.parts and edited.chords == score.chords and edited.markers == score.markers
    assert edited.tempo[0].bpm == 120
    factor = 120 / score.tempo[0].bpm
    for a, b in zip(score.tempo, edited.tempo):
        assert b.beat == a.beat and b.bpm == pytest.approx(a.bpm * factor, rel=1e-6)
    assert edited.duration == pytest.approx(score.duration / factor, rel=1e-6)


# ------------------------------------------------------------------ instruments, mutes, intensity


def test_an_instrument_swap_changes_program_and_octave_only(plain):
    track, _ = plain
    score = track.score
    edited = edit_score(score, parse_edits(score, instruments=["bass=cello", "lead=tuba"]))
    for pa, na, pb, nb in pairs(score, edited):
        if pa.role in ("bass", "lead"):
            inst = get_instrument("cello" if pa.role == "bass" else "tuba")
            assert (pb.instrument, pb.program) == (inst.id, inst.program)
            assert inst.low <= nb.pitch <= inst.high and (nb.pitch - na.pitch) % 12 == 0
            assert (nb.start, nb.duration, nb.velocity) == (na.start, na.duration, na.velocity)
        else:
            assert (pb, nb) == (pa, na)
    lead_old = score.part("lead").notes
    lead_new = edited.part("lead").notes
    shifts = [b.pitch - a.pitch for a, b in zip(lead_old, lead_new)]
    assert max(set(shifts), key=shifts.count) <= -12  # flute/violin lines go down for a tuba, as a whole
    assert shifts.count(max(set(shifts), key=shifts.count)) > 0.9 * len(shifts)


def test_mute_leaves_the_role_out_and_the_rest_untouched(bundle):
    track, _ = bundle
    score = track.score
    edited = edit_score(score, parse_edits(score, mute=["drums"]))
    assert [p for p in score.parts if p.role != "drums"] == list(edited.parts)


@pytest.mark.parametrize("step", [-2, -1, 1, 2])
def test_intensity_scales_velocities_and_sets_expression(bundle, step):
    track, _ = bundle
    score = track.score
    edited = edit_score(score, parse_edits(score, intensity=f"{step:+d}"))
    for pa, na, pb, nb in pairs(score, edited):
        assert (nb.pitch, nb.start, nb.duration) == (na.pitch, na.start, na.duration)
        assert nb.velocity == max(1, min(127, round(na.velocity * 1.15 ** step)))
    cc = {p.role: [c for c in p.controls if c.number == 11] for p in edited.parts}
    if step < 0:
        assert cc["drums"][0].beat == 0 and cc["drums"][0].value == {-1: 100, -2: 80}[step]
        assert cc["lead"] == [c for c in score.part("lead").controls if c.number == 11]
    else:
        assert cc["drums"] == []
        assert cc["pad"][0].value == {1: 108, 2: 92}[step] or all(
            b.value == round(a.value * {1: 108, 2: 92}[step] / 127)
            for a, b in zip([c for c in score.part("pad").controls if c.number == 11], cc["pad"][-len(score.part("pad").controls):]))


@pytest.mark.parametrize("options, shown", [
    (dict(tempo="fast"), "bad tempo 'fast'"),
    (dict(tempo="500"), "tempo '500' is out of range"),
    (dict(key="H minor"), "unknown key 'H minor'"),
    (dict(key="C lydianish"), "mode 'lydianish'"),
    (dict(instruments=["vocals=flute"]), "no part has role 'vocals'"),
    (dict(instruments=["lead=kazoo9000"]), "unknown instrument 'kazoo9000'"),
    (dict(instruments=["lead"]), "not ROLE=INSTRUMENT"),
    (dict(instruments=["drums=flute"]), "needs a drum kit"),
    (dict(instruments=["lead=drums"]), "needs a pitched instrument"),
    (dict(instruments=["lead=flute", "lead=oboe"]), "two instruments"),
    (dict(mute=["vocals"]), "no part has role 'vocals'"),
    (dict(mute=["lead"], instruments=["lead=flute"]), "both muted and given an instrument"),
    (dict(intensity="3"), "intensity '3'"),
    (dict(intensity="loud"), "intensity 'loud'"),
    (dict(intensity="+1.5"), r"intensity '\+1\.5'"),
])
def test_bad_edits_are_refused_naming_the_value(bundle, options, shown):
    track, _ = bundle
    with pytest.raises(InvalidOptionError, match=shown):
        parse_edits(track.score, **options)


def test_muting_every_part_is_refused(bundle):
    track, _ = bundle
    roles = [p.role for p in track.score.parts]
    with pytest.raises(InvalidOptionError, match="leaves no part"):
        parse_edits(track.score, mute=roles)
    assert parse_edits(track.score).empty and Edits(intensity=1).describe() == ["intensity +1"]


# ------------------------------------------------------------------------- bundle operations


def midi_notes(score):
    return [sorted({(round(n.start * 480), n.pitch, n.velocity) for n in p.notes}) for p in score.parts]


def test_edit_bundle_changes_notes_only_by_the_transposition_asked(bundle, tmp_path):
    track, src = bundle
    out = edit_bundle(src, tmp_path / "edited", tempo="130", key="A minor" if track.score.key.is_minor else "A major").folder
    before, after = read_midi(src / "score.mid"), read_midi(out / "score.mid")
    shift = transpose_interval(before.key.tonic, 9)
    for pa, pb, a, b in zip(before.parts, after.parts, midi_notes(before), midi_notes(after)):
        assert len(a) == len(b)
        for (ta, xa, va), (tb, xb, vb) in zip(a, sorted(b, key=lambda t: (t[0], t[1] - (0 if pa.is_drum else shift)))):
            assert (ta, va) == (tb, vb)
            assert xb == xa if pa.is_drum else (xb - xa - shift) % 12 == 0
    assert after.tempo[0].bpm == 130
    meta = json.loads((out / "track.json").read_text())
    assert meta["origin"]["operation"] == "edit" and meta["origin"]["source"] == str(src.resolve())
    assert meta["origin"]["source_seed"] == 5 and meta["origin"]["edits"][0] == "tempo 130"
    assert meta["brief"]["tempo"] == 130 and meta["request"]["hits"][0] == pytest.approx(5.0 * before.tempo[0].bpm / 130, abs=1e-3)
    assert meta["loudness"]["true_peak_dbtp"] <= -1.0


def test_extension_keeps_the_original_bars_note_for_note(plain, tmp_path):
    track, src = plain
    score, brief, style, meta = load_bundle(src)
    longer = extend_score(score, brief, style, duration=14)
    assert longer.duration == pytest.approx(14, abs=longer.seconds_at(longer.meter.bar_beats))
    out = extend_bundle(src, "0:14", out=tmp_path / "longer").folder
    meta2 = json.loads((out / "track.json").read_text())
    kept = meta2["origin"]["kept_bars"]
    assert kept >= 1 and meta2["origin"]["operation"] == "extend" and meta2["bars"] > score.bars
    cut = kept * score.meter.bar_beats
    original, extended = read_midi(src / "score.mid"), read_midi(out / "score.mid")
    for pa, pb in zip(original.parts, extended.parts):
        assert (pa.role, pa.instrument) == (pb.role, pb.instrument)
        a = sorted((n.start, n.pitch, n.velocity, n.duration) for n in pa.notes if n.start < cut)
        b = sorted((n.start, n.pitch, n.velocity, n.duration) for n in pb.notes if n.start < cut)
        assert [x[:3] for x in a] == [x[:3] for x in b], pa.name
        for x, y in zip(a, b):  # same length, or cut where the original's ending began
            assert y[3] == x[3] or (y[3] < x[3] and x[0] + x[3] > cut - 1e-6), (pa.name, x, y)
    assert extended.chords[: len([c for c in original.chords if c.end <= cut])] == \
        tuple(c for c in original.chords if c.end <= cut)
    assert meta2["brief"]["duration"] == pytest.approx(longer.duration, abs=1e-3)


def test_variations_keep_harmony_and_main_motif(plain, tmp_path):
    track, src = plain
    _, brief, style, meta = load_bundle(src)
    scores = [build_score(brief, style, variation=k) for k in (1, 2)]
    original = track.score
    first = next(s for s in original.sections if s.kind != "intro")
    a = first.start_bar * original.meter.bar_beats
    motif = [n.pitch for n in original.part("lead").notes if a <= n.start < a + 8][:4]
    for s in scores:
        assert s.chords == original.chords and s.sections == original.sections
        line = [n.pitch for n in s.part("lead").notes if a <= n.start < a + 8]
        assert any(line[i:i + len(motif)] == motif for i in range(len(line))), (motif, line)
        assert s.parts != original.parts
    outs = [saved.folder for saved in vary_bundle(src, 1, prefix=tmp_path / "v")]
    assert outs == [tmp_path / "v-1"]
    meta1 = json.loads((outs[0] / "track.json").read_text())
    assert meta1["origin"]["operation"] == "vary" and meta1["origin"]["variation"] == 1
    assert [c["symbol"] for c in meta1["chords"]] == [c.chord.symbol for c in original.chords]


# ------------------------------------------------------------------------------- commands


def run(args, capsys):
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def tree(path):
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


@pytest.mark.parametrize("make_args, shown", [
    (lambda src, t: ["extend", t / "nope", "--to", "4:00"], "does not exist"),
    (lambda src, t: ["extend", t / "empty", "--to", "4:00"], "is not a gekiban bundle"),
    (lambda src, t: ["extend", t / "afile", "--to", "4:00"], "is a file, not a bundle folder"),
    (lambda src, t: ["extend", src, "--to", "0:05"], "is not longer than the cue"),
    (lambda src, t: ["extend", src, "--to", "soon"], "bad duration 'soon'"),
    (lambda src, t: ["extend", src], "the following arguments are required: --to"),
    (lambda src, t: ["edit", src, "--out", t / "e", "--instrument", "vocals=flute"], "no part has role 'vocals'"),
    (lambda src, t: ["edit", src, "--out", t / "e", "--mute", "choir"], "no part has role 'choir'"),
    (lambda src, t: ["edit", src, "--out", t / "e", "--key", "H minor"], "unknown key 'H minor'"),
    (lambda src, t: ["edit", src, "--out", t / "e", "--intensity", "+3"], "intensity '+3'"),
    (lambda src, t: ["edit", src, "--out", t / "e", "--tempo", "0"], "tempo '0'"),
    (lambda src, t: ["edit", src, "--out", t / "e"], "no edit asked"),
    (lambda src, t: ["edit", src, "--tempo", "100"], "the following arguments are required: --out"),
    (lambda src, t: ["edit", t / "empty", "--out", t / "e", "--tempo", "100"], "is not a gekiban bundle"),
    (lambda src, t: ["edit", src, "--out", t / "afile", "--tempo", "100"], "exists and is not a folder"),
    (lambda src, t: ["vary", src, "--count", "0"], "count '0'"),
    (lambda src, t: ["vary", src, "--count", "many"], "count 'many'"),
    (lambda src, t: ["vary", t / "empty"], "is not a gekiban bundle"),
    (lambda src, t: ["edit", src, "--out", src, "--tempo", "100"], "is the source bundle"),
    (lambda src, t: ["extend", src, "--to", "0:30", "--out", src], "is the source bundle"),
])
def test_bad_bundle_commands_exit_2_with_one_line_and_write_nothing(bundle, tmp_path, capsys, make_args, shown):
    _, src = bundle
    work = tmp_path / "work"
    (work / "empty").mkdir(parents=True)
    (work / "afile").write_text("x")
    before_src, before_work = tree(src), tree(work)
    mtimes = {p: p.stat().st_mtime_ns for p in src.rglob("*")}
    code, out, err = run(make_args(src, work), capsys)
    assert code == 2 and out == "", err
    assert len(err.splitlines()) == 1 and err.startswith("gekiban: error: ") and shown in err, err
    assert tree(src) == before_src and tree(work) == before_work
    assert {p: p.stat().st_mtime_ns for p in src.rglob("*")} == mtimes
    assert not Path(str(src) + "-extended").exists() and not Path(str(src) + "-var-1").exists()


def test_edit_and_vary_commands_write_bundles(plain, tmp_path, capsys):
    _, src = plain
    code, out, err = run(["edit", src, "--out", tmp_path / "e", "--tempo", "100", "--key", "E minor", "--instrument",
                          "lead=oboe", "--mute", "drums", "--intensity", "-1", "-q"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == str(tmp_path / "e") and "E minor" in lines[1] and "100 bpm" in lines[1]
    meta = json.loads((tmp_path / "e" / "track.json").read_text())
    assert meta["origin"]["edits"] == ["tempo 100", "key E minor", "instrument lead=oboe", "mute drums", "intensity -1"]
    assert "drums" not in [p["role"] for p in meta["parts"]]
    assert next(p for p in meta["parts"] if p["role"] == "lead")["instrument"] == "oboe"
    code, out, err = run(["vary", src, "--count", "2", "--out", tmp_path / "v", "-q"], capsys)
    assert code == 0, err
    assert [line for line in out.splitlines() if not line.startswith(" ")] == [str(tmp_path / "v-1"), str(tmp_path / "v-2")]
    score, brief, _, meta = load_bundle(tmp_path / "v-2")
    assert meta["origin"]["variation"] == 2 and brief.seed == 3


@pytest.mark.slow
def test_extend_command_on_a_loop_keeps_it_a_loop(tmp_path, capsys):
    from gekiban.audio.analysis import seam_measures
    from gekiban.audio.files import read_audio
    from gekiban.pipeline import compose

    compose("lofi study", duration=8, seed=4, loop=True).save(tmp_path / "loop")
    code, out, err = run(["extend", tmp_path / "loop", "--to", "0:30", "-q"], capsys)
    assert code == 0, err
    longer = tmp_path / "loop-extended"
    meta = json.loads((longer / "track.json").read_text())
    assert meta["loop"]["end"] == read_audio(longer / "mix.wav")[0].shape[0]
    m = seam_measures(read_audio(longer / "mix.wav")[0], 48000)
    assert m["step_ratio"] < 1 and m["flux_ratio"] < 1


def test_rendering_an_edit_uses_the_source_delivery_settings(bundle, tmp_path):
    track, src = bundle
    meta = json.loads((src / "track.json").read_text())
    meta["loudness"]["target_lufs"] = -23.0
    (src / "track.json").write_text(json.dumps(meta))
    try:
        out = edit_bundle(src, tmp_path / "quiet", intensity="+1").folder
        edited = json.loads((out / "track.json").read_text())
        assert edited["loudness"]["integrated_lufs"] == pytest.approx(-23, abs=0.5)
        assert edited["sample_rate"] == meta["sample_rate"]
    finally:
        meta["loudness"]["target_lufs"] = -14.0
        (src / "track.json").write_text(json.dumps(meta))


def test_edits_of_an_edited_bundle_record_the_chain(bundle, tmp_path):
    _, src = bundle
    first = edit_bundle(src, tmp_path / "one", tempo="100").folder
    second = edit_bundle(first, tmp_path / "two", mute=["drums"]).folder
    meta = json.loads((second / "track.json").read_text())
    assert meta["origin"]["source"] == str(first.resolve())
    assert meta["origin"]["source_origin"]["source"] == str(src.resolve())
    score, *_ = load_bundle(second)
    assert score.tempo[0].bpm == 100 and "drums" not in [p.role for p in score.parts]
    assert replace(score.key) == read_midi(src / "score.mid").key
