"""The motif library: one JSON file per motif in ``DATA/motifs/<name>.json``, written atomically."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gekiban.atomic import atomic_write
from gekiban.errors import InvalidOptionError, NotFoundError
from gekiban.motifs.notation import MAX_NOTES, NoteTuple, format_notes
from gekiban.theory import parse_chord_symbol

NAME_RE = re.compile(r"[a-z0-9-]{1,40}")
_NAME_RULE = "1-40 characters of a-z, 0-9 and '-'"
MIN_NOTES = 3
_FORMAT = 1


@dataclass(frozen=True)
class Motif:
    """A named theme: its notes as (onset beats, length beats, MIDI pitch) from 0, its optional
    harmony (chord symbols) and where it came from (``"notes"`` or ``"midi:FILE#track"``)."""

    name: str
    notes: tuple[NoteTuple, ...]
    chords: tuple[str, ...] = ()
    source: str = "notes"

    @property
    def text(self) -> str:
        """The notes in the note syntax."""
        return format_notes(self.notes)


def check_name(name: Any) -> str:
    """A motif name, checked: 1-40 of ``[a-z0-9-]``.

    Raises
    ------
    InvalidOptionError
        Naming the bad name and the rule.
    """
    if not isinstance(name, str) or NAME_RE.fullmatch(name) is None:
        raise InvalidOptionError(f"bad motif name {name!r}: a name is {_NAME_RULE}, e.g. 'hero'")
    return name


def check_notes(notes: Any) -> tuple[NoteTuple, ...]:
    """Notes of a motif, checked and moved to start at beat 0, in order.

    Raises
    ------
    InvalidOptionError
        For fewer than 3 or more than 64 notes, or a note that is not (onset ≥ 0, length > 0,
        pitch 0-127); the message names the note.
    """
    try:
        items = [(float(on), float(length), int(p)) for on, length, p in notes]
    except (TypeError, ValueError):
        raise InvalidOptionError(f"bad motif notes {notes!r}: give (onset beats, length beats, MIDI pitch) notes") from None
    for i, (on, length, p) in enumerate(items):
        if not (on >= 0 and 0 < length <= 64 and 0 <= p <= 127):
            raise InvalidOptionError(f"bad motif note {items[i]!r} at {i}: onset ≥ 0, length 0-64 beats and pitch 0-127 are allowed")
    if not MIN_NOTES <= len(items) <= MAX_NOTES:
        raise InvalidOptionError(f"a motif has {MIN_NOTES}-{MAX_NOTES} notes, not {len(items)}: its shape is its intervals")
    t0 = min(on for on, _, _ in items)
    return tuple(sorted((round(on - t0, 6), round(length, 6), p) for on, length, p in items))


def check_chords(chords: Any) -> tuple[str, ...]:
    """Chord symbols (``"Em C D"`` or a list), each checked.

    Raises
    ------
    InvalidOptionError
        Naming the chord that is not a chord symbol.
    """
    items = chords.split() if isinstance(chords, str) else list(chords or ())
    for c in items:
        parse_chord_symbol(str(c))
    return tuple(str(c) for c in items)


def motif_to_dict(m: Motif) -> dict[str, Any]:
    """JSON-ready form of a motif."""
    return {"format": _FORMAT, "name": m.name, "notes": [list(n) for n in m.notes], "text": m.text,
            "chords": list(m.chords), "source": m.source}


def motif_from_dict(d: Any, *, where: str = "motif") -> Motif:
    """A motif from :func:`motif_to_dict` output, checked.

    Raises
    ------
    InvalidOptionError
        Naming ``where`` and what is wrong.
    """
    if not isinstance(d, dict):
        raise InvalidOptionError(f"{where} is not a JSON object")
    try:
        return Motif(check_name(d.get("name")), check_notes(d.get("notes")), check_chords(d.get("chords", ())),
                     str(d.get("source", "notes")))
    except InvalidOptionError as exc:
        raise InvalidOptionError(f"{where}: {exc}") from None


class MotifLibrary:
    """The motifs of a data folder (``DATA/motifs/*.json``).

    Parameters
    ----------
    data_dir
        The data folder (the server's and the track library's: ``gekiban.library.default_data_dir()``).
    """

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.folder = Path(data_dir).expanduser() / "motifs"

    def _path(self, name: str) -> Path:
        return self.folder / f"{check_name(name)}.json"

    def add(self, name: str, motif: Motif, *, replace: bool = False) -> Motif:
        """Store ``motif`` under ``name`` (atomically).

        Raises
        ------
        InvalidOptionError
            For a bad name, or a name already used without ``replace``.
        OutputError
            If the file cannot be written.
        """
        path = self._path(name)
        if path.exists() and not replace:
            raise InvalidOptionError(f"a motif named {name!r} exists already: remove it first or replace it")
        stored = Motif(name, check_notes(motif.notes), check_chords(motif.chords), motif.source)
        self.folder.mkdir(parents=True, exist_ok=True)
        body = json.dumps(motif_to_dict(stored), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        atomic_write(path, lambda f: f.write(body))  # type: ignore[attr-defined]
        return stored

    def get(self, name: str) -> Motif:
        """The motif called ``name``.

        Raises
        ------
        NotFoundError
            Naming the motifs the library knows.
        InvalidOptionError
            For a bad name, or a file that cannot be read as a motif.
        """
        path = self._path(name)
        if not path.is_file():
            known = self.names()
            raise NotFoundError(f"no motif named {name!r}: " + (f"the library has {', '.join(known)}" if known else
                                f"the library in {self.folder} is empty (add one with `gekiban motif add`)"))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidOptionError(f"motif file {path} cannot be read: {exc}") from None
        return motif_from_dict(data, where=f"motif file {path}")

    def names(self) -> list[str]:
        """The stored names, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if NAME_RE.fullmatch(p.stem))

    def list(self) -> list[Motif]:
        """Every stored motif, by name (files that cannot be read are skipped)."""
        out = []
        for name in self.names():
            try:
                out.append(self.get(name))
            except (InvalidOptionError, NotFoundError):
                continue
        return out

    def remove(self, name: str) -> None:
        """Delete the motif called ``name``.

        Raises
        ------
        NotFoundError
            If there is none.
        """
        self.get(name)
        self._path(name).unlink()

    def resolve(self, names: str) -> tuple[Motif, ...]:
        """The motifs of ``"hero"`` or ``"hero,heroine"`` (a name at most once).

        Raises
        ------
        InvalidOptionError, NotFoundError
            For an empty list, a bad or repeated name, or one not in the library.
        """
        items = [n.strip() for n in str(names).split(",")]
        if not any(items) or any(not n for n in items):
            raise InvalidOptionError(f"bad motif list {names!r}: give NAME or NAME,NAME")
        if len(set(items)) != len(items):
            raise InvalidOptionError(f"bad motif list {names!r}: a motif is named twice")
        return tuple(self.get(n) for n in items)

