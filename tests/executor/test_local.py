"""The warm local workers, for real: a tiny compose (8 s of ambient) end to end, a loop of it,
cancels (waiting and running), a worker killed mid-task, errors carried back, close."""

from __future__ import annotations

import json
import os
import signal
import threading

import pytest

from gekiban.errors import CancelledError, InvalidOptionError, RenderError
from gekiban.executor import LocalExecutor, Task, check_params

TINY = {"duration": 8, "style": "ambient", "seed": 5}


@pytest.fixture(scope="module")
def executor():
    ex = LocalExecutor(1)
    yield ex
    ex.close()


@pytest.fixture(scope="module")
def composed(executor, tmp_path_factory):
    folder = tmp_path_factory.mktemp("staging") / "j1"
    folder.mkdir()
    stages = []
    handle = executor.submit(Task(id="t1", kind="compose", params=TINY, folder=str(folder)),
                             on_progress=lambda stage, fraction: stages.append((stage, fraction)))
    return handle.result(timeout=120), folder, stages


def task(tmp_path, name, kind="compose", params=TINY, source=None):
    folder = tmp_path / name
    folder.mkdir()
    return Task(id=name, kind=kind, params=params, folder=str(folder), source=source)


def test_a_compose_runs_in_a_warm_worker(executor, composed):
    folders, folder, stages = composed
    assert folders == [str(folder)] and executor.ready()
    meta = json.loads((folder / "track.json").read_text())
    assert meta["seed"] == 5 and meta["brief"]["style"] == "ambient" and (folder / "mix.wav").is_file()
    names = [s for s, _ in stages]
    assert names[0] == "understanding the prompt" and "rendering" in names and names[-1] == "saving"
    assert all(0.0 <= f <= 1.0 for _, f in stages)


def test_loop_recomposes_the_brief_as_a_loop_with_the_same_seed(executor, composed, tmp_path):
    _, source, _ = composed
    out = executor.submit(task(tmp_path, "loop", "loop", {}, str(source))).result(timeout=120)
    meta = json.loads((tmp_path / "loop" / "track.json").read_text())
    assert out == [str(tmp_path / "loop")] and meta["seed"] == 5 and meta["brief"]["loop"] is True
    assert meta["origin"]["operation"] == "loop"


def test_edit_and_extend_params_are_checked_against_the_source(composed):
    _, source, _ = composed
    check_params("edit", {"tempo": 90, "mute": ["pad"]}, source=source)
    check_params("extend", {"to": "0:20"}, source=source)
    for kind, params, field in (("edit", {}, None), ("edit", {"tempo": 999}, None), ("extend", {"to": "0:02"}, "to"),
                                ("extend", {"to": "9:00"}, "to"), ("extend", {}, "to")):
        with pytest.raises(InvalidOptionError) as info:
            check_params(kind, params, source=source, max_duration=300)
        assert field is None or info.value.field == field


def test_a_task_error_comes_back_with_its_field(executor, tmp_path):
    handle = executor.submit(task(tmp_path, "bad", params={"tempo": "999"}))
    with pytest.raises(InvalidOptionError, match="999") as info:
        handle.result(timeout=60)
    assert info.value.field == "tempo" and handle.done()


def test_cancel_a_waiting_and_a_running_task(executor, tmp_path):
    rendering = threading.Event()
    first = executor.submit(task(tmp_path, "run"), on_progress=lambda s, f: s == "rendering" and rendering.set())
    second = executor.submit(task(tmp_path, "wait"))
    second.cancel()
    with pytest.raises(CancelledError, match="before it started"):
        second.result(timeout=1)
    assert rendering.wait(60)
    first.cancel()
    with pytest.raises(CancelledError, match="while it ran"):
        first.result(timeout=10)
    first.cancel()  # nothing once done
    # the fresh worker that took the stopped one's place runs the next task
    assert executor.submit(task(tmp_path, "after")).result(timeout=120) == [str(tmp_path / "after")]


def test_a_worker_that_dies_fails_its_task_and_is_replaced(executor, tmp_path):
    started = threading.Event()
    handle = executor.submit(task(tmp_path, "die"), on_progress=lambda s, f: started.set())
    assert started.wait(60)
    os.kill(executor._pool[0].process.pid, signal.SIGKILL)
    with pytest.raises(RenderError, match="died"):
        handle.result(timeout=30)
    assert executor.submit(task(tmp_path, "next")).result(timeout=120) == [str(tmp_path / "next")]


def test_close_stops_the_tasks_not_done(tmp_path):
    ex = LocalExecutor(1)
    handle = ex.submit(task(tmp_path, "never"))
    ex.close()
    with pytest.raises(CancelledError):
        handle.result(timeout=1)
    with pytest.raises(RenderError, match="closed"):
        ex.submit(task(tmp_path, "late"))
    ex.close()


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_bad_worker_counts_are_refused(workers):
    with pytest.raises(ValueError):
        LocalExecutor(workers)


def test_workers_that_keep_dying_before_they_are_warm_are_given_up(tmp_path):
    import time

    ex = LocalExecutor(1)
    handle = ex.submit(task(tmp_path, "stranded"))
    for _ in range(3):
        pid = ex._pool[0].process.pid
        os.kill(pid, signal.SIGKILL)
        end = time.monotonic() + 10
        while ex._pool and ex._pool[0].process.pid == pid and time.monotonic() < end:
            time.sleep(0.01)
    assert ex._pool == []
    with pytest.raises(RenderError, match="died"):
        handle.result(timeout=5)
    with pytest.raises(RenderError, match="no worker process could start"):
        ex.submit(task(tmp_path, "late"))
    ex.close()
