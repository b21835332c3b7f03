"""Family 3: bundles. Mutations of real bundles' ``track.json`` and ``score.mid`` and special
bundles, then the pure parts of the bundle operations: ``load_bundle``, vary, extend, edit, the
delivery settings and ``evaluate_paths``."""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from core import Case, Step, attempt
from json_mutations import mutate_json
from midi import base_midis, mutate_midi

_BUNDLE_HOME: list[Path] = []


@cache
def base_bundles() -> dict[str, tuple[bytes, bytes, str]]:
    """Two small real bundles, rendered once into a temporary folder kept until exit:
    name → (track.json bytes, score.mid bytes, the folder). A case's bundle holds its own
    track.json and score.mid and links to the base's audio files (never read here)."""
    import atexit

    from gekiban.pipeline import compose

    home = Path(tempfile.mkdtemp(prefix="gekiban-fuzz-bases-"))
    atexit.register(shutil.rmtree, home, True)
    _BUNDLE_HOME.append(home)
    out = {}
    requests = (("calm", "calm morning", {"duration": 4, "seed": 3}, {}),
                ("waltz-hits", "sad farewell", {"duration": 5, "seed": 7, "meter": "3/4", "chords": "Am F C G",
                                                "hits": [2.5], "ending": "fade"}, {"layers": True}))
    for name, prompt, options, save in requests:
        folder = compose(prompt, **options).save(home / name, **save)
        out[name] = ((folder / "track.json").read_bytes(), (folder / "score.mid").read_bytes(), str(folder))
    return out


BUNDLE_SPECIAL = ["<no-track.json>", "<no-score.mid>", "<empty-track.json>", "<score.mid-dir>", "<swapped-score>",
                  "<deep-json>", "<bom>", "<non-utf8>", "<json-null>", "<json-list>", "<no-request>", "<empty-score.mid>",
                  "<no-audio>", "<no-stem>", "<long-file-name>", "<nul-file-name>", "<files-outside>"]


def bundle_case(i: int, seed: int) -> Case:
    """Bundle case ``i``: args (track.json bytes or None, score.mid bytes or None or '<dir>', base folder,
    audio files to leave out)."""
    rng = random.Random(f"{seed}:bundle:{i}")
    bases = base_bundles()
    name = sorted(bases)[i % len(bases)] if i < len(BUNDLE_SPECIAL) else rng.choice(sorted(bases))
    meta_bytes, midi, home = bases[name]
    meta = json.loads(meta_bytes)

    def case(meta_out: bytes | None, midi_out: bytes | str | None, note: str, leave_out: tuple = ()) -> Case:
        return Case("bundle", i, "bundle", (meta_out, midi_out, home, leave_out), {}, "file", f"{name}: {note}")

    def with_files(files: Any) -> bytes:
        return json.dumps({**meta, "files": files}).encode("utf-8", "surrogatepass")

    if i < len(BUNDLE_SPECIAL):
        kind = BUNDLE_SPECIAL[i]
        other = bases[min(set(bases) - {name})][1] if len(bases) > 1 else midi
        stems = list(meta["files"].get("stems", []))
        files = {"<no-track.json>": (None, midi), "<no-score.mid>": (meta_bytes, None), "<empty-track.json>": (b"", midi),
                 "<score.mid-dir>": (meta_bytes, "<dir>"), "<swapped-score>": (meta_bytes, other),
                 "<deep-json>": (b"[" * 200_000 + b"]" * 200_000, midi), "<bom>": (b"\xef\xbb\xbf" + meta_bytes, midi),
                 "<non-utf8>": (meta_bytes[:40] + b"\xff\xfe" + meta_bytes[40:], midi), "<json-null>": (b"null", midi),
                 "<json-list>": (b"[]", midi),
                 "<no-request>": (json.dumps({k: v for k, v in meta.items() if k != "request"}).encode(), midi),
                 "<empty-score.mid>": (meta_bytes, b""), "<no-audio>": (meta_bytes, midi), "<no-stem>": (meta_bytes, midi),
                 "<long-file-name>": (with_files({**meta["files"], "mix": "m" * 300 + ".wav"}), midi),
                 "<nul-file-name>": (with_files({**meta["files"], "mix": "mix\x00.wav"}), midi),
                 "<files-outside>": (with_files({**meta["files"], "mix": "/etc/passwd", "stems": ["../" * 40]}), midi),
                 }[kind]
        leave = tuple(stems + ["mix.wav"]) if kind == "<no-audio>" else tuple(stems[:1]) if kind == "<no-stem>" else ()
        return case(files[0], files[1], kind, leave)
    r = rng.random()
    if r < 0.75:
        data, notes = mutate_json(rng, meta, rounds=rng.choice([1, 1, 1, 2, 3]))
        if rng.random() < 0.15:  # as a bundle written before "request" existed
            data.pop("request", None) if isinstance(data, dict) else None
            notes.append("del ['request']")
        text = json.dumps(data, allow_nan=True, ensure_ascii=rng.random() < 0.5, indent=2).encode("utf-8", "surrogatepass")
        return case(text, midi, "; ".join(notes))
    if r < 0.85:
        op = rng.randrange(4)
        if op == 0:
            cut = rng.randint(0, len(meta_bytes))
            return case(meta_bytes[:cut], midi, f"track.json cut at {cut}")
        at = rng.randrange(len(meta_bytes))
        chunk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4))) if op == 1 else b"\xff" if op == 2 else b"\x00"
        return case(meta_bytes[:at] + chunk + meta_bytes[at:], midi, f"track.json bytes {chunk.hex()} inserted at {at}")
    others = [m for k, (_, m, _) in sorted(bases.items()) if k != name] + list(base_midis().values())[:2]
    data, notes = mutate_midi(rng, midi, others)
    return case(meta_bytes, data, "score.mid " + "; ".join(notes))


