"""The experiments' thin layer over ``actlab.nn``: build, train, evaluate and look inside an MLP.

Every experiment trains the one NumPy network (``actlab.nn``); this module only fixes the conventions they share
(logits out, the loss that goes with a task, accuracy on a test set, the pre-activations of each hidden layer).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def nn():
    import actlab.nn

    return actlab.nn


def mlp(n_in: int, hidden, n_out: int, activation: str, seed: int, **kwargs):
    return nn().mlp(n_in, list(hidden), n_out, activation=activation, seed=seed, **kwargs)


def fit(model, X, y, loss: str, optimizer, epochs: int, batch_size: int, seed: int,
        callback: Callable | None = None, X_val=None, y_val=None):
    return nn().fit(model, X, y, loss=loss, optimizer=optimizer, epochs=epochs, batch_size=batch_size, seed=seed,
                    callback=callback, X_val=X_val, y_val=y_val)


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    out = model.forward(X, training=False)
    if out.shape[1] == 1:  # one logit: a binary classifier
        return float(np.mean((out[:, 0] > 0).astype(np.int64) == y))
    return float(np.mean(np.argmax(out, axis=1) == y))


def preactivations(model, X: np.ndarray) -> list[np.ndarray]:
    """The input Z of every activation layer for a forward pass on X (inference mode), in layer order."""
    Zs = []
    H = np.asarray(X, dtype=model.dtype)
    for layer in model.layers:
        if getattr(layer, "records", False):
            Zs.append(H)
        H = layer.forward(H, training=False)
    return Zs


def activation_layers(model) -> list[Any]:
    return [layer for layer in model.layers if getattr(layer, "records", False)]


def dense_layers(model) -> list[Any]:
    return [layer for layer in model.layers if "W" in layer.params and "b" in layer.params]


def train_steps(model, X: np.ndarray, y: np.ndarray, loss, optimizer, steps: int, batch_size: int,
                rng: np.random.Generator, every: int = 0, on_eval: Callable[[int], bool] | None = None) -> int:
    """Step-level training for experiments that watch single steps: ``on_eval(step)`` every ``every`` steps
    (True stops). Returns the number of steps taken; a non-finite loss stops early (returns -step)."""
    net = nn()
    loss = net.get_loss(loss)
    X = np.asarray(X, dtype=model.dtype)
    n_out = model.forward(X[:1], training=False).shape[1]
    Y = loss.target(y, n_out, model.dtype)
    params, grads = model.parameters(), model.gradients()
    n = len(X)
    order = rng.permutation(n)
    pos = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            if pos + batch_size > n:
                order, pos = rng.permutation(n), 0
            idx = order[pos:pos + batch_size]
            pos += batch_size
            out = model.forward(X[idx], training=True)
            value, grad = loss.value_and_grad(out, Y[idx])
            if not np.isfinite(value):
                return -step
            model.backward(grad, input_grad=False)
            optimizer.step(params, grads)
            if every and on_eval is not None and step % every == 0 and on_eval(step):
                return step
    return steps
