"""Nested max/min/where formulas: their SymPy derivative compares a Piecewise with a Piecewise, which SymPy writes
with ITE (if-then-else between conditions). The generated NumPy, torch and mpmath code must translate it."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

import actlab
from actlab.formula import definition
from actlab.formula.codegen import MpmathFunction, NumpyFunction, TorchFunction
from actlab.formula.primitives import x

from _formula_helpers import defined_formulas

NESTED = {
    "t_nest_minmax_sig": ("min(max(x, 0), sigmoid(x))", {}),
    "t_nest_max_sig": ("max(sigmoid(x), max(x, 0))", {}),
    "t_nest_min_sq": ("min(x**2, max(x, 0))", {}),
    "t_nest_max_cos": ("max(cos(x), max(x, 0))", {}),
    "t_nest_min_mish": ("min(tanh(softplus(x)), max(x, 0))", {}),
    "t_nest_clip": ("max(min(x, 1), min(-x, 1) - 2)", {}),
    "t_nest_where": ("where(x > 0, min(x, tanh(x) + 0.5), max(-1, alpha * x))", {"alpha": 0.3}),
}
POINTS = (-7.5, -3.3, -1.5, -0.7, -0.2, -0.01, 0.013, 0.3, 0.8, 1.7, 2.6, 6.1)


@pytest.fixture(scope="module")
def nested():
    with defined_formulas(NESTED) as specs:
        yield specs


def _away_from_kinks(name: str) -> np.ndarray:
    kinks = actlab.get(name).kinks
    return np.array([v for v in POINTS if all(abs(v - k) > 1e-3 for k in kinks)])


def test_the_derivatives_of_these_formulas_need_ite(nested):
    assert any(definition(n).stable_derivative.has(sp.ITE) for n in NESTED)
    assert definition("t_nest_minmax_sig").stable_derivative.has(sp.ITE)


@pytest.mark.parametrize("name", list(NESTED))
def test_nested_derivative_matches_mpmath_and_finite_differences(nested, name):
    params = NESTED[name][1]
    xs = _away_from_kinks(name)
    got = actlab.get(name).derivative(xs)
    f = MpmathFunction(definition(name).expanded, tuple(params))
    with mpmath.workdps(40):
        numeric = [float(mpmath.diff(lambda t: f(t, **params), v)) for v in xs]
    symbolic = definition(name).derivative_reference()  # the mpmath backend translating the same ITE
    np.testing.assert_allclose(got, numeric, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got, [float(symbolic(v, **params)) for v in xs], rtol=1e-9, atol=1e-12)
    h = 1e-6
    fd = (actlab.get(name)(xs + h) - actlab.get(name)(xs - h)) / (2 * h)
    np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(NESTED))
def test_nested_torch_path_matches_numpy_and_autograd(nested, name):
    import torch
    from actlab.formula.codegen import torch_functions

    params = NESTED[name][1]
    forward, derivative = torch_functions(actlab.spec(name))
    xs = np.array([-800.0, -5.0, -1.0, -0.3, 0.0, 0.25, 1.0, 5.0, 800.0])
    t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    y = forward(t, **params)
    np.testing.assert_allclose(y.detach().numpy(), actlab.get(name)(xs), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(derivative(t.detach(), **params).numpy(), actlab.get(name).derivative(xs),
                               rtol=1e-12, atol=1e-300)
    smooth = torch.tensor(_away_from_kinks(name), dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(forward(smooth, **params).sum(), smooth)
    np.testing.assert_allclose(g.numpy(), actlab.get(name).derivative(smooth.detach().numpy()), rtol=1e-9,
                               atol=1e-12)


def test_torch_module_of_a_nested_formula(nested):
    import torch
    import actlab.torch as at

    xs = torch.linspace(-4, 4, 17, dtype=torch.float64)
    np.testing.assert_allclose(at.module("t_nest_minmax_sig")(xs).numpy(),
                               actlab.get("t_nest_minmax_sig")(xs.numpy()), rtol=1e-12)


def test_ite_and_other_connectives_compile_on_every_backend():
    import torch

    # ITE(x > 0, x < 1, x > -1): (0, 1) on the right, (-1, 0] on the left; Xor and Implies via And/Or/Not.
    conds = {
        sp.ITE(x > 0, x < 1, x > -1): lambda v: np.where(v > 0, v < 1, v > -1),
        sp.Xor(x > 0, x < 1): lambda v: (v > 0) != (v < 1),
        sp.Implies(x > 0, x < 1): lambda v: (v <= 0) | (v < 1),
    }
    xs = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    for cond, want in conds.items():
        expr = sp.Piecewise((x, cond), (0, True))
        expected = np.where(want(xs), xs, 0.0)
        np.testing.assert_array_equal(NumpyFunction(expr)(xs), expected, err_msg=str(cond))
        torch_got = TorchFunction(expr)(torch.tensor(xs)).numpy()
        np.testing.assert_array_equal(torch_got, expected, err_msg=str(cond))
        mp = MpmathFunction(expr)
        np.testing.assert_array_equal([float(mp(v)) for v in xs], expected, err_msg=str(cond))


def test_the_search_space_no_longer_drops_nested_max_min():
    from actlab.search import space

    sp_ = space()
    assert sp_.dropped["unsupported"] == 0
    assert "min(sigmoid(x), max(x, 0))" in {c.formula for c in sp_.candidates}
