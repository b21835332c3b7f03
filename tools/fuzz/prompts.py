"""Family 1, the cases: random and adversarial prompts and option values for ``resolve_brief``
(keyword reading, and a slice with the embedding model) and every option parser."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from core import Case
from values import KEYS, STYLES, option_value, prompt_text

SEMANTIC_EVERY = 20          # every 20th prompt case is resolve_brief with the embedding model (500 of 10,000)

INSTRUMENTS = ["piano", "piano,strings", "piano, strings, drums", "", ",", ";;", " , ", "drums", "drums,drums",
               "kazoo", "piano,kazoo", "\u30d4\u30a2\u30ce", "Piano", "PIANO", "grand piano", "piano;flute;oboe",
               "shakuhachi,koto", "orchestra-hit", ("drums,piano,strings,choir,flute,oboe,harp,timpani,celesta,violin,"
                                                    "viola,cello,contrabass,trumpet,trombone,tuba,french-horn"),
               "program-0", "0", "128", "piano\x00"]
CHORDS = ["Am F C G", "vi IV I V", "royal-road", "\u738b\u9053\u9032\u884c", "|", "|||", "| |", "||", "-", "->", ",",
          "\u2192", "Am-F-C-G", "Dm7,G7,Cmaj7", "I V vi IV", "i iv v", "Xm", "C/X", "C/E/G", "IV\u25b37", "bVII",
          "V/V", "V/vi/ii", "V/", "/V", "V//V", "iiii", "IIV", "Cmaj13", "C7b9", "Am " * 100, "I " * 65, "",
          " ", "Am F C G|", "C||G", "C G | Am F", "Am\u3001F\u3001C\u3001G", "\u24b6m", "C\u266f\u266fm", "B#", "Cb",
          "E#m", "Fbmaj7", "I\u00b0", "vii\u00f87", "ii\u00f8", "I+", "Isus4", "vi7sus4", "canon", "komuro",
          "royal-road-long", "marusa", "nope-progression"]
MOTIFS = [[(0, 1, 60)], [(0, 1, 60), (1, 1, 62), (2, 2, 64)], [], [(0, 0, 60)], [(-1, 1, 60)], [(0, 1, 128)],
          [(0, 1, -1)], [(float("nan"), 1, 60)], [(0, float("inf"), 60)], [(1e9, 1, 60)], [(0, 1e9, 60)],
          [(0, 1e-9, 60)], [(0, 1, 60.7)], [(0, 1)], [(0, 1, 60, 9)], [("a", 1, 60)], [(0, 1, "C4")], ["x"], [None],
          [(0, 1, 60)] * 5000, [(i * 0.001, 0.001, 60 + i % 12) for i in range(200)], [(0, 1, 60)] * 2,
          [(100, 1, 60)], [(0, 1, True)], [(0, 1, 10**30)]]
TIMES = ["0", "0:00", "0:42.5", "42.5s", "42.5", "1:02:03", "0:60", "1:60:00", "-1", "1e3", "", ":", "1:", ":1",
         "1::2", "99:99:99", "1:2:3:4", "\u79d2", "5\u79d2", "9" * 400, "1" * 30 + ".5", ".5", "5.", "nan", "inf",
         "\uff15", "\u0665", "3 s", "3sec", " 3 ", "3 m"]
ARCS = ["calm>build>climax>resolve", "calm", ">", ">>>", "", " ", "calm>>climax", "calm>nope", "calm\u2192climax",
        "\u7a4f\u3084\u304b>\u7dca\u5f35", "calm,build,climax", "calm->build", "CALM>BUILD",
        ">".join(["calm"] * 5000), "calm>" * 3, "calm > climax > ", "sad>happy>sad>happy"]
SECTION_MOODS = [["0:00=calm", "0:45=tense"], ["0=calm"], [], ["calm"], ["=calm"], ["0:00="], ["0:10=calm", "0:05=tense"],
                 ["0:10=calm", "0:10=tense"], ["99:00=calm"], ["0:00=nope"], ["0:00=calm=tense"], ["nan=calm"],
                 ["0:00.001=calm", "0:00.002=tense"], ["-1=calm"], [f"{i}=calm" for i in range(2000)], ["0=\u7a4f\u3084\u304b"]]
CUES = ["stinger", "eyecatch", "preview", "bumper", "", None, "nope", "STINGER", " stinger", "stinger\x00"]
ENDINGS = ["ring", "fade", "button", "loop", None, "", "explode", "RING"]
LOUDNESS = ["stream", "ebu", "arib", "streaming", "r128", "-14", "-14 LUFS", "-14lkfs", "-40", "-6", "-5.9", "-40.1",
            "0", "-inf", "inf", "nan", "-nan", "NaN", "1e999", "-1e999", "", " ", "-", "LUFS", "-14 dB", "\uff0d14",
            "-\uff11\uff14", "-\u0661\u0664", "-14.", "-.5", "EBU", "Stream"]
FORMATS = ["wav", "flac", "mp3", ".wav", "WAV", " mp3 ", "ogg", "", ".", "wav\x00", "\u30ef\u30d6"]
SAMPLE_RATES = ["44100", "48000", "48k", "44.1k", "48 kHz", "48khz", "96000", "0", "-48000", "48000.0", "4.8e4", "",
                "k", "48kk", "nan", "inf", "\uff14\uff18\uff10\uff10\uff10", "\u0664\u0668\u0660\u0660\u0660"]
INTENSITY = ["+1", "+2", "-1", "-2", "0", "+0", "", "3", "+3", "-3", "1.0", "one", "nan", "++1", "\uff0b\uff11", "\u0661"]
EDIT_INSTRUMENTS = [["lead=flute"], ["lead=drums"], ["drums=piano"], ["=flute"], ["lead="], ["lead"], ["nope=flute"],
                    ["lead=kazoo"], ["lead=flute", "lead=oboe"], [("lead", "flute")], [("lead",)], ["LEAD=FLUTE"],
                    ["lead=flute=oboe"], ["bass=finger-bass"], ["part=piano"]]
MUTES = [["drums"], ["lead"], ["nope"], [""], ["drums", "drums"], ["lead", "bass", "drums", "pad", "chords", "counter",
         "perc", "piano"], [" drums "]]

DURATIONS = ["90", "90s", "1:30", "2m", "2 min", "1m30s", "2\u5206", "1\u520630\u79d2", "0", "0s", "-1", "1200", "1200.01",
             "20:00", "20:01", "0:00", "0:60", "99:99", "1:2:3", "1:00:00", "00:00:01", "1e3", "nan", "inf", "", " ", "s",
             "m", ":", "1:", "0.0001", "1" * 400, "\uff19\uff10", "\u0669\u0660", "90 seconds", "1.5.5", "5\u79d2"]
TEMPOS = ["140", "140bpm", "140 BPM", " 140 ", "30", "300", "29.99", "300.01", "0", "-140", "nan", "inf", "1e2", "1e400",
          "", "bpm", "140.", ".5", "\uff11\uff14\uff10", "\u0661\u0664\u0660", "9" * 400, "140bpmbpm"]
SEEDS = ["0", "1", "4294967295", "4294967296", "-1", "1.5", "", " 7 ", "\uff17", "\u0667", "9" * 400, "0x10", "1e3"]
METERS = ["3/4", "6/8", "4/4", "7/8", "12/8", "2/2", "-3/4", "0/4", "4/0", "1/4", "13/8", "4/3", "4/16", "99/99", "4//4",
          "4/4/4", "4", "/", "", " 3 / 4 ", "\uff13/\uff14", "\u0663/\u0664", "3\u22154", "3\u20444", "004/04"]


def prompt_case(i: int, seed: int) -> Case:
    """Prompt/option case ``i`` (each case has its own generator, so a slice is the start of a full run)."""
    from gekiban.theory import Key

    rng = random.Random(f"{seed}:prompt:{i}")
    if i % SEMANTIC_EVERY == 0:  # the embedding-model slice
        kwargs: dict[str, Any] = {"seed": rng.randrange(2**31)}
        return Case("prompt", i, "resolve_brief", (prompt_text(rng),), kwargs, "text", "semantic",
                    then=(("build", {}),) if rng.random() < 0.3 else ())
    r = rng.random()
    if r < 0.36:
        return _resolve_case(rng, i)
    choices: list[tuple[str, Callable[[], tuple[tuple, dict, str]]]] = [
        ("check_prompt", lambda: _one(rng, [prompt_text(rng)])),
        ("parse_duration", lambda: _one(rng, DURATIONS)),
        ("parse_tempo", lambda: _one(rng, TEMPOS)),
        ("parse_seed", lambda: _one(rng, SEEDS)),
        ("parse_instruments", lambda: _one(rng, INSTRUMENTS + [["piano", "strings"], [], ["kazoo"], [1, 2]])),
        ("parse_format", lambda: _one(rng, FORMATS)),
        ("parse_sample_rate", lambda: _one(rng, SAMPLE_RATES)),
        ("check_motif", lambda: _one(rng, MOTIFS)),
        ("parse_key", lambda: _one(rng, KEYS)),
        ("parse_meter", lambda: _one(rng, METERS)),
        ("parse_chord_symbol", lambda: _one(rng, [c for c in CHORDS if " " not in c.strip()])),
        ("parse_roman", lambda: _roman(rng, Key)),
        ("parse_chords", lambda: _one(rng, CHORDS)),
        ("parse_loudness", lambda: _one(rng, LOUDNESS)),
        ("parse_time", lambda: _one(rng, TIMES)),
        ("parse_arc", lambda: _with_duration(rng, ARCS)),
        ("check_arc", lambda: _with_duration(rng, [[(0, 0.5, 0.5), (10, 1, 1)], [(10, 0.5, 0.5), (0, 1, 1)],
                                                   [(0, 2, 0)], [(0, 0.5)], [("a", 1, 1)], [(float("nan"), 0, 0)], [],
                                                   [(0, 0, 0)] * 2, "abc", [None], [(0, 0.5, 0.5, 1)]])),
        ("mood_values", lambda: _one(rng, ["calm", "CALM", "\u7a4f\u3084\u304b", "nope", "", "calmm", "tension"])),
        ("parse_section_moods", lambda: _with_duration(rng, SECTION_MOODS)),
        ("check_hits", lambda: _with_duration(rng, [["1"], [1, 2], [1, 1], [0], [-1], ["0:01", "0:02"], ["x"], [],
                                                     [float("nan")], [1e9], [1, 1.0005], list(range(1, 200)), [None]])),
        ("cue_defaults", lambda: _cue_defaults(rng)),
        ("apply_timing", lambda: _apply_timing(rng)),
        ("load_arc_file", lambda: _arc_file(rng)),
        ("resolve_style", lambda: _one(rng, STYLES)),
        ("check_render_options", lambda: _render_options(rng)),
        ("parse_intensity", lambda: _one(rng, INTENSITY)),
        ("parse_count", lambda: _one(rng, ["1", "16", "17", "0", "-1", "", "1.0", "\uff13", "\u0663", "9" * 400])),
        ("parse_edits", lambda: _edits(rng)),
    ]
    name, make = rng.choice(choices)
    args, kwargs, kind = make()
    return Case("prompt", i, name, args, kwargs, kind)


def _one(rng: random.Random, pool: list) -> tuple[tuple, dict, str]:
    v, kind = option_value(rng, pool)
    return (v,), {}, kind


def _roman(rng: random.Random, key_cls: type) -> tuple[tuple, dict, str]:
    v, kind = option_value(rng, [c for c in CHORDS if " " not in c.strip()])
    return (v, key_cls(rng.randrange(12), rng.choice(["major", "minor", "dorian", "locrian"]))), {}, kind


def _with_duration(rng: random.Random, pool: list) -> tuple[tuple, dict, str]:
    v, kind = option_value(rng, pool)
    d = rng.choice([60.0, 60.0, 5.0, 0.01, 1200.0, 0, -1, float("nan"), float("inf"), 1e308, "60", None])
    if not isinstance(d, float):
        kind = "number" if isinstance(d, int) else "type"
    return (v, d), {}, kind


def _cue_defaults(rng: random.Random) -> tuple[tuple, dict, str]:
    cue, kind = option_value(rng, CUES)
    style, _ = option_value(rng, STYLES + [None])
    duration, _ = option_value(rng, DURATIONS + [None])
    return (cue,), {"style": style, "duration": duration}, kind


ARC_POINTS = [[], [(0, 0.5, 0.5), (20, 1, 1)], [(0, 0, 0), (30, 1, 1)], [(31, 0.5, 0.5)], [(-1, 0.5, 0.5)],
              [(10, 2, 0)], [(10, 0.5, 0.5), (5, 0.5, 0.5)], [(10, 0.5, 0.5), (10, 0.5, 0.5)], [(float("nan"), 0.5, 0.5)],
              [(10, float("nan"), 0.5)], [(0, 1, 1)] + [(i / 100, 0.5, 0.5) for i in range(1, 3000)],
              [(0, 0.5)], [("a", 0.5, 0.5)], [("10", "0.5", "0.5")], [None], [(29.999, 1, 1)], [(1e-12, 0.5, 0.5)]]
HITS = [[], [5.0], [0.0], [30.0], [29.99], [-1], [float("nan")], [float("inf")], [5, 5], [5, 5.0000001],
        [i * 0.5 for i in range(1, 59)], ["5"], ["x"], [None], [1e-9], [29.9999999]]


def _apply_timing(rng: random.Random) -> tuple[tuple, dict, str]:
    kw: dict[str, Any] = {}
    if rng.random() < 0.6:
        kw["arc"] = rng.choice(ARC_POINTS)
    if rng.random() < 0.6:
        kw["hits"] = rng.choice(HITS)
    if rng.random() < 0.4:
        kw["ending"] = rng.choice(ENDINGS)
    if rng.random() < 0.3:
        kw["loop"] = rng.choice([True, False, None, "yes", 0])
    if rng.random() < 0.3:
        kw["cue"] = rng.choice(CUES)
    return (), kw, "value"


def _arc_file(rng: random.Random) -> tuple[tuple, dict, str]:
    docs = ['[{"time": "0:00", "intensity": 0.2}, {"time": 30, "intensity": 0.9, "tension": 0.8}]',
            '{"points": [{"time": 0, "intensity": 0.5}]}', "[]", "{}", "null", '"x"', "[1, 2]", '[{"time": "x", "intensity": 1}]',
            '[{"time": 0, "intensity": NaN}]', '[{"time": 0, "intensity": Infinity}]', '[{"time": 1e999, "intensity": 1}]',
            '[{"time": true, "intensity": 1}]', '[{"time": [], "intensity": 1}]', '[{"time": null, "intensity": 1}]',
            '[{"time": 0, "intensity": 1, "tension": "x"}]', '{"points": {"time": 0}}', '{"points": []}',
            "[" * 100_000 + "]" * 100_000, '[{"time": 0, "intensity": 0.5}]' + "x", "\ufeff[]", "", "\x00"]
    doc = rng.choice(docs)
    if rng.random() < 0.3:
        doc = doc[: rng.randint(0, len(doc))]
    data = doc.encode("utf-8", "surrogatepass") if rng.random() < 0.9 else b"\xff\xfe\x00[" + doc.encode()
    d = rng.choice([60.0, 60.0, 0, float("nan"), 1e308])
    return (data, d), {}, "file"


def _render_options(rng: random.Random) -> tuple[tuple, dict, str]:
    loud, k1 = option_value(rng, LOUDNESS)
    rate, k2 = option_value(rng, SAMPLE_RATES + [44100, 48000])
    return (), {"loudness": loud, "sample_rate": rate}, "type" if "type" in (k1, k2) else k1


def _edits(rng: random.Random) -> tuple[tuple, dict, str]:
    kw: dict[str, Any] = {}
    kinds = []
    for name, pool in (("tempo", TEMPOS + [100, 10, 400]), ("key", KEYS), ("instruments", EDIT_INSTRUMENTS),
                       ("mute", MUTES), ("intensity", INTENSITY + [1, -2, 1.5, True])):
        if rng.random() < 0.45:
            kw[name], k = option_value(rng, pool) if name not in ("instruments", "mute") else (rng.choice(pool), "text")
            kinds.append(k)
    return (), kw, "type" if "type" in kinds else "number" if "number" in kinds else "text"


def _resolve_case(rng: random.Random, i: int) -> Case:
    prompt = prompt_text(rng) if rng.random() < 0.9 else option_value(rng, [""])[0]
    kinds = ["text" if isinstance(prompt, str) else "type"]
    kwargs: dict[str, Any] = {"semantic": False, "seed": rng.randrange(2**31)}
    for name, pool, p in (("duration", DURATIONS, 0.2), ("key", KEYS, 0.15), ("tempo", TEMPOS, 0.15),
                          ("meter", METERS, 0.15), ("style", STYLES, 0.25), ("instruments", INSTRUMENTS, 0.15),
                          ("chords", CHORDS, 0.15), ("seed", SEEDS, 0.05)):
        if rng.random() < p:
            kwargs[name], k = option_value(rng, pool, typo=0.15)
            kinds.append(k)
    if rng.random() < 0.08:
        kwargs["motif"] = rng.choice(MOTIFS)
    if rng.random() < 0.05:
        kwargs["chords"] = rng.choice([["Am", "F"], [], ["|"], [1, 2], ["Am", None], ("vi", "IV")])
    then: list[tuple[str, dict]] = []
    if rng.random() < 0.6:
        if rng.random() < 0.35:
            t: dict[str, Any] = {}
            if rng.random() < 0.5:
                t["hits"] = [round(rng.uniform(0.5, 6.0), 3) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.5:
                t["arc"] = sorted({(round(rng.uniform(0, 4), 2), rng.random(), rng.random()) for _ in range(rng.randint(1, 4))})
            if rng.random() < 0.5:
                t["ending"] = rng.choice(["ring", "fade", "button", "loop"])
            if rng.random() < 0.2:
                t["cue"] = rng.choice(["stinger", "eyecatch", "preview", "bumper"])
            then.append(("timing", t))
        then.append(("build", {}))
        if rng.random() < 0.15:
            then.append(("midi", {}))
    kind = "type" if "type" in kinds else "number" if "number" in kinds else "text"
    return Case("prompt", i, "resolve_brief", (prompt,), kwargs, kind, then=tuple(then))
