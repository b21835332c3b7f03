"""Fixed sweep of requests whose score.mid bytes must not change unless the music is meant to.

Each case is a request as the command line takes it (prompt, options, seed), or a bundle
operation on one (variation, extension, edit). The sweep composes each one's Score exactly as
``gekiban compose`` does (no audio), writes it as a standard MIDI file in memory and records the
SHA-256 of the bytes in ``tests/data/midi_sweep.json``. ``tests/test_midi_sweep.py`` checks them.

    .venv/bin/python tools/midi_sweep.py            # compare with the recorded hashes
    .venv/bin/python tools/midi_sweep.py --record   # record anew (after a change meant to alter the music)
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

RECORD = Path(__file__).resolve().parent.parent / "tests" / "data" / "midi_sweep.json"

STYLES = (
    "adventure", "ambient", "bossa-nova", "cafe-jazz", "chase", "chiptune", "comedy", "electronic-battle",
    "emotional-piano", "ending-ballad", "eyecatch", "fantasy-tavern", "festival", "heroic", "hopeful",
    "horror", "idol-pop", "japanese-traditional", "jrock-battle", "lofi", "magical-girl", "mecha-scifi",
    "military-march", "mystery", "opening-jrock", "orchestral-battle", "pastoral", "romance", "sad-farewell",
    "slice-of-life", "sports-climax", "stinger", "suspense", "victory-fanfare", "villain",
)

# (case id, prompt, options): options as the CLI names them (timing ones included).
REQUESTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("demo", "heroic battle on a burning city skyline", {"duration": 60, "seed": 7}),
    ("ja-farewell", "切ない別れのシーン、ピアノ", {"duration": "1:30", "seed": 7}),
    ("lofi-loop", "lofi study beats, 2 minutes, loopable", {"seed": 1}),
    ("chase-explicit", "city night chase at 168 bpm in E minor", {"seed": 2, "duration": 45}),
    ("waltz", "a gentle waltz in 3/4 for a ballroom", {"seed": 4, "duration": 40}),
    ("shrine", "mysterious forest shrine with shakuhachi and koto, no drums", {"seed": 5, "duration": 50}),
    ("named-chords", "summer festival at night, the progression is Am F C G", {"seed": 6, "duration": 30}),
    ("blend", "", {"style": "lofi:0.7+chiptune:0.3", "seed": 8, "duration": 30}),
    ("piano-only", "a sad piano piece", {"seed": 9, "duration": 30}),
    ("ja-royal-road", "王道進行で明るい学園の朝、テンポ132", {"seed": 10, "duration": 30}),
    ("tempo-word", "a brisk moderato march through the village, 1 minute", {"seed": 11}),
    ("options", "space station at night", {"seed": 12, "duration": 35, "key": "F# minor", "meter": "7/8",
                                             "tempo": 97, "instruments": "piano,strings,synth bass"}),
    ("chords-option", "calm morning", {"seed": 13, "duration": 30, "chords": "vi IV I V", "style": "slice-of-life"}),
    ("arc", "a storm gathers over the sea", {"seed": 14, "duration": 90, "arc": "calm>build>climax>resolve"}),
    ("sections", "the rival appears", {"seed": 15, "duration": 60, "section": ["0:00=calm", "0:25=tense", "0:45=epic"]}),
    ("hits", "a duel at sunset", {"seed": 16, "duration": 60, "hit": ["0:20", "0:41.5"]}),
    ("fade", "quiet rain on the window", {"seed": 17, "duration": 40, "ending": "fade"}),
    ("button", "comedic mishap in the classroom", {"seed": 18, "duration": 30, "ending": "button"}),
    ("loop-option", "tense standoff", {"seed": 19, "duration": 30, "loop": True}),
    ("stinger", "", {"seed": 20, "cue": "stinger"}),
    ("eyecatch", "", {"seed": 21, "cue": "eyecatch"}),
    ("preview", "next time: the final battle", {"seed": 22, "cue": "preview"}),
    ("bumper", "magical girl", {"seed": 23, "cue": "bumper"}),
    ("exclude", "festival without taiko, no drums", {"seed": 24, "duration": 30}),
    ("long", "", {"style": "orchestral-battle", "seed": 25, "duration": 200}),
    *((f"style-{name}", "", {"style": name, "seed": 30 + i, "duration": 30}) for i, name in enumerate(STYLES)),
)
FROM_MIDI = ("from-midi", "hopeful sunrise", {"seed": 26, "duration": 30})  # seeded with the "waltz" case's MIDI
VARIATIONS = (("demo", 1), ("demo", 2), ("waltz", 1))
EXTENSIONS = (("chase-explicit", 90.0), ("lofi-loop", 150.0))
EDITS = (("demo", {"tempo": 150, "key": "E minor", "instruments": ["lead=flute"], "mute": ["drums"], "intensity": "+1"}),
         ("ja-farewell", {"key": "G major", "intensity": "-2"}))


def _midi_bytes(score: Any) -> bytes:
    from gekiban.midi import score_to_midi

    buf = io.BytesIO()
    score_to_midi(score).save(file=buf)
    return buf.getvalue()


def request_score(prompt: str, options: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The (score, brief, style) ``gekiban compose PROMPT OPTIONS`` makes, without audio."""
    from gekiban.composer import build_score
    from gekiban.styles import resolve_style
    from gekiban.understand.resolve import resolve_brief
    from gekiban.understand.timing import (
        apply_timing,
        check_hits,
        cue_defaults,
        parse_arc,
        parse_section_moods,
    )

    opts = dict(options)
    timing = {k: opts.pop(k) for k in ("arc", "section", "hit", "ending", "loop", "cue") if k in opts}
    style, duration = cue_defaults(timing.get("cue"), style=opts.pop("style", None), duration=opts.pop("duration", None))
    brief = resolve_brief(prompt, style=style, duration=duration, **opts)
    arc = ()
    if "arc" in timing:
        arc = parse_arc(timing["arc"], brief.duration)
    elif "section" in timing:
        arc = parse_section_moods(timing["section"], brief.duration)
    brief = apply_timing(brief, arc=arc, hits=check_hits(timing.get("hit", ()), brief.duration), ending=timing.get("ending"),
                         loop=timing.get("loop"), cue=timing.get("cue"))
    style_v = resolve_style(brief.style)[1]
    return build_score(brief, style_v), brief, style_v


