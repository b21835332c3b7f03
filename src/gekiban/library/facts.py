"""What a library record keeps of a bundle: the facts of its ``track.json``, checked."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from gekiban.errors import BundleError


def style_names(spec: str) -> str:
    """``"orchestral-battle:0.6+heroic:0.4"`` → ``"+orchestral-battle+heroic+"`` (for the filter)."""
    names = []
    for part in spec.split("+"):
        head, sep, tail = part.strip().rpartition(":")
        names.append((head if sep and tail.replace(".", "", 1).isdigit() else part.strip()).casefold())
    return "+" + "+".join(names) + "+"


def default_title(facts: dict[str, Any]) -> str:
    text = " ".join(str(facts["prompt"]).split())[:200] or facts["style"][:200]
    return text or "untitled"


def bundle_facts(folder: Path) -> dict[str, Any]:
    """What a record keeps of the bundle in ``folder`` (its track.json), with every file it
    lists checked to lie in the folder and exist.

    Raises
    ------
    BundleError
        If there is no readable track.json or a listed file is missing or outside the folder.
    """
    try:
        meta = json.loads((folder / "track.json").read_text(encoding="utf-8"))
        brief, listed = meta["brief"], meta["files"]
        files = {"mix": str(listed["mix"]), "midi": str(listed["midi"]), "json": "track.json",
                 **({"musicxml": str(listed["musicxml"])} if listed.get("musicxml") else {}),
                 "stems": [str(s) for s in listed.get("stems", [])]}
        facts = {
            "prompt": str(meta.get("prompt", "")), "seed": meta.get("seed"), "style": str(brief["style"]),
            "mood": str(brief.get("mood", "")), "tempo": float(brief["tempo"]), "key": str(brief["key"]),
            "meter": str(brief["meter"]), "duration": float(brief["duration"]), "loopable": bool(brief.get("loop")),
            "brief": meta.get("request", {}), "files": files,
            "sections": [{"name": str(s["name"]), "start": float(s["start"]), "end": float(s["end"])}
                         for s in meta.get("sections", [])],
        }
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise BundleError(f"{str(folder)!r} holds no readable gekiban bundle ({type(exc).__name__}: {exc})") from None
    for rel in [files["mix"], files["midi"], "track.json", *([files["musicxml"]] if "musicxml" in files else []),
                *files["stems"]]:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not (folder / pure).is_file():
            raise BundleError(f"the bundle in {str(folder)!r} lists {rel!r}, which is not a file inside it")
    if not isinstance(facts["seed"], int) or isinstance(facts["seed"], bool):
        facts["seed"] = None
    return facts
