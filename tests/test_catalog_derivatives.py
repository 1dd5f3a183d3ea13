"""Derivatives: against SymPy's symbolic derivative of the formula, finite differences, and the kink convention."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

import actlab
from actlab import reference as R

ELEMENTWISE = actlab.names(kind="elementwise")
SAMPLES = np.concatenate([np.linspace(-8, 8, 97), [-30.0, -12.5, 12.5, 30.0]])


def _away_from_kinks(a, xs, margin):
    keep = np.ones(xs.shape, bool)
    for k in a.kinks:
        keep &= np.abs(xs - k) > margin * (1 + abs(k))
    return xs[keep]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_symbolic_derivative_is_the_derivative_of_the_formula(name):
    """SymPy's f' (the reference of the ULP tests) agrees with mpmath's numerical derivative of the formula, and the
    simplified form that `actlab show` prints (a.symbolic_derivative) with both."""
    a = actlab.get(name)
    f = R._lambdify(a.formula)
    df = R._lambdify(R.derivative_formula(a))
    shown = R._lambdify(a.symbolic_derivative)
    xs = _away_from_kinks(a, SAMPLES[::12], 1e-3)
    with mpmath.workdps(30):
        for x in xs:
            num = mpmath.diff(f, mpmath.mpf(x))
            sym = df(mpmath.mpf(x))
            assert abs(num - sym) <= mpmath.mpf(10) ** -20 * (1 + abs(sym)), (x, num, sym)
            assert abs(shown(mpmath.mpf(x)) - sym) <= mpmath.mpf(10) ** -20 * (1 + abs(sym)), (x, shown, sym)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_sympy_at_sample_points(name):
    a = actlab.get(name)
    xs = _away_from_kinks(a, SAMPLES[::3], 1e-6)
    df = R._lambdify(R.derivative_formula(a))
    got = a.derivative(xs)
    want = np.array([float(R._stable(df, x)) for x in xs])
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_finite_differences(name):
    """(f(x+h) - f(x-h)) / 2h of our own forward, away from kinks. h is small because at a C1 point (ELU at 0) the
    error is h |jump of f''| / 4, not O(h^2)."""
    a = actlab.get(name)
    xs = _away_from_kinks(a, SAMPLES, 1e-3)
    h = 1e-7 * np.maximum(1.0, np.abs(xs))
    fd = (a(xs + h) - a(xs - h)) / (2 * h)
    d = a.derivative(xs)
    scale = np.maximum(1.0, np.abs(a(xs)) / np.maximum(1.0, np.abs(xs)))
    np.testing.assert_allclose(d, fd, rtol=1e-6, atol=1e-7 * scale.max())


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if actlab.get(n).kinks])
def test_derivative_at_a_kink_is_a_one_sided_derivative(name):
    """The documented convention: at a kink f' takes the value of one side (relu'(0) = 0, leaky_relu'(0) = alpha)."""
    a = actlab.get(name)
    df = R._lambdify(R.derivative_formula(a))
    for k in a.kinks:
        if not math.isfinite(k):
            continue
        left = float(R._stable(df, float(np.nextafter(k, -np.inf))))
        right = float(R._stable(df, float(np.nextafter(k, np.inf))))
        got = float(a.derivative(k))
        assert math.isclose(got, left, rel_tol=1e-9, abs_tol=1e-12) or \
            math.isclose(got, right, rel_tol=1e-9, abs_tol=1e-12), (k, got, left, right)


def test_relu_derivative_at_zero_is_zero_as_in_jax_and_torch():
    assert actlab.get("relu").derivative(0.0) == 0.0


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if actlab.spec(n).derivative_from_output is not None])
def test_derivative_from_output_agrees(name):
    a = actlab.get(name)
    xs = _away_from_kinks(a, np.linspace(-6, 6, 49), 1e-3)
    np.testing.assert_allclose(a.derivative_from_output(a(xs)), a.derivative(xs), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_vjp_of_elementwise_is_gradient_times_derivative(name, rng):
    a = actlab.get(name)
    x = rng.normal(size=(3, 5)) * 3
    g = rng.normal(size=(3, 5))
    np.testing.assert_array_equal(a.vjp(x, g), g * a.derivative(x))
