"""Bundle folders: checked before any work, written whole or not at all (standard library only).

A bundle is built in a staging folder beside its target (``.NAME.gekiban-new-PID-TOKEN``) and
swapped in only when every file is complete: with one atomic exchange of the two folders where
the system has one (Linux ``renameat2(RENAME_EXCHANGE)``), else by two renames whose middle a
later run repairs. Whatever moment the process is killed at, ``NAME`` is the complete old
bundle or the complete new one; a staging folder left by a killed run is removed (or, between
the two renames, the old bundle put back) by the next write beside it.

gekiban only replaces what it wrote: a target folder that holds anything but a gekiban bundle
and the files that bundle lists is refused, so a user's files are never deleted.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gekiban.errors import OutputError

_STAGE_RE = re.compile(r"\.(?P<name>.+)\.gekiban-(?P<kind>new|old)-(?P<pid>\d+)-[0-9a-f]{12}")
_TEMP_FILE_RE = re.compile(r"\..+\.[0-9a-f]{12}\.tmp")  # atomic_write's temporary files
_SUBFOLDERS = ("stems", "layers")


def check_out_dir(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can become (or be replaced by) a bundle, creating nothing.

    It may not exist yet (its nearest existing parent must then be a folder we can write in),
    or be an empty folder, or a gekiban bundle holding only the files it lists (it will be
    replaced whole).

    Returns
    -------
    Path
        The folder, with ``~`` expanded.

    Raises
    ------
    OutputError
        Naming the path and the reason: not a folder, not writable, or holding files gekiban
        did not write.
    """
    if str(path).strip() == "":
        raise OutputError("output folder '' is empty: give a folder name with --out")
    target = Path(path).expanduser()
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise OutputError(f"output folder {str(target)!r} exists and is not a folder")
        foreign = foreign_files(target)
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            what = "holds files this bundle did not write" if _bundle_meta(target) else "is not empty and not a gekiban bundle"
            raise OutputError(f"output folder {str(target)!r} {what} ({shown}): gekiban never deletes them; "
                              "choose a new or empty folder")
    probe = target.absolute().parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"output folder {str(target)!r} cannot be created: {str(probe)!r} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {str(target)!r} is not writable: no permission to write in {str(probe)!r}")
    try:  # os.access does not see read-only mounts; a real write does
        with tempfile.TemporaryFile(dir=probe, prefix=".gekiban-check-"):
            pass
    except OSError as exc:
        raise OutputError(f"output folder {str(target)!r} is not writable: {exc.strerror or exc}") from None
    return target


def _bundle_meta(folder: Path) -> dict[str, Any] | None:
    """The ``track.json`` of a gekiban bundle in ``folder``, or None when it is not one."""
    try:
        meta = json.loads((folder / "track.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return meta if isinstance(meta, dict) and "gekiban" in meta and isinstance(meta.get("files"), dict) else None


def listed_files(meta: dict[str, Any]) -> set[str]:
    """The relative paths a bundle's ``track.json`` says it wrote."""
    out = {"track.json"}
    for value in meta["files"].values():
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        out |= {str(v) for v in items if isinstance(v, str)}
    return out


def foreign_files(folder: Path) -> list[str]:
    """Files (and folders) in ``folder`` that a bundle there did not write, sorted; all of
    them when ``folder`` holds no bundle."""
    meta = _bundle_meta(folder)
    listed = listed_files(meta) if meta else set()
    out = []
    for entry in sorted(folder.rglob("*")):
        rel = entry.relative_to(folder).as_posix()
        if entry.is_dir() and not entry.is_symlink() and rel in _SUBFOLDERS and meta:
            continue
        if rel in listed or (meta and _TEMP_FILE_RE.fullmatch(entry.name)):
            continue
        if entry.is_dir() and not entry.is_symlink() and any(p.startswith(rel + "/") for p in listed):
            continue
        out.append(rel + ("/" if entry.is_dir() else ""))
    return out


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """A new, empty staging folder beside ``target``; when the block ends without an error, it
    becomes ``target`` (replacing the bundle there) in one step. On an error it is removed and
    ``target`` is left as it was."""
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target)
    staging = target.parent / f".{target.name}.gekiban-new-{os.getpid()}-{secrets.token_hex(6)}"
    try:
        staging.mkdir()
    except OSError as exc:
        raise OutputError(f"cannot write beside {str(target)!r}: {exc.strerror or exc}") from None
    try:
        yield staging
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
    elif _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now the old bundle
    else:  # no atomic exchange here: two renames; clean_stale repairs a kill between them
        old = target.parent / f".{target.name}.gekiban-old-{os.getpid()}-{secrets.token_hex(6)}"
        os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(target.parent)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's ``renameat2(RENAME_EXCHANGE)``; False where the
    system or the file system has no such call. Written by hand: the standard library has no
    exchange, and the one PyPI wrapper (renameat2) is unmaintained; this is one libc call."""
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if call(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(target: Path) -> None:
    """Remove what a killed write of ``target`` left beside it: staging folders of processes
    that are gone; and if the kill fell between the two renames of a swap, put the old bundle
    back first."""
    parent = target.parent
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for entry in entries:
        m = _STAGE_RE.fullmatch(entry.name)
        if not m or m["name"] != target.name or _alive(int(m["pid"])) or not entry.is_dir():
            continue
        if m["kind"] == "old" and not target.exists():
            os.rename(entry, target)
        else:
            shutil.rmtree(entry, ignore_errors=True)
