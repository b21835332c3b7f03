"""A real ``gekiban serve`` killed with SIGKILL mid-job and mid-write, then started again on the
same data folder: the job ends (re-run to done, or failed with a reason once it was running at two
crashes), no half track is in the library, and the server answers.

The whole process group is killed (the server and its worker processes), as a crash of the
machine or ``systemctl kill`` would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

JOB = {"style": "ambient", "duration": 40, "seed": 11}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m gekiban serve`` in its own process group on a free loopback port."""

    def __init__(self, data: Path, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "gekiban", "serve", "--host", "127.0.0.1", "--port",
                                      str(self.port), "--data", str(data), "--workers", "1"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        end = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None, f"the server exited with {self.proc.returncode}: {log.read_text()}"
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < end, f"the server did not answer in 60 s: {log.read_text()}"
            time.sleep(0.1)
        self.http = httpx.Client(base_url=self.url, timeout=30)

    def kill(self) -> None:
        """SIGKILL to the server and every process it started."""
        self.http.close()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        """A clean stop (SIGTERM, then SIGKILL after 20 s)."""
        self.http.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log.close()

    def job(self, job_id: str) -> dict:
        return self.http.get(f"/v1/jobs/{job_id}").json()

    def wait(self, job_id: str, states: tuple[str, ...], timeout: float = 120) -> dict:
        end = time.monotonic() + timeout
        while (job := self.job(job_id))["state"] not in states:
            assert time.monotonic() < end, f"job {job_id} still {job['state']} after {timeout} s"
            time.sleep(0.05)
        return job


def _library_is_whole(server: Server, data: Path) -> None:
    """Every listed track has its folder and files; every folder is listed; staging is empty."""
    listed = {t["id"]: t for t in server.http.get("/v1/tracks", params={"limit": 100}).json()["items"]}
    folders = {p.name for p in (data / "tracks").iterdir()} if (data / "tracks").exists() else set()
    assert folders == set(listed), (folders, set(listed))
    for track_id, record in listed.items():
        assert server.http.get(f"/v1/tracks/{track_id}/mix", headers={"Range": "bytes=0-3"}).status_code == 206
        for n in range(1, len(record["files"]["stems"]) + 1):
            assert (data / "tracks" / track_id / "stems" / record["files"]["stems"][n - 1]).is_file()
    staging = data / "staging"
    assert not staging.exists() or not any(staging.iterdir()), list(staging.iterdir())


def _until(check, timeout: float = 60, step: float = 0.02) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(step)


def test_kill_mid_job_then_restart(tmp_path):
    data, log = tmp_path / "data", tmp_path / "server.log"
    server = Server(data, log)
    shown = log.read_text()
    assert f"gekiban studio: {server.url}/" in shown and f"{server.url}/docs" in shown
    job_id = server.http.post("/v1/tracks", json=JOB).json()["job"]["id"]
    server.wait(job_id, ("running",), timeout=30)
    time.sleep(0.5)  # well inside composing or rendering
    server.kill()

    server = Server(data, log)
    try:
        job = server.job(job_id)
        assert job["attempts"] == 2 and job["state"] in ("queued", "running"), job
        job = server.wait(job_id, ("done", "failed", "cancelled"))
        assert job["state"] == "done", job
        assert server.http.get(f"/v1/tracks/{job['track']}").status_code == 200
        _library_is_whole(server, data)
        assert server.http.get("/v1/health").json()["ok"] is True
    finally:
        server.stop()


@pytest.mark.slow
def test_kill_mid_write_and_twice_then_restart(tmp_path):
    data, log = tmp_path / "data", tmp_path / "server.log"
    server = Server(data, log)
    done = server.http.post("/v1/tracks", json={**JOB, "duration": 8, "seed": 12}).json()["job"]["id"]
    assert server.wait(done, ("done", "failed"))["state"] == "done"

    # mid-write: the moment the job's first file appears in staging/
    job_id = server.http.post("/v1/tracks", json={**JOB, "seed": 13}).json()["job"]["id"]
    staging = data / "staging"
    _until(lambda: staging.exists() and any(p.is_file() for p in staging.rglob("*")), timeout=120, step=0.005)
    server.kill()
    assert any(p.is_file() for p in staging.rglob("*"))  # a half bundle was on disk

    server = Server(data, log)
    job = server.wait(job_id, ("done", "failed", "cancelled"))
    assert job["state"] == "done" and job["attempts"] == 2, job
    _library_is_whole(server, data)

    # a job running at two crashes fails with a reason, and the server still works
    twice = server.http.post("/v1/tracks", json={**JOB, "seed": 14}).json()["job"]["id"]
    server.wait(twice, ("running",), timeout=30)
    server.kill()
    server = Server(data, log)
    server.wait(twice, ("running",), timeout=30)
    server.kill()
    server = Server(data, log)
    try:
        job = server.job(twice)
        assert job["state"] == "failed" and "twice" in job["error"], job
        listed = server.http.get("/v1/tracks", params={"limit": 100}).json()["items"]
        assert {t["seed"] for t in listed} == {12, 13}
        _library_is_whole(server, data)
        after = server.http.post("/v1/tracks", json={**JOB, "duration": 8, "seed": 15}).json()["job"]["id"]
        assert server.wait(after, ("done", "failed"))["state"] == "done"
    finally:
        server.stop()


def test_serve_refuses_a_public_host_without_a_token(tmp_path):
    out = subprocess.run([sys.executable, "-m", "gekiban", "serve", "--host", "0.0.0.0", "--data", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "--token" in out.stderr and out.stderr.startswith("gekiban: error:")
    assert not (tmp_path / "library.sqlite").exists()


@pytest.mark.parametrize(("argv", "shown"), [
    (["--port", "70000"], "70000"), (["--workers", "0"], "--workers"), (["--queue", "x"], "--queue"),
    (["--host", "192.168.1.5"], "--token"), (["--host", "example.com"], "--token"),
    (["--token", "short"], "8 characters"), (["--cors-origin", "evil.example"], "evil.example"),
])
def test_bad_serve_options_are_refused(argv, shown, tmp_path):
    from gekiban.cli.parser import build_parser
    from gekiban.cli.serve import check_serve_options
    from gekiban.errors import InvalidOptionError

    args = build_parser().parse_args(["serve", "--data", str(tmp_path), *argv])
    with pytest.raises(InvalidOptionError, match=shown):
        check_serve_options(args)


def test_serve_options(tmp_path):
    from gekiban.cli.parser import build_parser
    from gekiban.cli.serve import check_serve_options, is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.3.2.1"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "10.0.0.1", "example.com", "::"))
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--token", "a-long-token", "--data", str(tmp_path),
                                      "--cors-origin", "http://a.example", "https://b.example/", "--per-client", "2"])
    opts = check_serve_options(args)
    assert opts["token"] == "a-long-token" and opts["cors_origins"] == ("http://a.example", "https://b.example")
    assert opts["per_client"] == 2 and opts["max_jobs"] == 20 and opts["data_dir"] == tmp_path and opts["port"] == 8000
