"""Blends of styles: ``"lofi:0.7+orchestral-battle:0.3"`` read and mixed into one Style."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

from gekiban.errors import StyleError
from gekiban.roles import ROLE_NAMES
from gekiban.styles.catalogue import find_style
from gekiban.styles.grooves import groove_for
from gekiban.styles.progressions import load_progressions, progression_fits
from gekiban.styles.reader import HARMONIC_RHYTHMS
from gekiban.styles.schema import Style


def parse_style_spec(text: str, *, styles: Mapping[str, Style] | None = None) -> list[tuple[Style, float]]:
    """Read ``"lofi"`` or a blend such as ``"lofi:0.7+orchestral-battle:0.3"``.

    Parts are joined by ``+``; each is a style name or path with an optional ``:weight``
    (a positive number; a bare name weighs 1). Weights are normalised to sum to 1 and
    repeated styles merged. Names are looked up in ``styles`` (default: the shipped styles).

    Raises
    ------
    StyleError
        If a part is empty, a weight is not a positive number, or a style is unknown.
    """
    if not isinstance(text, str) or not text.strip():
        raise StyleError("empty style: name a style such as 'lofi' or a blend such as 'lofi:0.7+orchestral-battle:0.3'")
    parts: list[tuple[Style, float]] = []
    for raw in text.split("+"):
        part = raw.strip()
        if not part:
            raise StyleError(f"style blend {text!r} has an empty part: write 'a:0.7+b:0.3'")
        name, weight = part, 1.0
        if ":" in part:
            head, tail = part.rsplit(":", 1)
            if not any(c in tail for c in "/\\"):
                name = head.strip()
                try:
                    weight = float(tail)
                except ValueError:
                    raise StyleError(f"bad weight {tail.strip()!r} for style {name!r} in {text!r}: use a positive number, e.g. {name}:0.5") from None
                if not math.isfinite(weight) or weight <= 0:
                    raise StyleError(f"bad weight {tail.strip()!r} for style {name!r} in {text!r}: weights must be positive numbers")
        style = find_style(name, styles)
        for i, (seen, w) in enumerate(parts):
            if seen is style:
                parts[i] = (seen, w + weight)
                break
        else:
            parts.append((style, weight))
    total = sum(w for _, w in parts)
    return [(s, w / total) for s, w in parts]


def blend(weighted: list[tuple[Style, float]]) -> Style:
    """Mix styles by weight into one Style.

    Numbers (tempo, energy, tension, swing, humanize, reverb, melody density and leap,
    harmonic rhythm) are interpolated by weight; categorical fields (family, meters, modes,
    tonics, form, scale, rhythm, ending) come from the heaviest style. A role is kept when
    the heaviest style has it or a style of weight ≥ 0.3 has it; its instruments and
    pattern come from the heaviest style that has the role (a groove is swapped for its
    alternate when it does not fit the blend's meter). The progression pool is the
    heaviest style's, extended by those of styles of weight ≥ 0.3 that fit its modes; the
    styles' own progressions and grooves (a learned style's) travel with them.

    Raises
    ------
    StyleError
        If the list is empty or a weight is not positive.
    """
    if not weighted:
        raise StyleError("blend needs at least one style")
    for style, w in weighted:
        if not isinstance(w, (int, float)) or isinstance(w, bool) or not math.isfinite(w) or w <= 0:
            raise StyleError(f"bad weight {w!r} for style {style.name!r}: weights must be positive numbers")
    total = sum(w for _, w in weighted)
    items = [(s, w / total) for s, w in weighted]
    if len(items) == 1:
        return items[0][0]
    ranked = sorted(items, key=lambda sw: -sw[1])  # stable: ties keep the given order
    top = ranked[0][0]

    def mix(get) -> float:
        return sum(get(s) * w for s, w in items)

    lo = round(mix(lambda s: s.tempo[0]))
    hi = max(lo, round(mix(lambda s: s.tempo[1])))
    meter = top.meters[0]

    roles = []
    for role in ROLE_NAMES:
        having = [(s, w) for s, w in ranked if s.role(role) is not None]
        if not having or not (top.role(role) is not None or any(w >= 0.3 for _, w in having)):
            continue
        spec = having[0][0].role(role)
        own = {g.name: g for g in having[0][0].grooves}
        if role in ("drums", "percussion") and spec.pattern in own:
            if meter not in own[spec.pattern].meters:
                continue  # a learned groove is for its own meter only
        elif role in ("drums", "percussion"):
            groove = groove_for(spec.pattern, meter)
            if groove is None:
                continue
            spec = replace(spec, pattern=groove.name)
        roles.append(spec)

    catalogue = {**load_progressions(), **{p.name: p for s, _ in ranked for p in s.progressions}}
    pool = list(top.harmony.progressions)
    for s, w in ranked[1:]:
        if w >= 0.3:
            pool += [p for p in s.harmony.progressions if p not in pool and any(progression_fits(catalogue[p], m) for m in top.modes)]
    log_hr = mix(lambda s: math.log2(s.harmony.harmonic_rhythm))
    hr = min(HARMONIC_RHYTHMS, key=lambda h: abs(math.log2(h) - log_hr))

    def union(get) -> tuple[str, ...]:
        out: list[str] = []
        for s, _ in ranked:
            out += [t for t in get(s) if t not in out]
        return tuple(out)

    return replace(
        top,
        name="+".join(s.name for s, _ in items),
        description="Blend of " + ", ".join(f"{round(w * 100)}% {s.name}" for s, w in items),
        tempo=(lo, hi),
        harmony=replace(top.harmony, progressions=tuple(pool), harmonic_rhythm=hr),
        melody=replace(top.melody, density=round(mix(lambda s: s.melody.density), 3), leap=round(mix(lambda s: s.melody.leap), 3)),
        roles=tuple(roles),
        progressions=tuple({p.name: p for s, _ in ranked for p in s.progressions}.values()),
        grooves=tuple({g.name: g for s, _ in ranked for g in s.grooves}.values()),
        figures=tuple({(f.role, f.name): f for s, _ in ranked for f in s.figures}.values()),
        tags=union(lambda s: s.tags),
        tags_ja=union(lambda s: s.tags_ja),
        energy=round(mix(lambda s: s.energy), 3),
        tension=round(mix(lambda s: s.tension), 3),
        swing=round(mix(lambda s: s.swing), 3),
        humanize=round(mix(lambda s: s.humanize), 3),
        reverb=round(mix(lambda s: s.reverb), 3),
    )


def resolve_style(spec: str, *, styles: Mapping[str, Style] | None = None) -> tuple[str, Style, tuple[tuple[str, float], ...]]:
    """Resolve a style name or blend (``"lofi:0.7+orchestral-battle:0.3"``).

    Parameters
    ----------
    spec
        A style name, a style file's path, or a blend of them with weights.
    styles
        The styles names are looked up in (default: the shipped styles).

    Returns
    -------
    tuple
        The normalised spec (the name for one style), the :class:`Style` (blended for several)
        and the ``(name, weight)`` parts of a blend, weights summing to 1 (empty for one style).

    Raises
    ------
    StyleError
        If a name is unknown or the spec cannot be read.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise StyleError(f"bad style {spec!r}: give a style name (see `gekiban styles`) or a blend like 'lofi:0.7+chiptune:0.3'")
    parts = parse_style_spec(spec.strip(), styles=styles)
    total = sum(w for _, w in parts) or 1.0
    blend_parts = tuple((s.name, round(w / total, 4)) for s, w in parts)
    # The spec is kept as given (whitespace trimmed) when it names a file or a blend, so that
    # parse_style_spec(brief.style) finds the same style again; a shipped name is normalised.
    text = "+".join(p.strip() for p in spec.strip().split("+"))
    if len(parts) == 1:
        single = parts[0][0]
        return (text if any(c in text for c in "/\\") or text.endswith(".toml") else single.name), single, ()
    return text, blend(parts), blend_parts
