"""The on-disk schema of a bundle: file names, and the Brief and its evidence as JSON.

``track.json`` describes the cue (prompt, seed, resolved brief, form, chords, parts, loudness,
files) and holds ``"request"``, every field of the resolved Brief, and ``"evidence"``, where each
came from, so a bundle can be edited, varied or extended later; ``"origin"`` records what a
bundle made from another one was made from. Bundles written before a field existed still load.
"""

from __future__ import annotations

from typing import Any

from gekiban.errors import BundleError, InvalidOptionError
from gekiban.instruments import get_instrument
from gekiban.roles import is_role
from gekiban.score import Score
from gekiban.theory import MODES, Key, parse_key, parse_meter
from gekiban.understand.brief import Brief, Evidence, StyleMatch
from gekiban.understand.options import (
    check_motif,
    check_prompt,
    parse_duration,
    parse_instruments,
    parse_seed,
    parse_tempo,
)
from gekiban.understand.progressions import parse_chords
from gekiban.understand.timing import apply_timing

#: Mix formats a bundle may hold.
MIX_FORMATS = ("wav", "flac", "ogg", "mp3")

#: Stem formats: name → (file format, libsndfile subtype). Only ``float`` keeps the exact-sum
#: property (the stems add up to the mix before the limiter); the integer ones clip at full scale.
STEM_FORMATS: dict[str, tuple[str, str]] = {
    "float": ("wav", "FLOAT"), "wav16": ("wav", "PCM_16"), "wav24": ("wav", "PCM_24"),
    "flac16": ("flac", "PCM_16"), "flac24": ("flac", "PCM_24"),
}
#: Stem naming schemes: ``plain`` (``01-lead-french-horn.wav``) or ``tempo-key``
#: (``01-lead-french-horn_152bpm_Dm.wav``).
STEM_NAMES = ("plain", "tempo-key")
#: Delivery presets: ``video`` is a 48 kHz, 24-bit WAV mix with 24-bit WAV stems.
DELIVERIES = ("standard", "video")


def _choice(value: Any, allowed: tuple[str, ...] | dict[str, Any], what: str) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else value
    if text not in allowed:
        raise InvalidOptionError(f"unknown {what} {value!r}: use one of {', '.join(allowed)}")
    return str(text)


def parse_stems_format(value: Any) -> str:
    """``float`` (default, 32-bit float WAV: the only one whose stems sum exactly to the mix),
    ``wav16``, ``wav24``, ``flac16`` or ``flac24``.

    Raises
    ------
    InvalidOptionError
        For anything else.
    """
    return _choice(value, STEM_FORMATS, "stems format")


def parse_stem_names(value: Any) -> str:
    """``plain`` or ``tempo-key``.

    Raises
    ------
    InvalidOptionError
        For anything else.
    """
    return _choice(value, STEM_NAMES, "stem names")


def parse_delivery(value: Any) -> str:
    """``standard`` or ``video``.

    Raises
    ------
    InvalidOptionError
        For anything else.
    """
    return _choice(value, DELIVERIES, "delivery")


def key_tag(key: Key) -> str:
    """A short key for a file name: ``Dm``, ``F#``, ``Adorian``."""
    name = key.name.split()[0] if key.name else "C"
    return name + {"major": "", "minor": "m"}.get(key.mode, key.mode)


def stem_filename(index: int, role: str, instrument: str, *, tempo: float | None = None, key: Key | None = None,
                  suffix: str = "wav") -> str:
    """``NN-role-instrument.wav`` with a 1-based two-digit index (so a DAW sorts them in score
    order); with ``tempo`` and ``key``, ``NN-role-instrument_152bpm_Dm.wav``."""
    base = f"{index + 1:02d}-{role}-{instrument}"
    if tempo is not None and key is not None:
        base += f"_{tempo:g}bpm_{key_tag(key)}"
    return f"{base}.{suffix}"


def brief_to_dict(brief: Brief) -> dict[str, Any]:
    """Every field of a resolved Brief but its evidence as JSON-ready values (see
    :func:`brief_from_dict`); ``leitmotifs`` only when the cue has some."""
    out: dict[str, Any] = {
        "prompt": brief.prompt, "style": brief.style, "mood": brief.mood, "energy": brief.energy,
        "tension": brief.tension, "tempo": brief.tempo, "key": {"tonic": brief.key.tonic, "mode": brief.key.mode},
        "meter": str(brief.meter), "duration": brief.duration, "instruments": list(brief.instruments),
        "exclude": list(brief.exclude), "loop": brief.loop, "seed": brief.seed,
        "style_blend": [list(p) for p in brief.style_blend], "chords": list(brief.chords),
        "motif": [list(m) for m in brief.motif], "arc": [list(p) for p in brief.arc], "hits": list(brief.hits),
        "ending": brief.ending, "cue": brief.cue, "exact_tempo": brief.tempo_exact,
        "neighbours": [{"style": m.name, "score": m.score, "similarity": m.similarity, "sentence": m.sentence,
                        "keywords": list(m.keywords)} for m in brief.neighbours],
        "gloss": brief.gloss,
    }
    if brief.leitmotifs:
        out["leitmotifs"] = [{"name": name, "notes": [list(n) for n in notes]} for name, notes in brief.leitmotifs]
    return out


