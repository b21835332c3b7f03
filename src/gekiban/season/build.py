"""Build a menu: compose every cue through an executor, each into a staging folder renamed into
``OUT/M-1/`` … only once complete, then the manifest, the cue sheet and the contact sheet.

``OUT/menu.json`` (the manifest) says what the build is and where each cue stands; it is written
atomically after every cue, so an interrupted build resumes: a cue whose folder is complete (its
``track.json``, every file it lists, and the request the manifest recorded for it, or else its
seed and prompt) is kept; a half-done one (a staging folder a killed run left, a folder missing
files) is composed again. gekiban never writes over what it did not write: ``OUT`` must be new,
empty, or a menu folder with gekiban's manifest, and a cue folder must be a gekiban bundle
holding only its files (:func:`gekiban.bundle.folders.foreign_files`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gekiban.about import package_version
from gekiban.bundle.folders import clean_stale, foreign_files, listed_files
from gekiban.bundle.write import write_json
from gekiban.errors import CancelledError, GekibanError, OutputError, RenderError
from gekiban.executor import Executor, Task
from gekiban.season.contact import write_contact_sheet
from gekiban.season.cuesheet import write_cuesheet
from gekiban.season.menu import Menu
from gekiban.season.plan import CueJob, plan_menu, prepare_motifs

__all__ = ["MANIFEST", "BuildResult", "build_menu", "check_menu_out", "cue_complete", "fingerprint"]

MANIFEST = "menu.json"
MENU_FILES = (MANIFEST, "cuesheet.csv", "cuesheet.json", "index.html")
_STAGE_RE = re.compile(r"\.(?P<name>.+)\.gekiban-(?P<kind>new|old)-(?P<pid>\d+)-[0-9a-f]{12}")
_TEMP_RE = re.compile(r"\..+\.[0-9a-f]{12}\.tmp")
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the folder, the cues composed now, those kept from before, and the
    failed ones with their errors (M-number → message)."""

    out: Path
    composed: tuple[str, ...]
    kept: tuple[str, ...]
    failed: tuple[tuple[str, str], ...] = ()


def fingerprint(job: CueJob) -> str:
    """A digest of everything that decides a cue's music (its request)."""
    data = json.dumps(asdict(job.request), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _manifest(out: Path) -> dict[str, Any] | None:
    data = _read_json(out / MANIFEST)
    return data if data is not None and "gekiban" in data and isinstance(data.get("cues"), list) else None


def check_menu_out(out: str | os.PathLike[str], menu: Menu) -> Path:
    """Check that ``out`` can hold the menu's build, creating nothing.

    Raises
    ------
    OutputError
        If it is not a folder, holds files but no gekiban manifest, or a cue folder holds files
        gekiban did not write (named in the message).
    """
    target = Path(out).expanduser()
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise OutputError(f"menu folder {str(target)!r} exists and is not a folder")
        if any(target.iterdir()) and _manifest(target) is None:
            raise OutputError(f"menu folder {str(target)!r} is not empty and holds no gekiban menu ({MANIFEST}): "
                              "gekiban never writes over it; choose a new or empty folder")
        for cue in menu.cues:
            folder = target / cue.m
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                raise OutputError(f"{cue.m}: {str(folder)!r} is not a folder gekiban wrote: move it away")
            if folder.is_dir():
                foreign = foreign_files(folder)
                if foreign:
                    shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
                    raise OutputError(f"{cue.m}: folder {str(folder)!r} holds files gekiban did not write ({shown}): "
                                      "gekiban never deletes them; move them away or choose another folder")
    return target


def cue_complete(folder: Path, job: CueJob, recorded: dict[str, Any] | None) -> bool:
    """True when ``folder`` holds the finished bundle of ``job``: a gekiban ``track.json``,
    every file it lists (not empty), and the request recorded for it in the manifest (else the
    same seed and prompt)."""
    meta = _read_json(folder / "track.json")
    if meta is None or "gekiban" not in meta or not isinstance(meta.get("files"), dict):
        return False
    for rel in listed_files(meta):
        path = folder / rel
        if not path.is_file() or path.stat().st_size == 0:
            return False
    if recorded is not None and recorded.get("fingerprint") not in (None, fingerprint(job)):
        return False  # the menu changed this cue since
    if recorded is not None and recorded.get("status") == "done":
        return True
    brief = meta.get("brief") if isinstance(meta.get("brief"), dict) else {}
    return bool(meta.get("seed") == job.seed and meta.get("prompt") == job.request.prompt
                and brief.get("requested_duration") == job.cue.length)


def _clean_leftovers(out: Path) -> None:
    """Remove staging folders of killed runs in ``out`` (and put back a bundle a kill left
    between the two renames of a swap)."""
    for _ in range(3):  # a worker's own staging folder sits beside ours, named after it
        names = {m["name"] for e in out.iterdir() if (m := _STAGE_RE.fullmatch(e.name))}
        for name in names:
            clean_stale(out / name)
    for entry in out.iterdir():
        if _TEMP_RE.fullmatch(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)


def _swap(staging: Path, target: Path) -> None:
    """Rename the finished ``staging`` folder to ``target``; an old ``target`` (checked to be
    gekiban's) is moved aside first and removed after."""
    if target.exists():
        old = target.parent / f".{target.name}.gekiban-old-{os.getpid()}-{secrets.token_hex(6)}"
        os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, target)


