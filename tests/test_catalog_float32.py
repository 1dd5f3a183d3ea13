"""The float32 fast paths (Activation.forward32 / derivative32) against the float64 path, on a dense float32 grid.

A float32 kernel must give the float64 path's result rounded once to float32. It may differ only where the float64
value lies next to a float32 rounding boundary (two accurate roundings of the same number can disagree there);
anything else is a bug of the kernel, wherever it is. The accuracy against mpmath is checked for every entry (float32
kernels included, since float32 input goes to them) by test_catalog_exactness.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import actlab

from _float32_helpers import assert_rounded_once

F32 = np.float32


def _params_variants(spec):
    """The defaults, and for each parameter a few other valid values (exact in float32 or not, small and large)."""
    out = [{}]
    for p in spec.params:
        for v in (p.default * 1.5 + 0.1, p.default / 3 + 0.3, 0.0, 1.0, 1.7, 7.0, 1e-3, 50.0):
            try:
                v = p.validate(v, spec.name)
            except ValueError:
                continue
            if v != p.default:
                out.append({p.name: v})
    return out


CASES = [
    pytest.param(spec.name, what, params, id=f"{spec.name}-{what}-" + ",".join(f"{k}={v:g}" for k, v in params.items()))
    for spec in actlab.specs("elementwise")
    for what in ("forward", "derivative")
    if getattr(spec, f"{what}32") is not None
    for params in _params_variants(spec)
]


def _neighbours(values, k=4):
    """Each value rounded to float32 and its k float32 neighbours on either side."""
    out = []
    with np.errstate(over="ignore"):
        for v in values:
            f = F32(v)
            lo = hi = f
            out.append(f)
            for _ in range(k):
                lo, hi = np.nextafter(lo, F32(-np.inf)), np.nextafter(hi, F32(np.inf))
                out += [lo, hi]
    return np.array(out, F32)


def _bisect(fn, lo, hi):
    """The float32 number next to the sign change of fn (float64) between the float32 numbers lo < hi."""
    sign_lo = np.sign(fn(np.float64(lo)))
    while True:
        mid = F32((float(lo) + float(hi)) / 2)
        if mid in (lo, hi):
            return lo
        if np.sign(fn(np.float64(mid))) == sign_lo:
            lo = mid
        else:
            hi = mid


def dense_grid(a) -> np.ndarray:
    """~330,000 float32 inputs: random bit patterns (every exponent, subnormals, inf, nan), normal(0, 3) samples,
    a fine sweep of [-12, 12], the magnitudes 1e-45..3e38 of both signs, and the neighbours of the special points
    (kinks, parameter values, cut-offs of the kernels) and of the roots of f'."""
    rng = np.random.default_rng(2)
    bits = rng.integers(0, 2**32, size=2**17, dtype=np.uint64).astype(np.uint32).view(F32)
    bits[np.isnan(bits)] = np.nan  # quiet NaNs only: a signalling NaN makes any arithmetic warn, float64 too
    normal = (rng.normal(size=2**16) * 3).astype(F32)
    sweep = np.linspace(-12, 12, 2**16, dtype=F32)
    mags = np.geomspace(1e-45, 3.4e38, 2**14).astype(F32)
    fmax = np.finfo(F32).max
    special = [0.0, 1.0, 2.0, 3.0, 6.0, 0.5, 1.5, np.pi, np.pi / 4, 9.0, 17.0, 20.0, 30.0, 36.0, 40.0, 88.72, 103.9,
               104.0, 1.2784645, 1.1924312, 0.7517915, 1.0 / 64, 2.0**-12, 2.0**-20, 1e-45, 1.2e-38, 1e30, fmax]
    special += [abs(k) for k in a.kinks] + [abs(v) for v in a.params.values()]
    near = _neighbours(special)
    # the roots of f' (minima of f), where f' cancels: the float32 numbers closest to each sign change on the sweep
    d = a.derivative(sweep.astype(np.float64))
    flips = np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)
    roots = _neighbours([_bisect(a.derivative, sweep[i], sweep[i + 1]) for i in flips], k=64)
    ends = np.array([np.inf, -np.inf, np.nan, -0.0], F32)
    return np.concatenate([bits, normal, sweep, mags, -mags, near, -near, roots, ends])


@pytest.mark.parametrize(("name", "what", "params"), CASES)
def test_float32_kernel_is_the_float64_result_rounded_once(name, what, params):
    a = actlab.get(name, **params)
    fn = a if what == "forward" else a.derivative
    try:
        fn(np.zeros(1))
    except actlab.ParameterError:  # e.g. hard_tanh with min_val >= max_val: the float32 path refuses them too
        with pytest.raises(actlab.ParameterError):
            fn(np.zeros(1, F32))
        return
    x = dense_grid(a)
    keep = x.copy()
    y64 = fn(x.astype(np.float64))
    y32 = fn(x)
    assert_rounded_once(y32, y64, x)
    np.testing.assert_array_equal(x, keep)  # the kernels work on copies
    # the same on a small, a 0-d and a non-contiguous array (the block loop has no part in them)
    assert_rounded_once(fn(x[:5]), y64[:5], x[:5])
    y0 = fn(x[7:8].reshape(()))
    assert isinstance(y0, np.ndarray) and y0.shape == () and y0.dtype == F32
    view = x[:30000].reshape(100, 300)[:, ::3]
    assert_rounded_once(fn(view), fn(view.astype(np.float64)), view)


def test_constants_are_compared_exactly_in_float32():
    """x > t for float32 x and a float64 t that float32 cannot hold: the kernels compare with the right neighbour."""
    from actlab.catalog import _math as m

    t = 0.1  # between two float32 numbers
    lo, hi = np.nextafter(F32(t), F32(0)), F32(t)
    if float(hi) < t:
        lo, hi = hi, np.nextafter(hi, F32(1))
    assert float(lo) < t < float(hi)
    assert m.below32(t) == lo and m.above32(t) == hi
    x = np.array([lo, hi, np.nan], F32)
    np.testing.assert_array_equal(m.step32(x, t), [0.0, 1.0, np.nan])
    np.testing.assert_array_equal(m.step32(x, t, at=1.0), [0.0, 1.0, np.nan])
    np.testing.assert_array_equal(m.inside32(x, -1.0, t), [1.0, 0.0, np.nan])
    assert m.below32(1e300) == np.finfo(F32).max and m.above32(1e300) == np.inf
    assert m.as_float32(0.1) is None and m.as_float32(0.25) == F32(0.25)
