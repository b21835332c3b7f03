"""``gekiban style learn|remove`` and the user's styles in ``gekiban styles`` and ``--style``."""

from __future__ import annotations

import json

from learn_fixtures import band_folder
from cli_fixtures import run


def test_learn_list_use_and_remove_a_style(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path / "data"))
    folder = band_folder(tmp_path / "midi", 3)
    code, out, err = run(["style", "learn", "my-funk", folder], capsys)
    assert code == 0, err
    assert f"learned style 'my-funk' → {tmp_path / 'data' / 'styles' / 'my-funk.toml'}" in out
    assert "drums drums (my-funk-groove)" in out and "--style my-funk" in out
    code, out, _ = run(["styles"], capsys)
    assert code == 0 and "your styles" in out and "my-funk" in out.split("your styles")[1]
    code, out, err = run(["explain", "a groove", "--style", "my-funk", "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["brief"]["style"] == "my-funk"
    code, _, err = run(["style", "learn", "my-funk", folder], capsys)
    assert code == 2 and "--replace" in err
    assert run(["style", "learn", "my-funk", folder, "--replace"], capsys)[0] == 0
    code, out, _ = run(["style", "remove", "my-funk"], capsys)
    assert code == 0 and "removed" in out and not (tmp_path / "data" / "styles" / "my-funk.toml").exists()


def test_data_option_and_bad_input(tmp_path, capsys):
    folder = band_folder(tmp_path / "midi", 2)
    code, _, err = run(["style", "learn", "x", folder, "--data", tmp_path / "d"], capsys)
    assert code == 0, err
    assert (tmp_path / "d" / "styles" / "x.toml").is_file()
    code, _, err = run(["style", "learn", "Bad Name", folder], capsys)
    assert code == 2 and "bad style name 'Bad Name'" in err
    code, _, err = run(["style", "learn", "y", tmp_path / "absent"], capsys)
    assert code == 2 and "does not exist" in err
    code, _, err = run(["style"], capsys)
    assert code == 2 and "gekiban style learn NAME" in err
    code, _, err = run(["style", "remove", "nope", "--data", tmp_path / "d"], capsys)
    assert code == 2 and "no learned style 'nope'" in err


def test_a_broken_style_file_is_named_in_the_list(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path))
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "broken.toml").write_text("name = = 1")
    code, out, _ = run(["styles"], capsys)
    assert code == 0 and "broken" in out and "cannot be read" in out
