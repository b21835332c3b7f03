"""Learning a style from a user's MIDI files (``gekiban style learn``).

* :mod:`~gekiban.learn.read` reads each file with pretty_midi into lines of notes in beats;
* :mod:`~gekiban.learn.roles` finds the lead, bass, pad, ostinato, counter and drums;
* :mod:`~gekiban.learn.harmony` the key, mode, a chord per beat and Roman numerals;
* :mod:`~gekiban.learn.rhythm` the lead's rhythm cells and moves, grooves, figures, swing,
  phrase and section lengths;
* :mod:`~gekiban.learn.analyse` gathers them per file, :mod:`~gekiban.learn.build` pools them
  into a style file (:mod:`~gekiban.learn.write`), :mod:`~gekiban.learn.features` measures how
  close two sets of music are on what was learned.

The style file goes to ``DATA/styles/NAME.toml`` (:func:`gekiban.styles.user_styles_dir`), where
``--style NAME`` and ``gekiban styles`` find it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from gekiban.atomic import atomic_write
from gekiban.errors import MidiError, StyleError
from gekiban.learn.analyse import Analysis, analyse
from gekiban.learn.build import Summary, build_style_text
from gekiban.learn.read import midi_files, read_piece
from gekiban.styles import style_names, user_styles_dir
from gekiban.styles.reader import parse_style
from gekiban.styles.schema import Style

#: The first line of every style file the learner writes (what it may replace or remove).
MARK = "# Learned by `gekiban style learn`"
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9\-]{0,47}")


@dataclass(frozen=True)
class Learned:
    """A learned style: the Style, its file, what it was learned from and the files skipped
    (each as ``"FILE: reason"``)."""

    style: Style
    path: Path
    summary: Summary
    skipped: tuple[str, ...]


def check_style_name(name: str) -> str:
    """A name for a learned style: lower-case letters, digits and '-', not a shipped style's.

    Raises
    ------
    StyleError
        Naming the value and what is allowed.
    """
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise StyleError(f"bad style name {name!r}: use 1-48 lower-case letters, digits and '-', starting with a letter or digit")
    if name in style_names():
        raise StyleError(f"{name!r} is a shipped style: give the learned style another name")
    return name


def analyse_files(paths: list[str | os.PathLike[str]]) -> tuple[list[Analysis], list[str]]:
    """Read and analyse every MIDI file ``paths`` name; files that cannot be read are skipped
    and reported (``"FILE: reason"``).

    Raises
    ------
    MidiError
        If a path does not exist or a folder holds no MIDI file.
    """
    analyses, skipped = [], []
    for path in midi_files(paths):
        try:
            analyses.append(analyse(read_piece(path)))
        except MidiError as exc:
            skipped.append(str(exc))
    return analyses, skipped


def learn_style(name: str, paths: list[str | os.PathLike[str]], *, family: str = "learned", replace: bool = False,
                folder: str | os.PathLike[str] | None = None) -> Learned:
    """Learn style ``name`` from MIDI files and folders and write it to ``folder`` (default
    the user's styles folder).

    Raises
    ------
    StyleError
        For a bad or shipped name, a style of that name already there (without ``replace``),
        a file there that the learner did not write, or music with too little in it.
    MidiError
        If a path is missing, or no file could be read (each reason given).
    """
    check_style_name(name)
    target = Path(folder).expanduser() if folder is not None else user_styles_dir()
    path = target / f"{name}.toml"
    _check_replace(path, replace)
    analyses, skipped = analyse_files(paths)
    if not analyses:
        raise MidiError("no MIDI file could be read: " + "; ".join(skipped))
    text, summary = build_style_text(name, analyses, family=family)
    style = parse_style(text, str(path), name)  # the reader checks the file like any other
    target.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    return Learned(style=style, path=path, summary=summary, skipped=tuple(skipped))


def remove_style(name: str, *, folder: str | os.PathLike[str] | None = None) -> Path:
    """Remove a learned style's file.

    Raises
    ------
    StyleError
        If there is no such learned style, or the file was not written by the learner.
    """
    check_style_name(name)
    path = (Path(folder).expanduser() if folder is not None else user_styles_dir()) / f"{name}.toml"
    if not path.is_file():
        raise StyleError(f"no learned style {name!r} in {str(path.parent)!r}")
    if not _written_by_learner(path):
        raise StyleError(f"{str(path)!r} was not written by `gekiban style learn`: remove it yourself if you mean to")
    path.unlink()
    return path


def _written_by_learner(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as f:
            return f.readline().startswith(MARK)
    except (OSError, UnicodeDecodeError):
        return False


def _check_replace(path: Path, replace: bool) -> None:
    if path.exists() and not path.is_file():
        raise StyleError(f"{str(path)!r} is not a file: the learned style cannot be written there")
    if path.is_file():
        if not _written_by_learner(path):
            raise StyleError(f"{str(path)!r} exists and was not written by `gekiban style learn`: it is left as it is; "
                             "choose another name")
        if not replace:
            raise StyleError(f"a learned style {path.stem!r} already exists ({str(path)!r}): pass --replace to learn it again")


__all__ = ["MARK", "Learned", "analyse_files", "check_style_name", "learn_style", "remove_style"]
