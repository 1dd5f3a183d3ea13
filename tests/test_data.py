"""Data sets: named loaders, Boston package data, and every bad-CSV case as a one-line DataError."""

from __future__ import annotations

import numpy as np
import pytest

import actlab
from actlab import data


@pytest.mark.parametrize("name", data.names())
def test_every_named_dataset_loads_standardised_and_split(name):
    ds = data.load(name, seed=0)
    assert ds.X_train.shape[1] == ds.X_test.shape[1] == ds.n_features
    assert len(ds.X_train) == len(ds.y_train) and len(ds.X_test) == len(ds.y_test)
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-9)
    assert np.all(np.isfinite(ds.X_train)) and np.all(np.isfinite(ds.X_test))
    if ds.task == "classification":
        assert ds.n_classes >= 2 and set(np.unique(ds.y_train)) <= set(range(ds.n_classes))
    else:
        assert ds.n_classes == 0 and ds.n_outputs == 1


def test_loaders_are_deterministic_and_read_only():
    a, b = data.load("spirals", seed=3), data.load("spirals", seed=3)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    with pytest.raises(ValueError):
        a.X_train[0, 0] = 1.0
    assert not np.array_equal(data.load("spirals", seed=4).X_train, a.X_train)


def test_mnist1d_is_the_canonical_split():
    ds = data.load("mnist1d")
    assert ds.X_train.shape == (4000, 40) and ds.X_test.shape == (1000, 40) and ds.n_classes == 10


def test_boston_is_package_data_with_the_least_squares_line_of_seed_004():
    rm, medv = data.boston_rm_medv()
    assert rm.shape == medv.shape == (506,)
    design = np.column_stack([rm, np.ones_like(rm)])
    coef = np.linalg.lstsq(design, medv, rcond=None)[0]
    assert np.mean((design @ coef - medv) ** 2) == pytest.approx(43.60, abs=0.005)


def test_unknown_dataset_suggests_the_closest_name():
    with pytest.raises(actlab.DataError, match="Did you mean 'digits'"):
        data.load("digit")


def _write(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = "a,b,label\n" + "".join(f"{i},{i % 3 * 0.5},{i % 2}\n" for i in range(20))


def test_csv_round_trip_infers_classification(tmp_path):
    ds = data.load_csv(_write(tmp_path, GOOD), "label")
    assert ds.task == "classification" and ds.n_classes == 2 and ds.feature_names == ("a", "b")
    assert len(ds.X_train) + len(ds.X_test) == 20


def test_csv_string_labels_and_regression(tmp_path):
    text = "x,y\n" + "".join(f"{i},{'cat' if i % 2 else 'dog'}\n" for i in range(10))
    ds = data.load_csv(_write(tmp_path, text), "y")
    assert ds.classes == ("cat", "dog")
    reg = data.load_csv(_write(tmp_path, GOOD, "r.csv"), "b", task="regression")
    assert reg.task == "regression"


@pytest.mark.parametrize(
    "text, target, pattern",
    [
        (None, "label", r"no such file"),
        ("a,b,label\n1,2,0\n", "lable", r"no column 'lable'\. Did you mean 'label'\?"),
        ("a,b,label\n1,2,0\n3,x7,1\n4,5,0\n6,7,1\n", "label", r"row 2 \(line 3\), column 'b': 'x7' is not a number"),
        ("a,b,label\n1,2,0\n3,,1\n4,5,0\n6,7,1\n", "label", r"row 2 \(line 3\), column 'b': missing value"),
        ("a,b,label\n1,2,0\n3,nan,1\n4,5,0\n6,7,1\n", "label", r"row 2 \(line 3\), column 'b': missing value"),
        ("a,b,label\n1,2,1\n3,4,1\n4,5,1\n6,7,1\n", "label", r"column 'label': a single class"),
        ("a,b,label\n1,2,0\n3,4,1\n", "label", r"2 data rows, fewer than the 4 needed"),
        ("a,b,label\n1,2\n", "label", r"row 1 \(line 2\): 2 fields, but the header has 3"),
        ("", "label", r"the file is empty"),
    ],
)
def test_every_bad_csv_is_one_line_naming_file_column_and_row(tmp_path, text, target, pattern):
    path = tmp_path / "bad.csv" if text is None else _write(tmp_path, text, "bad.csv")
    with pytest.raises(actlab.DataError, match=pattern) as info:
        data.load_csv(path, target)
    message = str(info.value)
    assert "bad.csv" in message and "\n" not in message


def test_csv_with_fewer_rows_than_folds(tmp_path):
    with pytest.raises(actlab.DataError, match="fewer than the 10 needed for the 10 folds"):
        data.load_csv(_write(tmp_path, "\n".join(GOOD.splitlines()[:9])), "label", folds=10)
