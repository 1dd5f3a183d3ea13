"""Every bad CSV input is one line naming the file (exit 2 in the CLI); the ordinary variants of the format load.

Row of issue 18's table: `--data` CSV with a header and no rows (was IndexError); and item 3's list: BOM,
semicolons, quoted numbers, duplicate column names, a target with one class, a 1 GB file (refused by size)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from actlab.data import load_csv
from actlab.errors import DataError

ROWS = [(1.5, 2, 0), (3, 4, 1), (5, 6, 0), (7, 8, 1), (1, 2.5, 0), (3, 4.5, 1), (5, 6.5, 0), (7, 8.5, 1)]


def _write(path, text: str, encoding="utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def _plain(sep=",", quote=False, bom=False) -> str:
    q = '"' if quote else ""
    lines = [sep.join(["a", "b", "label"])]
    lines += [sep.join([f"{q}{a}{q}", f"{q}{b}{q}", str(y)]) for a, b, y in ROWS]
    return ("\ufeff" if bom else "") + "\n".join(lines) + "\n"


@pytest.mark.parametrize("variant", ["comma", "bom", "semicolon", "tab", "quoted numbers"])
def test_ordinary_variants_of_the_format_load_to_the_same_data(variant, tmp_path):
    text = {"comma": _plain(), "bom": _plain(bom=True), "semicolon": _plain(";"), "tab": _plain("\t"),
            "quoted numbers": _plain(quote=True)}[variant]
    ds = load_csv(_write(tmp_path / "d.csv", text), "label", seed=0)
    ref = load_csv(_write(tmp_path / "ref.csv", _plain()), "label", seed=0)
    assert ds.feature_names == ("a", "b")
    np.testing.assert_array_equal(ds.X_train, ref.X_train)
    np.testing.assert_array_equal(ds.y_train, ref.y_train)


BAD = {
    "header only": ("a,b,label\n", "a header row (a, b, label) and no data rows"),
    "header only with BOM": ("\ufeffa,b,label\n\n", "and no data rows"),
    "duplicate column names": ("a,a,label\n1,2,0\n3,4,1\n", "duplicate column name 'a' (columns 1 and 2)"),
    "one class": ("a,b,label\n" + "1,2,0\n" * 6, "a single class ('0') in all 6 rows"),
    "decimal commas": ("a;b;label\n1,5;2;0\n3;4;1\n", "'1,5' is not a number (a decimal comma?"),
    "thousands in quotes": ('a,b,label\n"1,234",2,0\n3,4,1\n', "'1,234' is not a number"),
    "ragged row": ("a,b,label\n1,2,0\n3,4\n", "row 2 (line 3): 2 fields, but the header has 3"),
    "missing value": ("a,b,label\n1,,0\n3,4,1\n", "missing value"),
    "not text": (None, "not a UTF-8 text file"),
    "NUL bytes": ("a,b,label\n1,2\x00,0\n", "not"),
    "no target column": ("a,b,y\n1,2,0\n", "no column 'label'"),
}


def _make(path, case):
    text, _ = BAD[case]
    if text is None:
        path.write_bytes(b"\xff\xfe\x00\x01" + os.urandom(200))
    else:
        _write(path, text)
    return str(path)


@pytest.mark.parametrize("case", list(BAD))
def test_bad_csv_is_one_data_error_naming_the_file(case, tmp_path):
    path = _make(tmp_path / "d.csv", case)
    with pytest.raises(DataError) as err:
        load_csv(path, "label")
    message = str(err.value)
    assert message.startswith(path) and "\n" not in message
    assert BAD[case][1] in message


def test_a_1_gb_file_is_refused_by_size_without_reading_it(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:  # sparse: 1 GB on paper, nothing on disk
        fh.truncate(2**30)
    with pytest.raises(DataError, match=r"1,024 MB, more than the 256 MB actlab reads into memory"):
        load_csv(str(path), "label")


def test_the_size_limit_can_be_raised(tmp_path, monkeypatch):
    path = _write(tmp_path / "d.csv", _plain())
    monkeypatch.setenv("ACTLAB_MAX_CSV_MB", "0.00001")
    with pytest.raises(DataError, match="more than the 0 MB"):
        load_csv(path, "label")
    monkeypatch.setenv("ACTLAB_MAX_CSV_MB", "1")
    assert load_csv(path, "label").n_features == 2


@pytest.mark.parametrize("case", ["header only", "duplicate column names", "one class", "not text"])
def test_compare_cli_reports_a_bad_csv_in_one_line(case, tmp_path, actlab_cli):
    path = _make(tmp_path / "d.csv", case)
    proc = actlab_cli("compare", "-a", "relu", "--data", path, "--target", "label", "--seeds", "1", "--epochs", "1",
                      "-j", "0", "-q", "--store", str(tmp_path / "runs.sqlite"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"actlab compare: error: {path}"), proc.stderr
    assert BAD[case][1] in lines[0]
