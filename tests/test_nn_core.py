"""The NumPy network: layers, losses, optimisers, training loop, determinism, divergence, recorder hooks."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import actlab
import actlab.nn as nn


def _xor(n=256, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


# --- models and dtypes -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_backward_and_fit_keep_the_model_dtype(dtype):
    X, y = _xor()
    model = nn.mlp(2, [8, 8], 2, "tanh", dtype=dtype, seed=0)
    out = model.forward(X)
    assert out.dtype == dtype and out.shape == (256, 2)
    grad_in = model.backward(np.ones_like(out))
    assert grad_in.dtype == dtype and grad_in.shape == X.shape
    nn.fit(model, X, y, nn.SoftmaxCrossEntropy(), nn.Adam(0.01), epochs=2, batch_size=32)
    assert all(p.dtype == dtype for p in model.parameters())
    assert all(g.dtype == dtype for g in model.gradients())


def test_mlp_learns_xor_like_data_with_every_common_activation():
    X, y = _xor(400)
    for name in ("relu", "tanh", "sigmoid", "leaky_relu"):
        model = nn.mlp(2, [16, 16], 2, name, seed=0)
        history = nn.fit(model, X, y, "cross_entropy", nn.Adam(0.02), epochs=40, batch_size=32, seed=0)
        assert history.train_score[-1] > 0.9, (name, history.train_score[-1])
        assert history.loss[-1] < history.loss[0]


def test_same_seed_gives_identical_numbers_and_another_seed_does_not():
    X, y = _xor()

    def run(seed):
        model = nn.mlp(2, [8], 2, "relu", seed=seed)
        history = nn.fit(model, X, y, "cross_entropy", "adam", epochs=3, batch_size=16, seed=seed)
        return history.loss, model.flat_params.copy()

    loss_a, params_a = run(3)
    loss_b, params_b = run(3)
    loss_c, params_c = run(4)
    assert loss_a == loss_b
    np.testing.assert_array_equal(params_a, params_b)
    assert not np.array_equal(params_a, params_c)


def test_fit_reports_divergence_instead_of_raising():
    X = np.linspace(-1, 1, 64).reshape(-1, 1)
    y = 1e3 * X[:, 0]
    model = nn.mlp(1, [8], 1, "relu", dtype=np.float32, seed=0)
    history = nn.fit(model, X, y, "mse", nn.SGD(lr=10.0), epochs=50, batch_size=8)
    assert history.diverged
    assert history.epochs < 50
    assert not np.isfinite(history.loss[-1])


def test_history_records_train_and_validation_scores_and_time():
    X, y = _xor(300)
    model = nn.mlp(2, [16], 2, "tanh", seed=1)
    history = nn.fit(model, X[:200], y[:200], "cross_entropy", nn.Adam(0.01), epochs=5, batch_size=20,
                     X_val=X[200:], y_val=y[200:])
    assert history.epochs == 5
    assert len(history.train_score) == len(history.val_score) == len(history.val_loss) == len(history.time) == 5
    assert all(0 <= s <= 1 for s in history.val_score)
    assert history.time == sorted(history.time) and history.wall_time > 0
    assert history.to_dict()["epochs"] == 5


def test_callback_can_stop_training():
    X, y = _xor()
    history = nn.fit(nn.mlp(2, [4], 2, seed=0), X, y, "cross_entropy", "adam", epochs=20,
                     callback=lambda epoch, h, m: epoch == 2)
    assert history.epochs == 3 and history.stopped_early


def test_the_backward_pass_is_the_textbook_delta_recursion():
    rng = np.random.default_rng(0)
    model = nn.mlp(3, [5, 4], 2, "sigmoid", dtype=np.float64, seed=0)
    X = rng.normal(size=(7, 3))
    out = model.forward(X)
    g = rng.normal(size=out.shape)
    model.backward(g)
    d1, a1, d2, a2, d3 = model.layers
    # delta_2 = (g @ W3.T) * sigmoid'(Z2);  dW2 = A1^T delta_2;  delta_1 = (delta_2 @ W2.T) * sigmoid'(Z1)
    sig = actlab.get("sigmoid")
    Z1 = X @ d1.params["W"] + d1.params["b"]
    Z2 = sig(Z1) @ d2.params["W"] + d2.params["b"]
    delta2 = (g @ d3.params["W"].T) * sig.derivative(Z2)
    delta1 = (delta2 @ d2.params["W"].T) * sig.derivative(Z1)
    np.testing.assert_allclose(d3.grads["W"], sig(Z2).T @ g, rtol=1e-12)
    np.testing.assert_allclose(d2.grads["W"], sig(Z1).T @ delta2, rtol=1e-12)
    np.testing.assert_allclose(d1.grads["W"], X.T @ delta1, rtol=1e-12)
    np.testing.assert_allclose(d1.grads["b"], delta1.sum(0), rtol=1e-12)


def test_pickled_model_keeps_training_through_its_flat_buffer():
    X, y = _xor()
    model = nn.mlp(2, [8], 2, seed=0)
    clone = pickle.loads(pickle.dumps(model))
    h1 = nn.fit(model, X, y, "cross_entropy", "adam", epochs=2, seed=1)
    h2 = nn.fit(clone, X, y, "cross_entropy", "adam", epochs=2, seed=1)
    assert h1.loss == h2.loss
    np.testing.assert_array_equal(model.flat_params, clone.flat_params)
    assert np.shares_memory(clone.layers[0].params["W"], clone.flat_params)


def test_width_changing_activations_get_matching_dense_widths():
    model = nn.mlp(3, [4], 2, "crelu", seed=0)
    assert model.layers[0].n_out == 2 and model.layers[2].n_in == 4
    assert model.forward(np.ones((5, 3))).shape == (5, 2)


def test_prelu_activation_becomes_a_learnable_layer():
    model = nn.mlp(3, [4], 2, "prelu", seed=0)
    assert isinstance(model.layers[1], nn.PReLU)
    X, y = _xor(64)
    before = model.layers[1].params["alpha"].copy()
    nn.fit(model, np.c_[X, X[:, :1]], y, "cross_entropy", nn.Adam(0.05), epochs=3, batch_size=8)
    assert model.layers[1].params["alpha"][0] != before[0]


def test_bias_init_sets_positive_biases():
    model = nn.mlp(3, [4], 2, "relu", bias_init=0.1, seed=0)
    np.testing.assert_array_equal(model.layers[0].params["b"], np.full(4, 0.1, np.float32))


def test_initialisers_have_their_variances():
    rng = np.random.default_rng(0)
    for name, var in (("glorot_normal", 2 / 600), ("he_normal", 2 / 400), ("lecun_uniform", 1 / 400),
                      ("he_uniform", 2 / 400), ("glorot_uniform", 2 / 600)):
        W = nn.get_initializer(name)(rng, 400, 200, np.float64)
        assert abs(W.var() / var - 1) < 0.03, name
    assert nn.auto_init(actlab.get("relu")) == "he_normal"
    assert nn.auto_init(actlab.get("tanh")) == "glorot_uniform"


def test_unknown_names_say_what_was_expected():
    with pytest.raises(actlab.UnknownActivation, match="Did you mean"):
        nn.mlp(2, [4], 1, "rleu")
    with pytest.raises(ValueError, match="Did you mean 'he_normal'"):
        nn.get_initializer("he_norml")
    with pytest.raises(ValueError, match="Unknown loss"):
        nn.get_loss("hinge")
    with pytest.raises(ValueError, match="learning rate"):
        nn.Adam(lr=-1)


# --- losses ------------------------------------------------------------------------------------------------------

def test_cross_entropies_are_stable_for_huge_logits():
    z = np.array([[1e4, -1e4], [-1e4, 1e4]])
    y = np.array([0, 0])
    value, grad = nn.SoftmaxCrossEntropy().value_and_grad(z, nn.SoftmaxCrossEntropy().target(y, 2, z.dtype))
    assert value == pytest.approx(1e4)  # one perfectly right (0) and one wrong by 2e4 (2e4): mean 1e4
    assert np.all(np.isfinite(grad))
    zb = np.array([[1e4], [-1e4]], dtype=np.float32)
    assert nn.BinaryCrossEntropy()(zb, np.array([0, 1])) == pytest.approx(1e4)


def test_output_delta_is_y_hat_minus_y():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, 6)
    onehot = np.eye(4)[y]
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    np.testing.assert_allclose(nn.SoftmaxCrossEntropy().gradient(z, y), (p - onehot) / 6, rtol=1e-12)
    yb = rng.integers(0, 2, (6, 4))
    np.testing.assert_allclose(nn.BinaryCrossEntropy().gradient(z, yb), (1 / (1 + np.exp(-z)) - yb) / 6,
                               rtol=1e-12)
    yr = rng.normal(size=(6, 4))
    np.testing.assert_allclose(nn.MSE(half=True).gradient(z, yr), (z - yr) / 24, rtol=1e-12)
    np.testing.assert_allclose(nn.MSE().gradient(z, yr), 2 * (z - yr) / 24, rtol=1e-12)


def test_loss_values_match_the_textbook_formulas():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(5, 3))
    y = rng.integers(0, 3, 5)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    assert nn.SoftmaxCrossEntropy()(z, y) == pytest.approx(-np.mean(np.log(p[np.arange(5), y])), rel=1e-12)
    yb = rng.integers(0, 2, (5, 3))
    s = 1 / (1 + np.exp(-z))
    bce = -np.sum(yb * np.log(s) + (1 - yb) * np.log(1 - s)) / 5
    assert nn.BinaryCrossEntropy()(z, yb) == pytest.approx(bce, rel=1e-12)
    assert nn.MSE()(z, z + 2) == pytest.approx(4.0)
    assert nn.MSE().score(z, z) == 1.0


# --- optimisers --------------------------------------------------------------------------------------------------

def test_optimisers_match_scikit_learns_update_rules():
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

    rng = np.random.default_rng(0)
    for ours, theirs in (
        (nn.Adam(0.01, 0.8, 0.99, 1e-7), lambda p: AdamOptimizer(p, 0.01, 0.8, 0.99, 1e-7)),
        (nn.SGD(0.1, momentum=0.9, nesterov=True), lambda p: SGDOptimizer(p, 0.1, "constant", 0.9, True)),
        (nn.Momentum(0.1), lambda p: SGDOptimizer(p, 0.1, "constant", 0.9, False)),
    ):
        p_ours = [rng.normal(size=(3, 2)), rng.normal(size=2)]
        p_theirs = [p.copy() for p in p_ours]
        sk = theirs(p_theirs)
        for _ in range(5):
            grads = [rng.normal(size=(3, 2)), rng.normal(size=2)]
            ours.step(p_ours, grads)
            sk.update_params(p_theirs, grads)
        for a, b in zip(p_ours, p_theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12)


# --- recorder ----------------------------------------------------------------------------------------------------

def test_recorder_sees_pre_activations_outputs_and_gradients():
    model = nn.mlp(3, [6, 5], 2, "relu", dtype=np.float64, seed=0)
    X = np.random.default_rng(0).normal(size=(10, 3))
    with nn.Recorder(model) as rec:
        out = model.forward(X)
        model.backward(np.ones_like(out))
    assert [r.pre.shape for r in rec.records] == [(10, 6), (10, 5)]
    first = rec.records[0]
    np.testing.assert_array_equal(first.out, np.maximum(first.pre, 0))
    np.testing.assert_array_equal(first.grad_pre, first.grad_out * (first.pre > 0))
    assert len(rec.grad_norms()) == 2 and all(np.isfinite(rec.grad_norms()))
    assert not rec.attached and model._hooks == []


def test_recorder_counts_dead_relu_units():
    model = nn.mlp(3, [8], 2, "relu", dtype=np.float64, seed=0)
    b = model.layers[0].params["b"]
    b[:4] = -100.0  # four units can never switch on
    rec = nn.Recorder(model)
    model.forward(np.random.default_rng(0).normal(size=(50, 3)))
    assert rec.dead_fraction() == [0.5]
    assert rec.saturation()[0] >= 0.5
    assert rec.zero_fraction()[0] >= 0.5
    rec.remove()


def test_recorder_reports_sigmoid_saturation_and_vanishing_gradients():
    model = nn.mlp(4, [16] * 6, 2, "sigmoid", dtype=np.float64, seed=0)
    X = np.random.default_rng(0).normal(size=(64, 4))
    rec = nn.Recorder(model)
    out = model.forward(X)
    model.backward(nn.SoftmaxCrossEntropy().gradient(out, np.zeros(64, int)))
    norms = rec.grad_norms()
    assert norms[0] < norms[-1] / 10  # sigmoid' <= 1/4 per layer: the delta shrinks towards the input
    rows = rec.summary()
    assert len(rows) == 6 and {"dead_fraction", "saturation", "grad_norm"} <= set(rows[0])


def test_astype_copies_the_model_into_another_precision():
    model = nn.mlp(3, [5], 2, "gelu", dtype=np.float32, seed=0)
    X = np.random.default_rng(0).normal(size=(4, 3))
    wide = model.astype(np.float64)
    assert wide.dtype == np.float64 and all(p.dtype == np.float64 for p in wide.parameters())
    np.testing.assert_allclose(wide.predict(X), model.predict(X), rtol=1e-5, atol=1e-6)
    wide.flat_params[:] = 0  # a copy: the original is untouched
    assert np.any(model.flat_params != 0)


def test_softmax_layer_outputs_probabilities_and_glu_needs_a_gated_activation():
    out = nn.Softmax().forward(np.array([[1e3, 0.0, -1e3], [1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-15)
    assert nn.GLU("swiglu").forward(np.ones((2, 6))).shape == (2, 3)
    with pytest.raises(ValueError, match="gated"):
        nn.GLU("relu")


def test_mlp_rejects_widths_that_do_not_suit_the_activation():
    with pytest.raises(ValueError, match="hidden width of 5"):
        nn.mlp(3, [5], 2, "crelu")
