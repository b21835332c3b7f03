"""The API around composing: health, explain, styles, uploads, the error shape, body bounds,
the bearer token, CORS and the studio's files."""

from __future__ import annotations

import pytest
from api_fixtures import api_client, error_of, midi_bytes

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with api_client(tmp_path_factory.mktemp("data")) as c:
        yield c


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    with api_client(tmp_path_factory.mktemp("data"), token=TOKEN,
                    cors_origins=("https://studio.example",)) as c:
        yield c


def test_health(client):
    r = client.get("/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is True and isinstance(body["version"], str)
    assert body["soundfont"] is None or body["soundfont"].endswith((".sf2", ".sf3"))


def test_explain_reads_the_prompt_like_the_cli(client):
    r = client.get("/v1/explain", params={"prompt": "city night chase", "seed": "7"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"brief", "evidence"}
    assert body["brief"]["prompt"] == "city night chase" and body["brief"]["seed"] == 7
    assert body["brief"]["style"] == "chase"
    assert "style" in body["evidence"]


def test_explain_options_win_and_bad_ones_are_400(client):
    body = client.get("/v1/explain", params={"prompt": "calm morning", "tempo": "90", "key": "E minor"}).json()
    assert body["brief"]["tempo"] == 90
    r = client.get("/v1/explain", params={"prompt": "calm", "tempo": "999"})
    assert r.status_code == 400
    err = error_of(r)
    assert err["code"] == "invalid_option" and "999" in err["message"]
    r = client.get("/v1/explain", params={"prompt": "x" * 501})
    assert r.status_code == 400 and error_of(r)["field"] == "prompt"


def test_styles_have_family_and_description(client):
    styles = client.get("/v1/styles").json()["styles"]
    names = [s["name"] for s in styles]
    assert "ambient" in names and names == sorted(names)
    assert all(s["family"] and s["description"] and s["own"] is False for s in styles)


def test_learned_styles_of_the_data_folder_are_listed_and_composable(tmp_path):
    from gekiban.learn import learn_style
    from learn_fixtures import band_folder

    learn_style("my-funk", [band_folder(tmp_path / "midi", 2)], folder=tmp_path / "data" / "styles")
    (tmp_path / "data" / "styles" / "broken.toml").write_text("= nothing")
    with api_client(tmp_path / "data") as c:
        styles = c.get("/v1/styles").json()["styles"]
        assert styles[-1]["name"] == "my-funk" and styles[-1]["own"] and "broken" not in [s["name"] for s in styles]
        r = c.get("/v1/explain", params={"prompt": "a groove", "style": "my-funk"})
        assert r.status_code == 200 and r.json()["brief"]["style"] == "my-funk"


def test_upload_a_midi_seed_then_explain_from_it(client):
    r = client.post("/v1/uploads/midi", content=midi_bytes(), headers={"Content-Type": "audio/midi"})
    assert r.status_code == 201, r.text
    upload = r.json()["upload"]
    again = client.post("/v1/uploads/midi", content=midi_bytes(), headers={"Content-Type": "audio/midi"})
    assert again.json()["upload"] == upload  # same bytes, same id
    r = client.get("/v1/explain", params={"prompt": "", "from_midi": upload})
    assert r.status_code == 200, r.text
    assert r.json()["brief"]["motif"]


def test_bad_uploads(client):
    r = client.post("/v1/uploads/midi", content=b"not a midi file at all", headers={"Content-Type": "audio/midi"})
    assert r.status_code == 400 and error_of(r)["code"] == "invalid_option"
    r = client.post("/v1/uploads/midi", content=b"MThd" + b"\0" * (2 * 1024 * 1024),
                    headers={"Content-Type": "audio/midi"})
    assert r.status_code == 413 and error_of(r)["code"] == "too_large"
    r = client.get("/v1/explain", params={"from_midi": "../../etc/passwd"})
    assert r.status_code == 400 and error_of(r)["field"] == "from_midi"


def test_a_json_body_over_64_kb_is_413(client):
    r = client.post("/v1/tracks", json={"prompt": "x" * 70_000})
    assert r.status_code == 413 and error_of(r)["code"] == "too_large"

    def chunks():  # no Content-Length: the bound holds on the bytes that come
        for _ in range(80):
            yield b"x" * 1024

    r = client.post("/v1/tracks", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize("body", [[1, 2], {"tempo": [120]}, {"loop": "yes"}, {"nonsense": 1}, "text"])
def test_a_body_of_the_wrong_shape_is_422(client, body):
    r = client.post("/v1/tracks", json=body)
    assert r.status_code == 422, r.text
    assert error_of(r)["code"] == "invalid_request"


def test_not_json_at_all_is_422(client):
    r = client.post("/v1/tracks", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_request"


@pytest.mark.parametrize("path", ["/v1/nothing-here", "/v1/tracks/abc/nothing", "/no/such/page.html"])
def test_unknown_routes_are_404_in_the_error_shape(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"


def test_a_wrong_method_is_405_in_the_error_shape(client):
    r = client.put("/v1/tracks")
    assert r.status_code == 405
    err = error_of(r)
    assert err["code"] == "method_not_allowed" and "PUT" in err["message"]


def test_unknown_ids_are_404(client):
    for path in ("/v1/tracks/000000000000", "/v1/tracks/000000000000/mix", "/v1/tracks/000000000000/notes",
                 "/v1/tracks/..%2F..%2Fetc/json", "/v1/jobs/j-nope", "/v1/jobs/j-nope/events"):
        r = client.get(path)
        assert r.status_code == 404, (path, r.text)
        assert error_of(r)["code"] == "not_found"
    assert client.delete("/v1/jobs/j-nope").status_code == 404
    assert client.delete("/v1/tracks/000000000000").status_code == 404
    assert client.post("/v1/tracks/000000000000/loop").status_code == 404


def test_the_token_guards_every_v1_route(guarded):
    for method, path in (("GET", "/v1/health"), ("GET", "/v1/tracks"), ("POST", "/v1/tracks"),
                         ("GET", "/v1/nothing-here")):
        r = guarded.request(method, path)
        assert r.status_code == 401, (method, path)
        assert error_of(r)["code"] == "unauthorized" and r.headers["www-authenticate"] == "Bearer"
        r = guarded.request(method, path, headers={"Authorization": "Bearer wrong-token-xyz"})
        assert r.status_code == 401
    ok = guarded.get("/v1/health", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    assert guarded.get("/openapi.json").status_code == 200  # the spec is not secret


def test_cors_is_closed_unless_origins_are_given(client, guarded):
    asked = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    r = client.options("/v1/tracks", headers=asked)
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    r = guarded.options("/v1/tracks", headers={**asked, "Origin": "https://studio.example"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://studio.example"
    r = guarded.options("/v1/tracks", headers=asked)
    assert r.headers.get("access-control-allow-origin") != "https://evil.example"


def test_the_openapi_document_lists_the_routes(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/v1/health", "/v1/explain", "/v1/styles", "/v1/tracks", "/v1/tracks/{track_id}",
                 "/v1/tracks/{track_id}/mix", "/v1/tracks/{track_id}/stems.zip", "/v1/jobs/{job_id}/events",
                 "/v1/uploads/midi"):
        assert path in paths, path
    assert client.get("/docs").status_code == 200
