"""The routes that compose nothing: health, explain, styles and MIDI uploads."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from gekiban.about import package_version
from gekiban.bundle.schema import brief_to_dict, evidence_to_dict
from gekiban.errors import NotFoundError, SoundFontError
from gekiban.server.errors import ERROR_RESPONSES, bad_option
from gekiban.styles import all_styles, user_styles
from gekiban.understand.resolve import resolve_brief

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)

#: The longest prompt the API takes (the CLI takes more; a web form needs no more).
MAX_PROMPT = 500


def soundfont_name(explicit: str | None) -> str | None:
    """The file name of the SoundFont renders use, or ``None`` when none is installed."""
    from gekiban.audio.synth import find_soundfont  # lazy: loads the FluidSynth bindings

    try:
        return find_soundfont(explicit).name
    except SoundFontError:
        return None


@router.get("/health", summary="Is the server up")
async def health(request: Request) -> dict[str, Any]:
    """``{"ok": true, "version": ..., "soundfont": ...}`` (answered on the event loop: no thread)."""
    state = request.app.state
    if not hasattr(state, "soundfont_name"):
        state.soundfont_name = await run_in_threadpool(soundfont_name, state.soundfont)
    return {"ok": True, "version": package_version(), "soundfont": state.soundfont_name}


@router.get("/explain", summary="How a prompt is read, before composing")
def explain(request: Request,
            prompt: str = Query("", description="what the scene needs (English or Japanese)"),
            style: str | None = None, duration: str | None = None, tempo: str | None = None,
            key: str | None = None, meter: str | None = None, instruments: str | None = None,
            chords: str | None = None, seed: str | None = None,
            from_midi: str | None = Query(None, description="an upload id from POST /v1/uploads/midi")) -> dict[str, Any]:
    """The brief the prompt and options resolve to and the evidence for each field: the object
    ``gekiban explain --json`` prints."""
    if len(prompt) > MAX_PROMPT:
        raise bad_option("prompt", f"prompt has {len(prompt)} characters; the API takes at most {MAX_PROMPT}")
    extra: dict[str, Any] = {}
    if chords is not None:
        extra["chords"] = chords
    if from_midi is not None:
        extra["from_midi"] = upload_file(request, from_midi)
    brief = resolve_brief(prompt, seed=seed, duration=duration, key=key, tempo=tempo, meter=meter, style=style,
                          instruments=instruments, **extra)
    return {"brief": brief_to_dict(brief), "evidence": evidence_to_dict(brief)}


def upload_file(request: Request, upload: str) -> str:
    """The path of an uploaded MIDI seed, from its id; a bad id is a bad ``from_midi`` value."""
    try:
        return str(request.app.state.library.upload_path(upload))
    except NotFoundError:
        raise bad_option("from_midi", f"from_midi {upload!r} is not an upload id: send the MIDI file to "
                         "POST /v1/uploads/midi first and pass the id it answers") from None


@router.get("/styles", summary="The styles, with family and description; the data folder's own (learned) ones last")
def styles() -> dict[str, Any]:
    """``{"styles": [{"name", "family", "description", "own"}, ...]}``: the shipped styles sorted
    by name, then the styles of the server's data folder (``gekiban style learn``; a file that
    cannot be read is left out)."""
    rows = [(name, style, False) for name, style in sorted(all_styles().items())]
    rows += [(name, style, True) for name, style in user_styles()[0].items()]
    return {"styles": [{"name": name, "family": style.family, "description": " ".join(str(style.description).split()),
                        "own": own} for name, style, own in rows]}


@router.post("/uploads/midi", status_code=201, summary="Upload a MIDI seed for from_midi",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "audio/midi": {"schema": {"type": "string", "format": "binary"}},
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
async def upload_midi(request: Request) -> JSONResponse:
    """Store a standard MIDI file (≤ 2 MB) and answer ``{"upload": "<sha>"}``; pass the id as
    ``from_midi`` to compose or explain."""
    body = await request.body()
    if not body:
        raise bad_option("body", "the upload is empty: send a standard MIDI file (.mid) as the body")
    upload = await run_in_threadpool(request.app.state.library.save_upload, body)
    return JSONResponse({"upload": upload}, status_code=201)
