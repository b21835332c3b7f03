"""Learning a style end to end: the file it writes, cues composed in it, what it refuses."""

import pytest

from gekiban.errors import MidiError, StyleError
from gekiban.learn import MARK, analyse_files, learn_style, remove_style
from gekiban.learn.features import distance, mean_features
from gekiban.styles import load_style, style_grooves, style_progressions, user_style_names
from learn_fixtures import BASS_STEPS, KICK_STEPS, SNARE_STEPS, band_folder, band_file, chorale_file


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def band(tmp_path_factory, data):
    folder = band_folder(tmp_path_factory.mktemp("band"), 4)
    return learn_style("my-funk", [folder], folder=data / "styles"), folder


def test_the_style_file_holds_what_was_learned(band):
    learned, _ = band
    style = learned.style
    text = learned.path.read_text(encoding="utf-8")
    assert text.startswith(MARK) and learned.path.name == "my-funk.toml"
    assert style.meters == ("4/4",) and style.tempo[0] <= 100 <= style.tempo[1]
    assert style.modes[0] == "dorian" and style.tonics[0] == "E"
    assert {r.role for r in style.roles} == {"lead", "pad", "bass", "drums"}
    assert style.role("bass").instruments[0] == "slap-bass-1" and style.role("lead").instruments[0] == "saw-lead"
    assert style.role("drums").pattern == "my-funk-groove" and style.harmony.harmonic_rhythm == 1.0
    assert [p.romans for p in style.progressions][0] == ("i7", "IV7", "i7", "v7")
    assert style.melody.cells and style.melody.moves and len(style.melody.moves) == 15
    bass = style.figures[0]
    assert (bass.role, bass.name, style.role("bass").pattern) == ("bass", "my-funk-bass", "my-funk-bass")
    assert [(i, t) for i, t in enumerate(bass.tones) if t not in ".-"] == list(zip(BASS_STEPS, ("b", "8", "b", "7", "5", "8")))
    assert any("i7 IV7 i7 v7" in line for line in learned.summary.lines)


def test_cues_in_the_learned_style_play_its_groove_and_chords(band, data, monkeypatch):
    from gekiban.evaluate.goals import compose_score

    monkeypatch.setenv("GEKIBAN_DATA", str(data))
    assert "my-funk" in user_style_names()
    score, style = compose_score(style="my-funk", seed=4, duration=30)
    assert style.name == "my-funk" and style.tempo[0] <= score.tempo[0].bpm <= style.tempo[1]
    drums = next(p for p in score.parts if p.is_drum)
    bar = score.meter.bar_beats
    mid = [n for n in drums.notes if 4 * bar - 0.1 <= n.start < 5 * bar - 0.1]  # a bar inside the cue (played early or late)
    kicks = sorted({round((n.start - 4 * bar) * 4) for n in mid if n.pitch == 36})
    snares = sorted({round((n.start - 4 * bar) * 4) for n in mid if n.pitch == 38})
    assert set(KICK_STEPS) <= set(kicks) and set(SNARE_STEPS) <= set(snares)
    bass = next(p for p in score.parts if p.role == "bass")
    steps = sorted({round((n.start - 4 * bar) * 4) for n in bass.notes if 4 * bar - 0.1 <= n.start < 5 * bar - 0.1})
    assert steps == list(BASS_STEPS)  # the learned bass line, not a catalogue figure
    romans = {c.roman for c in score.chords}
    assert {"i7", "IV7"} <= romans
    assert "my-funk-groove" in style_grooves(style) and "my-funk-1" in style_progressions(style)


def test_a_learned_lead_keeps_its_rhythm_through_its_cadences(band, data, monkeypatch):
    from gekiban.evaluate.goals import compose_score

    monkeypatch.setenv("GEKIBAN_DATA", str(data))
    score, style = compose_score(style="my-funk", seed=2, duration=40)
    longest = max(o + d for cell in style.melody.cells for o, d in cell)  # the band's lead: eighths and quarters
    lead = next(p for p in score.parts if p.role == "lead")
    last_bar = (score.bars - 1) * score.meter.bar_beats
    held = [n for n in lead.notes if n.duration > longest + 0.05 and n.start < last_bar]
    assert len(held) <= 0.05 * len(lead.notes), held  # no held answer or cadence notes inside the cue


