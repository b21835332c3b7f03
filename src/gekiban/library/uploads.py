"""MIDI seeds sent by clients: checked to be a standard MIDI file of at most 2 MB, stored under
the name of their content's hash, looked up by that id only."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from gekiban.atomic import atomic_write
from gekiban.errors import InvalidOptionError, NotFoundError

#: Largest MIDI seed accepted, in bytes.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
_UPLOAD_ID = re.compile(r"[0-9a-f]{16}")


def _bad(message: str) -> InvalidOptionError:
    err = InvalidOptionError(message)
    err.field = "upload"
    return err


def check_midi(data: bytes) -> None:
    """Check that ``data`` is a standard MIDI file (read whole by mido) of at most 2 MB.

    Raises
    ------
    InvalidOptionError
        Saying what is wrong: too large, not MIDI, or a MIDI file mido cannot read.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise _bad(f"a MIDI upload must be bytes, not {type(data).__name__}")
    if len(data) > MAX_UPLOAD_BYTES:
        raise _bad(f"the MIDI file is {len(data)} bytes: at most {MAX_UPLOAD_BYTES} (2 MB) are allowed")
    if not bytes(data[:4]) == b"MThd":
        raise _bad("the upload is not a standard MIDI file: it does not start with 'MThd'")
    import mido

    try:
        mido.MidiFile(file=io.BytesIO(bytes(data)))
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise _bad(f"the MIDI file cannot be read: {exc}") from None


def save_upload(folder: Path, data: bytes) -> str:
    """Check ``data`` (:func:`check_midi`) and store it as ``folder/<id>.mid``.

    Returns
    -------
    str
        The id: the first 16 hex digits of the content's SHA-256 (the same file twice is one).
    """
    check_midi(data)
    upload_id = hashlib.sha256(bytes(data)).hexdigest()[:16]
    path = folder / f"{upload_id}.mid"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda f: f.write(bytes(data)))  # type: ignore[attr-defined]
    return upload_id


def upload_path(folder: Path, upload_id: str) -> Path:
    """The stored file of ``upload_id``.

    Raises
    ------
    NotFoundError
        If the id is malformed or no such upload is stored.
    """
    if not isinstance(upload_id, str) or not _UPLOAD_ID.fullmatch(upload_id):
        raise NotFoundError(f"no MIDI upload {upload_id!r}: an upload id is 16 hex digits, as POST /v1/uploads/midi "
                            "answers")
    path = folder / f"{upload_id}.mid"
    if not path.is_file():
        raise NotFoundError(f"no MIDI upload {upload_id!r}: upload the file first")
    return path
