"""NAU and NMU (Madsen & Johansen 2020): gradients against finite differences, the paper's initialisation, the
weight box, the sparsity regulariser, seed ensembles, and that they learn exact arithmetic that extrapolates."""

from __future__ import annotations

import numpy as np
import pytest

import actlab.nn as nn
from actlab.errors import ParameterError

F64 = np.float64
TOL = 1e-6


def test_nau_into_nmu_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.NAU(4, 3, dtype=F64, rng=1), nn.NMU(3, 2, dtype=F64, rng=2))
    X, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 2))
    errors = nn.gradcheck(model, X, y, "mse", h=1e-5)
    assert max(errors.values()) < TOL, errors


def test_nmu_gradient_is_exact_when_a_factor_is_zero():
    # W = 1/2 and x = -1 make a factor exactly 0 (1/2 * -1 + 1 - 1/2): a division by the product would give 0/0.
    layer = nn.NMU(3, 1, dtype=F64, rng=0)
    layer.params["W"][...] = [[0.5], [0.6], [0.3]]
    X = np.array([[-1.0, 2.0, -1.5], [1.5, 0.5, 2.0]])
    model = nn.Sequential(layer)
    errors = nn.gradcheck(model, X, np.array([[0.3], [-0.2]]), "mse", h=1e-6)
    assert max(errors.values()) < TOL, errors
    assert np.all(np.isfinite(layer.grads["W"]))


def test_nmu_multiplies_the_selected_inputs():
    layer = nn.NMU(3, 2, dtype=F64, rng=0)
    layer.params["W"][...] = [[1, 1], [1, 0], [0, 1]]
    X = np.array([[2.0, 3.0, -4.0], [0.0, 5.0, 7.0]])
    np.testing.assert_allclose(layer.forward(X), [[6.0, -8.0], [0.0, 0.0]])


def test_initialisation_is_the_papers():
    nau = nn.NAU(100, 2, dtype=F64, rng=0)
    r = min(0.5, np.sqrt(3) * np.sqrt(2 / 102))
    assert np.abs(nau.W).max() <= r and np.abs(nau.W).max() > 0.9 * r
    assert abs(nau.W.mean()) < 0.05
    nmu = nn.NMU(200, 3, dtype=F64, rng=0)
    assert 0.25 <= nmu.W.min() < 0.27 and 0.73 < nmu.W.max() <= 0.75


@pytest.mark.parametrize("unit, low", [(nn.NAU, -1.0), (nn.NMU, 0.0)])
def test_weights_are_projected_into_the_box_on_forward(unit, low):
    layer = unit(3, 2, dtype=F64, rng=0)
    layer.params["W"][...] = [[3.0, -3.0], [0.5, 0.2], [-0.4, 1.2]]
    layer.forward(np.ones((1, 3)))
    assert layer.W.min() == low and layer.W.max() == 1.0
    assert layer.W[1, 0] == 0.5


@pytest.mark.parametrize("unit", [nn.NAU, nn.NMU])
def test_sparsity_regulariser_gradient_matches_finite_differences(unit):
    layer = unit(5, 3, dtype=F64, rng=4, sparsity=2.5)
    X = np.random.default_rng(1).normal(size=(4, 5))
    out = layer.forward(X)
    layer.backward(np.zeros_like(out))  # no data gradient: grads["W"] is lambda dR/dW alone
    W = layer.params["W"]
    numeric = np.zeros_like(W)
    h = 1e-6
    for idx in np.ndindex(W.shape):
        keep = W[idx]
        W[idx] = keep + h
        plus = layer.penalty()
        W[idx] = keep - h
        minus = layer.penalty()
        W[idx] = keep
        numeric[idx] = 2.5 * (plus - minus) / (2 * h)
    np.testing.assert_allclose(layer.grads["W"], numeric, atol=1e-8)


def test_penalty_is_zero_exactly_at_discrete_weights():
    layer = nn.NAU(2, 2, dtype=F64)
    layer.params["W"][...] = [[1, 0], [-1, 1]]
    assert layer.penalty() == 0.0
    layer.params["W"][...] = 0.5
    assert layer.penalty() == pytest.approx(0.5)


@pytest.mark.parametrize("unit, kw", [(nn.NAU, {"sparsity": 0.1}), (nn.NMU, {"sparsity": 0.1}), (nn.NAC, {}),
                                      (nn.NALU, {})], ids=["nau", "nmu", "nac", "nalu"])
def test_an_ensemble_trains_each_member_as_its_own_layer(unit, kw):
    rng = np.random.default_rng(2)
    ens = unit(4, 2, dtype=F64, rng=0, ensemble=3, **kw)
    X, G = rng.normal(size=(3, 5, 4)), rng.normal(size=(3, 5, 2))
    out = ens.forward(X)
    dX = ens.backward(G)
    for s in range(3):
        single = unit(4, 2, dtype=F64, **kw)
        for k in single.params:
            single.params[k][...] = ens.params[k][s]
        np.testing.assert_allclose(single.forward(X[s]), out[s], rtol=1e-12)
        np.testing.assert_allclose(single.backward(G[s]), dX[s], rtol=1e-12)
        for k in single.params:
            np.testing.assert_allclose(single.grads[k], ens.grads[k][s], rtol=1e-12, atol=1e-15)


def test_bad_settings_say_what_was_expected():
    with pytest.raises(ParameterError, match="sparsity of NAU must be a finite float >= 0. Got -1"):
        nn.NAU(2, 2, sparsity=-1)
    with pytest.raises(ParameterError, match="ensemble of NMU must be a positive integer"):
        nn.NMU(2, 2, ensemble=0)


@pytest.mark.parametrize("unit, op", [(nn.NAU, lambda Z: Z[:, 0] - Z[:, 2]), (nn.NMU, lambda Z: Z[:, 0] * Z[:, 2])],
                         ids=["nau: x0 - x2", "nmu: x0 * x2"])
def test_unit_learns_its_operation_and_extrapolates(unit, op):
    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 2, size=(512, 3))
    model = nn.Sequential(unit(3, 1, dtype=F64, rng=0))
    nn.fit(model, X, op(X)[:, None], "mse", nn.Adam(0.02), epochs=40, batch_size=64, seed=0)
    X_far = rng.uniform(5, 10, size=(200, 3))  # far outside the training range
    np.testing.assert_allclose(model.predict(X_far)[:, 0], op(X_far), rtol=1e-2)
    np.testing.assert_allclose(model.layers[0].W[:, 0], [1, 0, -1 if unit is nn.NAU else 1], atol=1e-2)
