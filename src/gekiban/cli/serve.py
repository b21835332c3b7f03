"""``gekiban serve``: the HTTP API and the web studio on uvicorn.

FastAPI and uvicorn are imported only when the command runs, so ``gekiban --help`` stays fast.
Bound to a host other than loopback the server needs ``--token`` and refuses to start without one.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

from gekiban.errors import InvalidOptionError

#: Bounds of the numeric options.
MAX_WORKERS = 64
MAX_QUEUE = 10_000


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def _count(value: str | int | None, what: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        n = None
    if n is None or not low <= n <= high:
        raise InvalidOptionError(f"{what} {value!r} is not allowed: give a whole number from {low} to {high}")
    return n


def check_serve_options(args: argparse.Namespace) -> dict[str, object]:
    """The checked options of ``gekiban serve``, as keyword arguments of ``create_app`` plus
    ``host`` and ``port``.

    Raises
    ------
    InvalidOptionError
        For a bad port, worker or queue count, a non-loopback host without ``--token``, or a
        CORS origin that is not an http(s) origin, or a scheduler that is not ``tcp://host:port``.
    """
    host = str(args.host).strip()
    if not host:
        raise InvalidOptionError("--host is empty: give 127.0.0.1 (this machine only) or an address")
    token = args.token if args.token is not None else os.environ.get("GEKIBAN_TOKEN") or None
    if token is not None and (len(token) < 8 or any(c.isspace() for c in token)):
        raise InvalidOptionError("--token must be at least 8 characters without spaces")
    if not is_loopback(host) and not token:
        raise InvalidOptionError(f"--host {host} can be reached from other machines: give --token TOKEN (every "
                                 "request then needs `Authorization: Bearer TOKEN`), or serve on 127.0.0.1")
    origins = tuple(o.rstrip("/") for o in args.cors_origin)
    for origin in origins:
        if not (origin.startswith(("http://", "https://")) or origin == "*"):
            raise InvalidOptionError(f"--cors-origin {origin!r} is not an origin such as https://example.com")
    from gekiban.server.app import default_workers  # the app module, not FastAPI yet: cheap enough
    from gekiban.library import default_data_dir

    scheduler = None
    if getattr(args, "scheduler", None):
        from gekiban.executor.dask import check_scheduler_address  # imports distributed: only when asked

        scheduler = check_scheduler_address(args.scheduler)

    return {
        "host": host,
        "port": _count(args.port, "--port", 1, 65535),
        "data_dir": Path(args.data).expanduser() if args.data else default_data_dir(),
        "workers": _count(args.workers, "--workers", 1, MAX_WORKERS) or default_workers(),
        "token": token,
        "cors_origins": origins,
        "max_jobs": _count(args.queue, "--queue", 1, MAX_QUEUE),
        "per_client": _count(args.per_client, "--per-client", 1, MAX_QUEUE),
        "soundfont": args.soundfont,
        "scheduler": scheduler,
    }


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server until interrupted."""
    opts = check_serve_options(args)
    host, port = str(opts.pop("host")), int(opts.pop("port"))  # type: ignore[call-overload]
    import uvicorn

    from gekiban.server.app import create_app

    if opts["scheduler"]:  # a dead address is refused here, not as a traceback from the app's start
        from gekiban.executor.dask import probe_scheduler

        probe_scheduler(str(opts["scheduler"]))
    app = create_app(**opts)  # type: ignore[arg-type]
    url = _url(host, port)
    print(f"gekiban studio: {url}/", flush=True)
    print(f"API docs:       {url}/docs", flush=True)
    where = (f"jobs on the Dask cluster at {opts['scheduler']}" if opts["scheduler"]
             else f"{opts['workers']} worker{'s' if opts['workers'] != 1 else ''}")
    print(f"data folder:    {opts['data_dir']}  ({where})", flush=True)
    if opts["token"]:
        print("every /v1 request needs `Authorization: Bearer TOKEN`", flush=True)
    uvicorn.run(app, host=host, port=port, log_level=args.log_level, access_log=args.log_level == "debug")
    sys.stdout.flush()
    return 0


def add_serve_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``gekiban serve`` and its options."""
    s = sub.add_parser("serve", help="run the HTTP API and the web studio",
                       description="Serve the HTTP API (/v1, OpenAPI at /docs) and the web studio (/) on uvicorn. "
                       "Jobs run on warm worker processes; tracks go to the data folder's library.")
    s.add_argument("--host", default="127.0.0.1", metavar="HOST",
                   help="address to listen on (default 127.0.0.1; any other needs --token)")
    s.add_argument("--port", default="8000", metavar="PORT", help="port (default 8000)")
    s.add_argument("--data", metavar="DIR", help="data folder (default $GEKIBAN_DATA, else ~/.local/share/gekiban)")
    s.add_argument("--workers", metavar="N", help="worker processes (default 1 on ≤ 2 CPUs, else CPUs - 1)")
    s.add_argument("--token", metavar="TOKEN",
                   help="require `Authorization: Bearer TOKEN` on every /v1 request (default $GEKIBAN_TOKEN)")
    s.add_argument("--cors-origin", action="extend", nargs="+", default=[], metavar="URL",
                   help="allow browser calls from these origins (one or more, repeatable; default none: CORS closed)")
    s.add_argument("--queue", default="20", metavar="N", help="jobs queued or running at most, in all (default 20)")
    s.add_argument("--per-client", default="4", metavar="N", help="jobs queued or running at most per client (default 4)")
    s.add_argument("--soundfont", metavar="PATH", help="General MIDI SoundFont (default as for compose)")
    s.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run jobs on this Dask scheduler's workers instead of local processes (they must see the "
                   "data folder at the same path; --workers is then ignored)")
    s.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"),
                   help="uvicorn's log level (default warning)")
