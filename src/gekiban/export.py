"""Export: write a Track as a bundle a DAW user can drop in.

Layout::

    DIR/mix.wav                      mastered stereo mix (24-bit; or .flac / .mp3)
    DIR/score.mid                    standard MIDI file, one track per part
    DIR/stems/NN-role-instrument.wav one stereo stem per part, 32-bit float, same length and
                                     start as the mix; their sum is the mix before the limiter
    DIR/track.json                   prompt, seed, resolved brief, form, chords, parts, loudness
    DIR/layers/{low,mid,high}.wav    with ``layers=True``: intensity layers for adaptive use

A loop (``ending == "loop"``) carries its loop points in every WAV (mix, stems, layers) as a
RIFF ``smpl`` chunk and in track.json (``"loop": {"start": 0, "end": n}``, samples, half-open).
track.json also holds ``"request"``, the complete resolved brief, so a bundle can be varied or
extended later (:mod:`gekiban.bundle`), and ``"origin"`` for a bundle made from another one.

Every file is written atomically (temporary file in the folder, then renamed), and all audio is
computed before the first write, so a failure leaves no half-written file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gekiban.atomic import atomic_write

if TYPE_CHECKING:
    from gekiban.brief import Brief
    from gekiban.pipeline import Track
    from gekiban.score import Part

MASTER_CHAIN = ("sum of stems (each: gain, pan, EQ, own reverb) → linear gain to the loudness target → "
                "true-peak limiter (4× oversampled, ceiling −1 dBTP)")


#: Intensity tier of each role for the layers: low = tier 0 (the bed: pad, bass), mid = tiers
#: 0-1 (adds the melody and the moving lines), high = everything (adds drums and percussion).
#: Roles not listed (and doubled roles such as ``lead2``, by their base) go by this table too;
#: unknown roles are tier 2.
LAYER_TIERS: dict[str, int] = {"pad": 0, "bass": 0, "drone": 0, "lead": 1, "counter": 1, "ostinato": 1,
                               "arp": 1, "drums": 2, "percussion": 2}
LAYER_NAMES = ("low", "mid", "high")


def layer_groups(parts: tuple[Part, ...] | list[Part]) -> dict[str, list[int]]:
    """Stem indices in each intensity layer: ``low`` ⊂ ``mid`` ⊂ ``high`` (all stems).

    A layer whose tiers hold no stem takes the stems of the next tier up, so no layer is silent.
    """
    tiers = [LAYER_TIERS.get(p.role.rstrip("0123456789"), 2) for p in parts]
    out: dict[str, list[int]] = {}
    for level, name in enumerate(LAYER_NAMES):
        members = [i for i, t in enumerate(tiers) if t <= level]
        k = level
        while not members and k < 2:
            k += 1
            members = [i for i, t in enumerate(tiers) if t <= k]
        out[name] = members if level < 2 else list(range(len(parts)))
    return out


def make_layers(track: Track) -> dict[str, np.ndarray]:
    """The intensity layers of a track: each the sum of its stem group (stems already at the
    master's loudness gain) through the master's limiter and final trim, so each is a valid mix
    of the same cue at the same level, under the same true-peak ceiling; ``high`` is the mix."""
    from gekiban.mix import limit

    groups = layer_groups(track.score.parts)
    loop = track.brief.ending == "loop"
    out: dict[str, np.ndarray] = {}
    for name in LAYER_NAMES:
        members = groups[name]
        if name == "high" or len(members) == len(track.stems):
            out[name] = track.mix
        else:
            out[name] = limit([track.stems[i] for i in members], sample_rate=track.sample_rate,
                              post_gain=track.master.post_gain, ceiling_dbtp=track.master.ceiling_dbtp, loop=loop)
    return out


def brief_to_dict(brief: Brief) -> dict[str, Any]:
    """Every field of a resolved Brief as JSON-ready values (see :func:`gekiban.bundle.brief_from_dict`)."""
    ev = dict(brief.evidence)
    return {
        "prompt": brief.prompt, "style": brief.style, "mood": brief.mood, "energy": brief.energy,
        "tension": brief.tension, "tempo": brief.tempo, "key": {"tonic": brief.key.tonic, "mode": brief.key.mode},
        "meter": str(brief.meter), "duration": brief.duration, "instruments": list(brief.instruments),
        "exclude": list(brief.exclude), "loop": brief.loop, "seed": brief.seed,
        "style_blend": [list(p) for p in brief.style_blend], "chords": list(brief.chords),
        "motif": [list(m) for m in brief.motif], "arc": [list(p) for p in brief.arc], "hits": list(brief.hits),
        "ending": brief.ending, "cue": brief.cue,
        # compose() keeps a tempo the user or the prompt gave exactly; a chosen one may be fitted
        "exact_tempo": ev.get("tempo", "").startswith(("option", "prompt:")),
    }


def _understanding(evidence: dict[str, str]) -> dict[str, Any]:
    """How the prompt was read, structured: closest styles and scores, Japanese gloss, defaults."""
    from gekiban.brief import understanding

    return understanding(evidence)


def stem_filename(index: int, role: str, instrument: str) -> str:
    """``NN-role-instrument.wav`` with a 1-based two-digit index."""
    return f"{index + 1:02d}-{role}-{instrument}.wav"


def track_metadata(track: Track, *, files: dict[str, Any], origin: dict[str, Any] | None = None,
                   layers: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """The JSON-ready description of a track (what ``track.json`` holds)."""
    from gekiban import __version__

    score, brief, m = track.score, track.brief, track.master
    bar = score.meter.bar_beats
    extra: dict[str, Any] = {}
    if brief.ending == "loop":
        extra["loop"] = {"start": 0, "end": int(track.mix.shape[0]), "unit": "samples",
                         "seconds": round(track.mix.shape[0] / track.sample_rate, 6), "bars": score.bars}
    if layers is not None:
        parts = score.parts
        extra["layers"] = {name: {"file": files["layers"][name], "roles": [parts[i].role for i in idx],
                                  "stems": [files["stems"][i] for i in idx]} for name, idx in layers.items()}
    if origin is not None:
        extra["origin"] = origin
    return {
        "gekiban": __version__,
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
        "evidence": dict(brief.evidence),
        "understanding": _understanding(brief.evidence),
        "style": {"name": track.style.name, "family": track.style.family, "description": track.style.description},
        "sample_rate": track.sample_rate,
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
        "timings": {k: round(v, 3) for k, v in track.timings.items()},
    }


def write_json(path: Path, data: dict[str, Any]) -> Path:
    """Write JSON atomically (UTF-8, Japanese kept readable)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def save_bundle(track: Track, directory: str | Path, *, format: str = "wav", layers: bool = False,
                origin: dict[str, Any] | None = None) -> Path:
    """Write ``track`` as a bundle in ``directory`` (created if missing).

    Parameters
    ----------
    track
        A composed, rendered and mastered track.
    directory
        Target folder; existing bundle files in it are replaced.
    format
        Mix format: ``"wav"`` (24-bit), ``"flac"`` (24-bit) or ``"mp3"`` (320 kbit/s).
    layers
        Also write ``layers/low``, ``layers/mid`` and ``layers/high`` (in the mix format): stem
        groups by role (:data:`LAYER_TIERS`), each limited like the mix (:func:`make_layers`).
    origin
        Where the track came from (an edit, variation or extension of another bundle), recorded
        as ``"origin"`` in track.json.

    Returns
    -------
    Path
        The bundle folder.

    Raises
    ------
    InvalidOptionError
        If ``format`` is unknown.
    OutputError
        If the folder cannot be written.
    """
    from gekiban.audio_io import check_writable_dir, write_audio
    from gekiban.errors import InvalidOptionError
    from gekiban.midi import write_midi

    if format not in ("wav", "flac", "mp3"):
        raise InvalidOptionError(f"unknown format {format!r}: use wav, flac or mp3")
    out = check_writable_dir(Path(directory))
    stems_dir = check_writable_dir(out / "stems")
    names = [stem_filename(i, p.role, p.instrument) for i, p in enumerate(track.score.parts)]
    files: dict[str, Any] = {"mix": f"mix.{format}", "midi": "score.mid", "stems": [f"stems/{n}" for n in names],
                             "metadata": "track.json"}
    layer_audio = make_layers(track) if layers else None  # all audio before the first write
    groups = layer_groups(track.score.parts) if layers else None
    if layers:
        files["layers"] = {name: f"layers/{name}.{format}" for name in LAYER_NAMES}
        layers_dir = check_writable_dir(out / "layers")
    loop = (0, int(track.mix.shape[0])) if track.brief.ending == "loop" else None
    for old in stems_dir.glob("*.wav"):  # stems of an earlier bundle in the same folder
        if old.name not in names:
            old.unlink()
    write_midi(track.score, out / "score.mid")
    for name, audio in zip(names, track.stems):
        write_audio(stems_dir / name, audio, sample_rate=track.sample_rate, format="wav", subtype="FLOAT", loop=loop)
    write_audio(out / files["mix"], track.mix, sample_rate=track.sample_rate, format=format, loop=loop)
    if layer_audio is not None:
        for name, audio in layer_audio.items():
            write_audio(layers_dir / f"{name}.{format}", audio, sample_rate=track.sample_rate, format=format, loop=loop)
    write_json(out / "track.json", track_metadata(track, files=files, origin=origin, layers=groups))
    return out
