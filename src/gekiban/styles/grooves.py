"""Drum and percussion grooves: the catalogue in ``data/grooves.toml``, and the groove to
play in a meter the named one was not written for."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from gekiban.errors import StyleError
from gekiban.styles.checks import Reader, data_text, did_you_mean, read_meter, read_toml
from gekiban.styles.schema import Groove

_NAME_RE = re.compile(r"[a-z0-9][a-z0-9\-]*")
_GROOVE_FIELDS = ("steps", "meters", "drum", "description", "lanes", "fill", "alternates", "calm", "busy")
_STEP_CHARS = frozenset("xXg.")


def _parse_lanes(value: Any, field: str, steps: int, drum: bool, ctx: Reader) -> dict[int, str]:
    table = ctx.table(value, field)
    lanes: dict[int, str] = {}
    lo, hi = (27, 87) if drum else (0, 127)
    for key, pattern in table.items():
        lane = f'{field}."{key}"'
        if not key.strip().isdigit():
            raise ctx.error(lane, "lane keys are MIDI key numbers in quotes, e.g. \"36\" = \"x...\"")
        number = int(key)
        if not lo <= number <= hi:
            what = "General MIDI drum key" if drum else "MIDI pitch"
            raise ctx.error(lane, f"key {number} is not a {what} ({lo}-{hi})")
        pattern = ctx.string(pattern, lane)
        if len(pattern) != steps:
            raise ctx.error(lane, f"step string {pattern!r} has {len(pattern)} characters; the groove has steps = {steps}")
        bad = sorted(set(pattern) - _STEP_CHARS)
        if bad:
            raise ctx.error(lane, f"bad characters {''.join(bad)!r} in {pattern!r}: use x (hit), X (accent), g (ghost), . (rest)")
        lanes[number] = pattern
    if not drum:
        for step in range(steps):
            hits = [k for k, p in lanes.items() if p[step] != "."]
            if len(hits) > 1:
                raise ctx.error(field, f"keys {hits} all strike on step {step + 1}: a melodic percussion groove plays one note per step")
    return lanes


def parse_grooves(text: str, file: str) -> tuple[dict[str, Groove], dict[str, dict[str, str]]]:
    ctx = Reader(file)
    return read_grooves(read_toml(text, ctx), ctx)


def read_grooves(data: dict, ctx: Reader, where_prefix: str = "",
                 known: dict[str, Groove] | None = None) -> tuple[dict[str, Groove], dict[str, dict[str, str]]]:
    """Grooves (and their alternates per meter) from a parsed TOML table of ``NAME = {...}``
    (the catalogue file, or a style file's own ``[grooves.NAME]`` tables under ``where_prefix``,
    whose calm, busy and alternate grooves may also name the ``known`` catalogue's)."""
    grooves: dict[str, Groove] = {}
    alternates: dict[str, dict[str, str]] = {}
    for name, body in data.items():
        where = f"[{where_prefix}{name}]"
        if not _NAME_RE.fullmatch(name):
            raise ctx.error(where, "groove names use lower-case letters, digits and '-'")
        body = ctx.table(body, where)
        ctx.unknown_keys(body, _GROOVE_FIELDS, where)
        for required in ("steps", "meters", "lanes"):
            if required not in body:
                raise ctx.error(f"{where}.{required}", "missing")
        steps = ctx.integer(body["steps"], f"{where}.steps", 2, 64)
        meters = tuple(read_meter(m, f"{where}.meters[{i}]", ctx) for i, m in enumerate(ctx.strings(body["meters"], f"{where}.meters")))
        for i, meter in enumerate(meters):
            numerator = int(meter.split("/")[0])
            if steps % numerator:
                raise ctx.error(f"{where}.meters[{i}]", f"steps = {steps} does not divide into the {numerator} beats of {meter}")
        drum = ctx.boolean(body.get("drum", True), f"{where}.drum")
        lanes = _parse_lanes(body["lanes"], f"{where}.lanes", steps, drum, ctx)
        if not lanes:
            raise ctx.error(f"{where}.lanes", "must hold at least one lane")
        fill = _parse_lanes(body["fill"], f"{where}.fill", steps, drum, ctx) if "fill" in body else {}
        desc = ctx.string(body.get("description", ""), f"{where}.description", empty=True)
        alt = ctx.table(body.get("alternates", {}), f"{where}.alternates")
        alternates[name] = {
            read_meter(m, f"{where}.alternates", ctx): ctx.string(g, f"{where}.alternates.{m}") for m, g in alt.items()
        }
        grooves[name] = Groove(name=name, steps=steps, meters=meters, lanes=lanes, fill=fill, drum=drum, description=desc,
                               calm=ctx.string(body.get("calm", ""), f"{where}.calm", empty=True),
                               busy=ctx.string(body.get("busy", ""), f"{where}.busy", empty=True))
    every = {**(known or {}), **grooves}
    for name, groove in grooves.items():
        for link in ("calm", "busy"):
            other = getattr(groove, link)
            if not other:
                continue
            field = f"[{where_prefix}{name}].{link}"
            if other not in every:
                raise ctx.error(field, f"unknown groove {other!r}{did_you_mean(other, every)}")
            if every[other].drum != groove.drum or not set(groove.meters) & set(every[other].meters):
                raise ctx.error(field, f"groove {other!r} must be a {'drum-kit' if groove.drum else 'melodic'} groove "
                                       f"for one of {', '.join(groove.meters)} like {name!r}")
    for name, table in alternates.items():
        for meter, other in table.items():
            field = f"[{where_prefix}{name}].alternates.\"{meter}\""
            if other not in every:
                raise ctx.error(field, f"unknown groove {other!r}{did_you_mean(other, every)}")
            if meter not in every[other].meters:
                raise ctx.error(field, f"groove {other!r} is for {', '.join(every[other].meters)}, not {meter}")
            if every[other].drum != grooves[name].drum:
                raise ctx.error(field, f"groove {other!r} must be a {'drum-kit' if grooves[name].drum else 'melodic'} groove like {name!r}")
    return grooves, alternates


@cache
def groove_data() -> tuple[dict[str, Groove], dict[str, dict[str, str]]]:
    return parse_grooves(data_text("data/grooves.toml"), "data/grooves.toml")


def load_grooves() -> dict[str, Groove]:
    """All shipped drum and percussion grooves by name (from ``data/grooves.toml``).

    Returns
    -------
    dict of str to Groove
        A fresh dict on each call; the Groove values are shared.
    """
    return dict(groove_data()[0])


def groove_for(name: str, meter: str) -> Groove | None:
    """The groove to play for groove ``name`` in a cue of ``meter``.

    Returns the groove itself when it fits the meter, else its declared alternate for that
    meter, else the groove of the same kind (drum map or melodic) in that meter whose hit
    density is closest; None when no groove of that kind exists in that meter.

    Raises
    ------
    StyleError
        If ``name`` is not a known groove or ``meter`` cannot be read.
    """
    grooves, alternates = groove_data()
    if name not in grooves:
        raise StyleError(f"unknown groove {name!r}{did_you_mean(name, grooves)}")
    meter = read_meter(meter, "meter", Reader("groove_for"))
    groove = grooves[name]
    if meter in groove.meters:
        return groove
    alt = alternates[name].get(meter)
    if alt:
        return grooves[alt]
    candidates = [g for g in grooves.values() if meter in g.meters and g.drum == groove.drum]
    if not candidates:
        return None
    target = _density(groove)
    return min(candidates, key=lambda g: (abs(_density(g) - target), g.name))


def _density(groove: Groove) -> float:
    return sum(p.count("x") + p.count("X") for p in groove.lanes.values()) / groove.steps
