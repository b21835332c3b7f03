"""POST /v1/tracks with ``motif``: names of the motif library, checked before queueing; a
composed cue holds the theme."""

from __future__ import annotations

import pytest
from api_fixtures import SMALL, api_client, compose_done, error_of

from gekiban.motifs import Motif, MotifLibrary, parse_notes

HERO = "D4. E4/ F#4 A4 | B4/ A4/ F#4- D4"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")  # the server's data folder holds its motif library
    MotifLibrary(data).add("hero", Motif("hero", parse_notes(HERO)))
    with api_client(data) as client:
        yield client, data


@pytest.mark.parametrize(("motif", "shown"), [("villain", "no motif named 'villain'"), ("hero,hero", "named twice"),
                                              ("", "NAME"), (3, "motif")])
def test_bad_motifs_are_400_naming_the_field(api, motif, shown):
    client, _ = api
    r = client.post("/v1/tracks", json={**SMALL, "motif": motif})
    assert r.status_code in (400, 422), r.text
    err = error_of(r)
    assert shown in err["message"] or err.get("field") == "motif"


def test_a_cue_composed_with_a_motif_records_it(api):
    client, _ = api
    job = compose_done(client, {**SMALL, "motif": ["hero"], "title": "with a theme"})
    info = client.get(f"/v1/tracks/{job['track']}/json")
    assert info.status_code == 200
    assert info.json()["request"]["leitmotifs"][0]["name"] == "hero"
