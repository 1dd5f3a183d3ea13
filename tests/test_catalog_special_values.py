"""nan, +-inf, huge, tiny and subnormal inputs for every elementwise activation (issue 2, item 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import actlab
from actlab import reference as R

ELEMENTWISE = actlab.names(kind="elementwise")


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_nan_in_nan_out_and_neighbours_untouched(name):
    a = actlab.get(name)
    x = np.array([-1.5, np.nan, 0.5, np.nan, 2.0])
    for fn in (a, a.derivative):
        y = fn(x)
        assert np.isnan(y[[1, 3]]).all(), f"{fn}: nan in, {y[[1, 3]]} out"
        assert not np.isnan(y[[0, 2, 4]]).any()
        assert np.isnan(fn(float("nan")))


@pytest.mark.parametrize("sign", [1, -1], ids=["+inf", "-inf"])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_limits_at_infinity_are_exact(name, sign):
    """silu(-inf) = 0, not nan; softsign(inf) = 1; oscillating functions (sin) give nan."""
    a = actlab.get(name)
    x = sign * math.inf
    ref = R.reference(a, 0.4)  # its grid holds +-inf: the limits, found by actlab.reference.limit
    for derivative in (False, True):
        xs, exact = ref.exact("derivative" if derivative else "forward", np.float64)
        want = float(exact.hi[xs == x][0])
        got = float((a.derivative if derivative else a)(x))
        label = f"{name}{chr(39) if derivative else ''}({x})"
        if math.isnan(want):
            assert math.isnan(got), f"{label}: no limit exists, expected nan, got {got}"
        else:
            assert got == want, f"{label}: expected the limit {want}, got {got}"
        for dt in (np.float32, np.float16):
            y = (a.derivative if derivative else a)(np.array([x], dtype=dt))
            assert y.dtype == dt
            assert (np.isnan(y[0]) and math.isnan(want)) or y[0] == dt(want), (label, dt, y[0])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_huge_and_tiny_inputs_are_finite_where_the_function_is(name):
    """No overflow to inf or nan where the exact result is finite (1e300, 710, 88.7, subnormals)."""
    a = actlab.get(name)
    ref = R.reference(a, 0.4)
    for what in ("forward", "derivative"):
        x, exact = ref.exact(what, np.float64)
        fin = np.isfinite(exact.hi) & np.isfinite(x)
        y = (a if what == "forward" else a.derivative)(x[fin])
        bad = ~np.isfinite(y)
        assert not bad.any(), f"{what}: non-finite at x = {x[fin][bad][:5]} where the exact value is finite"


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_subnormal_results_where_the_exact_value_is_subnormal(name):
    """Results are not flushed to zero: where the exact value is a float64 subnormal, so is ours (within bounds)."""
    a = actlab.get(name)
    ref = R.reference(a, 0.4)
    tiny = np.finfo(np.float64).smallest_normal
    for what in ("forward", "derivative"):
        x, exact = ref.exact(what, np.float64)
        sub = (np.abs(exact.hi) < tiny) & (exact.hi != 0)
        if what == "derivative":
            sub &= ~np.isin(x, a.kinks)
        if not sub.any():
            continue
        y = (a if what == "forward" else a.derivative)(x[sub])
        assert np.all(y != 0), f"{what}: flushed to 0 at x = {x[sub][y == 0][:5]}"
        assert np.all(np.sign(y) == np.sign(exact.hi[sub]))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_signed_zero_input(name):
    """-0.0 and +0.0 are the same number: results agree up to the sign of a zero."""
    a = actlab.get(name)
    for fn in (a, a.derivative):
        assert fn(-0.0) == fn(0.0) or (np.isnan(fn(-0.0)) and np.isnan(fn(0.0)))
