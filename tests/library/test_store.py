"""The track library: add, get, search, update, delete, files; atomic adds and deletes; repair
at open."""

from __future__ import annotations

import json
import os

import pytest
from library_fixtures import fake_bundle

from gekiban.errors import BundleError, InvalidOptionError, NotFoundError
from gekiban.library import Library, default_data_dir


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "data") as library:
        yield library


def add(lib, name="s1", *, title=None, tags=(), **facts):
    return lib.add(fake_bundle(lib.new_staging(name), **facts), title=title, tags=tags)


def test_the_data_folder_is_laid_out_and_in_wal_mode(lib):
    for name in ("tracks", "staging", "uploads"):
        assert (lib.data_dir / name).is_dir()
    assert lib._db.query("PRAGMA journal_mode")[0][0] == "wal"


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path / "d"))
    assert default_data_dir() == tmp_path / "d"
    monkeypatch.delenv("GEKIBAN_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "x"))
    assert default_data_dir() == tmp_path / "x" / "gekiban"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_data_dir() == default_data_dir().home() / ".local" / "share" / "gekiban"


def test_add_moves_the_bundle_and_records_it(lib):
    staged = fake_bundle(lib.new_staging("job1"))
    rec = lib.add(staged, tags=["battle"], parent=None)
    assert not staged.exists() and (lib.tracks_dir / rec.id / "track.json").is_file()
    assert len(rec.id) == 12 and int(rec.id, 16) >= 0
    d = rec.to_dict()
    assert d["title"] == "heroic battle on a burning city skyline" and d["tags"] == ["battle"]
    assert d["tempo"] == 152.0 and d["key"] == "D minor" and d["loopable"] is False and d["seed"] == 7
    assert d["operation"] == "compose" and d["parent"] is None and d["created"].endswith("Z")
    assert d["files"] == {"mix": "mix.wav", "midi": "score.mid", "json": "track.json",
                          "stems": ["01-lead-flute.wav", "02-lead-flute.wav"]}
    assert d["sections"][0] == {"name": "A", "start": 0.0, "end": 30.0} and d["brief"]["style"] == "orchestral-battle"
    assert lib.get(rec.id) == rec
    json.dumps(d)


def test_add_refuses_bad_input(lib, tmp_path):
    with pytest.raises(InvalidOptionError, match="staging"):
        lib.add(fake_bundle(tmp_path / "elsewhere"))
    with pytest.raises(InvalidOptionError, match="operation"):
        lib.add(fake_bundle(lib.new_staging("a")), operation="remix")
    with pytest.raises(InvalidOptionError, match="title"):
        lib.add(fake_bundle(lib.new_staging("b")), title="x" * 201)
    with pytest.raises(InvalidOptionError, match="tags"):
        lib.add(fake_bundle(lib.new_staging("c")), tags="battle")
    with pytest.raises(BundleError, match="no readable"):
        lib.add(lib.new_staging("d"))
    broken = fake_bundle(lib.new_staging("e"))
    (broken / "mix.wav").unlink()
    with pytest.raises(BundleError, match="mix.wav"):
        lib.add(broken)
    escaping = fake_bundle(lib.new_staging("f"))
    meta = json.loads((escaping / "track.json").read_text())
    meta["files"]["mix"] = "../../library.sqlite"
    (escaping / "track.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="library.sqlite"):
        lib.add(escaping)
    assert lib.search().total == 0


@pytest.mark.parametrize("name", ["", "../x", "a/b", ".hidden", "x" * 65, 3])
def test_bad_staging_names_are_refused(lib, name):
    with pytest.raises(InvalidOptionError, match="staging name"):
        lib.new_staging(name)


def test_a_staging_name_twice_is_refused(lib):
    lib.new_staging("j1")
    with pytest.raises(InvalidOptionError, match="exists"):
        lib.new_staging("j1")


def test_a_crash_between_rename_and_insert_leaves_no_half_track(tmp_path, monkeypatch):
    data = tmp_path / "data"
    lib = Library(data)
    staged = fake_bundle(lib.new_staging("j1"))
    # the process dies right after the rename: simulated by doing the rename alone
    os.rename(staged, lib.tracks_dir / "0123456789ab")
    half = fake_bundle(lib.new_staging("j2"))  # and a job was writing when it died
    lib.close()
    lib = Library(data)
    assert list(lib.tracks_dir.iterdir()) == [] and list(lib.staging_dir.iterdir()) == []
    assert not half.exists() and lib.search().total == 0
    lib.close()


def test_a_failed_insert_puts_the_folder_back(lib, monkeypatch):
    staged = fake_bundle(lib.new_staging("j1"))

    def broken(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("gekiban.library.store.now", broken)
    with pytest.raises(RuntimeError):
        lib.add(staged)
    assert staged.is_dir() and list(lib.tracks_dir.iterdir()) == []


def test_a_jobs_tracks_and_its_end_are_one_transaction(lib):
    job = lib.create_job("vary", {"count": 2}, client="c")
    staged = [fake_bundle(lib.new_staging(f"v{i}")) for i in (1, 2)]
    records = lib.add_all(staged, operation="vary", parent=None, job=job.id)
    done = lib.get_job(job.id)
    assert done.state == "done" and list(done.tracks) == [r.id for r in records]
    assert lib.search().total == 2 and all(not s.exists() for s in staged)
    # an unknown job: nothing is kept, both folders are back in staging
    again = [fake_bundle(lib.new_staging(f"w{i}")) for i in (1, 2)]
    with pytest.raises(NotFoundError, match="no job"):
        lib.add_all(again, job="j00000000000")
    assert all(s.is_dir() for s in again) and lib.search().total == 2


def test_get_unknown_and_missing_tracks(lib, tmp_path):
    with pytest.raises(NotFoundError, match="no track"):
        lib.get("000000000000")
    rec = add(lib)
    import shutil

    shutil.rmtree(lib.tracks_dir / rec.id)
    again = Library(lib.data_dir)
    with pytest.raises(NotFoundError):
        again.get(rec.id)
    assert again.search().total == 0
    again.close()


def test_search_filters_and_pages(lib):
    a = add(lib, "a", prompt="Rainy café afternoon", style="lofi:0.7+jazz:0.3", mood="calm", tempo=80, duration=30,
            loop=True, tags=["Cafe"])
    b = add(lib, "b", prompt="battle in the sky", style="orchestral-battle", mood="epic", tempo=160, key="E minor")
    c = add(lib, "c", prompt="切ない別れ", style="piano-ballad", mood="sad", tempo=70, duration=90, title="Farewell")
    assert [r.id for r in lib.search().items] == [c.id, b.id, a.id]
    assert [r.id for r in lib.search(q="CAFÉ").items] == [a.id]
    assert [r.id for r in lib.search(q="cafe").items] == [a.id]  # the tag
    assert [r.id for r in lib.search(q="farewell").items] == [c.id]
    assert [r.id for r in lib.search(q="別れ").items] == [c.id]
    assert [r.id for r in lib.search(style="jazz").items] == [a.id]
    assert lib.search(style="jaz").total == 0
    assert [r.id for r in lib.search(mood="EPIC").items] == [b.id]
    assert [r.id for r in lib.search(key="e minor").items] == [b.id]
    assert [r.id for r in lib.search(tempo_min=75, tempo_max="100").items] == [a.id]
    assert [r.id for r in lib.search(duration_min=60).items] == [c.id, b.id]
    assert [r.id for r in lib.search(loopable=True).items] == [a.id]
    assert [r.id for r in lib.search(loopable="false").items] == [c.id, b.id]
    page = lib.search(limit=1, offset=1)
    assert page.total == 3 and [r.id for r in page.items] == [b.id] and (page.limit, page.offset) == (1, 1)
    assert page.to_dict()["items"][0]["id"] == b.id


@pytest.mark.parametrize(("kw", "field", "shown"), [
    ({"limit": 0}, "limit", "0"), ({"limit": 101}, "limit", "101"), ({"limit": "x"}, "limit", "'x'"),
    ({"limit": True}, "limit", "True"), ({"offset": -1}, "offset", "-1"), ({"offset": 1.5}, "offset", "1.5"),
    ({"tempo_min": -5}, "tempo_min", "-5"), ({"tempo_max": "fast"}, "tempo_max", "'fast'"),
    ({"tempo_min": 120, "tempo_max": 100}, "tempo_min", "120"), ({"duration_min": float("nan")}, "duration_min", "nan"),
    ({"duration_min": 60, "duration_max": 30}, "duration_min", "60"), ({"loopable": "maybe"}, "loopable", "'maybe'"),
    ({"q": 5}, "q", "5"), ({"style": "x" * 201}, "style", "xxx"), ({"mood": ["a"]}, "mood", "['a']"),
])
def test_bad_search_values_are_named(lib, kw, field, shown):
    with pytest.raises(InvalidOptionError) as info:
        lib.search(**kw)
    assert info.value.field == field and shown in str(info.value)


def test_update_title_and_tags(lib):
    rec = add(lib)
    new = lib.update(rec.id, title="  Sky   battle ", tags=["a", "b", "a"])
    assert new.title == "Sky battle" and new.tags == ("a", "b")
    assert lib.update(rec.id, tags=[]).tags == () and lib.get(rec.id).title == "Sky battle"
    with pytest.raises(NotFoundError):
        lib.update("ffffffffffff", title="x")


@pytest.mark.parametrize(("kw", "shown"), [
    ({"title": ""}, "title"), ({"title": "x" * 201}, "201"), ({"title": 5}, "title 5"), ({"title": "a\x00b"}, "control"),
    ({"tags": "battle"}, "tags"), ({"tags": ["t"] * 21}, "21 tags"), ({"tags": ["x" * 41]}, "41"),
    ({"tags": [""]}, "tag"), ({"tags": [3]}, "tag 3"),
])
def test_bad_updates_are_refused(lib, kw, shown):
    rec = add(lib)
    with pytest.raises(InvalidOptionError, match=shown):
        lib.update(rec.id, **kw)
    assert lib.get(rec.id) == rec


def test_delete_removes_row_and_files(lib):
    rec = add(lib)
    lib.delete(rec.id)
    assert list(lib.tracks_dir.iterdir()) == []
    with pytest.raises(NotFoundError):
        lib.get(rec.id)
    with pytest.raises(NotFoundError):
        lib.delete(rec.id)


def test_a_delete_stopped_after_its_rename_is_finished_at_open(lib):
    rec = add(lib)
    os.rename(lib.tracks_dir / rec.id, lib.tracks_dir / f".trash-{rec.id}-0badf00d")
    again = Library(lib.data_dir)
    assert list(again.tracks_dir.iterdir()) == []
    assert again._db.query("SELECT COUNT(*) FROM tracks")[0][0] == 0
    again.close()


def test_files_come_from_the_record(lib):
    rec = add(lib)
    base = lib.bundle_dir(rec.id)
    assert lib.file(rec.id, "mix") == base / "mix.wav"
    assert lib.file(rec.id, "midi") == base / "score.mid"
    assert lib.file(rec.id, "json") == base / "track.json"
    assert lib.file(rec.id, "stem", 2) == base / "stems" / "02-lead-flute.wav"


@pytest.mark.parametrize(("which", "index"), [("stem", 0), ("stem", 3), ("stem", None), ("stem", True),
                                              ("stems", 1), ("../library.sqlite", None), ("layers", None)])
def test_unknown_files_are_not_found(lib, which, index):
    rec = add(lib)
    with pytest.raises(NotFoundError):
        lib.file(rec.id, which, index)


def test_a_file_gone_from_disk_is_not_found(lib):
    rec = add(lib)
    (lib.bundle_dir(rec.id) / "mix.wav").unlink()
    with pytest.raises(NotFoundError, match="missing"):
        lib.file(rec.id, "mix")
    with pytest.raises(NotFoundError):
        lib.bundle_dir("../../etc")


def test_threads_share_one_library(lib):
    import threading

    errors = []

    def work(k):
        try:
            for i in range(5):
                rec = add(lib, f"t{k}-{i}", tags=[f"t{k}"])
                assert lib.get(rec.id) == rec
                lib.search(q=f"t{k}")
                lib.create_job("compose", {"k": k}, client=str(k))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and lib.search().total == 20 and lib.count_active() == 20
    assert all(lib.search(q=f"t{k}").total == 5 for k in range(4))
