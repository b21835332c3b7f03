"""The instrument registry (gekiban.instruments)."""

import pytest

from gekiban.errors import InvalidOptionError
from gekiban.instruments import get_instrument, registry


def test_every_instrument_is_consistent():
    for inst in registry().values():
        assert 0 <= inst.program <= 127 and inst.polyphony >= 1
        assert inst.low <= inst.comfort_low <= inst.comfort_high <= inst.high, inst.id


@pytest.mark.parametrize(("name", "ident"), [("piano", "piano"), ("French Horn", "french-horn"), ("french_horn", "french-horn"),
                                             ("taiko", "taiko"), ("tremolo", "tremolo-strings")])
def test_names_and_aliases_find_the_instrument(name, ident):
    assert get_instrument(name).id == ident


def test_unknown_names_suggest_close_ones():
    with pytest.raises(InvalidOptionError, match=r"'flutte'.*'flute'"):
        get_instrument("flutte")


def test_fit_moves_by_octaves_into_the_range():
    flute = get_instrument("flute")
    assert flute.fit(36) % 12 == 0 and flute.comfort_low <= flute.fit(36) <= flute.comfort_high
    assert flute.low <= flute.fit(120, comfortable=False) <= flute.high and flute.fit(120, comfortable=False) % 12 == 0
    narrow = get_instrument("glockenspiel")
    assert narrow.fit(20) >= narrow.comfort_low
