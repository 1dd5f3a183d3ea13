"""Data sets that work offline: generated (MNIST-1D, XOR, spirals, moons), bundled with scikit-learn (digits, iris,
wine, breast cancer, diabetes), shipped as package data (Boston RM -> MEDV), or the user's own CSV file.

Every loader returns a :class:`Dataset` with a train/test split whose features are standardised with the training
statistics (regression targets too; the scale is kept to report errors in the original units).
"""

from __future__ import annotations

from actlab.data.core import Dataset, load, names
from actlab.data.csvfile import load_csv
from actlab.data.boston import boston, boston_rm_medv

__all__ = ["Dataset", "boston", "boston_rm_medv", "load", "load_csv", "names"]
