"""What every request passes before a route sees it: the body size bound and the bearer token.

Both are plain ASGI middleware that answer in the API's JSON error shape themselves (they run
outside FastAPI's exception handling). The body is read in full before the route runs, at most
its bound plus one byte, so a client cannot stream an endless body past a Content-Length it
never sent.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request

from gekiban.server.errors import error_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Bound on a JSON request body, in bytes.
MAX_JSON_BODY = 64 * 1024
#: Bound on an uploaded MIDI seed, in bytes.
MAX_UPLOAD_BODY = 2 * 1024 * 1024
#: The paths whose body is an upload (the larger bound).
UPLOAD_PATHS = ("/v1/uploads/midi",)


def body_limit(path: str) -> int:
    """The largest body accepted on ``path``."""
    return MAX_UPLOAD_BODY if path.rstrip("/") in UPLOAD_PATHS else MAX_JSON_BODY


def _too_large(limit: int) -> Any:
    what = "an upload" if limit == MAX_UPLOAD_BODY else "a JSON request body"
    return error_response(413, "too_large", f"{what} may be at most {limit // 1024} KB")


class BodyLimit:
    """Answer 413 ``too_large`` for a body past its bound (64 KB JSON, 2 MB uploads)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await _too_large(limit)(scope, receive, send)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(limit)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
    return None


class TokenAuth:
    """With a token set, every ``/v1`` request needs ``Authorization: Bearer TOKEN`` (else 401)."""

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["path"] == "/v1" or scope["path"].startswith("/v1/")) \
                and scope["method"] != "OPTIONS":
            given = _bearer(scope)
            if given is None or not hmac.compare_digest(given.encode(), self.token):
                why = "a wrong bearer token" if given is not None else "no bearer token"
                response = error_response(401, "unauthorized", f"this server needs `Authorization: Bearer TOKEN` "
                                          f"(the token given to `gekiban serve --token`); the request had {why}",
                                          headers={"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def client_of(request: Request) -> str:
    """Who a request is from, for the per-client job bound: its token, else its remote address.

    The token is kept only as a short hash, never as given.
    """
    token = _bearer(request.scope) if request.app.state.token else None
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    host = request.client.host if request.client else "unknown"
    return f"addr:{host}"
