"""Vector-valued activations along an axis: softmax, log-softmax, softmin and sparsemax.

Their Jacobian is not diagonal, so they expose ``vjp(x, g, axis=-1)`` (the backward pass) instead of an elementwise
derivative.
"""

from __future__ import annotations

import numpy as np

from actlab.registry import register
from actlab.spec import VECTOR, Activation, Properties


def _shifted(x, axis):
    """x - max(x) along axis, with rows whose max is +-inf handled by their limits (no inf - inf)."""
    mx = np.fmax.reduce(x, axis=axis, keepdims=True)  # ignores NaN: a NaN row stays NaN without overflowing
    mx = np.where(np.isfinite(mx), mx, 0.0)
    return x - mx


def softmax(x, axis=-1):
    z = _shifted(x, axis)
    if np.isposinf(z).any():  # the limit: the mass is shared by the +inf entries
        z = np.where(np.isposinf(np.max(z, axis=axis, keepdims=True)), np.where(z == np.inf, 0.0, -np.inf), z)
    e = np.exp(z)
    with np.errstate(invalid="ignore"):  # an all -inf row has no softmax: 0/0 = NaN is the answer
        return e / np.sum(e, axis=axis, keepdims=True)


def _softmax_vjp(x, g, axis=-1):
    y = softmax(x, axis)
    return y * (g - np.sum(g * y, axis=axis, keepdims=True))


SOFTMAX = register(
    Activation(
        name="softmax",
        aliases=("soft_max", "normalized_exponential"),
        kind=VECTOR,
        summary="exp(x_i)/sum_j exp(x_j) along an axis: a probability vector; shift-invariant.",
        forward=softmax,
        derivative=None,
        vjp=_softmax_vjp,
        formula="exp(x)/Sum(exp(Symbol('x_j')), (Symbol('j'), 1, Symbol('n')))",
        properties=Properties(range=(0.0, 1.0), monotonic=False, zero_centered=False, smooth=float("inf"),
                              saturates="both", sparse=False),
        notes="Computed on x - max(x) (no overflow). vjp: y * (g - sum(g * y)). With a softmax output and "
              "cross-entropy the backward pass simplifies to y_hat - y (stated where the loss is).",
        frameworks={"torch": "F.softmax", "torch_args": "dim=axis", "keras": "softmax", "jax": "nn.softmax"},
        reference="Bridle 1990, Probabilistic Interpretation of Feedforward Classification Network Outputs",
    )
)


def log_softmax(x, axis=-1):
    z = _shifted(x, axis)
    if np.isposinf(z).any():  # the limit: -log(count) at the +inf entries of a row, -inf elsewhere
        z = np.where(np.isposinf(np.max(z, axis=axis, keepdims=True)), np.where(z == np.inf, 0.0, -np.inf), z)
    s = np.sum(np.exp(z), axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):  # an all -inf row: log(0) = -inf, and -inf - -inf below is NaN (no value)
        ls = np.log(s)
    with np.errstate(invalid="ignore"):
        return z - ls


def _log_softmax_vjp(x, g, axis=-1):
    return g - softmax(x, axis) * np.sum(g, axis=axis, keepdims=True)


LOG_SOFTMAX = register(
    Activation(
        name="log_softmax",
        aliases=("logsoftmax",),
        kind=VECTOR,
        summary="x_i - log sum_j exp(x_j): the log-probabilities of softmax, computed without forming them.",
        forward=log_softmax,
        derivative=None,
        vjp=_log_softmax_vjp,
        formula="x - log(Sum(exp(Symbol('x_j')), (Symbol('j'), 1, Symbol('n'))))",
        properties=Properties(range=(-float("inf"), 0.0), monotonic=False, zero_centered=False,
                              smooth=float("inf"), saturates="none", sparse=False),
        notes="(x - m) - log(sum exp(x - m)), m = max(x). vjp: g - softmax(x) * sum(g).",
        frameworks={"torch": "F.log_softmax", "torch_args": "dim=axis", "keras": "log_softmax",
                    "jax": "nn.log_softmax"},
        reference="(textbook); Bridle 1990",
    )
)

SOFTMIN = register(
    Activation(
        name="softmin",
        aliases=("soft_min",),
        kind=VECTOR,
        summary="softmax(-x): a probability vector that favours the smallest entries.",
        forward=lambda x, axis=-1: softmax(-x, axis),
        derivative=None,
        vjp=lambda x, g, axis=-1: -_softmax_vjp(-x, g, axis),
        formula="exp(-x)/Sum(exp(-Symbol('x_j')), (Symbol('j'), 1, Symbol('n')))",
        properties=Properties(range=(0.0, 1.0), monotonic=False, zero_centered=False, smooth=float("inf"),
                              saturates="both", sparse=False),
        notes="softmin(x) = softmax(-x); vjp = -softmax_vjp(-x, g).",
        frameworks={"torch": "F.softmin", "torch_args": "dim=axis"},
        reference="PyTorch torch.nn.Softmin",
    )
)


def _sparsemax_tau(z):
    """The threshold tau on the last axis: sparsemax(z) = max(z - tau, 0) (Martins & Astudillo, Alg. 1)."""
    zs = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    cum = np.cumsum(zs, axis=-1)
    support = 1.0 + k * zs > cum
    n_support = np.maximum(np.sum(support, axis=-1, keepdims=True), 1)
    tau = (np.take_along_axis(cum, n_support - 1, axis=-1) - 1.0) / n_support
    return tau


def sparsemax(x, axis=-1):
    z = np.moveaxis(x, axis, -1)
    with np.errstate(invalid="ignore"):  # rows with inf or NaN give NaN (no projection exists)
        p = np.maximum(z - _sparsemax_tau(z), 0.0)
        p = np.where(np.isfinite(z).all(axis=-1, keepdims=True), p, np.nan)
    return np.moveaxis(p, -1, axis)


def _sparsemax_vjp(x, g, axis=-1):
    p = np.moveaxis(sparsemax(x, axis), axis, -1)
    gz = np.moveaxis(g, axis, -1)
    s = p > 0
    mean = np.sum(gz * s, axis=-1, keepdims=True) / np.maximum(np.sum(s, axis=-1, keepdims=True), 1)
    return np.moveaxis(np.where(s, gz - mean, 0.0), -1, axis)


SPARSEMAX = register(
    Activation(
        name="sparsemax",
        aliases=("sparse_max",),
        kind=VECTOR,
        summary="The Euclidean projection of x onto the probability simplex: like softmax, but with exact zeros.",
        forward=sparsemax,
        derivative=None,
        vjp=_sparsemax_vjp,
        formula="Max(x - Symbol('tau'), 0)",
        properties=Properties(range=(0.0, 1.0), monotonic=False, zero_centered=False, smooth=0,
                              saturates="both", sparse=True),
        notes="max(x - tau, 0) with tau chosen so the entries sum to 1 (sort-based, O(n log n)). vjp: on the "
              "support S, g - mean_S(g); 0 elsewhere.",
        frameworks={},
        reference="Martins & Astudillo 2016, From Softmax to Sparsemax, arXiv:1602.02068",
    )
)
