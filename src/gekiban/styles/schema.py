"""The schema of a style: what a named musical style asks of each stage (``data/styles/*.toml``).

This module holds only the frozen value types and the words a style file may use. Reading and
validating the TOML files lives in :mod:`gekiban.styles.reader`; ``docs/styles.md`` documents
the file format a musician edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENDINGS = ("authentic", "plagal", "picardy", "mario", "tonic", "open")
RHYTHMS = ("straight", "dotted", "syncopated", "triplet", "long", "driving", "swing")
FORMS = ("song", "loop", "short", "march")
PROGRESSION_MODES = ("major", "minor", "any")
# The families the shipped styles use (a user's style may name another short word).
FAMILIES = (
    "battle", "chase", "heroic", "dark", "suspense", "horror", "sad", "emotional", "romance",
    "hopeful", "pastoral", "daily", "comedy", "jazz", "lofi", "festival", "japanese", "fantasy",
    "adventure", "scifi", "magical", "idol", "sports", "ending", "opening", "chiptune", "ambient",
    "march", "short",
)


@dataclass(frozen=True)
class RoleSpec:
    """How one role is played in a style.

    ``instruments`` are registry ids, the first the default; ``pattern`` names the figure the
    arranger writes (for drums and percussion: a groove name from ``data/grooves.toml``);
    the role plays only in sections whose energy is at least ``min_energy``.
    """

    role: str
    instruments: tuple[str, ...]
    pattern: str = ""
    min_energy: float = 0.0
    volume: float = 0.8
    pan: float = 0.0
    octave: int = 0


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
    rhythm feel and phrase length in bars."""

    scale: str | None = None
    density: float = 0.5
    leap: float = 0.3
    rhythm: str = "straight"
    phrase_bars: int = 4


@dataclass(frozen=True)
class Style:
    """A named style: tempo, meters, modes, harmony, melody, roles and mix feel.

    ``scenes`` are sentences a sound director would write when the style is the right cue, and
    ``keywords`` / ``keywords_ja`` further words (scored like ``tags``): the prompt reader
    compares a prompt with them. ``default`` marks the style used when a prompt names no scene.
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
