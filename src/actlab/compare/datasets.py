"""The data side of a run: named data sets and user CSV files, loaded the same way in every worker, and the
validation split a run may hold out of its training set.

**The validation split** (``val_fraction`` > 0) is carved out of the run's *training* split, never the test split:
a stratified (classification) or plain random draw with the fixed seed :data:`VAL_SEED`, independent of the run's
seed. It is a function of the training split alone, so

* where the training split is fixed (MNIST-1D's canonical 4000/1000), every seed and every activation sees the same
  validation examples: a score averaged over seeds measures training noise, not which examples were held out, and
  a run computed for one selection round is reused by the next;
* where the seed draws the train/test split (the scikit-learn and synthetic sets, CSV files), the validation rows
  follow that split, so they are always training rows of the run at hand and never test rows of another seed.

The remaining training rows are re-standardised on their own mean and standard deviation (regression targets too),
so the held-out rows influence nothing the network is trained on.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Sequence

import numpy as np

from actlab.errors import DataError

VAL_SEED = 0x5EED  # the validation draw; a constant, so the split does not move with the run's seed
TEXT_DATASET = "pydoc_topics"  # the transformer's text: the English prose of CPython's pydoc_data.topics
MAX_VAL_FRACTION = 0.5  # beyond half, the network would train on fewer examples than it is selected on


@dataclasses.dataclass(frozen=True)
class Validation:
    """The held-out rows of a training split, in the same (standardised) feature space as the rest."""

    X: np.ndarray
    y: np.ndarray
    index: np.ndarray  # their rows in the original training split, sorted


@dataclasses.dataclass(frozen=True)
class SealedTest:
    """The test split of a protocol run, held back from the backend: it is opened once, by the runner, after
    training has finished and the best validation epoch has been restored (and never in a tuning run)."""

    X: np.ndarray
    y: np.ndarray


def seal_test(data):
    """``(data without its test split, SealedTest)``: what a protocol run trains on, and what it is scored on last."""
    return dataclasses.replace(data, X_test=None, y_test=None), SealedTest(data.X_test, data.y_test)


def open_test(data, sealed: SealedTest) -> tuple[np.ndarray, np.ndarray]:
    """The sealed test split in the feature (and target) space ``data`` was standardised to by :func:`holdout`."""
    X, y = np.asarray(sealed.X), np.asarray(sealed.y)
    space = data.meta.get("standardised")
    if space is None:
        return X, y
    mean, std, mu, sd = space
    return (X - mean) / std, (y if data.task == "classification" else (y - mu) / sd)


def check_names(datasets: Sequence[str]) -> list[str]:
    """Canonical data set names, or a DataError with the closest names; checked before anything is stored."""
    from actlab import data

    known = [*data.names(), TEXT_DATASET]
    out = []
    for name in datasets:
        key = str(name).strip().lower().replace("-", "_")
        if key not in known:
            close = difflib.get_close_matches(key, known, n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise DataError(f"Unknown dataset {name!r}.{hint} Available: {', '.join(known)}; or a CSV via --data.")
        out.append(key)
    if not out:
        raise DataError("A comparison needs at least one dataset (e.g. --dataset mnist1d).")
    return list(dict.fromkeys(out))


def load(dataset: dict[str, Any], seed: int):
    """The Dataset a run trains on. The train/test split follows the run's seed, so seeds also vary the split."""
    from actlab import data

    if dataset.get("name") == TEXT_DATASET:  # the transformer's text: one fixed split, whatever the seed
        from actlab.compare.models.text import load_text

        return load_text(TEXT_DATASET)
    if "path" in dataset:
        return data.load_csv(dataset["path"], dataset["target"], task=dataset.get("task"), seed=seed)
    return data.load(dataset["name"], seed=seed)


def validation_index(y_train: np.ndarray, task: str, fraction: float) -> np.ndarray:
    """Sorted rows of a training split to hold out for validation: a share ``fraction`` (at least one row), drawn
    with :data:`VAL_SEED`; stratified by class for classification where every class has two rows or more."""
    from sklearn.model_selection import train_test_split

    n = len(y_train)
    rows = np.arange(n)
    stratify = y_train if task == "classification" and np.min(np.unique(y_train, return_counts=True)[1]) >= 2 \
        else None
    try:
        _, held = train_test_split(rows, test_size=fraction, random_state=VAL_SEED, stratify=stratify)
    except ValueError:  # too few rows per class for a stratified draw of this size: a plain one
        _, held = train_test_split(rows, test_size=fraction, random_state=VAL_SEED)
    return np.sort(held)


def holdout(data, fraction: float):
    """``(data, None)`` for ``fraction == 0`` (the data set untouched); else ``(data without the validation rows,
    Validation)``, both re-standardised on the rows that remain for training."""
    if data.task == "lm":  # a text's validation block is fixed by its split (see compare.models.text)
        return data, Validation(data.X_val, None, None)
    if not fraction:
        return data, None
    held = validation_index(np.asarray(data.y_train), data.task, float(fraction))
    if len(held) >= len(data.y_train):
        raise DataError(f"{data.name}: val_fraction {fraction} leaves no training rows "
                        f"(the training split has {len(data.y_train)})")
    keep = np.setdiff1d(np.arange(len(data.y_train)), held)
    X, y = np.asarray(data.X_train), np.asarray(data.y_train)
    mean, std = X[keep].mean(axis=0), X[keep].std(axis=0)
    std = np.where(std > 0, std, 1.0)

    def features(a):
        return _frozen((np.asarray(a) - mean) / std)

    sealed = data.X_test is None  # a protocol run: the test split is transformed when it is opened (open_test)
    changes: dict[str, Any] = {"X_train": features(X[keep])}
    if not sealed:
        changes["X_test"] = features(data.X_test)
    X_val, y_val = features(X[held]), y[held]
    mu, sd = 0.0, 1.0
    if data.task == "classification":
        changes["y_train"] = _frozen(y[keep])
    else:  # targets in units of the remaining rows' spread; target_scale maps back to the original units
        mu, sd = float(y[keep].mean()), float(y[keep].std()) or 1.0
        changes["y_train"] = _frozen((y[keep] - mu) / sd)
        if not sealed:
            changes["y_test"] = _frozen((np.asarray(data.y_test) - mu) / sd)
        y_val = (y_val - mu) / sd
        m0, s0 = data.target_scale
        changes["target_scale"] = (m0 + mu * s0, sd * s0)
    changes["meta"] = {**data.meta, "val_fraction": float(fraction), "val_rows": int(len(held)),
                       "standardised": (mean, std, mu, sd)}
    return dataclasses.replace(data, **changes), Validation(X_val, _frozen(y_val), _frozen(held))


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def check_csv(dataset: dict[str, Any], seeds: Sequence[int]) -> None:
    """Load a CSV data set once per seed's split up front, so a bad file fails before the store is touched."""
    for seed in seeds:
        ds = load(dataset, seed)
        if ds.task == "classification" and len(set(ds.y_train.tolist())) < 2:
            raise DataError(
                f"{dataset['path']}, column {dataset['target']!r}: the training split of seed {seed} holds a single "
                "class; classification needs at least two (add rows of the other classes)"
            )
