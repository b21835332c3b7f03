"""Prompt understanding: from a sentence about a scene to what the cue needs.

* :mod:`~gekiban.understand.explicit` finds values stated outright (tempo and tempo words,
  key, meter, length, loop) in English and Japanese;
* :mod:`~gekiban.understand.instruments` finds instruments wanted, unwanted or alone (every
  General MIDI name, common English names, Japanese names);
* :mod:`~gekiban.understand.progressions` finds chord progressions (named ones such as the
  Royal Road / 王道進行, chord symbols, Roman numerals) and reads ``--chords``;
* :mod:`~gekiban.understand.japanese` glosses Japanese into English with the shipped lexicon;
* :mod:`~gekiban.understand.semantic` maps the free description to styles and moods by meaning
  (sentence embeddings, :mod:`~gekiban.understand.embed`) combined with keyword evidence;
* :mod:`~gekiban.understand.midi_seed` reads a melody and chord seed from a MIDI file.

Only the standard library is imported here; numpy and the embedding model load on first use.
"""

from __future__ import annotations

ENERGY_LEVELS = (("low", 0.4), ("mid", 0.7), ("high", 1.01))


def energy_level(energy: float) -> str:
    """The level of a ``Brief.energy`` value: below 0.4 ``"low"``, below 0.7 ``"mid"``, else ``"high"``."""
    for name, upper in ENERGY_LEVELS:
        if energy < upper:
            return name
    return "high"


__all__ = ["ENERGY_LEVELS", "energy_level"]