def _entry(job: CueJob, status: str, error: str = "") -> dict[str, Any]:
    cue = job.cue
    out = {"m": cue.m, "title": cue.title, "use": cue.use, "folder": cue.m, "status": status, "seed": job.seed,
           "key": job.key, "length": cue.length, "ending": cue.ending, "motifs": list(job.motifs),
           "motifs_in_request": job.motifs_in_request, "fingerprint": fingerprint(job)}
    if error:
        out["error"] = error
    return out


def _write_manifest(out: Path, menu: Menu, jobs: tuple[CueJob, ...], entries: dict[str, dict[str, Any]]) -> None:
    write_json(out / MANIFEST, {
        "gekiban": package_version(), "title": menu.title, "composer": menu.composer, "palette": list(jobs[0].palette),
        "palette_asked": menu.palette, "key": next((j.key for j in jobs if j.cue.use == "theme"), jobs[0].key),
        "motifs": {name: notes for name, notes in menu.motifs},
        "cues": [entries[j.cue.m] for j in jobs],
        "files": {"cuesheet": ["cuesheet.csv", "cuesheet.json"], "contact": "index.html"},
    })


def build_menu(menu: Menu, out: str | os.PathLike[str], *, executor: Executor, progress: Progress | None = None,
               jobs: tuple[CueJob, ...] | None = None, data_dir: str | os.PathLike[str] | None = None,
               poll_s: float = 0.1) -> BuildResult:
    """Compose every cue of ``menu`` into ``out`` (see the module text).

    Parameters
    ----------
    menu
        The checked menu.
    out
        The menu folder: ``OUT/M-1/`` … , ``menu.json``, ``cuesheet.csv``/``.json``, ``index.html``.
    executor
        Runs the cues (:class:`gekiban.executor.LocalExecutor`, a Dask executor…); at most its
        ``workers`` at once.
    progress
        ``progress(stage, fraction)``: the stage names the cue (``"M-2 rendering"``), the
        fraction is the whole menu's.
    jobs
        The plan, if already made (:func:`plan_menu`).
    data_dir
        The data folder of the motif library the workers read (default
        :func:`gekiban.motifs.data_home`): the menu's inline motifs are added to it, and every
        motif a cue names must be there before any work starts.

    Returns
    -------
    BuildResult

    Raises
    ------
    OutputError
        If ``out`` holds what gekiban did not write (before any work).
    RenderError
        After every cue ran, if some failed (each named with its error); the others are kept.
    """
    target = check_menu_out(out, menu).absolute()  # workers elsewhere (Dask) get whole paths
    prepare_motifs(menu, data_dir=data_dir, add=True)
    jobs = plan_menu(menu) if jobs is None else jobs
    target.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(target)
    previous = {str(c.get("m")): c for c in ((_manifest(target) or {}).get("cues") or []) if isinstance(c, dict)}
    entries: dict[str, dict[str, Any]] = {}
    todo: list[CueJob] = []
    kept: list[str] = []
    for job in jobs:
        if cue_complete(target / job.cue.m, job, previous.get(job.cue.m)):
            entries[job.cue.m] = _entry(job, "done")
            kept.append(job.cue.m)
        else:
            entries[job.cue.m] = _entry(job, "pending")
            todo.append(job)
    _write_manifest(target, menu, jobs, entries)
    lock = threading.Lock()
    fractions = {j.cue.m: (1.0 if j.cue.m in kept else 0.0) for j in jobs}

    def report(m: str, stage: str, fraction: float) -> None:
        if progress is None:
            return
        with lock:
            fractions[m] = max(fractions[m], min(1.0, max(0.0, fraction)) * 0.99)
            total = sum(fractions.values()) / len(fractions)
        progress(f"{m} {stage}", total)

    for m in kept:
        report(m, "kept", 1.0)
    handles = []
    try:
        for job in todo:
            staging = target / f".{job.cue.m}.gekiban-new-{os.getpid()}-{secrets.token_hex(6)}"
            task = Task(id=f"{menu.title}:{job.cue.m}", kind="compose", params=job.params(), folder=str(staging))
            handle = executor.submit(task, on_progress=lambda s, f, m=job.cue.m: report(m, s, f))
            handles.append((job, staging, handle))
        composed, failed = _collect(target, menu, jobs, entries, handles, report, poll_s)
    except BaseException:  # Ctrl-C or an error of ours: stop the cues still running, drop their staging
        for _, staging, handle in handles:
            handle.cancel()
            shutil.rmtree(staging, ignore_errors=True)
        raise
    done = [j for j in jobs if entries[j.cue.m]["status"] == "done"]
    if done:
        write_cuesheet(target, menu, done)
        write_contact_sheet(target, menu, done)
    if progress is not None:
        progress("menu done" if not failed else "menu done with errors", 1.0)
    if failed:
        listed = "; ".join(f"{m}: {msg}" for m, msg in failed)
        raise RenderError(f"{len(failed)} of {len(jobs)} cues failed ({listed}); the others are in {target}: "
                          "run the build again to retry them")
    return BuildResult(out=target.resolve(), composed=tuple(composed), kept=tuple(kept))


def _collect(target: Path, menu: Menu, jobs: tuple[CueJob, ...], entries: dict[str, dict[str, Any]],
             handles: list[Any], report: Callable[[str, str, float], None],
             poll_s: float) -> tuple[list[str], list[tuple[str, str]]]:
    """Wait for every handle; move each finished cue into place and record it."""
    composed: list[str] = []
    failed: list[tuple[str, str]] = []
    waiting = list(handles)
    while waiting:
        still = []
        for job, staging, handle in waiting:
            if not handle.done():
                still.append((job, staging, handle))
                continue
            m = job.cue.m
            try:
                handle.result(timeout=0)
                _swap(staging, target / m)
                entries[m] = _entry(job, "done")
                composed.append(m)
                report(m, "done", 1.0 / 0.99)
            except (GekibanError, OSError) as exc:
                shutil.rmtree(staging, ignore_errors=True)
                if isinstance(exc, CancelledError):
                    raise
                entries[m] = _entry(job, "failed", str(exc))
                failed.append((m, str(exc)))
            _write_manifest(target, menu, jobs, entries)
        waiting = still
        if waiting:
            time.sleep(poll_s)
    return composed, failed
