"""Checked readers for the TOML data files (styles, progressions, grooves).

Every problem becomes a :class:`~gekiban.errors.StyleError` whose message reads
``FILE: FIELD: problem``, naming the value and what is allowed.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from importlib import resources
from typing import Any

from gekiban.errors import GekibanError, StyleError
from gekiban.theory import MODES, parse_key, parse_meter


class Reader:
    """Where we are while reading a file: builds ``FILE: FIELD: problem`` errors."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, field: str, problem: str) -> StyleError:
        return StyleError(f"{self.file}: {field}: {problem}")

    def unknown_keys(self, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                label = f"{where}.{key}" if where else key
                raise self.error(label, f"unknown field (allowed: {', '.join(allowed)}){hint}")

    def string(self, value: Any, field: str, *, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.error(field, f"must be a string, got {kind_of(value)}")
        if not empty and not value.strip():
            raise self.error(field, "must not be empty")
        return value.strip()

    def strings(self, value: Any, field: str, *, empty: bool = False) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.error(field, f"must be a list of strings, got {kind_of(value)}")
        if not value and not empty:
            raise self.error(field, "must list at least one value")
        return tuple(self.string(v, f"{field}[{i}]") for i, v in enumerate(value))

    def number(self, value: Any, field: str, lo: float, hi: float) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(field, f"must be a number from {lo:g} to {hi:g}, got {kind_of(value)}")
        if not (lo <= value <= hi) or math.isnan(value):
            raise self.error(field, f"{value!r} is out of range: use a number from {lo:g} to {hi:g}")
        return float(value)

    def integer(self, value: Any, field: str, lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(field, f"must be a whole number from {lo} to {hi}, got {kind_of(value)}")
        if not lo <= value <= hi:
            raise self.error(field, f"{value!r} is out of range: use a whole number from {lo} to {hi}")
        return value

    def boolean(self, value: Any, field: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(field, f"must be true or false, got {kind_of(value)}")
        return value

    def table(self, value: Any, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(field, f"must be a table ([{field}]), got {kind_of(value)}")
        return value

    def choice(self, value: Any, field: str, allowed: tuple[str, ...]) -> str:
        text = self.string(value, field)
        if text not in allowed:
            close = difflib.get_close_matches(text, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise self.error(field, f"unknown value {text!r} (allowed: {', '.join(allowed)}){hint}")
        return text


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a string ({value!r})"
    return f"{type(value).__name__} {value!r}"


def read_toml(text: str, ctx: Reader) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ctx.error("(syntax)", f"not valid TOML: {exc}") from None


def data_text(relative: str) -> str:
    return resources.files("gekiban").joinpath(relative).read_text(encoding="utf-8")


def did_you_mean(name: str, choices: Any) -> str:
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def read_meter(text: Any, field: str, ctx: Reader) -> str:
    if not isinstance(text, str):
        raise ctx.error(field, f"must be a meter string such as \"4/4\", got {kind_of(text)}")
    try:
        return str(parse_meter(text))
    except GekibanError as exc:
        raise ctx.error(field, str(exc)) from None


def read_mode(text: Any, field: str, ctx: Reader) -> str:
    name = ctx.string(text, field)
    try:
        return parse_mode(name)
    except GekibanError:
        close = difflib.get_close_matches(name.lower(), list(MODES), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ctx.error(field, f"unknown mode {name!r} (allowed: {', '.join(MODES)}){hint}") from None


def parse_mode(name: str) -> str:
    return parse_key(f"C {name}").mode
