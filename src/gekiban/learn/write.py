"""A learned style as a style file (TOML, the format of ``docs/styles.md``).

Written by hand because the standard library reads TOML but does not write it, and the file
is small and of one fixed shape; strings go through ``json.dumps``, whose escapes TOML's basic
strings share.
"""

from __future__ import annotations

import json
from typing import Any


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return f"{v:g}" if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"no TOML form for {type(v).__name__}")


def style_text(data: dict[str, Any]) -> str:
    """The style file of a learned style (``data`` as :func:`gekiban.learn.build.build_style_text`
    gathers it)."""
    melody = data["melody"]
    out = [
        f"# Learned by `gekiban style learn`: edit freely (docs/styles.md); `gekiban style learn {data['name']} ... --replace`",
        "# writes it again.",
        f"name = {_value(data['name'])}",
        f"description = {_value(data['description'])}",
        f"family = {_value(data['family'])}",
        f"tags = {_value([data['name'], 'learned'])}",
        f"tempo = {_value(list(data['tempo']))}",
        f"meters = {_value([data['meter']])}",
        f"modes = {_value(data['modes'])}",
        f"tonics = {_value(data['tonics'])}",
        f"energy = {_value(data['energy'])}",
        f"tension = {_value(data['tension'])}",
        f"swing = {_value(data['swing'])}",
        "humanize = 0.4",
        "reverb = 0.35",
        f"section_bars = {_value(data['section_bars'])}",
        "",
        "[harmony]",
        "# a progression listed more than once is chosen that much more often",
        f"progressions = {_value(data['pool'])}",
        f"harmonic_rhythm = {_value(float(data['harmonic_rhythm']))}",
        f"ending = {_value(data['ending'])}",
        "",
        "[melody]",
        *(f"{k} = {_value(melody[k])}" for k in ("density", "leap", "rhythm", "phrase_bars", "returns")),
        "# one-pulse rhythm cells (onset:length in beats; \"\" rests) and how often each was heard",
        f"cells = {_value(melody['cells'])}",
        f"cell_weights = {_value(melody['cell_weights'])}",
        "# scale-step moves from -7 to +7 and how often each was heard",
        f"moves = {_value(melody['moves'])}",
    ]
    for role, spec in data["roles"].items():
        out += ["", f"[roles.{role}]", *(f"{k} = {_value(v)}" for k, v in spec.items())]
    for pname, body in data["progressions"].items():
        out += ["", f"[progressions.{pname}]", f"romans = {_value(body['romans'])}", f"mode = {_value(body['mode'])}"]
    for fname, body in data["figures"].items():
        out += ["", f"[figures.bass.{fname}]", *(f"{k} = {_value(v)}" for k, v in body.items())]
    for gname, body in data["grooves"].items():
        out += ["", f"[grooves.{gname}]", f"steps = {body['steps']}", f"meters = {_value(body['meters'])}",
                f"[grooves.{gname}.lanes]", *(f'"{k}" = {_value(v)}' for k, v in body["lanes"].items())]
    return "\n".join(out) + "\n"
