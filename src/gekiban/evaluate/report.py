"""Evaluate scores and sets of scores; aggregate; compare with the human reference; print."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gekiban.errors import InvalidOptionError
from gekiban.evaluate.load import load_target
from gekiban.evaluate.metrics import (
    LEAD_METRICS,
    TEXTURE_METRICS,
    Violation,
    lead_metrics,
    lead_part,
    melody_line,
    metric_names,
    playability,
    texture_metrics,
    token_codes,
    tokens,
)
from gekiban.evaluate.reference import (
    SPLITS,
    Match,
    Reference,
    load_reference,
    melody_index,
    overlap_area,
)
from gekiban.score import Score

ORIGINALITY_NOTES = 12
"""A lead phrase of this many notes found in the reference corpus counts as a copy."""


@dataclass(frozen=True)
class TrackReport:
    """Metrics of one piece."""

    label: str
    style: str | None
    bars: int
    bpm: float
    meter: str
    metrics: dict[str, float]
    violations: tuple[Violation, ...]
    match: Match | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN → null)."""
        return {
            "label": self.label, "style": self.style, "bars": self.bars, "bpm": self.bpm, "meter": self.meter,
            "metrics": {k: _num(v) for k, v in self.metrics.items()},
            "playability": {"violations": len(self.violations),
                            "by_kind": _by_kind(self.violations),
                            "first": [vars(v) for v in self.violations[:10]]},
            "longest_reference_match": None if self.match is None else
            {"notes": self.match.notes, "source": self.match.source, "at_note": self.match.at},
        }


@dataclass(frozen=True)
class Evaluation:
    """Reports of a set of pieces, their aggregate and (optionally) the comparison with a reference."""

    tracks: tuple[TrackReport, ...]
    reference: Reference | None = None
    overlap: dict[str, float] = field(default_factory=dict)

    def values(self, metric: str) -> np.ndarray:
        """The finite values of ``metric`` over the tracks."""
        v = np.array([t.metrics.get(metric, math.nan) for t in self.tracks], dtype=float)
        return v[np.isfinite(v)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN → null)."""
        agg: dict[str, Any] = {}
        for m in metric_names():
            v = self.values(m)
            row: dict[str, Any] = {"mean": _num(v.mean()) if len(v) else None, "sd": _num(v.std()) if len(v) else None,
                                   "n": int(len(v))}
            if self.reference is not None and m in self.reference.values and len(self.reference.values[m]):
                lo, hi = self.reference.band(m)
                row.update(reference_median=_num(self.reference.median(m)), reference_band_5_95=[_num(lo), _num(hi)],
                           overlap_area=_num(self.overlap.get(m, math.nan)))
            agg[m] = row
        matches = [t.match.notes for t in self.tracks if t.match is not None]
        return {
            "tracks": [t.to_dict() for t in self.tracks],
            "aggregate": {"metrics": agg, "playability_violations": sum(len(t.violations) for t in self.tracks),
                          "longest_reference_match": max(matches) if matches else None},
            "reference": None if self.reference is None else
            {"name": self.reference.name, "split": self.reference.split, "pieces": self.reference.counts,
             "description": self.reference.description},
        }


def _num(x: float) -> float | None:
    x = float(x)
    return round(x, 4) if math.isfinite(x) else None


def _by_kind(vs: Iterable[Violation]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in vs:
        out[v.kind] = out.get(v.kind, 0) + 1
    return out


def lead_codes(score: Score) -> np.ndarray:
    """Interval-rhythm token codes of the score's lead line (empty without a lead)."""
    part = lead_part(score)
    if part is None:
        return np.zeros(0, dtype=np.int64)
    return token_codes(tokens(melody_line(part.notes, score.meter.bar_beats)))


def evaluate_score(score: Score, *, label: str = "", style: str | None = None, originality: bool = True) -> TrackReport:
    """Every per-track metric, the playability violations and (with ``originality``) the
    longest lead phrase that also occurs in the reference corpus."""
    metrics = {f"lead.{k}": v for k, v in lead_metrics(score).items()}
    metrics.update({f"texture.{k}": v for k, v in texture_metrics(score).items()})
    match = melody_index().longest_match(lead_codes(score)) if originality else None
    return TrackReport(label=label, style=style, bars=score.bars, bpm=float(score.tempo[0].bpm), meter=str(score.meter),
                       metrics=metrics, violations=tuple(playability(score)), match=match)


def compare(reports: Sequence[TrackReport], *, reference: bool = False, split: str = "all") -> Evaluation:
    """Bundle ``reports``; with ``reference``, add the overlapping area of each metric against
    the shipped human reference (``split``: all, dev or heldout)."""
    if not reference:
        return Evaluation(tuple(reports))
    ref = load_reference(split)
    ev = Evaluation(tuple(reports), ref)
    overlap = {m: overlap_area(ev.values(m), ref.values[m]) for m in metric_names() if m in ref.values}
    return Evaluation(tuple(reports), ref, overlap)


