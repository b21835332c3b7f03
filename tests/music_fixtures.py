"""A small style, progression and groove catalogue built in code for the composition tests."""

import mido

from gekiban.styles.schema import (
    Groove,
    HarmonySpec,
    MelodySpec,
    Progression,
    RoleSpec,
    Style,
)

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


def seed_file(path, *, key_signature=True, chords=True, drums_only=False):
    """A two-track MIDI file: a monophonic melody (C5 D5 E5 G5 | F5 E5 | C5) and block chords
    C G Am F twice, one per bar."""
    mid = mido.MidiFile(ticks_per_beat=480)
    meta = mido.MidiTrack()
    mid.tracks.append(meta)
    meta.append(mido.MetaMessage("time_signature", numerator=4, denominator=4))
    if key_signature:
        meta.append(mido.MetaMessage("key_signature", key="C"))
    mel = mido.MidiTrack()
    mid.tracks.append(mel)
    ch = 9 if drums_only else 0
    t = 0
    for on, d, p in [(0, 1, 72), (1, 1, 74), (2, 1, 76), (3, 1, 79), (4, 2, 77), (6, 2, 76), (8, 4, 72)]:
        mel.append(mido.Message("note_on", note=p, velocity=90, channel=ch, time=int((on - t) * 480)))
        mel.append(mido.Message("note_off", note=p, velocity=0, channel=ch, time=int(d * 480)))
        t = on + d
    if chords and not drums_only:
        tr = mido.MidiTrack()
        mid.tracks.append(tr)
        for c in [(48, 52, 55), (43, 47, 50), (45, 48, 52), (41, 45, 48)] * 2:
            for p in c:
                tr.append(mido.Message("note_on", note=p, velocity=70, channel=1, time=0))
            for k, p in enumerate(c):
                tr.append(mido.Message("note_off", note=p, velocity=0, channel=1, time=1920 if k == 0 else 0))
    mid.save(path)
    return path
