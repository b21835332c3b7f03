"""The music menu (音楽メニュー): read a menu file (YAML or CSV) into frozen :class:`Menu` and
:class:`Cue` values, every field checked.

A menu lists every cue a season (クール) needs: its M-number, title, use (情景 scene, 感情 emotion,
状況 situation, theme, eye-catch, preview, stinger), what it is for (the prompt), its length and
its ending. ``docs/menu.md`` documents the format. Every error is a :class:`MenuError` whose
message names the file, the cue (by M-number, else by its place) and the field.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gekiban.errors import InvalidOptionError
from gekiban.motifs import parse_notes
from gekiban.theory import parse_key
from gekiban.understand.options import parse_duration, parse_tempo

__all__ = ["ENDINGS", "USES", "Cue", "Menu", "MenuError", "parse_menu", "read_menu"]

#: The uses a cue may have, and the Japanese words read as each.
USES = ("scene", "emotion", "situation", "theme", "eye-catch", "preview", "stinger")
USE_WORDS = {"情景": "scene", "感情": "emotion", "状況": "situation", "テーマ": "theme", "メインテーマ": "theme",
             "アイキャッチ": "eye-catch", "eyecatch": "eye-catch", "予告": "preview", "次回予告": "preview",
             "ブリッジ": "stinger", "ジングル": "stinger", "bridge": "stinger"}
#: How a cue ends; ``loop`` is a seamless loop of whole bars.
ENDINGS = ("ring", "fade", "button", "loop")
ENDING_WORDS = {"ループ": "loop", "フェード": "fade", "フェードアウト": "fade", "余韻": "ring", "ボタン": "button"}
#: A cue's length when the menu gives none, by use (seconds).
DEFAULT_LENGTH = {"stinger": 4.0, "eye-catch": 5.0, "preview": 30.0}
DEFAULT_LENGTH_S = 60.0
MAX_CUE_S = 600.0
MAX_CUES = 200
MENU_KEYS = ("title", "composer", "palette", "key", "motifs", "cues")
CUE_KEYS = ("m", "title", "use", "description", "length", "ending", "motifs", "mood", "key", "tempo")
_M_RE = re.compile(r"M-?(\d{1,4})([A-Za-z]?)", re.IGNORECASE)
_MOTIF_NAME_RE = re.compile(r"[a-z0-9-]{1,40}")
_MAX_TEXT = 500


class MenuError(InvalidOptionError):
    """A menu file cannot be read or breaks a rule; ``cue`` is the M-number (or place) and
    ``field`` the field it is about, where known."""

    cue: str | None = None


@dataclass(frozen=True)
class Cue:
    """One line of the menu. ``length`` is in seconds; ``motifs`` are motif names; ``key`` and
    ``tempo`` (optional) override the plan; ``mood`` is added to the description."""

    m: str
    title: str
    use: str
    description: str
    length: float
    ending: str
    motifs: tuple[str, ...] = ()
    mood: str = ""
    key: str | None = None
    tempo: float | None = None

    @property
    def number(self) -> int:
        """The number of the M-number (``M-12a`` → 12)."""
        return int(_M_RE.fullmatch(self.m)[1])  # type: ignore[index]


@dataclass(frozen=True)
class Menu:
    """A checked menu: title, composer credit, the shared palette (a style, a line-up such as
    ``orchestra`` or an instrument list; ``None``: the theme's), the main key (``None``: the
    theme's), motifs given inline (name, notes) and the cues in order."""

    title: str
    cues: tuple[Cue, ...]
    composer: str = "gekiban"
    palette: str | None = None
    key: str | None = None
    motifs: tuple[tuple[str, str], ...] = ()

    def cue(self, m: str) -> Cue:
        """The cue with M-number ``m``."""
        for c in self.cues:
            if c.m == normalise_m(m):
                return c
        raise KeyError(m)


def _error(where: str, field: str | None, message: str, cue: str | None = None) -> MenuError:
    if cue and not message.startswith(cue):
        message = f"{cue}: {message}"
    err = MenuError(f"{where}: {message}")
    err.field = field
    err.cue = cue
    return err


def normalise_m(text: str) -> str:
    """``m1``, ``M1``, ``M-01`` → ``M-1``; ``M-12a`` → ``M-12a``. Raises ValueError if not one."""
    m = _M_RE.fullmatch(text.strip())
    if not m:
        raise ValueError(text)
    return f"M-{int(m[1])}{m[2].lower()}"


def _text(value: Any, where: str, field: str, cue: str | None, *, required: bool = False) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _error(where, field, f"{field} is missing: give it a value", cue)
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _error(where, field, f"{field} {value!r} must be text", cue)
    text = " ".join(str(value).split())
    if len(text) > _MAX_TEXT:
        raise _error(where, field, f"{field} is {len(text)} characters long: at most {_MAX_TEXT} are allowed", cue)
    return text


def _motif_names(value: Any, where: str, cue: str | None) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items = [v for v in re.split(r"[,;\s]+", value) if v]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise _error(where, "motifs", f"motifs {value!r} must be a list of motif names such as [hero]", cue)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or not _MOTIF_NAME_RE.fullmatch(item):
            raise _error(where, "motifs", f"motif name {item!r} is not allowed: 1-40 of a-z, 0-9 and -", cue)
        if item not in out:
            out.append(item)
    return tuple(out)


def _check_cue(raw: Any, place: int, where: str, seen: dict[str, int]) -> Cue:
    label = f"cue {place}"
    if not isinstance(raw, dict):
        raise _error(where, None, f"{label} must be a mapping of fields (m, title, use, …), not {type(raw).__name__}")
    m_raw = raw.get("m")
    if m_raw is None or str(m_raw).strip() == "":
        raise _error(where, "m", f"{label} has no M-number: give m: M-{place}", label)
    try:
        m = normalise_m(str(m_raw))
    except ValueError:
        raise _error(where, "m", f"{label}: bad M-number {m_raw!r}: write M-1, M-2 … (M-12a for a version)", label) from None
    label = m
    unknown = [str(k) for k in raw if k not in CUE_KEYS]
    if unknown:
        raise _error(where, unknown[0], f"{m}: unknown field {unknown[0]!r}: the fields are {', '.join(CUE_KEYS)}", m)
    if m in seen:
        raise _error(where, "m", f"{m} appears twice (cues {seen[m]} and {place}): each M-number names one cue", m)
    seen[m] = place
    title = _text(raw.get("title"), where, "title", m, required=True)
    use_raw = _text(raw.get("use"), where, "use", m) or "scene"
    use = USE_WORDS.get(use_raw, USE_WORDS.get(use_raw.lower(), use_raw.lower()))
    if use not in USES:
        raise _error(where, "use", f"{m}: unknown use {use_raw!r}: use one of {', '.join(USES)} (or 情景, 感情, 状況)", m)
    description = _text(raw.get("description"), where, "description", m) or title
    length = _length(raw.get("length"), use, where, m)
    ending_raw = _text(raw.get("ending"), where, "ending", m)
    ending = ENDING_WORDS.get(ending_raw, ending_raw.lower()) if ending_raw else ("button" if use == "stinger" else "ring")
    if ending not in ENDINGS:
        raise _error(where, "ending", f"{m}: unknown ending {ending_raw!r}: use one of {', '.join(ENDINGS)}", m)
    names = _motif_names(raw.get("motifs"), where, m)
    key = _text(raw.get("key"), where, "key", m) or None
    if key is not None:
        try:
            parse_key(key)
        except InvalidOptionError as exc:
            raise _error(where, "key", f"{m}: {exc}", m) from None
    tempo = None
    if raw.get("tempo") not in (None, ""):
        try:
            tempo = parse_tempo(raw["tempo"])
        except InvalidOptionError as exc:
            raise _error(where, "tempo", f"{m}: {exc}", m) from None
    return Cue(m=m, title=title, use=use, description=description, length=length, ending=ending, motifs=names,
               mood=_text(raw.get("mood"), where, "mood", m), key=key, tempo=tempo)


def _length(value: Any, use: str, where: str, m: str) -> float:
    if value is None or value == "":
        return DEFAULT_LENGTH.get(use, DEFAULT_LENGTH_S)
    if isinstance(value, bool):
        raise _error(where, "length", f"{m}: bad length {value!r}: give seconds (60) or m:ss (1:30)", m)
    try:
        seconds = parse_duration(value)
    except InvalidOptionError as exc:
        raise _error(where, "length", f"{m}: {exc}", m) from None
    if seconds < 1.0 or seconds > MAX_CUE_S:
        raise _error(where, "length", f"{m}: length {value!r} is {seconds:g} s: a cue is 1 s to {MAX_CUE_S:g} s", m)
    return seconds


def _inline_motifs(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _error(where, "motifs", f'motifs must map names to notes, e.g. {{hero: "D4 F#4 A4-"}}, not {value!r}')
    out: dict[str, str] = {}
    for name, notes in value.items():
        if not isinstance(name, str) or not _MOTIF_NAME_RE.fullmatch(name):
            raise _error(where, "motifs", f"motif name {name!r} is not allowed: 1-40 of a-z, 0-9 and -")
        if not isinstance(notes, str) or not notes.strip():
            raise _error(where, "motifs", f'motif {name!r} needs its notes as text, e.g. "D4 F#4 A4-"')
        try:
            parse_notes(notes)
        except InvalidOptionError as exc:
            raise _error(where, "motifs", f"motif {name!r}: {exc}") from None
        out[name] = " ".join(notes.split())
    return out


def parse_menu(data: Any, *, where: str = "menu", default_title: str = "") -> Menu:
    """A :class:`Menu` from the mapping a YAML menu file holds (see :func:`read_menu`).

    Raises
    ------
    MenuError
        Naming the cue and the field: an unknown field, a missing title, a duplicate
        M-number, a bad use, length, ending, key, tempo or motif, no cues.
    """
    if not isinstance(data, dict):
        raise _error(where, None, f"a menu is a mapping with title, cues, …, not {type(data).__name__}")
    unknown = [str(k) for k in data if k not in MENU_KEYS]
    if unknown:
        raise _error(where, unknown[0], f"unknown field {unknown[0]!r}: a menu has {', '.join(MENU_KEYS)}")
    title = _text(data.get("title"), where, "title", None) or default_title
    if not title:
        raise _error(where, "title", "the menu has no title: give title: …")
    composer = _text(data.get("composer"), where, "composer", None) or "gekiban"
    palette = _text(data.get("palette"), where, "palette", None) or None
    if isinstance(data.get("palette"), list):
        palette = ", ".join(str(p) for p in data["palette"])
    key = _text(data.get("key"), where, "key", None) or None
    if key is not None:
        try:
            parse_key(key)
        except InvalidOptionError as exc:
            raise _error(where, "key", str(exc)) from None
    motifs = _inline_motifs(data.get("motifs"), where)
    raw_cues = data.get("cues")
    if not isinstance(raw_cues, list) or not raw_cues:
        raise _error(where, "cues", "the menu has no cues: give cues: as a list of M-1, M-2 …")
    if len(raw_cues) > MAX_CUES:
        raise _error(where, "cues", f"the menu has {len(raw_cues)} cues: at most {MAX_CUES} are allowed")
    seen: dict[str, int] = {}
    cues = tuple(_check_cue(raw, i + 1, where, seen) for i, raw in enumerate(raw_cues))
    return Menu(title=title, cues=cues, composer=composer, palette=palette, key=key, motifs=tuple(motifs.items()))


def _csv_menu(text: str, where: str) -> dict[str, Any]:
    """A CSV menu as the YAML mapping: ``# field: value`` lines above the header give the menu's
    title, composer, palette and key (``# motif NAME: NOTES`` an inline motif); each row a cue."""
    head: dict[str, Any] = {}
    motifs: dict[str, str] = {}
    lines = text.splitlines()
    body_start = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            body_start = i
            break
        name, sep, value = stripped.lstrip("#").partition(":")
        name = name.strip()
        if not sep:
            continue
        if name.startswith("motif "):
            motifs[name.removeprefix("motif ").strip()] = value.strip()
        elif name in ("title", "composer", "palette", "key"):
            head[name] = value.strip()
        else:
            raise _error(where, name, f"unknown menu field {name!r} in a '#' line: use title, composer, palette, key "
                                      "or 'motif NAME'")
    else:
        body_start = len(lines)
    reader = csv.DictReader(io.StringIO("\n".join(lines[body_start:])))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    unknown = [c for c in columns if c not in CUE_KEYS]
    if unknown:
        raise _error(where, unknown[0], f"unknown column {unknown[0]!r}: the columns are {', '.join(CUE_KEYS)}")
    cues = []
    for row in reader:
        if None in row:
            raise _error(where, None, f"row {reader.line_num} has more cells than the header has columns")
        cues.append({k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if v not in (None, "")})
    if motifs:
        head["motifs"] = motifs
    return {**head, "cues": cues}


def read_menu(path: str | os.PathLike[str]) -> Menu:
    """Read and check a menu file: YAML (``.yaml``/``.yml``, read with ``yaml.safe_load``) or CSV
    (``.csv``: one cue a row, the same columns, UTF-8 with or without a BOM).

    Raises
    ------
    MenuError
        For a file that cannot be read or parsed, or any bad field (see :func:`parse_menu`).
    """
    p = Path(path)
    where = str(p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _error(where, None, f"cannot read the menu: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _error(where, None, "the menu is not UTF-8 text") from None
    if p.suffix.lower() == ".csv":
        data: Any = _csv_menu(text, where)
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" (line {mark.line + 1})" if mark is not None else ""
            raise _error(where, None, f"not a YAML menu{at}: {getattr(exc, 'problem', None) or exc}") from None
    return parse_menu(data, where=where, default_title=p.stem)
