"""The Dask executor on a real cluster: a scheduler and two workers started as processes on
loopback (``python -m distributed.cli.dask_scheduler`` / ``dask_worker --nthreads 1``), tiny
composes (6 s of ambient) on both workers with their progress, a task error carried back,
cancels, an unreachable scheduler, and the server's jobs run on the cluster."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gekiban.errors import CancelledError, InvalidOptionError, RenderError
from gekiban.executor import LocalExecutor, Task, make_executor
from gekiban.executor.dask import DaskExecutor, probe_scheduler

TINY = {"duration": 6, "style": "ambient", "seed": 3}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A Dask scheduler and ``n`` single-thread workers on loopback, as processes."""

    def __init__(self, workers: int, log_dir: Path) -> None:
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen[bytes]] = []
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self._start(log_dir / "scheduler.log", env, "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                    "--port", str(self.port), "--no-dashboard")
        for n in range(workers):
            self._start(log_dir / f"worker-{n}.log", env, "distributed.cli.dask_worker", self.address,
                        "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
                        "--name", f"w{n}", "--local-directory", str(log_dir / f"w{n}"))
        self.wait_for(workers)

    def _start(self, log: Path, env: dict[str, str], module: str, *args: str) -> None:
        with open(log, "wb") as out:
            self.procs.append(subprocess.Popen([sys.executable, "-m", module, *args], stdout=out,
                                               stderr=subprocess.STDOUT, env=env, start_new_session=True))

    def wait_for(self, workers: int, timeout: float = 90) -> None:
        from distributed import Client

        deadline = time.monotonic() + timeout
        while True:
            try:
                with Client(self.address, timeout=5, set_as_default=False) as client:
                    client.wait_for_workers(workers, timeout=max(1.0, deadline - time.monotonic()))
                return
            except (OSError, TimeoutError):
                if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                    self.stop()
                    raise

    def stop(self) -> None:
        """The workers killed with their worker processes (each started in its own process group;
        a nanny gives its worker 8 s to close otherwise), then the scheduler stopped."""
        for proc in self.procs[1:]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs[0].terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(2, tmp_path_factory.mktemp("dask"))
    yield c
    c.stop()


@pytest.fixture(scope="module")
def executor(cluster):
    ex = make_executor(scheduler=cluster.address)
    yield ex
    ex.close()


def task(tmp_path: Path, name: str, params=TINY) -> Task:
    folder = tmp_path / name
    folder.mkdir()
    return Task(id=name, kind="compose", params=params, folder=str(folder))


def test_a_compose_runs_on_each_warm_worker_with_its_progress(executor, tmp_path):
    assert executor.workers == 2
    stages: dict[str, list[tuple[str, float]]] = {"a": [], "b": []}
    handles = [executor.submit(task(tmp_path, n, dict(TINY, seed=i)),
                               on_progress=lambda s, f, n=n: stages[n].append((s, f)))
               for i, n in enumerate(("a", "b"))]
    for name, handle in zip(("a", "b"), handles):
        assert handle.result(timeout=180) == [str(tmp_path / name)] and handle.done()
        assert handle.result(timeout=0) == [str(tmp_path / name)]  # done: no wait for the answer's fetch
        meta = json.loads((tmp_path / name / "track.json").read_text())
        assert meta["brief"]["style"] == "ambient" and (tmp_path / name / "mix.wav").is_file()
        names = [s for s, _ in stages[name]]
        assert names[0] == "understanding the prompt" and "rendering" in names and names[-1] == "saving"
        assert all(0.0 <= f <= 1.0 for _, f in stages[name])
    assert len({h.worker for h in handles}) == 2  # one on each worker
    # a bad task fails with its own error, its field kept
    with pytest.raises(InvalidOptionError, match="999") as info:
        executor.submit(task(tmp_path, "bad", {"tempo": "999"})).result(timeout=60)
    assert info.value.field == "tempo"


def test_an_unreachable_scheduler_is_a_clear_error():
    port = free_port()
    started = time.monotonic()
    with pytest.raises(RenderError, match=f"Dask scheduler at tcp://127.0.0.1:{port} within 1 s"):
        DaskExecutor(f"127.0.0.1:{port}", connect_timeout=1)
    assert time.monotonic() - started < 10
    with pytest.raises(InvalidOptionError, match="tcp://HOST:PORT"):
        make_executor(scheduler="http://127.0.0.1")
    with pytest.raises(RenderError, match=f"Dask scheduler at tcp://127.0.0.1:{port}"):
        probe_scheduler(f"127.0.0.1:{port}", timeout=1)  # what `gekiban serve --scheduler` checks first


def test_the_probe_finds_a_listening_scheduler(cluster):
    probe_scheduler(cluster.address)


def test_without_a_scheduler_it_is_local():
    ex = make_executor(workers=1)
    try:
        assert isinstance(ex, LocalExecutor) and ex.workers == 1
    finally:
        ex.close()


@pytest.mark.slow
def test_cancel_a_waiting_and_a_running_task(executor, tmp_path):
    rendering = threading.Event()
    long = dict(TINY, duration=120)
    running = [executor.submit(task(tmp_path, f"run{i}", long),
                               on_progress=lambda s, f: s == "rendering" and rendering.set()) for i in range(2)]
    waiting = executor.submit(task(tmp_path, "wait"))
    waiting.cancel()
    with pytest.raises(CancelledError):
        waiting.result(timeout=5)
    assert rendering.wait(120)
    started = time.monotonic()
    for handle in running:
        handle.cancel()
        assert handle.done()
        with pytest.raises(CancelledError):
            handle.result(timeout=5)
    # the workers are free again soon: a new task runs to the end
    assert executor.submit(task(tmp_path, "after")).result(timeout=120) == [str(tmp_path / "after")]
    assert time.monotonic() - started < 60
    time.sleep(3)  # a cancelled task stopped at its next progress report: it never writes its bundle
    assert not any((tmp_path / f"run{i}" / "track.json").exists() for i in range(2))


@pytest.mark.slow
def test_a_folder_the_workers_cannot_see_fails_the_task(executor, tmp_path):
    ghost = Task(id="ghost", kind="compose", params=TINY, folder=str(tmp_path / "nowhere" / "j1"))
    with pytest.raises(Exception, match="shared filesystem"):
        executor.submit(ghost).result(timeout=60)


@pytest.mark.slow
def test_the_server_runs_its_jobs_on_the_cluster(cluster, tmp_path):
    from fastapi.testclient import TestClient

    from gekiban.server.app import create_app

    app = create_app(data_dir=tmp_path / "data", scheduler=cluster.address)
    with TestClient(app) as client:
        answer = client.post("/v1/tracks", json=dict(TINY, style="ambient"))
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["job"]["id"]
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            state = client.get(f"/v1/jobs/{job_id}").json()
            if state["state"] in ("done", "failed", "cancelled"):
                break
            time.sleep(0.5)
        assert state["state"] == "done", state


def test_serve_takes_a_scheduler(tmp_path):
    from gekiban.cli.parser import build_parser
    from gekiban.cli.serve import check_serve_options

    parse = build_parser().parse_args
    assert check_serve_options(parse(["serve", "--data", str(tmp_path)]))["scheduler"] is None
    opts = check_serve_options(parse(["serve", "--data", str(tmp_path), "--scheduler", "10.0.0.5:8786"]))
    assert opts["scheduler"] == "tcp://10.0.0.5:8786"
    with pytest.raises(InvalidOptionError, match="scheduler address 'tcp://nowhere'"):
        check_serve_options(parse(["serve", "--data", str(tmp_path), "--scheduler", "tcp://nowhere"]))


@pytest.mark.slow
def test_a_small_menu_builds_on_the_cluster(executor, tmp_path):
    from gekiban.season.build import build_menu
    from gekiban.season.menu import parse_menu

    menu = parse_menu({"title": "星の学園 dask", "palette": "ambient", "cues": [
        {"m": "M-1", "title": "theme", "use": "theme", "description": "hopeful morning", "length": 6},
        {"m": "M-2", "title": "日常", "use": "scene", "description": "calm school afternoon", "length": 6,
         "ending": "loop"}]})
    seen: list[str] = []
    result = build_menu(menu, tmp_path / "menu", executor=executor, data_dir=tmp_path / "data",
                        progress=lambda stage, fraction: seen.append(stage))
    assert sorted(result.composed) == ["M-1", "M-2"] and not result.failed
    for m in ("M-1", "M-2"):
        assert (tmp_path / "menu" / m / "mix.wav").is_file()
    assert (tmp_path / "menu" / "cuesheet.csv").is_file() and (tmp_path / "menu" / "index.html").is_file()
    assert any("rendering" in stage for stage in seen) and seen[-1] == "menu done"


@pytest.mark.slow
def test_close_stops_what_is_not_done(cluster, tmp_path):
    ex = DaskExecutor(cluster.address, warm=False)
    handle = ex.submit(task(tmp_path, "long", dict(TINY, duration=120)))
    ex.close()
    assert handle.done()
    with pytest.raises(CancelledError, match="closed"):
        handle.result(timeout=5)
    with pytest.raises(RenderError, match="closed"):
        ex.submit(task(tmp_path, "late"))


@pytest.mark.slow
def test_a_task_whose_worker_dies_runs_again_on_another(tmp_path):
    c = Cluster(2, tmp_path)
    ex = DaskExecutor(c.address)
    try:
        rendering = threading.Event()
        handle = ex.submit(task(tmp_path, "long", dict(TINY, duration=60)),
                           on_progress=lambda s, f: s == "rendering" and rendering.set())
        assert rendering.wait(120)
        name = ex.client.scheduler_info(n_workers=-1)["workers"][handle.worker]["name"]
        first = handle.worker
        os.killpg(c.procs[1 + int(str(name)[1:])].pid, signal.SIGKILL)  # the worker and its nanny
        assert handle.result(timeout=180) == [str(tmp_path / "long")]
        assert handle.worker != first and (tmp_path / "long" / "mix.wav").is_file()
    finally:
        ex.close()
        c.stop()
