"""Writing a bundle: the mix, one stem per part, ``score.mid`` and ``track.json`` in a folder.

Layout::

    DIR/mix.wav                      mastered stereo mix (24-bit; or .flac / .mp3)
    DIR/score.mid                    standard MIDI file, one track per part
    DIR/score.musicxml               with ``musicxml=True``: the score for notation programs
                                     (:mod:`gekiban.midi.musicxml`)
    DIR/stems/NN-role-instrument.wav one stereo stem per part, 32-bit float, same length and
                                     start (sample 0) as the mix; their sum is the mix before the
                                     limiter (``stems_format`` float; wav16/wav24/flac16/flac24
                                     clip at full scale, so only float sums exactly);
                                     ``stem_names="tempo-key"``: NN-role-instrument_152bpm_Dm.wav
    DIR/track.json                   prompt, seed, resolved brief, form, chords, parts, loudness
    DIR/layers/{low,mid,high}.wav    with ``layers=True``: intensity layers for adaptive use

A loop (``ending == "loop"``) carries its loop points in every WAV (mix, stems, layers) as a
RIFF ``smpl`` chunk and in track.json (``"loop": {"start": 0, "end": n}``, samples, half-open).

All audio is computed before the first write; the files are written into a staging folder that
replaces the target whole only when every file is complete, so a failure or a kill at any
moment leaves the old bundle (or nothing) or the complete new one, never a mix.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gekiban.about import package_version
from gekiban.atomic import atomic_write
from gekiban.audio.files import write_audio
from gekiban.audio.mixdown import Mixdown
from gekiban.bundle.folders import check_out_dir, staged
from gekiban.bundle.layers import LAYER_NAMES, layer_groups, make_layers
from gekiban.bundle.provenance import make_provenance
from gekiban.bundle.schema import (
    MIX_FORMATS,
    STEM_FORMATS,
    brief_to_dict,
    evidence_to_dict,
    parse_stem_names,
    parse_stems_format,
    stem_filename,
)
from gekiban.errors import InvalidOptionError, RenderError
from gekiban.midi import write_midi
from gekiban.midi.musicxml import write_musicxml
from gekiban.score import Score
from gekiban.styles.schema import Style
from gekiban.understand.brief import Brief
from gekiban.understand.explain import understanding

MASTER_CHAIN = ("sum of stems (each: gain, pan, EQ, own reverb) → linear gain to the loudness target → "
                "true-peak limiter (4× oversampled, ceiling −1 dBTP)")


@dataclass(frozen=True)
class Delivery:
    """How the stems are delivered and what the provenance records.

    ``stems_format``: float (default; the exact-sum property holds only for it), wav16, wav24,
    flac16 or flac24. ``stem_names``: plain or tempo-key. ``musicxml``: also write
    ``score.musicxml`` (about 1.5 CPU-seconds per minute of music, so on request). ``request``: the compose request's
    options (recorded in the provenance, so ``gekiban regenerate`` can rebuild the bundle);
    ``soundfont``: the SoundFont the audio was rendered with.
    """

    stems_format: str = "float"
    stem_names: str = "plain"
    musicxml: bool = False
    request: dict[str, Any] | None = None
    soundfont: str | None = None


def write_json(path: Path, data: dict[str, Any]) -> Path:
    """Write JSON atomically (UTF-8, Japanese kept readable)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def write_bundle(directory: str | os.PathLike[str], *, brief: Brief, style: Style, score: Score, audio: Mixdown,
                 format: str = "wav", layers: bool = False, origin: dict[str, Any] | None = None,
                 delivery: Delivery | None = None) -> Path:
    """Write a cue as a bundle in ``directory`` (created if missing).

    Parameters
    ----------
    directory
        Target folder: new, empty, or a bundle (replaced whole). It is built beside the target
        and swapped in only when complete (:mod:`gekiban.bundle.folders`), so the old bundle
        stays whole until then.
    brief, style, score, audio
        The cue: what was asked, its style, its Score and its rendered and mastered audio.
    format
        Mix format: ``"wav"`` (24-bit), ``"flac"`` (24-bit) or ``"mp3"`` (320 kbit/s).
    layers
        Also write ``layers/low``, ``layers/mid`` and ``layers/high`` (in the mix format): stem
        groups by role, each limited like the mix (:mod:`gekiban.bundle.layers`).
    origin
        Where the cue came from (an edit, variation or extension of another bundle), recorded
        as ``"origin"`` in track.json.
    delivery
        Stem format and names, and what the provenance records (:class:`Delivery`).

    Returns
    -------
    Path
        The bundle folder.

    Raises
    ------
    InvalidOptionError
        If ``format`` is unknown.
    OutputError
        If the folder cannot be written, or holds files gekiban did not write.
    """
    if format not in MIX_FORMATS:
        raise InvalidOptionError(f"unknown format {format!r}: use {', '.join(MIX_FORMATS)}")
    delivery = delivery or Delivery()
    stem_fmt, stem_sub = STEM_FORMATS[parse_stems_format(delivery.stems_format)]
    tagged = parse_stem_names(delivery.stem_names) == "tempo-key"
    frames = int(audio.mix.shape[0])
    if any(int(stem.shape[0]) != frames for stem in audio.stems):
        raise RenderError(f"stems of unequal length {sorted({int(x.shape[0]) for x in audio.stems})}: each must "
                          f"have the mix's {frames} samples from sample 0")
    target = check_out_dir(directory)
    names = [stem_filename(i, p.role, p.instrument, suffix=stem_fmt,
                           **({"tempo": round(score.tempo[0].bpm, 2), "key": score.key} if tagged else {}))
             for i, p in enumerate(score.parts)]
    files: dict[str, Any] = {"mix": f"mix.{format}", "midi": "score.mid",
                             **({"musicxml": "score.musicxml"} if delivery.musicxml else {}),
                             "stems": [f"stems/{n}" for n in names],
                             "metadata": "track.json"}
    loop = (0, int(audio.mix.shape[0])) if brief.ending == "loop" else None
    layer_audio = make_layers(score.parts, audio, loop=loop is not None) if layers else None  # all audio first
    groups = layer_groups(score.parts) if layers else None
    if layers:
        files["layers"] = {name: f"layers/{name}.{format}" for name in LAYER_NAMES}
    with staged(target) as out:
        (out / "stems").mkdir()
        jobs = [(out / "stems" / name, stem if stem_sub == "FLOAT" else stem.clip(-1.0, 1.0), stem_fmt, stem_sub)
                for name, stem in zip(names, audio.stems)]
        jobs.append((out / files["mix"], audio.mix, format, None))
        with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:  # libsndfile frees the GIL
            writes = [pool.submit(write_audio, path, data, sample_rate=audio.sample_rate, format=fmt, subtype=sub,
                                  loop=loop) for path, data, fmt, sub in jobs]
            write_midi(score, out / "score.mid")  # meanwhile, on this thread
            if delivery.musicxml:
                write_musicxml(score, out / files["musicxml"], title=brief.prompt.strip()[:80] or style.name)
            for w in writes:
                w.result()
        if layer_audio is not None:
            (out / "layers").mkdir()
            for name, mix in layer_audio.items():
                write_audio(out / "layers" / f"{name}.{format}", mix, sample_rate=audio.sample_rate, format=format,
                            loop=loop)
        meta = track_metadata(brief=brief, style=style, score=score, audio=audio, files=files, origin=origin,
                              layers=groups)
        written = [f for f in (files["mix"], files["midi"], files.get("musicxml")) if f]
        written += [*files["stems"], *files.get("layers", {}).values()]
        meta["stems_format"] = delivery.stems_format
        meta["provenance"] = make_provenance(folder=out, files=written, request=delivery.request, seed=brief.seed,
                                             soundfont=delivery.soundfont)
        write_json(out / "track.json", meta)
    return target.resolve()


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