def test_learned_cues_are_closer_to_the_music_than_other_styles(band, data, monkeypatch, tmp_path):
    from gekiban.evaluate.goals import compose_score
    from gekiban.midi import write_midi

    monkeypatch.setenv("GEKIBAN_DATA", str(data))
    held = band_folder(tmp_path / "held", 2)  # not learned from
    target = mean_features(analyse_files([held])[0])

    def cues(style):
        paths = [write_midi(compose_score(style=style, seed=s, duration=30)[0], tmp_path / f"{style}-{s}.mid") for s in (1, 2)]
        return mean_features(analyse_files(paths)[0])

    learned = distance(cues("my-funk"), target)
    for other in ("city-pop", "lofi", "baroque-court"):
        assert learned < distance(cues(other), target)


def test_a_file_that_cannot_be_read_is_skipped_and_named(tmp_path):
    folder = band_folder(tmp_path / "in", 2)
    (folder / "broken.mid").write_bytes(b"MThd\x00\x00")
    learned = learn_style("with-skip", [folder], folder=tmp_path / "styles")
    assert len(learned.skipped) == 1 and "broken.mid" in learned.skipped[0]


def test_no_readable_file_is_refused(tmp_path):
    (tmp_path / "a.mid").write_bytes(b"nonsense")
    with pytest.raises(MidiError, match="no MIDI file could be read.*a.mid"):
        learn_style("nothing", [tmp_path / "a.mid"], folder=tmp_path / "styles")
    assert not (tmp_path / "styles").exists()


def test_too_little_music_is_refused_with_reasons(tmp_path):
    short = band_file(tmp_path / "short.mid", 0, bars=2)
    with pytest.raises(StyleError, match=r"too little music.*2 bars of music \(at least 16"):
        learn_style("short", [short], folder=tmp_path / "styles")
    chorale = chorale_file(tmp_path / "c.mid", bars=20)
    learned = learn_style("hymn", [chorale], folder=tmp_path / "styles")
    assert learned.style.harmony.harmonic_rhythm == 0.25  # a chord a beat


@pytest.mark.parametrize(("name", "why"), [("Lofi", "bad style name"), ("a b", "bad style name"), ("", "bad style name"),
                                           ("lofi", "shipped style")])
def test_bad_names_are_refused(tmp_path, name, why):
    with pytest.raises(StyleError, match=why):
        learn_style(name, [tmp_path], folder=tmp_path / "styles")


def test_a_learned_style_is_replaced_only_when_asked_and_a_foreign_file_never(band, tmp_path):
    _, folder = band
    styles = tmp_path / "styles"
    learn_style("again", [folder], folder=styles)
    with pytest.raises(StyleError, match="--replace"):
        learn_style("again", [folder], folder=styles)
    assert learn_style("again", [folder], folder=styles, replace=True).path.is_file()
    (styles / "mine.toml").write_text("name = 'mine'\n")
    with pytest.raises(StyleError, match="not written by `gekiban style learn`"):
        learn_style("mine", [folder], folder=styles, replace=True)
    with pytest.raises(StyleError, match="not written by"):
        remove_style("mine", folder=styles)
    assert (styles / "mine.toml").read_text() == "name = 'mine'\n"
    assert remove_style("again", folder=styles) == styles / "again.toml" and not (styles / "again.toml").exists()
    with pytest.raises(StyleError, match="no learned style"):
        remove_style("again", folder=styles)


def test_a_learned_style_loads_by_name_only_from_the_data_folder(band, data, monkeypatch, tmp_path):
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path))
    with pytest.raises(StyleError, match="unknown style 'my-funk'"):
        load_style("my-funk")
    monkeypatch.setenv("GEKIBAN_DATA", str(data))
    assert load_style("my-funk").family == "learned"
