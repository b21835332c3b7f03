"""A small style, progression and groove catalogue built in code for the composition tests."""

from gekiban.style import Groove, HarmonySpec, MelodySpec, Progression, RoleSpec, Style

PROGRESSIONS = {
    "royal-road": Progression("royal-road", ("IV△7", "V7", "iii7", "vi"), "major"),
    "axis": Progression("axis", ("I", "V", "vi", "IV"), "major"),
    "epic-minor": Progression("epic-minor", ("i", "bVI", "bIII", "bVII"), "minor"),
    "aeolian": Progression("aeolian", ("i", "bVI", "bVII", "i"), "minor"),
}
GROOVES = {
    "rock-8beat": Groove("rock-8beat", 16, ("4/4",), {42: "x.x.x.x.x.x.x.x.", 38: "....x.......x...", 36: "x.......x.x....."},
                         fill={38: "....x...x.xxXXXX", 36: "x.......x......."}),
    "taiko-epic": Groove("taiko-epic", 16, ("4/4",), {41: "X..x..x.X..x..x.", 45: "....x.......x.xx"}, drum=False),
}


def battle_style(**changes) -> Style:
    base = dict(
        name="test-battle", description="test", family="battle", tempo=(140, 170), meters=("4/4",), modes=("minor",),
        harmony=HarmonySpec(("epic-minor", "aeolian")), melody=MelodySpec(density=0.6, leap=0.4, rhythm="driving"),
        roles=(RoleSpec("lead", ("french-horn",)), RoleSpec("counter", ("violin",), min_energy=0.5),
               RoleSpec("pad", ("strings",)), RoleSpec("ostinato", ("strings",), "sixteenths"),
               RoleSpec("bass", ("contrabass",), "eighths"), RoleSpec("drums", ("drums",), "rock-8beat", min_energy=0.3),
               RoleSpec("percussion", ("taiko",), "taiko-epic")),
        energy=0.8, tension=0.6, reverb=0.35,
    )
    base.update(changes)
    return Style(**base)
