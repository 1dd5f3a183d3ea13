"""Hypothesis property tests over the whole float64 line and over each activation's parameter ranges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, reject
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import actlab

ELEMENTWISE = actlab.names(kind="elementwise")
FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
BATCH = arrays(np.float64, st.integers(1, 64), elements=FINITE)


def _param_value(p: actlab.Param):
    """A strategy for valid values of a parameter, kept to a moderate scale."""
    lo = max(p.low, -10.0)
    hi = min(p.high, 10.0)
    if p.integer:
        return st.integers(int(math.ceil(lo + (1 if p.low_open else 0))), int(math.floor(hi)))
    return st.floats(lo, hi, exclude_min=p.low_open and lo == p.low, exclude_max=p.high_open and hi == p.high,
                     allow_nan=False)


def _widen(end: float, direction: int) -> float:
    return end + direction * 4 * float(np.spacing(abs(end))) if math.isfinite(end) else end


def _bound(name, data):
    spec = actlab.spec(name)
    params = {p.name: data.draw(_param_value(p), label=p.name) for p in spec.params}
    try:
        return actlab.get(name, **params)
    except actlab.ParameterError:  # a joint constraint (hard_tanh: min_val < max_val): draw again
        reject()


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(data=st.data(), x=BATCH)
def test_declared_properties_hold_for_random_parameters(name, data, x):
    a = _bound(name, data)
    props = a.properties
    try:
        y = a(x)
        d = a.derivative(x)
    except actlab.ParameterError:  # a joint constraint checked at call time (rrelu: lower <= upper)
        reject()
    lo, hi = props["range"]
    lo_s, hi_s = _widen(lo, -1), _widen(hi, 1)  # declared ends are rounded numbers
    assert np.all((y >= lo_s) & (y <= hi_s)), (a, x[(y < lo_s) | (y > hi_s)], y[(y < lo_s) | (y > hi_s)])
    if math.isfinite(lo) and math.isfinite(hi):
        assert np.all(np.isfinite(y)), "bounded range, yet a non-finite value for finite x"
    if props["monotonic"]:
        order = np.argsort(x, kind="stable")
        ys = y[order]
        with np.errstate(over="ignore", invalid="ignore"):  # inf - inf and spacing(inf) are nan: no drop there
            tol = np.nan_to_num(4 * np.spacing(np.abs(ys[1:])), nan=0.0, posinf=0.0)
            assert not np.any(np.diff(ys) < -tol), a
        assert np.all(d[~np.isnan(d)] >= 0), "monotonic, yet a negative derivative"


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(x=BATCH)
def test_float32_is_within_one_ulp_of_the_float64_result(name, x):
    from actlab.reference import ulp_distance

    a = actlab.get(name)
    with np.errstate(over="ignore"):
        x32 = x.astype(np.float32)
        for fn in (a, a.derivative):
            y32 = fn(x32)
            y64 = fn(x32.astype(np.float64)).astype(np.float32)
            assert np.all(ulp_distance(y32, y64) <= 1)


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(x=FINITE, y=FINITE)
def test_scalar_and_array_paths_agree(name, x, y):
    a = actlab.get(name)
    arr = a(np.array([x, y]))
    assert (float(a(x)) == arr[0]) or (math.isnan(arr[0]) and math.isnan(float(a(x))))
