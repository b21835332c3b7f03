"""The web studio in Debian's Chromium against a real ``gekiban serve``: explain a prompt,
compose a short cue and watch its progress, play it, mute a stem, loop, read the piano roll,
download the MIDI, find the track again after a restart, and render Japanese.

The tests of this module follow one track: they run in file order on one page. Screenshots of
each view go to ``out/test-artifacts/studio-*.png``.
"""

from __future__ import annotations

import pytest

#: A tiny compose: 8 seconds of ambient music.
PROMPT = "calm ambient night sky"
JAPANESE = "夕暮れの教室、切ない別れ"

# Counts the pixels of the piano roll's note area that are saturated (the notes; the grid and
# keys are greys and blue-greys).
COUNT_NOTE_PIXELS = """() => {
  const c = document.querySelector('#pianoroll');
  const dpr = window.devicePixelRatio || 1;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let y = Math.ceil(40 * dpr); y < c.height; y++) {
    for (let x = Math.ceil(34 * dpr); x < c.width; x++) {
      const i = (y * c.width + x) * 4;
      const hi = Math.max(d[i], d[i + 1], d[i + 2]), lo = Math.min(d[i], d[i + 1], d[i + 2]);
      if (hi - lo > 60) n++;
    }
  }
  return n;
}"""

# Whether two different kanji draw differently in the page's font stack (missing glyphs draw
# the same empty box).
KANJI_DIFFER = """() => {
  const font = getComputedStyle(document.querySelector('#prompt')).fontFamily;
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 48; c.height = 48;
    const g = c.getContext('2d'); g.fillStyle = '#000'; g.fillRect(0, 0, 48, 48);
    g.fillStyle = '#fff'; g.font = `32px ${font}`; g.fillText(ch, 6, 38);
    return Array.from(g.getImageData(0, 0, 48, 48).data).join(',');
  };
  return draw('夕') !== draw('教') && draw('夕') !== draw('□');
}"""


def ensure_playing(page):
    """Play from the start (the cue is short: an earlier test's playback may have ended)."""
    page.evaluate("studio.engine.seek(0)")
    if not page.evaluate("studio.engine.playing"):
        page.click("#play")
    page.wait_for_function("studio.engine.playing && studio.engine._sources.length > 0")


@pytest.fixture(scope="module")
def composed(page, server, artifacts):
    """Compose through the studio: the prompt, duration 8, style ambient, parts for players;
    returns the track id and every value the progress bar showed."""
    page.fill("#prompt", PROMPT)
    page.select_option("#style", "ambient")
    page.fill("#duration", "8")
    page.check("#musicxml")
    page.click("details.more summary")
    page.fill("[name=seed]", "3")
    page.evaluate("""() => {
      window.__progress = [];
      const bar = document.querySelector('#progress-bar');
      new MutationObserver(() => window.__progress.push(Number(bar.getAttribute('aria-valuenow'))))
        .observe(bar, {attributes: true, attributeFilter: ['aria-valuenow']});
    }""")
    page.click("#generate")
    page.wait_for_selector("#job:not([hidden])")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "studio-progress.png"))
    page.wait_for_selector("#job[data-state='done']", timeout=120_000)
    page.wait_for_selector("#track[data-state='ready']", timeout=60_000)
    return {"id": page.get_attribute("#track", "data-track-id"), "progress": page.evaluate("window.__progress")}


def test_explain_shows_how_the_prompt_is_read(page, artifacts):
    page.fill("#prompt", "heroic battle on a burning city skyline at 150 bpm")
    page.click("#explain-btn")
    table = page.wait_for_selector("[data-testid=explain-table]")
    assert "150 bpm" in table.inner_text()
    assert page.inner_text("#explain tr[data-field=tempo] .source") == "prompt"
    page.screenshot(path=str(artifacts / "studio-explain.png"))
    # The mood control adds its word to the prompt: the reading follows it.
    page.select_option("#mood", "tense")
    page.click("#explain-btn")
    page.wait_for_function("document.querySelector('#explain tr[data-field=mood] .value')?.textContent === 'tense'")
    page.select_option("#mood", "")


def test_an_api_error_is_shown(page, artifacts):
    page.fill("#prompt", PROMPT)
    page.fill("#tempo", "999")
    page.click("#generate")
    message = page.wait_for_selector("[data-testid=error-message]")
    assert "invalid_option" in message.inner_text()
    assert "999" in message.inner_text()
    assert "invalid" in page.get_attribute("#tempo", "class")  # the field the API named is outlined
    page.screenshot(path=str(artifacts / "studio-error.png"))
    page.fill("#tempo", "")
    page.click("[data-testid=error-message] button")


def test_generate_follows_the_job_to_the_track(page, composed, artifacts):
    assert len(composed["id"]) == 12
    values = composed["progress"]
    assert values and values[-1] == 100, values
    assert any(0 < v < 100 for v in values), values  # it moved, not only jumped to the end
    assert page.inner_text("#track-title")
    page.screenshot(path=str(artifacts / "studio-track.png"), full_page=True)


def test_play_advances_the_audio_clock(page, composed):
    page.click("#play")
    page.wait_for_function("studio.engine.ctx && studio.engine.ctx.state === 'running' && studio.engine.position > 0.3")
    assert page.get_attribute("#play", "aria-pressed") == "true"
    before = page.evaluate("studio.engine.ctx.currentTime")
    page.wait_for_timeout(300)
    assert page.evaluate("studio.engine.ctx.currentTime") > before


