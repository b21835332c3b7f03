"""Reading one style file into a :class:`~gekiban.styles.schema.Style`, checking every field.

Problems raise :class:`~gekiban.errors.StyleError` as ``FILE: FIELD: problem``. The figures a
role may name come from the role table (:mod:`gekiban.roles`), the grooves and progressions from
their catalogues, so a new style file needs no code.
"""

from __future__ import annotations

import re
from typing import Any

from gekiban.errors import GekibanError
from gekiban.instruments import Instrument, get_instrument, registry
from gekiban.roles import ROLE_NAMES, role_of
from gekiban.score import SECTION_KINDS
from gekiban.styles.checks import (
    Reader,
    did_you_mean,
    kind_of,
    read_meter,
    read_mode,
    read_toml,
)
from gekiban.styles.figures import catalogue, figures_for, read_figures
from gekiban.styles.grooves import groove_data, read_grooves
from gekiban.styles.progressions import load_progressions, progression_fits, read_progressions
from gekiban.styles.schema import (
    ARTICULATIONS,
    ENDINGS,
    FAMILIES,
    FORMS,
    MAX_MOVE,
    RHYTHMS,
    SECTION_BARS,
    PHRASE_FORMS,
    RETURNS,
    Figure,
    Groove,
    HarmonySpec,
    MelodySpec,
    Progression,
    RoleSpec,
    Style,
)
from gekiban.theory import SCALES, pitch_class

_STYLE_FIELDS = (
    "name", "description", "family", "tags", "tags_ja", "tempo", "meters", "modes", "tonics",
    "energy", "tension", "swing", "humanize", "reverb", "tonal", "form", "harmony", "melody",
    "roles", "scenes", "keywords", "keywords_ja", "default", "section_bars", "progressions", "grooves", "figures",
)
_HARMONY_FIELDS = ("progressions", "harmonic_rhythm", "ending", "by_section")
_MELODY_FIELDS = ("scale", "density", "leap", "rhythm", "phrase_bars", "phrases", "returns", "cells", "cell_weights",
                  "moves")
_ROLE_FIELDS = ("instruments", "pattern", "calm", "busy", "articulation", "double", "min_energy", "volume", "pan", "octave")
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9\-]*")
#: Bars per chord a style may ask for.
HARMONIC_RHYTHMS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def _parse_role(role: str, body: Any, ctx: Reader, meter: str, grooves: dict[str, Groove],
                own_figures: dict[str, Figure]) -> RoleSpec:
    where = f"roles.{role}"
    body = ctx.table(body, where)
    ctx.unknown_keys(body, _ROLE_FIELDS, where)
    if "instruments" not in body:
        raise ctx.error(f"{where}.instruments", "missing: list one or more instrument ids, e.g. [\"piano\"]")
    names = ctx.strings(body["instruments"], f"{where}.instruments")
    instruments = []
    reg = registry()
    for i, name in enumerate(names):
        field = f"{where}.instruments[{i}]"
        inst = reg.get(name) or _instrument_alias(name)
        if inst is None:
            raise ctx.error(field, f"unknown instrument {name!r}{did_you_mean(name, reg)} (see `gekiban instruments`)")
        instruments.append(inst)
    kinds = {inst.drum for inst in instruments}
    pattern = ctx.string(body.get("pattern", ""), f"{where}.pattern", empty=True)
    variants = {k: ctx.string(body.get(k, ""), f"{where}.{k}", empty=True) for k in ("calm", "busy")}
    spec = role_of(role)
    if spec.grooves:
        if role == "drums" and kinds != {True}:
            raise ctx.error(f"{where}.instruments", "the drums role plays a drum kit: use \"drums\" or \"orchestral-percussion\"")
        if len(kinds) > 1:
            raise ctx.error(f"{where}.instruments", "mixes drum kits and melodic percussion: a groove is written for one kind")
        if not pattern:
            raise ctx.error(f"{where}.pattern", "missing: name a groove from data/grooves.toml")
        for key, name in (("pattern", pattern), *variants.items()):
            if name:
                _check_groove(name, f"{where}.{key}", instruments, meter, ctx, grooves)
    else:
        if True in kinds:
            raise ctx.error(f"{where}.instruments", f"a drum kit cannot play the {role} role: put it in roles.drums or roles.percussion")
        figures = {**figures_for(role), **own_figures}
        if figures:
            pattern = pattern or spec.default_pattern
            for key, name in (("pattern", pattern), *variants.items()):
                if name and name not in figures:
                    raise ctx.error(f"{where}.{key}", f"unknown {role} figure {name!r}{did_you_mean(name, figures)} "
                                    f"(allowed: {', '.join(figures)}; see data/figures.toml)")
        elif pattern or any(variants.values()):
            raise ctx.error(f"{where}.pattern", f"the {role} role takes no pattern (it plays a melodic line)")
    return RoleSpec(
        role=role,
        instruments=tuple(inst.id for inst in instruments),
        pattern=pattern,
        calm=variants["calm"],
        busy=variants["busy"],
        articulation=ctx.choice(body["articulation"], f"{where}.articulation", ARTICULATIONS) if "articulation" in body else "",
        double=ctx.integer(body.get("double", 0), f"{where}.double", -24, 24),
        min_energy=ctx.number(body.get("min_energy", 0.0), f"{where}.min_energy", 0.0, 1.0),
        volume=ctx.number(body.get("volume", 0.8), f"{where}.volume", 0.0, 1.0),
        pan=ctx.number(body.get("pan", 0.0), f"{where}.pan", -1.0, 1.0),
        octave=ctx.integer(body.get("octave", 0), f"{where}.octave", -3, 3),
    )


