"""Delivery loudness targets (gekiban.audio.targets)."""

from __future__ import annotations

import pytest

from gekiban.audio.targets import parse_loudness
from gekiban.errors import InvalidOptionError


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("stream", -14.0),
        ("EBU", -23.0),
        (" arib ", -24.0),
        ("r128", -23.0),
        ("-16", -16.0),
        ("-16 LUFS", -16.0),
        ("-23.5lkfs", -23.5),
        ("-6", -6.0),
        ("-40 lufs", -40.0),
    ],
)
def test_parse_loudness_words_and_numbers(text: str, value: float) -> None:
    assert parse_loudness(text) == value


@pytest.mark.parametrize("text", ["loud", "", "-5", "-41", "16 dB", "nan", "-1e3", "--14"])
def test_parse_loudness_rejects(text: str) -> None:
    with pytest.raises(InvalidOptionError) as info:
        parse_loudness(text)
    message = str(info.value)
    assert repr(text) in message
    assert "stream" in message and "-40" in message and "-6" in message
