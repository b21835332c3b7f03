"""Re-harmonising under a theme: where a long or accented note of the tune is not in the
planned chord, a diatonic triad that holds it takes the chord's place."""

from __future__ import annotations

from gekiban.score import ChordEvent, Note
from gekiban.theory import Chord, Key, Meter


def _triads(key: Key, scale: tuple[int, ...]) -> list[tuple[Chord, str]]:
    """The diatonic triads of ``scale`` on the key's tonic, with Roman numerals."""
    out = []
    names = ("i", "ii", "iii", "iv", "v", "vi", "vii")
    for d in range(7):
        root, third, fifth = (scale[(d + k) % 7] + 12 * ((d + k) // 7) - scale[d] for k in (0, 2, 4))
        quality = {(4, 7): "", (3, 7): "m", (3, 6): "dim", (4, 8): "aug"}.get((third, fifth), "")
        roman = names[d].upper() if quality in ("", "aug") else names[d] + ("°" if quality == "dim" else "")
        out.append((Chord((key.tonic + scale[d]) % 12, quality), roman))
    return out


def reharmonise(chords: tuple[ChordEvent, ...], line: list[Note], *, key: Key, scale: tuple[int, ...],
                meter: Meter) -> tuple[ChordEvent, ...]:
    """Chords re-chosen under the theme: where a note on a strong pulse, or held a beat or
    more, is not a tone of the planned chord, the diatonic triad holding most of those notes
    (weighted by length; ties to the one sharing most tones with the planned chord, then to
    tonic, subdominant and dominant) takes its place."""
    bar = meter.bar_beats
    strong = set(meter.pulses)
    triads = [t for t in _triads(key, scale) if t[0].quality != "dim"]
    out = []
    for ev in chords:
        inside = [n for n in line if ev.start - 1e-9 <= n.start < ev.end - 1e-9
                  and (round(n.start % bar, 6) in strong or n.duration >= 1.0)]
        weight: dict[int, float] = {}
        for n in inside:
            weight[n.pitch % 12] = weight.get(n.pitch % 12, 0.0) + n.duration
        have = set(ev.chord.pitch_classes)
        if not weight or all(pc in have for pc in weight):
            out.append(ev)
            continue
        order = {0: 0, 3: 1, 4: 2, 5: 3}

        def score(t: tuple[Chord, str]) -> tuple[float, int, int]:
            pcs = set(t[0].pitch_classes)
            held = sum(w for pc, w in weight.items() if pc in pcs)
            d = next(i for i, x in enumerate(scale) if (key.tonic + x) % 12 == t[0].root)
            return (-held, -len(pcs & have), order.get(d, 9))

        best = min(triads, key=score)
        if sum(w for pc, w in weight.items() if pc in best[0].pitch_classes) <= sum(w for pc, w in weight.items() if pc in have):
            out.append(ev)
        else:
            out.append(ChordEvent(ev.start, ev.duration, best[0], best[1]))
    return tuple(out)
