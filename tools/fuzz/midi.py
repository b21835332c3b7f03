"""Family 2: MIDI files. Valid bases (gekiban's own, type 0/1/2, running status, drums, tempo
changes), byte and field mutations of them and special files, fed to ``read_midi``, ``read_seed``,
``resolve_brief(from_midi=...)`` (then composed), ``evaluate_paths`` and the style learner
(``read_piece`` + ``analyse``, ``learn_style``)."""

from __future__ import annotations

import io
import json
import random
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from core import Case, Step, attempt
from json_mutations import mutate_json
from prompt_run import base_score


def _vlq(n: int) -> bytes:
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def _smf(fmt: int, tpb: int, tracks: list[bytes]) -> bytes:
    head = b"MThd" + (6).to_bytes(4, "big") + fmt.to_bytes(2, "big") + len(tracks).to_bytes(2, "big") + tpb.to_bytes(2, "big")
    return head + b"".join(b"MTrk" + len(t).to_bytes(4, "big") + t for t in tracks)


def _mido_bytes(mid: Any) -> bytes:
    buf = io.BytesIO()
    mid.save(file=buf)
    return buf.getvalue()


@cache
def base_midis() -> dict[str, bytes]:
    """Valid MIDI files to mutate: two gekiban files and hand-made ones."""
    import mido

    from gekiban.composer import build_score
    from gekiban.midi import write_midi
    from gekiban.styles import resolve_style
    from gekiban.understand.resolve import resolve_brief
    from gekiban.understand.timing import apply_timing

    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as d:
        out["gekiban-lofi"] = write_midi(base_score(), Path(d) / "a.mid").read_bytes()
        brief = resolve_brief("tense chase", style="chase", seed=2, duration=10, semantic=False, meter="7/8")
        brief = apply_timing(brief, hits=[5.0], ending="button")
        out["gekiban-chase-hits"] = write_midi(build_score(brief, resolve_style("chase")[1]), Path(d) / "b.mid").read_bytes()

    M, Meta = mido.Message, mido.MetaMessage
    t0 = mido.MidiTrack([
        Meta("track_name", name="type0 mix", time=0), Meta("set_tempo", tempo=600000, time=0),
        Meta("time_signature", numerator=3, denominator=4, time=0), Meta("key_signature", key="Em", time=0),
        M("program_change", channel=0, program=0, time=0), M("program_change", channel=1, program=33, time=0),
        M("control_change", channel=0, control=7, value=100, time=0), M("control_change", channel=1, control=10, value=20, time=0),
        M("sysex", data=[0x7E, 0x7F, 0x09, 0x01], time=0),
        M("note_on", channel=0, note=64, velocity=90, time=0), M("note_on", channel=1, note=40, velocity=80, time=0),
        M("note_on", channel=9, note=36, velocity=100, time=0), M("note_on", channel=9, note=36, velocity=0, time=60),
        M("note_on", channel=0, note=64, velocity=0, time=420), M("note_on", channel=0, note=67, velocity=90, time=0),
        Meta("set_tempo", tempo=428571, time=240), M("pitchwheel", channel=0, pitch=2000, time=0),
        M("note_off", channel=0, note=67, velocity=0, time=240), M("note_off", channel=1, note=40, velocity=0, time=0),
        M("note_on", channel=0, note=71, velocity=70, time=0), M("control_change", channel=0, control=11, value=50, time=120),
        M("note_off", channel=0, note=71, time=360), Meta("marker", text="end", time=0), Meta("end_of_track", time=0)])
    out["type0"] = _mido_bytes(mido.MidiFile(type=0, ticks_per_beat=480, tracks=[t0]))

    conductor = mido.MidiTrack([Meta("set_tempo", tempo=500000), Meta("time_signature", numerator=6, denominator=8),
                                Meta("set_tempo", tempo=300000, time=960), Meta("end_of_track")])
    drums = mido.MidiTrack([Meta("track_name", name="drums-drums")] + [
        m for k in range(16) for m in (M("note_on", channel=9, note=(36, 38, 42, 46)[k % 4], velocity=100, time=0 if k == 0 else 24),
                                       M("note_off", channel=9, note=(36, 38, 42, 46)[k % 4], time=24))] + [Meta("end_of_track")])
    melody = mido.MidiTrack([Meta("track_name", name="lead-flute"), Meta("lyrics", text="la"),
                             M("program_change", channel=2, program=73)] + [
        m for k, p in enumerate([72, 74, 76, 77, 79, 77, 76, 74])
        for m in (M("note_on", channel=2, note=p, velocity=90, time=0 if k == 0 else 10), M("note_off", channel=2, note=p, time=86))] + [
        M("note_on", channel=2, note=60, velocity=90, time=0), M("note_on", channel=2, note=60, velocity=90, time=48),
        M("note_off", channel=2, note=60, time=48), M("note_on", channel=2, note=61, velocity=90, time=0),  # never released
        M("note_on", channel=2, note=62, velocity=90, time=0), M("note_off", channel=2, note=62, time=0),  # zero length
        Meta("end_of_track")])
    chords = mido.MidiTrack([Meta("track_name", name="pad-strings"), M("program_change", channel=3, program=48)] + [
        m for k, root in enumerate([57, 53, 48, 55])
        for m in ([M("note_on", channel=3, note=root + iv, velocity=60, time=0) for iv in (0, 3 if k == 0 else 4, 7)] +
                  [M("note_off", channel=3, note=root + iv, time=192 if j == 0 else 0) for j, iv in enumerate((0, 3 if k == 0 else 4, 7))])]
        + [Meta("end_of_track")])
    out["type1-drums"] = _mido_bytes(mido.MidiFile(type=1, ticks_per_beat=96, tracks=[conductor, drums, melody, chords]))
    out["type2"] = _mido_bytes(mido.MidiFile(type=2, ticks_per_beat=192, tracks=[melody, chords]))

    # Running status, written by hand: one 0x90 status byte for a run of note-ons (velocity 0 = off).
    run = b"\x00\xff\x51\x03\x07\xa1\x20" + b"\x00\x90\x3c\x64"
    for p in (0x3c, 0x3e, 0x40, 0x41, 0x43):
        run += b"\x81\x70" + bytes([p, 0]) + b"\x00" + bytes([p + 2, 0x64])
    run += b"\x83\x60\x45\x00" + b"\x00\xb0\x07\x64" + b"\x00\x40\x7f" + b"\x00\xff\x2f\x00"
    out["running-status"] = _smf(0, 480, [run])
    out["tiny"] = _smf(0, 1, [b"\x00\x90\x45\x40\x01\x80\x45\x00\x00\xff\x2f\x00"])
    return out


