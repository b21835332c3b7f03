"""The figures the accompanying roles play over the chords: pad voicings, ostinato and
arpeggio patterns, bass lines and the counter-line.

A style file names a pattern per role from the role table (:mod:`gekiban.roles`); :data:`FIGURES`
says what each writer plays for each name, and a test holds the two lists together, so a new
style file never needs code.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gekiban.composer.harmony import voice_lead
from gekiban.instruments import Instrument
from gekiban.score import ChordEvent, Control, Note, Section
from gekiban.styles.schema import RoleSpec
from gekiban.theory import Meter

#: Pattern names each writer plays, with what they sound like.
FIGURES: dict[str, dict[str, str]] = {
    "pad": {
        "sustain": "the chord held, voice-led",
        "swell": "the chord held with an expression swell (CC11) through it",
        "tremolo": "the chord held, for a tremolo patch that bows it",
        "stabs": "short chords on the strong beats (every beat at high energy)",
        "offbeat": "short chords on the off-beats",
    },
    "ostinato": {
        "sixteenths": "root-root-fifth-octave in sixteenths (eighths when quiet)",
        "eighths": "root-fifth-octave-fifth in eighths (quarters when quiet)",
        "arp-up": "the chord tones rising",
        "arp-updown": "the chord tones rising and falling",
        "broken": "root, fifth, octave and a tenth",
        "alberti": "low-high-middle-high",
        "chug": "palm-muted power chords (root and fifth)",
        "pulse": "the chord repeated",
        "strum": "strummed chords on the beat (every two when quiet)",
        "waltz": "the chord on the weak beats of the bar",
        "timpani": "the bass note struck at each chord",
    },
    "bass": {
        "roots": "the root on the strong beats (held when quiet)",
        "eighths": "driving roots in eighths, an octave leap before the bar",
        "walking": "a walking line stepping into the next root",
        "pedal": "one pedal note under the section (pulsing when it drives)",
        "oom-pah": "root and fifth in alternation",
        "octaves": "roots jumping octaves in eighths",
        "sustain": "the root held for the chord",
        "syncopated": "roots on 1, the and of 2, and 4",
    },
    "counter": {"": "a slower line a third to a sixth under the lead"},
}

Writer = Callable[[RoleSpec, Instrument, list[Section], tuple[ChordEvent, ...], Meter, tuple[Note, ...], np.random.Generator], list[Note]]


def chords_in(sec: Section, chords: tuple[ChordEvent, ...], meter: Meter) -> list[ChordEvent]:
    a, b = sec.start_bar * meter.bar_beats, sec.end_bar * meter.bar_beats
    return [c for c in chords if c.start < b - 1e-9 and c.end > a + 1e-9]


def velocity(sec: Section, accent: int = 0) -> int:
    return int(np.clip(40 + 62 * sec.energy + accent, 20, 124))


def span_in(c: ChordEvent, sec: Section, meter: Meter) -> tuple[float, float]:
    a, b = sec.start_bar * meter.bar_beats, sec.end_bar * meter.bar_beats
    return max(c.start, a), min(c.end, b)


def pad(spec: RoleSpec, inst: Instrument, live: list[Section], chords, meter: Meter, melody, rng) -> list[Note]:
    low, high = max(inst.comfort_low, 48), min(inst.comfort_high, 79)
    if high - low < 12:
        low, high = inst.comfort_low, inst.comfort_high
    out = []
    for sec in live:
        cs = chords_in(sec, chords, meter)
        for c, v in zip(cs, voice_lead([c.chord for c in cs], low=low, high=high, voices=min(4, inst.polyphony))):
            a, b = span_in(c, sec, meter)
            if spec.pattern in ("stabs", "offbeat"):
                step = 1.0 if spec.pattern == "stabs" else 0.5
                t = a + (0.5 if spec.pattern == "offbeat" else 0.0)
                while t < b - 1e-9:
                    if spec.pattern == "offbeat" or (t - a) % meter.bar_beats in (0.0, meter.bar_beats / 2) or sec.energy > 0.75:
                        out += [Note(p + 12 * spec.octave, t, 0.35, velocity(sec, 4)) for p in v]
                    t += step * (2 if spec.pattern == "offbeat" else 1)
            else:
                out += [Note(p + 12 * spec.octave, a, b - a, velocity(sec, -12)) for p in v]
    return out


def swells(spec: RoleSpec, live: list[Section], chords) -> tuple[Control, ...]:
    """Expression (CC11) rising through each chord and easing off at its end."""
    out = []
    for c in chords:
        out += [Control(c.start, 11, 50), Control(c.start + c.duration * 0.6, 11, 110), Control(c.start + c.duration * 0.95, 11, 70)]
    return tuple(out)


def tones_in(chord, low: int, high: int) -> list[int]:
    pcs = set(chord.pitch_classes)
    return [p for p in range(low, high + 1) if p % 12 in pcs]


def ostinato(spec: RoleSpec, inst: Instrument, live: list[Section], chords, meter: Meter, melody, rng) -> list[Note]:
    pat = spec.pattern or "arp-up"
    lo = inst.comfort_low + 12 * spec.octave
    base_low = max(inst.comfort_low, min(55, inst.comfort_high - 19)) + 12 * spec.octave
    home = home_scale(chords)
    out: list[Note] = []
    for sec in live:
        busy = sec.energy >= 0.45 or sec.tension >= 0.7
        for c in chords_in(sec, chords, meter):
            a, b = span_in(c, sec, meter)
            ch = c.chord
            root = inst.fit(ch.root + 12 * (base_low // 12), comfortable=True)
            if root < base_low:
                root += 12
            tones = tones_in(ch, root, root + 19) or [root]
            fifth = root + 7
            shared = [p for p in tones if p % 12 in home]
            if pat not in ("chug", "pulse", "strum", "timpani") and ch.root % 12 not in home and len({p % 12 for p in shared}) >= 2:
                # over a borrowed chord the figure keeps to the tones the key shares with it;
                # bass and pad state the new root, the ostinato shimmers on
                tones = shared
                root, fifth = shared[0], shared[1]
            if pat == "timpani":
                r = inst.fit(ch.bass_pc + 36)
                out.append(Note(r, a, min(1.0, b - a), velocity(sec, 6)))
                continue
            if pat in ("sixteenths", "chug", "pulse", "eighths"):
                step = 0.25 if pat == "sixteenths" and busy else 0.5
                if not busy and pat != "sixteenths":
                    step = 1.0
                t, k = a, 0
                while t < b - 1e-9:
                    if pat == "chug":
                        r = inst.fit(ch.root + 36, comfortable=False)
                        out += [Note(r, t, step * 0.8, velocity(sec, 6 if k % 4 == 0 else -4)), Note(r + 7, t, step * 0.8, velocity(sec, -6))]
                    elif pat == "pulse":
                        out += [Note(p, t, step * 0.7, velocity(sec, -8)) for p in tones[:3]]
                    else:
                        cyc = [root, root, fifth, root + 12] if pat == "sixteenths" else [root, fifth, root + 12, fifth]
                        out.append(Note(cyc[k % 4], t, step * 0.85, velocity(sec, 6 if k % 4 == 0 else -6)))
                    t += step
                    k += 1
            elif pat == "strum":
                for t in np.arange(a, b - 1e-9, 1.0 if busy else 2.0):
                    out += [Note(p, float(t) + 0.012 * j, 0.9 if busy else 1.9, velocity(sec, -4 - 2 * j)) for j, p in enumerate(tones[:4])]
            elif pat == "waltz":
                for bar0 in np.arange(a, b - 1e-9, meter.bar_beats):
                    for t in meter.pulses[1:] if len(meter.pulses) > 1 else (meter.bar_beats / 2,):
                        out += [Note(p, float(bar0 + t), 0.8, velocity(sec, -10)) for p in tones[1:4]]
            else:  # arpeggios: arp-up, arp-updown, broken, alberti
                seq = {
                    "arp-up": tones[:4],
                    "arp-updown": tones[:4] + tones[1:3][::-1],
                    "broken": [root, fifth, root + 12, tones[min(3, len(tones) - 1)] if len(tones) > 3 else root + 16],
                    "alberti": [tones[0], tones[-1] if len(tones) > 2 else fifth, tones[1] if len(tones) > 1 else fifth, tones[-1] if len(tones) > 2 else fifth],
                }.get(pat, tones[:4])
                step = 0.25 if (busy and sec.energy > 0.7) else 0.5
                if meter.compound:
                    step = 0.5
                t, k = a, 0
                while t < b - 1e-9:
                    out.append(Note(seq[k % len(seq)], t, step * (1.6 if inst.family in ("keys", "guitar", "ethnic") else 0.9), velocity(sec, 2 if k == 0 else -8)))
                    t += step
                    k += 1
    del lo
    return out


def bass(spec: RoleSpec, inst: Instrument, live: list[Section], chords, meter: Meter, melody, rng) -> list[Note]:
    low = inst.comfort_low
    out: list[Note] = []
    bar = meter.bar_beats
    home = home_scale(chords)
    for sec in live:
        cs = chords_in(sec, chords, meter)
        pat = "pedal" if sec.tension >= 0.8 and sec.kind != "outro" else spec.pattern or "roots"  # tension: pedal point
        for i, c in enumerate(cs):
            a, b = span_in(c, sec, meter)
            r = low + (c.chord.bass_pc - low) % 12
            if r + 12 <= min(inst.comfort_high, 52) and rng.random() < 0.0:
                r += 12
            fifth = r + 7 if r + 7 <= inst.high else r - 5
            busy = sec.energy >= 0.5
            if pat == "eighths" and busy:
                out += [Note(r + (12 if (k % 8 == 7 and sec.energy > 0.8) else 0), float(t), 0.45, velocity(sec, 4 if k % 2 == 0 else -6))
                        for k, t in enumerate(np.arange(a, b - 1e-9, 0.5))]
            elif pat == "octaves" and busy:
                out += [Note(r + (12 if k % 2 else 0), float(t), 0.45, velocity(sec, 0)) for k, t in enumerate(np.arange(a, b - 1e-9, 0.5))]
            elif pat == "walking":
                nxt = cs[i + 1].chord.bass_pc if i + 1 < len(cs) else c.chord.root
                beats = list(np.arange(a, b - 1e-9, 1.0))
                target = low + (nxt - low) % 12
                for k, t in enumerate(beats):
                    if k == 0:
                        p = r
                    elif k == len(beats) - 1:  # step into the next root from the scale tone beside it
                        p = next((target + d for d in ((1, -1) if target > r else (-1, 1)) + (2, -2)
                                  if (target + d) % 12 in home), target + 1)
                    else:
                        p = tones_in(c.chord, r, r + 12)[k % 3] if len(tones_in(c.chord, r, r + 12)) >= 3 else r
                    out.append(Note(p, float(t), 0.9, velocity(sec, 2 if k == 0 else -4)))
            elif pat == "oom-pah":
                for bar0 in np.arange(a, b - 1e-9, bar / 2 if bar >= 4 else bar):
                    k = int(round((bar0 - a) / (bar / 2 if bar >= 4 else bar)))
                    out.append(Note(r if k % 2 == 0 else fifth, float(bar0), 0.5, velocity(sec, 4)))
            elif pat == "syncopated" and busy:
                for bar0 in np.arange(a, b - 1e-9, bar):
                    for off in (0.0, 1.5, 3.0) if bar >= 4 else (0.0, 1.5):
                        if bar0 + off < b - 1e-9:
                            out.append(Note(r, float(bar0 + off), 1.0 if off < 3 else 0.9, velocity(sec, 4 if off == 0 else -2)))
            elif pat == "pedal":  # held, or pulsing in eighths when the section drives
                tonic = low + (cs[0].chord.root - low) % 12  # pedal on the section's opening root
                if busy:
                    out += [Note(tonic, float(t), 0.45, velocity(sec, 4 if k % 2 == 0 else -6)) for k, t in enumerate(np.arange(a, b - 1e-9, 0.5))]
                else:
                    out.append(Note(tonic, a, b - a, velocity(sec, -6)))
            else:  # roots / sustain / quiet versions of busy patterns
                step = b - a if pat == "sustain" or not busy else bar / 2 if bar >= 4 else bar
                out += [Note(r, float(t), min(step, b - t) * 0.95, velocity(sec, 0 if k == 0 else -8)) for k, t in enumerate(np.arange(a, b - 1e-9, step))]
    return out


def home_scale(chords) -> set[int]:
    """The diatonic collection that holds most of the harmony (weighted by duration)."""
    weight = np.zeros(12)
    for c in chords:
        for pc in c.chord.pitch_classes:
            weight[pc] += c.duration
    major = (0, 2, 4, 5, 7, 9, 11)
    tonic = max(range(12), key=lambda t: sum(weight[(t + i) % 12] for i in major))
    return {(tonic + i) % 12 for i in major}


def counter(spec: RoleSpec, inst: Instrument, live: list[Section], chords, meter: Meter, melody, rng) -> list[Note]:
    """A slower line under the lead: chord tones a third or sixth below it, moving smoothly."""
    starts = np.array([n.start for n in melody]) if melody else np.array([0.0])
    out: list[Note] = []
    prev = (inst.comfort_low + inst.comfort_high) // 2
    half = meter.bar_beats / 2 if not meter.compound else 1.5
    home = home_scale(chords)
    for sec in live:
        if sec.kind == "intro":
            continue
        for c in chords_in(sec, chords, meter):
            a, b = span_in(c, sec, meter)
            t = a
            while t < b - 1e-9:
                dur = min(half if sec.energy < 0.8 else half / 2, b - t)
                i = int(np.searchsorted(starts, t + 1e-9, side="right")) - 1
                mel = melody[i].pitch if melody and i >= 0 and melody[i].end > t else None
                tones = tones_in(c.chord, inst.comfort_low, inst.comfort_high)
                if not tones:
                    break
                # over a borrowed chord, sing its tones that the key shares (common tones)
                tones = [p for p in tones if p % 12 in home] or tones
                if mel is not None:
                    under = [p for p in tones if 3 <= mel - p <= 9]
                    cands = under or tones
                else:
                    cands = tones
                # smooth, but keep moving: a tone held through two slots gives way to its neighbour
                still = len(out) >= 2 and out[-1].pitch == out[-2].pitch == prev
                p = min(cands, key=lambda x: abs(x - prev) + (6 if still and x == prev else 0))
                out.append(Note(p, t, dur * 0.95, velocity(sec, -10)))
                prev = p
                t += dur
    return out



#: The writer of each accompanying role.
WRITERS: dict[str, Writer] = {"counter": counter, "pad": pad, "ostinato": ostinato, "bass": bass}
