"""Numerically stable float64 primitives the catalog composes (no RuntimeWarnings, exact limits at +-inf)."""

from __future__ import annotations

import numpy as np


def where(cond, a_fn, b_fn, x):
    """Piecewise evaluation that never evaluates a branch where it is not used (the 'double where').

    ``a_fn`` is applied only to x[cond] and ``b_fn`` only to x[~cond]; nothing overflows in the unused branch.
    """
    out = np.empty_like(x)
    out[cond] = a_fn(x[cond])
    rest = ~cond
    out[rest] = b_fn(x[rest])
    return out


def sigmoid(x):
    """1/(1+exp(-x)) in the symmetric form: exp of a non-positive number only, so nothing overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x):
    """log(1+exp(x)) = max(x, 0) + log1p(exp(-|x|))."""
    with np.errstate(invalid="ignore"):  # inf - inf at x = +-inf never reaches the result
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