MIDI_SPECIAL = ["<empty>", "<dir>", "<missing>", "<mthd-only>", "<text>", "<random>", "<odd-name>", "<huge-note>",
                "<many-tracks>", "<long-tempo-map>"]


def _find_all(data: bytes, needle: bytes) -> list[int]:
    out, at = [], data.find(needle)
    while at >= 0:
        out.append(at)
        at = data.find(needle, at + 1)
    return out


def _track_offsets(data: bytes) -> list[int]:
    return _find_all(data, b"MTrk")


def _gekiban_meta_mutation(rng: random.Random, data: bytes) -> tuple[bytes, str] | None:
    """Rewrite the gekiban meta event's JSON (key, sections, chords) with the JSON mutator."""
    import mido

    try:
        mid = mido.MidiFile(file=io.BytesIO(data))
    except Exception:  # noqa: BLE001 - mido raises many kinds on a broken file: then no meta mutation
        return None
    for track in mid.tracks:
        for k, msg in enumerate(track):
            raw = bytes(msg.data) if msg.type == "sequencer_specific" else b""
            if raw.startswith(b"\x7dgekiban"):
                try:
                    info = json.loads(raw[8:].decode())
                except ValueError:  # an earlier mutation broke it already
                    return None
                info, notes = mutate_json(rng, info, rounds=rng.randint(1, 3))
                blob = json.dumps(info, allow_nan=True).encode("utf-8", "surrogatepass")
                if rng.random() < 0.1:
                    blob = blob[: rng.randint(0, len(blob))]
                track[k] = msg.copy(data=list(b"\x7dgekiban" + blob))
                return _mido_bytes(mid), "gekiban meta " + "; ".join(notes)
    return None


