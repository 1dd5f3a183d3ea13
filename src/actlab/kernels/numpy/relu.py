"""Hand-written NumPy kernels of the relu family (float64 exact, float32 fast), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.relu`."""

from __future__ import annotations

import numpy as np

from actlab.core import numerics as m
from actlab.core.errors import ParameterError
from actlab.kernels.numpy_exact import exact
from actlab.kernels.numpy_float32 import float32


def _relu(x):
    return np.maximum(x, 0.0)  # np.maximum propagates NaN


def _relu_derivative(x):
    return m.step(x)  # 0 for x <= 0 (relu'(0) = 0), 1 for x > 0, NaN for NaN


def _relu32(x):
    return np.maximum(x, np.float32(0))


def _relu_derivative32(x):
    return m.step32(x)


exact("relu", forward=_relu, derivative=_relu_derivative, derivative_from_output=_relu_derivative)
float32("relu", forward=_relu32, derivative=_relu_derivative32)


def _slope_times(x, a):
    """a*x for the negative part: 0*(-inf) is 0 here (the limit), and |a| > 1 may overflow to inf (as it should)."""
    if np.ndim(a) == 0 and a == 0:
        return m.keep_nan(np.zeros_like(x), x)
    with np.errstate(over="ignore", invalid="ignore"):
        y = a * x
    if np.ndim(a) != 0:  # rrelu's per-element slopes: 0 * -inf -> 0
        y = m.select((a == 0) & ~np.isnan(x), 0.0, y)
    return y


@m.blockwise
def _leaky(x, alpha):
    return m.select(x > 0, x, _slope_times(x, alpha))  # alpha*NaN = NaN


@m.blockwise
def _leaky_derivative(x, alpha):
    return m.select(x <= 0, alpha, m.step(x))  # NaN <= 0 is False, heaviside(NaN) = NaN


@m.float32_kernel(when=lambda alpha: alpha != 0)  # alpha = 0 is relu: 0 * -inf below
def _leaky32(x, alpha):
    # max(x, 0) + alpha min(x, 0): one of the terms is 0, so the sum is alpha*x rounded once, or x
    y = np.minimum(x, 0.0)
    y *= alpha
    y += np.maximum(x, 0.0, out=x)
    return y


def _leaky_derivative32(x, alpha):
    with np.errstate(over="ignore"):
        a = np.float32(alpha)
    if not np.isfinite(a):  # 0 * inf would make NaN
        return None
    s = m.step32(x)  # 1, 0 or NaN; s + alpha (1 - s) is 1 or alpha exactly
    y = np.subtract(np.float32(1), s)
    y *= a
    y += s
    return y


exact("leaky_relu", forward=_leaky, derivative=_leaky_derivative)
float32("leaky_relu", forward=_leaky32, derivative=_leaky_derivative32)
exact("prelu", forward=_leaky, derivative=_leaky_derivative)
float32("prelu", forward=_leaky32, derivative=_leaky_derivative32)


def _capped(x, cap):
    return np.minimum(np.maximum(x, 0.0), cap)


def _capped_derivative(x, cap):
    # 1 on the open interval (0, cap), 0 outside and at both kinks (PyTorch's hardtanh backward).
    return m.select(x >= cap, 0.0, m.step(x))


def _capped32(x, cap):
    # clip commutes with rounding (both are monotonic): clip(x, 0, cap) rounded is clip(x, 0, float32(cap))
    with np.errstate(over="ignore"):
        return np.clip(x, np.float32(0), np.float32(cap))


def _capped_derivative32(x, cap):
    return m.inside32(x, 0.0, cap)


exact("capped_relu", forward=_capped, derivative=_capped_derivative)
float32("capped_relu", forward=_capped32, derivative=_capped_derivative32)
exact("relu6", forward=lambda x: _capped(x, 6.0), derivative=lambda x: _capped_derivative(x, 6.0))
float32("relu6", forward=lambda x: _capped32(x, 6.0), derivative=lambda x: _capped_derivative32(x, 6.0))


def _rrelu_slopes(x, lower, upper, training, rng):
    if lower > upper:
        raise ParameterError(f"rrelu needs lower <= upper. Got lower={lower!r}, upper={upper!r}.")
    if not training:
        return (lower + upper) / 2.0
    rng = np.random.default_rng(rng)
    return rng.uniform(lower, upper, size=np.shape(x))


def _rrelu(x, lower, upper, training=False, rng=None):
    return m.select(x > 0, x, _slope_times(x, _rrelu_slopes(x, lower, upper, training, rng)))


def _rrelu_derivative(x, lower, upper, training=False, rng=None):
    """With ``training=True`` pass the same ``rng`` seed as to the forward pass to get the same slopes."""
    a = _rrelu_slopes(x, lower, upper, training, rng)
    return m.select(x <= 0, a, m.step(x))


exact("rrelu", forward=_rrelu, derivative=_rrelu_derivative)


@m.blockwise
def _threshold(x, threshold, value):
    return m.select(x > threshold, x, m.select(np.isnan(x), x, value))


def _threshold_derivative(x, threshold, value):
    return m.step(x - threshold)


exact("threshold", forward=_threshold, derivative=_threshold_derivative)


def _crelu(x, axis=-1):
    return np.concatenate([np.maximum(x, 0.0), np.maximum(-x, 0.0)], axis=axis)


def _crelu_vjp(x, g, axis=-1):
    n = x.shape[axis]
    g_pos, g_neg = np.split(g, [n], axis=axis)
    return m.keep_nan(m.select(x > 0, g_pos, 0.0) - m.select(x < 0, g_neg, 0.0), x)


exact("crelu", forward=_crelu, derivative=None, vjp=_crelu_vjp)