def _check_groove(name: str, field: str, instruments: list[Instrument], meter: str, ctx: Reader,
                  grooves: dict[str, Groove]) -> None:
    if name not in grooves:
        raise ctx.error(field, f"unknown groove {name!r}{did_you_mean(name, grooves)}")
    groove = grooves[name]
    drum = instruments[0].drum
    if groove.drum != drum:
        want = "a drum-map groove (drum = true)" if drum else "a melodic groove (drum = false) whose keys are pitches"
        raise ctx.error(field, f"groove {name!r} does not suit {instruments[0].id!r}: use {want}")
    if meter not in groove.meters:
        raise ctx.error(field, f"groove {name!r} is for {', '.join(groove.meters)}, but the style's first meter is {meter}")
    if not drum:
        for inst in instruments:
            outside = sorted(k for k in set(groove.lanes) | set(groove.fill) if not inst.low <= k <= inst.high)
            if outside:
                raise ctx.error(field, f"groove {name!r} uses pitches {outside} outside the range of {inst.id} ({inst.low}-{inst.high})")


def _instrument_alias(name: str) -> Instrument | None:
    try:
        return get_instrument(name)
    except GekibanError:
        return None


def _progression_list(value: Any, field: str, modes: tuple[str, ...], ctx: Reader,
                      catalogue: dict[str, Progression]) -> tuple[str, ...]:
    names = ctx.strings(value, field)
    for i, name in enumerate(names):
        if name not in catalogue:
            raise ctx.error(f"{field}[{i}]", f"unknown progression {name!r}{did_you_mean(name, catalogue)} (see data/progressions.toml)")
        if not any(progression_fits(catalogue[name], m) for m in modes):
            raise ctx.error(f"{field}[{i}]", f"progression {name!r} is for {catalogue[name].mode} keys, but the style's modes are {', '.join(modes)}")
    return names


