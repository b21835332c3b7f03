"""The studio against ``gekiban serve --token``: the page asks for the token (and says when one
is refused), keeps it, and then everything works through it: Explain, a tiny compose followed by
the job's event stream, the track's audio, the MIDI download; and the library's actions: rename
and tag a track, delete it after a confirm in the page.

The tests run in file order on one page. Screenshots go to ``out/test-artifacts/token-*.png``.
"""

from __future__ import annotations

import pytest

#: The server of this module is started with ``--token TOKEN`` (conftest's ``server``).
TOKEN = "studio-test-token-5e2b"
PROMPT = "calm ambient night sky"


@pytest.fixture(scope="module")
def composed(page):
    """A tiny compose (duration 8, style ambient) through the studio: the track id, every value
    the progress bar showed, and the job requests the page made (address, Authorization)."""
    requests = []

    def track(request):
        if "/v1/jobs/" in request.url:
            requests.append((request.url, request.headers.get("authorization")))

    page.on("request", track)
    page.fill("#prompt", PROMPT)
    page.select_option("#style", "ambient")
    page.fill("#duration", "8")
    page.evaluate("""() => {
      window.__progress = [];
      const bar = document.querySelector('#progress-bar');
      new MutationObserver(() => window.__progress.push(Number(bar.getAttribute('aria-valuenow'))))
        .observe(bar, {attributes: true, attributeFilter: ['aria-valuenow']});
    }""")
    page.click("#generate")
    page.wait_for_selector("#job[data-state='done']", timeout=120_000)
    page.wait_for_selector("#track[data-state='ready']", timeout=60_000)
    page.remove_listener("request", track)
    return {"id": page.get_attribute("#track", "data-track-id"), "progress": page.evaluate("window.__progress"),
            "requests": requests}


def row(page, track_id):
    return page.locator(f"[data-testid=library-item][data-id='{track_id}']")


def test_the_page_asks_for_the_token(page, server, artifacts):
    dialog = page.locator("[data-testid=token-dialog]")
    dialog.wait_for(state="visible")
    assert "token" in dialog.inner_text().lower()
    assert page.get_attribute("body", "data-ready") is None  # the studio waits for it
    page.screenshot(path=str(artifacts / "token-dialog.png"))
    # A wrong token is refused and the dialog says so.
    page.fill("[data-testid=token-input]", "not-the-token")
    page.click("[data-testid=token-submit]")
    page.locator("[data-testid=token-rejected]").wait_for(state="visible")
    dialog.screenshot(path=str(artifacts / "token-rejected.png"))
    page.fill("[data-testid=token-input]", TOKEN)
    page.click("[data-testid=token-submit]")
    page.wait_for_selector("body[data-ready='true']")
    assert not dialog.is_visible()
    assert page.evaluate("localStorage.getItem('gekiban.token')") == TOKEN
    assert page.inner_text("#server-info").startswith("gekiban ")


def test_explain_with_the_token(page):
    page.fill("#prompt", "city night chase at 150 bpm")
    page.click("#explain-btn")
    table = page.wait_for_selector("[data-testid=explain-table]")
    assert "150 bpm" in table.inner_text()


def test_compose_follows_the_event_stream(page, composed):
    values = composed["progress"]
    assert values and values[-1] == 100, values
    assert any(0 < v < 100 for v in values), values
    # The progress came from the event stream, read by fetch with the token: the job was not polled.
    assert [auth for url, auth in composed["requests"]] == [f"Bearer {TOKEN}"], composed["requests"]
    assert composed["requests"][0][0].endswith("/events")
    assert page.evaluate("studio.engine.mix && studio.engine.mix.duration") > 7  # the mix came with the token


def test_progress_falls_back_to_polling(page, composed):
    """With the event stream broken, following a job polls it (with the token) to its end."""
    job_id = composed["requests"][0][0].split("/v1/jobs/")[1].split("/")[0]
    page.route("**/events", lambda route: route.abort())
    try:
        with page.expect_request(lambda r: r.url.endswith(f"/v1/jobs/{job_id}")):  # the poll
            job = page.evaluate("async (id) => (await import('/api.js')).followJob(id, () => {})", job_id)
    finally:
        page.unroute("**/events")
    assert (job["id"], job["state"]) == (job_id, "done")


def test_download_the_midi_with_the_token(page, composed):
    with page.expect_download() as info:
        page.click("#dl-midi")
    with open(info.value.path(), "rb") as f:
        assert f.read(4) == b"MThd"
    assert info.value.suggested_filename.endswith(".mid")


def test_rename_and_tag_a_track(page, server, composed, artifacts):
    track_id = composed["id"]
    row(page, track_id).locator("[data-testid=library-edit]").click()
    page.fill("[data-testid=library-title-input]", "Night sky, renamed")
    page.fill("[data-testid=library-tags-input]", "night, 夜, calm")
    page.locator("#library").screenshot(path=str(artifacts / "token-library-edit.png"))
    page.click("[data-testid=library-save]")
    page.wait_for_selector(f"[data-testid=library-item][data-id='{track_id}'] [data-testid=library-tags]")
    assert row(page, track_id).locator(".track-title").inner_text() == "Night sky, renamed"
    assert row(page, track_id).locator(".tag").all_inner_texts() == ["night", "夜", "calm"]
    assert page.inner_text("#track-title") == "Night sky, renamed"  # the open track follows
    status, record = server.get(f"/v1/tracks/{track_id}")
    assert status == 200
    assert (record["title"], record["tags"]) == ("Night sky, renamed", ["night", "夜", "calm"])
    page.locator("#library").screenshot(path=str(artifacts / "token-library-tagged.png"))


def test_a_bad_title_is_shown(page, composed):
    row(page, composed["id"]).locator("[data-testid=library-edit]").click()
    page.fill("[data-testid=library-title-input]", "")
    page.click("[data-testid=library-save]")
    message = page.wait_for_selector("[data-testid=error-message]")
    assert "title" in message.inner_text()
    page.click("[data-testid=error-message] button")
    page.click("[data-testid=library-cancel]")
    assert row(page, composed["id"]).locator(".track-title").inner_text() == "Night sky, renamed"


def test_delete_a_track(page, server, composed, artifacts):
    track_id = composed["id"]
    row(page, track_id).locator("[data-testid=library-delete]").click()
    confirm = page.locator("[data-testid=library-confirm-delete]")
    confirm.wait_for(state="visible")
    page.locator("#library").screenshot(path=str(artifacts / "token-library-delete.png"))
    page.click("[data-testid=library-cancel]")  # "Keep": nothing happens
    assert server.get(f"/v1/tracks/{track_id}")[0] == 200
    row(page, track_id).locator("[data-testid=library-delete]").click()
    confirm.click()
    row(page, track_id).wait_for(state="detached")
    assert server.get(f"/v1/tracks/{track_id}")[0] == 404
    assert page.is_hidden("#track")  # the open track was the one deleted
    assert page.inner_text("#library-count") == "0 tracks"


def test_a_reload_keeps_the_token(page):
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    assert not page.locator("[data-testid=token-dialog]").is_visible()


def test_no_script_errors(page):
    # The 401s before the token was entered are logged as failed resources, not script errors.
    errors = [e for e in page.console_errors if "Failed to load resource" not in e]
    assert not errors, errors
