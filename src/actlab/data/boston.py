"""Boston housing, shipped as package data (see PROVENANCE.md); loading never touches the network."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

import numpy as np


@lru_cache(maxsize=1)
def boston() -> tuple[np.ndarray, tuple[str, ...]]:
    """All 506 rows as a float array and the 14 column names (the last, MEDV, is the target)."""
    with resources.files("actlab.data").joinpath("boston_house_prices.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    if len(rows[0]) < 3:  # some copies start with a "506,13" count line
        rows = rows[1:]
    header, body = tuple(rows[0]), rows[1:]
    data = np.array(body, dtype=np.float64)
    data.setflags(write=False)
    return data, header


def boston_rm_medv() -> tuple[np.ndarray, np.ndarray]:
    """(RM, MEDV): average rooms per dwelling and median home value in $1000s — seed 004's example."""
    data, header = boston()
    return data[:, header.index("RM")].copy(), data[:, header.index("MEDV")].copy()
