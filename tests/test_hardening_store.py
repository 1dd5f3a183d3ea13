"""The run store refuses files that are not actlab stores (one line, exit 2) and never modifies them; it records its
schema version. Rows of issue 18's table: `--store` on random bytes, on another program's SQLite file with a `runs`
table."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3

import pytest

from actlab.compare.store import SCHEMA_VERSION, NotAStore, Store

COMPARE = ("compare", "-a", "relu", "--dataset", "iris", "--seeds", "1", "--epochs", "1", "-j", "0", "-q")


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _garbage(path):
    path.write_bytes(os.urandom(4096))


def _other_with_runs(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO runs VALUES (1, 'not ours')")
    db.commit()
    db.close()


def _other_without_runs(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
    db.commit()
    db.close()


def _newer(path):
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE name = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.execute("PRAGMA journal_mode=DELETE")  # fold the WAL back: one self-contained file to compare
    db.close()


def _damaged(path):
    _other_without_runs(path)
    data = bytearray(path.read_bytes())
    data[100:] = os.urandom(len(data) - 100)  # a valid header, garbage pages
    path.write_bytes(bytes(data))


CASES = {
    "random bytes": (_garbage, "not an SQLite database"),
    "another program's SQLite with a runs table": (_other_with_runs, "another program (its 'runs' table lacks"),
    "another program's SQLite": (_other_without_runs, "another program (tables: invoices)"),
    "a newer actlab schema": (_newer, f"schema version {SCHEMA_VERSION + 1}, written by a newer actlab"),
    "a damaged SQLite file": (_damaged, "not an actlab run store"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_store_refuses_a_foreign_file_and_leaves_it_byte_identical(case, tmp_path):
    make, fragment = CASES[case]
    path = tmp_path / "runs.sqlite"
    make(path)
    before = _digest(path)
    siblings = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(NotAStore, match=re.escape(fragment)) as err:
        Store(path)
    assert str(path) in str(err.value)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings  # no -wal / -shm left behind either


@pytest.mark.parametrize("case", list(CASES))
def test_compare_cli_refuses_a_foreign_store_in_one_line(case, tmp_path, actlab_cli):
    make, fragment = CASES[case]
    path = tmp_path / "runs.sqlite"
    make(path)
    before = _digest(path)
    proc = actlab_cli(*COMPARE, "--store", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"actlab compare: error: {path}: "), proc.stderr
    assert fragment in lines[0]
    assert _digest(path) == before


def test_an_empty_file_becomes_a_store_that_records_its_schema_version(tmp_path):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"")
    store = Store(path)
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    db.close()
    Store(path).close()  # and it opens again


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(NotAStore, match="is a directory"):
        Store(tmp_path)
