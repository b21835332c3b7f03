"""The job queue: bounds, dispatch in order, progress, cancel, failures, recovery; with a stand-in
executor (threads) for speed and the real warm workers for a job end to end and a running cancel."""

from __future__ import annotations

import threading
import time

import pytest
from library_fixtures import fake_bundle, midi_bytes

from gekiban.errors import CancelledError, ConflictError, InvalidOptionError, LimitError, NotFoundError
from gekiban.library import Library
from gekiban.server.jobs import JobQueue


class FakeHandle:
    def __init__(self, task, on_progress, gate):
        self.task, self.on_progress, self.gate = task, on_progress, gate
        self._done = threading.Event()
        self._out, self._err = None, None
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        self.on_progress("rendering", 0.5)
        self.gate.wait(10)
        if self._done.is_set():
            return
        try:
            kind = self.task.kind
            if self.task.params.get("fail"):
                raise InvalidOptionError("tempo '999' is outside 30-300 bpm")
            from pathlib import Path

            folder = Path(self.task.folder)
            count = self.task.params.get("count", 1) if kind == "vary" else 1
            targets = [folder / f"var-{k}" for k in range(1, count + 1)] if kind == "vary" else [folder]
            self._out = [str(fake_bundle(t)) for t in targets]
        except Exception as exc:
            self._err = exc
        self._done.set()

    def result(self, timeout=None):
        if not self._done.wait(timeout):
            raise TimeoutError
        if self._err:
            raise self._err
        return self._out

    def cancel(self):
        if not self._done.is_set():
            self._err = CancelledError("cancelled")
            self._done.set()

    def done(self):
        return self._done.is_set()


class FakeExecutor:
    def __init__(self, workers=1):
        self.workers = workers
        self.gate = threading.Event()
        self.tasks = []

    def submit(self, task, *, on_progress=None):
        self.tasks.append(task)
        return FakeHandle(task, on_progress, self.gate)

    def close(self):
        pass


def wait_for(queue, job_id, states, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job = queue.get(job_id)
        if job.state in states:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} is {queue.get(job_id).state}, not {states}")


@pytest.fixture
def setup(tmp_path):
    lib = Library(tmp_path / "data")
    ex = FakeExecutor()
    queue = JobQueue(lib, ex, max_jobs=3, per_client=2)
    queue.start()
    yield lib, ex, queue
    ex.gate.set()
    queue.close()
    lib.close()


def test_a_job_runs_and_its_bundle_joins_the_library(setup):
    lib, ex, queue = setup
    job = queue.submit("compose", {"prompt": "rain", "title": "Rain", "tags": ["calm"]}, client="a")
    assert job.state == "queued"
    running = wait_for(queue, job.id, ("running",))
    assert running.started and ex.tasks[0].folder == str(lib.staging_dir / job.id)
    end = time.monotonic() + 5
    while queue.get(job.id).stage != "rendering" and time.monotonic() < end:
        time.sleep(0.02)
    assert queue.get(job.id).progress == 0.5
    ex.gate.set()
    done = wait_for(queue, job.id, ("done",))
    record = lib.get(done.tracks[0])
    assert record.title == "Rain" and record.tags == ("calm",) and record.operation == "compose"
    assert done.progress == 1.0 and done.finished and not (lib.staging_dir / job.id).exists()


def test_vary_adds_every_bundle_with_its_parent(setup):
    lib, ex, queue = setup
    parent = lib.add(fake_bundle(lib.new_staging("p")))
    ex.gate.set()
    job = wait_for(queue, queue.submit("vary", {"count": 3}, client="a", parent=parent.id).id, ("done",))
    assert len(job.tracks) == 3 and job.to_dict()["track"] == job.tracks[0]
    assert ex.tasks[0].source == str(lib.bundle_dir(parent.id))
    assert all(lib.get(t).parent == parent.id and lib.get(t).operation == "vary" for t in job.tracks)