def parse_style(text: str, file: str, stem: str) -> Style:
    ctx = Reader(file)
    data = read_toml(text, ctx)
    ctx.unknown_keys(data, _STYLE_FIELDS, "")
    name = ctx.string(data.get("name", stem), "name")
    if name != stem:
        raise ctx.error("name", f"{name!r} must equal the file name without .toml ({stem!r})")
    if not _NAME_RE.fullmatch(name):
        raise ctx.error("name", f"{name!r}: use lower-case letters, digits and '-'")
    for required in ("description", "family", "tempo", "meters", "modes", "harmony", "roles"):
        if required not in data:
            raise ctx.error(required, "missing (see docs/styles.md)")
    description = ctx.string(data["description"], "description")
    if "\n" in description:
        raise ctx.error("description", "must be one line")
    family = ctx.string(data["family"], "family")
    if not _NAME_RE.fullmatch(family):
        raise ctx.error("family", f"{family!r}: one short lower-case word, e.g. {', '.join(FAMILIES[:4])}")

    tempo_v = data["tempo"]
    if isinstance(tempo_v, int) and not isinstance(tempo_v, bool):
        tempo_v = [tempo_v, tempo_v]
    if not isinstance(tempo_v, list) or len(tempo_v) != 2:
        raise ctx.error("tempo", f"must be [low, high] in BPM, e.g. [90, 120], got {kind_of(tempo_v)}")
    lo = ctx.integer(tempo_v[0], "tempo[0]", 30, 300)
    hi = ctx.integer(tempo_v[1], "tempo[1]", 30, 300)
    if lo > hi:
        raise ctx.error("tempo", f"low {lo} is above high {hi}")

    meters = tuple(read_meter(m, f"meters[{i}]", ctx) for i, m in enumerate(ctx.strings(data["meters"], "meters")))
    modes = tuple(read_mode(m, f"modes[{i}]", ctx) for i, m in enumerate(ctx.strings(data["modes"], "modes")))
    tonics = ctx.strings(data.get("tonics", []), "tonics", empty=True)
    for i, tonic in enumerate(tonics):
        try:
            pitch_class(tonic)
        except GekibanError as exc:
            raise ctx.error(f"tonics[{i}]", str(exc)) from None

    own_progressions, own_grooves, own_figures = _own_catalogues(data, ctx)
    progression_names = {**load_progressions(), **own_progressions}
    groove_names = {**groove_data()[0], **own_grooves}

    harmony_t = ctx.table(data["harmony"], "harmony")
    ctx.unknown_keys(harmony_t, _HARMONY_FIELDS, "harmony")
    if "progressions" not in harmony_t:
        raise ctx.error("harmony.progressions", "missing: list progression names from data/progressions.toml")
    progressions = _progression_list(harmony_t["progressions"], "harmony.progressions", modes, ctx, progression_names)
    by_section = {}
    for kind, pool in ctx.table(harmony_t.get("by_section", {}), "harmony.by_section").items():
        if kind not in SECTION_KINDS:
            raise ctx.error(f"harmony.by_section.{kind}", f"unknown section kind (allowed: {', '.join(SECTION_KINDS)})")
        by_section[kind] = _progression_list(pool, f"harmony.by_section.{kind}", modes, ctx, progression_names)
    hr = ctx.number(harmony_t.get("harmonic_rhythm", 1.0), "harmony.harmonic_rhythm", 0.25, 8.0)
    if hr not in HARMONIC_RHYTHMS:
        raise ctx.error("harmony.harmonic_rhythm", f"{hr:g} bars per chord: use one of {', '.join(f'{h:g}' for h in HARMONIC_RHYTHMS)}")
    harmony = HarmonySpec(
        progressions=progressions, by_section=by_section, harmonic_rhythm=hr,
        ending=ctx.choice(harmony_t.get("ending", "authentic"), "harmony.ending", ENDINGS),
    )

    melody_t = ctx.table(data.get("melody", {}), "melody")
    ctx.unknown_keys(melody_t, _MELODY_FIELDS, "melody")
    scale = None
    if "scale" in melody_t:
        scale = ctx.choice(melody_t["scale"], "melody.scale", tuple(SCALES))
    melody = MelodySpec(
        scale=scale,
        density=ctx.number(melody_t.get("density", 0.5), "melody.density", 0.0, 1.0),
        leap=ctx.number(melody_t.get("leap", 0.3), "melody.leap", 0.0, 1.0),
        rhythm=ctx.choice(melody_t.get("rhythm", "straight"), "melody.rhythm", RHYTHMS),
        phrase_bars=ctx.integer(melody_t.get("phrase_bars", 4), "melody.phrase_bars", 1, 16),
        phrases=ctx.choice(melody_t.get("phrases", "aaba"), "melody.phrases", PHRASE_FORMS),
        returns=ctx.choice(melody_t.get("returns", "cadence"), "melody.returns", RETURNS),
        **_learned_melody(melody_t, ctx),
    )

    roles_t = ctx.table(data["roles"], "roles")
    if not roles_t:
        raise ctx.error("roles", "must define at least one role")
    roles = []
    for role, body in roles_t.items():
        if role not in ROLE_NAMES:
            raise ctx.error(f"roles.{role}", f"unknown role (allowed: {', '.join(ROLE_NAMES)}){did_you_mean(role, ROLE_NAMES)}")
    for role in ROLE_NAMES:  # canonical order
        if role in roles_t:
            roles.append(_parse_role(role, roles_t[role], ctx, meters[0], groove_names, own_figures.get(role, {})))

    return Style(
        name=name, description=description, family=family, tempo=(lo, hi), meters=meters,
        modes=modes, harmony=harmony, melody=melody, roles=tuple(roles),
        tags=ctx.strings(data.get("tags", []), "tags", empty=True),
        tags_ja=ctx.strings(data.get("tags_ja", []), "tags_ja", empty=True),
        tonics=tonics,
        energy=ctx.number(data.get("energy", 0.5), "energy", 0.0, 1.0),
        tension=ctx.number(data.get("tension", 0.3), "tension", 0.0, 1.0),
        swing=ctx.number(data.get("swing", 0.5), "swing", 0.5, 0.75),
        humanize=ctx.number(data.get("humanize", 0.5), "humanize", 0.0, 1.0),
        reverb=ctx.number(data.get("reverb", 0.3), "reverb", 0.0, 1.0),
        tonal=ctx.boolean(data.get("tonal", True), "tonal"),
        form=ctx.choice(data.get("form", "song"), "form", FORMS),
        scenes=ctx.strings(data.get("scenes", []), "scenes", empty=True),
        keywords=ctx.strings(data.get("keywords", []), "keywords", empty=True),
        keywords_ja=ctx.strings(data.get("keywords_ja", []), "keywords_ja", empty=True),
        default=ctx.boolean(data.get("default", False), "default"),
        section_bars=_section_bars(data.get("section_bars", 0), ctx),
        progressions=tuple(own_progressions.values()),
        grooves=tuple(own_grooves.values()),
        figures=tuple(f for figures in own_figures.values() for f in figures.values()),
    )


