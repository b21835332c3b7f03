"""The roles of an ensemble, as one table: every stage that treats roles differently reads it.

A Part's ``role`` is a role name, or for a doubled seat the name with a number (``"pad2"``,
``"lead3"``): :func:`base_role` gives the role it plays. What each role means to the stages:

- ``default_pattern``: the figure (``data/figures.toml``) it plays when a style names none;
  ``grooves``: it plays a groove from ``data/grooves.toml`` instead (drums and percussion). Lead
  and counter play lines and take no figure.
- ``pan`` and ``reverb``: the arrangement's default pan (when the style gives 0) and the
  factor on the style's reverb send.
- ``balance``: loudness in LU relative to the lead while the part plays (the mix balance).
- ``low_end``: the part keeps its low end (no high-pass in the stem chain).
- ``layer``: intensity layer of a bundle (0 the bed, 1 the moving lines, 2 the rhythm).
- ``drive``: how an intensity edit treats it: ``"driving"`` parts come forward as intensity
  rises, ``"sustaining"`` ones step back, ``"line"`` ones keep their level.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """What one role means to each stage (see the module notes)."""

    name: str
    default_pattern: str = ""
    grooves: bool = False
    pan: float = 0.0
    reverb: float = 1.0
    balance: float = -6.0
    low_end: bool = False
    layer: int = 2
    drive: str = "line"


ROLES: tuple[Role, ...] = (
    Role("lead", pan=0.0, reverb=0.9, balance=0.0, layer=1),
    Role("counter", pan=-0.3, reverb=0.9, balance=-3.0, layer=1, drive="sustaining"),
    Role("pad", default_pattern="sustain",
         pan=0.25, reverb=1.2, balance=-3.5, layer=0, drive="sustaining"),
    Role("ostinato", default_pattern="eighths",
         pan=0.35, reverb=0.8, balance=-3.0, layer=1, drive="driving"),
    Role("bass", default_pattern="roots", pan=0.0, reverb=0.2, balance=-2.0, low_end=True, layer=0, drive="driving"),
    Role("drums", grooves=True, pan=0.0, reverb=0.5, balance=-1.5, low_end=True, layer=2, drive="driving"),
    Role("percussion", grooves=True, pan=-0.4, reverb=0.7, balance=-4.0, low_end=True, layer=2, drive="driving"),
)
#: Role names in score order: the order of a style's roles, of the parts and of the stems.
ROLE_NAMES: tuple[str, ...] = tuple(r.name for r in ROLES)
#: A part whose role is not one of :data:`ROLES` (a track of a foreign MIDI file).
OTHER = Role("part")

_BY_NAME = {r.name: r for r in ROLES}


def base_role(seat: str) -> str:
    """The role a seat plays: ``"pad2"`` and ``"pad3"`` are pads."""
    return seat.rstrip("0123456789")


def role_of(seat: str) -> Role:
    """The :class:`Role` of a part's role name (doubled seats included); :data:`OTHER` for
    names that are not roles."""
    return _BY_NAME.get(base_role(seat), OTHER)


def is_role(name: str) -> bool:
    """True when ``name`` is one of the role names (without a seat number)."""
    return name in _BY_NAME
