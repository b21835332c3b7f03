"""The motif library: named themes in the data folder (``DATA/motifs/*.json``), the small note
syntax they are written in (:mod:`~gekiban.motifs.notation`) and reading one from a MIDI file
(:mod:`~gekiban.motifs.midi`). ``compose --motif NAME`` develops them
(:mod:`gekiban.composer.leitmotif`); ``evaluate --motif NAME`` finds them
(:mod:`gekiban.evaluate.motif`)."""

from gekiban.home import data_home
from gekiban.motifs.midi import motif_from_midi
from gekiban.motifs.notation import format_notes, parse_notes
from gekiban.motifs.store import Motif, MotifLibrary, check_name

__all__ = ["Motif", "MotifLibrary", "check_name", "data_home", "format_notes", "motif_from_midi", "parse_notes"]
