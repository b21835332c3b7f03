"""Tasks run in this process (a stand-in pipeline) and their params checked before queueing."""

from __future__ import annotations

import pytest
from library_fixtures import fake_bundle

from gekiban.errors import BundleError, InvalidOptionError
from gekiban.executor import Task, check_params, run_task


def test_a_compose_task_writes_its_bundle_into_the_folder(tmp_path, fake_pipeline):
    folder = tmp_path / "staging" / "j1"
    folder.mkdir(parents=True)
    seen = []
    params = {"prompt": "battle", "seed": 3, "duration": 8, "title": "Sky", "tags": ["a"], "format": "flac"}
    out = run_task(Task(id="t", kind="compose", params=params, folder=str(folder)), lambda s, f: seen.append(s))
    assert out == [str(folder)] and (folder / "mix.flac").is_file()
    assert fake_pipeline[0]["brief"].seed == 3 and seen[0] == "understanding the prompt" and seen[-1] == "saving"


@pytest.mark.parametrize(("kind", "params", "field"), [
    ("remix", {}, "kind"), ("compose", ["x"], None), ("extend", {"to": "3:00", "bpm": 3}, "bpm"),
    ("vary", {"count": 2, "seed": 1}, "seed"), ("loop", {"x": 1}, "x"), ("edit", {"volume": 1}, "volume"),
])
def test_unknown_kinds_and_options_are_refused(tmp_path, kind, params, field):
    with pytest.raises(InvalidOptionError) as info:
        run_task(Task(id="t", kind=kind, params=params, folder=str(tmp_path)), lambda s, f: None)
    assert info.value.field == field
    with pytest.raises(InvalidOptionError):
        check_params(kind, params)


@pytest.mark.parametrize("kind", ["extend", "edit", "vary", "loop"])
def test_a_task_on_a_bundle_needs_its_source(tmp_path, kind):
    with pytest.raises(InvalidOptionError, match="needs the bundle"):
        run_task(Task(id="t", kind=kind, params={}, folder=str(tmp_path)), lambda s, f: None)


@pytest.mark.parametrize(("params", "field"), [
    ({"tempo": "999"}, "tempo"), ({"duration": "forever"}, "duration"), ({"prompt": 5}, "prompt"),
    ({"loop": "yes"}, "loop"), ({"colour": "red"}, "colour"), ({"duration": 700}, "duration"),
])
def test_bad_compose_params_are_refused_before_queueing(fake_pipeline, params, field):
    with pytest.raises(InvalidOptionError) as info:
        check_params("compose", params, max_duration=600)
    assert info.value.field == field and not fake_pipeline


@pytest.mark.parametrize(("count", "ok"), [(1, True), ("8", True), (0, False), (17, False), ("x", False), (True, False)])
def test_vary_counts(count, ok):
    if ok:
        check_params("vary", {"count": count})
    else:
        with pytest.raises(InvalidOptionError) as info:
            check_params("vary", {"count": count})
        assert info.value.field == "count"


def test_a_source_that_is_not_a_bundle_is_refused(tmp_path):
    with pytest.raises(BundleError):
        check_params("extend", {"to": "3:00"}, source=fake_bundle(tmp_path / "b"))
