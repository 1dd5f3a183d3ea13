"""Backprop against central finite differences, in float64, for every registered activation (generated from the
registry) and for the layers with their own parameters (PReLU, Maxout, NAC, NALU, ...)."""

from __future__ import annotations

import numpy as np
import pytest

import actlab
import actlab.nn as nn

TOL = 1e-6
H = 1e-5  # central-difference step; inputs stay farther than 1e-3 from every kink


def _away_from_kinks(model: nn.Sequential, X: np.ndarray, margin: float = 1e-3) -> bool:
    """True if every elementwise activation's pre-activations are farther than ``margin`` from its kinks."""
    Z = X
    for layer in model.layers:
        if isinstance(layer, nn.Activation) and layer.elementwise:
            kinks = np.asarray(layer.act.kinks, dtype=np.float64)
            if kinks.size and np.min(np.abs(Z[..., None] - kinks)) < margin:
                return False
        Z = layer.forward(Z, training=False)
    return True


def _tiny_net(name: str, seed: int) -> tuple[nn.Sequential, np.ndarray, np.ndarray]:
    """3 inputs -> activation layer of width 6 -> 2 outputs, float64, with inputs that avoid the kinks."""
    rng = np.random.default_rng(seed)
    for attempt in range(50):
        model = nn.mlp(3, [6], 2, name, init="glorot_normal", bias_init=0.1, dtype=np.float64,
                       seed=seed * 100 + attempt)
        X = rng.normal(size=(4, 3)) * 1.5
        if _away_from_kinks(model, X):
            return model, X, rng.normal(size=(4, 2))
    pytest.fail(f"no input away from the kinks of {name} in 50 draws")


@pytest.mark.parametrize("name", actlab.names())
def test_backprop_matches_finite_differences_for_every_activation(name):
    model, X, y = _tiny_net(name, seed=0)
    errors = nn.gradcheck(model, X, y, nn.MSE(), h=H)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("name", actlab.names())
def test_every_activation_trains_without_warnings_in_float32(name):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 3))
    model = nn.mlp(3, [6], 2, name, dtype=np.float32, seed=0)
    history = nn.fit(model, X, X[:, :2], "mse", nn.Adam(1e-2), epochs=2, batch_size=8)
    assert history.epochs == 2 and not history.diverged


def _check(model, X, y, loss="mse"):
    errors = nn.gradcheck(model, X, y, loss, h=H)
    assert max(errors.values()) < TOL, errors


F64 = np.float64


@pytest.mark.parametrize("per_unit", [False, True])
def test_prelu_slope_gradient(per_unit):
    rng = np.random.default_rng(1)
    model = nn.Sequential(nn.Dense(3, 5, dtype=F64, rng=1), nn.PReLU(5 if per_unit else None, dtype=F64),
                          nn.Dense(5, 2, dtype=F64, rng=2))
    _check(model, rng.normal(size=(6, 3)), rng.normal(size=(6, 2)))
    assert model.layers[1].params["alpha"].shape == ((5,) if per_unit else (1,))


def test_maxout_gradient():
    rng = np.random.default_rng(2)
    model = nn.Sequential(nn.Maxout(3, 4, k=3, dtype=F64, rng=1), nn.Dense(4, 2, dtype=F64, rng=2))
    _check(model, rng.normal(size=(6, 3)), rng.integers(0, 2, 6), "cross_entropy")


def test_maxout_outputs_the_max_of_its_pieces():
    layer = nn.Maxout(3, 2, k=4, dtype=F64, rng=0)
    X = np.random.default_rng(0).normal(size=(5, 3))
    Z = X @ layer.params["W"] + layer.params["b"]
    np.testing.assert_array_equal(layer.forward(X), Z.reshape(5, 2, 4).max(axis=2))


def test_nac_and_nalu_gradients():
    rng = np.random.default_rng(3)
    model = nn.Sequential(nn.NAC(3, 4, dtype=F64, rng=1), nn.NALU(4, 2, dtype=F64, rng=2))
    _check(model, rng.normal(size=(6, 3)) + 0.5, rng.normal(size=(6, 2)))


def test_nac_weights_are_gated_towards_minus_one_zero_one():
    layer = nn.NAC(2, 3, dtype=F64, rng=0)
    W = np.tanh(layer.params["W_hat"]) / (1 + np.exp(-layer.params["M_hat"]))
    np.testing.assert_allclose(layer.W, W, rtol=1e-12)
    assert np.all(np.abs(layer.W) < 1)


def test_nalu_learns_to_multiply():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 2.0, size=(512, 2))
    y = X[:, :1] * X[:, 1:]
    model = nn.Sequential(nn.NALU(2, 1, dtype=F64, rng=0))
    history = nn.fit(model, X, y, "mse", nn.Adam(0.1), epochs=300, batch_size=64, seed=0)
    assert history.loss[-1] < 5e-4, history.loss[-1]
    X_far = rng.uniform(5, 10, size=(100, 2))  # extrapolation, far outside the training range
    rel = np.abs(model.predict(X_far)[:, 0] / (X_far[:, 0] * X_far[:, 1]) - 1)
    assert np.median(rel) < 0.05


def test_nalu_never_overflows_to_inf():
    layer = nn.NALU(2, 1, dtype=np.float32, rng=0)
    layer.params["W_hat"][...] = 20.0  # W -> 1
    layer.params["M_hat"][...] = 20.0
    layer.params["G"][...] = -20.0  # choose the multiplicative path
    out = layer.forward(np.full((1, 2), 1e30, np.float32))
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("layer_factory", [
    lambda: nn.CReLU(),
    lambda: nn.Softmax(),
    lambda: nn.GLU("glu"),
], ids=["crelu", "softmax", "glu"])
def test_named_activation_layers_gradients(layer_factory):
    rng = np.random.default_rng(4)
    act = layer_factory()
    n_mid = nn.model._width_ratio(act.act)
    model = nn.Sequential(nn.Dense(3, 6, dtype=F64, rng=1), act, nn.Dense(int(6 * n_mid), 2, dtype=F64, rng=2))
    _check(model, rng.normal(size=(5, 3)), rng.normal(size=(5, 2)))


def test_rrelu_training_mode_gradient_uses_the_drawn_slopes():
    rng = np.random.default_rng(5)
    model = nn.Sequential(nn.Dense(3, 6, dtype=F64, rng=1), nn.Activation("rrelu", seed=3),
                          nn.Dense(6, 2, dtype=F64, rng=2))
    X = rng.normal(size=(5, 3))
    act = model.layers[1]
    out = model.forward(X, training=True)
    model.backward(np.ones_like(out))
    Z, A = act._Z, act._A
    slope = np.where(Z > 0, 1.0, A / np.where(Z == 0, 1, Z))
    np.testing.assert_allclose(act.local_derivative(), slope, rtol=1e-12)
    lower, upper = act.act.params["lower"], act.act.params["upper"]
    neg = Z < 0
    assert np.all((slope[neg] >= lower - 1e-12) & (slope[neg] <= upper + 1e-12))
