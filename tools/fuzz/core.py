"""What a fuzz case is and what one call did: :class:`Case`, :class:`Step`, :func:`attempt` (run a
call and classify the outcome), the description of an exception, the per-case time limit (an alarm)
and how a call is written in a reproducer."""

from __future__ import annotations

import math
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

DEFAULT_TIMEOUT = 30.0
FAMILIES = ("prompt", "midi", "bundle")


@dataclass(frozen=True)
class Case:
    """One fuzz case. ``target`` names what to call (see :data:`TARGETS` and the family runners);
    ``kind`` says what sort of input it is: ``text`` or ``number`` (what a user can type), ``value``
    (a value of the documented type, such as a motif list), ``type`` (a wrong Python type through
    the API), ``file`` (a mutated file)."""

    family: str
    index: int
    target: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    kind: str = "text"
    note: str = ""
    then: tuple = ()         # follow-on steps after an accepted resolve_brief: ("timing", {...}), ("build", {}), ...

    @property
    def name(self) -> str:
        return f"{self.family}:{self.index}"


@dataclass
class Step:
    """What one call did: ``ok``, ``refused`` (a GekibanError), ``uncaught`` or ``hang``."""

    step: str
    status: str
    call: str = ""
    etype: str = ""
    message: str = ""
    where: str = ""
    inner: str = ""
    tb: str = ""
    seconds: float = 0.0

    @property
    def signature(self) -> str:
        return f"{self.etype} @ {self.where or self.inner}"


class FuzzTimeout(BaseException):
    """Raised by the watchdog alarm inside a case (a BaseException, so ``except Exception`` in the
    code under test does not swallow it)."""


def _pkg_dir() -> str:
    import gekiban

    return str(Path(gekiban.__file__).resolve().parent)


def _frame_text(f: traceback.FrameSummary, pkg: str) -> str:
    name = f.filename
    if name.startswith(pkg):
        name = "gekiban" + name[len(pkg):]
    elif "site-packages/" in name:
        name = name.split("site-packages/", 1)[1]
    elif name.startswith(str(ROOT)):
        name = name[len(str(ROOT)) + 1:]
    return f"{name}:{f.lineno} in {f.name}"


def describe_exception(exc: BaseException) -> tuple[str, str, str, str]:
    """(type, one-line message, innermost gekiban frame, innermost frame) of an exception."""
    pkg = _pkg_dir()
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, FuzzTimeout):  # leave out the alarm handler's own frame
        frames = [f for f in frames if f.name != "_alarm_handler"] or frames
    ours = [f for f in frames if f.filename.startswith(pkg)]
    where = _frame_text(ours[-1], pkg) if ours else ""
    inner = _frame_text(frames[-1], pkg) if frames else ""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(msg) > 240:
        msg = msg[:237] + "..."
    return type(exc).__name__, msg, where, inner


_DEADLINE: float | None = None   # when the running case must stop (set by :func:`time_limit`)


def _arm() -> None:
    """Point the alarm at the case's deadline (again after a step that caught it)."""
    if _DEADLINE is None:
        return
    left = _DEADLINE - time.monotonic()
    if left <= 0:
        raise FuzzTimeout()
    signal.setitimer(signal.ITIMER_REAL, left)


def _alarm_handler(signum: int, frame: Any) -> None:
    raise FuzzTimeout()


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(timeout: float) -> Iterator[None]:
    """Stop the steps run inside after ``timeout`` seconds (a :class:`FuzzTimeout` from an alarm,
    where Python code runs, in the main thread only; a hang inside C code needs the child process)."""
    global _DEADLINE
    use_alarm = bool(timeout) and hasattr(signal, "setitimer") and _main_thread()
    old = signal.signal(signal.SIGALRM, _alarm_handler) if use_alarm else None
    try:
        if use_alarm:
            _DEADLINE = time.monotonic() + timeout
            _arm()
        yield
    finally:
        if use_alarm:
            _DEADLINE = None
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def attempt(step: str, call: str, fn: Callable[[], Any]) -> tuple[Step, Any]:
    """Run ``fn`` and classify what happened."""
    from gekiban.errors import GekibanError

    t0 = time.perf_counter()
    if _DEADLINE is not None and time.monotonic() >= _DEADLINE:
        return Step(step, "skipped", call, "Skipped", "not run: an earlier step used up the case's time"), None
    try:
        _arm()
        value = fn()
    except GekibanError as exc:
        return Step(step, "refused", call, type(exc).__name__, str(exc)[:240], seconds=time.perf_counter() - t0), None
    except FuzzTimeout as exc:
        etype, msg, where, inner = describe_exception(exc)
        return Step(step, "hang", call, "Hang", f"still running after the time limit (at {inner})", where, inner,
                    traceback.format_exc(limit=-12), time.perf_counter() - t0), None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - everything else is what the fuzzer looks for
        etype, msg, where, inner = describe_exception(exc)
        return Step(step, "uncaught", call, etype, msg, where, inner, traceback.format_exc(limit=-15),
                    time.perf_counter() - t0), None
    return Step(step, "ok", call, seconds=time.perf_counter() - t0), value


def case_status(steps: list[Step]) -> str:
    for status in ("hang", "uncaught", "refused"):
        if any(s.status == status for s in steps):
            return status
    return "ok"


def _call_text(fn: str, args: tuple, kwargs: dict, prefix: tuple[str, ...] = ()) -> str:
    parts = list(prefix) + [_short_repr(a) for a in args] + [f"{k}={_short_repr(v)}" for k, v in kwargs.items()]
    return f"{fn}({', '.join(parts)})"


def _short_repr(v: Any, limit: int = 4000) -> str:
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10**20:
        for base in (10, 2):
            k = round(math.log(abs(v), base))
            if base**k == abs(v):
                return f"{'-' if v < 0 else ''}{base}**{k}"
    text = repr(v)
    if len(text) <= limit:
        return text
    if isinstance(v, str):
        for n in range(1, 200):  # a repeated unit: show it as a product
            unit = v[:n]
            if unit * (len(v) // n) + unit[: len(v) % n] == v:
                return f"({unit!r} * {len(v) // n} + {unit[: len(v) % n]!r})"
    if isinstance(v, list) and v and all(x == v[0] for x in v):
        return f"[{v[0]!r}] * {len(v)}"
    return text[:limit] + f"...<{len(text)} chars>"
