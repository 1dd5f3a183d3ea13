"""Hand-written NumPy kernels of the gated family (float64, exact), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.gated`."""

from __future__ import annotations

import numpy as np

from actlab.core import numerics as m
from actlab.core.errors import ParameterError
from actlab.kernels.numpy.smooth import silu_derivative, swish
from actlab.kernels.numpy_exact import exact


def _halves(x, axis, name):
    n = x.shape[axis]
    if n % 2:
        raise ParameterError(f"{name} splits its input in two halves along axis {axis}; that axis must have even "
                             f"length. Got shape {x.shape}.")
    return np.split(x, 2, axis=axis)


def _glu(x, axis=-1):
    a, b = _halves(x, axis, "glu")
    return a * m.sigmoid(b)


def _glu_vjp(x, g, axis=-1):
    a, b = _halves(x, axis, "glu")
    return np.concatenate([g * m.sigmoid(b), g * a * m.sigmoid_derivative(b)], axis=axis)


exact("glu", forward=_glu, derivative=None, vjp=_glu_vjp)


def _swiglu(x, axis=-1):
    a, b = _halves(x, axis, "swiglu")
    return swish(a) * b


def _swiglu_vjp(x, g, axis=-1):
    a, b = _halves(x, axis, "swiglu")
    return np.concatenate([g * b * silu_derivative(a), g * swish(a)], axis=axis)


exact("swiglu", forward=_swiglu, derivative=None, vjp=_swiglu_vjp)


def _geglu(x, axis=-1):
    a, b = _halves(x, axis, "geglu")
    return m.gelu(a) * b


def _geglu_vjp(x, g, axis=-1):
    a, b = _halves(x, axis, "geglu")
    return np.concatenate([g * b * m.gelu_derivative(a), g * m.gelu(a)], axis=axis)


exact("geglu", forward=_geglu, derivative=None, vjp=_geglu_vjp)


def _reglu(x, axis=-1):
    a, b = _halves(x, axis, "reglu")
    return np.maximum(a, 0.0) * b


def _reglu_vjp(x, g, axis=-1):
    a, b = _halves(x, axis, "reglu")
    return np.concatenate([g * b * m.step(a), g * np.maximum(a, 0.0)], axis=axis)


exact("reglu", forward=_reglu, derivative=None, vjp=_reglu_vjp)
