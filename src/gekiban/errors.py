"""The one exception hierarchy of gekiban.

Every error the package raises on purpose derives from :class:`GekibanError`. Errors caused by
bad input also derive from :class:`ValueError`, so callers that only know the standard library
can still catch them. Messages name the bad value and what is allowed.
"""

from __future__ import annotations


class GekibanError(Exception):
    """Root of every error gekiban raises on purpose."""


class InvalidOptionError(GekibanError, ValueError):
    """An option (key, tempo, meter, duration, instrument, format, ...) has a bad value.

    ``field`` names the option when the code that raised it knows which (a request's checks
    set it; ``None`` otherwise).
    """

    field: str | None = None


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


class NotFoundError(GekibanError, LookupError):
    """A track, job, upload or file asked for by id does not exist."""


class ConflictError(GekibanError):
    """What was asked contradicts the state of the thing it is about (a finished job cancelled)."""


class LimitError(GekibanError):
    """A bound on work in progress is reached (the job queue is full, or a client has too many
    jobs); ``retry_after`` says in how many seconds to try again."""

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CancelledError(GekibanError):
    """A task or job was cancelled before it finished."""
