"""Generate src/gekiban/data/instruments.toml from the GM program list and MUSIC.md ranges.

Run once by hand when the table changes; the TOML file is the shipped, editable source of truth.
"""

from pathlib import Path

GM = """piano bright-acoustic-piano electric-grand-piano honky-tonk-piano electric-piano-1
electric-piano-2 harpsichord clavinet celesta glockenspiel music-box vibraphone marimba xylophone
tubular-bells dulcimer drawbar-organ percussive-organ rock-organ church-organ reed-organ accordion
harmonica tango-accordion nylon-guitar steel-guitar jazz-guitar clean-guitar muted-guitar
overdrive-guitar distortion-guitar guitar-harmonics acoustic-bass finger-bass pick-bass fretless-bass
slap-bass-1 slap-bass-2 synth-bass synth-bass-2 violin viola cello contrabass tremolo-strings
pizzicato-strings harp timpani strings slow-strings synth-strings-1 synth-strings-2 choir
voice-oohs synth-voice orchestra-hit trumpet trombone tuba muted-trumpet french-horn brass-section
synth-brass-1 synth-brass-2 soprano-sax alto-sax tenor-sax baritone-sax oboe english-horn bassoon
clarinet piccolo flute recorder pan-flute blown-bottle shakuhachi whistle ocarina square-lead
saw-lead calliope-lead chiff-lead charang-lead voice-lead fifths-lead bass-lead new-age-pad warm-pad
polysynth-pad choir-pad bowed-pad metallic-pad halo-pad sweep-pad rain-fx soundtrack-fx crystal-fx
atmosphere-fx brightness-fx goblins-fx echoes-fx sci-fi-fx sitar banjo shamisen koto kalimba
bagpipe fiddle shanai tinkle-bell agogo steel-drums woodblock taiko melodic-tom synth-drum
reverse-cymbal guitar-fret-noise breath-noise seashore bird-tweet telephone-ring helicopter applause
gunshot""".split()
assert len(GM) == 128, len(GM)

# id: (full low, full high, comfort low, comfort high, polyphony) — sounding pitch, MUSIC.md §1
RANGES = {
    0: (21, 108, 36, 96, 10), 8: (60, 108, 72, 96, 4), 9: (79, 108, 79, 103, 2), 10: (60, 96, 72, 96, 3),
    11: (53, 89, 55, 86, 4), 12: (36, 96, 45, 91, 4), 13: (65, 108, 65, 100, 2), 14: (60, 77, 60, 77, 2),
    46: (23, 104, 36, 91, 8), 24: (40, 83, 40, 76, 6), 25: (40, 83, 40, 76, 6), 26: (40, 86, 40, 79, 6),
    27: (40, 86, 40, 79, 6), 28: (40, 86, 40, 79, 6), 29: (38, 86, 40, 72, 3), 30: (38, 86, 40, 72, 3),
    32: (28, 67, 28, 55, 1), 33: (28, 67, 28, 55, 1), 34: (28, 67, 28, 55, 1), 35: (28, 67, 28, 55, 1),
    36: (28, 67, 28, 55, 1), 37: (28, 67, 28, 55, 1), 38: (24, 72, 28, 52, 1), 39: (24, 72, 28, 52, 1),
    40: (55, 100, 55, 93, 1), 41: (48, 88, 48, 81, 1), 42: (36, 81, 36, 72, 1), 43: (28, 67, 28, 55, 1),
    44: (28, 96, 36, 91, 6), 45: (28, 96, 36, 91, 6), 48: (28, 96, 36, 91, 6), 49: (28, 96, 36, 91, 6),
    50: (28, 96, 36, 91, 6), 51: (28, 96, 36, 91, 6), 47: (36, 60, 38, 57, 2),
    73: (60, 96, 62, 93, 1), 72: (74, 108, 74, 103, 1), 68: (58, 93, 60, 86, 1), 69: (52, 81, 52, 77, 1),
    71: (50, 94, 50, 86, 1), 70: (34, 76, 36, 67, 1), 60: (35, 77, 41, 72, 1), 56: (52, 84, 55, 79, 1),
    59: (52, 82, 55, 77, 1), 57: (40, 77, 40, 70, 1), 58: (26, 65, 29, 58, 1), 61: (40, 84, 45, 79, 4),
    62: (36, 84, 45, 79, 4), 63: (36, 84, 45, 79, 4),
    52: (40, 84, 48, 79, 4), 53: (40, 84, 48, 79, 4), 54: (40, 84, 48, 79, 4),
    77: (62, 93, 62, 86, 1), 106: (47, 84, 47, 79, 1), 107: (55, 83, 55, 81, 3), 116: (36, 55, 36, 48, 1),
    74: (60, 96, 65, 93, 1), 75: (60, 96, 62, 91, 1), 79: (60, 91, 65, 88, 1), 110: (55, 100, 55, 93, 1),
    64: (56, 88, 58, 84, 1), 65: (49, 81, 51, 77, 1), 66: (44, 76, 46, 72, 1), 67: (36, 69, 38, 65, 1),
    21: (41, 89, 48, 84, 6), 22: (60, 96, 60, 89, 3), 19: (24, 96, 36, 84, 8), 4: (28, 103, 36, 91, 8),
    5: (28, 103, 36, 91, 8), 6: (29, 89, 36, 84, 6), 7: (36, 96, 41, 88, 6), 15: (48, 89, 50, 84, 4),
    104: (48, 77, 48, 74, 3), 105: (48, 79, 48, 74, 3), 108: (55, 84, 60, 81, 3), 55: (36, 84, 48, 79, 6),
}
DEFAULT_BY_FAMILY = {  # family ranges for programs without their own entry
    "keys": (21, 108, 36, 96, 8), "lead": (36, 96, 60, 84, 1), "pad": (36, 84, 48, 79, 6),
    "fx": (36, 96, 48, 84, 4), "other": (36, 96, 48, 84, 4),
}
FAMILIES = ["keys"] * 8 + ["mallets"] * 8 + ["organ"] * 8 + ["guitar"] * 8 + ["bass"] * 8 + \
    ["strings"] * 8 + ["ensemble"] * 8 + ["brass"] * 8 + ["reed"] * 8 + ["pipe"] * 8 + ["lead"] * 8 + \
    ["pad"] * 8 + ["fx"] * 8 + ["ethnic"] * 8 + ["percussive"] * 8 + ["sound-effects"] * 8

