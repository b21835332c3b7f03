"""The human reference: per-piece metric values of public-domain music and an index of its
melodies, shipped as data (built once by ``tools/make_reference.py`` from the music21 corpus), so
evaluating needs no music21 at run time.

``data/reference/music21.json`` holds, for a "lead" set of melodies (folk songs, fiddle tunes,
chorale sopranos) and a "texture" set of multi-voice pieces (chorales, quartets, madrigals...),
the value of every metric of :mod:`gekiban.evaluate.metrics` per piece and the piece's split:
``dev`` (may be looked at while tuning the composer) or ``heldout`` (only for reporting).
``data/reference/music21-melodies.npz`` holds the interval-rhythm tokens of every melody line of
the corpus, for :class:`NgramIndex` (the longest generated phrase that also occurs there).

The overlapping area follows Yang & Lerch (2018): for a metric, the distribution (Gaussian KDE)
of distances between reference pieces (intra-set) is compared with the distribution of distances
between generated and reference pieces (inter-set); OA is the area under the smaller of the two
densities. 1 means the generated set sits inside the reference's spread.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from gekiban.errors import InvalidOptionError

REFERENCE_JSON = "data/reference/music21.json"
MELODY_NPZ = "data/reference/music21-melodies.npz"
SPLITS = ("all", "dev", "heldout")
SEPARATOR = np.uint16(65535)
"""Token code between two pieces in the melody index (no n-gram spans it)."""


@dataclass(frozen=True)
class Reference:
    """Per-metric values of the reference pieces of one split (NaNs dropped)."""

    name: str
    description: str
    split: str
    values: dict[str, np.ndarray]
    counts: dict[str, int]

    def band(self, metric: str, lo: float = 5.0, hi: float = 95.0) -> tuple[float, float]:
        """The ``lo``-``hi`` percentile band of ``metric`` over the reference pieces."""
        v = self.values[metric]
        return float(np.percentile(v, lo)), float(np.percentile(v, hi))

    def median(self, metric: str) -> float:
        """Median of ``metric`` over the reference pieces."""
        return float(np.median(self.values[metric]))


@cache
def _reference_data() -> dict:
    text = resources.files("gekiban").joinpath(REFERENCE_JSON).read_text(encoding="utf-8")
    return json.loads(text)


def load_reference(split: str = "all") -> Reference:
    """The shipped reference for ``split`` (``all``, ``dev`` or ``heldout``).

    Raises
    ------
    InvalidOptionError
        If ``split`` is unknown.
    """
    if split not in SPLITS:
        raise InvalidOptionError(f"unknown reference split {split!r}: use one of {', '.join(SPLITS)}")
    data = _reference_data()
    values: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for set_name, body in data["sets"].items():
        keep = np.array([split == "all" or s == split for s in body["split"]], dtype=bool)
        counts[set_name] = int(keep.sum())
        for metric, vals in body["values"].items():
            arr = np.array([math.nan if v is None else v for v in vals], dtype=float)[keep]
            values[f"{set_name}.{metric}"] = arr[np.isfinite(arr)]
    return Reference(data["name"], data["description"], split, values, counts)


def _kde_on(x: np.ndarray, grid: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
    from scipy.stats import gaussian_kde

    if len(x) < 2 or np.ptp(x) < 1e-9 * max(scale, 1e-12):
        # a point mass: give it the width of a small tremor so the KDE is defined
        x = np.concatenate([x, x + rng.normal(0.0, 1e-3 * max(scale, 1e-6), len(x))])
    return gaussian_kde(x)(grid)


def overlap_area(generated: np.ndarray, reference: np.ndarray, *, max_points: int = 300, max_distances: int = 4000,
                 seed: int = 0) -> float:
    """Yang & Lerch's overlapping area of the intra-set distances of ``reference`` and the
    inter-set distances between ``generated`` and ``reference`` (NaN if either is empty).

    Sets larger than ``max_points`` and distance sets larger than ``max_distances`` are
    subsampled with a fixed seed, so the figure is repeatable.
    """
    rng = np.random.default_rng(seed)
    g = np.asarray(generated, dtype=float)
    r = np.asarray(reference, dtype=float)
    g, r = g[np.isfinite(g)], r[np.isfinite(r)]
    if len(g) == 0 or len(r) < 2:
        return math.nan
    if len(r) > max_points:
        r = rng.choice(r, max_points, replace=False)
    if len(g) > max_points:
        g = rng.choice(g, max_points, replace=False)
    iu = np.triu_indices(len(r), k=1)
    intra = np.abs(r[:, None] - r[None, :])[iu]
    inter = np.abs(g[:, None] - r[None, :]).ravel()
    if len(intra) > max_distances:  # the KDE is smooth; a few thousand distances describe it
        intra = rng.choice(intra, max_distances, replace=False)
    if len(inter) > max_distances:
        inter = rng.choice(inter, max_distances, replace=False)
    lo, hi = min(intra.min(), inter.min()), max(intra.max(), inter.max())
    scale = float(hi - lo) or float(np.abs(r).max()) or 1.0
    if hi - lo < 1e-12:
        return 1.0
    grid = np.linspace(lo, hi, 512)
    p = _kde_on(intra, grid, scale, rng)
    qd = _kde_on(inter, grid, scale, rng)
    from scipy.integrate import trapezoid

    return float(np.clip(trapezoid(np.minimum(p, qd), grid), 0.0, 1.0))


# --------------------------------------------------------------------------- melody index


@dataclass(frozen=True)
class Match:
    """The longest run of a line's interval-rhythm tokens that also occurs in the reference:
    ``notes`` = tokens + 1; ``source`` names a reference piece holding it; ``at`` is the index
    of the line's first note of the run."""

    notes: int
    source: str
    at: int


