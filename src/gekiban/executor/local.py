"""Warm local worker processes: each loads the SoundFont and the embedding model once, then runs
tasks one at a time for as long as the server lives.

Not :class:`concurrent.futures.ProcessPoolExecutor`: it cannot stop a task once it runs
(``Future.cancel`` only withdraws a task still waiting), and a worker that dies breaks the whole
pool. Here each worker has its own pipes, so one can be terminated mid-task (a cancel) or die
(a crash in FluidSynth) without disturbing the others or corrupting a shared queue, and its
place is taken by a fresh warm worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from gekiban.errors import CancelledError, GekibanError, InvalidOptionError, RenderError
from gekiban.executor.tasks import Progress, Task, run_task

log = logging.getLogger(__name__)
#: Least seconds between two progress messages of a stage from a worker.
PROGRESS_EVERY_S = 0.1
#: Workers dying one after another before they are warm: the place is given up after this many
#: (a font that crashes FluidSynth would otherwise have workers started and lost for ever).
MAX_EARLY_DEATHS = 3


class LocalHandle:
    """A task submitted to a :class:`LocalExecutor`: wait for it, cancel it."""

    def __init__(self, task: Task, on_progress: Progress | None, cancel: Callable[[LocalHandle], None]) -> None:
        self.task = task
        self.on_progress = on_progress
        self._cancel = cancel
        self._done = threading.Event()
        self._folders: list[str] = []
        self._error: BaseException | None = None

    def result(self, timeout: float | None = None) -> list[str]:
        """The bundle folders the task wrote.

        Raises
        ------
        TimeoutError
            If it is not done within ``timeout`` seconds.
        GekibanError
            The task's own error; :class:`RenderError` if its worker died;
            :class:`CancelledError` if it was cancelled.
        """
        if not self._done.wait(timeout):
            raise TimeoutError(f"task {self.task.id} is not done after {timeout} s")
        if self._error is not None:
            raise self._error
        return list(self._folders)

    def cancel(self) -> None:
        """Withdraw the task if it waits; stop its worker if it runs. Nothing once it is done."""
        self._cancel(self)

    def done(self) -> bool:
        """True once the task finished, failed or was cancelled."""
        return self._done.is_set()

    def _finish(self, folders: list[str] | None = None, error: BaseException | None = None) -> None:
        if not self._done.is_set():
            self._folders, self._error = list(folders or []), error
            self._done.set()


@dataclass(eq=False)
class _Worker:
    process: Any
    tasks: Connection  # parent → worker
    results: Connection  # worker → parent
    handle: LocalHandle | None = None
    ready: bool = field(default=False)


class LocalExecutor:
    """``workers`` warm worker processes on this machine (see the module's description).

    Parameters
    ----------
    workers
        How many tasks run at once, each in its own process.
    soundfont
        The SoundFont every worker loads (default: ``$GEKIBAN_SOUNDFONT`` or the Debian one).
    """

    def __init__(self, workers: int = 1, *, soundfont: str | os.PathLike[str] | None = None) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise InvalidOptionError(f"workers must be a whole number from 1 up, not {workers!r}")
        self.workers = workers
        self.soundfont = None if soundfont is None else os.fspath(soundfont)
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._pending: deque[LocalHandle] = deque()
        self._early_deaths = 0
        self._pool: list[_Worker] = [self._start_worker() for _ in range(workers)]
        self._closing = False
        self._reader = threading.Thread(target=self._read, name="gekiban-executor", daemon=True)
        self._reader.start()

    # ─── the parent's side ─────────────────────────────────────────────────────────────────

    def submit(self, task: Task, *, on_progress: Progress | None = None) -> LocalHandle:
        """Queue ``task``; it starts as soon as a worker is free. ``on_progress(stage, fraction)``
        is called from the executor's thread."""
        handle = LocalHandle(task, on_progress, self._cancel)
        with self._lock:
            if self._closing:
                raise RenderError("the executor is closed: no task can be submitted")
            if not self._pool:
                raise RenderError("no worker process could start: each died while it loaded the SoundFont and the "
                                  "embedding model (see the log)")
            self._pending.append(handle)
            self._assign()
        return handle

    def ready(self) -> bool:
        """True once every worker has loaded the SoundFont and the model."""
        with self._lock:
            return all(w.ready for w in self._pool)

    def close(self) -> None:
        """Stop every worker; tasks not done fail with :class:`CancelledError`."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            pool, self._pool = self._pool, []
            waiting = list(self._pending) + [w.handle for w in pool if w.handle is not None]
            self._pending.clear()
        for worker in pool:
            _stop(worker, graceful=worker.handle is None)
        for handle in waiting:
            handle._finish(error=CancelledError(f"task {handle.task.id} was stopped: the executor closed"))
        self._reader.join(timeout=5)

    def _start_worker(self) -> _Worker:
        task_recv, task_send = self._ctx.Pipe(duplex=False)
        result_recv, result_send = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(target=worker_main, args=(task_recv, result_send, self.soundfont),
                                    name="gekiban-worker", daemon=True)
        process.start()
        task_recv.close()
        result_send.close()
        return _Worker(process=process, tasks=task_send, results=result_recv)

    def _assign(self) -> None:
        """Give waiting tasks to idle workers (with the lock held)."""
        for worker in self._pool:
            if not self._pending:
                return
            if worker.handle is None:
                worker.handle = self._pending.popleft()
                try:
                    worker.tasks.send(worker.handle.task)
                except OSError:  # the worker is gone; the reader replaces it and fails the task
                    pass

    def _cancel(self, handle: LocalHandle) -> None:
        with self._lock:
            if handle.done():
                return
            if handle in self._pending:
                self._pending.remove(handle)
                handle._finish(error=CancelledError(f"task {handle.task.id} was cancelled before it started"))
                return
            worker = next((w for w in self._pool if w.handle is handle), None)
            if worker is None:
                return
            self._replace(worker)
        _stop(worker, graceful=False)
        handle._finish(error=CancelledError(f"task {handle.task.id} was cancelled while it ran"))

    def _replace(self, worker: _Worker) -> None:
        """Put a fresh worker in ``worker``'s place (with the lock held) and give it work."""
        if worker in self._pool:
            self._pool[self._pool.index(worker)] = self._start_worker()
            self._assign()

    def _read(self) -> None:
        """Read what the workers send; notice a worker that died."""
        while True:
            with self._lock:
                if self._closing:
                    return
                watched = {w.results: w for w in self._pool} | {w.process.sentinel: w for w in self._pool}
            try:
                readable = wait(list(watched), timeout=0.5)
            except (OSError, ValueError):  # a worker replaced meanwhile closed its pipe
                continue
            for ready in readable:
                worker = watched[ready]
                if ready is worker.results:
                    self._receive(worker)
                elif not worker.process.is_alive():
                    self._died(worker)

    def _receive(self, worker: _Worker) -> None:
        try:
            while worker.results.poll():
                message = worker.results.recv()
                self._handle(worker, message)
        except (EOFError, OSError):
            self._died(worker)

    def _handle(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            worker.ready = True
            return
        handle = worker.handle
        if handle is None or handle.task.id != message[1]:
            return  # a message about a task already cancelled
        if kind == "progress":
            if handle.on_progress is not None:
                try:
                    handle.on_progress(message[2], message[3])
                except Exception:  # a progress display must never stop the executor
                    log.exception("progress callback of task %s failed", handle.task.id)
            return
        with self._lock:
            worker.handle = None
            self._assign()
        if kind == "done":
            handle._finish(folders=message[2])
        else:
            handle._finish(error=message[2])

    def _died(self, worker: _Worker) -> None:
        stranded: list[LocalHandle] = []
        with self._lock:
            if self._closing or worker not in self._pool:
                return
            handle = worker.handle
            self._early_deaths = 0 if worker.ready else self._early_deaths + 1
            if self._early_deaths < MAX_EARLY_DEATHS:
                self._replace(worker)
            else:
                log.error("gekiban worker processes keep dying before they are warm: giving one place up")
                self._pool.remove(worker)
                if not self._pool:
                    stranded = list(self._pending)
                    self._pending.clear()
        code = worker.process.exitcode
        _stop(worker, graceful=False)
        if handle is not None:
            handle._finish(error=RenderError(f"the worker process running task {handle.task.id} died "
                                             f"(exit code {code}): the task did not finish"))
        for waiting in stranded:
            waiting._finish(error=RenderError(f"task {waiting.task.id} cannot run: every worker process died "
                                              "while it started"))


def _stop(worker: _Worker, *, graceful: bool) -> None:
    """End a worker process: asked to leave when idle, else terminated; killed if it lingers."""
    if graceful:
        try:
            worker.tasks.send(None)
        except OSError:
            pass
        worker.process.join(timeout=2)
    if worker.process.is_alive():
        worker.process.terminate()
        worker.process.join(timeout=5)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join(timeout=5)
    for conn in (worker.tasks, worker.results):
        conn.close()


# ─── the worker's side ─────────────────────────────────────────────────────────────────────

def warm_up(soundfont: str | None) -> None:
    """Load what every task needs once: the embedding model with the styles' sentences, then
    the SoundFont, kept decoded across renders (in this order, as a compose loads them: the
    other raises the peak memory). A failure is logged, not raised: the tasks then report it
    themselves (a missing SoundFont, say)."""
    try:
        from gekiban.styles import all_styles
        from gekiban.understand.semantic import warm_up as warm_model

        warm_model(all_styles())
    except GekibanError as exc:
        log.warning("worker could not load the embedding model: %s", exc)
    try:
        from gekiban.audio.synth import find_soundfont, keep_samples, load_font

        keep_samples(True)
        load_font(find_soundfont(soundfont))
    except GekibanError as exc:
        log.warning("worker could not load the SoundFont: %s", exc)


def portable(exc: BaseException) -> BaseException:
    """``exc`` if it is a gekiban error that survives pickling, else a :class:`RenderError`
    that names it (the parent must be able to read what the worker sends)."""
    if isinstance(exc, GekibanError):
        try:
            pickle.loads(pickle.dumps(exc))
            return exc
        except Exception:
            return RenderError(str(exc))
    return RenderError(f"the task failed: {type(exc).__name__}: {exc}")


def worker_main(tasks: Connection, results: Connection, soundfont: str | None) -> None:
    """A worker process: warm up, then run each task received until told to stop (``None``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    warm_up(soundfont)
    results.send(("ready",))
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        last = {"stage": "", "at": 0.0}

        def progress(stage: str, fraction: float, task_id: str = task.id) -> None:
            at = time.monotonic()
            if stage != last["stage"] or at - last["at"] >= PROGRESS_EVERY_S:
                last.update(stage=stage, at=at)
                results.send(("progress", task_id, str(stage), float(fraction)))

        try:
            results.send(("done", task.id, run_task(task, progress, soundfont=soundfont)))
        except Exception as exc:
            results.send(("error", task.id, portable(exc)))
