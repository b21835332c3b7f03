"""The library routes on one real, tiny track (8 s of ambient, composed once per module): search,
the record, its files with Range, the stems zip, the piano roll, PATCH and DELETE; the job routes
that make new tracks from it (their checks before queueing) and the event stream."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from api_fixtures import SMALL, api_client, compose_done, error_of, midi_bytes, wait_job


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    with api_client(data) as client:
        job = compose_done(client)
        yield client, job["track"], data


def test_the_done_job_names_its_track(api):
    client, track_id, _ = api
    record = client.get(f"/v1/tracks/{track_id}").json()
    assert record["id"] == track_id and len(track_id) == 12
    assert record["title"] == "small test cue" and record["tags"] == ["test", "ambient"]
    assert record["operation"] == "compose" and record["seed"] == 1 and record["parent"] is None
    assert abs(record["duration"] - 8) < 1 and record["style"].startswith("ambient")
    assert record["files"]["mix"].startswith("mix.") and record["files"]["stems"]


def test_search(api):
    client, track_id, _ = api
    page = client.get("/v1/tracks").json()
    assert page["total"] >= 1 and page["limit"] == 20 and page["offset"] == 0
    assert track_id in [t["id"] for t in page["items"]]
    assert client.get("/v1/tracks", params={"q": "small test"}).json()["total"] == 1
    assert client.get("/v1/tracks", params={"style": "ambient", "duration_max": 20}).json()["total"] == 1
    assert client.get("/v1/tracks", params={"tempo_min": 299}).json()["total"] == 0
    r = client.get("/v1/tracks", params={"limit": 500})
    assert r.status_code == 400 and error_of(r)["field"] == "limit" and "500" in error_of(r)["message"]
    assert client.get("/v1/tracks", params={"limit": "many"}).status_code == 422


def test_mix_with_range(api):
    client, track_id, _ = api
    full = client.get(f"/v1/tracks/{track_id}/mix")
    assert full.status_code == 200 and full.headers["content-type"] == "audio/wav"
    assert full.headers["accept-ranges"] == "bytes" and full.content[:4] == b"RIFF"
    part = client.get(f"/v1/tracks/{track_id}/mix", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(full.content)}"
    assert part.content == full.content[100:200]
    tail = client.get(f"/v1/tracks/{track_id}/mix", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == full.content[-10:]
    past = client.get(f"/v1/tracks/{track_id}/mix", headers={"Range": f"bytes={len(full.content) + 5}-"})
    assert past.status_code == 416


def test_stems_one_by_one_and_zipped(api):
    client, track_id, _ = api
    names = client.get(f"/v1/tracks/{track_id}").json()["files"]["stems"]
    first = client.get(f"/v1/tracks/{track_id}/stems/1")
    assert first.status_code == 200 and first.content[:4] == b"RIFF"
    assert client.get(f"/v1/tracks/{track_id}/stems/1", headers={"Range": "bytes=0-3"}).status_code == 206
    assert client.get(f"/v1/tracks/{track_id}/stems/{len(names) + 1}").status_code == 404
    assert client.get(f"/v1/tracks/{track_id}/stems/0").status_code == 404
    r = client.get(f"/v1/tracks/{track_id}/stems.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    assert archive.namelist() == names and archive.testzip() is None
    assert archive.read(names[0]) == first.content
    assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())


def test_midi_json_and_notes(api):
    client, track_id, _ = api
    midi = client.get(f"/v1/tracks/{track_id}/midi")
    assert midi.status_code == 200 and midi.content[:4] == b"MThd" and midi.headers["content-type"] == "audio/midi"
    meta = client.get(f"/v1/tracks/{track_id}/json").json()
    assert meta["seed"] == 1
    roll = client.get(f"/v1/tracks/{track_id}/notes").json()
    assert set(roll) == {"parts", "sections", "chords", "duration"}
    assert abs(roll["duration"] - meta["brief"]["duration"]) < 1e-3
    assert [p["role"] for p in roll["parts"]] == [p["role"] for p in meta["parts"]]
    for part in roll["parts"]:
        assert set(part) == {"name", "role", "instrument", "is_drum", "notes"}
        for pitch, start, dur, vel in part["notes"]:
            assert 0 <= pitch <= 127 and 0 <= start <= roll["duration"] + 5 and dur > 0 and 1 <= vel <= 127
    assert roll["sections"][0]["start"] == 0 and roll["sections"][-1]["end"] == pytest.approx(roll["duration"], abs=0.01)
    assert all(c["end"] > c["start"] and c["name"] for c in roll["chords"])


def test_musicxml_only_for_a_track_composed_with_it(api):
    client, track_id, _ = api
    r = client.get(f"/v1/tracks/{track_id}/musicxml")
    assert r.status_code == 404 and "musicxml" in error_of(r)["message"]
    job = compose_done(client, {**SMALL, "seed": 3, "duration": 4, "musicxml": True})
    r = client.get(f"/v1/tracks/{job['track']}/musicxml")
    assert r.status_code == 200 and b"<score-partwise" in r.content
    assert client.get(f"/v1/tracks/{job['track']}").json()["files"]["musicxml"] == "score.musicxml"


def test_events_of_a_finished_job_end_with_done(api):
    client, _, _ = api
    job = client.get("/v1/tracks").json()["items"][0]
    r = client.post("/v1/tracks", json={**SMALL, "seed": 2, "title": "second"})
    job_id = r.json()["job"]["id"]
    assert r.headers["location"] == f"/v1/jobs/{job_id}"
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        text = "".join(events.iter_text())
    names = [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("event: ")]
    assert names[-1] == "done" and set(names[:-1]) == {"progress"}
    steps = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")][:-1]
    assert all(set(e) >= {"stage", "progress"} for e in steps)
    assert [e["progress"] for e in steps] == sorted(e["progress"] for e in steps)
    final = json.loads([line for line in text.splitlines() if line.startswith("data: ")][-1][6:])
    assert final["state"] == "done" and final["track"] and final["track"] != job["id"]
    # a finished job: one event at once; cancelling it is 409
    again = client.get(f"/v1/jobs/{job_id}/events").text
    assert again.count("event: ") == 1 and "event: done" in again
    r = client.delete(f"/v1/jobs/{job_id}")
    assert r.status_code == 409 and error_of(r)["code"] == "job_finished"


@pytest.mark.parametrize(("body", "field", "shown"), [
    ({"tempo": 999}, "tempo", "999"), ({"key": "H major"}, "key", "H major"), ({"duration": 601}, "duration", "601"),
    ({"style": "polka-noir"}, None, "polka-noir"), ({"meter": "4/0"}, "meter", "4/0"),
    ({"from_midi": "0" * 64}, "from_midi", "0" * 64), ({"prompt": "x" * 501}, "prompt", None),
    ({"title": ""}, "title", None), ({"format": "aiff"}, "format", "aiff"),
    ({"stems_format": "wav32"}, "stems_format", "wav32"), ({"stem_names": "fancy"}, "stem_names", "fancy"),
])
def test_bad_compose_options_are_400_naming_the_value(api, body, field, shown):
    client, _, _ = api
    r = client.post("/v1/tracks", json=body)
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["code"] == "invalid_option"
    if field:
        assert err["field"] == field
    if shown:
        assert shown in err["message"]


def test_bad_operation_options_are_400(api):
    client, track_id, _ = api
    for path, body, field in (("extend", {"to": "0:04"}, "to"), ("extend", {"to": "11:00"}, "to"),
                              ("edit", {}, "body"), ("edit", {"tempo": 900}, "tempo"),
                              ("edit", {"mute": ["kazoo"]}, "mute"), ("edit", {"intensity": 5}, "intensity"),
                              ("edit", {"instruments": {"lead": "no-such-horn"}}, "instruments"),
                              ("edit", {"mute": ["lead"], "instruments": {"lead": "flute"}}, "body"),
                              ("vary", {"count": 9}, "count"), ("vary", {"count": 0}, "count")):
        r = client.post(f"/v1/tracks/{track_id}/{path}", json=body)
        assert r.status_code == 400, (path, body, r.text)
        assert error_of(r)["field"] == field, (path, body, r.text)
    assert client.post(f"/v1/tracks/{track_id}/extend", json={}).status_code == 422
    assert client.post(f"/v1/tracks/{track_id}/vary", json={"count": "two"}).status_code == 422


def test_loop_of_a_track(api):
    client, track_id, _ = api
    r = client.post(f"/v1/tracks/{track_id}/loop")
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["job"]["id"])
    assert job["state"] == "done", job
    record = client.get(f"/v1/tracks/{job['track']}").json()
    assert record["operation"] == "loop" and record["parent"] == track_id and record["loopable"] is True


def test_patch_and_delete(api):
    client, _, data = api
    job = compose_done(client, {**SMALL, "seed": 3, "title": "to delete"})
    track_id = job["track"]
    r = client.patch(f"/v1/tracks/{track_id}", json={"title": "renamed", "tags": ["x", "y"]})
    assert r.status_code == 200 and r.json()["title"] == "renamed" and r.json()["tags"] == ["x", "y"]
    assert client.get(f"/v1/tracks/{track_id}").json()["title"] == "renamed"
    r = client.patch(f"/v1/tracks/{track_id}", json={"tags": ["t"] * 21})
    assert r.status_code == 400 and error_of(r)["field"] == "tags"
    assert client.patch(f"/v1/tracks/{track_id}", json={"title": 5}).status_code == 422
    assert client.patch(f"/v1/tracks/{track_id}", json={"colour": "red"}).status_code == 422
    folder = data / "tracks" / track_id
    assert folder.is_dir()
    r = client.delete(f"/v1/tracks/{track_id}")
    assert r.status_code == 204 and not r.content
    assert not folder.exists()
    assert client.get(f"/v1/tracks/{track_id}").status_code == 404
    assert track_id not in [t["id"] for t in client.get("/v1/tracks", params={"limit": 100}).json()["items"]]
    assert client.delete(f"/v1/tracks/{track_id}").status_code == 404


def test_compose_from_an_uploaded_midi_seed(api):
    client, _, _ = api
    upload = client.post("/v1/uploads/midi", content=midi_bytes(), headers={"Content-Type": "audio/midi"}).json()["upload"]
    job = compose_done(client, {**SMALL, "seed": 4, "title": "from a seed", "from_midi": upload})
    assert job["params"]["from_midi"] == upload  # the id, never a server path
    record = client.get(f"/v1/tracks/{job['track']}").json()
    assert record["brief"]["motif"]
