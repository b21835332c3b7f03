"""Where a user's own data lives: the data folder of the track library, motifs and learned styles."""

from __future__ import annotations

import os
from pathlib import Path

#: The environment variable that names the data folder.
DATA_ENV = "GEKIBAN_DATA"


def data_home() -> Path:
    """The data folder: ``$GEKIBAN_DATA``, else ``$XDG_DATA_HOME/gekiban``, else
    ``~/.local/share/gekiban``. The server sets ``$GEKIBAN_DATA`` to its own folder."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    return Path(base).expanduser() / "gekiban"
