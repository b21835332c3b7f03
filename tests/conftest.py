"""Shared fixtures: seeded generators and a small, fixed style library built in code."""

from __future__ import annotations

import sys
import types

import pytest

from gekiban.errors import StyleError
from gekiban.style import HarmonySpec, MelodySpec, RoleSpec, Style


@pytest.fixture
def rng():
    """A seeded numpy Generator (same numbers in every run)."""
    import numpy as np

    return np.random.default_rng(20240601)


def make_style(name: str, **kw) -> Style:
    """A small valid Style; keyword arguments override the defaults."""
    base = dict(
        name=name, description=f"{name} test style", family="scene", tempo=(90, 120), meters=("4/4",),
        modes=("major",), harmony=HarmonySpec(("royal-road",)), melody=MelodySpec(),
        roles=(RoleSpec("lead", ("flute",)), RoleSpec("pad", ("strings",)), RoleSpec("bass", ("acoustic-bass",))),
        tags=(), tags_ja=(), tonics=("C", "G", "D"), energy=0.5, tension=0.3,
    )
    base.update(kw)
    return Style(**base)


FAKE_STYLES = {
    "hopeful": make_style("hopeful", tags=("hopeful", "uplifting", "bright", "morning"), tags_ja=("希望",),
                          tempo=(90, 120), energy=0.5, tension=0.2),
    "orchestral-battle": make_style("orchestral-battle", family="battle", tempo=(140, 175), modes=("minor", "phrygian"),
                                    tags=("battle", "fight", "dramatic", "epic", "war", "boss fight"),
                                    tags_ja=("戦闘", "バトル"), tonics=("D", "E", "C"), energy=0.85, tension=0.7),
    "sad-farewell": make_style("sad-farewell", family="emotional", tempo=(60, 80), modes=("minor", "major"),
                               meters=("4/4", "3/4"), tags=("sad", "farewell", "tears", "goodbye"),
                               tags_ja=("別れ", "切ない", "悲しい"), tonics=("A", "E"), energy=0.25, tension=0.35),
    "lofi": make_style("lofi", family="chill", tempo=(70, 90), modes=("major", "dorian"),
                       tags=("lofi", "lo-fi", "study", "chill", "cafe", "rainy night"), tags_ja=("ローファイ", "カフェ"),
                       energy=0.35, tension=0.2),
    "festival": make_style("festival", family="japanese", tempo=(110, 140), meters=("2/4", "4/4"),
                           tags=("festival", "matsuri", "summer"), tags_ja=("祭", "祭り"), energy=0.75, tension=0.2),
    "stinger": make_style("stinger", family="short", tempo=(100, 140), tags=("stinger", "transition", "hit"),
                          tags_ja=("ブリッジ",), energy=0.7, tension=0.6, form="short"),
}


def _parse_style_spec(spec: str):
    out = []
    for part in spec.split("+"):
        name, _, weight = part.strip().partition(":")
        if name not in FAKE_STYLES:
            raise StyleError(f"unknown style {name!r}: choose one of {', '.join(FAKE_STYLES)}")
        try:
            w = float(weight) if weight else 1.0
        except ValueError:
            raise StyleError(f"bad weight {weight!r} in style {spec!r}") from None
        out.append((FAKE_STYLES[name], w))
    return out


def _blend(parts):
    if len(parts) == 1:
        return parts[0][0]
    total = sum(w for _, w in parts)
    first = max(parts, key=lambda p: p[1])[0]
    mix = lambda f: sum(getattr(s, f) * w for s, w in parts) / total  # noqa: E731
    return make_style("+".join(s.name for s, _ in parts), family=first.family, modes=first.modes,
                      meters=first.meters, tonics=first.tonics,
                      tempo=(round(sum(s.tempo[0] * w for s, w in parts) / total),
                             round(sum(s.tempo[1] * w for s, w in parts) / total)),
                      energy=mix("energy"), tension=mix("tension"))


@pytest.fixture
def fake_styles(monkeypatch):
    """Replace ``gekiban.styles`` with a fixed six-style library (names in ``FAKE_STYLES``)."""
    mod = types.ModuleType("gekiban.styles")
    mod.all_styles = lambda: dict(FAKE_STYLES)
    mod.load_style = lambda name: _parse_style_spec(name)[0][0]
    mod.parse_style_spec = _parse_style_spec
    mod.blend = _blend
    mod.describe_styles = lambda: [(s.name, s.description) for s in FAKE_STYLES.values()]
    monkeypatch.setitem(sys.modules, "gekiban.styles", mod)
    import gekiban

    monkeypatch.setattr(gekiban, "styles", mod, raising=False)
    return FAKE_STYLES
