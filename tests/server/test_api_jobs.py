"""The queue's bounds through the API (429 with Retry-After, in all and per client) and
cancelling: a queued job at once, a running one by stopping its worker, a finished one 409."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from api_fixtures import SMALL, api_client, compose_done, error_of, wait_job

#: A job that keeps the one worker busy for a few seconds.
LONG = {"style": "ambient", "duration": 90, "seed": 5}


@pytest.fixture(scope="module")
def bounded(tmp_path_factory):
    with api_client(tmp_path_factory.mktemp("data"), workers=1, max_jobs=3, per_client=2) as client:
        other = TestClient(client.app, client=("10.0.0.9", 40000), raise_server_exceptions=False)
        yield client, other


def test_queue_bounds_and_cancel(bounded):
    client, other = bounded
    a = client.post("/v1/tracks", json=LONG)
    b = client.post("/v1/tracks", json={**LONG, "seed": 6})
    assert a.status_code == 202 and b.status_code == 202, (a.text, b.text)
    assert a.json()["job"]["state"] in ("queued", "running")

    c = client.post("/v1/tracks", json=SMALL)
    assert c.status_code == 429 and error_of(c)["code"] == "too_many_jobs"
    assert int(c.headers["retry-after"]) >= 1

    d = other.post("/v1/tracks", json=SMALL)  # another client still has room
    assert d.status_code == 202, d.text
    e = other.post("/v1/tracks", json=SMALL)  # three jobs in all: the queue is full
    assert e.status_code == 429 and error_of(e)["code"] == "queue_full"
    assert int(e.headers["retry-after"]) >= 1

    d_id = d.json()["job"]["id"]
    r = other.delete(f"/v1/jobs/{d_id}")  # queued: cancelled at once
    assert r.status_code == 200 and r.json()["job"]["state"] == "cancelled"
    assert client.get(f"/v1/jobs/{d_id}").json()["state"] == "cancelled"
    assert "event: cancelled" in client.get(f"/v1/jobs/{d_id}/events").text

    a_id, b_id = a.json()["job"]["id"], b.json()["job"]["id"]
    r = client.delete(f"/v1/jobs/{a_id}")
    assert r.status_code == 200, r.text
    assert wait_job(client, a_id, timeout=60)["state"] == "cancelled"
    assert client.delete(f"/v1/jobs/{b_id}").status_code == 200
    assert wait_job(client, b_id, timeout=60)["state"] == "cancelled"
    r = client.delete(f"/v1/jobs/{a_id}")
    assert r.status_code == 409 and error_of(r)["code"] == "job_finished"

    # the worker was restarted: the next job still runs to the end
    job = compose_done(client, {**SMALL, "seed": 9})
    assert job["attempts"] == 1 and client.get(f"/v1/tracks/{job['track']}").status_code == 200
    assert not any(t["id"] for t in client.get("/v1/tracks").json()["items"] if t["seed"] in (5, 6))