def test_jobs_run_one_at_a_time_in_creation_order(setup):
    lib, ex, queue = setup
    a = queue.submit("compose", {}, client="a")
    b = queue.submit("compose", {}, client="b")
    wait_for(queue, a.id, ("running",))
    time.sleep(0.2)
    assert queue.get(b.id).state == "queued" and len(ex.tasks) == 1
    ex.gate.set()
    wait_for(queue, b.id, ("done",))
    assert [t.id for t in ex.tasks] == [a.id, b.id]


def test_a_failure_keeps_its_message(setup):
    lib, ex, queue = setup
    ex.gate.set()
    job = wait_for(queue, queue.submit("compose", {"fail": True}, client="a").id, ("failed",))
    assert job.error == "tempo '999' is outside 30-300 bpm" and job.tracks == ()
    assert not (lib.staging_dir / job.id).exists() and lib.search().total == 0


def test_a_job_whose_parent_was_deleted_fails(setup):
    lib, ex, queue = setup
    parent = lib.add(fake_bundle(lib.new_staging("p")))
    lib.delete(parent.id)
    job = wait_for(queue, queue.submit("loop", {}, client="a", parent=parent.id).id, ("failed",))
    assert "could not start" in job.error and "no track" in job.error


def test_a_job_the_executor_refuses_fails(tmp_path):
    from gekiban.errors import RenderError

    class Closed(FakeExecutor):
        def submit(self, task, *, on_progress=None):
            raise RenderError("the executor is closed: no task can be submitted")

    lib = Library(tmp_path / "data")
    queue = JobQueue(lib, Closed())
    queue.start()
    job = wait_for(queue, queue.submit("compose", {}, client="a").id, ("failed",))
    assert "could not start" in job.error and "closed" in job.error and list(lib.staging_dir.iterdir()) == []
    queue.close()
    lib.close()


def test_a_failed_job_leaves_nothing_in_staging(setup):
    lib, ex, queue = setup
    job = queue.submit("compose", {"fail": True}, client="a")
    wait_for(queue, job.id, ("running",))
    (lib.staging_dir / f".{job.id}.gekiban-new-99999-0123456789ab").mkdir()  # a bundle write cut short
    ex.gate.set()
    wait_for(queue, job.id, ("failed",))
    end = time.monotonic() + 5
    while list(lib.staging_dir.iterdir()) and time.monotonic() < end:
        time.sleep(0.02)
    assert list(lib.staging_dir.iterdir()) == []


def test_the_queue_and_each_client_are_bounded(setup):
    lib, ex, queue = setup
    queue.submit("compose", {}, client="a")
    queue.submit("compose", {}, client="a")
    with pytest.raises(LimitError, match="client") as info:
        queue.submit("compose", {}, client="a")
    assert info.value.retry_after > 0 and info.value.code == "too_many_jobs"
    queue.submit("compose", {}, client="b")
    with pytest.raises(LimitError, match="full") as info:
        queue.submit("compose", {}, client="c")
    assert info.value.retry_after > 0 and info.value.code == "queue_full"
    assert len(lib.jobs()) == 3


def test_cancel_a_queued_and_a_running_job(setup):
    lib, ex, queue = setup
    first = queue.submit("compose", {}, client="a")
    second = queue.submit("compose", {}, client="b")
    wait_for(queue, first.id, ("running",))
    assert queue.cancel(second.id).state == "cancelled"
    cancelled = queue.cancel(first.id)
    assert cancelled.state == "cancelled" and cancelled.finished
    ex.gate.set()
    time.sleep(0.2)  # a result arriving after the cancel is not kept
    assert queue.get(first.id).state == "cancelled" and lib.search().total == 0
    assert not (lib.staging_dir / first.id).exists()
    with pytest.raises(ConflictError, match="finished") as info:
        queue.cancel(first.id)
    assert info.value.code == "job_finished"
    with pytest.raises(NotFoundError):
        queue.cancel("j00000000000")
    assert [t.id for t in ex.tasks] == [first.id]  # the cancelled queued job never ran


