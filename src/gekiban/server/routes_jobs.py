"""The routes that start work and follow it: compose, extend, edit, vary, loop; jobs and their events.

Every value is checked before a job is queued, by the same code as the command line (a bad one
is a 400 naming it, never a failed job). A job is answered at once as 202 ``{"job": ...}`` with
``Location: /v1/jobs/<id>``; ``GET /v1/jobs/<id>/events`` streams its progress.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from gekiban.edit.edits import parse_edits
from gekiban.edit.operations import parse_count
from gekiban.errors import InvalidOptionError
from gekiban.library.records import check_tags, check_title
from gekiban.midi import read_midi
from gekiban.requests import ComposeRequest, resolve_request
from gekiban.server.errors import ERROR_RESPONSES, ErrorBody, bad_option
from gekiban.server.guard import client_of
from gekiban.server.routes_misc import MAX_PROMPT, upload_file
from gekiban.understand.options import parse_duration

#: The longest cue the API composes, in seconds.
MAX_API_DURATION = 600.0
#: The most variations one vary job makes.
MAX_API_VARIATIONS = 8
#: How often the event stream looks at its job, in seconds.
POLL_S = 0.2
#: A comment line this often keeps proxies from closing a quiet event stream, in seconds.
KEEPALIVE_S = 15.0
FINAL_STATES = ("done", "failed", "cancelled")

_QUEUE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES, 429: {"model": ErrorBody, "description": "the queue is full, or this "
                             "client has too many jobs (Retry-After says when to try again)"}}
router = APIRouter(prefix="/v1", tags=["jobs"], responses=_QUEUE_RESPONSES)

_TextOrNum = StrictStr | StrictInt | float


class ComposeBody(BaseModel):
    """The compose options, as for ``gekiban compose`` (see ``docs/server.md``)."""

    model_config = ConfigDict(extra="forbid")
    prompt: StrictStr | None = Field(None, description="what the scene needs, ≤ 500 characters")
    style: StrictStr | None = None
    duration: _TextOrNum | None = Field(None, description='seconds or "1:30", at most 600 s')
    tempo: _TextOrNum | None = None
    key: StrictStr | None = None
    meter: StrictStr | None = None
    instruments: StrictStr | list[StrictStr] | None = None
    chords: StrictStr | list[StrictStr] | None = None
    from_midi: StrictStr | None = Field(None, description="an upload id from POST /v1/uploads/midi")
    motif: StrictStr | list[StrictStr] | None = Field(None, description='motif names of the motif library ("hero" or '
                                                      '["hero", "heroine"]): the lead is built from them')
    arc: StrictStr | None = None
    sections: list[StrictStr] | None = None
    hits: list[_TextOrNum] | None = None
    ending: StrictStr | None = None
    loop: StrictBool | None = None
    cue: StrictStr | None = None
    layers: StrictBool | None = None
    loudness: _TextOrNum | None = None
    format: StrictStr | None = None
    sample_rate: StrictStr | StrictInt | None = None
    stems_format: StrictStr | None = Field(None, description="float (default: sums exactly to the mix), wav16, wav24, "
                                           "flac16 or flac24")
    stem_names: StrictStr | None = Field(None, description="plain or tempo-key (01-lead-horn_152bpm_Dm.wav)")
    delivery: StrictStr | None = Field(None, description="standard or video (48 kHz 24-bit WAV mix and stems)")
    musicxml: StrictBool | None = Field(None, description="also write score.musicxml (parts for notation programs)")
    seed: StrictStr | StrictInt | None = None
    title: StrictStr | None = Field(None, max_length=200)
    tags: list[StrictStr] | None = Field(None, max_length=32)


class ExtendBody(BaseModel):
    """The new length."""

    model_config = ConfigDict(extra="forbid")
    to: _TextOrNum = Field(description='seconds or "3:00", longer than the track and at most 600 s')


class EditBody(BaseModel):
    """The edits: at least one."""

    model_config = ConfigDict(extra="forbid")
    tempo: _TextOrNum | None = None
    key: StrictStr | None = None
    instruments: dict[str, StrictStr] | None = Field(None, description='role → instrument, e.g. {"lead": "flute"}')
    mute: list[StrictStr] | None = None
    intensity: StrictStr | StrictInt | None = Field(None, description="+1, +2, -1 or -2")


class VaryBody(BaseModel):
    """How many variations."""

    model_config = ConfigDict(extra="forbid")
    count: StrictInt = Field(1, description="1-8")


class LoopBody(BaseModel):
    """No options: the loop keeps the track's brief and seed."""

    model_config = ConfigDict(extra="forbid")


def _accepted(job: Any) -> JSONResponse:
    record = job.to_dict()
    return JSONResponse({"job": record}, status_code=202, headers={"Location": f"/v1/jobs/{record['id']}"})


def _submit(request: Request, kind: str, params: dict[str, Any], *, parent: str | None = None) -> JSONResponse:
    queue = request.app.state.queue
    return _accepted(queue.submit(kind, params, client=client_of(request), parent=parent))


@router.post("/tracks", status_code=202, summary="Compose a cue (a job)")
def compose(request: Request, body: ComposeBody) -> JSONResponse:
    """Check every option, queue a compose job and answer it (202, ``Location``)."""
    options = body.model_dump(exclude_none=True)
    extra: dict[str, Any] = {}
    if "title" in options:
        extra["title"] = check_title(options.pop("title"))
    if "tags" in options:
        extra["tags"] = list(check_tags(options.pop("tags")))
    checked = dict(options)
    if "from_midi" in checked:
        checked["from_midi"] = upload_file(request, checked["from_midi"])
    resolve_request(ComposeRequest.from_mapping(checked), max_duration=MAX_API_DURATION, max_prompt=MAX_PROMPT)
    return _submit(request, "compose", {**options, **extra})


