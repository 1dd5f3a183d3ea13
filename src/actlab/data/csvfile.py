"""The user's own data: a CSV file with a header row and a target column.

Every problem is one line naming the file, and where it applies the column and the row (1-based data row; the
header is line 1 of the file, so data row r is line r + 1).
"""

from __future__ import annotations

import csv
import difflib
import math
import os
from pathlib import Path

import numpy as np

from actlab.data.core import Dataset, make_dataset, split
from actlab.errors import DataError

TASKS = ("classification", "regression")
# A numeric target with at most this many distinct integer values is taken as class labels.
MAX_INFERRED_CLASSES = 20


# Read whole into memory (then standardised and trained on in memory): beyond this size a file is refused, not loaded
# blindly. ACTLAB_MAX_CSV_MB raises it.
MAX_CSV_MB = 256
_DELIMITERS = (",", ";", "\t", "|")


def max_csv_bytes() -> int:
    text = os.environ.get("ACTLAB_MAX_CSV_MB", "")
    try:
        return int(float(text) * 2**20) if text else MAX_CSV_MB * 2**20
    except ValueError:
        raise DataError(f"ACTLAB_MAX_CSV_MB must be a number of megabytes; got {text!r}") from None


def _delimiter(path: Path, first_line: str) -> str:
    """',' unless the header splits into more fields on ';', tab or '|' (a semicolon CSV from a European locale)."""
    counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 1 else ","


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, expected a CSV file")
    size, limit = path.stat().st_size, max_csv_bytes()
    if size > limit:
        raise DataError(f"{path}: {size / 2**20:,.0f} MB, more than the {limit / 2**20:,.0f} MB actlab reads into "
                        "memory; use a sample of the rows (or set ACTLAB_MAX_CSV_MB)")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            first = fh.readline()
            fh.seek(0)
            if first.startswith("\ufeff"):  # a second BOM, or one after utf-8-sig removed the first
                first = first.lstrip("\ufeff")
            delimiter = _delimiter(path, first)
            rows = [row for row in csv.reader(fh, delimiter=delimiter) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not a UTF-8 text file ({err.reason} at byte {err.start})") from None
    except csv.Error as err:
        raise DataError(f"{path}: not a valid CSV file ({err})") from None
    if not rows:
        raise DataError(f"{path}: the file is empty; expected a header row and data rows")
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    if len(rows) == 1:
        raise DataError(f"{path}: a header row ({', '.join(header)}) and no data rows; expected data rows below it")
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name in seen:
            raise DataError(f"{path}: duplicate column name {name!r} (columns {seen[name]} and {i}); column names "
                            "must be unique")
        seen[name] = i
    for r, row in enumerate(rows[1:], start=1):
        if len(row) != len(header):
            raise DataError(f"{path}, row {r} (line {r + 1}): {len(row)} fields, but the header has {len(header)}"
                            + (f" (fields are separated by {delimiter!r})" if delimiter != "," else ""))
    return header, rows[1:]


def _number(path: Path, text: str, column: str, row: int) -> float:
    cell = text.strip()
    if cell == "" or cell.lower() in ("nan", "na", "n/a", "null", "none"):
        raise DataError(f"{path}, row {row} (line {row + 1}), column {column!r}: missing value ({cell or 'empty'!r}); "
                        "fill or drop the row")
    try:
        value = float(cell)
    except ValueError:
        hint = ""
        if "," in cell and _is_float(cell.replace(",", ".", 1)):
            hint = " (a decimal comma? write it with a point)"
        raise DataError(f"{path}, row {row} (line {row + 1}), column {column!r}: {cell!r} is not a number{hint}") \
            from None
    if not math.isfinite(value):
        raise DataError(f"{path}, row {row} (line {row + 1}), column {column!r}: {cell!r} is not a finite number")
    return value


def load_csv(path: str | Path, target: str, task: str | None = None, test_size: float = 0.25, seed: int = 0,
             folds: int | None = None) -> Dataset:
    """Read ``path`` and split it; ``task`` is inferred from the target when not given.

    Classification targets may be numbers or strings (labels are encoded in sorted order). ``folds`` (for
    cross-validation) raises the minimum number of rows.
    """
    path = Path(path)
    if task is not None and task not in TASKS:
        raise DataError(f"task must be one of {', '.join(TASKS)}; got {task!r}")
    header, rows = _read_rows(path)
    if target not in header:
        close = difflib.get_close_matches(target, header, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(f"{path}: no column {target!r}.{hint} Columns: {', '.join(header)}")
    if len(header) < 2:
        raise DataError(f"{path}: only the target column {target!r}; expected at least one feature column")
    t = header.index(target)
    features = [name for i, name in enumerate(header) if i != t]

    X = np.empty((len(rows), len(features)))
    for r, row in enumerate(rows, start=1):
        X[r - 1] = [_number(path, cell, header[i], r) for i, cell in enumerate(row) if i != t]
    raw_target = [row[t].strip() for row in rows]
    for r, cell in enumerate(raw_target, start=1):
        if cell == "" or cell.lower() in ("nan", "na", "n/a", "null", "none"):
            raise DataError(f"{path}, row {r} (line {r + 1}), column {target!r}: missing target value")

    numeric = True
    try:
        values = np.array([float(c) for c in raw_target])
    except ValueError:
        numeric = False
    if task is None:
        if not numeric:
            task = "classification"
        else:
            integral = bool(np.all(values == np.round(values)))
            task = "classification" if integral and len(set(values)) <= MAX_INFERRED_CLASSES else "regression"
    if task == "regression":
        if not numeric:
            bad = next(r for r, c in enumerate(raw_target, start=1) if not _is_float(c))
            raise DataError(f"{path}, row {bad} (line {bad + 1}), column {target!r}: {raw_target[bad - 1]!r} is not "
                            "a number, but the task is regression")
        for r, v in enumerate(values, start=1):
            if not math.isfinite(v):
                raise DataError(f"{path}, row {r} (line {r + 1}), column {target!r}: target is not finite")
        y = values
        classes = None
    else:
        labels = sorted(set(raw_target), key=lambda c: (float(c), c) if numeric else (0.0, c))
        if len(labels) < 2:
            raise DataError(f"{path}, column {target!r}: a single class ({labels[0]!r}) in all {len(rows)} rows; "
                            "classification needs at least two")
        index = {label: i for i, label in enumerate(labels)}
        y = np.array([index[c] for c in raw_target])
        classes = labels

    needed = max(4, folds or 0)
    if len(rows) < needed:
        why = f"the {folds} folds requested" if folds and folds >= 4 else "a train/test split"
        raise DataError(f"{path}: {len(rows)} data rows, fewer than the {needed} needed for {why}")
    stratify = task == "classification" and min(np.bincount(y)) >= 2
    X_train, X_test, y_train, y_test = split(X, y, test_size, seed, stratify)
    return make_dataset(path.stem, X_train, y_train, X_test, y_test, task, feature_names=features, classes=classes,
                        description=f"{path.name}: target {target!r}, {len(rows)} rows, {len(features)} features",
                        meta={"path": str(path), "target": target})


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
