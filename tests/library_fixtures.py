"""A stand-in bundle written in code (track.json and small files), for the library and job tests."""

from __future__ import annotations

import io
import json
from pathlib import Path


def fake_bundle(folder: Path, *, prompt: str = "heroic battle on a burning city skyline", style: str = "orchestral-battle",
                mood: str = "epic", tempo: float = 152.0, key: str = "D minor", duration: float = 60.0,
                loop: bool = False, seed: int = 7, stems: int = 2) -> Path:
    """Write a minimal bundle to ``folder`` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stems").mkdir(exist_ok=True)
    names = [f"stems/{i:02d}-lead-flute.wav" for i in range(1, stems + 1)]
    for name in names:
        (folder / name).write_bytes(b"RIFF stem")
    (folder / "mix.wav").write_bytes(b"RIFF mix")
    (folder / "score.mid").write_bytes(b"MThd")
    meta = {
        "gekiban": "0.test", "prompt": prompt, "seed": seed,
        "brief": {"style": style, "mood": mood, "tempo": tempo, "key": key, "meter": "4/4", "duration": duration,
                  "loop": loop},
        "request": {"prompt": prompt, "style": style, "seed": seed, "loop": loop},
        "sections": [{"name": "A", "kind": "a", "start": 0.0, "end": duration / 2},
                     {"name": "B", "kind": "b", "start": duration / 2, "end": duration}],
        "files": {"mix": "mix.wav", "midi": "score.mid", "stems": names, "metadata": "track.json"},
    }
    (folder / "track.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def midi_bytes() -> bytes:
    """A one-note standard MIDI file, as bytes."""
    import mido

    mid = mido.MidiFile()
    track = mido.MidiTrack()
    track.append(mido.Message("note_on", note=60, velocity=80, time=0))
    track.append(mido.Message("note_off", note=60, velocity=0, time=480))
    mid.tracks.append(track)
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()
