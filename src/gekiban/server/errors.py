"""Errors as the API answers them: one JSON shape and status for every failure, never a traceback.

``{"error": {"code": "invalid_option", "message": "...", "field": "tempo"}}``, with the status of
the contract (``docs/server.md``): 400 a bad value, 401 no or a wrong token, 404 an unknown
track, job or route, 409 a finished job, 413 a body too large, 422 a body of the wrong shape,
429 a full queue. What no client can fix is a 500 (or 503 without a SoundFont) that says so in
one line; the traceback goes to the server's log only.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from gekiban.errors import (
    ConflictError,
    GekibanError,
    InvalidOptionError,
    LimitError,
    NotFoundError,
    SoundFontError,
)

log = logging.getLogger("gekiban.server")

#: Codes of the HTTP statuses Starlette raises itself (unknown route, wrong method...).
_HTTP_CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 413: "too_large", 415: "unsupported_media_type",
               416: "range_not_satisfiable", 422: "invalid_request", 429: "queue_full"}


class ErrorDetail(BaseModel):
    """What went wrong: a stable code, a message that names the bad value, the field if any."""

    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


#: The error answers every /v1 route may give, for the OpenAPI document.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in ((400, "a bad option value"), (401, "no or a wrong bearer token"), (404, "unknown id"),
                         (413, "body too large"), (422, "body of the wrong shape"))
}


def bad_option(field: str, message: str) -> InvalidOptionError:
    """An :class:`InvalidOptionError` that names the request field at fault (for a 400)."""
    err = InvalidOptionError(message)
    err.field = field  # type: ignore[attr-defined]
    return err


def error_response(status: int, code: str, message: str, *, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error answer.

    Parameters
    ----------
    status
        HTTP status.
    code
        Stable machine-readable code (``invalid_option``, ``not_found``...).
    message
        One line for a person, naming the bad value and what is allowed.
    field
        The request field at fault, if one is.
    headers
        Extra headers (``Retry-After``, ``WWW-Authenticate``).
    """
    detail: dict[str, Any] = {"code": code, "message": " ".join(str(message).split())}
    if field is not None:
        detail["field"] = field
    return JSONResponse({"error": detail}, status_code=status, headers=headers)


def status_of(exc: GekibanError) -> tuple[int, str]:
    """The HTTP status and error code of a gekiban error."""
    code = getattr(exc, "code", None)
    if isinstance(exc, NotFoundError):
        return 404, code or "not_found"
    if isinstance(exc, ConflictError):
        return 409, code or ("job_finished" if "finished" in str(exc) else "conflict")
    if isinstance(exc, LimitError):
        return 429, code or ("too_many_jobs" if "client" in str(exc) else "queue_full")
    if isinstance(exc, SoundFontError):
        return 503, "no_soundfont"
    if isinstance(exc, ValueError):  # bad input: InvalidOptionError, StyleError, MidiError, BundleError...
        return 400, "invalid_option"
    return 500, "internal_error"


def gekiban_error_response(exc: GekibanError) -> JSONResponse:
    """The answer for a gekiban error, with ``Retry-After`` on a 429."""
    status, code = status_of(exc)
    headers = None
    if status == 429:
        retry = getattr(exc, "retry_after", None) or 5
        headers = {"Retry-After": str(max(1, round(float(retry))))}
    if status >= 500:
        log.error("%s: %s", type(exc).__name__, exc)
    return error_response(status, code, str(exc), field=getattr(exc, "field", None), headers=headers)


def _validation_field(errors: list[Any]) -> str | None:
    """The request field of the first validation error (``tempo``, ``tags.2``), without its
    ``body``/``query`` prefix and without the names of union members pydantic adds."""
    if not errors:
        return None
    loc = list(errors[0].get("loc", ()))
    if loc and loc[0] in ("body", "query", "path", "header"):
        loc = loc[1:]
    if not loc:
        return None
    kept = [str(loc[0])] + [str(p) for p in loc[1:] if isinstance(p, int)]
    return ".".join(kept)


def _validation_message(errors: list[Any]) -> str:
    if not errors:
        return "the request does not have the expected shape"
    first = errors[0]
    field = _validation_field(errors)
    if field is None:
        return f"the request body: {first.get('msg', 'invalid')} (see /docs for the shape)"
    same = [e for e in errors if _validation_field([e]) == field]
    if len(same) > 1 and "input" in first:
        shown = repr(first["input"])
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        return f"{field}: {shown} has the wrong type (see /docs for the shape)"
    return f"{field}: {first.get('msg', 'invalid')}"


async def _on_gekiban(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GekibanError)
    return gekiban_error_response(exc)


async def _on_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    return error_response(422, "invalid_request", _validation_message(errors), field=_validation_field(errors))


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _HTTP_CODES.get(status, "error" if status < 500 else "internal_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if status == 404 and message == "Not Found":
        message = "no such route: see /docs for the API"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}: see /docs for the API"
    return error_response(status, code, message, headers=getattr(exc, "headers", None))


async def _on_anything(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", f"the server failed on this request ({type(exc).__name__}); "
                          "the details are in the server's log")


def install_error_handlers(app: FastAPI) -> None:
    """Answer every failure of ``app`` in the one JSON error shape."""
    app.add_exception_handler(GekibanError, _on_gekiban)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_anything)
