"""A track's files as HTTP answers: audio with Range, the stems as one zip, the piano roll.

Audio and MIDI go out through Starlette's :class:`~starlette.responses.FileResponse`, which
answers ``Range`` requests (206 with ``Content-Range``; several ranges as multipart). The stems
zip is written while it is sent (``ZIP_STORED``: WAV and FLAC do not compress further), so no
copy of the stems is kept on disk or in memory.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from fastapi.responses import FileResponse, StreamingResponse

from gekiban.midi import read_midi

#: Media type of each file suffix a bundle holds.
MEDIA_TYPES = {".wav": "audio/wav", ".flac": "audio/flac", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".mid": "audio/midi",
               ".json": "application/json"}
_CHUNK = 256 * 1024


def file_response(path: Path, *, download_name: str | None = None) -> FileResponse:
    """``path`` with its media type, ``Accept-Ranges: bytes`` and Range support."""
    media = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return FileResponse(path, media_type=media, filename=download_name, content_disposition_type="inline")


class _Pipe:
    """A write-only, unseekable stream whose bytes are taken out as they come (zipfile then
    writes data descriptors instead of seeking back)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.written = 0

    def write(self, data: bytes) -> int:
        self.buffer += data
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = bytes(self.buffer)
        self.buffer.clear()
        return out


def zip_chunks(files: Sequence[tuple[Path, str]]) -> Iterator[bytes]:
    """The bytes of a ZIP_STORED archive of ``files`` (``(path, name in the zip)``), in chunks."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:  # type: ignore[arg-type]
        for path, name in files:
            info = zipfile.ZipInfo.from_file(path, arcname=name)
            info.compress_type = zipfile.ZIP_STORED
            with open(path, "rb") as src, archive.open(info, "w", force_zip64=True) as dst:
                while chunk := src.read(_CHUNK):
                    dst.write(chunk)
                    if len(pipe.buffer) >= _CHUNK:
                        yield pipe.take()
            yield pipe.take()
    yield pipe.take()


def zip_response(files: Sequence[tuple[Path, str]], *, name: str) -> StreamingResponse:
    """The stems as one zip, streamed (``Content-Disposition: attachment; filename=name``)."""
    return StreamingResponse(zip_chunks(files), media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


def piano_roll(midi_path: Path, json_path: Path) -> dict[str, Any]:
    """The piano roll of a bundle: every part's notes in seconds, the sections and the chords.

    Parameters
    ----------
    midi_path, json_path
        The bundle's ``score.mid`` and ``track.json``.

    Returns
    -------
    dict
        ``{"parts": [{"name", "role", "instrument", "is_drum", "notes": [[pitch, start_s, dur_s,
        velocity], ...]}], "sections": [{"name", "start", "end"}], "chords": [{"name", "start",
        "end"}], "duration"}``; times in seconds through the score's tempo map, rounded to
        milliseconds.
    """
    score = read_midi(midi_path)
    meta = json.loads(json_path.read_text(encoding="utf-8"))
    duration = float(meta.get("brief", {}).get("duration") or score.duration)
    at = score.seconds_at

    def ms(x: float) -> float:
        return round(x, 3)

    parts = []
    for p in score.parts:
        notes = [[n.pitch, ms(at(n.start)), ms(at(n.start + n.duration) - at(n.start)), n.velocity] for n in p.notes]
        parts.append({"name": p.name, "role": p.role, "instrument": p.instrument, "is_drum": p.is_drum,
                      "notes": notes})
    sections = [{"name": s["name"], "start": ms(float(s["start"])), "end": ms(float(s["end"]))}
                for s in meta.get("sections", []) if isinstance(s, dict) and "start" in s and "end" in s]
    if not sections:
        bar = score.meter.bar_beats
        sections = [{"name": s.name, "start": ms(at(s.start_bar * bar)), "end": ms(at(s.end_bar * bar))}
                    for s in score.sections]
    chords = [{"name": c.chord.symbol, "start": ms(at(c.start)), "end": ms(at(c.end))} for c in score.chords]
    return {"parts": parts, "sections": sections, "chords": chords, "duration": ms(duration)}
