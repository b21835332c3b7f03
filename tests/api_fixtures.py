"""What the API tests share: an app on a temporary data folder, a tiny real compose, waiting on
jobs, a MIDI file built in code, and a stand-in executor that never finishes a job."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

#: The smallest real cue: 8 s of ambient (about 2 s to compose and render).
SMALL = {"style": "ambient", "duration": 8, "seed": 1, "title": "small test cue", "tags": ["test", "ambient"]}


@contextmanager
def api_client(data_dir: Path, **options: Any) -> Iterator[TestClient]:
    """A TestClient on :func:`gekiban.server.app.create_app` with its lifespan running."""
    from gekiban.server.app import create_app

    app = create_app(data_dir=data_dir, **options)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def wait_job(client: TestClient, job_id: str, *, timeout: float = 120.0, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The job once it is done, failed or cancelled (fails the test past ``timeout`` seconds)."""
    end = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        assert time.monotonic() < end, f"job {job_id} still {job['state']} after {timeout} s: {job}"
        time.sleep(0.1)


def compose_done(client: TestClient, body: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    """POST a compose, wait, and return the done job (asserting it is done)."""
    r = client.post("/v1/tracks", json=body if body is not None else SMALL, **kw)
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["job"]["id"], headers=kw.get("headers"))
    assert job["state"] == "done", job
    return job


def midi_bytes(notes: int = 8) -> bytes:
    """A one-track standard MIDI file with a short melody (built with mido)."""
    import mido

    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=500000, time=0))
    for i in range(notes):
        pitch = (60, 62, 64, 65, 67, 65, 64, 62)[i % 8]
        track.append(mido.Message("note_on", note=pitch, velocity=80, time=0))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=480))
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


def error_of(response: Any) -> dict[str, Any]:
    """The ``error`` object of an error answer, after checking the shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str), body
    assert "Traceback" not in response.text
    return body["error"]
