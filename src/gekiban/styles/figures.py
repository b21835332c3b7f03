"""The figure catalogue: what the accompanying roles play, read from ``data/figures.toml``.

A style names a figure per role; the figure names its calmer, busier, tense and compound-meter
versions, so a style's idiom changes with the music's energy without any code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from gekiban.errors import StyleError
from gekiban.styles.checks import Reader, data_text, did_you_mean, read_toml
from gekiban.styles.schema import ARTICULATIONS, Figure

#: The roles that play figures, and the words of a figure's ``tones`` cycle.
FIGURE_ROLES = ("pad", "ostinato", "bass")
TOKENS = ("r", "3", "5", "7", "8", "10", "12", "b", "-5", "c", "p", "P", ".", "-")
STEP_WORDS = ("beat", "half", "bar", "chord")
_FIELDS = ("step", "tones", "gate", "accents", "approach", "spread", "low", "length", "swell", "articulation",
           "calm", "busy", "tense", "compound", "description")
_LINKS = ("calm", "busy", "tense", "compound")
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9\-]*")


def _step(value: Any, field: str, ctx: Reader) -> float | str:
    if isinstance(value, str):
        return ctx.choice(value, field, STEP_WORDS)
    return ctx.number(value, field, 1 / 16, 4.0)


def _figure(name: str, role: str, body: Any, ctx: Reader, where_prefix: str = "") -> Figure:
    where = f"[{where_prefix}{role}.{name}]"
    if not _NAME_RE.fullmatch(name):
        raise ctx.error(where, "figure names use lower-case letters, digits and '-'")
    body = ctx.table(body, where)
    ctx.unknown_keys(body, _FIELDS, where)
    for required in ("step", "tones"):
        if required not in body:
            raise ctx.error(f"{where}.{required}", "missing")
    tones = ctx.strings(body["tones"], f"{where}.tones")
    for i, token in enumerate(tones):
        if token not in TOKENS:
            raise ctx.error(f"{where}.tones[{i}]", f"unknown token {token!r} (allowed: {' '.join(TOKENS)})")
    if tones[0] == "-":
        raise ctx.error(f"{where}.tones[0]", "'-' holds the note before, so a cycle cannot begin with it")
    if all(t in (".", "-") for t in tones):
        raise ctx.error(f"{where}.tones", "the cycle plays no note")
    accents = body.get("accents", [])
    if not isinstance(accents, list):
        raise ctx.error(f"{where}.accents", "must be a list of velocity offsets, e.g. [6, -6]")
    return Figure(
        name=name, role=role, step=_step(body["step"], f"{where}.step", ctx), tones=tones,
        gate=ctx.number(body.get("gate", 0.9), f"{where}.gate", 0.1, 1.0),
        accents=tuple(ctx.integer(a, f"{where}.accents[{i}]", -40, 40) for i, a in enumerate(accents)),
        approach=ctx.boolean(body.get("approach", False), f"{where}.approach"),
        spread=ctx.number(body.get("spread", 0.0), f"{where}.spread", 0.0, 0.25),
        low=ctx.boolean(body.get("low", False), f"{where}.low"),
        length=ctx.number(body.get("length", 0.0), f"{where}.length", 0.0, 16.0),
        swell=ctx.boolean(body.get("swell", False), f"{where}.swell"),
        articulation=ctx.choice(body.get("articulation", "normal"), f"{where}.articulation", ARTICULATIONS),
        description=ctx.string(body.get("description", ""), f"{where}.description", empty=True),
        **{link: ctx.string(body.get(link, ""), f"{where}.{link}", empty=True) for link in _LINKS},
    )


def parse_figures(text: str, file: str) -> dict[str, dict[str, Figure]]:
    """Figures by role and name from the text of a figure catalogue.

    Raises
    ------
    StyleError
        ``FILE: FIELD: problem`` for the first field that is wrong.
    """
    ctx = Reader(file)
    return read_figures(read_toml(text, ctx), ctx)


def read_figures(data: dict, ctx: Reader, where_prefix: str = "",
                 known: dict[str, dict[str, Figure]] | None = None) -> dict[str, dict[str, Figure]]:
    """Figures by role and name from a parsed TOML table of ``ROLE.NAME = {...}`` (the
    catalogue, or a style file's own ``[figures.ROLE.NAME]`` tables under ``where_prefix``,
    whose calm, busy, tense and compound figures may also name the ``known`` catalogue's)."""
    ctx.unknown_keys(data, FIGURE_ROLES, where_prefix.rstrip("."))
    out = {role: {name: _figure(name, role, body, ctx, where_prefix)
                  for name, body in ctx.table(data.get(role, {}), f"{where_prefix}{role}").items()}
           for role in FIGURE_ROLES}
    for role, figures in out.items():
        every = {**(known or {}).get(role, {}), **figures}
        for fig in figures.values():
            for link in _LINKS:
                other = getattr(fig, link)
                if other and other not in every:
                    raise ctx.error(f"[{where_prefix}{role}.{fig.name}].{link}",
                                    f"unknown {role} figure {other!r}{did_you_mean(other, every)}")
    return out


@cache
def _catalogue() -> dict[str, dict[str, Figure]]:
    return parse_figures(data_text("data/figures.toml"), "data/figures.toml")


def figures_for(role: str) -> dict[str, Figure]:
    """The shipped figures a ``role`` may play, by name (empty for roles that play no figures)."""
    return dict(_catalogue().get(role, {}))


def catalogue() -> dict[str, dict[str, Figure]]:
    """Every shipped figure, by role and name (fresh dicts)."""
    return {role: dict(figures) for role, figures in _catalogue().items()}


def figure(role: str, name: str, own: Mapping[str, Figure] | None = None) -> Figure:
    """The figure ``name`` of ``role``: a style's ``own`` figure of that name, else the catalogue's.

    Raises
    ------
    StyleError
        If the role has no such figure.
    """
    if own and name in own:
        return own[name]
    figures = _catalogue().get(role, {})
    if name not in figures:
        raise StyleError(f"unknown {role} figure {name!r}{did_you_mean(name, figures)} (see data/figures.toml)")
    return figures[name]
