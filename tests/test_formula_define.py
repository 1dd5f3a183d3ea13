"""User activations from formulas: derivatives against mpmath, stable rewrites, properties, use everywhere."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

import actlab
from actlab.errors import FormulaError, RegistrationError
from actlab.formula import FormulaWarning, define, definition, undefine
from actlab.formula.codegen import MpmathFunction

from _formula_helpers import defined_formulas

FORMULAS = {
    "t_swish_beta": ("x * sigmoid(beta * x)", {"beta": 1.5}),
    "t_mish": ("x * tanh(softplus(x))", {}),
    "t_softplus": ("log(1 + exp(x))", {}),
    "t_elu": ("where(x > 0, x, alpha * (exp(x) - 1))", {"alpha": 0.7}),
    "t_gelu": ("x / 2 * (1 + erf(x / sqrt(2)))", {}),
    "t_relu_mix": ("relu(x) + 0.1 * leaky_relu(x, 0.2)", {}),
    "t_bump": ("piecewise(x < -1, -1, x < 1, x**3, 1)", {}),
    "t_periodic": ("x + sin(x)**2", {}),
}


@pytest.fixture(scope="module")
def defined():
    with defined_formulas(FORMULAS) as specs:
        yield specs


def _mp_derivative(name: str, params: dict, xv: float) -> float:
    f = MpmathFunction(definition(name).expanded, tuple(params))
    with mpmath.workdps(40):
        return float(mpmath.diff(lambda t: f(t, **params), xv))


@pytest.mark.parametrize("name", list(FORMULAS))
def test_derivative_matches_mpmath(defined, name):
    params = FORMULAS[name][1]
    a = actlab.get(name)
    kinks = a.kinks
    xs = [v for v in (-30.0, -3.3, -1.5, -0.7, -0.01, 0.013, 0.4, 0.99, 1.7, 4.2, 25.0)
          if all(abs(v - k) > 1e-3 for k in kinks)]
    got = a.derivative(np.array(xs))
    want = [_mp_derivative(name, params, v) for v in xs]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(FORMULAS))
def test_forward_matches_mpmath_even_far_out(defined, name):
    params = FORMULAS[name][1]
    ref = MpmathFunction(definition(name).expanded, tuple(params))
    xs = np.array([-1e4, -800.0, -40.0, -2.0, 0.0, 1e-9, 2.0, 40.0, 800.0, 1e4])
    got = actlab.get(name)(xs)
    want = [float(ref(v, **params)) for v in xs]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


def test_stable_rewrites_are_applied_and_reported():
    with pytest.warns(FormulaWarning, match=r"log\(1\+exp\(x\)\) overflows for x > 709: written as softplus\(x\)"):
        define("t_naive_softplus", "log(1+exp(x))")
    try:
        a = actlab.get("t_naive_softplus")
        with np.errstate(all="raise"):
            assert a(1000.0) == 1000.0
            assert a.derivative(1000.0) == 1.0
            assert a(-1000.0) == 0.0
    finally:
        undefine("t_naive_softplus")


@pytest.mark.parametrize("text, pattern", [
    ("1/(1+exp(-x))", "written as sigmoid"),
    ("exp(x)/(1+exp(x))", "sigmoid"),
    ("exp(x) - 1", "written as expm1"),
    ("log(1 + x**2)", "written as log1p"),
    ("1 - erf(x)", "written as erfc"),
])
def test_each_unstable_pattern_is_rewritten(text, pattern):
    with pytest.warns(FormulaWarning, match=pattern):
        define("t_pattern", text)
    try:
        a = actlab.get("t_pattern")
        xs = np.array([-1000.0, -30.0, -1e-9, 0.0, 1e-9, 30.0, 1000.0])
        ref = MpmathFunction(definition("t_pattern").expanded)
        np.testing.assert_allclose(a(xs), [float(ref(v)) for v in xs], rtol=1e-12, atol=1e-300)
    finally:
        undefine("t_pattern")


def test_accuracy_check_warns_where_code_still_overflows():
    with pytest.warns(FormulaWarning, match=r"loses accuracy at x = .*710.*overflows"):
        define("t_tanh_naive", "(exp(x) - exp(-x)) / (exp(x) + exp(-x))")
    undefine("t_tanh_naive")


def test_inferred_properties(defined):
    p = actlab.get("t_swish_beta").properties
    assert p["range"][1] == math.inf and -0.2 < p["range"][0] < -0.18  # min of x*sigmoid(1.5x) is -0.1856
    assert not p["monotonic"] and p["smooth"] == math.inf and p["saturates"] == "left"
    p = actlab.get("t_softplus").properties
    assert p["range"] == (0.0, math.inf) and p["monotonic"]
    e = actlab.get("t_elu")
    assert e.properties["range"][0] == -0.7 and e.properties["smooth"] == 0 and e.kinks == (0.0,)
    assert actlab.get("t_elu", alpha=1.0).properties["smooth"] == 1  # ELU with alpha = 1 is C1
    b = actlab.get("t_bump").properties
    assert b["range"] == (-1.0, 1.0) and b["monotonic"] and b["smooth"] == 0
    assert actlab.get("t_relu_mix").properties["sparse"] is False
    assert actlab.get("t_relu_mix").kinks == (0.0,)


def test_kink_conventions_follow_the_catalog(defined):
    a = actlab.get("t_relu_mix")
    assert a.derivative(0.0) == pytest.approx(0.0 + 0.1 * 0.2)  # relu'(0) = 0, leaky_relu'(0) = alpha


def test_defined_activation_is_a_registry_entry(defined):
    a = actlab.get("t_swish_beta", beta=2.0)
    assert a.spec.source == "user"
    assert "t_swish_beta" in actlab.names(source="user")
    assert a(1.0) == pytest.approx(1.0 / (1.0 + math.exp(-2.0)))
    assert "beta" in a.spec.formula and a.latex and a.derivative_latex
    assert a(np.float32(1.0)).dtype == np.float32
    assert np.isnan(a(np.nan))


def test_catalog_names_cannot_be_taken():
    with pytest.raises(RegistrationError, match="catalog"):
        define("relu", "x")


@pytest.mark.parametrize("name, text, params, fragment", [
    ("Bad-Name", "x", {}, "snake_case"),
    ("exp", "x", {}, "formula language"),
    ("t_const", "2 + 3", {}, "does not depend on x"),
    ("t_unused", "x", {"beta": 1.0}, "does not use it"),
    ("t_param", "x", {"x": 1.0}, "reserved"),
    ("t_nan", "x*beta", {"beta": float("nan")}, "finite"),
    ("t_self", "t_self(x)", {}, "Unknown function"),
])
def test_define_refuses_bad_input(name, text, params, fragment):
    with pytest.raises((FormulaError, RegistrationError), match=None) as info:
        define(name, text, **params)
    assert fragment in str(info.value)


def test_user_activation_trains_in_the_numpy_network(defined):
    from actlab import nn

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = nn.mlp(3, [8], 2, activation="t_mish", seed=0)
    history = nn.fit(model, X, y, nn.SoftmaxCrossEntropy(), nn.Adam(1e-2), epochs=5, batch_size=16, seed=0)
    assert np.all(np.isfinite(history.loss))
    assert history.loss[-1] < history.loss[0]


def test_torch_functions_match_numpy(defined):
    import torch
    from actlab.formula.codegen import torch_functions

    for name, (_, params) in FORMULAS.items():
        spec = actlab.spec(name)
        forward, derivative = torch_functions(spec)
        xs = np.array([-800.0, -5.0, -1.0, -0.3, 0.0, 0.25, 1.0, 5.0, 800.0])
        t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        y = forward(t, **params)
        np.testing.assert_allclose(y.detach().numpy(), actlab.get(name)(xs), rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(derivative(t, **params).detach().numpy(), actlab.get(name).derivative(xs),
                                   rtol=1e-12, atol=1e-300)
        (g,) = torch.autograd.grad(y.sum(), t)
        assert torch.all(torch.isfinite(g)), name  # no NaN from an unused piecewise branch


def test_torch_module_for_user_activation(defined):
    import torch
    import actlab.torch as at

    m = at.module("t_swish_beta")
    xs = torch.linspace(-5, 5, 11, dtype=torch.float64)
    np.testing.assert_allclose(m(xs).numpy(), actlab.get("t_swish_beta")(xs.numpy()), rtol=1e-6)


def test_cli_show_and_plot_know_user_activations(defined, actlab_cli, tmp_path):
    shown = actlab_cli("show", "t_mish")
    assert shown.returncode == 0, shown.stderr
    assert "t_mish" in shown.stdout
    out = tmp_path / "p.png"
    plotted = actlab_cli("plot", "t_mish", "relu", "-o", str(out))
    assert plotted.returncode == 0, plotted.stderr
    assert out.exists() and out.stat().st_size > 0