def _source(request: Request, track_id: str) -> Any:
    return request.app.state.library.get(track_id)


def _duration_of(record: Any) -> float:
    return float(record.to_dict().get("duration") or 0.0)


@router.post("/tracks/{track_id}/extend", status_code=202, summary="Continue a track to a longer length (a job)")
def extend(request: Request, track_id: str, body: ExtendBody) -> JSONResponse:
    """``{"to": "3:00"}``: the bars before the ending stay, new sections follow."""
    record = _source(request, track_id)
    try:
        seconds = parse_duration(body.to)
    except InvalidOptionError as exc:
        raise bad_option("to", str(exc)) from None
    if seconds > MAX_API_DURATION:
        raise bad_option("to", f"to {body.to!r} ({seconds:g} s) is longer than the API's {MAX_API_DURATION:g} s")
    if seconds <= _duration_of(record) + 1e-6:
        raise bad_option("to", f"to {body.to!r} ({seconds:g} s) is not longer than the track "
                               f"({_duration_of(record):.1f} s): give a longer length")
    return _submit(request, "extend", {"to": body.to}, parent=track_id)


@router.post("/tracks/{track_id}/edit", status_code=202, summary="Re-render a track with edits (a job)")
def edit(request: Request, track_id: str, body: EditBody) -> JSONResponse:
    """Tempo, key, instruments per role, mutes, intensity; notes change only as asked."""
    _source(request, track_id)
    params = body.model_dump(exclude_none=True)
    if not params:
        raise bad_option("body", "no edit asked: give tempo, key, instruments, mute or intensity")
    score = read_midi(request.app.state.library.file(track_id, "midi"))
    options = {"tempo": body.tempo, "key": body.key, "mute": body.mute or (), "intensity": body.intensity,
               "instruments": list((body.instruments or {}).items())}
    # each option alone first, so the error names its field; then together (a role both muted
    # and given an instrument, every part muted)
    for field in params:
        try:
            parse_edits(score, **{field: options[field]})
        except ValueError as exc:
            raise bad_option(field, str(exc)) from None
    try:
        parse_edits(score, **options)
    except ValueError as exc:
        raise bad_option("body", str(exc)) from None
    return _submit(request, "edit", params, parent=track_id)


@router.post("/tracks/{track_id}/vary", status_code=202, summary="Variations of a track (one job)")
def vary(request: Request, track_id: str, body: VaryBody) -> JSONResponse:
    """``{"count": 1-8}``: same form, harmony and main motif; the job's result lists the tracks."""
    _source(request, track_id)
    try:
        count = parse_count(body.count)
    except InvalidOptionError as exc:
        raise bad_option("count", str(exc)) from None
    if count > MAX_API_VARIATIONS:
        raise bad_option("count", f"count {count} is more than the API's {MAX_API_VARIATIONS} variations per job")
    return _submit(request, "vary", {"count": count}, parent=track_id)


@router.post("/tracks/{track_id}/loop", status_code=202, summary="A seamless-loop version of a track (a job)")
def loop(request: Request, track_id: str, body: LoopBody | None = None) -> JSONResponse:
    """Same brief and seed, ``loop: true``."""
    _source(request, track_id)
    return _submit(request, "loop", {}, parent=track_id)


@router.get("/jobs/{job_id}", summary="A job")
def get_job(request: Request, job_id: str) -> dict[str, Any]:
    """The job record (see ``docs/server.md``)."""
    return request.app.state.queue.get(job_id).to_dict()


@router.delete("/jobs/{job_id}", summary="Cancel a job (409 when it has finished)",
               responses={409: {"model": ErrorBody, "description": "the job has finished"}})
def cancel_job(request: Request, job_id: str) -> dict[str, Any]:
    """Cancel a queued or running job; answers ``{"job": ...}`` as it is now."""
    queue = request.app.state.queue
    queue.cancel(job_id)
    return {"job": queue.get(job_id).to_dict()}


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def job_events(request: Request, job_id: str) -> AsyncIterator[str]:
    """``progress`` events while the job changes, then exactly one ``done``, ``failed`` or
    ``cancelled`` event (its data: the job record), then the end of the stream."""
    queue = request.app.state.queue
    last: tuple[Any, ...] | None = None
    quiet = 0.0
    while True:
        record = (await run_in_threadpool(queue.get, job_id)).to_dict()
        if record["state"] in FINAL_STATES:
            yield _event(record["state"], record)
            return
        now = (record.get("state"), record.get("stage"), record.get("progress"))
        if now != last:
            last, quiet = now, 0.0
            yield _event("progress", {"state": record["state"], "stage": record.get("stage"),
                                      "progress": record.get("progress") or 0.0})
        elif quiet >= KEEPALIVE_S:
            quiet = 0.0
            yield ": keep-alive\n\n"
        if await request.is_disconnected():
            return
        await asyncio.sleep(POLL_S)
        quiet += POLL_S


@router.get("/jobs/{job_id}/events", summary="Server-sent events of a job",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                             "description": "progress events, then one done/failed/cancelled event"}})
def events(request: Request, job_id: str) -> StreamingResponse:
    """``text/event-stream``: ``progress`` ``{"stage", "progress"}`` events, then one final event."""
    request.app.state.queue.get(job_id)  # 404 now, before the stream starts
    return StreamingResponse(job_events(request, job_id), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