def test_running_jobs_are_queued_again_at_start(tmp_path):
    lib = Library(tmp_path / "data")
    job = lib.create_job("compose", {}, client="a")
    lib.update_job(job.id, state="running")
    twice = lib.create_job("compose", {}, client="a")
    lib.update_job(twice.id, state="running", attempts=2)
    lib.new_staging(job.id)  # what it was writing when the server died
    lib.close()
    lib = Library(tmp_path / "data")
    ex = FakeExecutor()
    queue = JobQueue(lib, ex)
    assert queue.start() == ([job.id], [twice.id])
    ex.gate.set()
    done = wait_for(queue, job.id, ("done",))
    assert done.attempts == 2 and queue.get(twice.id).error == "the server stopped twice while it ran"
    queue.close()
    lib.close()


def test_close_queues_running_jobs_again(tmp_path):
    lib = Library(tmp_path / "data")
    ex = FakeExecutor()
    queue = JobQueue(lib, ex)
    queue.start()
    job = queue.submit("compose", {}, client="a")
    wait_for(queue, job.id, ("running",))
    queue.close()
    again = lib.get_job(job.id)
    assert again.state == "queued" and again.attempts == 1 and not (lib.staging_dir / job.id).exists()
    lib.close()


def test_a_midi_upload_id_becomes_its_file(setup):
    lib, ex, queue = setup
    upload = lib.save_upload(midi_bytes())
    ex.gate.set()
    wait_for(queue, queue.submit("compose", {"from_midi": upload}, client="a").id, ("done",))
    assert ex.tasks[0].params["from_midi"] == str(lib.upload_path(upload))


# ─── with the real warm workers ──────────────────────────────────────────────────────────────

@pytest.fixture(scope="module")
def real(tmp_path_factory):
    from gekiban.executor import LocalExecutor

    lib = Library(tmp_path_factory.mktemp("real") / "data")
    ex = LocalExecutor(1)
    queue = JobQueue(lib, ex)
    queue.start()
    yield lib, ex, queue
    queue.close()
    ex.close()
    lib.close()


def test_a_real_job_end_to_end(real):
    lib, _, queue = real
    job = queue.submit("compose", {"duration": 8, "style": "ambient", "seed": 11, "title": "Drift"}, client="a")
    done = wait_for(queue, job.id, ("done", "failed"), timeout=120)
    assert done.state == "done", done.error
    record = lib.get(done.tracks[0])
    assert record.title == "Drift" and record.seed == 11 and record.style == "ambient"
    assert lib.file(record.id, "mix").stat().st_size > 1000 and lib.file(record.id, "stem", 1).is_file()
    loop = wait_for(queue, queue.submit("loop", {}, client="a", parent=record.id).id, ("done", "failed"), timeout=120)
    assert loop.state == "done", loop.error
    looped = lib.get(loop.tracks[0])
    assert looped.loopable and looped.parent == record.id and looped.operation == "loop" and looped.seed == 11


def test_cancel_a_real_running_job(real):
    lib, ex, queue = real
    job = queue.submit("compose", {"duration": 8, "style": "ambient", "seed": 12}, client="a")
    end = time.monotonic() + 60
    while queue.get(job.id).stage not in ("composing", "rendering") and time.monotonic() < end:
        time.sleep(0.01)
    assert queue.cancel(job.id).state == "cancelled"
    time.sleep(0.5)
    after = queue.get(job.id)
    assert after.state == "cancelled" and after.tracks == () and not (lib.staging_dir / job.id).exists()
    # the worker was replaced by a warm one that runs the next job
    nxt = wait_for(queue, queue.submit("compose", {"duration": 8, "style": "ambient", "seed": 13}, client="a").id,
                   ("done", "failed"), timeout=120)
    assert nxt.state == "done", nxt.error
