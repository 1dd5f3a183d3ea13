"""Hand-written NumPy kernels of the hard family (float64 exact, float32 fast), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.hard`."""

from __future__ import annotations

import numpy as np

from actlab.core import numerics as m
from actlab.core.errors import ParameterError
from actlab.kernels.numpy_exact import exact
from actlab.kernels.numpy_float32 import float32


def _inside(x, lo, hi):
    """1 on the open interval (lo, hi), 0 outside and at the ends, NaN for NaN (the gradient of a clip)."""
    return m.select(x >= hi, 0.0, m.step(x - lo))


def _hard_sigmoid(x):
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


exact("hard_sigmoid", forward=_hard_sigmoid, derivative=lambda x: _inside(x, -3.0, 3.0) / 6.0)
float32("hard_sigmoid", derivative=lambda x: m.inside32(x, -3.0, 3.0) * np.float32(1 / 6.0))
exact(
    "hard_sigmoid_keras2",
    forward=lambda x: np.clip((x + 2.5) / 5.0, 0.0, 1.0),
    derivative=lambda x: _inside(x, -2.5, 2.5) * 0.2,
)
float32("hard_sigmoid_keras2", derivative=lambda x: m.inside32(x, -2.5, 2.5) * np.float32(0.2))


@m.blockwise
def _hard_swish(x):
    xc = np.clip(x, -3.0, 3.0)  # x(x + 3)/6 between the kinks; the clip keeps -inf * 0 and 6 * 1e308 out
    return m.select(x >= 3.0, x, (xc * (xc + 3.0)) / 6.0)


@m.float32_kernel
def _hard_swish32(x):
    # For float32 x, xc*(xc + 3) is exact (25-bit factors) and one division rounds it. Above 3, y = 3 exactly and
    # adds x - 3 (exact): x, with no select; NaN propagates through both terms, -inf gives 0 + max(-inf, 0) = 0.
    xc = np.clip(x, -3.0, 3.0)
    y = xc + 3.0
    y *= xc
    y /= 6.0
    x -= 3.0
    y += np.maximum(x, 0.0, out=x)
    return y


@m.blockwise
def _hard_swish_derivative(x):
    # 0 below -3, (2x + 3)/6 on [-3, 3], 1 above 3: PyTorch's convention at the two kinks.
    xc = np.clip(x, -3.0, 3.0)  # keeps 2x finite at 1e308
    return m.select(x < -3.0, 0.0, m.select(x > 3.0, 1.0, (2.0 * xc + 3.0) / 6.0))


exact("hard_swish", forward=_hard_swish, derivative=_hard_swish_derivative)
float32("hard_swish", forward=_hard_swish32)


def _check_interval(min_val, max_val):
    if not min_val < max_val:
        raise ParameterError(f"hard_tanh needs min_val < max_val. Got min_val={min_val!r}, max_val={max_val!r}.")


def _hard_tanh(x, min_val, max_val):
    _check_interval(min_val, max_val)
    return np.clip(x, min_val, max_val)


def _hard_tanh_derivative(x, min_val, max_val):
    _check_interval(min_val, max_val)
    return _inside(x, min_val, max_val)


def _hard_tanh32(x, min_val, max_val):
    _check_interval(min_val, max_val)
    with np.errstate(over="ignore"):  # clip commutes with rounding: clip to the rounded bounds
        return np.clip(x, np.float32(min_val), np.float32(max_val))


def _hard_tanh_derivative32(x, min_val, max_val):
    _check_interval(min_val, max_val)
    return m.inside32(x, min_val, max_val)


exact("hard_tanh", forward=_hard_tanh, derivative=_hard_tanh_derivative)
float32("hard_tanh", forward=_hard_tanh32, derivative=_hard_tanh_derivative32)


@m.blockwise
def _hard_mish(x):
    xc = np.clip(x, -2.0, 0.0)  # x(x + 2)/2 on [-2, 0]; the clip keeps -inf * 0 and 2 * 1e308 out
    return m.select(x >= 0.0, x, (xc * (xc + 2.0)) * 0.5)  # halve last: 0.5 * -5e-324 would round to 0


@m.blockwise
def _hard_mish_derivative(x):
    return m.select(x < -2.0, 0.0, m.select(x > 0.0, 1.0, x + 1.0))


exact("hard_mish", forward=_hard_mish, derivative=_hard_mish_derivative)


@m.blockwise
def _sparse_plus(x):
    # 0 for x <= -1, (x + 1)^2/4 on (-1, 1), x for x >= 1
    t = np.clip(x + 1.0, 0.0, 2.0)
    return m.select(x >= 1.0, x, 0.25 * (t * t))


exact(
    "sparse_plus",
    forward=_sparse_plus,
    derivative=lambda x: m.select(x >= 1.0, 1.0, 0.5 * np.clip(x + 1.0, 0.0, 2.0)),
)
exact(
    "sparse_sigmoid",
    forward=lambda x: 0.5 * np.clip(x + 1.0, 0.0, 2.0),
    derivative=lambda x: 0.5 * _inside(x, -1.0, 1.0),
)
float32("sparse_sigmoid", derivative=lambda x: np.float32(0.5) * m.inside32(x, -1.0, 1.0))