def _own_catalogues(data: dict[str, Any], ctx: Reader) -> tuple[dict[str, Progression], dict[str, Groove],
                                                                 dict[str, dict[str, Figure]]]:
    """The style's own ``[progressions.NAME]``, ``[grooves.NAME]`` and ``[figures.ROLE.NAME]``
    tables; their names may not shadow the catalogues' (a pool would be ambiguous)."""
    shipped_p, shipped_g, shipped_f = load_progressions(), groove_data()[0], catalogue()
    progressions = read_progressions(ctx.table(data.get("progressions", {}), "progressions"), ctx, "progressions.")
    grooves, _ = read_grooves(ctx.table(data.get("grooves", {}), "grooves"), ctx, "grooves.", known=shipped_g)
    figures = read_figures(ctx.table(data.get("figures", {}), "figures"), ctx, "figures.", known=shipped_f)
    clashes = [("progressions", name, "progression") for name in progressions if name in shipped_p]
    clashes += [("grooves", name, "groove") for name in grooves if name in shipped_g]
    clashes += [(f"figures.{role}", name, f"{role} figure") for role, own in figures.items() for name in own
                if name in shipped_f.get(role, {})]
    if clashes:
        prefix, name, what = clashes[0]
        raise ctx.error(f"{prefix}.{name}", f"{name!r} is the name of a shipped {what}: give yours another name")
    return progressions, grooves, figures


def _section_bars(value: Any, ctx: Reader) -> int:
    bars = ctx.integer(value, "section_bars", 0, 16)
    if bars not in SECTION_BARS:
        raise ctx.error("section_bars", f"{bars} bars: use one of {', '.join(map(str, SECTION_BARS))} (0: by the cue's length)")
    return bars


def _learned_melody(melody_t: dict[str, Any], ctx: Reader) -> dict[str, Any]:
    """``cells``, ``cell_weights`` and ``moves`` of a learned melody (docs/styles.md): cells as
    strings of ``onset:length`` pairs in beats from the pulse ("" is a rest)."""
    out: dict[str, Any] = {}
    if "cells" in melody_t or "cell_weights" in melody_t:
        raw = melody_t.get("cells", [])
        if not isinstance(raw, list) or not raw:
            raise ctx.error("melody.cells", f"must be a list of rhythm cells such as \"0:0.5 0.5:0.5\", got {kind_of(raw)}")
        texts = tuple(ctx.string(t, f"melody.cells[{i}]", empty=True) for i, t in enumerate(raw))
        cells = tuple(_cell(t, f"melody.cells[{i}]", ctx) for i, t in enumerate(texts))
        weights = _weights(melody_t.get("cell_weights"), "melody.cell_weights", len(cells), ctx)
        out.update(cells=cells, cell_weights=weights)
    if "moves" in melody_t:
        out["moves"] = _weights(melody_t["moves"], "melody.moves", 2 * MAX_MOVE + 1, ctx)
    return out


def _cell(text: str, field: str, ctx: Reader) -> tuple[tuple[float, float], ...]:
    notes = []
    for item in text.split():
        try:
            onset, length = (float(x) for x in item.split(":"))
        except ValueError:
            raise ctx.error(field, f"{item!r}: write each note as onset:length in beats, e.g. \"0:0.5 0.5:0.5\"") from None
        if not (0 <= onset < 4 and 0 < length <= 8):
            raise ctx.error(field, f"{item!r}: the onset must lie in 0-4 beats and the length in 0-8 beats")
        notes.append((onset, length))
    if [n[0] for n in notes] != sorted({n[0] for n in notes}):
        raise ctx.error(field, f"{text!r}: onsets must rise")
    return tuple(notes)


def _weights(value: Any, field: str, count: int, ctx: Reader) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != count:
        raise ctx.error(field, f"must be a list of {count} numbers, got {kind_of(value)}")
    weights = tuple(ctx.number(v, f"{field}[{i}]", 0.0, 1e6) for i, v in enumerate(value))
    if count and sum(weights) <= 0:
        raise ctx.error(field, "needs at least one weight above 0")
    return weights
