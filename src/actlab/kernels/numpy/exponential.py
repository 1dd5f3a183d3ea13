"""Hand-written NumPy kernels of the exponential family (float64 exact, float32 fast), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.exponential`."""

from __future__ import annotations

import numpy as np

from actlab.catalog.exponential import SELU_SCALE, _SELU_SCALE_ALPHA
from actlab.core import numerics as m
from actlab.kernels.numpy_exact import exact
from actlab.kernels.numpy_float32 import float32


def _elu_neg(x, coef):
    """coef * expm1(min(x, 0)): expm1 keeps the digits near 0 that exp(x) - 1 loses; min() avoids overflow."""
    return coef * np.expm1(np.minimum(x, 0.0))


@m.blockwise
def _elu(x, alpha):
    return m.select(x > 0, x, _elu_neg(x, alpha))


@m.blockwise
def _elu_derivative(x, alpha):
    return m.select(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


exact("elu", forward=_elu, derivative=_elu_derivative)


@m.blockwise
def _selu(x):
    with np.errstate(over="ignore"):  # scale * x beyond 1.7e308 is inf, the correctly rounded result
        pos = SELU_SCALE * x
    return m.select(x > 0, pos, _elu_neg(x, _SELU_SCALE_ALPHA))


@m.blockwise
def _selu_derivative(x):
    return m.select(x > 0, SELU_SCALE, _SELU_SCALE_ALPHA * np.exp(np.minimum(x, 0.0)))


exact("selu", forward=_selu, derivative=_selu_derivative)


@m.blockwise
def _celu(x, alpha):
    # u + u_lo = min(x, 0)/alpha exactly: exp(u) at u = -500 would amplify the rounding of x/alpha 500 times
    u, u_lo = m.divided(np.minimum(x, 0.0), alpha)
    neg = np.expm1(u)
    if u_lo is not None:
        neg += np.exp(u) * u_lo
    return m.select(x > 0, x, alpha * neg)


@m.blockwise
def _celu_derivative(x, alpha):
    u, u_lo = m.divided(np.minimum(x, 0.0), alpha)
    d = np.exp(u)
    if u_lo is not None:
        d *= 1.0 + u_lo
    return m.select(x > 0, 1.0, d)


exact("celu", forward=_celu, derivative=_celu_derivative)


def _exp(x):
    with np.errstate(over="ignore"):  # e^x beyond 709.78 is inf, the correctly rounded result
        return np.exp(x)


@m.float32_kernel
def _exp32(x):
    return np.exp(x, out=x)  # inf beyond 88.7 after rounding (and in float64 beyond 709.8)


exact("exponential", forward=_exp, derivative=_exp, derivative_from_output=lambda y: y.copy())
float32("exponential", forward=_exp32, derivative=_exp32)
