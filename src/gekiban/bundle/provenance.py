"""Provenance: what made a bundle, recorded in ``track.json`` as ``"provenance"``.

It holds the package version, the SoundFont (file name and SHA-256), the seed, every option of
the request, the Python and library versions that shape the output (numpy, mido, pyfluidsynth,
FluidSynth, soundfile/libsndfile), the SHA-256 of every output file, and a ``digest``: the SHA-256
of the rest of the block, so an edited provenance is noticed (:func:`check_provenance`).
``gekiban regenerate`` (:func:`gekiban.bundle.regenerate.regenerate_bundle`) rebuilds a bundle from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from gekiban.about import package_version
from gekiban.errors import BundleError

_CHUNK = 1 << 20
_FONT_HASHES: dict[tuple[str, int, int], str] = {}


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def soundfont_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a SoundFont, hashed once per process (cached by path, size and mtime:
    a SoundFont is tens of megabytes)."""
    p = Path(path).resolve()
    st = p.stat()
    key = (str(p), st.st_size, st.st_mtime_ns)
    if key not in _FONT_HASHES:
        _FONT_HASHES[key] = sha256_file(p)
    return _FONT_HASHES[key]


def _dist_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str | None]:
    """Python and the libraries whose versions shape a bundle's bytes."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "mido", "pyfluidsynth", "pedalboard", "pyloudnorm", "soundfile"):
        out[name] = _dist_version(name)
    try:
        import soundfile

        out["libsndfile"] = str(soundfile.__libsndfile_version__)
    except Exception:  # noqa: BLE001 - a version we cannot read is recorded as unknown
        out["libsndfile"] = None
    out["fluidsynth"] = _fluidsynth_version()
    return out


def _fluidsynth_version() -> str | None:
    try:
        import ctypes

        from gekiban.audio.synth import _bound

        return str(_bound("fluid_version_str", ctypes.c_char_p)().decode())
    except Exception:  # noqa: BLE001 - a version we cannot read is recorded as unknown
        return None


def _digest(block: dict[str, Any]) -> str:
    body = {k: v for k, v in block.items() if k != "digest"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_provenance(*, folder: Path, files: list[str], request: dict[str, Any] | None, seed: int,
                    soundfont: str | os.PathLike[str] | None) -> dict[str, Any]:
    """The ``"provenance"`` block for the files (relative paths) written in ``folder``."""
    names = sorted(files)
    # hashlib frees the GIL on large buffers: the stems (hundreds of MB for a long cue) and the
    # SoundFont are hashed side by side
    with ThreadPoolExecutor(max_workers=max(1, min(len(names) + 1, os.cpu_count() or 1))) as pool:
        font_hash = (pool.submit(soundfont_sha256, soundfont)
                     if soundfont is not None and Path(soundfont).is_file() else None)
        hashes = dict(zip(names, pool.map(lambda name: sha256_file(folder / name), names)))
        font = {"file": Path(soundfont).name, "sha256": font_hash.result()} if font_hash is not None else None
    block: dict[str, Any] = {
        "gekiban": package_version(),
        "seed": seed,
        "request": request,
        "soundfont": font,
        "versions": library_versions(),
        "files": hashes,
    }
    block["digest"] = _digest(block)
    return block


def check_provenance(meta: dict[str, Any]) -> dict[str, Any]:
    """The provenance of a bundle's track.json, its digest checked.

    Raises
    ------
    BundleError
        If there is none, it is malformed, has no request, or was edited after it was written.
    """
    block = meta.get("provenance")
    if not isinstance(block, dict):
        raise BundleError("track.json has no provenance (written by an older gekiban or edited): cannot regenerate")
    if block.get("digest") != _digest(block):
        raise BundleError("the provenance in track.json was altered after it was written (its digest does not "
                          "match): refusing to regenerate from it")
    if not isinstance(block.get("request"), dict) or not isinstance(block.get("files"), dict):
        raise BundleError("the provenance in track.json records no request: this bundle was not made by "
                          "`gekiban compose` and cannot be regenerated")
    return block
