"""The track library: finished bundles in ``DATA/tracks/<id>/`` indexed by ``DATA/library.sqlite``.

A job writes into ``DATA/staging/<name>/``; :meth:`Library.add` moves the finished bundle into
``tracks/`` with one rename, then inserts its row, so the folder is complete before anything
lists it. Deleting renames the folder to a trash name first, then deletes the row, then the
files. Opening the library repairs what a crash left: staging folders, track folders without a
row, trash folders (their rows go too); a row whose folder is gone is marked missing and no
longer listed. Every path handed out comes from a record, never from client text.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sqlite3
from pathlib import Path
from collections.abc import Sequence
from typing import Any

from gekiban.errors import InvalidOptionError, NotFoundError, OutputError
from gekiban.library.db import Database, now
from gekiban.library.facts import bundle_facts, default_title, style_names
from gekiban.library.jobs import JobTable
from gekiban.library.records import (
    OPERATIONS,
    Page,
    TrackRecord,
    check_filter,
    check_flag,
    check_page,
    check_range,
    check_tags,
    check_title,
)
from gekiban.library.uploads import save_upload as store_upload
from gekiban.library.uploads import upload_path as find_upload

_STAGING_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_TRASH = re.compile(r"\.trash-(?P<id>[0-9a-f]{12})-[0-9a-f]{8}")
_FILES = ("mix", "midi", "json", "musicxml", "stem")


class Library(JobTable):
    """The tracks and jobs of one data folder (created when missing); safe to share between
    threads. See the module's description for the folder layout and the crash rules.

    Raises
    ------
    OutputError
        If the data folder or its database cannot be created or opened.
    """

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir).expanduser().absolute()
        self.tracks_dir = self.data_dir / "tracks"
        self.staging_dir = self.data_dir / "staging"
        self.uploads_dir = self.data_dir / "uploads"
        try:
            for folder in (self.tracks_dir, self.staging_dir, self.uploads_dir):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create the data folder {str(self.data_dir)!r}: {exc.strerror or exc}") from None
        self._db = Database(self.data_dir / "library.sqlite")
        self._recover()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _recover(self) -> None:
        """Remove what a crash left half-done (see the module's description)."""
        for entry in self.staging_dir.iterdir():
            _remove(entry)
        with self._db.transaction() as conn:
            known = {row["id"] for row in conn.execute("SELECT id FROM tracks")}
            for entry in self.tracks_dir.iterdir():
                trash = _TRASH.fullmatch(entry.name)
                if trash:  # a delete that stopped after its rename: finish it
                    conn.execute("DELETE FROM tracks WHERE id = ?", (trash["id"],))
                    known.discard(trash["id"])
                    _remove(entry)
                elif entry.name not in known:  # a crash between rename and insert
                    _remove(entry)
            for track_id in known:
                gone = not (self.tracks_dir / track_id).is_dir()
                conn.execute("UPDATE tracks SET missing = ? WHERE id = ?", (int(gone), track_id))

    # ─── tracks ────────────────────────────────────────────────────────────────────────────

    def new_staging(self, name: str) -> Path:
        """A new, empty folder ``staging/<name>`` for a job to write into.

        Raises
        ------
        InvalidOptionError
            If ``name`` is not 1-64 letters, digits, ``-`` or ``_`` (starting with a letter or
            digit), or the folder exists already.
        """
        if not isinstance(name, str) or not _STAGING_NAME.fullmatch(name):
            raise InvalidOptionError(f"bad staging name {name!r}: use 1-64 letters, digits, '-' or '_'")
        folder = self.staging_dir / name
        try:
            folder.mkdir()
        except FileExistsError:
            raise InvalidOptionError(f"staging folder {name!r} exists already") from None
        return folder

    def add(self, staged: str | os.PathLike[str], *, title: str | None = None, tags: Any = (),
            parent: str | None = None, operation: str = "compose") -> TrackRecord:
        """Move a finished bundle into the library and record it (:meth:`add_all` of one)."""
        return self.add_all([staged], title=title, tags=tags, parent=parent, operation=operation)[0]

    def add_all(self, staged: Sequence[str | os.PathLike[str]], *, title: str | None = None, tags: Any = (),
                parent: str | None = None, operation: str = "compose", job: str | None = None) -> list[TrackRecord]:
        """Move finished bundles into the library and record them, and mark ``job`` done with
        them, all or nothing: each folder moves in with one rename, then one transaction
        inserts every row and finishes the job (a failure moves the folders back).

        Parameters
        ----------
        staged
            Bundle folders inside ``staging/`` (each one's ``track.json`` gives its facts).
        title, tags
            As :meth:`update` checks them; the title defaults to the prompt, else the style.
        parent
            The id of the track these were made from.
        operation
            compose, extend, edit, vary or loop.
        job
            The job that made them: set ``done`` with their ids in the same transaction, so a
            crash cannot leave the tracks listed and the job to run again.

        Raises
        ------
        InvalidOptionError
            For a bad title, tags or operation, or a folder outside ``staging/``.
        BundleError
            If a folder holds no readable bundle or its files are not all there.
        NotFoundError
            If ``job`` does not exist.
        """
        folders = [Path(f).absolute() for f in staged]
        for folder, given in zip(folders, staged):
            if not folder.is_relative_to(self.staging_dir) or folder == self.staging_dir:
                raise InvalidOptionError(f"{str(given)!r} is not a folder in the library's staging area")
        if operation not in OPERATIONS:
            raise InvalidOptionError(f"unknown operation {operation!r}: use one of {', '.join(OPERATIONS)}")
        tags = check_tags(tags)
        all_facts = [bundle_facts(folder) for folder in folders]
        for facts in all_facts:
            facts["title"] = check_title(title) if title is not None else default_title(facts)
        moved: list[tuple[Path, Path]] = []
        with self._db.lock:
            try:
                ids = []
                for folder in folders:
                    ids.append(self._new_track_id())
                    os.rename(folder, self.tracks_dir / ids[-1])
                    moved.append((folder, self.tracks_dir / ids[-1]))
                with self._db.transaction() as conn:
                    for track_id, facts in zip(ids, all_facts):
                        conn.execute(
                            "INSERT INTO tracks (id, title, prompt, style, style_names, mood, tempo, key, meter, "
                            "duration, loopable, tags, created, parent, operation, seed, brief, sections, files) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (track_id, facts["title"], facts["prompt"], facts["style"], style_names(facts["style"]),
                             facts["mood"], facts["tempo"], facts["key"], facts["meter"], facts["duration"],
                             int(facts["loopable"]), json.dumps(list(tags), ensure_ascii=False), now(), parent,
                             operation, facts["seed"], json.dumps(facts["brief"], ensure_ascii=False),
                             json.dumps(facts["sections"], ensure_ascii=False), json.dumps(facts["files"])))
                    if job is not None:
                        done = conn.execute("UPDATE jobs SET state = 'done', stage = 'done', progress = 1.0, "
                                            "tracks = ?, finished = ? WHERE id = ?", (json.dumps(ids), now(), job))
                        if done.rowcount == 0:
                            raise NotFoundError(f"no job {job!r}")
            except BaseException:
                for folder, target in reversed(moved):
                    os.rename(target, folder)
                raise
        return [self.get(track_id) for track_id in ids]

    def _new_track_id(self) -> str:
        while True:
            track_id = secrets.token_hex(6)
            if not (self.tracks_dir / track_id).exists() and not self._db.query(
                    "SELECT 1 FROM tracks WHERE id = ?", (track_id,)):
                return track_id

    def get(self, track_id: str) -> TrackRecord:
        """The track ``track_id``.

        Raises
        ------
        NotFoundError
            If there is none, or its files are missing.
        """
        rows = self._db.query("SELECT * FROM tracks WHERE id = ? AND missing = 0", (str(track_id),))
        if not rows:
            raise NotFoundError(f"no track {track_id!r} in the library")
        return _record(rows[0])

    def search(self, *, q: str | None = None, style: str | None = None, mood: str | None = None,
               key: str | None = None, tempo_min: Any = None, tempo_max: Any = None, duration_min: Any = None,
               duration_max: Any = None, loopable: Any = None, limit: Any = 20, offset: Any = 0) -> Page:
        """Tracks matching every filter given, newest first.

        ``q`` is a case-insensitive substring of the prompt, the title or a tag; ``style``
        matches a style of the track's blend; ``mood`` and ``key`` match whole, ignoring case.

        Raises
        ------
        InvalidOptionError
            For a bad filter, a range whose low end passes its high end, ``limit`` outside
            1-100 or a negative ``offset`` (``field`` names it).
        """
        limit, offset = check_page(limit, offset)
        where, args = ["missing = 0"], []
        text = check_filter("q", q)
        if text is not None:
            where.append("(instr(fold(prompt), ?) OR instr(fold(title), ?) OR instr(fold(tags), ?))")
            args += [text.casefold()] * 3
        for column, value in (("style", check_filter("style", style)), ("mood", check_filter("mood", mood)),
                              ("key", check_filter("key", key))):
            if value is None:
                continue
            if column == "style":
                where.append("instr(style_names, ?)")
                args.append(f"+{value.casefold()}+")
            else:
                where.append(f"fold({column}) = ?")
                args.append(value.casefold())
        for column, low, high in (("tempo", tempo_min, tempo_max), ("duration", duration_min, duration_max)):
            lo, hi = check_range(column, low, high)
            if lo is not None:
                where.append(f"{column} >= ?")
                args.append(lo)
            if hi is not None:
                where.append(f"{column} <= ?")
                args.append(hi)
        flag = check_flag("loopable", loopable)
        if flag is not None:
            where.append("loopable = ?")
            args.append(int(flag))
        clause = " AND ".join(where)
        with self._db.lock:
            total = self._db.query(f"SELECT COUNT(*) FROM tracks WHERE {clause}", args)[0][0]
            rows = self._db.query(f"SELECT * FROM tracks WHERE {clause} ORDER BY n DESC LIMIT ? OFFSET ?",
                                  [*args, limit, offset])
        return Page(items=tuple(_record(r) for r in rows), total=int(total), limit=limit, offset=offset)

    def update(self, track_id: str, *, title: str | None = None, tags: Any = None) -> TrackRecord:
        """Change a track's title and/or tags (``None`` leaves one as it is).

        Raises
        ------
        InvalidOptionError
            For a title not of 1-200 characters, or more than 20 tags or a tag not of 1-40.
        NotFoundError
            If there is no such track.
        """
        changes: dict[str, str] = {}
        if title is not None:
            changes["title"] = check_title(title)
        if tags is not None:
            changes["tags"] = json.dumps(list(check_tags(tags)), ensure_ascii=False)
        self.get(track_id)
        if changes:
            with self._db.transaction() as conn:
                conn.execute(f"UPDATE tracks SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
                             (*changes.values(), track_id))
        return self.get(track_id)

    def delete(self, track_id: str) -> None:
        """Delete a track: its row and its files together.

        Raises
        ------
        NotFoundError
            If there is no such track.
        """
        with self._db.lock:
            rows = self._db.query("SELECT id FROM tracks WHERE id = ?", (str(track_id),))
            if not rows:
                raise NotFoundError(f"no track {track_id!r} in the library")
            folder = self.tracks_dir / rows[0]["id"]
            trash = self.tracks_dir / f".trash-{rows[0]['id']}-{secrets.token_hex(4)}"
            moved = folder.is_dir()
            if moved:
                os.rename(folder, trash)
            try:
                with self._db.transaction() as conn:
                    conn.execute("DELETE FROM tracks WHERE id = ?", (rows[0]["id"],))
            except BaseException:
                if moved:
                    os.rename(trash, folder)
                raise
        _remove(trash)

    def bundle_dir(self, track_id: str) -> Path:
        """The bundle folder of a track.

        Raises
        ------
        NotFoundError
            If there is no such track.
        """
        return self.tracks_dir / self.get(track_id).id

    def file(self, track_id: str, which: str, index: int | None = None) -> Path:
        """One file of a track: ``which`` is mix, midi, json, musicxml or stem (``index`` 1-based).

        Raises
        ------
        NotFoundError
            For an unknown track, ``which`` or stem, or a file that is not there.
        """
        record = self.get(track_id)
        if which not in _FILES:
            raise NotFoundError(f"no file {which!r}: use one of {', '.join(_FILES)}")
        if which == "stem":
            stems = record.files.get("stems", ())
            if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= len(stems):
                raise NotFoundError(f"no stem {index!r} in track {record.id}: it has stems 1 to {len(stems)}")
            rel = stems[index - 1]
        elif which == "musicxml" and which not in record.files:
            raise NotFoundError(f"track {record.id} has no score.musicxml: compose it with \"musicxml\": true")
        else:
            rel = record.files[which]
        path = self.tracks_dir / record.id / rel
        if not path.is_file():
            raise NotFoundError(f"the file {rel!r} of track {record.id} is missing")
        return path

    # ─── uploads ───────────────────────────────────────────────────────────────────────────

    def save_upload(self, data: bytes) -> str:
        """Store a MIDI seed (a standard MIDI file, ≤ 2 MB) and return its id.

        Raises
        ------
        InvalidOptionError
            If it is too large or not a readable standard MIDI file.
        """
        return store_upload(self.uploads_dir, data)

    def upload_path(self, upload_id: str) -> Path:
        """The stored MIDI seed ``upload_id``.

        Raises
        ------
        NotFoundError
            If there is none.
        """
        return find_upload(self.uploads_dir, upload_id)


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


def _record(row: sqlite3.Row) -> TrackRecord:
    files = json.loads(row["files"])
    files["stems"] = tuple(files.get("stems", ()))
    return TrackRecord(id=row["id"], title=row["title"], prompt=row["prompt"], style=row["style"], mood=row["mood"],
                       tempo=row["tempo"], key=row["key"], meter=row["meter"], duration=row["duration"],
                       loopable=bool(row["loopable"]), tags=tuple(json.loads(row["tags"])), created=row["created"],
                       parent=row["parent"], operation=row["operation"], seed=row["seed"],
                       brief=json.loads(row["brief"]), sections=tuple(json.loads(row["sections"])), files=files)
