"""Shrinking a failing case to a small reproducer: options and follow-on steps left out, values
halved, MIDI files rewritten with fewer tracks and events, while the same failure remains."""

from __future__ import annotations

import io
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from core import Case
from midi import _mido_bytes
from runner import execute


def _smaller(v: Any) -> list[Any]:
    """Candidates a little smaller than ``v`` (halves first, then single elements)."""
    if isinstance(v, (str, bytes, list, tuple)) and len(v) > 0:
        n = len(v)
        out = []
        size = max(1, n // 2)
        while size >= 1:
            for start in range(0, n, size):
                cand = v[:start] + v[start + size:]
                out.append(cand)
                if len(out) > 64 and size < n // 8:
                    break
            size //= 2
        return out
    return []


def _midi_smaller(data: bytes) -> list[bytes]:
    """Smaller MIDI files with the same structure: mido's own rewrite, then whole tracks and runs of
    events left out (their delta times carried to the next event)."""
    import mido

    try:
        mid = mido.MidiFile(file=io.BytesIO(data))
    except Exception:  # noqa: BLE001 - not a file mido reads: no structured candidates
        return []
    tracks = [list(t) for t in mid.tracks]
    out: list[bytes] = []

    def emit(new_tracks: list[list]) -> None:
        try:
            m = mido.MidiFile(type=mid.type, ticks_per_beat=mid.ticks_per_beat)
            m.tracks = [mido.MidiTrack(t) for t in new_tracks]
            blob = _mido_bytes(m)
        except Exception:  # noqa: BLE001 - mido refuses to write it: not a candidate
            return
        if len(blob) < len(data):
            out.append(blob)

    emit(tracks)
    if len(tracks) > 1 and mid.type != 0:
        for k in range(len(tracks)):
            emit(tracks[:k] + tracks[k + 1:])
    for k, track in enumerate(tracks):
        n = len(track)
        size = max(1, n // 2)
        while size >= 1:
            for start in range(0, n, size):
                gone = track[start:start + size]
                if any(msg.type == "end_of_track" for msg in gone):
                    continue
                rest = track[:start] + track[start + size:]
                if start < len(rest):
                    rest[start] = rest[start].copy(time=rest[start].time + sum(msg.time for msg in gone))
                emit(tracks[:k] + [rest] + tracks[k + 1:])
            size //= 2
    return out


def shrink(case: Case, signature: str, budget_s: float, timeout: float, tmp: Path) -> Case:
    """Greedily make ``case`` smaller while some step still fails with ``signature``."""
    t_end = time.monotonic() + budget_s
    limit = min(timeout, 5.0)

    def same(c: Case) -> bool:
        if time.monotonic() > t_end:
            return False
        try:
            steps = execute(c, limit, tmp)
        except Exception:  # noqa: BLE001 - a candidate the fuzzer cannot run is not a smaller reproducer
            return False
        return any(s.status == "uncaught" and s.signature == signature for s in steps)

    best = case
    progress = True
    while progress and time.monotonic() < t_end:
        progress = False
        # drop keyword options and follow-on steps
        for k in list(best.kwargs):
            if k in ("semantic", "seed") and best.target == "resolve_brief":
                continue
            cand = replace(best, kwargs={kk: vv for kk, vv in best.kwargs.items() if kk != k})
            if same(cand):
                best, progress = cand, True
        for j in range(len(best.then)):
            cand = replace(best, then=best.then[:j] + best.then[j + 1:])
            if same(cand):
                best, progress = cand, True
                break
        # shrink each argument and keyword value
        slots = [("a", j) for j in range(len(best.args))] + [("k", k) for k in best.kwargs]
        for where, key in slots:
            value = best.args[key] if where == "a" else best.kwargs[key]
            if best.family == "midi" and where == "a" and key == 0:
                continue
            if best.family == "bundle":
                continue  # the mutation description is the reproducer
            smaller = (_midi_smaller(value) or _smaller(value)) if best.family == "midi" else _smaller(value)
            for cand_value in smaller:
                if where == "a":
                    cand = replace(best, args=best.args[:key] + (cand_value,) + best.args[key + 1:])
                else:
                    cand = replace(best, kwargs={**best.kwargs, key: cand_value})
                if same(cand):
                    best, progress = cand, True
                    break
            if time.monotonic() > t_end:
                break
    return best
