"""A small, fixed style library built in code, for tests that must not depend on the shipped
style files: pass ``styles=FAKE_STYLES`` to ``resolve_brief`` or ``read_prompt``."""

from __future__ import annotations

from gekiban.styles.schema import HarmonySpec, MelodySpec, RoleSpec, Style
from gekiban.understand.resolve import resolve_brief


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


def fake_brief(prompt: str = "", **options):
    """``resolve_brief`` over :data:`FAKE_STYLES`."""
    return resolve_brief(prompt, styles=FAKE_STYLES, **options)
