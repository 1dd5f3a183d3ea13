"""The run store: every run is one row of an embedded SQLite database, so nothing finished is ever lost.

Why SQLite in WAL mode: readers never block the writer, a crash mid-write leaves the last committed state, and two
``compare`` processes can share one file. Claiming work is one ``BEGIN IMMEDIATE`` transaction (the write lock is
taken before the row is read), so no two processes ever get the same run.

A claimed run holds a *lease*: the owner (``host:pid``) renews it from a heartbeat thread. A run left 'running' is
taken over when its owner is gone — at once if the owner was on this host and its pid is dead (a ``kill -9``), or
when the lease runs out (an owner on another host, or a hung one).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from actlab.errors import ActlabError

STATUSES = ("pending", "running", "done", "failed", "diverged")
FINISHED = ("done", "diverged")
SCHEMA_VERSION = 1
LEASE_SECONDS = 60.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key          TEXT PRIMARY KEY,
    activation   TEXT NOT NULL,
    dataset      TEXT NOT NULL,
    model        TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    backend      TEXT NOT NULL,
    config       TEXT NOT NULL,                 -- the full configuration, canonical JSON
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'running', 'done', 'failed', 'diverged')),
    owner        TEXT,                          -- host:pid of the process that claimed it
    lease_until  REAL,                          -- unix time; a running run past its lease may be taken over
    attempts     INTEGER NOT NULL DEFAULT 0,
    created      REAL NOT NULL,
    started      REAL,
    finished     REAL,
    final_score  REAL,
    best_score   REAL,
    final_loss   REAL,
    train_time   REAL,
    metrics      TEXT,                          -- JSON: every metric, incl. dead units, saturation, grad norms
    curve        TEXT,                          -- JSON: per-epoch loss, train_score, test_score
    versions     TEXT,                          -- JSON: python, numpy, actlab, torch
    host         TEXT,                          -- where the run was computed (a Ray worker may be elsewhere)
    worker       TEXT,                          -- host:pid of the process that computed it
    error        TEXT
);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
CREATE INDEX IF NOT EXISTS runs_group ON runs (dataset, activation);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

COLUMNS = (
    "key", "activation", "dataset", "model", "seed", "backend", "config", "status", "owner", "lease_until",
    "attempts", "created", "started", "finished", "final_score", "best_score", "final_loss", "train_time", "metrics",
    "curve", "versions", "host", "worker", "error",
)
JSON_COLUMNS = ("config", "metrics", "curve", "versions")


class NotAStore(ActlabError, ValueError):
    """A --store file that is not an actlab run store this version can use (it is left untouched)."""


_SQLITE_MAGIC = b"SQLite format 3\x00"


def check_store_file(path: Path) -> None:
    """Refuse, without modifying it, a file that is not an actlab run store: not SQLite, another program's database,
    or a store written by a newer actlab. A missing or empty file is fine (it becomes a new store).

    The file is inspected through a read-only, immutable connection before any connection that could write it (the
    WAL pragma alone rewrites the header), so a refused file stays byte-identical.
    """
    if not path.exists() or path.is_dir() or path.stat().st_size == 0:
        if path.is_dir():
            raise NotAStore(f"{path}: is a directory, not an actlab run store (give a file name, e.g. runs.sqlite)")
        return
    with open(path, "rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        raise NotAStore(f"{path}: not an actlab run store: not an SQLite database (it starts with {head[:8]!r}); "
                        "give --store a new file name or an existing actlab store")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            columns = {r[1] for r in db.execute("PRAGMA table_info(runs)")} if "runs" in tables else set()
            version = None
            if "meta" in tables:
                row = db.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone()
                version = row[0] if row else None
        finally:
            db.close()
    except sqlite3.DatabaseError as err:
        raise NotAStore(f"{path}: not an actlab run store: a damaged SQLite database ({err})") from None
    if not tables:
        return  # an SQLite file with nothing in it yet
    if "runs" not in tables or "meta" not in tables or version is None or not set(COLUMNS) <= columns:
        missing = sorted(set(COLUMNS) - columns)
        what = (f"its 'runs' table lacks actlab's columns ({', '.join(missing[:4])}{', ...' if len(missing) > 4 else ''})"
                if "runs" in tables and missing else f"tables: {', '.join(sorted(tables)[:6])}")
        raise NotAStore(f"{path}: not an actlab run store: an SQLite database of another program ({what}); "
                        "give --store a new file name or an existing actlab store")
    if not str(version).isdigit() or int(version) > SCHEMA_VERSION:
        raise NotAStore(f"{path}: an actlab run store of schema version {version}, written by a newer actlab; this "
                        f"version reads schema version {SCHEMA_VERSION} and older. Upgrade actlab to use it.")


def this_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    # A zombie (dead, not yet reaped by its parent) still answers kill(0); it does no work, so it is dead to us.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def owner_dead(owner: str | None) -> bool:
    """True when ``owner`` ('host:pid') ran on this host and that process no longer exists."""
    if not owner or ":" not in owner:
        return False
    host, _, pid = owner.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid))


class Store:
    """A run store at ``path`` (created on first use). Safe to share between threads and processes.

    >>> import tempfile, os
    >>> s = Store(os.path.join(tempfile.mkdtemp(), "runs.sqlite"))
    >>> s.counts()
    {'pending': 0, 'running': 0, 'done': 0, 'failed': 0, 'diverged': 0}
    """

    def __init__(self, path: str | os.PathLike, *, lease: float = LEASE_SECONDS, create: bool = True):
        self.path = Path(path)
        self.lease = float(lease)
        self.owner = this_owner()
        if not create and not self.path.exists():
            raise FileNotFoundError(f"{self.path}: no such run store")
        check_store_file(self.path)
        self._local = threading.local()
        # executescript commits on its own, so the script carries its transaction (two processes may race here).
        self._db().executescript(
            f"BEGIN IMMEDIATE;{SCHEMA}"
            f"INSERT OR IGNORE INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');COMMIT;"
        )

    # --- connections ------------------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)  # explicit transactions only
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across process crashes
            db.execute("PRAGMA busy_timeout=60000")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: the write lock is held from the first read, so read-then-update is atomic."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # --- writing ----------------------------------------------------------------------------------------------

    def add(self, configs: Iterable[dict[str, Any]]) -> int:
        """Insert the runs not stored yet (as pending); return how many were new. Existing rows are untouched."""
        now = time.time()
        rows = [
            (c["key"], c["activation"], c["dataset"]["name"], c["model"], c["seed"], c["backend"],
             json.dumps(c, sort_keys=True), now)
            for c in configs
        ]
        with self._tx() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO runs (key, activation, dataset, model, seed, backend, config, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            return db.total_changes - before

    def retry_failed(self, keys: Sequence[str]) -> int:
        """Put the failed runs among ``keys`` back to pending (a new command is a new attempt)."""
        with self._tx() as db:
            return self._update_keys(db, "UPDATE runs SET status='pending', error=NULL WHERE status='failed'", keys)

    def claim(self, keys: Sequence[str] | None = None) -> dict[str, Any] | None:
        """Atomically take one runnable run (pending, or running under a dead owner or an expired lease).

        Returns its configuration, or None when nothing among ``keys`` (all runs when None) is runnable now.
        """
        now = time.time()
        with self._tx() as db:
            where, params = _keys_clause(keys)
            rows = db.execute(
                f"SELECT key, status, owner, lease_until, config FROM runs WHERE {where} "
                "AND (status='pending' OR status='running') ORDER BY status DESC, rowid",  # abandoned runs first
                params,
            ).fetchall()
            for row in rows:
                if row["status"] == "running":
                    if row["owner"] == self.owner:
                        continue  # ours, in flight
                    if not (owner_dead(row["owner"]) or (row["lease_until"] or 0) < now):
                        continue
                db.execute(
                    "UPDATE runs SET status='running', owner=?, lease_until=?, started=?, attempts=attempts+1 "
                    "WHERE key=?",
                    (self.owner, now + self.lease, now, row["key"]),
                )
                return json.loads(row["config"])
        return None

    def heartbeat(self) -> int:
        """Renew the lease of every run this process holds; returns how many."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE runs SET lease_until=? WHERE owner=? AND status='running'",
                (time.time() + self.lease, self.owner),
            )
            return cur.rowcount

    def finish(self, key: str, result: dict[str, Any]) -> bool:
        """Record a run's result; ``result['status']`` is done, diverged or failed.

        Only the current owner may finish a run, so a run taken over after a lost lease is written once.
        """
        status = result.get("status", "done")
        if status not in ("done", "diverged", "failed"):
            raise ValueError(f"a finished run's status is done, diverged or failed; got {status!r}")
        m = result.get("metrics") or {}
        with self._tx() as db:
            cur = db.execute(
                "UPDATE runs SET status=?, finished=?, lease_until=NULL, final_score=?, best_score=?, final_loss=?, "
                "train_time=?, metrics=?, curve=?, versions=?, host=?, worker=?, error=? "
                "WHERE key=? AND owner=? AND status='running'",
                (
                    status, time.time(), m.get("final_score"), m.get("best_score"), m.get("final_loss"),
                    m.get("train_time"), _dumps(m), _dumps(result.get("curve")), _dumps(result.get("versions")),
                    result.get("host"), result.get("worker", self.owner), result.get("error"), key, self.owner,
                ),
            )
            return cur.rowcount == 1

    def release(self, keys: Sequence[str] | None = None) -> int:
        """Give this process's running runs back (pending) — on Ctrl-C, so another process can take them."""
        with self._tx() as db:
            sql = "UPDATE runs SET status='pending', owner=NULL, lease_until=NULL WHERE owner=? AND status='running'"
            if keys is None:
                return db.execute(sql, (self.owner,)).rowcount
            return self._update_keys(db, sql, keys, (self.owner,))

    @staticmethod
    def _update_keys(db: sqlite3.Connection, sql: str, keys: Sequence[str], params: tuple = ()) -> int:
        n = 0
        for i in range(0, len(keys), 500):  # stay under SQLite's host-parameter limit
            chunk = list(keys[i : i + 500])
            n += db.execute(f"{sql} AND key IN ({','.join('?' * len(chunk))})", (*params, *chunk)).rowcount
        return n

    # --- reading ----------------------------------------------------------------------------------------------

    def runs(self, keys: Sequence[str] | None = None, status: str | Sequence[str] | None = None) -> list[dict]:
        """Rows as dicts (JSON columns decoded), in insertion order; optionally only ``keys`` / ``status``."""
        where, params = _keys_clause(keys)
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            where += f" AND status IN ({','.join('?' * len(statuses))})"
            params = (*params, *statuses)
        rows = self._db().execute(f"SELECT * FROM runs WHERE {where} ORDER BY rowid", params).fetchall()
        out = []
        for row in rows:
            d = dict(row)
            for col in JSON_COLUMNS:
                if d[col] is not None:
                    d[col] = json.loads(d[col])
            out.append(d)
        return out

    def counts(self, keys: Sequence[str] | None = None) -> dict[str, int]:
        where, params = _keys_clause(keys)
        found = dict(
            self._db().execute(f"SELECT status, COUNT(*) FROM runs WHERE {where} GROUP BY status", params).fetchall()
        )
        return {s: int(found.get(s, 0)) for s in STATUSES}

    def integrity(self) -> str:
        return self._db().execute("PRAGMA integrity_check").fetchone()[0]


def _keys_clause(keys: Sequence[str] | None) -> tuple[str, tuple]:
    if keys is None:
        return "1", ()
    keys = list(keys)
    if len(keys) > 30000:  # beyond SQLite's parameter limit: filter in Python instead (rare, huge sweeps)
        raise ValueError("a plan of more than 30000 runs; split it into several comparisons")
    return f"key IN ({','.join('?' * len(keys))})" if keys else "0", tuple(keys)


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, allow_nan=True)


class Heartbeat:
    """A daemon thread renewing this process's leases every ``lease / 4`` seconds while the context is open."""

    def __init__(self, store: Store):
        self.store = store
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="actlab-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.store.lease / 4):
            try:
                self.store.heartbeat()
            except sqlite3.OperationalError:  # busy for a minute: try again next beat; the lease has slack
                pass
        self.store.close()

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