def mutate_midi(rng: random.Random, data: bytes, others: list[bytes]) -> tuple[bytes, list[str]]:
    """Apply 1-4 byte or field mutations; returns the bytes and what was done."""
    notes = []
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        op = rng.randrange(16)
        n = len(b)
        if op == 0 and n:
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(n)] ^= 1 << rng.randrange(8)
            notes.append("bit flips")
        elif op == 1 and n:
            at = rng.randrange(n)
            b[at] = rng.choice([0x00, 0x7F, 0x80, 0xFF, 0xF0, 0xF7, 0x90, 0x2F, rng.randrange(256)])
            notes.append(f"byte {at} = {b[at]:#x}")
        elif op == 2:
            at = rng.randint(0, n)
            chunk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
            b[at:at] = chunk
            notes.append(f"insert {len(chunk)} bytes at {at}")
        elif op == 3 and n:
            at = rng.randrange(n)
            end = min(n, at + rng.randint(1, 32))
            del b[at:end]
            notes.append(f"delete {at}:{end}")
        elif op == 4 and n:
            at = rng.randint(0, n)
            b = b[:at]
            notes.append(f"truncate at {at}")
        elif op == 5 and n:
            at = rng.randrange(n)
            end = min(n, at + rng.randint(1, 64))
            b[end:end] = b[at:end] * rng.randint(1, 4)
            notes.append(f"repeat {at}:{end}")
        elif op == 6 and others:
            other = rng.choice(others)
            cut_a, cut_b = rng.randint(0, n), rng.randint(0, len(other))
            b = b[:cut_a] + bytearray(other[cut_b:])
            notes.append(f"splice at {cut_a} with another file from {cut_b}")
        elif op == 7 and n >= 14:
            what = rng.choice(["format", "ntracks", "division"])
            at = {"format": 8, "ntracks": 10, "division": 12}[what]
            v = rng.choice({"format": [0, 1, 2, 3, 0xFFFF], "ntracks": [0, 1, 2, 3, 64, 0xFFFF],
                            "division": [0, 1, 2, 3, 0x7FFF, 0x8000, 0xE728, 0xE250, 0xFFFF]}[what])
            b[at:at + 2] = v.to_bytes(2, "big")
            notes.append(f"header {what} = {v}")
        elif op == 8:
            offs = _track_offsets(bytes(b))
            if offs:
                at = rng.choice(offs) + 4
                v = rng.choice([0, 1, 3, 0x7FFFFFFF, 0xFFFFFFFF, int.from_bytes(b[at:at + 4], "big") + rng.choice([-1, 1, 100])])
                b[at:at + 4] = (v % 2**32).to_bytes(4, "big")
                notes.append(f"track length = {v}")
        elif op == 9:
            offs = _find_all(bytes(b), b"\xff\x51\x03")
            if offs:
                at = rng.choice(offs)
                if rng.random() < 0.7:
                    v = rng.choice([0, 1, 2, 1000, 0xFFFFFF])
                    b[at + 3:at + 6] = v.to_bytes(3, "big")
                    notes.append(f"tempo = {v} us/beat")
                else:
                    b[at + 2] = rng.choice([0, 1, 2, 4, 0x7F])
                    notes.append(f"tempo meta length = {b[at + 2]}")
        elif op == 10:
            offs = [k + 3 + rng.randrange(4) for k in _find_all(bytes(b), b"\xff\x58\x04")]
            offs = [k for k in offs if k < len(b)]
            if offs:
                at = rng.choice(offs)
                b[at] = rng.choice([0, 1, 7, 31, 32, 64, 127, 255])
                notes.append(f"time signature byte {at} = {b[at]}")
        elif op == 11:
            offs = [k + 3 + rng.randrange(2) for k in _find_all(bytes(b), b"\xff\x59\x02")]
            offs = [k for k in offs if k < len(b)]
            if offs:
                at = rng.choice(offs)
                b[at] = rng.choice([0x7F, 0x80, 0xF9, 0x08, 0xF8, 2, 255])
                notes.append(f"key signature byte {at} = {b[at]}")
        elif op == 12:
            offs = _track_offsets(bytes(b))
            if offs:
                at = rng.choice(offs) + 8
                huge = rng.choice([b"\x8f\xff\xff\x7f", b"\xff\xff\xff\xff\x7f", b"\xff" * 12, b"\x87\xff\xff\x7f",
                                   b"\x81\x80\x80\x80\x00"])
                b[at:at] = huge + b"\xff\x01\x00"  # a text event after a huge delta
                notes.append(f"huge delta {huge.hex()} at {at}")
        elif op == 13:
            offs = [k for k in range(len(b) - 2) if b[k] & 0xF0 in (0x80, 0x90) and b[k + 1] < 0x80]
            if offs:
                at = rng.choice(offs)
                b[at + rng.choice([1, 2])] = rng.choice([0, 0x7F, 0x80, 0xFF])
                notes.append(f"note data at {at}")
        elif op == 14:
            offs = _find_all(bytes(b), b"\xff\x03") + _find_all(bytes(b), b"\xff\x01") + _find_all(bytes(b), b"\xff\x7f")
            if offs:
                at = rng.choice(offs) + 2
                b[at:at + 1] = rng.choice([b"\x8f\xff\xff\x7f", b"\x00", b"\x7f", b"\xff\xff\xff\xff"])
                notes.append(f"meta length at {at}")
        else:
            res = _gekiban_meta_mutation(rng, bytes(b))
            if res:
                b = bytearray(res[0])
                notes.append(res[1])
    return bytes(b), notes or ["unchanged"]


