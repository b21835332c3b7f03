"""Per-track metrics: pitch and rhythm statistics, structure, playability.

Pitch statistics are MusPy's (Dong et al. 2020), which implements the measures of Yang & Lerch
(2018) and Wu & Yang (2020); a Score is converted to a ``muspy.Music`` on the 16th-note grid.
Empty-beat rate and groove consistency follow MusPy's definitions but are computed here, because
MusPy 0.5 counts one beat (bar) past the end of music that ends on a beat (bar) line. Written
here, because no library provides them: the lead line's bar recurrence
(interval-and-rhythm patterns that return), its LZ repetition and zlib compression ratio, note
density, mean interval, and the playability checks against gekiban's instrument registry.

Every time is quantised to the 16th grid (``GRID`` steps per beat) *before* bars are assigned:
gekiban humanizes onsets by a few milliseconds, and a note played a hair early must still count
in its own bar.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from dataclasses import dataclass

import numpy as np

from gekiban.instruments import registry
from gekiban.score import Note, Part, Score

GRID = 4
"""Quantisation steps per quarter-note beat (16th notes)."""
DRUM_MAP = (35, 81)
"""Keys of the General MIDI level 1 drum map."""
UNPITCHED = frozenset({"taiko", "woodblock", "melodic-tom", "synth-drum", "reverse-cymbal"})
"""Registry instruments on melodic programs whose notes are heard as drum hits, not pitches: they
count as percussion (left out of pitch statistics, kept in rhythm statistics)."""
MAX_INTERVAL = 36
"""Intervals are clipped to ± this many semitones in tokens."""
MAX_IOI = 64
"""Inter-onset intervals are clipped to this many grid steps (four 4/4 bars) in tokens."""

LEAD_METRICS: dict[str, str] = {
    "pitch_class_entropy": "lead: entropy of the pitch-class histogram, bits (MusPy)",
    "scale_consistency": "lead: largest share of notes in one major/minor scale (MusPy)",
    "pitch_range": "lead: highest minus lowest pitch, semitones (MusPy)",
    "n_pitch_classes": "lead: pitch classes used (MusPy)",
    "empty_beat_rate": "lead: share of beats where the lead is silent",
    "groove_consistency": "lead: 1 - mean Hamming distance of successive bars' onset grids",
    "note_density": "lead: onsets per beat while it plays",
    "mean_interval": "lead: mean absolute interval between successive notes, semitones",
    "bar_recurrence": "lead: share of bars whose interval-and-rhythm pattern recurs elsewhere",
    "lz_repetition": "lead: share of notes inside a passage of >= 4 interval-rhythm tokens seen in the last 64",
    "compression_ratio": "lead: zlib-compressed size / raw size of the interval-rhythm tokens",
}
TEXTURE_METRICS: dict[str, str] = {
    "pitch_class_entropy": "all pitched parts (no drums, no unpitched percussion): pitch-class entropy, bits (MusPy)",
    "scale_consistency": "all pitched parts: scale consistency (MusPy)",
    "pitch_range": "all pitched parts: pitch range, semitones (MusPy)",
    "polyphony": "all pitched parts: mean pitches sounding when any sounds (MusPy)",
    "empty_beat_rate": "all parts: share of silent beats",
    "groove_consistency": "all parts: groove consistency",
    "note_density": "all pitched parts: onsets per beat",
}


def metric_names() -> list[str]:
    """Every per-track metric, ``lead.*`` then ``texture.*``."""
    return [f"lead.{k}" for k in LEAD_METRICS] + [f"texture.{k}" for k in TEXTURE_METRICS]


# --------------------------------------------------------------------------- the lead line


@dataclass(frozen=True)
class Line:
    """A monophonic line on the 16th grid: onsets and lengths in grid steps, MIDI pitches."""

    onsets: np.ndarray
    pitches: np.ndarray
    durations: np.ndarray
    bar_steps: int

    def __len__(self) -> int:
        return len(self.onsets)


def q(beats: float) -> int:
    """Beats → grid steps (nearest 16th)."""
    return int(round(beats * GRID))


def is_percussion(part: Part) -> bool:
    """True for drum-channel parts and unpitched percussion on melodic programs (``UNPITCHED``
    or the registry's sound effects)."""
    if part.is_drum or part.instrument in UNPITCHED:
        return True
    inst = registry().get(part.instrument)
    return inst is not None and inst.family == "sound-effects"


def lead_part(score: Score) -> Part | None:
    """The part that carries the melody: role ``lead`` (else ``melody``), else the first
    pitched part; None when the score has no pitched part."""
    pitched = [p for p in score.parts if not is_percussion(p) and p.notes]
    for role in ("lead", "melody"):
        for p in pitched:
            if p.role == role:
                return p
    return pitched[0] if pitched else None


def melody_line(notes: tuple[Note, ...] | list[Note], bar_beats: float) -> Line:
    """Quantise ``notes`` to the 16th grid and keep the top note of each onset (the skyline).

    A note's length runs to its own end or the next onset, whichever comes first, and is at
    least one step.
    """
    top: dict[int, tuple[int, int]] = {}
    for n in notes:
        on = q(n.start)
        length = max(1, q(n.start + n.duration) - on)
        if on not in top or n.pitch > top[on][0]:
            top[on] = (n.pitch, length)
    onsets = np.array(sorted(top), dtype=np.int64)
    pitches = np.array([top[o][0] for o in onsets], dtype=np.int64)
    durs = np.array([top[o][1] for o in onsets], dtype=np.int64)
    if len(onsets) > 1:
        durs[:-1] = np.minimum(durs[:-1], np.diff(onsets))
    return Line(onsets, pitches, durs, max(1, q(bar_beats)))


def tokens(line: Line) -> np.ndarray:
    """Interval-rhythm tokens, one per pair of successive notes: ``(semitones to the next note,
    grid steps to the next onset)`` as an ``(n - 1, 2)`` int array (clipped to
    ±``MAX_INTERVAL`` and 1..``MAX_IOI``). A run of k tokens spans k + 1 notes."""
    if len(line) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    iv = np.clip(np.diff(line.pitches), -MAX_INTERVAL, MAX_INTERVAL)
    ioi = np.clip(np.diff(line.onsets), 1, MAX_IOI)
    return np.stack([iv, ioi], axis=1)


def token_codes(tok: np.ndarray) -> np.ndarray:
    """One non-negative integer per token (for hashing and n-gram sets)."""
    return (tok[:, 0] + MAX_INTERVAL) * (MAX_IOI + 1) + tok[:, 1]


def ngrams(tok: np.ndarray, n: int) -> set[tuple[int, ...]]:
    """The distinct runs of ``n`` successive tokens."""
    codes = token_codes(tok).tolist()
    return {tuple(codes[i:i + n]) for i in range(len(codes) - n + 1)}


def bar_patterns(line: Line) -> dict[int, tuple[tuple[int, int, int], ...]]:
    """Per bar with at least one onset: ``(onset in bar, length clipped to the bar, interval
    from the previous note in the bar)`` per note, in grid steps and semitones; the first
    note's interval is 0, so a transposed bar has the same pattern."""
    out: dict[int, list[tuple[int, int, int]]] = {}
    prev: dict[int, int] = {}
    for on, p, d in zip(line.onsets.tolist(), line.pitches.tolist(), line.durations.tolist()):
        bar, pos = divmod(on, line.bar_steps)
        iv = p - prev[bar] if bar in prev else 0
        prev[bar] = p
        out.setdefault(bar, []).append((pos, min(d, line.bar_steps - pos), iv))
    return {b: tuple(v) for b, v in out.items()}


def bar_recurrence(line: Line) -> float:
    """Share of the line's bars (those with an onset) whose interval-and-rhythm pattern occurs in
    another bar, at any transposition; NaN with fewer than two bars."""
    pats = bar_patterns(line)
    if len(pats) < 2:
        return math.nan
    counts = Counter(pats.values())
    return sum(1 for p in pats.values() if counts[p] > 1) / len(pats)


def lz_repetition(tok: np.ndarray, *, min_match: int = 4, lookback: int = 64) -> float:
    """LZ77-style repetition: the share of tokens covered by a copy of at least ``min_match``
    tokens that starts within the previous ``lookback`` tokens (greedy longest match); NaN for
    fewer than ``2 * min_match`` tokens. The bounded look-back keeps it comparable across lengths."""
    codes = token_codes(tok).tolist()
    n = len(codes)
    if n < 2 * min_match:
        return math.nan
    covered, i = 0, 0
    while i < n:
        best = 0
        for j in range(max(0, i - lookback), i):
            k = 0
            while i + k < n and codes[j + k] == codes[i + k]:
                k += 1
            best = max(best, k)
        if best >= min_match:
            covered += best
            i += best
        else:
            i += 1
    return covered / n


def compression_ratio(tok: np.ndarray) -> float:
    """zlib (level 9) compressed size over raw size of the tokens as two bytes each; lower means
    more repetitive. NaN for fewer than 8 tokens."""
    if len(tok) < 8:
        return math.nan
    raw = np.stack([tok[:, 0] + 128, tok[:, 1]], axis=1).astype(np.uint8).tobytes()
    return len(zlib.compress(raw, 9)) / len(raw)


# --------------------------------------------------------------------------- MusPy bridge


def to_muspy(parts: list[Part] | tuple[Part, ...], *, bar_beats: float, bpm: float = 120.0):
    """A ``muspy.Music`` at ``GRID`` steps per beat holding ``parts`` (times quantised)."""
    import muspy

    tracks = []
    for p in parts:
        notes = [muspy.Note(time=q(n.start), pitch=int(n.pitch), duration=max(1, q(n.end) - q(n.start)),
                            velocity=int(n.velocity)) for n in p.notes]
        tracks.append(muspy.Track(program=int(p.program), is_drum=is_percussion(p), name=p.name, notes=notes))
    return muspy.Music(resolution=GRID, tempos=[muspy.Tempo(time=0, qpm=float(bpm))], tracks=tracks)


def empty_beat_rate(music) -> float:
    """Share of beats (from 0 to the end of the last note) in which no note sounds.

    MusPy 0.5's ``empty_beat_rate`` counts one beat past the end when the music ends on a beat,
    and marks the beat a note ends on as sounding; this counts beats ``[start, end)``.
    """
    res = music.resolution
    end = max((n.end for t in music.tracks for n in t.notes), default=0)
    if end < 1:
        return math.nan
    sounding = np.zeros(-(-end // res), dtype=bool)
    for t in music.tracks:
        for n in t.notes:
            sounding[n.time // res: -(-n.end // res)] = True
    return float(1.0 - sounding.mean())


def groove_consistency(music, bar_steps: int) -> float:
    """1 - mean Hamming distance between successive bars' onset grids, over the bars up to the
    end of the last note (Wu & Yang 2020). NaN with fewer than two bars.

    MusPy 0.5's ``groove_consistency`` adds an empty bar after music that ends on a bar line.
    """
    end = max((n.end for t in music.tracks for n in t.notes), default=0)
    bars = -(-end // bar_steps)
    if bars < 2:
        return math.nan
    grid = np.zeros((bars, bar_steps), dtype=bool)
    for t in music.tracks:
        for n in t.notes:
            grid[n.time // bar_steps, n.time % bar_steps] = True
    return float(1.0 - np.count_nonzero(grid[:-1] != grid[1:]) / (bar_steps * (bars - 1)))


def _muspy_stats(music, bar_steps: int) -> dict[str, float]:
    import muspy

    has_notes = any(t.notes for t in music.tracks)
    if not has_notes:
        return {}
    return {
        "pitch_class_entropy": float(muspy.pitch_class_entropy(music)),
        "scale_consistency": float(muspy.scale_consistency(music)),
        "pitch_range": float(muspy.pitch_range(music)),
        "n_pitch_classes": float(muspy.n_pitch_classes_used(music)),
        "polyphony": float(muspy.polyphony(music)),
        "empty_beat_rate": empty_beat_rate(music),
        "groove_consistency": groove_consistency(music, bar_steps),
    }


def _density(notes: list[Note], bar_beats: float) -> float:
    """Onsets per beat from the bar of the first onset to the last note's end."""
    if not notes:
        return math.nan
    onsets = {q(n.start) for n in notes}
    first_bar = (min(onsets) / GRID) // bar_beats * bar_beats
    span = max(n.end for n in notes) - first_bar
    return float(len(onsets) / span) if span > 0 else math.nan


def lead_metrics(score: Score) -> dict[str, float]:
    """The ``LEAD_METRICS`` of the score's lead (NaN where undefined)."""
    out = {k: math.nan for k in LEAD_METRICS}
    part = lead_part(score)
    if part is None:
        return out
    bar = score.meter.bar_beats
    line = melody_line(part.notes, bar)
    if not len(line):
        return out
    # counted from the lead's first bar: an intro the lead sits out is not the lead's silence
    first = int(line.onsets[0]) // line.bar_steps * line.bar_steps
    mono = Part(part.role, part.instrument, part.program, tuple(
        Note(int(p), (o - first) / GRID, d / GRID) for o, p, d in zip(line.onsets, line.pitches, line.durations)))
    stats = _muspy_stats(to_muspy([mono], bar_beats=bar), line.bar_steps)
    for k in ("pitch_class_entropy", "scale_consistency", "pitch_range", "n_pitch_classes", "empty_beat_rate",
              "groove_consistency"):
        out[k] = stats.get(k, math.nan)
    tok = tokens(line)
    out["note_density"] = _density(list(mono.notes), bar)
    out["mean_interval"] = float(np.mean(np.abs(np.diff(line.pitches)))) if len(line) > 1 else math.nan
    out["bar_recurrence"] = bar_recurrence(line)
    out["lz_repetition"] = lz_repetition(tok)
    out["compression_ratio"] = compression_ratio(tok)
    return out


def texture_metrics(score: Score) -> dict[str, float]:
    """The ``TEXTURE_METRICS`` of the whole score (NaN where undefined)."""
    out = {k: math.nan for k in TEXTURE_METRICS}
    parts = [p for p in score.parts if p.notes]
    if not parts:
        return out
    music = to_muspy(parts, bar_beats=score.meter.bar_beats, bpm=score.tempo[0].bpm)
    stats = _muspy_stats(music, max(1, q(score.meter.bar_beats)))
    for k in TEXTURE_METRICS:
        if k in stats:
            out[k] = stats[k]
    pitched = [n for p in parts if not is_percussion(p) for n in p.notes]
    if not pitched:
        for k in ("pitch_class_entropy", "scale_consistency", "pitch_range", "polyphony"):
            out[k] = math.nan
    out["note_density"] = _density(pitched, score.meter.bar_beats)
    return out


# --------------------------------------------------------------------------- playability


@dataclass(frozen=True)
class Violation:
    """One playability problem: the part, what is wrong, and at which beat."""

    part: str
    kind: str
    beat: float
    detail: str


def playability(score: Score) -> list[Violation]:
    """Notes a player could not play.

    * ``range``: a pitched note outside the instrument's full range (registry);
    * ``chord``: two notes at once on a monophonic instrument, or more notes at once than a
      polyphonic one allows (``polyphony``);
    * ``drum-map``: a drum-channel key outside the GM drum map 35-81.

    Parts whose instrument is not in the registry are checked for drum keys only.
    """
    reg = registry()
    out: list[Violation] = []
    tol = 1.5 / 480  # MIDI-tick jitter is not a chord
    for p in score.parts:
        if p.is_drum:
            for n in p.notes:
                if not DRUM_MAP[0] <= n.pitch <= DRUM_MAP[1]:
                    out.append(Violation(p.name, "drum-map", n.start, f"key {n.pitch} is outside the GM drum map 35-81"))
            continue
        inst = reg.get(p.instrument)
        if inst is None or inst.drum:
            continue
        for n in p.notes:
            if not inst.low <= n.pitch <= inst.high:
                out.append(Violation(p.name, "range", n.start,
                                     f"pitch {n.pitch} is outside {inst.id}'s range {inst.low}-{inst.high}"))
        notes = sorted(p.notes, key=lambda n: n.start)
        ends: list[float] = []
        for n in notes:
            ends = [e for e in ends if e > n.start + tol]
            if len(ends) >= inst.polyphony:
                what = "a chord on monophonic" if inst.monophonic else f"{len(ends) + 1} notes at once on"
                out.append(Violation(p.name, "chord", n.start, f"{what} {inst.id} (at most {inst.polyphony})"))
            ends.append(n.end)
    return out
