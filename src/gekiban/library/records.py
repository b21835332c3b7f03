"""The library's values: a track record, a page of search results, a job record; and the checks
of what a client may set or ask (titles, tags, search bounds). Standard library only."""

from __future__ import annotations

import copy
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from gekiban.errors import InvalidOptionError

#: What made a track.
OPERATIONS = ("compose", "extend", "edit", "vary", "loop")
#: The states of a job; the last three are final.
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
FINAL_STATES = ("done", "failed", "cancelled")
MAX_TITLE = 200
MAX_TAGS = 20
MAX_TAG = 40
MAX_LIMIT = 100


@dataclass(frozen=True)
class TrackRecord:
    """One finished bundle in the library.

    ``files`` maps ``mix``, ``midi`` and ``json`` to paths relative to the bundle folder and
    ``stems`` to a tuple of them, in stem order, as the bundle's ``track.json`` lists them.
    """

    id: str
    title: str
    prompt: str
    style: str
    mood: str
    tempo: float
    key: str
    meter: str
    duration: float
    loopable: bool
    tags: tuple[str, ...]
    created: str
    parent: str | None
    operation: str
    seed: int | None
    brief: dict[str, Any] = field(repr=False)
    sections: tuple[dict[str, Any], ...] = field(repr=False)
    files: dict[str, Any] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON (the shape of ``docs/server.md``; stems by file name)."""
        files = {k: v for k, v in self.files.items() if k != "stems"}
        files["stems"] = [PurePosixPath(s).name for s in self.files.get("stems", ())]
        return {
            "id": self.id, "title": self.title, "prompt": self.prompt, "style": self.style, "mood": self.mood,
            "tempo": self.tempo, "key": self.key, "meter": self.meter, "duration": self.duration,
            "loopable": self.loopable, "tags": list(self.tags), "created": self.created, "parent": self.parent,
            "operation": self.operation, "seed": self.seed, "brief": copy.deepcopy(self.brief),
            "sections": copy.deepcopy(list(self.sections)), "files": files,
        }


@dataclass(frozen=True)
class Page:
    """One page of search results, newest first, and how many match in all."""

    items: tuple[TrackRecord, ...]
    total: int
    limit: int
    offset: int

    def to_dict(self) -> dict[str, Any]:
        """``{"items": [...], "total", "limit", "offset"}``."""
        return {"items": [r.to_dict() for r in self.items], "total": self.total, "limit": self.limit,
                "offset": self.offset}


@dataclass(frozen=True)
class JobRecord:
    """One job: what it runs (``kind``, ``params``), where it stands, and what it made.

    ``attempts`` is the try the job is on: 1, or 2 after a server stopped while it ran.
    ``client`` (a hash of who asked; the per-client bound counts it) is not part of :meth:`to_dict`.
    """

    id: str
    kind: str
    state: str
    stage: str
    progress: float
    params: dict[str, Any] = field(repr=False)
    client: str = field(repr=False)
    parent: str | None
    created: str
    started: str | None
    finished: str | None
    error: str | None
    tracks: tuple[str, ...]
    attempts: int

    @property
    def final(self) -> bool:
        """True once the job is done, failed or cancelled."""
        return self.state in FINAL_STATES

    def to_dict(self) -> dict[str, Any]:
        """The job as JSON: ``track`` is its first track (``None`` until done), ``tracks`` all."""
        return {
            "id": self.id, "kind": self.kind, "state": self.state, "stage": self.stage, "progress": self.progress,
            "created": self.created, "started": self.started, "finished": self.finished, "error": self.error,
            "track": self.tracks[0] if self.tracks else None, "tracks": list(self.tracks), "attempts": self.attempts,
            "parent": self.parent, "params": copy.deepcopy(self.params),
        }


def _bad(field_name: str, message: str) -> InvalidOptionError:
    err = InvalidOptionError(message)
    err.field = field_name
    return err


def _plain_text(value: Any, what: str, field_name: str, longest: int) -> str:
    if not isinstance(value, str):
        raise _bad(field_name, f"bad {what} {value!r}: it must be text")
    text = " ".join(value.split())
    if not text or len(text) > longest:
        raise _bad(field_name, f"{what} {value!r} has {len(text)} characters: give 1 to {longest}")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise _bad(field_name, f"{what} {value!r} holds a control character: only printable text is allowed")
    return text


def check_title(value: Any) -> str:
    """A track title: text of 1-200 characters (runs of white space become one space).

    Raises
    ------
    InvalidOptionError
        For anything else; ``field`` is ``"title"``.
    """
    return _plain_text(value, "title", "title", MAX_TITLE)


def check_tags(value: Any) -> tuple[str, ...]:
    """Tags: a list of at most 20 texts of 1-40 characters each; repeats are dropped.

    Raises
    ------
    InvalidOptionError
        For anything else; ``field`` is ``"tags"``.
    """
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise _bad("tags", f"bad tags {value!r}: give a list of words, e.g. [\"battle\", \"night\"]")
    if len(value) > MAX_TAGS:
        raise _bad("tags", f"{len(value)} tags given: at most {MAX_TAGS} are allowed")
    return tuple(dict.fromkeys(_plain_text(t, "tag", "tags", MAX_TAG) for t in value))


def check_page(limit: Any, offset: Any) -> tuple[int, int]:
    """A page of search results: ``limit`` 1-100 and ``offset`` ≥ 0, whole numbers.

    Raises
    ------
    InvalidOptionError
        Naming the bad value; ``field`` is ``"limit"`` or ``"offset"``.
    """
    lim, off = _whole(limit), _whole(offset)
    if lim is None or not 1 <= lim <= MAX_LIMIT:
        raise _bad("limit", f"bad limit {limit!r}: use a whole number from 1 to {MAX_LIMIT}")
    if off is None or off < 0:
        raise _bad("offset", f"bad offset {offset!r}: use a whole number from 0 up")
    return lim, off


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def check_range(name: str, low: Any, high: Any) -> tuple[float | None, float | None]:
    """A search range ``name_min``-``name_max``: numbers ≥ 0 (either may be ``None``), low ≤ high.

    Raises
    ------
    InvalidOptionError
        Naming the bad value; ``field`` is ``name_min`` or ``name_max``.
    """
    out: list[float | None] = []
    for end, value in (("min", low), ("max", high)):
        if value is None:
            out.append(None)
            continue
        number = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
        if number is None or not math.isfinite(number) or number < 0:
            raise _bad(f"{name}_{end}", f"bad {name}_{end} {value!r}: use a number from 0 up")
        out.append(number)
    if out[0] is not None and out[1] is not None and out[0] > out[1]:
        raise _bad(f"{name}_min", f"{name}_min {low!r} is more than {name}_max {high!r}: give low ≤ high")
    return out[0], out[1]


def check_flag(name: str, value: Any) -> bool | None:
    """A yes/no filter: ``None``, a bool, or ``"true"``/``"false"``/``"1"``/``"0"``.

    Raises
    ------
    InvalidOptionError
        For anything else; ``field`` is ``name``.
    """
    if value is None or isinstance(value, bool):
        return value
    words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    raise _bad(name, f"bad {name} {value!r}: use true or false")


def check_filter(name: str, value: Any) -> str | None:
    """A text filter (style, mood, key): ``None`` or text of at most 200 characters.

    Raises
    ------
    InvalidOptionError
        For anything else; ``field`` is ``name``.
    """
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TITLE:
        raise _bad(name, f"bad {name} {value!r}: give text of at most {MAX_TITLE} characters")
    return value.strip() or None
