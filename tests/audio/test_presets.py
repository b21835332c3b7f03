"""Which presets play a part (gekiban.audio.presets) and the CC2 expression of Expr. seats
(gekiban.audio.timeline). Fonts are built in code from the preset maps; the tests at the end
check the maps against the installed fonts themselves (skipped where a font is missing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gekiban.audio import presets
from gekiban.audio.presets import Seat, profile_for, profiles, seat_of, seats
from gekiban.audio.synth import Font, load_font
from gekiban.audio.timeline import (
    BLOCK,
    ORDER_CC,
    ORDER_ON,
    channel_of,
    expression_curve,
    part_events,
)
from gekiban.midi import DRUM_CHANNEL
from gekiban.score import Control, Note, Part, Score, TempoChange
from gekiban.theory import Key, Meter

MUSESCORE_SF3 = Path("/usr/share/sounds/sf3/MuseScore_General_Full.sf3")
MUSESCORE_SF2 = Path("/usr/share/sounds/sf2/MuseScore_General_Full.sf2")
FLUIDR3 = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SECTION_BANKS = (20, 25, 30, 40, 50)
EXPR_SECTION_BANKS = (21, 26, 31, 41, 51)
STRINGS = ("strings", "slow-strings", "tremolo-strings", "pizzicato-strings", "violin", "viola", "cello", "contrabass")
PROGRAMS = {"strings": 48, "slow-strings": 49, "tremolo-strings": 44, "pizzicato-strings": 45, "violin": 40, "viola": 41,
            "cello": 42, "contrabass": 43}


def musescore_like() -> Font:
    """MuseScore General's preset map as MUSIC.md §7 gives it: GM bank 0, Expr. bank 17,
    section banks 20-51 with 44/45/48/49 (Expr. banks without pizzicato), drum kits."""
    p = {(0, n): f"GM {n}" for n in range(128)}
    p |= {(17, n): f"Expr {n}" for n in [*range(16, 24), *range(40, 55), *range(56, 88), *range(89, 104), 110, 111]}
    for bank, expr in zip(SECTION_BANKS, EXPR_SECTION_BANKS):
        p |= {(bank, n): f"section {n}" for n in (44, 45, 48, 49)} | {(expr, n): f"section expr {n}" for n in (44, 48, 49)}
    p |= {(128, n): "kit" for n in (0, 8, 16, 24, 25, 32, 40, 48)}
    return Font(path=Path("musescore.sf3"), name="MuseScore_General_Full.sf3 (MuseScore_General_HQ v0.2.1)", presets=p)


def gm_only() -> Font:
    return Font(path=Path("fluid.sf2"), name="Fluid R3 GM",
                presets={(0, n): f"GM {n}" for n in range(128)} | {(128, 0): "kit", (128, 48): "kit"})


def score_of(*parts: Part, bpm: float = 120.0, bars: int = 4) -> Score:
    return Score(meter=Meter(4, 4), key=Key(0, "minor"), tempo=(TempoChange(0, bpm),), bars=bars, parts=parts)


def long_notes(pitches=(43, 50, 57, 64, 71, 76)) -> tuple[Note, ...]:
    """A held chord per bar, from the basses' to the violins' register (2 s each at 120 bpm)."""
    return tuple(Note(p, 4.0 * bar, 4.0, 70) for bar in range(4) for p in pitches)


def sixteenths(low: int = 55) -> tuple[Note, ...]:
    return tuple(Note(low + (i % 8), i / 4, 0.25, 90) for i in range(64))


# --------------------------------------------------------------------------- the preset map


def test_the_profile_file_is_read_and_checked():
    (ms,) = profiles()
    assert ms.title == "MuseScore General" and ms.expression_bank == 17
    assert [s.bank for s in ms.sections] == list(SECTION_BANKS)
    assert [s.expression_bank for s in ms.sections] == list(EXPR_SECTION_BANKS)
    assert {a.name: a.program for a in ms.articulations} == {"tremolo": 44, "pizzicato": 45, "fast": 48, "slow": 49}
    assert profile_for(musescore_like()) is ms and profile_for(gm_only()) is None


@pytest.mark.parametrize("instrument", STRINGS)
@pytest.mark.parametrize("role", ["pad", "ostinato", "bass", "counter", "lead"])
def test_each_string_part_gets_sections_with_musescore_and_its_program_with_fluidr3(instrument, role):
    part = Part(role, instrument, PROGRAMS[instrument], long_notes())
    score = score_of(part)
    assert seats(part, score, gm_only()) == (Seat(0, PROGRAMS[instrument], label="GM program"),)
    chosen = seats(part, score, musescore_like())
    solo = instrument in ("violin", "viola", "cello", "contrabass") and role in ("lead", "counter")
    if solo:  # a soloist keeps its program; it sustains, so the Expr. copy
        assert chosen == (Seat(17, PROGRAMS[instrument], expression=True, label="Expr. program"),)
        return
    assert all(s.bank in SECTION_BANKS + EXPR_SECTION_BANKS for s in chosen)
    wanted = {"tremolo-strings": 44, "pizzicato-strings": 45}.get(instrument, 49)  # long notes bow slowly
    assert {s.program for s in chosen} == {wanted}
    # held notes sustain: Expr. section banks, except pizzicato, which has none
    assert all(s.expression == (instrument != "pizzicato-strings") for s in chosen)
    if instrument in ("strings", "slow-strings", "tremolo-strings", "pizzicato-strings"):
        assert len(chosen) == 5 and [s.low for s in chosen] == [67, 55, 48, 36, 0]
    else:
        assert len(chosen) == 1


def test_short_notes_bow_fast_without_expression():
    ostinato = Part("ostinato", "strings", 48, sixteenths())
    chosen = seats(ostinato, score_of(ostinato), musescore_like())
    assert [(s.bank, s.program, s.expression) for s in chosen] == [(b, 48, False) for b in SECTION_BANKS]
    slow = Part("ostinato", "slow-strings", 49, sixteenths())  # its articulation is named: slow
    assert {s.program for s in seats(slow, score_of(slow), musescore_like())} == {49}


def test_sustained_winds_brass_and_choir_play_expr_presets_short_ones_their_program():
    for program, instrument in ((73, "flute"), (60, "french-horn"), (52, "choir"), (61, "brass-section")):
        held = Part("lead", instrument, program, long_notes((72,)))
        assert seats(held, score_of(held), musescore_like()) == (Seat(17, program, expression=True, label="Expr. program"),)
        short = Part("lead", instrument, program, sixteenths(60))
        assert seats(short, score_of(short), musescore_like()) == (Seat(0, program, label="GM program"),)
    swell = Part("pad", "warm-pad", 89, sixteenths(60), controls=(Control(0, 11, 40), Control(2, 11, 120)))
    assert seats(swell, score_of(swell), musescore_like())[0].expression  # CC11 swells sustain
    piano = Part("lead", "piano", 0, long_notes((60,)))  # no Expr. copy: its program
    assert seats(piano, score_of(piano), musescore_like()) == (Seat(0, 0, label="GM program"),)


def test_drums_play_their_kit_on_any_font():
    kit = Part("drums", "orchestral-percussion", 48, (Note(36, 0, 1, 100),), is_drum=True)
    for font in (musescore_like(), gm_only()):
        (seat,) = seats(kit, score_of(kit), font)
        assert (seat.bank, seat.program) == (128, 48) and channel_of((seat,), 0) == DRUM_CHANNEL


def test_a_font_without_the_sections_falls_back_to_the_gm_program():
    font = musescore_like()
    lacking = Font(path=font.path, name=font.name, presets={k: v for k, v in font.presets.items() if k[0] not in (30, 31)})
    pad = Part("pad", "strings", 48, long_notes())
    assert seats(pad, score_of(pad), lacking) == (Seat(17, 48, expression=True, label="Expr. program"),)
    bare = Font(path=font.path, name=font.name, presets={(0, n): "GM" for n in range(128)})
    assert seats(pad, score_of(pad), bare) == (Seat(0, 48, label="GM program"),)


def test_an_ensemble_is_divided_between_sections_by_pitch():
    pad = Part("pad", "strings", 48, long_notes())
    chosen = seats(pad, score_of(pad), musescore_like())
    got = {p: chosen[seat_of(chosen, p)].label.split()[0] for p in (28, 35, 36, 47, 48, 54, 55, 66, 67, 100)}
    assert got == {28: "basses", 35: "basses", 36: "celli", 47: "celli", 48: "violas", 54: "violas", 55: "violins-2",
                   66: "violins-2", 67: "violins-1", 100: "violins-1"}
    assert [channel_of(chosen, k) for k in range(5)] == [0, 1, 2, 3, 4]
    many = tuple(Seat(0, 48, low=20 - k) for k in range(12))
    assert DRUM_CHANNEL not in [channel_of(many, k) for k in range(12)]


# --------------------------------------------------------------------------- CC2 expression


def test_expression_follows_velocity_and_cc11_joined_by_lines():
    spans = [(0, 4800, 60, 100, 0), (48000, 52800, 62, 50, 0)]
    flat = expression_curve(spans, [], frames=96000)
    assert flat == [(0, 100), (48000, 50)]  # CC2 = velocity, changing at the onset
    swell = expression_curve(spans[:1], [(0, 127), (9600, 0)], frames=19200)
    values = [v for _, v in swell]
    assert swell[0] == (0, 100) and values == sorted(values, reverse=True) and values[-1] == 1  # never 0
    assert all(s % BLOCK == 0 for s, _ in swell) and len({s for s, _ in swell}) == len(swell)
    late = expression_curve(spans[:1], [(24000, 64)], frames=48000)
    assert late == [(0, 100), (24000, 50)]  # 127 until the first point: no ramp into it


def test_expr_seats_get_cc2_instead_of_cc11_and_other_seats_keep_their_controls():
    controls = (Control(0, 11, 64), Control(0, 64, 127), Control(2, 11, 127))
    part = Part("pad", "strings", 48, long_notes((48, 72)), controls=controls)
    score = score_of(part)
    chosen = seats(part, score, musescore_like())
    events = part_events(score, part, chosen, sample_rate=48000, frames=8 * 48000)
    ccs = {(ch, a) for _, order, ch, _, a, _ in events if order == ORDER_CC}
    used = {ch for _, order, ch, _, _, _ in events if order == ORDER_ON}
    assert used == {0, 2}  # violins I and violas play; the other sections stay silent
    assert ccs == {(0, 2), (0, 64), (2, 2), (2, 64)}  # CC11 became CC2; the pedal stays
    cc2 = [(s, b) for s, order, ch, _, a, b in events if order == ORDER_CC and a == 2 and ch == 0]
    assert cc2[0] == (0, 35) and max(b for _, b in cc2) == 70  # 70 x 64/127, then up to the velocity
    gm = part_events(score, part, seats(part, score, gm_only()), sample_rate=48000, frames=8 * 48000)
    assert {(a, b) for _, order, _, _, a, b in gm if order == ORDER_CC} == {(11, 64), (64, 127), (11, 127)}


def test_note_events_are_the_same_whatever_the_seats():
    part = Part("ostinato", "pizzicato-strings", 45, tuple(Note(40 + 3 * i, i * 0.5, 0.4, 60 + i) for i in range(16)))
    score = score_of(part)

    def notes(font):
        chosen = seats(part, score, font)
        ev = part_events(score, part, chosen, sample_rate=48000, frames=10 * 48000)
        return sorted((s, order, a, b) for s, order, _, _, a, b in ev if order != ORDER_CC)

    assert notes(musescore_like()) == notes(gm_only())


# --------------------------------------------------------------------------- against the installed fonts


@pytest.mark.parametrize("path", [MUSESCORE_SF3, MUSESCORE_SF2])
def test_the_musescore_preset_map_is_the_fonts_own(path):
    if not path.is_file():
        pytest.skip(f"{path} is not installed")
    font = load_font(path)
    (ms,) = profiles()
    assert profile_for(font) is ms and len(font.presets) == 311
    assert font.presets[(20, 49)] == "Violins Slow" and font.presets[(51, 48)] == "Basses Fast Expr."
    for section in ms.sections:  # every preset the profile can choose is there
        for art in ms.articulations:
            assert font.has(section.bank, art.program)
            assert font.has(section.expression_bank, art.program) == art.expression
    assert all(font.presets[(17, n)].endswith("Expr.") for b, n in font.presets if b == 17)


def test_fluidr3_is_played_as_general_midi():
    if not FLUIDR3.is_file():
        pytest.skip("FluidR3 is not installed")
    font = load_font(FLUIDR3)
    assert profile_for(font) is None and font.name == "Fluid R3 GM"
    pad = Part("pad", "strings", 48, long_notes())
    assert seats(pad, score_of(pad), font) == (Seat(0, 48, label="GM program"),)


def test_profiles_are_cached_and_bad_files_are_named(monkeypatch):
    assert presets.profiles() is presets.profiles()
    with pytest.raises(Exception, match="soundfonts.toml"):
        presets._profile("bad", {"title": "x", "inam": "x", "sustain_seconds": 1, "slow_seconds": 1,
                                 "instruments": {"strings": {"sections": ["nowhere"], "articulation": "auto"}}})
