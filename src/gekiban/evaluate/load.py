"""What ``gekiban evaluate`` reads: bundle folders (``score.mid`` + ``track.json``) and MIDI files."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gekiban.errors import InvalidOptionError, MidiError
from gekiban.midi import read_midi
from gekiban.score import Score

#: The longest piece evaluated: the metrics hold arrays as long as the piece.
MAX_EVALUATED_S = 30 * 60.0
_HINT = "give bundle folders (holding score.mid and track.json) or MIDI files"


@dataclass(frozen=True)
class Target:
    """One piece to evaluate: a label (the path as given), its Score, and what its bundle's
    ``track.json`` says (empty for a bare MIDI file)."""

    label: str
    score: Score
    style: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def load_target(path: str | os.PathLike[str]) -> Target:
    """Read a bundle folder or a MIDI file.

    Raises
    ------
    InvalidOptionError
        If the path does not exist, is a folder without ``score.mid``, or its ``track.json`` is
        not valid JSON.
    MidiError
        If the MIDI file cannot be read or holds no notes.
    """
    label = os.fspath(path)
    p = Path(path).expanduser()
    if not p.exists():
        raise InvalidOptionError(f"{label!r} does not exist: {_HINT}")
    meta: dict[str, Any] = {}
    if p.is_dir():
        midi = p / "score.mid"
        if not midi.is_file():
            raise InvalidOptionError(f"{label!r} is not a bundle: the folder has no score.mid ({_HINT})")
        info = p / "track.json"
        if info.is_file():
            try:
                meta = json.loads(info.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                raise InvalidOptionError(f"bundle {label!r}: track.json is not valid JSON ({exc})") from None
            if not isinstance(meta, dict):
                raise InvalidOptionError(f"bundle {label!r}: track.json must hold a JSON object, not {type(meta).__name__}")
    else:
        midi = p
    score = read_midi(midi)
    if score.duration > MAX_EVALUATED_S:
        raise MidiError(f"MIDI file {os.fspath(midi)!r} lasts {score.duration / 60:.0f} minutes: gekiban evaluates "
                        f"pieces up to {MAX_EVALUATED_S / 60:.0f} minutes")
    if not any(part.notes for part in score.parts):
        raise MidiError(f"MIDI file {os.fspath(midi)!r} has no notes to evaluate")
    style = meta.get("style", {}).get("name") if isinstance(meta.get("style"), dict) else None
    return Target(label, score, style if isinstance(style, str) else None, meta)
