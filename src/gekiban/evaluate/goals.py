"""The quality goals of issue 3, measured on generated scores (no audio is rendered).

:func:`generate` composes scores per style and seed with :func:`gekiban.pipeline.build_score`;
:func:`measure_goals` turns their reports into one :class:`Goal` per line of the issue. The
benchmark ``benchmarks/bench_quality.py`` runs it at full size; the tests at a small one.

Scope: short forms (eye-catch, stinger, fanfare: ``form = "short"``, a few bars) have no melody
to speak of, so the melodic goals (entropy and range band, recurring bars, overlapping area)
are measured on the other styles; playability, style identity and originality on all. The scale
goal applies to tonal styles (``Style.tonal``).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gekiban.composer import build_score
from gekiban.evaluate.classify import NearestCentroid, features
from gekiban.evaluate.metrics import is_percussion, lead_part, melody_line, ngrams, tokens
from gekiban.evaluate.reference import load_reference, shared_ngram_share
from gekiban.evaluate.report import (
    ORIGINALITY_NOTES,
    TrackReport,
    compare,
    evaluate_score,
    lead_codes,
)
from gekiban.score import Score
from gekiban.styles import all_styles, resolve_style
from gekiban.styles.schema import Style
from gekiban.theory import SCALES
from gekiban.understand.resolve import resolve_brief

OA_MIN, OA_METRICS = 0.7, 5
#: Lead bars that recur, per style mean, by how literally the style's returns restate
#: (``melody.returns``): background music that restates its phrases (a, a', b, a''; dance
#: strains played twice) recurs far more than the folk tunes of the reference (median 35 %),
#: short of a single bar looped; a melody developed anew stays near the reference.
RECUR_BAND = (0.30, 0.85)
RECUR_BAND_RESTATED = (0.40, 0.97)
SCALE_MIN = 0.95
CLASSIFIER_MIN = 0.90
SHARE_MAX = 1 / 3
BAND_SHARE_MIN = 0.90  # share of tracks whose lead entropy / range falls inside the reference band


@dataclass(frozen=True)
class Generated:
    """One composed score and its report."""

    style: str
    seed: int
    score: Score
    report: TrackReport


@dataclass(frozen=True)
class Goal:
    """One goal: its name, the measured figure as text, whether it holds, and details."""

    name: str
    figure: str
    ok: bool
    details: tuple[str, ...] = ()


def compose_score(*, style: str | None = None, seed: int, prompt: str = "", duration: float | None = None) -> tuple[Score, Style]:
    """The score ``gekiban compose`` would write for these inputs (no audio)."""
    brief = resolve_brief(prompt, style=style, seed=seed, duration=duration)
    the_style = resolve_style(brief.style)[1]
    return build_score(brief, the_style), the_style


def generate(styles: Sequence[str], seeds: Sequence[int], *, duration: float | None = None) -> dict[str, list[Generated]]:
    """Compose and evaluate every style × seed."""
    out: dict[str, list[Generated]] = {}
    for name in styles:
        for seed in seeds:
            score, _ = compose_score(style=name, seed=seed, duration=duration)
            out.setdefault(name, []).append(Generated(name, seed, score, evaluate_score(score, label=f"{name}#{seed}", style=name)))
    return out


def recur_band(style: Style) -> tuple[float, float]:
    """The band a style's mean lead-bar recurrence should fall in (see :data:`RECUR_BAND`)."""
    return RECUR_BAND if style.melody.returns == "develop" else RECUR_BAND_RESTATED


def _melodic_scale(style: Style) -> tuple[int, ...]:
    return SCALES.get(style.melody.scale or style.modes[0], SCALES["major"])


def in_key_or_chord(score: Score, style: Style) -> float:
    """Share of the pitched notes (drums and unpitched percussion left out) whose pitch class
    lies in the key's scale, in the style's melodic scale on the same tonic, or in the chord
    sounding where they start: a note outside all three is a wrong note, while the tones of a
    borrowed chord or a harmonic-minor leading tone are the idiom's."""
    tonic = score.key.tonic
    key = {(tonic + i) % 12 for i in SCALES[score.key.mode]} | {(tonic + i) % 12 for i in _melodic_scale(style)}
    starts = [c.start for c in score.chords]
    fit = total = 0
    for part in score.parts:
        if is_percussion(part):
            continue
        for n in part.notes:
            k = bisect.bisect_right(starts, n.start + 1e-9) - 1
            chord = set(score.chords[k].chord.pitch_classes) if k >= 0 else set()
            fit += n.pitch % 12 in key or n.pitch % 12 in chord
            total += 1
    return fit / total if total else math.nan


