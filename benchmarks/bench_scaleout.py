"""Benchmark: scale-out on a Dask cluster (issue 12).

Starts a Dask scheduler and workers on loopback as processes (``python -m
distributed.cli.dask_scheduler`` / ``dask_worker --nworkers 1 --nthreads 1``), then:

1. Throughput, one worker against two: the same ``--cues`` compose tasks (``--length`` seconds
   each, styles and seeds fixed) through :class:`gekiban.executor.dask.DaskExecutor` on a
   cluster of one warm worker and on one of two, in turn, ``--repeat`` times (the best of each
   kept); cues per minute, the CPU cores the workers got, and the ratio (goal: ≥ 1.8× on two
   cores). With ``--pin`` each worker is bound to one CPU (worker
   *i* to CPU *i*), as on a cluster of one-core nodes; unpinned, the lone worker also renders
   its parts on both cores, which is what a user of one machine gets.
2. A season: a menu of ``--menu-cues`` cues whose lengths average ``--menu-length`` seconds
   (30 to 90 s) built with :func:`gekiban.season.build.build_menu` on the two workers (goal:
   40 cues of 60 s on average in ≤ 10 minutes). ``--quick`` builds 10 cues instead.

Measured on the shared 2-core machine (best of 2): pinned 30.1 → 60.5 cues/minute, 2.01×;
unpinned 48.0 → 55.4, 1.16× (one unpinned worker already takes 1.56 of the 2 cores); work per
CPU second with two workers 0.96-1.01 of one's. A season of 40 cues averaging 60 s: 2.9 minutes
(load 3.5-4.5), 6.0 minutes (load 7-8).

Warm-up (each worker loading the SoundFont and the embedding model) happens when the executor
connects and is not timed. The machine's load average is printed before and after each part:
other work on a shared machine slows the runs.

    .venv/bin/python benchmarks/bench_scaleout.py [--cues 8] [--length 20] [--pin] [--repeat 2]
        [--menu-cues 40] [--menu-length 60] [--quick] [--no-menu] [--soundfont PATH]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STYLES = ("ambient", "slice-of-life", "heroic", "cafe-jazz", "mystery", "emotional-piano", "chase", "festival")
USES = ("scene", "emotion", "situation", "scene", "emotion")


def load() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and single-thread workers on loopback, as processes of their own."""

    def __init__(self, log_dir: Path, *, pin: bool) -> None:
        self.log_dir, self.pin = log_dir, pin
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.procs: list[subprocess.Popen[bytes]] = []
        self._start("scheduler", ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                                  self.address.rsplit(":", 1)[1], "--no-dashboard"])

    def _start(self, name: str, args: list[str], cpu: int | None = None) -> None:
        def bind() -> None:
            if cpu is not None:
                os.sched_setaffinity(0, {cpu % (os.cpu_count() or 1)})

        with open(self.log_dir / f"{name}.log", "wb") as out:
            self.procs.append(subprocess.Popen([sys.executable, "-m", *args], stdout=out, stderr=subprocess.STDOUT,
                                               start_new_session=True, preexec_fn=bind))

    def add_worker(self) -> None:
        n = len(self.procs) - 1
        self._start(f"worker-{n}", ["distributed.cli.dask_worker", self.address, "--nworkers", "1", "--nthreads",
                                    "1", "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{n}",
                                    "--local-directory", str(self.log_dir / f"w{n}")],
                    cpu=n if self.pin else None)

    def wait_for(self, workers: int) -> None:
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(self.address, timeout=5, set_as_default=False) as client:
                    client.wait_for_workers(workers, timeout=max(1.0, deadline - time.monotonic()))
                return
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise

    def stop(self) -> None:
        import signal

        for proc in self.procs[1:]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs[0].terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def run_cues(executor, folder: Path, cues: int, length: float) -> float:
    """Compose ``cues`` cues at once; the wall seconds until the last is done."""
    from gekiban.executor import Task

    folder.mkdir(parents=True)
    started = time.monotonic()
    handles = []
    for i in range(cues):
        params = {"style": STYLES[i % len(STYLES)], "duration": length, "seed": 100 + i}
        handles.append(executor.submit(Task(id=f"c{i}", kind="compose", params=params, folder=str(folder / f"c{i}"))))
    for handle in handles:
        handle.result(timeout=1800)
    return time.monotonic() - started


