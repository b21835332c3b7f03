"""Export: write a Track as a bundle a DAW user can drop in.

Layout::

    DIR/mix.wav                      mastered stereo mix (24-bit; or .flac / .mp3)
    DIR/score.mid                    standard MIDI file, one track per part
    DIR/stems/NN-role-instrument.wav one stereo stem per part, 32-bit float, same length and
                                     start as the mix; their sum is the mix before the limiter
    DIR/track.json                   prompt, seed, resolved brief, form, chords, parts, loudness

Every file is written atomically (temporary file in the folder, then renamed), and all audio is
computed before the first write, so a failure leaves no half-written file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gekiban.atomic import atomic_write

if TYPE_CHECKING:
    from gekiban.pipeline import Track

MASTER_CHAIN = ("sum of stems (each: gain, pan, EQ, own reverb) → linear gain to the loudness target → "
                "true-peak limiter (4× oversampled, ceiling −1 dBTP)")


def stem_filename(index: int, role: str, instrument: str) -> str:
    """``NN-role-instrument.wav`` with a 1-based two-digit index."""
    return f"{index + 1:02d}-{role}-{instrument}.wav"


def track_metadata(track: Track, *, files: dict[str, Any]) -> dict[str, Any]:
    """The JSON-ready description of a track (what ``track.json`` holds)."""
    from gekiban import __version__

    score, brief, m = track.score, track.brief, track.master
    bar = score.meter.bar_beats
    return {
        "gekiban": __version__,
        "prompt": brief.prompt,
        "seed": brief.seed,
        "brief": {
            "style": brief.style, "mood": brief.mood, "energy": round(brief.energy, 3), "tension": round(brief.tension, 3),
            "tempo": score.tempo[0].bpm, "key": score.key.name, "meter": str(score.meter),
            "duration": round(score.duration, 3), "requested_duration": brief.duration, "loop": brief.loop,
            "instruments": sorted({p.instrument for p in score.parts}), "exclude": list(brief.exclude),
        },
        "evidence": dict(brief.evidence),
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
        "loudness": {**m.to_dict(), "master_chain": MASTER_CHAIN},
        "files": files,
        "timings": {k: round(v, 3) for k, v in track.timings.items()},
    }


def write_json(path: Path, data: dict[str, Any]) -> Path:
    """Write JSON atomically (UTF-8, Japanese kept readable)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def save_bundle(track: Track, directory: str | Path, *, format: str = "wav") -> Path:
    """Write ``track`` as a bundle in ``directory`` (created if missing).

    Parameters
    ----------
    track
        A composed, rendered and mastered track.
    directory
        Target folder; existing bundle files in it are replaced.
    format
        Mix format: ``"wav"`` (24-bit), ``"flac"`` (24-bit) or ``"mp3"`` (320 kbit/s).

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
    files = {"mix": f"mix.{format}", "midi": "score.mid", "stems": [f"stems/{n}" for n in names], "metadata": "track.json"}
    for old in stems_dir.glob("*.wav"):  # stems of an earlier bundle in the same folder
        if old.name not in names:
            old.unlink()
    write_midi(track.score, out / "score.mid")
    for name, audio in zip(names, track.stems):
        write_audio(stems_dir / name, audio, sample_rate=track.sample_rate, format="wav", subtype="FLOAT")
    write_audio(out / files["mix"], track.mix, sample_rate=track.sample_rate, format=format)
    write_json(out / "track.json", track_metadata(track, files=files))
    return out
