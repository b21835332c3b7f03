"""Mutations of a JSON document (a bundle's ``track.json``, the gekiban meta event of a MIDI file):
keys deleted, wrong types and extreme values set, values wrapped, lists shrunk or blown up."""

from __future__ import annotations

import json
import random
from typing import Any

from core import _short_repr
from values import mutate_text

JSON_VALUES: list[Any] = [None, True, False, 0, -1, 1, 0.5, 1e9, -1e9, 1e308, float("nan"), float("inf"), float("-inf"),
                          "", "NaN", "nan", "x", "\u30c6\u30b9\u30c8", "\udcff", [], {}, [1, 2], {"a": 1}, [None], [[]],
                          "0", "-1", "1e999", 2**64, 10**30]
KEY_VALUES = {
    "tempo": [0, -1, 1e9, 1e-9, 29, 301, 10, 400, "120", "NaN", float("nan"), float("inf"), True, None],
    "duration": [0, -1, 1e9, 1e-9, 1200, 1201, "60", float("nan"), None, 4.66 * 1000],
    "requested_duration": [0, -1, 1e9, "4", None],
    "key": ["Z major", "C major", "", "C", 5, {"tonic": 99, "mode": "major"}, {"tonic": -1, "mode": "minor"},
            {"tonic": 1.5, "mode": "major"}, {"tonic": "C", "mode": "major"}, {"tonic": 0, "mode": "bogus"}, {"tonic": 0},
            {}, {"mode": "major"}, {"tonic": True, "mode": "major"}, {"tonic": None, "mode": None}, ["C", "major"]],
    "meter": ["0/4", "-3/4", "4/0", "13/8", "7/8", "3/4", 44, [4, 4], "4/4/4", "", None, {"numerator": 4}],
    "bars": [0, -1, 10**9, 10**6, 1.5, True, "4", None, 2**63, 1],
    "style": ["lofi:0.5+chiptune:0.5", "nonexistent", "../x", "", 5, None, "lofi:nan", "/dev/null", "chiptune"],
    "instruments": [["kazoo"], "piano", [1, 2], [["piano"]], [], ["drums"] * 50, ["piano", "piano"], [None]],
    "exclude": [["piano"], ["kazoo"], "piano", [1]],
    "chords": [["|"], ["Xm"], "Am F", [None], ["Am"] * 10_000, ["vi", "IV"], ["I", "Am"], [[]], ["C/X"]],
    "motif": [[[0, 1, 60]], [[0, 0, 60]], [[-1, 1, 200]], [["a"]], [[0, 1]], [[float("nan"), 1, 60]], "x", [[0, 1, 60]] * 20000],
    "seed": [-1, 2**40, 1.5, "3", None, True, 0],
    "arc": [[[0, 2, 2]], [[100, 0.5, 0.5]], [[0.5]], "calm>build", [[0, 0.5, 0.5], [0, 0.5, 0.5]], [["a", 1, 1]],
            [[float("nan"), 0.5, 0.5]], [[0, 0.5, 0.5]] * 5000],
    "hits": [[0], [1e9], [-1], ["x"], [float("nan")], [1, 1], [2.0], list(range(1, 500)), "3"],
    "ending": ["explode", None, 3, "loop", "fade", "button", ""],
    "loop": ["yes", 2, None, True],
    "energy": [-1, 2, float("nan"), "high", None, 1e9],
    "tension": [-1, 2, float("nan"), "high", None],
    "mood": [None, 5, "", "\udcff"],
    "exact_tempo": ["yes", None, 2],
    "style_blend": [[["lofi", 0.5], ["chiptune", 0.5]], [["lofi"]], [["nonexistent", 1]], [["lofi", float("nan")]], "x",
                    [[None, None]], [["lofi", -1], ["chiptune", 2]]],
    "neighbours": [[{"style": "lofi"}], [{}], "x", [None], [{"style": 5, "score": "x", "similarity": None,
                                                                "sentence": 1, "keywords": "k"}]],
    "parts": [[], [{}], "x", [{}] * 3, None],
    "cue": ["stinger", "nope", None, 5],
    "sample_rate": [44100, 0, "48000", None, 96000, [48000]],
    "loudness": [{"target_lufs": float("nan")}, {"target_lufs": 0}, {"target_lufs": "x"}, "x", {"target_lufs": 1e9}],
    "files": [{"mix": "mix.ogg"}, {"mix": 5}, "x", {"mix": ""}, {"mix": "mix."}, {"mix": "a" * 300}, {"mix": "\x00"},
              {"stems": "stems"}, {"stems": [["x"]]}, {"mix": "/"}, {"mix": ".."}, {"mix": "/etc/passwd"}, [], None],
    "mix": ["mix.ogg", "", "/", "..", "a" * 300, "mix\x00.wav", 5, None, ["mix.wav"], "stems", "score.mid", "\udcff.wav"],
    "stems": [[], ["a" * 300], ["\x00"], "stems/01.wav", [5], [None], ["/"], [".."], ["stems"], {"x": "mix.wav"}],
    "midi": ["score.mid", "", "a" * 300, None, 5],
    "metadata": ["track.json", "", "x", None],
    "layers": [{}, [], "x", None],
    "origin": [{"operation": 5}, "x", [], {"source_origin": {"source_origin": "x"}}],
    "gekiban": [None, "", 5, "99.0.0"],
    "sections": [[], [{}], "x"],
    "tempo_map": [[], "x", [{"beat": 0, "bpm": 0}]],
}


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for k, v in enumerate(obj[:6]):
            out += _paths(v, prefix + (k,))
    return out


def _set(obj: Any, path: tuple, value: Any, *, delete: bool = False) -> Any:
    if not path:
        return value
    parent = obj
    for k in path[:-1]:
        parent = parent[k]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return obj


def _get(obj: Any, path: tuple) -> Any:
    for k in path:
        obj = obj[k]
    return obj


INTERESTING = set(KEY_VALUES)


def mutate_json(rng: random.Random, data: Any, rounds: int = 1) -> tuple[Any, list[str]]:
    """Delete keys, set wrong types and extreme values, wrap, shrink or blow up lists."""
    data = json.loads(json.dumps(data))
    notes = []
    for _ in range(rounds):
        paths = _paths(data)
        if not paths:
            break
        weighted = [p for p in paths if isinstance(p[-1], str) and p[-1] in INTERESTING]
        path = rng.choice(weighted if weighted and rng.random() < 0.7 else paths)
        where = "".join(f"[{k!r}]" for k in path)
        current = _get(data, path)
        op = rng.randrange(10)
        if op == 0:
            _set(data, path, None, delete=True)
            notes.append(f"del {where}")
            continue
        if op <= 4 and isinstance(path[-1], str) and path[-1] in KEY_VALUES:
            value = rng.choice(KEY_VALUES[path[-1]])
        elif op == 5 and isinstance(current, (int, float)) and not isinstance(current, bool):
            value = rng.choice([0, -current, current * 1e9, current / 1e9, current + 1, float("nan"), -1e-9])
        elif op == 6 and isinstance(current, list):
            value = (current * rng.choice([0, 2, 1000]))[:20000] if current else [rng.choice(JSON_VALUES)] * 1000
        elif op == 7 and isinstance(current, str):
            value = mutate_text(rng, current)
        elif op == 8:
            value = rng.choice([[current], {"value": current}, str(current)])
        else:
            value = rng.choice(JSON_VALUES)
        _set(data, path, value)
        notes.append(f"{where} = {_short_repr(value, 80)}")
    return data, notes