def cpu_seconds(cluster: Cluster) -> float:
    """CPU seconds used so far by the cluster's worker processes (nannies and their workers)."""
    import psutil  # a dependency of distributed

    total = 0.0
    for proc in cluster.procs[1:]:
        try:
            parent = psutil.Process(proc.pid)
            for p in [parent, *parent.children(recursive=True)]:
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def throughput(work: Path, cues: int, length: float, soundfont: str | None, *, pin: bool,
               repeat: int) -> tuple[float, float]:
    """Two clusters side by side, one worker and two (idle warm workers cost nothing), run in
    turn ``repeat`` times; the best wall time of each is kept."""
    from gekiban.executor.dask import DaskExecutor

    clusters, executors = [], []
    try:
        for workers in (1, 2):
            (work / f"c{workers}").mkdir()
            cluster = Cluster(work / f"c{workers}", pin=pin)
            clusters.append(cluster)
            for _ in range(workers):
                cluster.add_worker()
            cluster.wait_for(workers)
            executors.append(DaskExecutor(cluster.address, soundfont=soundfont))  # back once every worker is warm
            assert executors[-1].workers == workers, executors[-1].workers
        best = [float("inf"), float("inf")]
        cpu = [float("inf"), float("inf")]
        for r in range(repeat):
            for i, workers in enumerate((1, 2)):
                before = cpu_seconds(clusters[i])
                seconds = run_cues(executors[i], work / f"r{r}-w{workers}", cues, length)
                used = cpu_seconds(clusters[i]) - before
                cores = used / seconds
                best[i] = min(best[i], seconds)
                cpu[i] = min(cpu[i], used / cues)
                name = f"{workers} worker{'s' if workers > 1 else ' '}"
                print(f"  {name}: {cues} cues of {length:g} s in {seconds:6.1f} s = {60 * cues / seconds:5.1f} "
                      f"cues/minute; workers got {cores:.2f} cores, {used / cues:.2f} CPU s a cue  ({load()})",
                      flush=True)
    finally:
        for executor in executors:
            executor.close()
        for cluster in clusters:
            cluster.stop()
    print(f"  best of {repeat}: {60 * cues / best[0]:.1f} vs {60 * cues / best[1]:.1f} cues/minute; "
          f"2 workers / 1 worker: {best[0] / best[1]:.2f}×  (goal ≥ 1.8×); CPU seconds a cue (least): "
          f"{cpu[0]:.2f} vs {cpu[1]:.2f}, work per CPU second with two workers {cpu[0] / cpu[1]:.2f} of one's",
          flush=True)
    return best[0], best[1]


def season(cluster: Cluster, work: Path, cues: int, length: float, soundfont: str | None) -> float:
    from gekiban.executor.dask import DaskExecutor
    from gekiban.season.build import build_menu
    from gekiban.season.menu import parse_menu

    lengths = [length + d for d in (-30, -15, 0, 15, 30)]  # averaging ``length``
    menu = parse_menu({"title": "bench season", "palette": "orchestral", "key": "D major", "cues": [
        {"m": f"M-{i + 1}", "title": f"cue {i + 1}", "use": "theme" if i == 0 else USES[i % len(USES)],
         "description": STYLES[i % len(STYLES)].replace("-", " "), "length": max(5.0, lengths[i % len(lengths)]),
         "ending": "loop" if i % 4 == 1 else "ring"} for i in range(cues)]})
    average = sum(c.length for c in menu.cues) / len(menu.cues)
    for _ in range(2):
        cluster.add_worker()
    cluster.wait_for(2)
    executor = DaskExecutor(cluster.address, soundfont=soundfont)
    try:
        print(f"  {cues} cues averaging {average:.0f} s ({sum(c.length for c in menu.cues) / 60:.0f} minutes of "
              f"music) on {executor.workers} workers: {load()} …", flush=True)
        started = time.monotonic()
        result = build_menu(menu, work / "menu", executor=executor, data_dir=work / "data")
        seconds = time.monotonic() - started
    finally:
        executor.close()
    print(f"  built {len(result.composed)} cues in {seconds:.1f} s = {seconds / 60:.1f} minutes "
          f"({60 * cues / seconds:.1f} cues/minute; goal for 40 cues of 60 s: ≤ 10 minutes)  ({load()})", flush=True)
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cues", type=int, default=8)
    ap.add_argument("--length", type=float, default=20.0)
    ap.add_argument("--pin", action="store_true", help="bind worker i to CPU i")
    ap.add_argument("--menu-cues", type=int, default=40)
    ap.add_argument("--menu-length", type=float, default=60.0)
    ap.add_argument("--quick", action="store_true", help="a season of 10 cues instead of --menu-cues")
    ap.add_argument("--no-menu", action="store_true", help="throughput only")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each throughput measure, the best kept")
    ap.add_argument("--no-throughput", action="store_true", help="the season only")
    ap.add_argument("--soundfont")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs; {load()}; pinned workers: {'yes' if args.pin else 'no'}", flush=True)
    with tempfile.TemporaryDirectory(prefix="gekiban-scaleout-") as tmp:
        work = Path(tmp)
        if not args.no_throughput:
            print("throughput:", flush=True)
            throughput(work, args.cues, args.length, args.soundfont, pin=args.pin, repeat=args.repeat)
        if not args.no_menu:
            print("season:", flush=True)
            (work / "season").mkdir()
            cluster = Cluster(work / "season", pin=args.pin)
            try:
                season(cluster, work / "season", 10 if args.quick else args.menu_cues, args.menu_length,
                       args.soundfont)
            finally:
                cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
