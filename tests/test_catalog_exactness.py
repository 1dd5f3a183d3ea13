"""Every elementwise activation and its derivative against mpmath references, in ULPs (issue 2, item 4).

Bounds: float32 1 ULP forward / 2 ULP derivative; float64 4 / 8 ULP plus the function's own conditioning (the change
half an ULP of the input makes in the exact result). The grid (actlab.reference.input_grid) holds 0, +-subnormals,
+-tiny, the kinks and their neighbours, +-20, +-88.7, +-710, +-1e300, +-max, +-inf, nan and log/linear sweeps.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import actlab
from actlab import reference as R

ELEMENTWISE = actlab.names(kind="elementwise")
# ~800 float32 and ~1,300 float64 inputs per entry, shared with the other test files (the same references);
# benchmarks/accuracy.py uses the full grid (density 1).
DENSITY = 0.4


def _worst(x, err, allowed, y, exact, n=5) -> str:
    bad = np.flatnonzero(~(err <= allowed))
    order = bad[np.argsort(-np.nan_to_num(err[bad], nan=np.inf))][:n]
    lines = [
        f"  x={x[i]!r}: got {y[i]!r}, exact {exact.hi[i] + exact.frac[i] * exact.ulp[i]!r} "
        f"-> {err[i]:.3g} ULP (allowed {allowed[i]:.3g})"
        for i in order
    ]
    return f"{bad.size} of {x.size} inputs out of bounds; worst:\n" + "\n".join(lines)


def _check(a, dtype, what, density=DENSITY):
    x, err, allowed = R.errors(a, dtype, what, density=density)
    if not np.all(err <= allowed):
        ref = R.reference(a, density)
        xs, exact = ref.exact(what, dtype)
        if what == "derivative":
            keep = ~np.isin(xs, [dtype(k) for k in a.kinks])
            xs, exact = xs[keep], exact[keep]
        xin = xs.astype(dtype)
        y = (a(xin) if what == "forward" else a.derivative(xin)).astype(np.float64)
        pytest.fail(f"{a!r} {what} in {np.dtype(dtype).name}: " + _worst(xs, err, allowed, y, exact))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("what", ["forward", "derivative"])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_within_ulp_bounds_of_mpmath_reference(name, what, dtype):
    _check(actlab.get(name), dtype, what)


def _variant(p: actlab.Param):
    """A valid non-default value of a parameter, derived from its declared range."""
    candidates = [p.default + 1] if p.integer else [p.default * 1.5 if p.default else 0.5, p.default + 0.5]
    if math.isfinite(p.low) and math.isfinite(p.high):
        candidates.append((p.low + p.high) / 2 if not p.integer else int((p.low + p.high) // 2))
    candidates += [p.default - 1] if p.integer else [p.default / 2]
    for v in candidates:
        try:
            v = p.validate(v, "test")
        except ValueError:
            continue
        if v != p.default:
            return v
    return None


VARIANTS = [
    pytest.param(s.name, {p.name: v}, id=f"{s.name}-{p.name}={v:g}")
    for s in actlab.specs("elementwise")
    for p in s.params
    if (v := _variant(p)) is not None
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(("name", "params"), VARIANTS)
def test_non_default_parameters_within_bounds(name, params, dtype):
    """Parameters reach the formula and the code alike (a coarser grid: the default values get the dense one)."""
    a = actlab.get(name, **params)
    for what in ("forward", "derivative"):
        _check(a, dtype, what, density=0.2)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_float16_forward_within_one_ulp(name):
    """float16 in, float16 out, rounded once from the float64 result."""
    a = actlab.get(name)
    ref = R.reference(a, DENSITY)
    x, ex64 = ref.exact("forward", np.float64)
    with np.errstate(over="ignore"):  # large float64 inputs become +-inf in float16, as they should
        x16 = x.astype(np.float16)
    keep = (x16.astype(np.float64) == x) | np.isnan(x) | np.isinf(x)
    h = ex64.hi[keep]
    r = np.where(np.isfinite(h), ex64.frac[keep] * ex64.ulp[keep], 0.0)
    exact16 = R.Exact.from_double_double(h, r, np.float16)
    y = a(x16[keep])
    assert y.dtype == np.float16
    err = R.ulp_error(y, exact16)
    assert np.all(err <= 1.0), _worst(x[keep], err, np.ones_like(err), y.astype(np.float64), exact16)
