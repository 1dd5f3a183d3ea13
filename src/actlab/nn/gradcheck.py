"""Central finite differences against the network's analytic gradients (what the gradient-check tests run)."""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.nn.losses import Loss, get_loss
from actlab.nn.model import Sequential


def _loss_value(model: Sequential, X: np.ndarray, Y: np.ndarray, loss: Loss) -> float:
    return loss.value_and_grad(model.forward(X, training=False), Y)[0]


def gradcheck(model: Sequential, X: Any, y: Any, loss: str | Loss = "mse", h: float = 1e-5,
              check_input: bool = True) -> dict[str, float]:
    """Max relative error between backprop and central differences, per parameter (and for the input).

    Run it on a float64 model. The error of an array is max|analytic - numeric| / max(max|analytic|, max|numeric|):
    relative to the array's scale, so entries that are tiny by nature do not turn rounding noise into large ratios.
    Central differences of step h = 1e-5 are accurate to about 1e-10 for smooth functions; points closer than ``h``
    to a kink of the activation give large errors by nature.
    """
    loss = get_loss(loss)
    X = np.array(X, dtype=model.dtype)
    out = model.forward(X, training=False)
    Y = loss.target(np.asarray(y), out.shape[1], model.dtype)
    _, grad = loss.value_and_grad(out, Y)
    grad_x = model.backward(grad, input_grad=True)
    analytic = {name: g.copy() for (name, _), g in zip(model.named_parameters(), model.gradients())}
    if check_input:
        analytic["input"] = grad_x.copy()
    targets = dict(model.named_parameters())
    if check_input:
        targets["input"] = X
    errors = {}
    for name, arr in targets.items():
        numeric = np.zeros_like(arr)
        flat, nflat = arr.reshape(-1), numeric.reshape(-1)
        for j in range(flat.size):
            keep = flat[j]
            flat[j] = keep + h
            plus = _loss_value(model, X, Y, loss)
            flat[j] = keep - h
            minus = _loss_value(model, X, Y, loss)
            flat[j] = keep
            nflat[j] = (plus - minus) / (2 * h)
        a = analytic[name]
        scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(numeric), initial=0.0)), 1e-12)
        errors[name] = float(np.max(np.abs(a - numeric), initial=0.0)) / scale
    return errors
