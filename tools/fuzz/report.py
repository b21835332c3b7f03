"""Running cases and tallying them (per family, per step, per uncaught signature, hangs), and the
printed report with a reproducer for each signature."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bundles import _bundle_folder
from core import DEFAULT_TIMEOUT, FAMILIES, Case, Step, case_status
from prompt_run import BASE_BRIEF_CALL, BASE_SCORE_CALL, TARGETS
from runner import execute
from worker import Isolated

SLOW_S = 5.0                 # cases slower than this are listed (not failures)


@dataclass
class Failure:
    signature: str
    step: Step
    case: Case
    count: int = 0
    families: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    steps: Counter = field(default_factory=Counter)
    examples: list = field(default_factory=list)     # (case name, call) of the first few


#: Steps that run on something already accepted (a resolved brief, a loaded bundle): a refusal there
#: is listed, since checked input should not be refused that late.
LATE_STEPS = {"build_score", "write_midi", "build_score(from_midi)", "vary", "extend", "edit", "delivery settings",
              "edit_score", "edit_brief"}


@dataclass
class Tally:
    family: str
    cases: int = 0
    accepted: int = 0
    refused: int = 0
    uncaught: int = 0
    hangs: int = 0
    seconds: float = 0.0
    steps: dict = field(default_factory=lambda: defaultdict(Counter))
    refusals: Counter = field(default_factory=Counter)
    late: dict = field(default_factory=dict)         # (step, error) -> [count, message, case] for LATE_STEPS
    slow: list = field(default_factory=list)

    def add(self, case: Case, steps: list[Step], seconds: float) -> None:
        self.cases += 1
        status = case_status(steps)
        if status == "ok":
            self.accepted += 1
        elif status == "refused":
            self.refused += 1
        elif status == "uncaught":
            self.uncaught += 1
        else:
            self.hangs += 1
        for s in steps:
            self.steps[s.step][s.status] += 1
            if s.status == "refused":
                self.refusals[s.etype] += 1
                if s.step in LATE_STEPS:
                    entry = self.late.setdefault((s.step, s.etype), [0, s.message, case.name])
                    entry[0] += 1
        if seconds > SLOW_S:
            self.slow.append((seconds, case.name, case.target, case.note))


@dataclass
class Results:
    tallies: dict = field(default_factory=dict)
    failures: dict = field(default_factory=dict)     # signature -> Failure
    hangs: list = field(default_factory=list)        # (case, step)

    @property
    def uncaught(self) -> int:
        return sum(t.uncaught for t in self.tallies.values())

    @property
    def hang_count(self) -> int:
        return sum(t.hangs for t in self.tallies.values())

    def record(self, case: Case, steps: list[Step], seconds: float) -> None:
        tally = self.tallies.setdefault(case.family, Tally(case.family))
        tally.add(case, steps, seconds)
        for s in steps:
            if s.status == "uncaught":
                f = self.failures.get(s.signature)
                if f is None:
                    f = self.failures[s.signature] = Failure(s.signature, s, case)
                elif _case_size(case) < _case_size(f.case):
                    f.step, f.case = s, case  # keep the smallest example
                f.count += 1
                f.families[case.family] += 1
                f.kinds[case.kind] += 1
                f.steps[s.step] += 1
                if len(f.examples) < 3:
                    f.examples.append(case.name)
            elif s.status == "hang":
                self.hangs.append((case, s))


def _case_size(case: Case) -> int:
    return len(repr(case.args)) + len(repr(case.kwargs)) + 50 * len(case.then)


def run_cases(cases: list[Case], *, timeout: float = DEFAULT_TIMEOUT, isolated: Isolated | None = None,
              results: Results | None = None, progress: Callable[[str], None] | None = None) -> Results:
    """Run cases (in ``isolated``'s child process, else here) and tally them."""
    results = results or Results()
    tmp = Path(tempfile.mkdtemp(prefix="gekiban-fuzz-"))
    try:
        for k, case in enumerate(cases):
            t0 = time.perf_counter()
            steps = isolated.run(case) if isolated else execute(case, timeout, tmp)
            seconds = time.perf_counter() - t0
            results.tallies.setdefault(case.family, Tally(case.family)).seconds += seconds
            results.record(case, steps, seconds)
            if progress and (k + 1) % 500 == 0:
                progress(f"  {case.family}: {k + 1}/{len(cases)} cases, {results.tallies[case.family].uncaught} uncaught")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def failure_messages(results: Results) -> list[str]:
    """One line per distinct uncaught signature and per hang (for test assertions)."""
    out = [f"{f.signature} ({f.count}x, e.g. {f.case.name}: {f.step.call[:300]})  {f.step.message[:160]}"
           for f in results.failures.values()]
    out += [f"Hang in {s.step} ({c.name}): {s.call[:300]}" for c, s in results.hangs]
    return out


IMPORTS = {**{name: path.split(":")[0] for name, path in TARGETS.items()},
           "build_score": "gekiban.composer", "extend_score": "gekiban.composer", "resolve_style": "gekiban.styles",
           "read_midi": "gekiban.midi", "write_midi": "gekiban.midi", "read_seed": "gekiban.understand.midi_seed",
           "evaluate_paths": "gekiban.evaluate", "load_bundle": "gekiban.bundle.read",
           "bundle_loudness": "gekiban.bundle.read", "bundle_sample_rate": "gekiban.bundle.read",
           "bundle_format": "gekiban.bundle.read", "bundle_has_layers": "gekiban.bundle.read",
           "edit_score": "gekiban.edit.edits", "edit_brief": "gekiban.edit.edits", "make_origin": "gekiban.edit.operations",
           "Key": "gekiban.theory", "Fraction": "fractions", "Decimal": "decimal", "PosixPath": "pathlib"}


def imports_for(call: str) -> list[str]:
    """The import lines a reproducer needs."""
    by_module: dict[str, list[str]] = defaultdict(list)
    for name, module in IMPORTS.items():
        if re.search(rf"(?<![\w.]){name}\(", call):
            by_module[module].append(name)
    out = [f"from {m} import {', '.join(sorted(names))}" for m, names in sorted(by_module.items())]
    return out + (["import numpy as np"] if re.search(r"(?<![\w.])np\.", call) else [])


def _save_case(case: Case, folder: Path, label: str) -> str:
    """Write a failing MIDI file or bundle under ``folder``; returns what PATH/FOLDER stand for."""
    folder.mkdir(parents=True, exist_ok=True)
    if case.family == "midi":
        kind, data = case.args
        if kind in ("<dir>", "<missing>", "<odd-name>"):
            return f"PATH = {kind}"
        path = folder / f"{label}.mid"
        path.write_bytes(data)
        text = f"PATH = {str(path)!r}"
        if len(data) <= 160:
            text += f"  (bytes: {data!r})"
        return text
    if case.family == "bundle":
        target = _bundle_folder(case, folder, folder / label)
        return f"FOLDER = {str(target)!r}"
    return ""


def print_report(results: Results, *, save: Path | None, wall: dict[str, float], out: Any = sys.stdout) -> None:
    w = out.write
    w("\nfamily    cases  accepted  refused  uncaught  hangs    wall\n")  # a case counts by its worst step
    for fam in FAMILIES:
        t = results.tallies.get(fam)
        if t:
            w(f"{fam:<8}{t.cases:>7}{t.accepted:>10}{t.refused:>9}{t.uncaught:>10}{t.hangs:>7}{wall.get(fam, t.seconds):>8.1f} s\n")
    for fam in FAMILIES:
        t = results.tallies.get(fam)
        if not t:
            continue
        w(f"\n{fam} steps (ok / refused / uncaught / hang):\n")
        for name, c in sorted(t.steps.items()):
            skipped = f" ({c['skipped']} skipped after a hang)" if c["skipped"] else ""
            w(f"  {name:<26} {c['ok']:>6} / {c['refused']:>6} / {c['uncaught']:>5} / {c['hang']:>3}{skipped}\n")
        w(f"  refusals by error: {', '.join(f'{k} {v}' for k, v in t.refusals.most_common())}\n")
        for (step, etype), (count, message, name) in sorted(t.late.items()):
            w(f"  refused after acceptance: {step} {etype} x{count}, e.g. {name}: {message[:200]}\n")
        for sec, name, tgt, note in sorted(t.slow, reverse=True)[:5]:
            w(f"  slow: {name} {tgt} {sec:.1f} s {note[:100]}\n")
    w(f"\nuncaught signatures: {len(results.failures)}\n")
    for k, f in enumerate(sorted(results.failures.values(), key=lambda f: (-f.count, f.signature)), start=1):
        s = f.step
        w(f"\n[{k}] {s.etype} at {s.where or '-'}\n")
        if s.inner and s.inner != s.where:
            w(f"    raised in: {s.inner}\n")
        w(f"    message:   {s.message}\n")
        w(f"    cases:     {f.count} ({', '.join(f'{a} {b}' for a, b in f.families.items())}; input "
          f"{', '.join(f'{a} {b}' for a, b in f.kinds.items())}; steps {', '.join(f'{a} {b}' for a, b in f.steps.items())})\n")
        w(f"    example:   {f.case.name} {('(' + f.case.note[:200] + ')') if f.case.note else ''}"
          f"{'; first cases ' + ', '.join(f.examples) if f.count > 1 else ''}\n")
        w(f"    reproducer: {s.call}\n")
        for line in imports_for(s.call):
            w(f"        {line}\n")
        if "SCORE" in s.call:
            w(f"        SCORE = {BASE_SCORE_CALL}\n")
        if "BRIEF" in s.call:
            w(f"        BRIEF = {BASE_BRIEF_CALL}\n")
        if save and f.case.family in ("midi", "bundle"):
            w(f"    where {_save_case(f.case, save, f'sig{k}-{f.case.family}{f.case.index}')}\n")
    if results.hangs:
        groups: dict[tuple[str, str], list] = defaultdict(list)
        for case, s in results.hangs:
            groups[(s.step, s.where or s.inner)].append((case, s))
        w(f"\nhangs: {len(results.hangs)} cases, {len(groups)} distinct (step, place)\n")
        for k, ((step, where), items) in enumerate(groups.items(), start=1):
            case, s = min(items, key=lambda cs: _case_size(cs[0]))
            w(f"\n[H{k}] {step} still running after {s.seconds:.0f} s, at {where or '?'} ({len(items)} cases: "
              f"{', '.join(c.name for c, _ in items[:5])})\n")
            w(f"    example:   {case.name} ({case.note[:200]})\n    reproducer: {s.call[:500]}\n")
            for line in imports_for(s.call):
                w(f"        {line}\n")
            if save and case.family in ("midi", "bundle"):
                w(f"    where {_save_case(case, save, f'hang{k}-{case.family}{case.index}')}\n")
