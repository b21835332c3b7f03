"""MIDI seeds uploaded by clients: checked, stored by content hash, found by id only."""

from __future__ import annotations

import pytest
from library_fixtures import midi_bytes

from gekiban.errors import InvalidOptionError, NotFoundError
from gekiban.library import MAX_UPLOAD_BYTES, Library


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "data") as library:
        yield library


def test_an_upload_is_stored_once_by_its_hash(lib):
    data = midi_bytes()
    first = lib.save_upload(data)
    assert len(first) == 16 and lib.save_upload(data) == first
    path = lib.upload_path(first)
    assert path == lib.uploads_dir / f"{first}.mid" and path.read_bytes() == data


@pytest.mark.parametrize(("data", "shown"), [
    (b"", "MThd"), (b"RIFF....WAVE", "MThd"), (b"MThd\x00\x00\x00\x06\x00", "cannot be read"),
    (b"MThd" + b"\x00" * (MAX_UPLOAD_BYTES - 3), "2 MB"), ("MThd", "bytes"),
])
def test_bad_uploads_are_refused(lib, data, shown):
    with pytest.raises(InvalidOptionError, match=shown) as info:
        lib.save_upload(data)
    assert info.value.field == "upload" and list(lib.uploads_dir.iterdir()) == []


@pytest.mark.parametrize("upload_id", ["0" * 16, "../library.sqlite", "ABCDEF0123456789", "", None, "0" * 17])
def test_unknown_uploads_are_not_found(lib, upload_id):
    with pytest.raises(NotFoundError):
        lib.upload_path(upload_id)