def variation_score(brief: Any, style: Any, k: int) -> Any:
    from gekiban.composer import build_score

    return build_score(brief, style, variation=k)


def extension_score(score: Any, brief: Any, style: Any, seconds: float) -> Any:
    from gekiban.composer import extend_score

    return extend_score(score, brief, style, duration=seconds)


def edited_score(score: Any, edits: dict[str, Any]) -> Any:
    from gekiban.edit.edits import edit_score, parse_edits

    return edit_score(score, parse_edits(score, **edits))


def reread(score: Any, folder: Path) -> Any:
    """The score as a bundle operation reads it back: from its MIDI file, with its length in bars."""
    from dataclasses import replace

    from gekiban.midi import read_midi

    path = folder / "score.mid"
    path.write_bytes(_midi_bytes(score))
    return replace(read_midi(path), bars=score.bars)


def _digest(score: Any) -> str:
    return hashlib.sha256(_midi_bytes(score)).hexdigest()


def sweep() -> dict[str, str]:
    """Hash of the MIDI bytes of every case, by case id."""
    out: dict[str, str] = {}
    made: dict[str, tuple[Any, Any, Any]] = {}
    for case, prompt, options in REQUESTS:
        made[case] = request_score(prompt, options)
        out[case] = _digest(made[case][0])
    for case, k in VARIATIONS:
        score, brief, style = made[case]
        out[f"{case}-var{k}"] = _digest(variation_score(brief, style, k))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seed_file = folder / "seed.mid"
        seed_file.write_bytes(_midi_bytes(made["waltz"][0]))
        case, prompt, options = FROM_MIDI
        out[case] = _digest(request_score(prompt, {**options, "from_midi": str(seed_file)})[0])
        for case, seconds in EXTENSIONS:
            score, brief, style = made[case]
            out[f"{case}-to{seconds:g}"] = _digest(extension_score(reread(score, folder), brief, style, seconds))
        for i, (case, edits) in enumerate(EDITS):
            out[f"{case}-edit{i}"] = _digest(edited_score(reread(made[case][0], folder), edits))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--record", action="store_true", help=f"write the hashes to {RECORD}")
    args = ap.parse_args()
    hashes = sweep()
    if args.record:
        RECORD.parent.mkdir(parents=True, exist_ok=True)
        RECORD.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {len(hashes)} cases in {RECORD}")
        return 0
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    changed = sorted(k for k in recorded if hashes.get(k) != recorded[k])
    missing = sorted(set(hashes) - set(recorded))
    print(f"{len(recorded) - len(changed)} of {len(recorded)} cases give the recorded bytes")
    for k in changed + missing:
        print(f"  {'changed' if k in changed else 'not recorded'}: {k}")
    return 1 if changed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