def evaluate_paths(paths: Sequence[str | os.PathLike[str]], *, reference: bool = False, split: str = "all") -> Evaluation:
    """Load every bundle or MIDI file first (so a bad path fails before any work), then evaluate.

    Raises
    ------
    InvalidOptionError, MidiError
        For a missing path, a folder that is not a bundle, or a malformed file; see
        :func:`gekiban.evaluate.load.load_target`.
    """
    if split not in SPLITS:
        raise InvalidOptionError(f"unknown reference split {split!r}: use one of {', '.join(SPLITS)}")
    if not paths:
        raise InvalidOptionError("nothing to evaluate: give bundle folders (holding score.mid and track.json) or MIDI files")
    targets = [load_target(p) for p in paths]
    reports = [evaluate_score(t.score, label=t.label, style=t.style) for t in targets]
    return compare(reports, reference=reference, split=split)


# --------------------------------------------------------------------------- text


_SHORT = {"pitch_class_entropy": "pitch-class entropy", "scale_consistency": "scale consistency",
          "pitch_range": "pitch range", "n_pitch_classes": "pitch classes", "empty_beat_rate": "empty-beat rate",
          "groove_consistency": "groove consistency", "note_density": "note density (/beat)",
          "mean_interval": "mean interval", "bar_recurrence": "bars that recur", "lz_repetition": "LZ repetition",
          "compression_ratio": "zlib ratio", "polyphony": "polyphony"}


def _label(metric: str) -> str:
    scope, name = metric.split(".", 1)
    return f"{scope} {_SHORT.get(name, name)}"


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "—"
    return f"{x:.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:.3f}"


def format_text(ev: Evaluation) -> list[str]:
    """The report as lines: one block per track, then the aggregate (with the reference, its
    median, 5-95 % band and overlapping area per metric)."""
    lines: list[str] = []
    width = max(len(_label(m)) for m in metric_names())
    for i, t in enumerate(ev.tracks, 1):
        head = f"[{i}] {t.label}" + (f"  (style {t.style})" if t.style else "")
        lines += [head, f"  {t.meter} · {t.bpm:g} bpm · {t.bars} bars"]
        for m in metric_names():
            lines.append(f"  {_label(m):<{width}}  {_fmt(t.metrics.get(m, math.nan))}")
        kinds = _by_kind(t.violations)
        what = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        lines.append(f"  {'playability violations':<{width}}  {len(t.violations)}" + (f" ({what})" if what else ""))
        for v in t.violations[:3]:
            lines.append(f"    {v.part} at beat {v.beat:.2f}: {v.detail}")
        if t.match is not None:
            src = f" ({t.match.source})" if t.match.source else ""
            lines.append(f"  {'longest reference match':<{width}}  {t.match.notes} notes{src}")
        lines.append("")
    n = len(ev.tracks)
    lines.append(f"aggregate over {n} track{'s' if n != 1 else ''}")
    head = f"  {'metric':<{width}}  {'mean':>8} {'sd':>7}"
    if ev.reference is not None:
        head += f"  {'ref median':>10} {'ref 5-95 %':>17} {'OA':>5}"
    lines.append(head)
    for m in metric_names():
        v = ev.values(m)
        row = f"  {_label(m):<{width}}  {_fmt(v.mean()) if len(v) else '—':>8} {_fmt(v.std()) if len(v) > 1 else '—':>7}"
        if ev.reference is not None:
            if m in ev.reference.values and len(ev.reference.values[m]):
                lo, hi = ev.reference.band(m)
                row += f"  {_fmt(ev.reference.median(m)):>10} {_fmt(lo) + '–' + _fmt(hi):>17} {_fmt(ev.overlap.get(m, math.nan)):>5}"
        lines.append(row)
    total = sum(len(t.violations) for t in ev.tracks)
    lines.append(f"  playability violations: {total}")
    matches = [t.match.notes for t in ev.tracks if t.match is not None]
    if matches:
        verdict = "original" if max(matches) < ORIGINALITY_NOTES else f"a phrase of {ORIGINALITY_NOTES}+ notes is in the reference"
        lines.append(f"  longest lead phrase found in the reference corpus: {max(matches)} notes ({verdict})")
    if ev.reference is not None:
        good = sum(1 for v in ev.overlap.values() if math.isfinite(v) and v >= 0.7)
        lines.append(f"  reference: {ev.reference.name} ({ev.reference.split}; {ev.reference.counts.get('lead', 0)} melodies, "
                     f"{ev.reference.counts.get('texture', 0)} multi-voice pieces); OA ≥ 0.7 on {good} of {len(ev.overlap)} metrics")
    return lines


__all__ = ["TrackReport", "Evaluation", "evaluate_score", "evaluate_paths", "compare", "format_text", "lead_codes",
           "ORIGINALITY_NOTES", "LEAD_METRICS", "TEXTURE_METRICS"]