def test_mute_a_stem(page, composed, artifacts):
    page.wait_for_selector("#track[data-stems='ready']", timeout=60_000)
    ensure_playing(page)
    strips = page.locator("[data-testid=stem-strip]")
    assert strips.count() >= 2
    strips.first.locator("[data-testid=stem-mute]").click()
    assert strips.first.locator("[data-testid=stem-mute]").get_attribute("aria-pressed") == "true"
    assert page.evaluate("studio.engine.source") == "stems"
    page.wait_for_function("studio.engine.stems[0].gain.gain.value < 0.01")
    # Every stem and the mix run on one clock: one source each, all playing.
    assert page.evaluate("studio.engine._sources.length") == strips.count() + 1
    page.locator("#mixer").screenshot(path=str(artifacts / "studio-mixer.png"))
    strips.first.locator("[data-testid=stem-mute]").click()
    assert page.evaluate("studio.engine.stems[0].muted") is False


def test_loop_toggle(page, composed):
    ensure_playing(page)
    page.click("#loop-toggle")
    assert page.get_attribute("#loop-toggle", "aria-pressed") == "true"
    assert page.evaluate("studio.engine.loop && studio.engine._sources.every(s => s.loop)")
    page.click("#loop-toggle")
    assert page.get_attribute("#loop-toggle", "aria-pressed") == "false"
    page.click("#play")  # pause
    assert page.evaluate("studio.engine.playing") is False


def test_piano_roll_is_drawn(page, composed, artifacts):
    roll = page.locator("#roll")
    roll.scroll_into_view_if_needed()
    assert int(page.get_attribute("#pianoroll", "data-drawn")) > 0
    assert page.evaluate(COUNT_NOTE_PIXELS) > 200
    assert page.locator("[data-testid=roll-part]").count() >= 2
    roll.screenshot(path=str(artifacts / "studio-pianoroll.png"))


def test_download_the_midi(page, composed):
    with page.expect_download() as info:
        page.click("#dl-midi")
    path = info.value.path()
    with open(path, "rb") as f:
        assert f.read(4) == b"MThd"
    assert info.value.suggested_filename.endswith(".mid")


def test_download_the_musicxml(page, composed):
    assert page.is_visible("#dl-musicxml")
    with page.expect_download() as info:
        page.click("#dl-musicxml")
    with open(info.value.path(), "rb") as f:
        assert b"<score-partwise" in f.read()
    assert info.value.suggested_filename.endswith(".musicxml")


def test_the_library_keeps_the_track_across_a_restart(page, server, composed, artifacts):
    server.restart()
    page.goto(server.url + "/")
    page.wait_for_selector("body[data-ready='true']")
    row = page.wait_for_selector(f"[data-testid=library-item][data-id='{composed['id']}']")
    page.fill("[data-testid=library-search]", "ambient night")
    page.wait_for_selector(f"[data-testid=library-item][data-id='{composed['id']}']")
    page.fill("[data-testid=library-search]", "no such words anywhere")
    page.wait_for_selector("[data-testid=library-list] .empty")
    page.fill("[data-testid=library-search]", "")
    row = page.wait_for_selector(f"[data-testid=library-item][data-id='{composed['id']}']")
    row.query_selector("[data-testid=library-play]").click()  # audition: open and play
    page.wait_for_selector(f"#track[data-track-id='{composed['id']}'][data-state='ready']")
    page.wait_for_function("studio.engine.playing && studio.engine.position > 0.1")
    page.click("#play")
    page.locator("#library").screenshot(path=str(artifacts / "studio-library.png"))


def test_japanese_prompt_renders(page, artifacts):
    page.fill("#prompt", JAPANESE)
    page.click("#explain-btn")
    page.wait_for_selector("[data-testid=explain-table]")
    assert JAPANESE in page.inner_text("#explain")
    assert page.evaluate(KANJI_DIFFER), "the page's fonts draw no Japanese glyphs (install fonts-noto-cjk)"
    page.locator("#compose").screenshot(path=str(artifacts / "studio-japanese.png"))
    page.screenshot(path=str(artifacts / "studio-full.png"), full_page=True)


def test_cancel_a_job(page, server):
    page.fill("#prompt", "a long slow build for cancelling")
    page.select_option("#style", "ambient")
    page.fill("#duration", "120")
    page.click("#generate")
    page.wait_for_selector("#job[data-state='queued'], #job[data-state='running']")
    page.click("#cancel")
    page.wait_for_selector("#job[data-state='cancelled']", timeout=30_000)
    assert "cancelled" in page.inner_text("#progress-label")
    assert page.is_enabled("#generate")


def test_no_script_errors(page):
    errors = [e for e in page.console_errors if "Failed to load resource" not in e]
    assert not errors, errors


@pytest.mark.slow
def test_japanese_compose_and_vary(page, artifacts):
    page.fill("#prompt", JAPANESE)
    page.fill("#duration", "10")
    page.select_option("#style", "")
    page.click("#generate")
    page.wait_for_selector("#job[data-state='done']", timeout=180_000)
    page.wait_for_selector("#track[data-state='ready']", timeout=60_000)
    first = page.get_attribute("#track", "data-track-id")
    page.click("[data-testid=vary]")
    page.wait_for_function(f"document.querySelector('#track').dataset.trackId !== '{first}'"
                           " && document.querySelector('#track').dataset.state === 'ready'", timeout=180_000)
    second = page.get_attribute("#track", "data-track-id")
    page.fill("[data-testid=extend-to]", "0:16")
    page.click("[data-testid=extend]")
    page.wait_for_function(f"document.querySelector('#track').dataset.trackId !== '{second}'"
                           " && document.querySelector('#track').dataset.state === 'ready'", timeout=180_000)
    assert "extend" in page.inner_text("#track-facts")
    assert page.locator("[data-testid=library-item]").count() >= 3
    page.screenshot(path=str(artifacts / "studio-japanese-track.png"), full_page=True)
