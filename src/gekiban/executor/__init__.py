"""Where the work runs: the :class:`Executor` protocol, and :class:`LocalExecutor` (warm worker
processes on this machine). A distributed executor (Dask) can take its place behind the same
protocol.

A :class:`~gekiban.executor.tasks.Task` names what to run and the staging folder to write into;
:func:`~gekiban.executor.tasks.run_task` runs it inside a worker.
"""

from __future__ import annotations

from typing import Protocol

from gekiban.executor.local import LocalExecutor, LocalHandle
from gekiban.executor.tasks import KINDS, Progress, Task, check_params, run_task

__all__ = ["KINDS", "Executor", "Handle", "LocalExecutor", "LocalHandle", "Task", "check_params", "run_task"]


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