def _fmt_band(lo: float, hi: float) -> str:
    return f"{lo:.2f}–{hi:.2f}"


def seed_diversity(prompt: str, seeds: Sequence[int], *, n: int = 4) -> tuple[float, int]:
    """Largest share of interval-rhythm ``n``-grams any two seeds' leads have in common, and
    how many distinct melodies the seeds gave."""
    grams, lines = [], set()
    for s in seeds:
        score, _ = compose_score(prompt=prompt, seed=s)
        part = lead_part(score)
        line = melody_line(part.notes if part else (), score.meter.bar_beats)
        grams.append(ngrams(tokens(line), n))
        lines.add(tuple(lead_codes(score).tolist()))
    worst = max((shared_ngram_share(a, b) for a, b in itertools.combinations(grams, 2)), default=0.0)
    return worst, len(lines)


def measure_goals(gen: Mapping[str, Sequence[Generated]], *, split: str = "heldout", prompt: str = "dramatic battle",
                  prompt_seeds: Sequence[int] = tuple(range(1, 11)), train_share: float = 0.7) -> list[Goal]:
    """One :class:`Goal` per quality goal of issue 3 (see the module docstring for the scope)."""
    styles = all_styles()
    goals: list[Goal] = []
    every = [g for gs in gen.values() for g in gs]
    melodic = [g for g in every if styles[g.style].form != "short"]

    # playability
    bad = [(g.report.label, v) for g in every for v in g.report.violations]
    goals.append(Goal("playability violations = 0", f"{len(bad)} in {len(every)} tracks", not bad,
                      tuple(f"{lab}: {v.part} beat {v.beat:.2f}: {v.detail}" for lab, v in bad[:10])))

    # the full texture in the key, the style's own scale or the sounding chord, on tonal styles
    rows, ok = [], True
    fits = {id(g): in_key_or_chord(g.score, styles[g.style]) for g in every if styles[g.style].tonal}
    for name, gs in gen.items():
        if not styles[name].tonal:
            continue
        v = np.array([fits[id(g)] for g in gs])
        ok &= bool(v.mean() >= SCALE_MIN)
        rows.append((v.mean(), v.min(), name))
    rows.sort()
    worst = rows[0] if rows else (math.nan, math.nan, "-")
    below = sum(1 for v in fits.values() if v < SCALE_MIN)
    muspy = min(((float(np.mean([g.report.metrics["texture.scale_consistency"] for g in gen[n]])), n) for _, _, n in rows),
                default=(math.nan, "-"))
    goals.append(Goal(f"texture in the key, the style's scale or the sounding chord ≥ {SCALE_MIN} (tonal styles, per-style mean)",
                      f"lowest style mean {worst[0]:.3f} ({worst[2]}); {below} of {len(fits)} tracks below {SCALE_MIN}; "
                      f"MusPy scale consistency (major/minor only) lowest {muspy[0]:.3f} ({muspy[1]})", ok,
                      tuple(f"{n}: mean {m:.3f}, min {lo:.3f}" for m, lo, n in rows if m < SCALE_MIN)))

    ref = load_reference(split)
    # lead pitch-class entropy and range inside the reference band
    for metric in ("lead.pitch_class_entropy", "lead.pitch_range"):
        lo, hi = ref.band(metric)
        # a melody on five or six notes (pentatonic, blues, in, yonanuki) uses fewer pitch
        # classes than the reference's seven by its idiom: its entropy is reported, not held
        held = [g for g in melodic if metric != "lead.pitch_class_entropy" or len(_melodic_scale(styles[g.style])) >= 7]
        vals = [(g.report.metrics[metric], g) for g in held]
        inside = [lo <= v <= hi for v, _ in vals]
        share = float(np.mean(inside)) if inside else math.nan
        per_style = {}
        for v, g in vals:
            per_style.setdefault(g.style, []).append(v)
        off = sorted((n for n, vs in per_style.items() if not lo <= float(np.median(vs)) <= hi))
        goals.append(Goal(f"{metric} inside the reference 5–95 % band {_fmt_band(lo, hi)}",
                          f"{share:.0%} of {len(vals)} tracks inside; style medians outside: {len(off)}",
                          share >= BAND_SHARE_MIN and not off,
                          tuple(f"{n}: median {np.median(per_style[n]):.2f}" for n in off)))

    # overlapping area
    ev = compare([g.report for g in melodic], reference=True, split=split)
    good = sorted(((v, m) for m, v in ev.overlap.items() if math.isfinite(v)), reverse=True)
    n_good = sum(1 for v, _ in good if v >= OA_MIN)
    goals.append(Goal(f"overlapping area ≥ {OA_MIN} on ≥ {OA_METRICS} metrics (vs {split} reference)",
                      f"{n_good} metrics ≥ {OA_MIN}", n_good >= OA_METRICS,
                      tuple(f"{m}: OA {v:.2f}" for v, m in good)))

    # recurring bars, in the band of the style's idiom
    rec: dict[str, list[float]] = {}
    for g in melodic:
        rec.setdefault(g.style, []).append(g.report.metrics["lead.bar_recurrence"])
    means = {n: float(np.nanmean(v)) for n, v in rec.items()}
    band = {n: recur_band(styles[n]) for n in means}
    out_band = sorted(n for n, m in means.items() if not band[n][0] <= m <= band[n][1])
    by_kind = {k: [m for n, m in means.items() if (styles[n].melody.returns == "develop") == (k == "develop")]
               for k in ("restate", "develop")}
    goals.append(Goal(f"lead bars recur {RECUR_BAND_RESTATED[0]:.0%}–{RECUR_BAND_RESTATED[1]:.0%} where returns restate, "
                      f"{RECUR_BAND[0]:.0%}–{RECUR_BAND[1]:.0%} where they develop (per-style mean)",
                      f"restating styles mean {np.mean(by_kind['restate'] or [math.nan]):.0%}, developing styles "
                      f"{np.mean(by_kind['develop'] or [math.nan]):.0%}; styles outside: {len(out_band)}", not out_band,
                      tuple(f"{n}: {means[n]:.0%} (band {band[n][0]:.0%}–{band[n][1]:.0%})" for n in out_band)))

    # distinct styles: train on the first seeds of each style, name the held-out rest
    xs, ys, tx, ty = [], [], [], []
    for name, gs in gen.items():
        k = max(1, int(round(len(gs) * train_share)))
        for i, g in enumerate(gs):
            (xs if i < k else tx).append(features(g.score))
            (ys if i < k else ty).append(name)
    if tx:
        pred = NearestCentroid.fit(xs, ys).predict(tx)
        acc = float(np.mean([a == b for a, b in zip(ty, pred)]))
        wrong = sorted({f"{a} → {b}" for a, b in zip(ty, pred) if a != b})
        goals.append(Goal(f"nearest-centroid style classifier ≥ {CLASSIFIER_MIN:.0%} on held-out tracks",
                          f"{acc:.1%} of {len(tx)} held-out tracks", acc >= CLASSIFIER_MIN, tuple(wrong[:12])))

    # diverse seeds
    worst_share, distinct = seed_diversity(prompt, prompt_seeds)
    goals.append(Goal(f"{len(prompt_seeds)} seeds of {prompt!r} → {len(prompt_seeds)} different melodies, "
                      f"no pair shares > 1/3 of its 4-grams",
                      f"{distinct} distinct; largest shared share {worst_share:.2f}",
                      distinct == len(prompt_seeds) and worst_share <= SHARE_MAX))

    # originality
    matches = sorted(((g.report.match.notes, g.report.label, g.report.match.source) for g in every if g.report.match),
                     reverse=True)
    longest = matches[0] if matches else (0, "-", "")
    goals.append(Goal(f"original: longest lead phrase found in the reference < {ORIGINALITY_NOTES} notes",
                      f"longest {longest[0]} notes ({longest[1]} ~ {longest[2]})", longest[0] < ORIGINALITY_NOTES,
                      tuple(f"{n} notes: {lab} ~ {src}" for n, lab, src in matches[:5])))
    return goals
