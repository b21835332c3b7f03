"""The library routes: search, read, retitle, delete a track, and its files.

Every id a client names is looked up in the library's database; no client text is ever joined
onto a path (the library answers the path, and it is checked to lie inside the data folder).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from gekiban.errors import NotFoundError
from gekiban.server.errors import ERROR_RESPONSES
from gekiban.server.files import file_response, piano_roll, zip_response

router = APIRouter(prefix="/v1/tracks", tags=["tracks"], responses=ERROR_RESPONSES)


class TrackPatch(BaseModel):
    """What PATCH may change: the title and the tags."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(None, description="1-200 characters")
    tags: list[str] | None = Field(None, description="at most 20 tags of 1-40 characters")


def _library(request: Request) -> Any:
    return request.app.state.library


def _inside(request: Request, path: Path) -> Path:
    """``path`` if it is a file inside the data folder, else 404 (a missing or moved file)."""
    root = Path(request.app.state.data_dir).resolve()
    real = Path(path).resolve()
    if not real.is_relative_to(root) or not real.is_file():
        raise NotFoundError(f"the file {Path(path).name!r} of this track is missing from the library")
    return real


@router.get("", summary="Search the library, newest first")
def search(request: Request,
           q: str | None = Query(None, description="free text over prompt, title and tags"),
           style: str | None = None, mood: str | None = None, key: str | None = None,
           tempo_min: float | None = None, tempo_max: float | None = None,
           duration_min: float | None = None, duration_max: float | None = None,
           loopable: bool | None = None,
           limit: int = Query(20, description="1-100"), offset: int = Query(0, description="0 up")) -> dict[str, Any]:
    """``{"items": [track, ...], "total": n, "limit": l, "offset": o}``."""
    page = _library(request).search(q=q, style=style, mood=mood, key=key, tempo_min=tempo_min, tempo_max=tempo_max,
                                    duration_min=duration_min, duration_max=duration_max, loopable=loopable,
                                    limit=limit, offset=offset)
    return {"items": [t.to_dict() for t in page.items], "total": page.total, "limit": page.limit,
            "offset": page.offset}


@router.get("/{track_id}", summary="One track's record")
def get_track(request: Request, track_id: str) -> dict[str, Any]:
    """The track record (see ``docs/server.md``)."""
    return _library(request).get(track_id).to_dict()


@router.patch("/{track_id}", summary="Retitle or retag a track")
def patch_track(request: Request, track_id: str, body: TrackPatch) -> dict[str, Any]:
    """Change the title and/or the tags; answers the new record."""
    library = _library(request)
    library.get(track_id)
    library.update(track_id, title=body.title, tags=body.tags)
    return library.get(track_id).to_dict()


@router.delete("/{track_id}", status_code=204, summary="Delete a track: its files and its row")
def delete_track(request: Request, track_id: str) -> Response:
    """Remove the track's folder and its row together; 204."""
    _library(request).delete(track_id)
    return Response(status_code=204)


@router.get("/{track_id}/mix", summary="The mix (WAV, FLAC or MP3), Range supported",
            response_class=FileResponse)
def mix(request: Request, track_id: str) -> FileResponse:
    """The mastered mix."""
    return file_response(_inside(request, _library(request).file(track_id, "mix")))


@router.get("/{track_id}/stems.zip", summary="All stems as one zip", response_class=StreamingResponse)
def stems_zip(request: Request, track_id: str) -> StreamingResponse:
    """Every stem of the track in one ZIP_STORED archive, named as in the bundle."""
    library = _library(request)
    record = library.get(track_id).to_dict()
    names = list(record.get("files", {}).get("stems", []))
    files = [(_inside(request, library.file(track_id, "stem", i)), name) for i, name in enumerate(names, start=1)]
    return zip_response(files, name=f"{track_id}-stems.zip")


@router.get("/{track_id}/stems/{n}", summary="Stem n (1-based), Range supported", response_class=FileResponse)
def stem(request: Request, track_id: str, n: int) -> FileResponse:
    """One stem, numbered as in ``files.stems`` from 1."""
    library = _library(request)
    count = len(library.get(track_id).to_dict().get("files", {}).get("stems", []))
    if not 1 <= n <= count:
        raise NotFoundError(f"track {track_id!r} has stems 1-{count}; there is no stem {n}")
    return file_response(_inside(request, library.file(track_id, "stem", n)))


@router.get("/{track_id}/midi", summary="score.mid", response_class=FileResponse)
def midi(request: Request, track_id: str) -> FileResponse:
    """The standard MIDI file of the track."""
    return file_response(_inside(request, _library(request).file(track_id, "midi")),
                         download_name=f"{track_id}.mid")


@router.get("/{track_id}/musicxml", summary="score.musicxml (tracks composed with musicxml: true)",
            response_class=FileResponse)
def musicxml(request: Request, track_id: str) -> FileResponse:
    """The MusicXML score of the track, for notation programs; 404 when it was composed without."""
    return file_response(_inside(request, _library(request).file(track_id, "musicxml")),
                         download_name=f"{track_id}.musicxml")


@router.get("/{track_id}/json", summary="track.json", response_class=FileResponse)
def track_json(request: Request, track_id: str) -> FileResponse:
    """The bundle's ``track.json``."""
    return file_response(_inside(request, _library(request).file(track_id, "json")))


@router.get("/{track_id}/notes", summary="The piano roll: notes in seconds, sections, chords")
def notes(request: Request, track_id: str) -> dict[str, Any]:
    """``{"parts": [...], "sections": [...], "chords": [...], "duration"}`` (see ``docs/server.md``)."""
    library = _library(request)
    return piano_roll(_inside(request, library.file(track_id, "midi")), _inside(request, library.file(track_id, "json")))
