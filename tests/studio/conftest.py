"""Fixtures of the studio's browser tests: a real ``gekiban serve`` on a free loopback port with
a temporary data folder (one per test module, restartable on the same folder, with or without
``--token``), and Debian's Chromium driven headless by Playwright (never a downloaded browser)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: Where the screenshots go (out/ is git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "out" / "test-artifacts"
#: Chromium flags that work on these machines: no sandbox as root, no GPU, and no background
#: network traffic (the network is closed; Chromium would retry Google's hosts at every start).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``gekiban serve`` as a subprocess on 127.0.0.1 (with ``--token`` when given one);
    ``restart()`` keeps the data folder."""

    def __init__(self, data: Path, log: Path, token: str | None = None):
        self.data = data
        self.log = log
        self.token = token
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> tuple[int, Any]:
        """GET an API path (with the token, if any): the status and the JSON answer."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(self.url + path, headers=headers), timeout=5) as res:
                return res.status, json.load(res)
        except urllib.error.HTTPError as err:
            return err.code, json.load(err)

    def start(self, timeout: float = 90.0) -> None:
        self.port = self.port or free_port()  # a restart listens on the same port
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        token = ["--token", self.token] if self.token else []
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "gekiban", "serve", "--host", "127.0.0.1",
                                          "--port", str(self.port), "--data", str(self.data), "--workers", "1",
                                          *token], stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gekiban serve exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                status, health = self.get("/v1/health")
                if status == 200 and health.get("ok"):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gekiban serve did not answer in {timeout:g} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def tail(self, n: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    """The module's server; a module that sets ``TOKEN`` gets one started with ``--token TOKEN``."""
    folder = tmp_path_factory.mktemp("studio")
    srv = Server(folder / "data", folder / "server.log", token=getattr(request.module, "TOKEN", None))
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (make deps-test installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make venv)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def page(browser, server):
    """One page for the module (the tests follow one track through the studio). It is ready to
    use, except with a token: then the studio waits for the module's tests to enter it."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                  locale="ja-JP")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.goto(server.url + "/")
    if not server.token:
        pg.wait_for_selector("body[data-ready='true']")
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
