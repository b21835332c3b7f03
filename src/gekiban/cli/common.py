"""What the commands share: one-line errors, output folder names, the summary lines."""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, NoReturn

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
SOUNDFONT_HINT = ("install one with `make deps` or `sudo apt-get install musescore-general-soundfont`, "
                  "or pass --soundfont PATH")


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    line = " ".join(str(message).split())  # exactly one line
    sys.stderr.write(f"gekiban: error: {line}\n")
    sys.exit(code)


def slugify(text: str, *, max_len: int = 40) -> str:
    """A file-name-safe ASCII slug: ``"Heroic battle!"`` → ``"heroic-battle"``; ``""`` when
    nothing ASCII is left (e.g. a Japanese prompt)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def style_label(spec: str) -> str:
    """Short name of a style spec: ``"lofi:0.7+/home/me/hero.toml:0.3"`` → ``"lofi+hero"``."""
    names = []
    for part in spec.split("+"):
        head, sep, tail = part.strip().rpartition(":")
        if sep and not any(c in tail for c in "/\\"):
            part = head
        names.append(Path(part).stem if part.endswith(".toml") or "/" in part or "\\" in part else part)
    return "+".join(names)


def default_out_dir(prompt: str, style: str, seed: int) -> Path:
    """``out/<slug of prompt, else of style>-<seed>``."""
    slug = slugify(prompt) or slugify(style_label(style)) or "cue"
    return Path("out") / f"{slug}-{seed}"


def _mmss(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def summary_lines(track: Any) -> list[str]:
    """Two lines about a Track: musical facts (style, mood, key, tempo, meter, length) and
    delivery facts (loudness, true peak, sample rate, seed)."""
    brief, score, master = track.brief, track.score, track.master
    line1 = (f"  {track.style.name} · {brief.mood} · {score.key.name} · {score.tempo[0].bpm:g} bpm · {score.meter} · "
             f"{_mmss(score.duration)}")
    if brief.loop:
        line1 += " · loop"
    line2 = (f"  loudness {master.integrated_lufs:.1f} LUFS, true peak {master.true_peak_dbtp:.1f} dBTP · "
             f"{track.sample_rate} Hz · seed {brief.seed}")
    return [line1, line2]


def print_saved(folder: Any, track: Any) -> None:
    """The bundle folder and the two summary lines, on stdout."""
    print(folder)
    for line in summary_lines(track):
        print(line)


def seed_options(args: argparse.Namespace) -> dict[str, Any]:
    """The melody and chord seed options (``--chords``, ``--from-midi``) that were given."""
    return {k: v for k, v in (("chords", args.chords), ("from_midi", args.from_midi)) if v is not None}