def _special_midi(kind: str) -> bytes:
    if kind == "<mthd-only>":
        return b"MThd\x00\x00\x00\x06\x00\x01\x00\x00\x01\xe0"
    if kind == "<text>":
        return "not a MIDI file \u2014 \U0001f3b5\n".encode()
    if kind == "<random>":
        rng = random.Random("random-midi")
        return bytes(rng.randrange(256) for _ in range(4096))
    if kind == "<huge-note>":  # a note held for 2^28-1 ticks at 1 tick per beat, 0.5 s per beat
        return _smf(0, 1, [b"\x00\x90\x45\x40" + _vlq(0x0FFFFFFF) + b"\x80\x45\x00\x00\xff\x2f\x00"])
    if kind == "<many-tracks>":
        t = b"\x00\x90\x45\x40\x60\x80\x45\x00\x00\xff\x2f\x00"
        return _smf(1, 96, [t] * 3000)
    if kind == "<long-tempo-map>":
        ev = b"".join(b"\x01\xff\x51\x03" + (200000 + (k % 7) * 50000).to_bytes(3, "big") for k in range(20000))
        return _smf(0, 96, [b"\x00\x90\x45\x40" + ev + b"\x00\x80\x45\x00\x00\xff\x2f\x00"])
    return b""


def midi_case(i: int, seed: int) -> Case:
    """MIDI case ``i``: the special files first, then mutated base files."""
    if i < len(MIDI_SPECIAL):
        kind = MIDI_SPECIAL[i]
        return Case("midi", i, "midi", (kind, _special_midi(kind)), {}, "file", kind)
    rng = random.Random(f"{seed}:midi:{i}")
    bases = base_midis()
    name = rng.choice(sorted(bases))
    data, notes = mutate_midi(rng, bases[name], [v for k, v in sorted(bases.items()) if k != name])
    return Case("midi", i, "midi", ("file", data), {}, "file", f"{name}: " + "; ".join(notes))


def _midi_path(case: Case, tmp: Path) -> Path:
    kind, data = case.args
    if kind == "<dir>":
        path = tmp / "a-folder.mid"
        path.mkdir(exist_ok=True)
        return path
    if kind == "<missing>":
        return tmp / "missing.mid"
    path = tmp / ("seed-\udcff-\u00e9.mid" if kind == "<odd-name>" else "case.mid")
    if path.is_dir():
        shutil.rmtree(path)
    path.write_bytes(data if kind != "<odd-name>" else base_midis()["tiny"])
    return path


def run_midi_case(case: Case, tmp: Path) -> list[Step]:
    from gekiban.composer import build_score
    from gekiban.evaluate import evaluate_paths
    from gekiban.midi import read_midi
    from gekiban.styles import resolve_style
    from gekiban.understand.midi_seed import read_seed
    from gekiban.understand.resolve import resolve_brief

    path = _midi_path(case, tmp)
    steps = [attempt("read_midi", "read_midi(PATH)", lambda: read_midi(path))[0],
             attempt("read_seed", "read_seed(PATH)", lambda: read_seed(path))[0],
             attempt("evaluate_paths", "evaluate_paths([PATH])", lambda: evaluate_paths([path]))[0]]
    s, brief = attempt("resolve_brief(from_midi)", "resolve_brief('x', from_midi=PATH, semantic=False, seed=1)",
                       lambda: resolve_brief("x", from_midi=path, semantic=False, seed=1))
    steps.append(s)
    if s.status == "ok":
        steps.append(attempt("build_score(from_midi)", "brief = resolve_brief('x', from_midi=PATH, semantic=False, seed=1); "
                             "build_score(brief, resolve_style(brief.style)[1])",
                             lambda: build_score(brief, resolve_style(brief.style)[1]))[0])
    from gekiban.learn import learn_style
    from gekiban.learn.analyse import analyse
    from gekiban.learn.read import read_piece

    steps.append(attempt("analyse(read_piece)", "analyse(read_piece(PATH))", lambda: analyse(read_piece(path)))[0])
    steps.append(attempt("learn_style", "learn_style('fuzz', [PATH], folder=TMP/styles, replace=True)",
                         lambda: learn_style("fuzz", [path], folder=tmp / "styles", replace=True))[0])
    return steps
