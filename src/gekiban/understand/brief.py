"""The Brief: everything the composer needs to know about a cue, with where each value came from.

A :class:`Brief` is made by :func:`gekiban.understand.resolve.resolve_brief` from a prompt and
options (explicit options always win) and carries, for every field, an :class:`Evidence`: the
source of the value and the text that set it. ``gekiban explain`` prints them and ``track.json``
records them; no code reads meaning back out of the text, only out of ``source``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gekiban.theory import Key, Meter

#: Where a value may come from: an explicit option, the prompt, a MIDI seed file, the style's
#: defaults, a built-in default, a random draw, an edit of a bundle, or a bundle written before
#: sources were recorded.
SOURCES = ("option", "prompt", "midi", "style", "default", "random", "edit", "recorded")
#: Sources that mean nothing the user said set the value.
DEFAULT_SOURCES = frozenset({"style", "default", "random"})
#: Energy levels of a Brief by upper bound: below 0.4 low, below 0.7 mid, else high.
ENERGY_LEVELS = (("low", 0.4), ("mid", 0.7), ("high", 1.01))


def energy_level(energy: float) -> str:
    """The level of a ``Brief.energy`` value: below 0.4 ``"low"``, below 0.7 ``"mid"``, else ``"high"``."""
    for name, upper in ENERGY_LEVELS:
        if energy < upper:
            return name
    return "high"


@dataclass(frozen=True)
class Evidence:
    """Why a field of the Brief has its value.

    ``source`` is one of :data:`SOURCES`; ``text`` says it in words, quoting what set it
    (``"prompt: 'at 140 bpm'"``, ``"option tempo '140'"``, ``"style lofi default range 70–90 at
    energy 0.35"``).
    """

    source: str
    text: str

    @property
    def is_default(self) -> bool:
        """True when neither the options nor the prompt (nor a seed file) set the value."""
        return self.source in DEFAULT_SOURCES

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class StyleMatch:
    """How close the prompt came to one style: its score, and the closest of the style's
    sentences (with its cosine similarity) and the keywords that matched."""

    name: str
    score: float
    similarity: float = 0.0
    sentence: str = ""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Brief:
    """A fully resolved request: every field has a value.

    ``style`` is a style name, or for a blend the normalised spec (``"lofi:0.7+chiptune:0.3"``)
    whose parts are also in ``style_blend``. ``tempo_exact`` is true when the tempo was asked for
    (by an option or the prompt) and must be kept; otherwise the composer may fit it to the
    length. ``instruments`` is empty when the style's own palette is used; when not empty it
    replaces that palette. ``exclude`` holds role names and/or instrument ids the user asked to
    leave out ("no drums", "without piano"). ``chords`` is a progression the user asked for
    (chord symbols such as ``"Am"`` or Roman numerals such as ``"IV△7"``), played by every
    section; ``motif`` is a melody seed as (onset in beats, length in beats, MIDI pitch) that
    becomes the main motif. ``arc`` holds (seconds, intensity 0-1, tension 0-1) points that shape
    the energy along the cue; ``hits`` the times in seconds where a section downbeat with an
    accent must fall; ``ending`` is one of ring, fade, button, loop; ``cue`` a short cue type
    (stinger, eyecatch, preview, bumper) or empty. ``evidence`` holds ``(field, Evidence)``
    pairs (besides the fields: ``genre``, ``dance``, ``setting``, ``ensemble`` and ``groove`` say
    where each element the prompt named went, ``key_conflict`` that the named chords contradict
    the named key); ``neighbours`` the closest styles to the prompt, best first; ``gloss`` the English
    reading of a Japanese prompt; ``leitmotifs`` the named themes of the motif library the
    cue is built from, as (name, notes) pairs with notes as in ``motif`` (the first is the main
    theme; see :mod:`gekiban.composer.leitmotif`).
    """

    prompt: str
    style: str
    mood: str
    energy: float
    tension: float
    tempo: float
    key: Key
    meter: Meter
    duration: float
    instruments: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    loop: bool = False
    seed: int = 0
    tempo_exact: bool = False
    evidence: tuple[tuple[str, Evidence], ...] = ()
    style_blend: tuple[tuple[str, float], ...] = ()
    chords: tuple[str, ...] = ()
    motif: tuple[tuple[float, float, int], ...] = ()
    arc: tuple[tuple[float, float, float], ...] = ()
    hits: tuple[float, ...] = ()
    ending: str = "ring"
    cue: str = ""
    neighbours: tuple[StyleMatch, ...] = ()
    gloss: str = ""
    leitmotifs: tuple[tuple[str, tuple[tuple[float, float, int], ...]], ...] = ()

    def why(self, field: str) -> Evidence | None:
        """The evidence for ``field`` (``"tempo"``, ``"key"`` ...), or None when none was kept."""
        return next((ev for name, ev in self.evidence if name == field), None)

    def with_evidence(self, field: str, evidence: Evidence) -> tuple[tuple[str, Evidence], ...]:
        """The evidence pairs with ``field`` set to ``evidence`` (for :func:`dataclasses.replace`)."""
        if self.why(field) is None:
            return self.evidence + ((field, evidence),)
        return tuple((name, evidence if name == field else ev) for name, ev in self.evidence)
