"""Vector, gated, expanding and pooling activations: the vjp against finite differences of the forward."""

from __future__ import annotations

import numpy as np
import pytest

import actlab

OTHERS = [n for n in actlab.names() if actlab.spec(n).kind != "elementwise"]
WIDTH = 12  # splits in halves (GLU) and in groups of 2, 3, 4, 6 (Maxout)


def _numerical_vjp(a, x, g, axis, h=1e-6):
    out = np.zeros_like(x)
    flat = x.reshape(-1)
    for i in range(flat.size):
        e = np.zeros_like(flat)
        e[i] = h
        plus = np.sum(g * a(x + e.reshape(x.shape), axis=axis))
        minus = np.sum(g * a(x - e.reshape(x.shape), axis=axis))
        out.reshape(-1)[i] = (plus - minus) / (2 * h)
    return out


@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("name", OTHERS)
def test_vjp_matches_finite_differences(name, axis, rng):
    a = actlab.get(name)
    shape = (3, WIDTH) if axis == -1 else (WIDTH, 3)
    x = rng.normal(size=shape) * 2
    y = a(x, axis=axis)
    g = rng.normal(size=y.shape)
    got = a.vjp(x, g, axis=axis)
    assert got.shape == x.shape
    np.testing.assert_allclose(got, _numerical_vjp(a, x, g, axis), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", OTHERS)
def test_axis_is_respected(name, rng):
    a = actlab.get(name)
    x = rng.normal(size=(4, WIDTH))
    np.testing.assert_allclose(a(x.T, axis=0), a(x, axis=-1).T, rtol=0, atol=0)
    g = rng.normal(size=a(x).shape)
    np.testing.assert_allclose(a.vjp(x.T, g.T, axis=0), a.vjp(x, g, axis=-1).T, rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", OTHERS)
def test_extreme_inputs_stay_finite_and_quiet(name):
    """Large logits must not overflow (softmax of [1000, 0] is [1, 0]); nan propagates. (Gated kinds multiply two
    inputs, so 1e300 * 1e300 overflowing is right for them: they get the 1e3 row only.)"""
    a = actlab.get(name)
    rows = [[1e3, -1e3, 0.0, 5.0] * 3]
    if a.kind != "gated":
        rows.append([1e300, 1e300, -1e300, 0.0] * 3)
    x = np.array(rows)
    y = a(x)
    assert np.all(np.isfinite(y[0])), y[0]
    assert np.all(np.isfinite(a.vjp(x[:1], np.ones_like(y[:1]))))
    xn = x[:1].copy()
    xn[0, 0] = np.nan
    assert np.isnan(a(xn)).any()
