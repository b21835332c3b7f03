"""Brief: everything the composer needs to know about the cue, resolved from text and options.

Explicit options always win over what the prompt says; the ``evidence`` map records why each
field has its value (for ``gekiban explain`` and ``track.json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gekiban.theory import Key, Meter


@dataclass(frozen=True)
class Brief:
    """A fully resolved request: every field has a value."""

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
    evidence: dict[str, str] = field(default_factory=dict)