def _bundle_folder(case: Case, tmp: Path, folder: Path | None = None) -> Path:
    """The case's bundle: its track.json and score.mid, and the base bundle's other files (hard links)."""
    folder = folder or tmp / "bundle"
    if folder.exists():
        shutil.rmtree(folder)
    meta, midi, home, leave_out = case.args
    for src in Path(home).rglob("*"):
        rel = src.relative_to(home)
        if src.is_dir() or rel.as_posix() in ("track.json", "score.mid") or rel.as_posix() in leave_out:
            continue
        dst = folder / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)
    folder.mkdir(exist_ok=True)
    if meta is not None:
        (folder / "track.json").write_bytes(meta)
    if midi == "<dir>":
        (folder / "score.mid").mkdir()
    elif midi is not None:
        (folder / "score.mid").write_bytes(midi)
    return folder


def run_bundle_case(case: Case, tmp: Path) -> list[Step]:
    from gekiban.bundle.read import (
        bundle_format,
        bundle_has_layers,
        bundle_loudness,
        bundle_sample_rate,
        load_bundle,
    )
    from gekiban.composer import build_score, extend_score
    from gekiban.edit.edits import edit_brief, edit_score, parse_edits
    from gekiban.edit.operations import make_origin
    from gekiban.evaluate import evaluate_paths
    from gekiban.pipeline import check_render_options

    folder = _bundle_folder(case, tmp)
    steps = [attempt("evaluate_paths", "evaluate_paths([FOLDER])", lambda: evaluate_paths([folder]))[0]]
    s, loaded = attempt("load_bundle", "load_bundle(FOLDER)", lambda: load_bundle(folder))
    steps.append(s)
    if s.status == "ok":
        score, brief, style, meta = loaded
        head = "score, brief, style, meta = load_bundle(FOLDER); "
        steps.append(attempt("vary", head + "build_score(brief, style, variation=1)",
                             lambda: build_score(brief, style, variation=1))[0])
        steps.append(attempt("extend", head + "extend_score(score, brief, style, duration=score.duration + 10)",
                             lambda: extend_score(score, brief, style, duration=score.duration + 10))[0])

        def edit() -> Any:
            edits = parse_edits(score, tempo="100", key="E minor")
            edited = edit_score(score, edits)
            return edit_brief(brief, score, edited, edits)

        steps.append(attempt("edit", head + "edits = parse_edits(score, tempo='100', key='E minor'); "
                             "edited = edit_score(score, edits); edit_brief(brief, score, edited, edits)", edit)[0])
        steps.append(attempt("delivery settings", head + "check_render_options(loudness=bundle_loudness(meta), "
                             "sample_rate=bundle_sample_rate(meta)); bundle_format(meta); bundle_has_layers(meta); "
                             "make_origin('vary', FOLDER, meta)",
                             lambda: (check_render_options(loudness=bundle_loudness(meta), sample_rate=bundle_sample_rate(meta)),
                                      bundle_format(meta), bundle_has_layers(meta), make_origin("vary", folder, meta)))[0])
    return steps
