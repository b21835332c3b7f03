"""Bundles: a cue on disk (mix, stems, score.mid, track.json) and the Track it holds in memory.

:mod:`~gekiban.bundle.track` is the in-memory value, :mod:`~gekiban.bundle.schema` the file names
and the Brief as JSON, :mod:`~gekiban.bundle.layers` the intensity layers,
:mod:`~gekiban.bundle.write` writes a bundle (and its ``track.json``) and
:mod:`~gekiban.bundle.read` reads one back.
"""
