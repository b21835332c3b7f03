"""Styles: what a named musical style asks of each stage, read from TOML files.

* :mod:`~gekiban.styles.schema` holds the frozen value types (:class:`Style`, :class:`RoleSpec`,
  :class:`Progression`, :class:`Groove` ...) and the words a style file may use;
* :mod:`~gekiban.styles.reader` reads and checks one style file;
* :mod:`~gekiban.styles.progressions` and :mod:`~gekiban.styles.grooves` are the catalogues of
  chord progressions and drum grooves a style names;
* :mod:`~gekiban.styles.catalogue` finds shipped styles and the user's own by name, style files
  by path;
* :mod:`~gekiban.styles.blend` reads ``"lofi:0.7+chiptune:0.3"`` and mixes styles into one.

``docs/styles.md`` documents the file format.
"""

from __future__ import annotations

from gekiban.styles.blend import blend, parse_style_spec, resolve_style
from gekiban.styles.catalogue import (
    all_styles,
    default_style_name,
    describe_styles,
    find_style,
    load_style,
    progressions_for,
    style_grooves,
    style_names,
    style_progressions,
    user_style_names,
    user_styles,
    user_styles_dir,
)
from gekiban.styles.grooves import groove_for, load_grooves
from gekiban.styles.progressions import load_progressions, progression_fits
from gekiban.styles.schema import (
    Groove,
    HarmonySpec,
    MelodySpec,
    Progression,
    RoleSpec,
    Style,
)

__all__ = [
    "Groove", "HarmonySpec", "MelodySpec", "Progression", "RoleSpec", "Style", "all_styles", "blend",
    "default_style_name", "describe_styles", "find_style", "groove_for", "load_grooves", "load_progressions",
    "load_style", "parse_style_spec", "progression_fits", "progressions_for", "resolve_style", "style_grooves",
    "style_names", "style_progressions", "user_style_names", "user_styles", "user_styles_dir",
]
