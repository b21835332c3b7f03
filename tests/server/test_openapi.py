"""Schemathesis against the app's own OpenAPI document: generated requests to every operation
(valid and invalid), no answer may be a server error (5xx), and every error answer has the one
JSON shape. Jobs run on a stand-in executor that fails each task at once, so nothing composes.
``GEKIBAN_OPENAPI_EXAMPLES`` sets the examples per operation (default 15, under 30 s in all)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from tempfile import mkdtemp

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.python.asgi import shutdown_lifespans

from gekiban.errors import RenderError


class _FailedHandle:
    def result(self, timeout: float | None = None) -> list[str]:
        raise RenderError("the test executor renders nothing")

    def cancel(self) -> None:
        pass

    def done(self) -> bool:
        return True


class FailingExecutor:
    """An :class:`gekiban.executor.Executor` whose every task fails at once."""

    workers = 1

    def submit(self, task, *, on_progress=None):
        return _FailedHandle()

    def close(self) -> None:
        pass


def _app():
    from gekiban.server.app import create_app

    data = Path(mkdtemp(prefix="gekiban-openapi-"))
    app = create_app(data_dir=data, executor=FailingExecutor(), max_jobs=1000, per_client=1000)
    app.state.test_data = data
    return app


schemathesis.serializer.alias("audio/midi", "application/octet-stream")
APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def teardown_module(_module) -> None:
    shutdown_lifespans()
    shutil.rmtree(APP.state.test_data, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=int(os.environ.get("GEKIBAN_OPENAPI_EXAMPLES", "15")), deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:500])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and isinstance(body["error"]["code"], str), body
