"""Hand-written NumPy kernels of the shrink family (float64 exact, float32 fast), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.shrink`."""

from __future__ import annotations

import math

import numpy as np

from actlab.core import numerics as m
from actlab.kernels.numpy_exact import exact
from actlab.kernels.numpy_float32 import float32


@m.blockwise
def _hard_shrink(x, lambd):
    return m.select(np.abs(x) > lambd, x, m.select(np.isnan(x), x, 0.0))


def _hard_shrink_derivative(x, lambd):
    return m.step(np.abs(x) - lambd)


def _hard_shrink_derivative32(x, lambd):
    a = np.abs(x)
    return m.step32(a, lambd, out=a)  # 1 where |x| > lambd, 0 where not, NaN for NaN


def _hard_shrink32(x, lambd):
    y = _hard_shrink_derivative32(x, lambd)
    y *= x
    return y


exact("hard_shrink", forward=_hard_shrink, derivative=_hard_shrink_derivative)
float32("hard_shrink", forward=_hard_shrink32, derivative=_hard_shrink_derivative32)


@m.blockwise
def _soft_shrink(x, lambd):
    # x - lambd, x + lambd and 0 are exact near the thresholds (Sterbenz), so no cancellation error.
    return m.select(x > lambd, x - lambd, m.select(x < -lambd, x + lambd, m.select(np.isnan(x), x, 0.0)))


def _soft_shrink_kernel(x, lambd):
    # sign(x) max(|x| - lambd, 0): |x| - lambd is exact near the threshold and rounded once elsewhere
    y = np.abs(x)
    y -= lambd
    np.maximum(y, lambd * 0, out=y)  # lambd * 0: a zero of lambd's type (float32 stays float32)
    return np.copysign(y, x, out=y)


def _soft_shrink32(x, lambd):
    lam = m.as_float32(lambd)  # |x| - lambd in float32 is correctly rounded when lambd is a float32
    return _soft_shrink_kernel(x, lam) if lam is not None else _soft_shrink_via64(x, lambd=lambd)


_soft_shrink_via64 = m.float32_kernel(_soft_shrink_kernel)

exact("soft_shrink", forward=_soft_shrink, derivative=_hard_shrink_derivative)
float32("soft_shrink", forward=_soft_shrink32, derivative=_hard_shrink_derivative32)

# x - tanh(x) = (x cosh x - sinh x)/cosh x, and x cosh x - sinh x = sum_{k>=1} 2k x^(2k+1)/(2k+1)!: all terms
# positive, so the series has no cancellation. Used for |x| < 1.5, where x - tanh(x) loses up to 30 bits.
_TS_COEF = tuple(2 * k / math.factorial(2 * k + 1) for k in range(1, 14))

_TS_CUT = 1.5


def _tanh_shrink_small(x):
    t = x * x
    acc = np.full_like(x, _TS_COEF[-1])
    for c in reversed(_TS_COEF[:-1]):
        acc *= t
        acc += c
    return (acc * (t * x)) / np.cosh(x)


@m.blockwise
def _tanh_shrink(x):
    y = x - np.tanh(x)
    return m.patch(y, x, np.abs(x) < _TS_CUT, _tanh_shrink_small)


def _tanh_shrink_derivative(x):
    t = np.tanh(x)
    return t * t


_TS32_CUT = 2.0**-6  # float32: below, x - tanh(x) loses more than 2^-40 relative; the series to x^7 is exact there


def _tanh_shrink_series32(x):
    t = x * x
    return (t * x) * (1.0 / 3.0 - t * (2.0 / 15.0 - t * (17.0 / 315.0)))


@m.float32_kernel(scratch=True)
def _tanh_shrink32(x, s):
    y = np.tanh(x, out=s[0])
    np.subtract(x, y, out=y)  # +-inf - +-1 = +-inf
    return m.patch(y, x, np.abs(x, out=s[1]) < _TS32_CUT, _tanh_shrink_series32)


@m.float32_kernel
def _tanh_shrink_derivative32(x):
    t = np.tanh(x, out=x)
    t *= t
    return t


exact("tanh_shrink", forward=_tanh_shrink, derivative=_tanh_shrink_derivative)
float32("tanh_shrink", forward=_tanh_shrink32, derivative=_tanh_shrink_derivative32)
