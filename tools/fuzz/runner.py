"""Making a family's cases and running one case in this process under the time limit."""

from __future__ import annotations

import shutil
import tempfile
import traceback
from pathlib import Path

from bundles import bundle_case, run_bundle_case
from core import (
    DEFAULT_TIMEOUT,
    Case,
    FuzzTimeout,
    Step,
    describe_exception,
    time_limit,
)
from midi import midi_case, run_midi_case
from prompt_run import run_prompt_case
from prompts import prompt_case

RUNNERS = {"prompt": run_prompt_case, "midi": run_midi_case, "bundle": run_bundle_case}
MAKERS = {"prompt": prompt_case, "midi": midi_case, "bundle": bundle_case}


def make_cases(family: str, n: int, seed: int = 0, start: int = 0) -> list[Case]:
    """Cases ``start`` .. ``start + n - 1`` of a family (the same ones in every run with this seed)."""
    return [MAKERS[family](i, seed) for i in range(start, start + n)]


def prompt_cases(n: int, seed: int = 0) -> list[Case]:
    return make_cases("prompt", n, seed)


def midi_cases(n: int, seed: int = 0) -> list[Case]:
    return make_cases("midi", n, seed)


def bundle_cases(n: int, seed: int = 0) -> list[Case]:
    return make_cases("bundle", n, seed)


def execute(case: Case, timeout: float = DEFAULT_TIMEOUT, tmp: Path | None = None) -> list[Step]:
    """Run one case in this process; a step past ``timeout`` seconds is stopped and reported as a hang
    (where Python code runs; a hang inside C code needs :class:`worker.Isolated`)."""
    own = tmp is None
    work = Path(tempfile.mkdtemp(prefix="gekiban-fuzz-case-")) if own else tmp
    try:
        with time_limit(timeout):
            try:
                return RUNNERS[case.family](case, work)
            except FuzzTimeout:
                return [Step(case.target, "hang", case.name, "Hang", "still running after the time limit (in the fuzzer)")]
            except Exception as exc:  # noqa: BLE001 - a fault of the fuzzer itself (writing a file...): reported, not fatal
                etype, msg, where, inner = describe_exception(exc)
                return [Step(case.target, "uncaught", case.name, f"FuzzerError[{etype}]", msg, where, inner,
                             traceback.format_exc(limit=-8))]
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
