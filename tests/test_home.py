"""The data folder rule shared by the track library, motifs and learned styles."""

from pathlib import Path

from gekiban.home import data_home
from gekiban.library import default_data_dir
from gekiban.motifs import data_home as motif_home


def test_the_data_folder_rule(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("GEKIBAN_DATA", str(tmp_path / "g"))
    assert data_home() == tmp_path / "g" == default_data_dir() == motif_home()
    monkeypatch.delenv("GEKIBAN_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "x"))
    assert data_home() == tmp_path / "x" / "gekiban"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert data_home() == Path("~/.local/share/gekiban").expanduser()
