"""The schema of a style: what a named musical style asks of each stage (``data/styles/*.toml``).

This module holds only the frozen value types and the words a style file may use. Reading and
validating the TOML files lives in :mod:`gekiban.styles.reader`; ``docs/styles.md`` documents
the file format a musician edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENDINGS = ("authentic", "plagal", "picardy", "mario", "tonic", "open")
RHYTHMS = ("straight", "dotted", "syncopated", "triplet", "long", "driving", "swing")
#: How a role's notes are played (docs/styles.md): "normal" keeps the figure's gate.
ARTICULATIONS = ("normal", "legato", "staccato", "marcato", "pizzicato", "tremolo")
#: How a section's phrases are built from its motif: "aaba" a, a′ (the same opening, another
#: cadence), b (contrast), a″; "period" antecedent and consequent in turn; "through" each phrase
#: develops the motif anew.
PHRASE_FORMS = ("aaba", "period", "through")
#: How a returning section (A') restates its melody: "literal" bar for bar, "cadence" bar for bar
#: but its cadence bars re-made, "develop" its motif developed anew.
RETURNS = ("literal", "cadence", "develop")
#: How far a section's energy must lie below (or above) its style's own energy for a role to
#: play its calm (or busy) figure or groove.
ENERGY_MARGIN = 0.15


def energy_band(energy: float, base: float) -> str:
    """``"calm"``, ``"busy"`` or ``""``: the version of its figures a section of ``energy``
    plays in a style whose own energy is ``base``."""
    if energy < base - ENERGY_MARGIN - 1e-9:
        return "calm"
    if energy >= base + ENERGY_MARGIN - 1e-9:
        return "busy"
    return ""
FORMS = ("song", "loop", "short", "march")
#: Bars per statement a style may ask for (``section_bars``; 0: chosen by the cue's length).
SECTION_BARS = (0, 4, 8, 12, 16)
#: Scale-step moves a learned melody's ``moves`` weights cover: -MAX_MOVE..MAX_MOVE.
MAX_MOVE = 7
PROGRESSION_MODES = ("major", "minor", "any")
# The families the shipped styles use (a user's style may name another short word).
FAMILIES = (
    "battle", "chase", "heroic", "dark", "suspense", "horror", "sad", "emotional", "romance",
    "hopeful", "pastoral", "daily", "comedy", "jazz", "lofi", "festival", "japanese", "fantasy",
    "adventure", "scifi", "magical", "idol", "sports", "ending", "opening", "chiptune", "ambient",
    "march", "short", "pop", "western", "sacred", "classical",
)


@dataclass(frozen=True)
class RoleSpec:
    """How one role is played in a style.

    ``instruments`` are registry ids, the first the default; ``pattern`` names the figure the
    arranger writes (a figure from ``data/figures.toml``; for drums and percussion a groove from
    ``data/grooves.toml``), ``calm`` and ``busy`` the ones it plays instead in sections whose
    energy lies :data:`ENERGY_MARGIN` below or above the style's (empty: the figure's own
    calmer and busier versions). ``articulation`` is one of :data:`ARTICULATIONS` ("" keeps the
    figure's); ``double`` adds the part again that many semitones away in its busy sections
    (0: no doubling). The role plays only in sections whose energy is at least ``min_energy``.
    """

    role: str
    instruments: tuple[str, ...]
    pattern: str = ""
    min_energy: float = 0.0
    volume: float = 0.8
    pan: float = 0.0
    octave: int = 0
    calm: str = ""
    busy: str = ""
    articulation: str = ""
    double: int = 0


@dataclass(frozen=True)
class HarmonySpec:
    """Progression pools (names from ``data/progressions.toml``) per section kind."""

    progressions: tuple[str, ...]
    by_section: dict[str, tuple[str, ...]] = field(default_factory=dict)
    harmonic_rhythm: float = 1.0
    ending: str = "authentic"

    def pool(self, kind: str) -> tuple[str, ...]:
        """Progressions for a section kind, falling back to the general pool."""
        return self.by_section.get(kind) or self.progressions


@dataclass(frozen=True)
class MelodySpec:
    """Melodic character: scale (None = the key's mode), density and leap tendencies (0-1),
    rhythm feel, phrase length in bars, how phrases follow each other (:data:`PHRASE_FORMS`) and
    how literally a returning section restates its melody (:data:`RETURNS`).

    A learned style (:mod:`gekiban.learn`) also carries its melodies' own statistics, which
    replace the feel's rhythm cells and the stepwise contour: ``cells`` are one-pulse rhythm
    cells as ``((onset, length), ...)`` in beats from the pulse (an empty cell is a rest) with
    their ``cell_weights``; ``moves`` the weights of scale-step moves from -:data:`MAX_MOVE`
    to +:data:`MAX_MOVE`.
    """

    scale: str | None = None
    density: float = 0.5
    leap: float = 0.3
    rhythm: str = "straight"
    phrase_bars: int = 4
    phrases: str = "aaba"
    returns: str = "cadence"
    cells: tuple[tuple[tuple[float, float], ...], ...] = ()
    cell_weights: tuple[float, ...] = ()
    moves: tuple[float, ...] = ()


@dataclass(frozen=True)
class Style:
    """A named style: tempo, meters, modes, harmony, melody, roles and mix feel.

    ``scenes`` are sentences a sound director would write when the style is the right cue, and
    ``keywords`` / ``keywords_ja`` further words (scored like ``tags``): the prompt reader
    compares a prompt with them. ``default`` marks the style used when a prompt names no scene.
    ``section_bars`` fixes the bars of each statement (0: 8 or 16 by the cue's length).
    ``progressions``, ``grooves`` and ``figures`` are the style's own, beside the catalogues'
    (a learned style's chord progressions, drum pattern and bass line); its pools and roles may
    name both.
    """

    name: str
    description: str
    family: str
    tempo: tuple[int, int]
    meters: tuple[str, ...]
    modes: tuple[str, ...]
    harmony: HarmonySpec
    melody: MelodySpec
    roles: tuple[RoleSpec, ...]
    tags: tuple[str, ...] = ()
    tags_ja: tuple[str, ...] = ()
    tonics: tuple[str, ...] = ()
    energy: float = 0.5
    tension: float = 0.3
    swing: float = 0.5
    humanize: float = 0.5
    reverb: float = 0.3
    tonal: bool = True
    form: str = "song"
    scenes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    keywords_ja: tuple[str, ...] = ()
    default: bool = False
    section_bars: int = 0
    progressions: tuple[Progression, ...] = ()
    grooves: tuple[Groove, ...] = ()
    figures: tuple[Figure, ...] = ()

    def role(self, name: str) -> RoleSpec | None:
        """The spec of role ``name``, or None when the style has no such role."""
        return next((r for r in self.roles if r.role == name), None)


@dataclass(frozen=True)
class Progression:
    """A named chord progression in Roman numerals (read by :func:`gekiban.theory.parse_roman`).

    ``mode`` is ``"major"``, ``"minor"`` or ``"any"``: the key modes it is idiomatic in.
    """

    name: str
    romans: tuple[str, ...]
    mode: str = "any"
    description: str = ""


@dataclass(frozen=True)
class Figure:
    """What an accompanying role plays over the chords (``data/figures.toml`` documents the
    fields): a cycle of ``tones`` tokens, one every ``step`` beats (or a keyword: ``"beat"``,
    ``"half"``, ``"bar"``, ``"chord"``), restarted at each bar line."""

    name: str
    role: str
    step: float | str
    tones: tuple[str, ...]
    gate: float = 0.9
    accents: tuple[int, ...] = ()
    approach: bool = False
    spread: float = 0.0
    low: bool = False
    length: float = 0.0
    swell: bool = False
    articulation: str = "normal"
    calm: str = ""
    busy: str = ""
    tense: str = ""
    compound: str = ""
    description: str = ""


@dataclass(frozen=True)
class Groove:
    """A drum or percussion pattern for one bar.

    ``lanes`` maps a MIDI key (GM drum-map key when ``drum`` is true, else a pitch of the
    melodic percussion instrument) to a step string of ``steps`` characters: ``x`` hit,
    ``X`` accent, ``g`` ghost, ``.`` rest. ``fill`` has the same shape and replaces the
    pattern in the last bar of a phrase.
    """

    name: str
    steps: int
    meters: tuple[str, ...]
    lanes: dict[int, str]
    fill: dict[int, str] = field(default_factory=dict)
    drum: bool = True
    description: str = ""
    calm: str = ""
    busy: str = ""
