"""Regenerate a bundle from its provenance and compare the new files with the recorded ones.

The recorded request (every option, the resolved seed) is composed again with the same code
``gekiban compose`` uses; score.mid must come out byte-identical (the composition is a pure
function of the request and the seed). Audio may differ when the SoundFont, FluidSynth or an
audio library differs: the comparison says which files match and what differs in the setup.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gekiban.bundle.folders import check_out_dir
from gekiban.bundle.provenance import check_provenance, sha256_file
from gekiban.bundle.read import check_bundle
from gekiban.errors import BundleError, InvalidOptionError


@dataclass(frozen=True)
class FileCheck:
    """One recorded file: its recorded and regenerated SHA-256 (``None``: not written again)."""

    name: str
    recorded: str
    regenerated: str | None
    same_samples: bool = False

    @property
    def matches(self) -> bool:
        """The bytes match."""
        return self.recorded == self.regenerated

    @property
    def is_audio(self) -> bool:
        """An audio file (mix, stem or layer)."""
        return self.name.endswith((".wav", ".flac", ".ogg", ".mp3"))

    @property
    def same_audio(self) -> bool:
        """The bytes match, or (OGG) the decoded samples do."""
        return self.matches or self.same_samples


@dataclass(frozen=True)
class Regenerated:
    """What :func:`regenerate_bundle` wrote and found."""

    folder: Path
    files: tuple[FileCheck, ...]
    setup_differences: tuple[str, ...] = field(default=())

    @property
    def score(self) -> FileCheck:
        return next(f for f in self.files if f.name == "score.mid")

    @property
    def identical(self) -> bool:
        return all(f.matches for f in self.files)


def _check(old: Path, new: Path, name: str, digest: str) -> FileCheck:
    """A recorded file against its regenerated copy; an OGG whose bytes differ (libsndfile gives
    each Ogg stream a random serial number) is decoded and its samples compared."""
    if not (new / name).is_file():
        return FileCheck(name, digest, None)
    check = FileCheck(name, digest, sha256_file(new / name))
    if not check.matches and name.endswith(".ogg") and (old / name).is_file():
        import numpy as np

        from gekiban.audio.files import read_audio

        a, b = read_audio(old / name)[0], read_audio(new / name)[0]
        return FileCheck(name, digest, check.regenerated, a.shape == b.shape and bool(np.array_equal(a, b)))
    return check


def regenerate_bundle(source: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
                      rebuild: Callable[[dict[str, Any], Path], Path]) -> Regenerated:
    """Rebuild ``source`` from its provenance into ``out`` (default ``SOURCE-regenerated``) and
    compare every recorded file's SHA-256.

    ``rebuild(request, folder)`` composes the recorded request (the options of a compose
    request, as JSON) into ``folder`` and returns the bundle folder: the front ends pass
    :func:`gekiban.requests.compose_recorded` (the bundle layer does not compose).

    Raises
    ------
    BundleError
        If the bundle has no provenance, or it was altered, or its recorded score.mid is not the
        file in the folder.
    InvalidOptionError
        If ``out`` is the source folder, or the recorded request is no longer valid.
    """
    from gekiban.bundle.provenance import library_versions

    folder, meta = check_bundle(source)
    prov = check_provenance(meta)
    recorded: dict[str, Any] = prov["files"]
    if "score.mid" not in recorded:
        raise BundleError("the provenance in track.json records no score.mid hash: cannot regenerate")
    on_disk = folder / "score.mid"
    if on_disk.is_file() and sha256_file(on_disk) != recorded["score.mid"]:
        raise BundleError(f"{on_disk} does not match the SHA-256 its provenance records: the bundle was altered")
    target = Path(out) if out is not None else folder.with_name(folder.name + "-regenerated")
    if target.resolve() == folder.resolve():
        raise InvalidOptionError("--out is the bundle itself: regenerate into a new folder")
    target = check_out_dir(target)
    try:
        new_folder = rebuild(dict(prov["request"]), target)
    except InvalidOptionError as exc:
        raise BundleError(f"the request recorded in the provenance cannot be used: {exc}") from None
    checks = tuple(_check(folder, new_folder, name, str(digest)) for name, digest in sorted(recorded.items()))
    diffs: list[str] = []
    new_prov = check_provenance(check_bundle(new_folder)[1])
    old_font, new_font = prov.get("soundfont") or {}, new_prov.get("soundfont") or {}
    if old_font.get("sha256") != new_font.get("sha256"):
        diffs.append(f"SoundFont {old_font.get('file')} ({str(old_font.get('sha256'))[:12]}) → "
                     f"{new_font.get('file')} ({str(new_font.get('sha256'))[:12]})")
    versions = library_versions()
    for name, was in (prov.get("versions") or {}).items():
        if versions.get(name) != was:
            diffs.append(f"{name} {was} → {versions.get(name)}")
    if prov.get("gekiban") != new_prov.get("gekiban"):
        diffs.append(f"gekiban {prov.get('gekiban')} → {new_prov.get('gekiban')}")
    return Regenerated(new_folder, checks, tuple(diffs))
