"""The cue sheet of a built menu: ``cuesheet.csv`` (UTF-8 with a BOM, so spreadsheet programs
read the Japanese) and ``cuesheet.json``, one row a cue: M-number, title, use, duration, composer
credit, tempo, key, motifs and the file names, read from each cue's ``track.json``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gekiban.atomic import atomic_write
from gekiban.bundle.write import write_json
from gekiban.season.menu import Menu
from gekiban.season.plan import CueJob

__all__ = ["COLUMNS", "USE_LABELS", "cue_rows", "write_cuesheet"]

COLUMNS = ("m", "title", "use", "use_ja", "duration", "duration_s", "composer", "tempo", "key", "meter", "style",
           "ending", "motifs", "mix", "midi", "stems")
#: The use of a cue as a Japanese cue sheet writes it.
USE_LABELS = {"scene": "情景 (BGM)", "emotion": "感情 (BGM)", "situation": "状況 (BGM)", "theme": "テーマ (BGM)",
              "eye-catch": "アイキャッチ", "preview": "次回予告", "stinger": "ブリッジ"}


def mmss(seconds: float) -> str:
    """``m:ss`` (rounded to the second)."""
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def cue_rows(out: Path, menu: Menu, jobs: Sequence[CueJob]) -> list[dict[str, Any]]:
    """One row per cue built in ``out`` (in the menu's order)."""
    rows = []
    for job in jobs:
        cue = job.cue
        meta = json.loads((out / cue.m / "track.json").read_text(encoding="utf-8"))
        brief, files = meta.get("brief", {}), meta.get("files", {})
        duration = float(brief.get("duration", cue.length))
        rows.append({
            "m": cue.m, "title": cue.title, "use": cue.use, "use_ja": USE_LABELS[cue.use],
            "duration": mmss(duration), "duration_s": round(duration, 3), "composer": menu.composer,
            "tempo": _number(brief.get("tempo")), "key": brief.get("key"), "meter": brief.get("meter"),
            "style": meta.get("style", {}).get("name", brief.get("style")), "ending": brief.get("ending", cue.ending),
            "motifs": list(cue.motifs),
            "mix": f"{cue.m}/{files.get('mix', '')}", "midi": f"{cue.m}/{files.get('midi', '')}",
            "stems": [f"{cue.m}/{s}" for s in files.get("stems", [])],
        })
    return rows


def write_cuesheet(out: Path, menu: Menu, jobs: Sequence[CueJob]) -> tuple[Path, Path]:
    """Write ``out/cuesheet.csv`` and ``out/cuesheet.json`` atomically; returns their paths.
    In the CSV, motifs and stems are joined with ``;``."""
    rows = cue_rows(out, menu, jobs)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()})
    data = buf.getvalue().encode("utf-8-sig")
    csv_path = atomic_write(out / "cuesheet.csv", lambda f: f.write(data))
    json_path = write_json(out / "cuesheet.json", {"title": menu.title, "composer": menu.composer, "cues": rows})
    return csv_path, json_path
