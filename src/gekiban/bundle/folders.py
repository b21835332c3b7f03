"""Bundle folders: whether a path can become one, checked before any work (standard library only)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gekiban.errors import OutputError


def check_out_dir(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can become the bundle folder, without creating anything.

    It may exist (a folder we can write in) or not (then its nearest existing parent must be
    a folder we can write in).

    Raises
    ------
    OutputError
        Naming the path and the reason.
    """
    target = Path(path).expanduser()
    if str(path).strip() == "":
        raise OutputError("output folder '' is empty: give a folder name with --out")
    if target.exists():
        if not target.is_dir():
            raise OutputError(f"output folder {str(target)!r} exists and is not a folder")
        probe = target
    else:
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
