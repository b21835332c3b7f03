"""gekiban's own sequencer-specific meta event: what MIDI has no event for (the mode of the key,
the sections, the chords), so that reading a file gekiban wrote gives the same Score back."""

from __future__ import annotations

import dataclasses
import json

import mido

from gekiban.midi.events import key_signature_name
from gekiban.score import ChordEvent, Score, Section
from gekiban.theory import MODES, Chord, Key, parse_key

_META_ID = b"\x7dgekiban"  # 0x7D: manufacturer id reserved for non-commercial use
_META_VERSION = 1


def _fields(obj: object) -> dict:
    """The init fields of a dataclass as a JSON-able dict (nested dataclasses included)."""
    out = {}
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        if f.init:
            v = getattr(obj, f.name)
            out[f.name] = _fields(v) if dataclasses.is_dataclass(v) else v
    return out


def _build(cls: type, data: dict) -> object:
    """Rebuild a dataclass from :func:`_fields` output, ignoring fields it does not know."""
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    return cls(**{k: v for k, v in data.items() if k in known})


def gekiban_meta(score: Score) -> mido.MetaMessage:
    info = {
        "v": _META_VERSION,
        "key": _fields(score.key),
        "sections": [_fields(s) for s in score.sections],
        "chords": [_fields(c) for c in score.chords],
    }
    data = _META_ID + json.dumps(info, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return mido.MetaMessage("sequencer_specific", data=list(data))


def read_meta(data: bytes) -> dict | None:
    if not data.startswith(_META_ID):
        return None
    try:
        info = json.loads(bytes(data[len(_META_ID):]).decode())
        return info if isinstance(info, dict) and info.get("v") == _META_VERSION else None
    except (UnicodeDecodeError, ValueError):
        return None


def read_key(key_name: str | None, info: dict | None) -> Key:
    key = parse_key(key_name) if key_name else Key(0, "major")
    try:  # the exact mode, when the file's own key signature still agrees with it
        exact = _build(Key, info["key"])  # type: ignore[index]
        if exact.mode in MODES and (key_name is None or key_signature_name(exact) == key_signature_name(key)):
            return exact  # type: ignore[return-value]
    except (TypeError, KeyError, ValueError, AttributeError):
        pass
    return key


def read_sections(info: dict | None) -> tuple[Section, ...]:
    try:
        return tuple(_build(Section, d) for d in info["sections"])  # type: ignore[index,misc]
    except (TypeError, KeyError, ValueError, AttributeError):
        return ()


def read_chords(info: dict | None) -> tuple[ChordEvent, ...]:
    try:
        return tuple(_build(ChordEvent, {**d, "chord": _build(Chord, d["chord"])})  # type: ignore[misc]
                     for d in info["chords"])  # type: ignore[index]
    except (TypeError, KeyError, ValueError, AttributeError):
        return ()
