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

The Brief itself (:mod:`~gekiban.understand.brief`) is assembled by
:mod:`~gekiban.understand.resolve` from the options (checked in
:mod:`~gekiban.understand.options`), the reading of the prompt
(:mod:`~gekiban.understand.reading`) and the style's choices (:mod:`~gekiban.understand.choices`);
:mod:`~gekiban.understand.timing` folds in arcs, hits, endings and short cue types, and
:mod:`~gekiban.understand.explain` puts the evidence into words.

numpy and the embedding model load on first use.
"""
