"""Where the work runs: the :class:`Executor` protocol, and :class:`LocalExecutor` (warm worker
processes on this machine), :class:`~gekiban.executor.dask.DaskExecutor` (a Dask distributed
cluster) behind the same protocol; :func:`make_executor` picks one.

A :class:`~gekiban.executor.tasks.Task` names what to run and the staging folder to write into;
:func:`~gekiban.executor.tasks.run_task` runs it inside a worker.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

from gekiban.executor.local import LocalExecutor, LocalHandle
from gekiban.executor.tasks import KINDS, Progress, Task, check_params, run_task

__all__ = ["KINDS", "DaskExecutor", "Executor", "Handle", "LocalExecutor", "LocalHandle", "Task", "check_params",
           "make_executor", "run_task"]


def __getattr__(name: str) -> Any:
    """``DaskExecutor`` on first use: importing ``distributed`` costs a second."""
    if name in ("DaskExecutor", "DaskHandle"):
        from gekiban.executor import dask

        return getattr(dask, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Handle(Protocol):
    """A submitted task."""

    def result(self, timeout: float | None = None) -> list[str]:
        """The bundle folders written; raises the task's error (:class:`RenderError` when its
        worker died, :class:`CancelledError` when cancelled), ``TimeoutError`` past ``timeout``."""

    def cancel(self) -> None:
        """Withdraw the task, or stop it while it runs."""

    def done(self) -> bool:
        """True once it finished, failed or was cancelled."""


class Executor(Protocol):
    """Runs tasks, at most ``workers`` at once."""

    workers: int

    def submit(self, task: Task, *, on_progress: Progress | None = None) -> Handle:
        """Queue a task; ``on_progress(stage, fraction)`` reports on it."""

    def close(self) -> None:
        """Stop; tasks not done fail with :class:`CancelledError`."""


def default_workers() -> int:
    """Local worker processes by default: 1 on two CPUs or fewer, else one per CPU but one."""
    cpus = os.cpu_count() or 1
    return 1 if cpus <= 2 else cpus - 1


def make_executor(*, scheduler: str | None = None, workers: int | None = None,
                  soundfont: str | os.PathLike[str] | None = None) -> Executor:
    """The executor to run tasks on: warm local processes, or a Dask cluster.

    Parameters
    ----------
    scheduler
        A Dask scheduler's address (``tcp://host:port``): a
        :class:`~gekiban.executor.dask.DaskExecutor` on that cluster, its workers warmed before
        this returns. Without it, a :class:`LocalExecutor`.
    workers
        Local worker processes (default :func:`default_workers`); with a scheduler it is
        ignored: the cluster has the workers it has.
    soundfont
        The SoundFont the workers load.

    Raises
    ------
    InvalidOptionError
        For a bad worker count or scheduler address.
    RenderError
        If the scheduler does not answer within a few seconds (the message names it).
    """
    if scheduler is not None and str(scheduler).strip():
        from gekiban.executor.dask import DaskExecutor  # lazy: imports distributed

        return DaskExecutor(str(scheduler), soundfont=soundfont)
    return LocalExecutor(default_workers() if workers is None else workers, soundfont=soundfont)
