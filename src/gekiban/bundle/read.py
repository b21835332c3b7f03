"""Reading a bundle back: its Score, Brief, Style and metadata, for edits, variations and
extensions.

A bundle is a folder written by :func:`gekiban.bundle.write.write_bundle`: ``track.json`` and
``score.mid`` are required (the audio is re-rendered, never reused). The Score comes from
``score.mid`` (whose gekiban meta event gives back the sections and chords), with its length in
bars from ``track.json`` (the MIDI file also holds the release of the last notes). The Brief comes
from the ``"request"`` block of ``track.json`` (every field of the resolved brief), or, for
bundles written before it existed, from the ``"brief"`` block and the score.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from gekiban.audio.targets import parse_loudness
from gekiban.bundle.folders import listed_files
from gekiban.bundle.schema import (
    MIX_FORMATS,
    brief_from_dict,
    evidence_from_dict,
    legacy_request,
)
from gekiban.errors import (
    BundleError,
    InvalidOptionError,
    MidiError,
    ScoreError,
    StyleError,
)
from gekiban.midi import read_midi
from gekiban.roles import base_role, is_role
from gekiban.score import Score
from gekiban.styles import resolve_style
from gekiban.styles.schema import Style
from gekiban.understand.brief import Brief
from gekiban.understand.options import SAMPLE_RATES


def check_bundle(directory: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    """Check that ``directory`` is a bundle and return it with its parsed ``track.json``.

    Raises
    ------
    BundleError
        If the folder does not exist, lacks ``track.json`` or ``score.mid`` or a file
        ``track.json`` lists, or ``track.json`` is not a gekiban track description; the message
        names the folder and what is missing.
    """
    folder = Path(directory).expanduser()
    hint = "a bundle is a folder written by `gekiban compose` (track.json, score.mid, mix, stems)"
    if not folder.exists():
        raise BundleError(f"bundle folder {str(folder)!r} does not exist: {hint}")
    if not folder.is_dir():
        raise BundleError(f"{str(folder)!r} is a file, not a bundle folder: {hint}")
    meta_path, midi_path = folder / "track.json", folder / "score.mid"
    missing = [p.name for p in (meta_path, midi_path) if not p.is_file()]
    if missing:
        raise BundleError(f"{str(folder)!r} is not a gekiban bundle: no {' or '.join(missing)} in it ({hint})")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"cannot read {meta_path}: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise BundleError(f"{meta_path} is not valid JSON ({exc}): {hint}") from None
    if not isinstance(meta, dict) or "gekiban" not in meta or not isinstance(meta.get("brief"), dict):
        raise BundleError(f"{meta_path} is not a gekiban track description (no \"gekiban\" version or \"brief\"): {hint}")
    if isinstance(meta.get("files"), dict):
        missing = sorted(f for f in listed_files(meta) if not _is_file(folder / f))
        if missing:
            raise BundleError(f"{str(folder)!r} is an incomplete bundle: {', '.join(missing[:3])}"
                              f"{f' and {len(missing) - 3} more' if len(missing) > 3 else ''} missing")
    return folder, meta


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, say
        return False


def load_bundle(directory: str | os.PathLike[str]) -> tuple[Score, Brief, Style, dict[str, Any]]:
    """Read a bundle: its Score, the Brief it was made from, its Style and ``track.json``.

    Parameters
    ----------
    directory
        A folder written by :func:`gekiban.bundle.write.write_bundle`.

    Returns
    -------
    tuple
        ``(score, brief, style, meta)``. ``meta`` is the parsed ``track.json``.

    Raises
    ------
    BundleError
        If the folder is not a bundle, its MIDI cannot be read, or its files disagree.
    StyleError
        If the bundle's style (a style file, say) can no longer be found.
    """
    folder, meta = check_bundle(directory)
    try:
        score = read_midi(folder / "score.mid")
    except MidiError as exc:
        raise BundleError(f"{str(folder)!r} is not a usable bundle: {exc}") from None
    bars = meta.get("bars")
    if isinstance(bars, int) and not isinstance(bars, bool) and bars >= 1:
        try:
            score = replace(score, bars=bars)  # the MIDI file runs on through the last release
        except ScoreError as exc:
            raise BundleError(f"{str(folder)!r}: track.json says {bars} bars: {exc}; the bundle was changed by hand") from None
    if not score.sections:
        raise BundleError(f"{str(folder)!r}: score.mid has lost the sections gekiban keeps in it; the bundle was "
                          "changed by hand")
    if score.sections[-1].end_bar != score.bars:
        raise BundleError(f"{str(folder)!r}: the sections of score.mid end at bar {score.sections[-1].end_bar} but the "
                          f"cue has {score.bars} bars; the bundle was changed by hand")
    bundle_loudness(meta)  # a bad delivery setting is refused now, before any work
    if not score.parts:
        raise BundleError(f"{str(folder)!r} is not a usable bundle: score.mid has no notes")
    foreign = sorted({p.role for p in score.parts if not is_role(base_role(p.role))})
    if foreign:
        raise BundleError(f"{str(folder)!r}: score.mid has parts of role {', '.join(map(repr, foreign))}, which "
                          "gekiban does not write; the bundle was changed by hand")
    listed = meta.get("parts", [])
    if not isinstance(listed, list) or len(listed) not in (0, len(score.parts)):
        raise BundleError(f"{str(folder)!r}: track.json lists {len(listed) if isinstance(listed, list) else listed!r} "
                          f"parts but score.mid has {len(score.parts)}; the bundle was changed by hand")
    request = meta.get("request")
    if not isinstance(request, dict):
        request = legacy_request(meta, score)
    brief = brief_from_dict(request, evidence=evidence_from_dict(meta.get("evidence")))
    try:
        style = resolve_style(brief.style)[1]
    except StyleError as exc:
        raise StyleError(f"the style {brief.style!r} of bundle {str(folder)!r} cannot be loaded: {exc}") from None
    recorded = meta["brief"].get("duration", score.duration)
    if isinstance(recorded, bool) or not isinstance(recorded, (int, float)) or \
            not math.isclose(score.duration, float(recorded), abs_tol=0.01):
        raise BundleError(f"{str(folder)!r}: score.mid lasts {score.duration:.3f} s but track.json says "
                          f"{meta['brief']['duration']} s; the bundle was changed by hand")
    return score, brief, style, meta


def bundle_sample_rate(meta: dict[str, Any]) -> int:
    """The sample rate a bundle was rendered at (48000 when not recorded)."""
    sr = meta.get("sample_rate", 48000)
    return sr if sr in SAMPLE_RATES else 48000


def bundle_loudness(meta: dict[str, Any]) -> float:
    """The loudness target a bundle was mastered to (-14 LUFS when not recorded).

    Raises
    ------
    BundleError
        If the recorded target is not a loudness gekiban masters to.
    """
    target = meta.get("loudness", {}).get("target_lufs") if isinstance(meta.get("loudness"), dict) else None
    if target is None:
        return -14.0
    try:
        return parse_loudness(target if isinstance(target, str) else repr(target))
    except InvalidOptionError as exc:
        raise BundleError(f"track.json records a loudness target gekiban cannot master to: {exc}") from None


def bundle_format(meta: dict[str, Any]) -> str:
    """The format of a bundle's mix (``wav``, ``flac`` or ``mp3``)."""
    name = str(meta.get("files", {}).get("mix", "mix.wav")) if isinstance(meta.get("files"), dict) else "mix.wav"
    ext = name.rsplit(".", 1)[-1].lower()
    return ext if ext in MIX_FORMATS else "wav"


def bundle_has_layers(meta: dict[str, Any]) -> bool:
    """True when the bundle was written with intensity layers."""
    return isinstance(meta.get("layers"), dict)
