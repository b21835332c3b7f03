"""Tasks on a Dask distributed cluster that already runs: :class:`DaskExecutor`, the same
:class:`~gekiban.executor.Executor` protocol as the local worker processes.

What the cluster must offer
    A scheduler (``dask scheduler``) and workers (``dask worker tcp://HOST:8786 --nthreads 1``)
    started from an environment where gekiban and its SoundFont are installed, the same version
    as the client's. One thread per worker is advised: a compose renders its parts on the cores
    itself, and one task per process keeps the peak memory of a worker to one cue.
A shared filesystem
    A task writes its bundle into the folder its :class:`~gekiban.executor.Task` names, on the
    worker's machine: the workers must see the client's folders at the same paths (NFS, a
    cluster filesystem, or workers on the client's machine). A worker that cannot see the
    folder's parent fails the task with an :class:`~gekiban.errors.OutputError` naming it.
Warm workers
    A worker plugin (:class:`WarmGekiban`) loads the embedding model and the SoundFont (its
    samples kept decoded, :func:`gekiban.audio.synth.keep_samples`) once per worker process,
    when the executor connects and again in every worker that joins later; a task that reaches
    a worker first waits for it (and warms a worker without the plugin itself).
Progress
    A task's progress goes from its worker to the client as Dask events
    (``Worker.log_event`` on a topic of the executor's own, ``Client.subscribe_topic``); a
    thread of the executor calls each handle's ``on_progress``, in order, and every report
    sent before a task finished is delivered before its ``result()`` returns.
Cancel
    ``Handle.cancel()`` cancels the Dask future. A task still waiting is withdrawn at once.
    Dask cannot interrupt a running task (it runs in a thread of the worker), so a running
    gekiban task checks at each progress report whether its key was cancelled and stops there
    by raising (within about a quarter of a second while it renders; composing the score
    before the render is not interrupted). The handle says cancelled at once; the worker is
    free again once the task has stopped.

A worker that dies
    Dask runs its task again on another worker (up to ``distributed.scheduler.allowed-failures``
    times, 3 by default; the bundle is written atomically, so a half-done one is never kept),
    then the handle fails with :class:`~gekiban.errors.RenderError` naming the ``KilledWorker``.

``distributed`` is imported with this module: import it only where a scheduler is given
(:func:`gekiban.executor.make_executor` does).
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import re
import socket
import threading
import time
import uuid
from concurrent.futures import CancelledError as FuturesCancelledError
from pathlib import Path
from typing import Any

from distributed import Client, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from gekiban.errors import CancelledError, GekibanError, InvalidOptionError, OutputError, RenderError
from gekiban.executor.local import PROGRESS_EVERY_S, portable, warm_up
from gekiban.executor.tasks import Progress, Task, run_task

log = logging.getLogger(__name__)

#: Seconds to wait for the scheduler to answer before giving up.
CONNECT_TIMEOUT_S = 5.0
#: Seconds the worker count is kept before the scheduler is asked again.
WORKERS_EVERY_S = 2.0
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")  # a task id in a Dask key: kept readable, nothing Dask parses
_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d{1,5})$")


def check_scheduler_address(address: str) -> str:
    """``address`` as Dask takes it: ``[scheme://]host:port``, ``tcp://`` when no scheme is given.

    Raises
    ------
    InvalidOptionError
        If it is not such an address (``field`` is ``"scheduler"``).
    """
    text = str(address).strip()
    match = _ADDRESS.match(text)
    port = int(match["port"]) if match else 0
    if match is None or not 1 <= port <= 65535 or (match["scheme"] or "tcp") not in _SCHEMES:
        err = InvalidOptionError(f"bad scheduler address {address!r}: give the Dask scheduler's address as "
                                 f"tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786; schemes {', '.join(_SCHEMES)})")
        err.field = "scheduler"
        raise err
    return text if match["scheme"] else f"tcp://{text}"


def probe_scheduler(address: str, *, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Check that something listens at a ``tcp://`` scheduler address (other schemes are left to
    the client), so that a command can refuse a dead address before it starts anything.

    Raises
    ------
    RenderError
        If nothing answers within ``timeout`` seconds; the message names the address.
    """
    checked = check_scheduler_address(address)
    scheme, rest = checked.split("://", 1)
    if scheme != "tcp":
        return
    host, port = rest.rsplit(":", 1)
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise RenderError(f"cannot reach the Dask scheduler at {checked} within {timeout:g} s ({exc}): is `dask "
                          "scheduler` running there, and is the port open?") from None


# ─── the worker's side ────────────────────────────────────────────────────────────────────

_warm_lock = threading.Lock()
_warmed: set[str | None] = set()


def ensure_warm(soundfont: str | None) -> None:
    """Load the embedding model and ``soundfont`` once in this process (a second call waits for
    the first, then returns)."""
    with _warm_lock:
        if soundfont not in _warmed:
            warm_up(soundfont)
            _warmed.add(soundfont)


class WarmGekiban(WorkerPlugin):
    """Warms each Dask worker process once (see the module's description), off the worker's
    event loop so that its heartbeats go on meanwhile."""

    name = "gekiban-warm"

    def __init__(self, soundfont: str | None = None) -> None:
        self.soundfont = soundfont

    async def setup(self, worker: Any) -> None:
        await asyncio.get_running_loop().run_in_executor(None, ensure_warm, self.soundfont)


def _key_cancelled(worker: Any, key: str) -> bool:
    """Whether the scheduler has let go of the running task ``key`` (a cancel). Reads the
    worker's task state: Dask has no public "was I cancelled" call for a running task."""
    try:
        state = worker.state.tasks.get(key)
    except AttributeError:  # another distributed: no cooperative cancel, the task runs out
        return False
    return state is None or state.state in ("cancelled", "released", "forgotten")


def run_on_worker(task: Task, soundfont: str | None, topic: str) -> list[str]:
    """What a Dask worker runs: :func:`~gekiban.executor.tasks.run_task` in a warm process,
    its progress sent to ``topic``; a cancel stops it at its next progress report."""
    worker = get_worker()
    key = str(worker.get_current_task())
    ensure_warm(soundfont)
    parent = Path(task.folder).parent
    if not parent.is_dir():
        raise OutputError(f"the folder {parent} does not exist on the Dask worker {worker.address}: the workers "
                          "must see the client's folders at the same paths (a shared filesystem)")
    last = {"stage": "", "at": 0.0}

    def progress(stage: str, fraction: float) -> None:
        at = time.monotonic()
        if stage != last["stage"] or at - last["at"] >= PROGRESS_EVERY_S:
            if _key_cancelled(worker, key):
                raise CancelledError(f"task {task.id} was cancelled while it ran")
            last.update(stage=stage, at=at)
            worker.log_event(topic, [key, str(stage), float(fraction), str(worker.address)])

    try:
        return run_task(task, progress, soundfont=soundfont)
    except Exception as exc:
        raise portable(exc) from None


# ─── the client's side ────────────────────────────────────────────────────────────────────

class DaskHandle:
    """A task submitted to a :class:`DaskExecutor`: wait for it, cancel it.

    ``worker`` is the address of the worker that last reported progress on it (``None`` until
    one has).
    """

    def __init__(self, task: Task, key: str, future: Any, on_progress: Progress | None,
                 executor: DaskExecutor) -> None:
        self.task, self.key, self.future, self.on_progress = task, key, future, on_progress
        self.worker: str | None = None
        self._finished = threading.Event()
        future.add_done_callback(lambda _: self._finished.set())
        self._executor = executor
        self._stopped: str | None = None  # why it was cancelled, once it was

    def result(self, timeout: float | None = None) -> list[str]:
        """The bundle folders the task wrote.

        Raises
        ------
        TimeoutError
            If it is not done within ``timeout`` seconds.
        GekibanError
            The task's own error; :class:`RenderError` if its workers died;
            :class:`CancelledError` if it was cancelled or the executor closed.
        """
        if self._stopped is not None:
            raise CancelledError(self._stopped)
        # wait here, not in Future.result(timeout): that timeout also bounds fetching the
        # answer from the worker, so result(timeout=0) on a done task would time out
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        while not self.future.done() and self._stopped is None:  # (a close() may leave it pending)
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError(f"task {self.task.id} is not done after {timeout} s")
            self._finished.wait(0.1 if left is None else min(0.1, left))
        if self._stopped is not None:
            raise CancelledError(self._stopped)
        try:
            folders = self.future.result()
        except (FuturesCancelledError, asyncio.CancelledError):
            raise CancelledError(self._stopped or f"task {self.task.id} was cancelled on the Dask cluster") from None
        except GekibanError:
            raise
        except Exception as exc:  # KilledWorker (its workers died), a lost scheduler …
            if self._stopped is not None:
                raise CancelledError(self._stopped) from None
            raise RenderError(f"task {self.task.id} failed on the Dask cluster: {type(exc).__name__}: {exc}") from None
        self._executor._flush()  # the progress sent before it finished is delivered first
        return list(folders)

    def cancel(self) -> None:
        """Withdraw the task if it waits; a running one stops at its next progress report (see
        the module's description). Nothing once it is done."""
        if self._stopped is None and not self.future.done():
            self._stop(f"task {self.task.id} was cancelled")
            try:
                self.future.cancel()
            except Exception:  # the client is gone: nothing left to withdraw
                log.debug("cancel of %s failed", self.key, exc_info=True)

    def done(self) -> bool:
        """True once the task finished, failed or was cancelled."""
        return self._stopped is not None or self.future.done()

    def _stop(self, reason: str) -> None:
        if self._stopped is None:
            self._stopped = reason


class DaskExecutor:
    """Runs tasks on the Dask cluster whose scheduler is at ``address`` (see the module's
    description for what the cluster must offer).

    Parameters
    ----------
    address
        The scheduler, ``tcp://host:port`` (a bare ``host:port`` means tcp).
    soundfont
        The SoundFont every worker loads (a path on the workers' machines; default: as for
        ``gekiban compose`` there).
    connect_timeout
        Seconds to wait for the scheduler.
    warm
        Register the warm-up plugin and wait until the workers are warm (default); without it
        each worker warms itself at its first task.

    Raises
    ------
    InvalidOptionError
        If ``address`` is not a scheduler address.
    RenderError
        If no scheduler answers at ``address`` within ``connect_timeout`` seconds.
    """

    def __init__(self, address: str, *, soundfont: str | os.PathLike[str] | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT_S, warm: bool = True) -> None:
        self.address = check_scheduler_address(address)
        self.soundfont = None if soundfont is None else os.fspath(soundfont)
        try:
            self.client = Client(self.address, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise RenderError(f"cannot reach the Dask scheduler at {self.address} within {connect_timeout:g} s "
                              f"({exc}): is `dask scheduler` running there, and is the port open?") from None
        self._lock = threading.Lock()
        self._handles: dict[str, DaskHandle] = {}
        self._closed = False
        self._workers, self._workers_at = 0, -WORKERS_EVERY_S
        self._topic = f"gekiban-progress-{uuid.uuid4().hex}"
        self._events: queue.Queue[Any] = queue.Queue()
        self._reader = threading.Thread(target=self._deliver, name="gekiban-dask-progress", daemon=True)
        self._reader.start()
        self.client.subscribe_topic(self._topic, self._events.put)
        if warm:
            self.client.register_plugin(WarmGekiban(self.soundfont), name=WarmGekiban.name)

    @property
    def workers(self) -> int:
        """How many workers the cluster has now (asked at most every :data:`WORKERS_EVERY_S`)."""
        at = time.monotonic()
        if at - self._workers_at >= WORKERS_EVERY_S and not self._closed:
            self._workers_at = at
            try:
                self._workers = len(self.client.scheduler_info(n_workers=-1).get("workers", {}))
            except Exception:  # the scheduler is away for a moment: keep the last count
                log.warning("the Dask scheduler at %s did not say its workers", self.address, exc_info=True)
        return self._workers

    def submit(self, task: Task, *, on_progress: Progress | None = None) -> DaskHandle:
        """Send ``task`` to the cluster; ``on_progress(stage, fraction)`` is called from the
        executor's thread."""
        key = f"gekiban-{_KEY_UNSAFE.sub('_', str(task.id))[:60]}-{uuid.uuid4().hex[:8]}"
        with self._lock:
            if self._closed:
                raise RenderError("the executor is closed: no task can be submitted")
            future = self.client.submit(run_on_worker, task, self.soundfont, self._topic, key=key, pure=False)
            handle = DaskHandle(task, key, future, on_progress, self)
            self._handles[key] = handle
        future.add_done_callback(lambda _: self._forget(key))
        return handle

    def close(self) -> None:
        """Cancel the tasks not done (they fail with :class:`CancelledError`) and disconnect.
        The cluster itself goes on."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            handles = list(self._handles.values())
            self._handles.clear()
        for handle in handles:
            handle._stop(f"task {handle.task.id} was stopped: the executor closed")
        try:
            if handles:
                self.client.cancel([h.future for h in handles])
            self.client.unsubscribe_topic(self._topic)
        except Exception:
            log.debug("the Dask scheduler at %s did not take the last messages", self.address, exc_info=True)
        self.client.close()
        self._events.put(None)
        self._reader.join(timeout=5)

    def _forget(self, key: str) -> None:
        """A task ended: its handle is no longer watched for progress after what was queued."""
        self._events.put(("forget", key))

    def _flush(self, timeout: float = 5.0) -> None:
        """Wait until every progress report received so far is delivered."""
        if self._reader.is_alive():
            delivered = threading.Event()
            self._events.put(delivered)
            delivered.wait(timeout)

    def _deliver(self) -> None:
        """The executor's thread: hand progress events to the handles' callbacks, in order."""
        while True:
            item = self._events.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            if item[0] == "forget":
                with self._lock:
                    self._handles.pop(item[1], None)
                continue
            try:  # a Dask event: (timestamp, [key, stage, fraction, worker])
                key, stage, fraction, worker = item[1]
            except (TypeError, ValueError, IndexError):
                continue
            with self._lock:
                handle = self._handles.get(key)
            if handle is None or handle._stopped is not None:
                continue
            handle.worker = worker
            if handle.on_progress is not None:
                try:
                    handle.on_progress(stage, fraction)
                except Exception:  # a progress display must never stop the executor
                    log.exception("progress callback of task %s failed", handle.task.id)
