"""The data side of a run: named data sets and user CSV files, loaded the same way in every worker."""

from __future__ import annotations

import difflib
from typing import Any, Sequence

from actlab.errors import DataError


def check_names(datasets: Sequence[str]) -> list[str]:
    """Canonical data set names, or a DataError with the closest names; checked before anything is stored."""
    from actlab import data

    known = data.names()
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

    if "path" in dataset:
        return data.load_csv(dataset["path"], dataset["target"], task=dataset.get("task"), seed=seed)
    return data.load(dataset["name"], seed=seed)


def check_csv(dataset: dict[str, Any], seeds: Sequence[int]) -> None:
    """Load a CSV data set once per seed's split up front, so a bad file fails before the store is touched."""
    for seed in seeds:
        ds = load(dataset, seed)
        if ds.task == "classification" and len(set(ds.y_train.tolist())) < 2:
            raise DataError(
                f"{dataset['path']}, column {dataset['target']!r}: the training split of seed {seed} holds a single "
                "class; classification needs at least two (add rows of the other classes)"
            )
