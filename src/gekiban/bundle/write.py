"""Writing a bundle: the mix, one stem per part, ``score.mid`` and ``track.json`` in a folder.

Layout::

    DIR/mix.wav                      mastered stereo mix (24-bit; or .flac / .mp3)
    DIR/score.mid                    standard MIDI file, one track per part
    DIR/stems/NN-role-instrument.wav one stereo stem per part, 32-bit float, same length and
                                     start as the mix; their sum is the mix before the limiter
    DIR/track.json                   prompt, seed, resolved brief, form, chords, parts, loudness
    DIR/layers/{low,mid,high}.wav    with ``layers=True``: intensity layers for adaptive use

A loop (``ending == "loop"``) carries its loop points in every WAV (mix, stems, layers) as a
RIFF ``smpl`` chunk and in track.json (``"loop": {"start": 0, "end": n}``, samples, half-open).

Every file is written atomically (temporary file in the folder, then renamed), and all audio is
computed before the first write, so a failure leaves no half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from gekiban.atomic import atomic_write
from gekiban.audio.files import check_writable_dir, write_audio
from gekiban.audio.mixdown import Mixdown
from gekiban.bundle.layers import LAYER_NAMES, layer_groups, make_layers
from gekiban.bundle.schema import MIX_FORMATS, stem_filename, track_metadata
from gekiban.errors import InvalidOptionError, OutputError
from gekiban.midi import write_midi
from gekiban.score import Score
from gekiban.styles.schema import Style
from gekiban.understand.brief import Brief


def check_out_dir(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can become the bundle folder, without creating anything.

    It may exist (a folder we can write in) or not (then its nearest existing parent must be
    a folder we can write in).

    Raises
    ------
    OutputError
        Naming the path and the reason.
    """
    target = Path(path).expanduser()
    if str(path).strip() == "":
        raise OutputError("output folder '' is empty: give a folder name with --out")
    if target.exists():
        if not target.is_dir():
            raise OutputError(f"output folder {str(target)!r} exists and is not a folder")
        probe = target
    else:
        probe = target.absolute().parent
        while not probe.exists():
            probe = probe.parent
        if not probe.is_dir():
            raise OutputError(f"output folder {str(target)!r} cannot be created: {str(probe)!r} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {str(target)!r} is not writable: no permission to write in {str(probe)!r}")
    try:  # os.access does not see read-only mounts; a real write does
        with tempfile.TemporaryFile(dir=probe, prefix=".gekiban-check-"):
            pass
    except OSError as exc:
        raise OutputError(f"output folder {str(target)!r} is not writable: {exc.strerror or exc}") from None
    return target


def write_json(path: Path, data: dict[str, Any]) -> Path:
    """Write JSON atomically (UTF-8, Japanese kept readable)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def write_bundle(directory: str | os.PathLike[str], *, brief: Brief, style: Style, score: Score, audio: Mixdown,
                 format: str = "wav", layers: bool = False, origin: dict[str, Any] | None = None) -> Path:
    """Write a cue as a bundle in ``directory`` (created if missing).

    Parameters
    ----------
    directory
        Target folder; existing bundle files in it are replaced.
    brief, style, score, audio
        The cue: what was asked, its style, its Score and its rendered and mastered audio.
    format
        Mix format: ``"wav"`` (24-bit), ``"flac"`` (24-bit) or ``"mp3"`` (320 kbit/s).
    layers
        Also write ``layers/low``, ``layers/mid`` and ``layers/high`` (in the mix format): stem
        groups by role, each limited like the mix (:mod:`gekiban.bundle.layers`).
    origin
        Where the cue came from (an edit, variation or extension of another bundle), recorded
        as ``"origin"`` in track.json.

    Returns
    -------
    Path
        The bundle folder.

    Raises
    ------
    InvalidOptionError
        If ``format`` is unknown.
    OutputError
        If the folder cannot be written.
    """
    if format not in MIX_FORMATS:
        raise InvalidOptionError(f"unknown format {format!r}: use {', '.join(MIX_FORMATS)}")
    out = check_writable_dir(Path(directory))
    stems_dir = check_writable_dir(out / "stems")
    names = [stem_filename(i, p.role, p.instrument) for i, p in enumerate(score.parts)]
    files: dict[str, Any] = {"mix": f"mix.{format}", "midi": "score.mid", "stems": [f"stems/{n}" for n in names],
                             "metadata": "track.json"}
    loop = (0, int(audio.mix.shape[0])) if brief.ending == "loop" else None
    layer_audio = make_layers(score.parts, audio, loop=loop is not None) if layers else None  # all audio first
    groups = layer_groups(score.parts) if layers else None
    if layers:
        files["layers"] = {name: f"layers/{name}.{format}" for name in LAYER_NAMES}
        layers_dir = check_writable_dir(out / "layers")
    for old in stems_dir.glob("*.wav"):  # stems of an earlier bundle in the same folder
        if old.name not in names:
            old.unlink()
    write_midi(score, out / "score.mid")
    for name, stem in zip(names, audio.stems):
        write_audio(stems_dir / name, stem, sample_rate=audio.sample_rate, format="wav", subtype="FLOAT", loop=loop)
    write_audio(out / files["mix"], audio.mix, sample_rate=audio.sample_rate, format=format, loop=loop)
    if layer_audio is not None:
        for name, mix in layer_audio.items():
            write_audio(layers_dir / f"{name}.{format}", mix, sample_rate=audio.sample_rate, format=format, loop=loop)
    meta = track_metadata(brief=brief, style=style, score=score, audio=audio, files=files, origin=origin, layers=groups)
    write_json(out / "track.json", meta)
    return out
