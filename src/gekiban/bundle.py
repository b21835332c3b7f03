"""Reading a bundle back: its Score, Brief, Style and metadata, for edits, variations and
extensions.

A bundle is a folder written by :func:`gekiban.export.save_bundle`: ``track.json`` and
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

from gekiban.brief import Brief, brief_style
from gekiban.errors import InvalidOptionError, MidiError, StyleError
from gekiban.score import Score
from gekiban.style import Style
from gekiban.theory import MODES, Key, parse_key, parse_meter

__all__ = ["BundleError", "brief_from_dict", "bundle_format", "bundle_has_layers", "bundle_loudness", "bundle_sample_rate",
           "check_bundle", "load_bundle"]


class BundleError(InvalidOptionError):
    """A folder is not a gekiban bundle, or its files do not agree."""


def check_bundle(directory: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    """Check that ``directory`` is a bundle and return it with its parsed ``track.json``.

    Raises
    ------
    BundleError
        If the folder does not exist, lacks ``track.json`` or ``score.mid``, or ``track.json``
        is not a gekiban track description; the message names the folder and what is missing.
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
    except ValueError as exc:
        raise BundleError(f"{meta_path} is not valid JSON ({exc}): {hint}") from None
    if not isinstance(meta, dict) or "gekiban" not in meta or not isinstance(meta.get("brief"), dict):
        raise BundleError(f"{meta_path} is not a gekiban track description (no \"gekiban\" version or \"brief\"): {hint}")
    return folder, meta


def _key(value: Any) -> Key:
    if isinstance(value, dict) and isinstance(value.get("tonic"), int) and value.get("mode") in MODES:
        return Key(int(value["tonic"]) % 12, str(value["mode"]))
    return parse_key(str(value))


def brief_from_dict(d: dict[str, Any], *, evidence: dict[str, str] | None = None) -> Brief:
    """A :class:`Brief` from :func:`gekiban.export.brief_to_dict` output.

    Raises
    ------
    BundleError
        If a field is missing or malformed.
    """
    try:
        return Brief(
            prompt=str(d.get("prompt", "")), style=str(d["style"]), mood=str(d.get("mood", "")),
            energy=float(d["energy"]), tension=float(d["tension"]), tempo=float(d["tempo"]), key=_key(d["key"]),
            meter=parse_meter(str(d["meter"])), duration=float(d["duration"]),
            instruments=tuple(d.get("instruments", ())), exclude=tuple(d.get("exclude", ())),
            loop=bool(d.get("loop", False)), seed=int(d.get("seed", 0)), evidence=dict(evidence or {}),
            style_blend=tuple((str(n), float(w)) for n, w in d.get("style_blend", ())),
            chords=tuple(d.get("chords", ())), motif=tuple((float(a), float(b), int(c)) for a, b, c in d.get("motif", ())),
            arc=tuple((float(t), float(i), float(x)) for t, i, x in d.get("arc", ())),
            hits=tuple(float(h) for h in d.get("hits", ())), ending=str(d.get("ending", "ring")), cue=str(d.get("cue", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"the brief recorded in track.json is incomplete or malformed ({type(exc).__name__}: {exc})") from None


def _legacy_request(meta: dict[str, Any], score: Score) -> dict[str, Any]:
    """A request block for a bundle written before track.json carried one."""
    b = meta["brief"]
    loop = bool(b.get("loop", False))
    return {
        "prompt": meta.get("prompt", ""), "style": b["style"], "mood": b.get("mood", ""), "energy": b.get("energy", 0.5),
        "tension": b.get("tension", 0.3), "tempo": score.tempo[0].bpm, "key": {"tonic": score.key.tonic, "mode": score.key.mode},
        "meter": str(score.meter), "duration": b.get("requested_duration", score.duration), "instruments": [],
        "exclude": b.get("exclude", []), "loop": loop, "seed": meta.get("seed", 0),
        "ending": b.get("ending", "loop" if loop else "ring"), "cue": b.get("cue", ""), "hits": b.get("hits", []),
        "arc": b.get("arc", []), "exact_tempo": True,
    }


def load_bundle(directory: str | os.PathLike[str]) -> tuple[Score, Brief, Style, dict[str, Any]]:
    """Read a bundle: its Score, the Brief it was made from, its Style and ``track.json``.

    Parameters
    ----------
    directory
        A folder written by :func:`gekiban.export.save_bundle`.

    Returns
    -------
    tuple
        ``(score, brief, style, meta)``. ``meta`` is the parsed ``track.json``, with
        ``meta["request"]["exact_tempo"]`` saying whether the tempo was the user's own.

    Raises
    ------
    BundleError
        If the folder is not a bundle, its MIDI cannot be read, or its files disagree.
    StyleError
        If the bundle's style (a style file, say) can no longer be found.
    """
    from gekiban.midi import read_midi

    folder, meta = check_bundle(directory)
    try:
        score = read_midi(folder / "score.mid")
    except MidiError as exc:
        raise BundleError(f"{str(folder)!r} is not a usable bundle: {exc}") from None
    bars = meta.get("bars")
    if isinstance(bars, int) and bars >= 1:
        score = replace(score, bars=bars)  # the MIDI file runs on through the last release
    if not score.parts:
        raise BundleError(f"{str(folder)!r} is not a usable bundle: score.mid has no notes")
    if len(meta.get("parts", [])) not in (0, len(score.parts)):
        raise BundleError(f"{str(folder)!r}: track.json lists {len(meta['parts'])} parts but score.mid has "
                          f"{len(score.parts)}; the bundle was changed by hand")
    request = meta.get("request")
    if not isinstance(request, dict):
        request = _legacy_request(meta, score)
        meta["request"] = request
    request.setdefault("exact_tempo", True)
    brief = brief_from_dict(request, evidence=meta.get("evidence") if isinstance(meta.get("evidence"), dict) else None)
    try:
        style = brief_style(brief)
    except StyleError as exc:
        raise StyleError(f"the style {brief.style!r} of bundle {str(folder)!r} cannot be loaded: {exc}") from None
    if not math.isclose(score.duration, float(meta.get("brief", {}).get("duration", score.duration)), abs_tol=0.01):
        raise BundleError(f"{str(folder)!r}: score.mid lasts {score.duration:.3f} s but track.json says "
                          f"{meta['brief']['duration']} s; the bundle was changed by hand")
    return score, brief, style, meta


def bundle_sample_rate(meta: dict[str, Any]) -> int:
    """The sample rate a bundle was rendered at (48000 when not recorded)."""
    sr = meta.get("sample_rate", 48000)
    return sr if sr in (44100, 48000) else 48000


def bundle_loudness(meta: dict[str, Any]) -> float:
    """The loudness target a bundle was mastered to (-14 LUFS when not recorded)."""
    target = meta.get("loudness", {}).get("target_lufs") if isinstance(meta.get("loudness"), dict) else None
    return float(target) if isinstance(target, (int, float)) else -14.0


def bundle_format(meta: dict[str, Any]) -> str:
    """The format of a bundle's mix (``wav``, ``flac`` or ``mp3``)."""
    name = str(meta.get("files", {}).get("mix", "mix.wav")) if isinstance(meta.get("files"), dict) else "mix.wav"
    ext = name.rsplit(".", 1)[-1].lower()
    return ext if ext in ("wav", "flac", "mp3") else "wav"


def bundle_has_layers(meta: dict[str, Any]) -> bool:
    """True when the bundle was written with intensity layers."""
    return isinstance(meta.get("layers"), dict)