ALIASES = {
    0: ["piano", "grand piano", "acoustic piano"], 4: ["electric piano", "rhodes", "ep"],
    8: ["celeste"], 9: ["glock", "bells"], 10: ["musicbox"], 11: ["vibes"], 14: ["chimes", "bell"],
    19: ["organ", "pipe organ"], 21: ["accordion"], 24: ["acoustic guitar", "classical guitar", "guitar"],
    25: ["folk guitar"], 27: ["electric guitar"], 29: ["overdriven guitar"], 30: ["distorted guitar", "rock guitar"],
    32: ["upright bass"], 33: ["bass", "electric bass", "bass guitar"], 35: ["fretless"],
    38: ["synth bass"], 40: ["violin solo"], 42: ["cello solo"], 43: ["double bass"],
    44: ["tremolo"], 45: ["pizzicato", "pizz"], 48: ["string ensemble", "string section"],
    49: ["slow strings"], 50: ["synth strings"], 52: ["choir", "chorus"], 53: ["oohs"],
    55: ["orchestral hit", "orch hit"], 56: ["trumpet"], 60: ["horn", "horns", "french horn"],
    61: ["brass"], 62: ["synth brass"], 65: ["sax", "saxophone"], 71: ["clarinet"], 73: ["flute"],
    72: ["piccolo"], 77: ["shakuhachi"], 80: ["square", "chiptune lead", "square wave"],
    81: ["saw", "sawtooth", "synth lead", "lead synth"], 88: ["new age"], 89: ["pad", "synth pad", "warm pad"],
    94: ["halo"], 106: ["shamisen", "sanshin"], 107: ["koto"], 110: ["fiddle"], 116: ["taiko", "taiko drum"],
    119: ["reverse cymbal"], 47: ["timpani", "timps", "kettle drums"], 46: ["harp"],
}

out = ["# Instruments gekiban can write for: GM program (0-based), sounding ranges (MIDI numbers),",
       "# comfortable range, and the most notes one player sounds at once (1 = monophonic).",
       "# Generated first by tools/make_instruments.py from ../shared/MUSIC.md; edit freely.", ""]
for prog, ident in enumerate(GM):
    fam = FAMILIES[prog]
    lo, hi, clo, chi, poly = RANGES.get(prog, DEFAULT_BY_FAMILY.get(fam, DEFAULT_BY_FAMILY["other"]))
    name = ident.replace("-", " ")
    aliases = ALIASES.get(prog, [])
    out += [f"[{ident}]", f"program = {prog}", f'name = "{name}"', f'family = "{fam}"',
            f"range = [{lo}, {hi}]", f"comfortable = [{clo}, {chi}]", f"polyphony = {poly}",
            "aliases = [" + ", ".join(f'"{a}"' for a in aliases) + "]", ""]
out += ["[drums]", "program = 0", 'name = "drum kit"', 'family = "drums"', "drum = true",
        "range = [27, 87]", "comfortable = [35, 81]", "polyphony = 6",
        'aliases = ["drum kit", "kit", "rock drums", "drumset"]', "",
        "[orchestral-percussion]", "program = 48", 'name = "orchestra kit"', 'family = "drums"', "drum = true",
        "range = [27, 87]", "comfortable = [35, 81]", "polyphony = 6",
        'aliases = ["orchestral drums", "concert percussion"]', ""]
Path("src/gekiban/data/instruments.toml").write_text("\n".join(out), encoding="utf-8")
