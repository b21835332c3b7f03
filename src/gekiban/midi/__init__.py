"""Standard MIDI files from and to a :class:`~gekiban.score.Score` (through ``mido``).

:mod:`~gekiban.midi.write` writes, :mod:`~gekiban.midi.read` reads, :mod:`~gekiban.midi.meta`
carries what MIDI has no event for, and :mod:`~gekiban.midi.events` holds what the writer and the
renderer share (note spans on an integer grid, controller checks).

Layout of a written file (type 1, 480 ticks per quarter note):

* track 0, the conductor: time signature, key signature, tempo map, a marker at each section
  start (text = section name) and one per :class:`~gekiban.score.Marker`, and a
  sequencer-specific meta event (manufacturer id ``0x7D``, non-commercial) holding what MIDI has
  no event for (the mode of the key, the sections, the chords) so that reading the file back
  gives the same Score;
* one track per part, named ``part.name`` (``"lead-french-horn"``): program change, CC7 volume,
  CC10 pan, CC91 reverb send, the part's own controllers, then its notes.

Drum parts play on channel 9 (GM channel 10); the others get 0-15 without 9, one each while
there are at most 15, else parts with the same program share a channel. A note that starts
while the same pitch still sounds on its channel cuts the earlier one short, so every note-on
has exactly one note-off and nothing hangs. Volume, pan and reverb come back quantised to MIDI's
7 bits (as the shortest decimal with the same controller value); everything else comes back exactly (times to 1/480 beat).
"""

from __future__ import annotations

from gekiban.midi.events import DRUM_CHANNEL, PPQ, check_control, note_spans
from gekiban.midi.read import midi_to_score, read_midi
from gekiban.midi.write import score_to_midi, write_midi

__all__ = ["DRUM_CHANNEL", "PPQ", "check_control", "midi_to_score", "note_spans", "read_midi", "score_to_midi", "write_midi"]
