"""The one exception hierarchy of gekiban.

Every error the package raises on purpose derives from :class:`GekibanError`. Errors caused by
bad input also derive from :class:`ValueError`, so callers that only know the standard library
can still catch them. Messages name the bad value and what is allowed.
"""

from __future__ import annotations


class GekibanError(Exception):
    """Root of every error gekiban raises on purpose."""


class InvalidOptionError(GekibanError, ValueError):
    """An option (key, tempo, meter, duration, instrument, format, ...) has a bad value."""


class StyleError(GekibanError, ValueError):
    """A style name is unknown or a style file is malformed."""


class ScoreError(GekibanError, ValueError):
    """A Score or one of its parts breaks an invariant (pitch, time, velocity out of range)."""


class MidiError(GekibanError, ValueError):
    """A MIDI file cannot be read or does not describe a usable score."""


class SoundFontError(GekibanError, FileNotFoundError):
    """No usable General MIDI SoundFont was found."""


class RenderError(GekibanError, RuntimeError):
    """Synthesis or mixing failed, or went past its time or size bound."""


class OutputError(GekibanError, OSError):
    """The output folder cannot be written."""


class BundleError(InvalidOptionError):
    """A folder is not a gekiban bundle, or its files do not agree."""


class EmbeddingModelError(GekibanError, RuntimeError):
    """The sentence-embedding model is missing or its files cannot be read."""
