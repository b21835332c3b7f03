"""The FastAPI application: the ``/v1`` API, its OpenAPI document and the studio at ``/``.

:func:`create_app` builds the app; its lifespan opens the track library in the data folder,
starts the job queue on an executor (warm worker processes) and closes both at shutdown. The
middleware, outermost first: CORS (only with origins given), the bearer token (only with a token
given), the body size bound.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from gekiban.about import package_version
from gekiban.library import Library
from gekiban.server import routes_jobs, routes_misc, routes_tracks
from gekiban.server.errors import install_error_handlers
from gekiban.server.guard import BodyLimit, TokenAuth
from gekiban.server.jobs import JobQueue

#: The studio's files (index.html and its ES modules).
STATIC_DIR = Path(__file__).resolve().parent / "static"

_DESCRIPTION = """AI composer of anime background music (劇伴): compose cues from a prompt as jobs,
follow them, and search, play and download the track library. Errors are
`{"error": {"code", "message", "field"}}`; with a token set every /v1 request needs
`Authorization: Bearer TOKEN`."""


def default_workers() -> int:
    """Worker processes by default: 1 on two CPUs or fewer, else one per CPU but one."""
    cpus = os.cpu_count() or 1
    return 1 if cpus <= 2 else cpus - 1


def create_app(*, data_dir: Path, workers: int = 1, token: str | None = None, cors_origins: tuple[str, ...] = (),
               max_jobs: int = 20, per_client: int = 4, soundfont: str | None = None, executor: Any = None,
               scheduler: str | None = None) -> FastAPI:
    """Build the gekiban HTTP app.

    Parameters
    ----------
    data_dir
        The data folder: ``library.sqlite``, ``tracks/``, ``staging/``, ``uploads/``.
    workers
        Worker processes of the local executor (ignored when ``executor`` or ``scheduler`` is given).
    token
        When given, every ``/v1`` request needs ``Authorization: Bearer <token>`` (401 otherwise).
    cors_origins
        Origins allowed to call the API from a browser; none by default (CORS closed).
    max_jobs, per_client
        Bounds on jobs queued or running, in all and per client (429 past them).
    soundfont
        SoundFont for renders; default as for ``gekiban compose``.
    executor
        An executor to run jobs on instead of a new :class:`~gekiban.executor.LocalExecutor`
        (tests pass a fake one). The app closes only an executor it made.
    scheduler
        A Dask scheduler's address (``tcp://host:port``): jobs run on that cluster
        (:class:`~gekiban.executor.dask.DaskExecutor`; its workers must share the data folder's
        filesystem) instead of local worker processes.

    Returns
    -------
    FastAPI
        The app; run it with uvicorn, or use it in ``fastapi.testclient.TestClient`` as a
        context manager (so that the lifespan runs).
    """
    data = Path(data_dir).expanduser().resolve()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        data.mkdir(parents=True, exist_ok=True)
        library = Library(data)
        # The motif library and the worker processes read the data folder from the environment
        # (gekiban.motifs.data_home): this server's folder is the process's, set before the
        # workers start so they inherit it (and given back when the app stops).
        before = os.environ.get("GEKIBAN_DATA")
        os.environ["GEKIBAN_DATA"] = str(data)
        own = executor is None
        if own:
            from gekiban.executor import make_executor  # lazy: starts worker processes or connects to Dask

            # in a thread: a Dask client must not be made (or closed) on the server's event loop
            runner = await asyncio.to_thread(make_executor, scheduler=scheduler, workers=workers, soundfont=soundfont)
        else:
            runner = executor
        queue = JobQueue(library, runner, max_jobs=max_jobs, per_client=per_client)
        app.state.library, app.state.queue = library, queue
        queue.start()
        try:
            yield
        finally:
            queue.close()
            if own:
                await asyncio.to_thread(runner.close)
            if before is None:
                os.environ.pop("GEKIBAN_DATA", None)
            else:
                os.environ["GEKIBAN_DATA"] = before
            close = getattr(library, "close", None)
            if close is not None:
                close()

    app = FastAPI(title="gekiban", version=package_version(), description=_DESCRIPTION, lifespan=lifespan)
    app.state.data_dir, app.state.token, app.state.soundfont = data, token, soundfont
    install_error_handlers(app)
    for module in (routes_misc, routes_jobs, routes_tracks):
        app.include_router(module.router)
    if STATIC_DIR.is_dir():
        app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="studio")
    # add_middleware puts each one outside the ones before it: the last added runs first.
    app.add_middleware(BodyLimit)
    if token:
        app.add_middleware(TokenAuth, token=token)
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["*"],
                           allow_headers=["*"], expose_headers=["Location", "Retry-After", "Content-Range",
                                                                "Accept-Ranges", "Content-Length"])
    return app
