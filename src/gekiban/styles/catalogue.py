"""The style catalogue: shipped styles by name, the user's own (learned) styles by name from
the data folder's ``styles/``, style files by path, and the progressions that fit a style in a
mode."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from gekiban.errors import StyleError
from gekiban.home import data_home
from gekiban.styles.checks import data_text
from gekiban.styles.grooves import load_grooves
from gekiban.styles.progressions import load_progressions, progression_fits
from gekiban.styles.reader import parse_style
from gekiban.styles.schema import Groove, Progression, Style

# Without a style marked ``default = true``, the first style tagged with one of these is used.
DEFAULT_STYLE_TAGS = ("hopeful", "calm", "gentle", "peaceful")


def _normalise(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


@cache
def style_names() -> tuple[str, ...]:
    """Names of the shipped styles, sorted."""
    folder = resources.files("gekiban").joinpath("data/styles")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


@cache
def _shipped(name: str) -> Style:
    relative = f"data/styles/{name}.toml"
    return parse_style(data_text(relative), relative, name)


@cache
def _user_file(path: str, mtime: float) -> Style:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise StyleError(f"{path}: cannot read style file: {exc.strerror or exc}") from None
    return parse_style(text, path, p.stem)


def user_styles_dir() -> Path:
    """The folder of the user's own styles: ``styles/`` in the data folder
    (:func:`gekiban.home.data_home`), where ``gekiban style learn`` writes."""
    return data_home() / "styles"


def user_style_names() -> tuple[str, ...]:
    """Names of the user's own styles (``*.toml`` in :func:`user_styles_dir`), sorted; a file
    named like a shipped style is left out (the shipped one wins)."""
    folder = user_styles_dir()
    if not folder.is_dir():
        return ()
    shipped = set(style_names())
    return tuple(sorted(p.stem for p in folder.glob("*.toml") if p.is_file() and p.stem not in shipped
                        and not p.name.startswith(".")))


def user_styles() -> tuple[dict[str, Style], dict[str, str]]:
    """The user's own styles by name (each file read once per modification), and the files
    that cannot be read, by name, with the reason: a broken file of the user's is not fatal to
    a listing."""
    styles: dict[str, Style] = {}
    broken: dict[str, str] = {}
    for name in user_style_names():
        try:
            styles[name] = _user_style(name)
        except StyleError as exc:
            broken[name] = str(exc)
    return styles, broken


def _user_style(name: str) -> Style:
    path = user_styles_dir() / f"{name}.toml"
    return _user_file(str(path.resolve()), path.stat().st_mtime)


def _looks_like_path(text: str) -> bool:
    return text.endswith(".toml") or "/" in text or "\\" in text


def load_style(name_or_path: str | Path) -> Style:
    """Load a shipped style by name (``"lofi"``), one of the user's own styles by name (a file
    in :func:`user_styles_dir`), or a style file by path (``"my.toml"``).

    Results are cached; a user file is re-read when its modification time changes.

    Raises
    ------
    StyleError
        If the name is unknown (the message lists close names and points to
        ``gekiban styles``), the file is missing, or the file is malformed (the message names
        the file, the field and the problem).
    """
    if isinstance(name_or_path, Path) or _looks_like_path(str(name_or_path)):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise StyleError(f"{path}: no such style file")
        return _user_file(str(path.resolve()), path.stat().st_mtime)
    name = _normalise(str(name_or_path))
    if name in style_names():
        return _shipped(name)
    if (user_styles_dir() / f"{name}.toml").is_file():
        return _user_style(name)
    raise StyleError(_unknown_style_message(str(name_or_path), name))


def _unknown_style_message(raw: str, name: str) -> str:
    names = style_names() + user_style_names()
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    word = name.replace("-", " ")
    tagged = [s for s in style_names() if s not in close and any(word == t.lower() for t in _shipped(s).tags)]
    suggestions = (close + tagged)[:5]
    hint = f"; close: {', '.join(suggestions)}" if suggestions else ""
    return f"unknown style {raw!r}{hint}. Run `gekiban styles` to list all styles, or pass a path to a .toml style file"


def find_style(name: str, styles: Mapping[str, Style] | None = None) -> Style:
    """A style by name from ``styles`` (default: the shipped ones, through :func:`load_style`);
    a path always names a style file.

    Raises
    ------
    StyleError
        If the name is unknown, listing the styles there are.
    """
    if styles is None or isinstance(name, Path) or _looks_like_path(str(name)):
        return load_style(name)
    key = _normalise(str(name))
    if key not in styles:
        close = difflib.get_close_matches(key, list(styles), n=3, cutoff=0.5)
        hint = f"; close: {', '.join(close)}" if close else ""
        raise StyleError(f"unknown style {name!r}{hint}: choose one of {', '.join(styles)}")
    return styles[key]


def all_styles() -> dict[str, Style]:
    """Every shipped style by name, sorted by name."""
    return {name: _shipped(name) for name in style_names()}


def describe_styles() -> list[tuple[str, str]]:
    """``(name, description)`` of every shipped style, sorted by name (for ``gekiban styles``)."""
    return [(name, style.description) for name, style in all_styles().items()]


def style_progressions(style: Style) -> dict[str, Progression]:
    """The progressions a style's pools may name: the catalogue's and the style's own."""
    return {**load_progressions(), **{p.name: p for p in style.progressions}}


def style_grooves(style: Style) -> dict[str, Groove]:
    """The grooves a style's roles may name: the catalogue's and the style's own."""
    return {**load_grooves(), **{g.name: g for g in style.grooves}}


def progressions_for(style: Style, mode: str, kind: str | None = None) -> tuple[Progression, ...]:
    """The progressions of ``style`` that fit a key of ``mode``, for a section ``kind``.

    Uses the section's pool when it has one, else the general pool; falls back to every
    catalogue progression that fits the mode when the pool has none (a blended or user
    style in an unusual mode).
    """
    catalogue = style_progressions(style)
    for pool in ((style.harmony.pool(kind) if kind else ()), style.harmony.progressions):
        fitting = tuple(catalogue[n] for n in pool if n in catalogue and progression_fits(catalogue[n], mode))
        if fitting:
            return fitting
    return tuple(p for p in catalogue.values() if progression_fits(p, mode))


def default_style_name(styles: Mapping[str, Style]) -> str:
    """The style used when the prompt names none: the one marked ``default = true``, else a
    calm or hopeful one by its tags, else the first."""
    for name, style in styles.items():
        if style.default:
            return name
    for tag in DEFAULT_STYLE_TAGS:
        for name, style in styles.items():
            if tag in style.tags:
                return name
    if not styles:
        raise StyleError("no styles are installed: the style library is empty")
    return next(iter(styles))
