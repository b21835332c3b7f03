"""The on-disk schema of a bundle: file names and ``track.json``.

``track.json`` describes the cue (prompt, seed, resolved brief, form, chords, parts, loudness,
files) and holds ``"request"``, every field of the resolved Brief, and ``"evidence"``, where each
came from, so a bundle can be edited, varied or extended later; ``"origin"`` records what a
bundle made from another one was made from. Bundles written before a field existed still load.
"""

from __future__ import annotations

from typing import Any

from gekiban.about import package_version
from gekiban.audio.mixdown import Mixdown
from gekiban.errors import BundleError
from gekiban.score import Score
from gekiban.styles.schema import Style
from gekiban.theory import MODES, Key, parse_key, parse_meter
from gekiban.understand.brief import Brief, Evidence, StyleMatch
from gekiban.understand.explain import understanding

MASTER_CHAIN = ("sum of stems (each: gain, pan, EQ, own reverb) → linear gain to the loudness target → "
                "true-peak limiter (4× oversampled, ceiling −1 dBTP)")
#: Mix formats a bundle may hold.
MIX_FORMATS = ("wav", "flac", "mp3")


def stem_filename(index: int, role: str, instrument: str) -> str:
    """``NN-role-instrument.wav`` with a 1-based two-digit index."""
    return f"{index + 1:02d}-{role}-{instrument}.wav"


def brief_to_dict(brief: Brief) -> dict[str, Any]:
    """Every field of a resolved Brief but its evidence as JSON-ready values (see
    :func:`brief_from_dict`)."""
    return {
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


def brief_from_dict(d: dict[str, Any], *, evidence: tuple[tuple[str, Evidence], ...] = ()) -> Brief:
    """A :class:`Brief` from :func:`brief_to_dict` output (and the evidence recorded beside it).

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
            loop=bool(d.get("loop", False)), seed=int(d.get("seed", 0)), tempo_exact=bool(d.get("exact_tempo", True)),
            evidence=evidence,
            style_blend=tuple((str(n), float(w)) for n, w in d.get("style_blend", ())),
            chords=tuple(d.get("chords", ())), motif=tuple((float(a), float(b), int(c)) for a, b, c in d.get("motif", ())),
            arc=tuple((float(t), float(i), float(x)) for t, i, x in d.get("arc", ())),
            hits=tuple(float(h) for h in d.get("hits", ())), ending=str(d.get("ending", "ring")), cue=str(d.get("cue", "")),
            neighbours=tuple(StyleMatch(str(n["style"]), float(n["score"]), float(n.get("similarity", 0.0)),
                                        str(n.get("sentence", "")), tuple(n.get("keywords", ())))
                             for n in d.get("neighbours", ())),
            gloss=str(d.get("gloss", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"the brief recorded in track.json is incomplete or malformed ({type(exc).__name__}: {exc})") from None


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


def track_metadata(*, brief: Brief, style: Style, score: Score, audio: Mixdown, files: dict[str, Any],
                   origin: dict[str, Any] | None = None, layers: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """The JSON-ready description of a cue (what ``track.json`` holds)."""
    m = audio.master
    bar = score.meter.bar_beats
    extra: dict[str, Any] = {}
    if brief.ending == "loop":
        extra["loop"] = {"start": 0, "end": int(audio.mix.shape[0]), "unit": "samples",
                         "seconds": round(audio.mix.shape[0] / audio.sample_rate, 6), "bars": score.bars}
    if layers is not None:
        parts = score.parts
        extra["layers"] = {name: {"file": files["layers"][name], "roles": [parts[i].role for i in idx],
                                  "stems": [files["stems"][i] for i in idx]} for name, idx in layers.items()}
    if origin is not None:
        extra["origin"] = origin
    return {
        "gekiban": package_version(),
        "prompt": brief.prompt,
        "seed": brief.seed,
        "brief": {
            "style": brief.style, "mood": brief.mood, "energy": round(brief.energy, 3), "tension": round(brief.tension, 3),
            "tempo": score.tempo[0].bpm, "key": score.key.name, "meter": str(score.meter),
            "duration": round(score.duration, 3), "requested_duration": brief.duration, "loop": brief.loop,
            "instruments": sorted({p.instrument for p in score.parts}), "exclude": list(brief.exclude),
            "ending": brief.ending, "cue": brief.cue, "hits": list(brief.hits),
            "arc": [list(p) for p in brief.arc],
        },
        "request": brief_to_dict(brief),
        "evidence": evidence_to_dict(brief),
        "understanding": understanding(brief),
        "style": {"name": style.name, "family": style.family, "description": style.description},
        "sample_rate": audio.sample_rate,
        "bars": score.bars,
        "sections": [
            {"name": s.name, "kind": s.kind, "start_bar": s.start_bar, "end_bar": s.end_bar,
             "start": round(score.seconds_at(s.start_bar * bar), 3), "end": round(score.seconds_at(s.end_bar * bar), 3),
             "energy": round(s.energy, 3), "tension": round(s.tension, 3)}
            for s in score.sections
        ],
        "chords": [
            {"start_beat": round(c.start, 4), "duration_beats": round(c.duration, 4), "start": round(score.seconds_at(c.start), 3),
             "symbol": c.chord.symbol, "roman": c.roman}
            for c in score.chords
        ],
        "parts": [
            {"index": i + 1, "role": p.role, "instrument": p.instrument, "program": p.program, "drum": p.is_drum,
             "notes": len(p.notes), "stem": files["stems"][i]}
            for i, p in enumerate(score.parts)
        ],
        "markers": [{"beat": round(k.beat, 4), "time": round(score.seconds_at(k.beat), 4), "text": k.text}
                    for k in score.markers],
        "tempo_map": [{"beat": round(t.beat, 6), "bpm": t.bpm} for t in score.tempo],
        "loudness": {**m.to_dict(), "master_chain": MASTER_CHAIN},
        "files": files,
        **extra,
        "timings": {k: round(v, 3) for k, v in audio.timings.items()},
    }
