"""Running cases in a child process (``python tools/fuzz --worker``): the parent's
:class:`Isolated` and the child's :func:`worker_main`, talking in length-prefixed pickles."""

from __future__ import annotations

import os
import pickle
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from core import ROOT, Case, Step
from runner import execute
from shrink import shrink


def _send(stream: Any, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "little") + data)
    stream.flush()


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes | None:
    """``n`` bytes from ``fd``, or None at EOF; raises TimeoutError past ``deadline``."""
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _recv(fd: int, deadline: float | None) -> Any:
    head = _read_exact(fd, 8, deadline)
    if head is None:
        raise EOFError
    body = _read_exact(fd, int.from_bytes(head, "little"), deadline)
    if body is None:
        raise EOFError
    return pickle.loads(body)


class Isolated:
    """Runs cases in a child process (``python tools/fuzz --worker``). The child stops a step at the limit
    with an alarm; if it does not answer within the limit plus a grace period, it is killed (a
    hang in C code) and a new one started. A child that dies is reported as uncaught."""

    GRACE = 15.0
    STARTUP = 120.0

    def __init__(self, timeout: float, log: Path, memory_gb: float = 8.0):
        self.timeout, self.log, self.memory_gb = timeout, log, memory_gb
        self.proc: subprocess.Popen | None = None
        self.started = False

    def _start(self) -> None:
        cmd = [sys.executable, str(Path(__file__).resolve().parent), "--worker", "--timeout", str(self.timeout),
               "--memory-gb", str(self.memory_gb)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=str(ROOT))
        self.started = False

    def request(self, msg: tuple, limit: float) -> tuple[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.proc and self.proc.stdin and self.proc.stdout
        grace = self.GRACE + (0 if self.started else self.STARTUP)
        try:
            _send(self.proc.stdin, msg)
            answer = _recv(self.proc.stdout.fileno(), time.monotonic() + limit + grace)
            self.started = True
            return "ok", answer
        except TimeoutError:
            self.close(kill=True)
            return "timeout", None
        except (EOFError, BrokenPipeError, OSError):
            rc = self.proc.wait() if self.proc else None
            self.proc = None
            return "died", rc

    def run(self, case: Case) -> list[Step]:
        status, answer = self.request(("run", vars(case)), self.timeout)
        if status == "ok":
            return [Step(**d) for d in answer]
        if status == "timeout":
            return [Step(case.target, "hang", case.name, "Hang", f"killed: no answer within {self.timeout + self.GRACE:g} s "
                         "(stuck in C code?)", "", "")]
        return [Step(case.target, "uncaught", case.name, "WorkerDied", f"the child process died (exit status {answer})",
                     "", f"exit status {answer}")]

    def shrink(self, case: Case, step: Step, budget_s: float) -> Case:
        status, answer = self.request(("shrink", vars(case), step.signature, budget_s), budget_s + self.timeout)
        return Case(**answer) if status == "ok" and answer is not None else case

    def close(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        try:
            if kill:
                self.proc.kill()
            else:
                self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a worker that cannot be stopped cleanly is killed
            self.proc.kill()
        self.proc = None


def worker_main(timeout: float, memory_gb: float) -> None:
    """The child process: read cases from stdin, answer on the original stdout (prints go to stderr)."""
    proto_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if memory_gb > 0:
        import resource

        limit = int(memory_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import warnings

    warnings.simplefilter("ignore")
    tmp = Path(tempfile.mkdtemp(prefix="gekiban-fuzz-worker-"))
    fd = sys.stdin.buffer.fileno()
    try:
        while True:
            try:
                msg = _recv(fd, None)
            except EOFError:
                return
            if msg[0] == "run":  # plain dicts both ways, so either side may load these modules under any name
                _send(proto_out, [vars(s) for s in execute(Case(**msg[1]), timeout, tmp)])
            elif msg[0] == "shrink":
                _send(proto_out, vars(shrink(Case(**msg[1]), msg[2], msg[3], timeout, tmp)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
