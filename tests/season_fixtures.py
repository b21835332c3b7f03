"""Stand-ins for the season tests: a fake executor that writes small gekiban bundles at once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gekiban.errors import RenderError


def write_fake_bundle(folder: Path, params: dict, *, stems: int = 1) -> None:
    """A small gekiban bundle: a real WAV mix, a MIDI file, stems and a track.json listing them."""
    import mido
    import soundfile as sf

    folder.mkdir(parents=True)
    (folder / "stems").mkdir()
    rate = 8000
    t = np.arange(int(rate * 0.5)) / rate
    sf.write(folder / "mix.wav", np.stack([np.sin(2 * np.pi * 440 * t)] * 2, axis=1) * 0.1, rate)
    for i in range(stems):
        sf.write(folder / "stems" / f"0{i + 1}-lead-piano.wav", np.zeros((400, 2)), rate)
    mid = mido.MidiFile()
    track = mido.MidiTrack([mido.Message("program_change", program=0), mido.Message("note_on", note=60, velocity=80),
                            mido.Message("note_off", note=60, time=480)])
    mid.tracks.append(track)
    mid.save(folder / "score.mid")
    meta = {"gekiban": "0.1.0", "prompt": params.get("prompt", ""), "seed": params.get("seed"),
            "brief": {"style": "hopeful", "tempo": 120.0, "key": params.get("key") or "C major", "meter": "4/4",
                      "duration": float(params.get("duration", 6)), "requested_duration": float(params.get("duration", 6)),
                      "ending": "loop" if params.get("loop") else params.get("ending", "ring")},
            "style": {"name": "hopeful"},
            "files": {"mix": "mix.wav", "midi": "score.mid", "metadata": "track.json",
                      "stems": [f"stems/0{i + 1}-lead-piano.wav" for i in range(stems)]}}
    (folder / "track.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


class FakeHandle:
    def __init__(self, folders, error=None):
        self._folders, self._error = folders, error
        self.cancelled = False

    def result(self, timeout=None):
        if self._error is not None:
            raise self._error
        return self._folders

    def done(self):
        return True

    def cancel(self):
        self.cancelled = True


class FakeExecutor:
    """Runs each compose task at once by writing a stand-in bundle into its folder; cues named in
    ``fail`` fail with a RenderError."""

    workers = 1

    def __init__(self, fail=()):
        self.fail = set(fail)
        self.tasks = []

    def submit(self, task, *, on_progress=None):
        self.tasks.append(task)
        if on_progress is not None:
            on_progress("rendering", 0.5)
        if task.id.rsplit(":", 1)[-1] in self.fail:
            return FakeHandle([], RenderError("the render failed"))
        write_fake_bundle(Path(task.folder), task.params)
        return FakeHandle([task.folder])

    def close(self):
        pass

