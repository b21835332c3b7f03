"""The job table: the jobs of the server's queue, kept in the library's database so they outlive
a crash; what a restart does with the jobs it finds running."""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import sqlite3
from typing import Any

from gekiban.errors import InvalidOptionError, NotFoundError
from gekiban.library.db import Database, now
from gekiban.library.records import JOB_STATES, OPERATIONS, JobRecord

#: How many times a job may be started by servers that stop while it runs.
MAX_ATTEMPTS = 2
STOPPED_TWICE = "the server stopped twice while it ran"
_UPDATABLE = ("state", "stage", "progress", "started", "finished", "error", "tracks", "attempts")


def client_key(client: str) -> str:
    """How a client is recorded: a hash, so a token used as the client's name is never stored."""
    return hashlib.sha256(str(client).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def job_from_row(row: sqlite3.Row) -> JobRecord:
    """A :class:`JobRecord` from its database row."""
    return JobRecord(id=row["id"], kind=row["kind"], state=row["state"], stage=row["stage"], progress=row["progress"],
                     params=json.loads(row["params"]), client=row["client"], parent=row["parent"],
                     created=row["created"], started=row["started"], finished=row["finished"], error=row["error"],
                     tracks=tuple(json.loads(row["tracks"])), attempts=row["attempts"])


class JobTable:
    """The job methods of :class:`gekiban.library.Library` (which owns ``_db``)."""

    _db: Database

    def create_job(self, kind: str, params: dict[str, Any], *, client: str, parent: str | None = None) -> JobRecord:
        """Record a new queued job (attempt 1) and return it.

        Raises
        ------
        InvalidOptionError
            For an unknown kind or params that are not a JSON object.
        """
        if kind not in OPERATIONS:
            raise InvalidOptionError(f"unknown job kind {kind!r}: use one of {', '.join(OPERATIONS)}")
        if not isinstance(params, dict):
            raise InvalidOptionError(f"job params must be a JSON object, not {type(params).__name__}")
        try:
            text = json.dumps(params, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidOptionError(f"job params cannot be stored as JSON: {exc}") from None
        with self._db.transaction() as conn:
            job_id = _new_job_id(conn)
            conn.execute("INSERT INTO jobs (id, kind, state, stage, progress, params, client, parent, created, tracks, "
                         "attempts) VALUES (?, ?, 'queued', 'queued', 0.0, ?, ?, ?, ?, '[]', 1)",
                         (job_id, kind, text, client_key(client), parent, now()))
        return self.get_job(job_id)

    def get_job(self, job_id: str) -> JobRecord:
        """The job ``job_id``.

        Raises
        ------
        NotFoundError
            If there is none.
        """
        rows = self._db.query("SELECT * FROM jobs WHERE id = ?", (str(job_id),))
        if not rows:
            raise NotFoundError(f"no job {job_id!r}")
        return job_from_row(rows[0])

    def update_job(self, job_id: str, **fields: Any) -> JobRecord:
        """Set ``fields`` (state, stage, progress, started, finished, error, tracks, attempts) of
        a job and return it.

        Raises
        ------
        InvalidOptionError
            For a field that may not be set or a bad state or progress.
        NotFoundError
            If there is no such job.
        """
        unknown = sorted(set(fields) - set(_UPDATABLE))
        if unknown:
            raise InvalidOptionError(f"job field {unknown[0]!r} cannot be set: use {', '.join(_UPDATABLE)}")
        if "state" in fields and fields["state"] not in JOB_STATES:
            raise InvalidOptionError(f"unknown job state {fields['state']!r}: use one of {', '.join(JOB_STATES)}")
        if "progress" in fields:
            progress = float(fields["progress"])
            fields["progress"] = min(1.0, max(0.0, progress)) if math.isfinite(progress) else 0.0
        if "tracks" in fields:
            fields["tracks"] = json.dumps([str(t) for t in fields["tracks"]])
        if fields:
            with self._db.transaction() as conn:
                cur = conn.execute(f"UPDATE jobs SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                                   (*fields.values(), str(job_id)))
                if cur.rowcount == 0:
                    raise NotFoundError(f"no job {job_id!r}")
        return self.get_job(job_id)

    def jobs(self, states: tuple[str, ...] = ()) -> list[JobRecord]:
        """Jobs in creation order, only those in ``states`` when given."""
        if states:
            marks = ", ".join("?" * len(states))
            rows = self._db.query(f"SELECT * FROM jobs WHERE state IN ({marks}) ORDER BY n", tuple(states))
        else:
            rows = self._db.query("SELECT * FROM jobs ORDER BY n")
        return [job_from_row(r) for r in rows]

    def count_active(self, client: str | None = None) -> int:
        """How many jobs are queued or running, of ``client`` only when given."""
        sql = "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')"
        rows = self._db.query(sql + " AND client = ?", (client_key(client),)) if client is not None else self._db.query(sql)
        return int(rows[0][0])

    def recover_jobs(self) -> tuple[list[str], list[str]]:
        """After a crash: re-queue the jobs found running (their next attempt), and fail those
        that were already on their second.

        Returns
        -------
        tuple
            The ids re-queued and the ids failed.
        """
        requeued: list[str] = []
        failed: list[str] = []
        with self._db.transaction() as conn:
            for row in conn.execute("SELECT id, attempts FROM jobs WHERE state = 'running' ORDER BY n").fetchall():
                if row["attempts"] >= MAX_ATTEMPTS:
                    conn.execute("UPDATE jobs SET state = 'failed', error = ?, finished = ? WHERE id = ?",
                                 (STOPPED_TWICE, now(), row["id"]))
                    failed.append(row["id"])
                else:
                    conn.execute("UPDATE jobs SET state = 'queued', stage = 'queued', progress = 0.0, started = NULL, "
                                 "attempts = attempts + 1 WHERE id = ?", (row["id"],))
                    requeued.append(row["id"])
        return requeued, failed


def _new_job_id(conn: sqlite3.Connection) -> str:
    while True:
        job_id = "j" + secrets.token_hex(6)[:11]
        if conn.execute("SELECT 1 FROM jobs WHERE id = ?", (job_id,)).fetchone() is None:
            return job_id
