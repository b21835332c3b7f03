"""The job table: create, read, update, count, and the repair of running jobs after a crash."""

from __future__ import annotations

import pytest

from gekiban.errors import InvalidOptionError, NotFoundError
from gekiban.library import Library


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "data") as library:
        yield library


def test_a_new_job_is_queued(lib):
    job = lib.create_job("compose", {"prompt": "rain", "duration": 8}, client="a", parent=None)
    assert job.id.startswith("j") and len(job.id) == 12 and int(job.id[1:], 16) >= 0
    assert (job.state, job.stage, job.progress, job.attempts, job.tracks) == ("queued", "queued", 0.0, 1, ())
    d = job.to_dict()
    assert d["track"] is None and d["tracks"] == [] and d["params"] == {"prompt": "rain", "duration": 8}
    assert "client" not in d and d["created"].endswith("Z") and d["finished"] is None
    assert lib.get_job(job.id) == job


def test_update_and_list_jobs(lib):
    a = lib.create_job("compose", {}, client="x")
    b = lib.create_job("vary", {"count": 2}, client="y", parent="0123456789ab")
    done = lib.update_job(a.id, state="done", tracks=["aaaaaaaaaaaa", "bbbbbbbbbbbb"], progress=1.5, stage="saving")
    assert done.tracks == ("aaaaaaaaaaaa", "bbbbbbbbbbbb") and done.progress == 1.0
    assert done.to_dict()["track"] == "aaaaaaaaaaaa"
    assert [j.id for j in lib.jobs()] == [a.id, b.id]
    assert [j.id for j in lib.jobs(("queued", "running"))] == [b.id]
    assert lib.count_active() == 1 and lib.count_active("y") == 1 and lib.count_active("x") == 0
    assert lib.get_job(b.id).parent == "0123456789ab"


@pytest.mark.parametrize(("kind", "params"), [("remix", {}), ("compose", [1]), ("compose", {"x": float("nan")}),
                                              ("compose", {"x": object()})])
def test_bad_jobs_are_refused(lib, kind, params):
    with pytest.raises(InvalidOptionError):
        lib.create_job(kind, params, client="a")
    assert lib.jobs() == []


@pytest.mark.parametrize("fields", [{"client": "b"}, {"state": "paused"}, {"id": "j0"}])
def test_bad_job_updates_are_refused(lib, fields):
    job = lib.create_job("compose", {}, client="a")
    with pytest.raises(InvalidOptionError):
        lib.update_job(job.id, **fields)
    assert lib.get_job(job.id) == job


def test_unknown_jobs_are_not_found(lib):
    with pytest.raises(NotFoundError):
        lib.get_job("j00000000000")
    with pytest.raises(NotFoundError):
        lib.update_job("j00000000000", stage="x")


def test_running_jobs_are_requeued_once_then_failed(tmp_path):
    data = tmp_path / "data"
    lib = Library(data)
    first = lib.create_job("compose", {}, client="a")
    lib.update_job(first.id, state="running", started="2026-11-26T16:55:00Z", progress=0.4)
    queued = lib.create_job("compose", {}, client="a")
    lib.close()  # kill -9
    lib = Library(data)
    assert lib.recover_jobs() == ([first.id], [])
    again = lib.get_job(first.id)
    assert (again.state, again.attempts, again.progress, again.started) == ("queued", 2, 0.0, None)
    assert lib.get_job(queued.id).attempts == 1
    lib.update_job(first.id, state="running")
    lib.close()  # killed again while it ran
    lib = Library(data)
    assert lib.recover_jobs() == ([], [first.id])
    failed = lib.get_job(first.id)
    assert failed.state == "failed" and failed.error == "the server stopped twice while it ran" and failed.finished
    assert lib.recover_jobs() == ([], [])
    lib.close()
