"""Bundles: a cue on disk (mix, stems, score.mid, track.json) and the Track it holds in memory.

:mod:`~gekiban.bundle.track` is the in-memory value, :mod:`~gekiban.bundle.schema` the file names
and ``track.json``, :mod:`~gekiban.bundle.layers` the intensity layers,
:mod:`~gekiban.bundle.write` writes a bundle and :mod:`~gekiban.bundle.read` reads one back.
"""

from __future__ import annotations

from gekiban.bundle.read import check_bundle, load_bundle
from gekiban.bundle.track import Track
from gekiban.bundle.write import write_bundle

__all__ = ["Track", "check_bundle", "load_bundle", "write_bundle"]
