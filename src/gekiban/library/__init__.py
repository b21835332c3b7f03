"""The track library: finished bundles and the server's jobs in one data folder, indexed by SQLite.

``Library(data_dir)`` holds the tracks (``tracks/<id>/``, searched by :meth:`Library.search`),
the jobs of the server's queue, and the MIDI seeds clients upload; :func:`default_data_dir` is
where it lives unless told otherwise.
"""

from __future__ import annotations

from gekiban.library.db import default_data_dir
from gekiban.library.records import JobRecord, Page, TrackRecord
from gekiban.library.store import Library
from gekiban.library.uploads import MAX_UPLOAD_BYTES

__all__ = ["MAX_UPLOAD_BYTES", "JobRecord", "Library", "Page", "TrackRecord", "default_data_dir"]
