"""Shared by the compare tests: the `actlab compare` command line and a run store's rows read directly."""

from __future__ import annotations

import sqlite3
import sys

RUN_COLUMNS = ("key", "status", "attempts", "finished", "worker", "owner", "config")


def compare_cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "actlab", "compare", *args]


def store_rows(path) -> list[dict]:
    """Every run of the store at ``path``, as dicts of :data:`RUN_COLUMNS`."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs")]
    finally:
        db.close()
