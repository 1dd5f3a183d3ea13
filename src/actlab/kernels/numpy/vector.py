"""Hand-written NumPy kernels of the vector family (float64, exact), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.vector`."""

from __future__ import annotations

import numpy as np

from actlab.kernels.numpy_exact import exact


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


exact("softmax", forward=softmax, derivative=None, vjp=_softmax_vjp)


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


exact("log_softmax", forward=log_softmax, derivative=None, vjp=_log_softmax_vjp)
exact(
    "softmin",
    forward=lambda x, axis=-1: softmax(-x, axis),
    derivative=None,
    vjp=lambda x, g, axis=-1: -_softmax_vjp(-x, g, axis),
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


exact("sparsemax", forward=sparsemax, derivative=None, vjp=_sparsemax_vjp)
