"""Hand-written NumPy kernels of the classic family (float64 exact, float32 fast), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.classic`."""

from __future__ import annotations

import numpy as np

from actlab.core import numerics as m
from actlab.kernels.numpy_exact import exact
from actlab.kernels.numpy_float32 import float32


def _step(x, threshold):
    return m.step(x - threshold, at_zero=1.0)  # NaN stays NaN; x - threshold >= 0 exactly when x >= threshold


def _step_derivative(x, threshold):
    return m.keep_nan(np.zeros_like(x), x)


def _step32(x, threshold):
    return m.step32(x, threshold, at=1.0)


def _step_derivative32(x, threshold):
    return m.constant32(x, 0.0)


exact("binary_step", forward=_step, derivative=_step_derivative)
float32("binary_step", forward=_step32, derivative=_step_derivative32)


def _identity(x, c):
    if c == 0:  # 0*x is 0 even at +-inf (where the product would be NaN)
        return m.keep_nan(np.zeros_like(x), x)
    with np.errstate(over="ignore"):  # c*x beyond the float range is inf, the correctly rounded result
        return c * x


def _constant(x, c):
    return m.keep_nan(np.full_like(x, c), x)


def _identity32(x, c):
    c32 = m.as_float32(c)
    if c32 is None:  # c*x in float32 is correctly rounded only for a float32 c
        return None
    if c == 0:
        return m.constant32(x, 0.0)
    with np.errstate(over="ignore"):
        return np.multiply(x, c32)


exact("identity", forward=_identity, derivative=_constant, derivative_from_output=_constant)
float32("identity", forward=_identity32, derivative=m.constant32)


@m.float32_kernel
def _sigmoid32(x):
    # 1/(1 + exp(-x)) as it stands: exp(-x) = inf (x < -709) gives 0, the float32 result from x = -104 on
    np.negative(x, out=x)
    np.exp(x, out=x)
    x += 1.0
    return np.divide(1.0, x, out=x)


exact("sigmoid", forward=m.sigmoid, derivative=m.sigmoid_derivative, derivative_from_output=lambda y: y * (1.0 - y))
float32("sigmoid", forward=_sigmoid32, derivative=m.float32_kernel(m.sigmoid_derivative))


@m.blockwise
def _tanh_derivative(x):
    # 1 - tanh(x)^2 = 4 e/(1+e)^2 with e = exp(-2|x|): no cancellation as tanh(x) -> +-1.
    return 4.0 * m.sigmoid_derivative(2.0 * np.clip(x, -1e300, 1e300))


@m.float32_kernel
def _tanh_derivative32(x):
    np.abs(x, out=x)
    x *= -2.0
    e = np.exp(x, out=x)  # exp(-2|x|): 2x is exact and finite for float32 x
    d = e + 1.0
    d *= d
    e *= 4.0
    e /= d
    return e


@m.float32_kernel
def _tanh32(x):
    return np.tanh(x, out=x)


exact("tanh", forward=np.tanh, derivative=_tanh_derivative, derivative_from_output=lambda y: (1.0 - y) * (1.0 + y))
float32("tanh", forward=_tanh32, derivative=_tanh_derivative32)
