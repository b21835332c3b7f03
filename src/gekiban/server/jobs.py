"""The job queue: bounded, fair per client, run on an executor, cancellable, and kept in the
library's database so a restart finds every job where it was.

A job is queued (a row), started in creation order when a worker is free (its task writes into
``staging/<job id>/``), and ends done (each bundle it wrote added to the library), failed (the
error's message kept) or cancelled; its staging folder is removed then. At start, jobs a crash
left running are queued again once (:meth:`gekiban.library.Library.recover_jobs`).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from typing import Any

from gekiban.errors import CancelledError, ConflictError, GekibanError, LimitError, NotFoundError
from gekiban.executor import Executor, Handle, Task
from gekiban.library import JobRecord, Library
from gekiban.library.db import now

log = logging.getLogger(__name__)
#: Least seconds between two progress writes of a job (stage changes are written at once).
PROGRESS_EVERY_S = 0.25
#: Seconds a client is told to wait when the queue, or its own share, is full.
RETRY_QUEUE_FULL_S = 10
RETRY_TOO_MANY_S = 5


class JobQueue:
    """Jobs of ``library`` run on ``executor``, at most as many at once as it has workers.

    Parameters
    ----------
    library
        Where jobs are recorded and finished bundles go.
    executor
        Runs the tasks (:class:`gekiban.executor.LocalExecutor`, or a stand-in in tests).
    max_jobs
        Most jobs queued or running in all.
    per_client
        Most jobs queued or running for one client.
    """

    def __init__(self, library: Library, executor: Executor, *, max_jobs: int = 20, per_client: int = 4) -> None:
        self.library = library
        self.executor = executor
        self.max_jobs = max_jobs
        self.per_client = per_client
        self._lock = threading.Condition(threading.RLock())
        self._running: dict[str, Handle] = {}
        self._last_write: dict[str, tuple[str, float]] = {}
        self._stopping = False
        self._dispatcher: threading.Thread | None = None

    def start(self) -> tuple[list[str], list[str]]:
        """Repair the jobs a crash left running, then start dispatching.

        Returns
        -------
        tuple
            The ids queued again and the ids failed (see :meth:`Library.recover_jobs`).
        """
        recovered = self.library.recover_jobs()
        self._dispatcher = threading.Thread(target=self._dispatch, name="gekiban-jobs", daemon=True)
        self._dispatcher.start()
        return recovered

    def close(self) -> None:
        """Stop dispatching; running jobs are stopped and queued again for the next start."""
        with self._lock:
            self._stopping = True
            running = dict(self._running)
            self._running.clear()
            self._lock.notify_all()
        for job_id, handle in running.items():
            handle.cancel()
            self.library.update_job(job_id, state="queued", stage="queued", progress=0.0, started=None)
            self._remove_staging(job_id)
        if self._dispatcher is not None:
            self._dispatcher.join(timeout=5)

    def submit(self, kind: str, params: dict[str, Any], *, client: str, parent: str | None = None) -> JobRecord:
        """Queue a job (its params already checked by the caller).

        Raises
        ------
        LimitError
            When ``max_jobs`` jobs are queued or running (code ``queue_full``), or
            ``per_client`` of this client's (code ``too_many_jobs``); ``retry_after`` is set.
        """
        with self._lock:
            if self.library.count_active() >= self.max_jobs:
                raise _limit(f"the job queue is full ({self.max_jobs} jobs queued or running): try again later",
                             "queue_full", RETRY_QUEUE_FULL_S)
            if self.library.count_active(client) >= self.per_client:
                raise _limit(f"this client has {self.per_client} jobs queued or running already: wait for one to end",
                             "too_many_jobs", RETRY_TOO_MANY_S)
            job = self.library.create_job(kind, params, client=client, parent=parent)
            self._lock.notify_all()
        return job

    def get(self, job_id: str) -> JobRecord:
        """The job ``job_id``.

        Raises
        ------
        NotFoundError
            If there is none.
        """
        return self.library.get_job(job_id)

    def cancel(self, job_id: str) -> JobRecord:
        """Cancel a job: a queued one at once, a running one by stopping its worker.

        Raises
        ------
        ConflictError
            If the job is done, failed or cancelled already (code ``job_finished``).
        NotFoundError
            If there is no such job.
        """
        with self._lock:
            job = self.library.get_job(job_id)
            if job.final:
                err = ConflictError(f"job {job_id} is {job.state}: a finished job cannot be cancelled")
                err.code = "job_finished"  # type: ignore[attr-defined]
                raise err
            handle = self._running.pop(job_id, None)
            job = self.library.update_job(job_id, state="cancelled", stage="cancelled", finished=now())
            self._lock.notify_all()
        if handle is not None:
            handle.cancel()
            self._remove_staging(job_id)
        return job

    # ─── dispatch ──────────────────────────────────────────────────────────────────────────

    def _dispatch(self) -> None:
        """Start queued jobs, oldest first, while workers are free."""
        with self._lock:
            while not self._stopping:
                free = max(0, getattr(self.executor, "workers", 1) - len(self._running))
                for job in self.library.jobs(("queued",))[:free]:
                    self._start(job)
                self._lock.wait(timeout=1.0)

    def _start(self, job: JobRecord) -> None:
        """Hand ``job`` to the executor (with the lock held); a job that cannot start fails."""
        try:
            self._remove_staging(job.id)
            folder = self.library.new_staging(job.id)
            source = str(self.library.bundle_dir(job.parent)) if job.parent else None
            task = Task(id=job.id, kind=job.kind, params=self._task_params(job), folder=str(folder), source=source)
            self.library.update_job(job.id, state="running", stage="starting", progress=0.0, started=now())
            handle = self.executor.submit(task, on_progress=lambda stage, fraction: self._progress(job.id, stage,
                                                                                                   fraction))
        except GekibanError as exc:
            self._fail(job.id, f"the job could not start: {exc}")
            self._remove_staging(job.id)
            return
        self._running[job.id] = handle
        threading.Thread(target=self._wait, args=(job.id, handle), name=f"gekiban-job-{job.id}", daemon=True).start()

    def _task_params(self, job: JobRecord) -> dict[str, Any]:
        """The params as the worker needs them: a MIDI seed's upload id becomes its file."""
        params = dict(job.params)
        seed = params.get("from_midi")
        if job.kind == "compose" and isinstance(seed, str):
            try:
                params["from_midi"] = str(self.library.upload_path(seed))
            except NotFoundError:
                pass  # a file path the caller already looked up
        return params

    def _progress(self, job_id: str, stage: str, fraction: float) -> None:
        """Write a job's progress, at most every :data:`PROGRESS_EVERY_S` within a stage."""
        at = time.monotonic()
        with self._lock:
            last = self._last_write.get(job_id)
            if job_id not in self._running or (last and last[0] == stage and at - last[1] < PROGRESS_EVERY_S):
                return
            self._last_write[job_id] = (stage, at)
            self.library.update_job(job_id, stage=stage, progress=fraction)

    def _wait(self, job_id: str, handle: Handle) -> None:
        """Wait for a job's task and record how it ended."""
        folders: list[str] = []
        error: str | None = None
        try:
            folders = handle.result()
        except CancelledError:
            return  # cancel() or close() recorded it
        except GekibanError as exc:
            error = str(exc)
        except Exception as exc:  # a bug must fail the job, not leave it running
            log.exception("job %s failed", job_id)
            error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            if self._running.pop(job_id, None) is None:
                return  # cancelled meanwhile: its bundles are not kept
            self._last_write.pop(job_id, None)
            if error is None:
                error = self._keep(job_id, folders)
            if error is not None:
                self._fail(job_id, error)
            self._lock.notify_all()
        self._remove_staging(job_id)

    def _keep(self, job_id: str, folders: list[str]) -> str | None:
        """Add a finished job's bundles to the library and mark it done; the error, if any."""
        job = self.library.get_job(job_id)
        title = job.params.get("title") if job.kind == "compose" else None
        tags = job.params.get("tags") or () if job.kind == "compose" else ()
        try:  # the tracks and the job's end in one transaction: a crash cannot list them and re-run the job
            self.library.add_all(folders, title=title, tags=tags, parent=job.parent, operation=job.kind, job=job_id)
        except GekibanError as exc:
            return f"the finished bundle could not be added to the library: {exc}"
        return None

    def _fail(self, job_id: str, message: str) -> None:
        self.library.update_job(job_id, state="failed", stage="failed", error=message, finished=now())

    def _remove_staging(self, job_id: str) -> None:
        """A job's staging folder, and what a bundle write stopped mid-way left beside it."""
        for entry in [self.library.staging_dir / job_id, *self.library.staging_dir.glob(f".{job_id}.gekiban-*")]:
            shutil.rmtree(entry, ignore_errors=True)


def _limit(message: str, code: str, retry_after: int) -> LimitError:
    err = LimitError(message, retry_after=retry_after)
    err.code = code  # type: ignore[attr-defined]
    return err
