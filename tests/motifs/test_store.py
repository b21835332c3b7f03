"""The motif library: add, get, list, remove, atomic JSON files, names, and the data folder."""

import json

import pytest

from gekiban.errors import InvalidOptionError, NotFoundError
from gekiban.motifs import Motif, MotifLibrary, parse_notes
from gekiban.motifs.store import check_notes

HERO = parse_notes("D4. E4/ F#4 A4 | B4/ A4/ F#4- D4")


def test_add_get_list_remove(tmp_path):
    lib = MotifLibrary(tmp_path)
    stored = lib.add("hero", Motif("hero", HERO, ("D", "G", "A")))
    assert lib.get("hero") == stored and stored.notes == HERO and stored.chords == ("D", "G", "A")
    lib.add("rival", Motif("rival", parse_notes("E4/ E4/ G4/ F#4/ B3 C4")))
    assert [m.name for m in lib.list()] == ["hero", "rival"] and lib.names() == ["hero", "rival"]
    data = json.loads((tmp_path / "motifs" / "hero.json").read_text(encoding="utf-8"))
    assert data["text"] == "D4. E4/ F#4 A4 B4/ A4/ F#4- D4" and data["source"] == "notes"
    assert not list((tmp_path / "motifs").glob(".*tmp"))  # no temporary file left behind
    lib.remove("hero")
    assert lib.names() == ["rival"]
    assert [m.name for m in lib.resolve("rival")] == ["rival"]


def test_name_taken_unless_replaced(tmp_path):
    lib = MotifLibrary(tmp_path)
    lib.add("hero", Motif("hero", HERO))
    with pytest.raises(InvalidOptionError, match="exists already"):
        lib.add("hero", Motif("hero", HERO[:3]))
    assert len(lib.add("hero", Motif("hero", HERO[:3]), replace=True).notes) == 3


@pytest.mark.parametrize("name", ["", "Hero", "hero theme", "héros", "a" * 41, "../x", "hero.json", None, 3])
def test_bad_names(tmp_path, name):
    with pytest.raises(InvalidOptionError, match="bad motif name"):
        MotifLibrary(tmp_path).add(name, Motif("x", HERO))  # type: ignore[arg-type]


def test_unknown_names_list_the_known(tmp_path):
    lib = MotifLibrary(tmp_path)
    with pytest.raises(NotFoundError, match="empty"):
        lib.get("hero")
    lib.add("hero", Motif("hero", HERO))
    with pytest.raises(NotFoundError, match="the library has hero"):
        lib.get("villain")
    with pytest.raises(NotFoundError):
        lib.remove("villain")


@pytest.mark.parametrize(("names", "match"), [("", "NAME"), ("hero,", "NAME"), ("hero,hero", "named twice")])
def test_bad_name_lists(tmp_path, names, match):
    lib = MotifLibrary(tmp_path)
    lib.add("hero", Motif("hero", HERO))
    with pytest.raises(InvalidOptionError, match=match):
        lib.resolve(names)


@pytest.mark.parametrize(("notes", "match"), [
    (((0, 1, 60), (1, 1, 62)), "3-64 notes"), (((0, 1, 60), (1, 0, 62), (2, 1, 64)), "at 1"),
    (((0, 1, 60), (1, 1, 128), (2, 1, 64)), "at 1"), (((-1, 1, 60), (1, 1, 62), (2, 1, 64)), "at 0"),
    ("C4 D4", "give"), (((0, 1), (1, 1)), "give"),
])
def test_bad_notes(notes, match):
    with pytest.raises(InvalidOptionError, match=match):
        check_notes(notes)


def test_bad_chords_are_named(tmp_path):
    with pytest.raises(InvalidOptionError, match="'Hm'"):
        MotifLibrary(tmp_path).add("hero", Motif("hero", HERO, ("D", "Hm")))


@pytest.mark.parametrize("body", ["{", "[]", '{"name": "hero", "notes": [[0, 1, 60]]}'])
def test_broken_files_are_refused_and_skipped_in_lists(tmp_path, body):
    lib = MotifLibrary(tmp_path)
    lib.add("ok", Motif("ok", HERO))
    (tmp_path / "motifs" / "hero.json").write_text(body, encoding="utf-8")
    with pytest.raises(InvalidOptionError, match="motif file"):
        lib.get("hero")
    assert [m.name for m in lib.list()] == ["ok"]