_BASE = np.uint64(0x9E3779B97F4A7C15)


def _window_hashes(codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every run of ``n`` codes that holds no separator, and the runs' start indices."""
    m = len(codes) - n + 1
    if m <= 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    c = codes.astype(np.uint64) + np.uint64(1)
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * _BASE + c[k:k + m]
    sep = np.concatenate([[0], np.cumsum(codes == SEPARATOR)])
    ok = (sep[n:n + m] - sep[:m]) == 0
    return h[ok], np.nonzero(ok)[0]


class NgramIndex:
    """All interval-rhythm runs of the reference melodies, queried for the longest shared run."""

    def __init__(self, codes: np.ndarray, starts: np.ndarray, names: list[str]):
        self.codes = np.asarray(codes, dtype=np.uint16)
        self.starts = np.asarray(starts, dtype=np.int64)  # first code of each piece
        self.names = names
        self._sets: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _set(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n not in self._sets:
            h, pos = _window_hashes(self.codes, n)
            order = np.argsort(h, kind="stable")
            self._sets[n] = (h[order], pos[order])
        return self._sets[n]

    def _find(self, line_codes: np.ndarray, n: int) -> tuple[int, int] | None:
        """(line position, reference position) of a shared run of ``n`` tokens, if any."""
        h, pos = _window_hashes(line_codes, n)
        ref_h, ref_pos = self._set(n)
        if not len(h) or not len(ref_h):
            return None
        i = np.searchsorted(ref_h, h)
        i = np.minimum(i, len(ref_h) - 1)
        hit = np.nonzero(ref_h[i] == h)[0]
        if not len(hit):
            return None
        return int(pos[hit[0]]), int(ref_pos[i[hit[0]]])

    def longest_match(self, line_codes: np.ndarray) -> Match:
        """The longest run of ``line_codes`` (from :func:`~gekiban.evaluate.metrics.token_codes`)
        that occurs in the reference (binary search: every sub-run of a shared run is shared)."""
        line_codes = np.asarray(line_codes, dtype=np.uint16)
        lo, hi, best = 0, len(line_codes), None
        while lo < hi:
            mid = (lo + hi + 1) // 2
            found = self._find(line_codes, mid)
            if found is not None:
                lo, best = mid, found
            else:
                hi = mid - 1
        if best is None:
            return Match(1 if len(line_codes) else 0, "", 0)
        piece = int(np.searchsorted(self.starts, best[1], side="right")) - 1
        return Match(lo + 1, self.names[piece] if 0 <= piece < len(self.names) else "", best[0])


@cache
def melody_index() -> NgramIndex:
    """The shipped index of the reference melodies (loaded once)."""
    with resources.files("gekiban").joinpath(MELODY_NPZ).open("rb") as f:
        data = np.load(f, allow_pickle=False)
        codes, starts = data["codes"], data["starts"]
        names = str(data["names"]).split("\n")
    return NgramIndex(codes, starts, names)


def shared_ngram_share(a: set, b: set) -> float:
    """Share of the smaller set's n-grams that the other set also holds (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
