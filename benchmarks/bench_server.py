"""Benchmark: the HTTP server under read load while it composes, and a 60 s cue through the API
against the cold command line.

It starts ``gekiban serve`` on loopback with a temporary data folder, composes one small track
to read, then for ``--seconds`` runs ``--clients`` concurrent clients (asyncio + httpx, one
connection each) on the read endpoints — health, explain, the track list, one track, the first
256 KB of a mix (a Range request, as a player streams it) — while ``--jobs`` compose jobs of
``--job-duration`` seconds are queued at once. It prints p50/p95/p99 latency per endpoint group,
the answers that were not 2xx (only 429 is allowed), the jobs lost (not finished with a track in
the library once the queue drains: must be 0), and that the server still answers. Then it times
a ``--cue`` second cue from POST to done through the API (warm worker) against
``gekiban compose --duration 60`` in a fresh process (cold), same prompt and seed.

    .venv/bin/python benchmarks/bench_server.py [--seconds 30] [--clients 50] [--jobs 20]
        [--job-duration 10] [--cue 60] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

PROMPT = "heroic battle on a burning city skyline"
EXPLAIN_PROMPTS = ("city night chase", "切ない別れのシーン、ピアノ", "calm morning in a seaside town",
                   "festival with taiko", "detective in the rain", "heroic battle on a burning city skyline")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, port: int, workers: int | None, jobs: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gekiban", "serve", "--host", "127.0.0.1", "--port", str(port), "--data", str(data),
           "--queue", str(jobs + 2), "--per-client", str(jobs + 2)]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    end = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if time.monotonic() > end:
            raise SystemExit("the server did not answer in 60 s")
        time.sleep(0.1)


def wait_done(http: httpx.Client, job_id: str, timeout: float) -> dict:
    end = time.monotonic() + timeout
    while True:
        job = http.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in ("done", "failed", "cancelled") or time.monotonic() > end:
            return job
        time.sleep(0.05)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))]


async def client_loop(base: str, track_id: str, until: float, lat: dict, status: Counter, rnd: random.Random) -> None:
    groups = ("health", "explain", "list", "track", "mix")
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while time.monotonic() < until:
            group = rnd.choice(groups)
            t0 = time.perf_counter()
            try:
                if group == "health":
                    r = await http.get("/v1/health")
                elif group == "explain":
                    r = await http.get("/v1/explain", params={"prompt": rnd.choice(EXPLAIN_PROMPTS)})
                elif group == "list":
                    r = await http.get("/v1/tracks", params={"limit": 20})
                elif group == "track":
                    r = await http.get(f"/v1/tracks/{track_id}")
                else:
                    r = await http.get(f"/v1/tracks/{track_id}/mix", headers={"Range": "bytes=0-262143"})
                code = r.status_code
            except httpx.HTTPError as exc:
                code = type(exc).__name__
            lat[group].append(time.perf_counter() - t0)
            status[(group, code)] += 1


async def load(base: str, track_id: str, clients: int, seconds: float) -> tuple[dict, Counter]:
    lat: dict[str, list[float]] = defaultdict(list)
    status: Counter = Counter()
    until = time.monotonic() + seconds
    await asyncio.gather(*(client_loop(base, track_id, until, lat, status, random.Random(i)) for i in range(clients)))
    return lat, status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--jobs", type=int, default=20)
    ap.add_argument("--job-duration", type=float, default=10)
    ap.add_argument("--cue", type=float, default=60)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data, port = Path(tmp) / "data", free_port()
        base = f"http://127.0.0.1:{port}"
        print(f"cpus {os.cpu_count()}; server on {base}; {args.clients} clients for {args.seconds:g} s; "
              f"{args.jobs} compose jobs of {args.job_duration:g} s queued at once")
        proc = start_server(data, port, args.workers, args.jobs)
        http = httpx.Client(base_url=base, timeout=60)
        try:
            first = http.post("/v1/tracks", json={"style": "ambient", "duration": 8, "seed": 1}).json()["job"]["id"]
            track_id = wait_done(http, first, 120)["track"]

            idle_lat, idle_status = asyncio.run(load(base, track_id, 1, 5))
            print("one client alone for 5 s (the floor):  " + ", ".join(
                f"{g} p50 {pct(idle_lat[g], 50) * 1e3:.1f} ms" for g in ("health", "explain", "list", "track", "mix")
                if idle_lat.get(g)))

            submitted, refused = [], Counter()
            t_jobs = time.monotonic()
            for k in range(args.jobs):
                r = http.post("/v1/tracks", json={"prompt": random.Random(k).choice(EXPLAIN_PROMPTS),
                                                  "duration": args.job_duration, "seed": 100 + k})
                if r.status_code == 202:
                    submitted.append(r.json()["job"]["id"])
                else:
                    refused[r.status_code] += 1
            lat, status = asyncio.run(load(base, track_id, args.clients, args.seconds))

            print(f"\n{'group':<8} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  answers")
            for group in ("health", "explain", "list", "track", "mix"):
                values = lat.get(group, [])
                codes = ", ".join(f"{c}: {n}" for (g, c), n in sorted(status.items(), key=str) if g == group)
                print(f"{group:<8} {len(values):>8} {pct(values, 50) * 1e3:>8.1f} {pct(values, 95) * 1e3:>8.1f} "
                      f"{pct(values, 99) * 1e3:>8.1f}  {codes}")
            total = sum(status.values())
            bad = {k: n for k, n in status.items() if not (isinstance(k[1], int) and (200 <= k[1] < 300 or k[1] == 429))}
            print(f"throughput {total / args.seconds:.0f} requests/s; errors other than 429: {sum(bad.values())} {bad or ''}")
            print(f"compose jobs: {len(submitted)} accepted, refused {dict(refused) or 0}")

            finals = [wait_done(http, j, 60 + 30 * args.jobs) for j in submitted]
            states = Counter(j["state"] for j in finals)
            lost = [j["id"] for j in finals if j["state"] != "done" or
                    http.get(f"/v1/tracks/{j['track']}").status_code != 200]
            print(f"jobs: {dict(states)} in {time.monotonic() - t_jobs:.1f} s; lost {len(lost)} {lost or ''}")
            health = http.get("/v1/health")
            print(f"afterwards: /v1/health {health.status_code} {health.json()}")

            t0 = time.monotonic()
            job = http.post("/v1/tracks", json={"prompt": PROMPT, "duration": args.cue, "seed": 7}).json()["job"]
            job = wait_done(http, job["id"], 600)
            api_s = time.monotonic() - t0
            print(f"\n{args.cue:g} s cue through the API (warm worker, POST to done): {api_s:.2f} s ({job['state']})")
        finally:
            http.close()
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        t0 = time.monotonic()
        out = subprocess.run([sys.executable, "-m", "gekiban", "compose", PROMPT, "--duration", str(args.cue), "--seed",
                              "7", "--out", str(Path(tmp) / "cli"), "-q"], capture_output=True, text=True)
        cli_s = time.monotonic() - t0
        print(f"{args.cue:g} s cue with the cold CLI (fresh process): {cli_s:.2f} s (exit {out.returncode})")
        print(f"API / CLI: {api_s / cli_s:.2f}")


if __name__ == "__main__":
    main()