def evidence_to_dict(brief: Brief) -> dict[str, dict[str, str]]:
    """The evidence of each field: ``{"tempo": {"source": "prompt", "text": "prompt: 'at 140 bpm'"}}``."""
    return {name: {"source": ev.source, "text": ev.text} for name, ev in brief.evidence}


def evidence_from_dict(data: Any) -> tuple[tuple[str, Evidence], ...]:
    """Evidence pairs from ``track.json`` (a bundle written before sources were recorded has
    plain strings: their source reads ``"recorded"``)."""
    if not isinstance(data, dict):
        return ()
    out = []
    for name, value in data.items():
        if isinstance(value, dict) and isinstance(value.get("text"), str):
            out.append((str(name), Evidence(str(value.get("source", "recorded")), value["text"])))
        elif isinstance(value, str):
            out.append((str(name), Evidence("recorded", value)))
    return tuple(out)


def brief_from_dict(d: Any, *, evidence: tuple[tuple[str, Evidence], ...] = ()) -> Brief:
    """A :class:`Brief` from :func:`brief_to_dict` output (and the evidence recorded beside it),
    every field checked as the options are, so a hand-edited ``track.json`` is refused before work.

    Raises
    ------
    BundleError
        If a field is missing, malformed or out of range; the message names it.
    """
    if not isinstance(d, dict):
        raise BundleError(f"the brief recorded in track.json is not a JSON object: {type(d).__name__}")
    try:
        chords = tuple(str(c) for c in d.get("chords", ()))
        if chords:
            parse_chords(" ".join(chords))
        brief = Brief(
            prompt=check_prompt(str(d.get("prompt", ""))), style=str(d["style"]), mood=str(d.get("mood", "")),
            energy=_unit(d["energy"], "energy"), tension=_unit(d["tension"], "tension"), tempo=parse_tempo(d["tempo"]),
            key=_key(d["key"]), meter=parse_meter(str(d["meter"])), duration=parse_duration(d["duration"]),
            instruments=parse_instruments(d["instruments"], players=True) if d.get("instruments") else (),
            exclude=tuple(x if isinstance(x, str) and is_role(x) else get_instrument(str(x)).id for x in d.get("exclude", ())),
            loop=bool(d.get("loop", False)),
            seed=parse_seed(d.get("seed", 0)), tempo_exact=bool(d.get("exact_tempo", True)), evidence=evidence,
            style_blend=tuple((str(n), float(w)) for n, w in d.get("style_blend", ())), chords=chords,
            motif=check_motif(d["motif"]) if d.get("motif") else (),
            neighbours=tuple(StyleMatch(str(n["style"]), float(n["score"]), float(n.get("similarity", 0.0)),
                                        str(n.get("sentence", "")), tuple(str(k) for k in n.get("keywords", ())))
                             for n in d.get("neighbours", ())),
            gloss=str(d.get("gloss", "")),
            leitmotifs=tuple((str(m["name"]), check_motif(m["notes"])) for m in d.get("leitmotifs", ())),
        )
        return apply_timing(brief, arc=tuple(d.get("arc", ())), hits=tuple(float(h) for h in d.get("hits", ())),
                            ending=str(d.get("ending", "ring")), cue=str(d.get("cue", "")) or None)
    except InvalidOptionError as exc:
        raise BundleError(f"the brief recorded in track.json cannot be used: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleError(f"the brief recorded in track.json is incomplete or malformed ({type(exc).__name__}: {exc})") from None


def _unit(value: Any, name: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:  # NaN fails too
        raise BundleError(f"the brief recorded in track.json has {name} {value!r}: it must be within 0-1")
    return number


def _key(value: Any) -> Key:
    if isinstance(value, dict) and isinstance(value.get("tonic"), int) and value.get("mode") in MODES:
        return Key(int(value["tonic"]) % 12, str(value["mode"]))
    return parse_key(str(value))


def legacy_request(meta: dict[str, Any], score: Score) -> dict[str, Any]:
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
