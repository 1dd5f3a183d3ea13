"""Hand-written NumPy kernels of the other family (float64 exact, float32 fast), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.other`."""

from __future__ import annotations

import math

import numpy as np

from actlab.core import numerics as m
from actlab.kernels.numpy_exact import exact
from actlab.kernels.numpy_float32 import float32


@m.blockwise
def _bent_identity(x):
    # (sqrt(x^2 + 1) - 1)/2 + x = (h - 1)/2 + x, h = sqrt(x^2 + 1) (no overflow of x^2), in three cancellation-free
    # forms: |x| < 1: h - 1 = x^2/(h + 1); x <= -1: h + x = 1/(h - x), so f = (1/(h + |x|) + x - 1)/2; x >= 1: as is.
    h = m.sqrt_sq_plus(x, 1.0)
    xs = np.clip(x, -1.0, 1.0)
    small = 0.5 * (xs * (xs / (h + 1.0))) + x
    neg = 0.25 / (0.5 * h + 0.5 * np.abs(x)) + 0.5 * (x - 1.0)  # halved first: h + |x| overflows at 1e308
    with np.errstate(over="ignore"):  # beyond x = 1.2e308 the exact 1.5x overflows: inf is the rounded result
        pos = 0.5 * (h - 1.0) + np.abs(x)  # = x where used; |x| keeps inf - inf out of the unused part
    return m.select(x <= -1.0, neg, m.select(x >= 1.0, pos, small))


@m.blockwise
def _bent_identity_derivative(x):
    xc = np.clip(x, -1e20, 1e20)  # x/h is +-1 (rounded) beyond; avoids inf/inf
    return 1.0 + xc / (2.0 * m.sqrt_sq_plus(xc, 1.0))


@m.float32_kernel
def _bent_identity32(x):
    # x^2/(2(h + 1)) + x: x^2 is exact and finite for float32 x, h - 1 = x^2/(h + 1) does not cancel, and adding x
    # cancels at most by a factor 3 (x < 0); +-inf is clipped to +-1e39, which rounds back to +-inf.
    np.clip(x, -m.BEYOND_FLT, m.BEYOND_FLT, out=x)
    q = x * x
    h = q + 1.0
    np.sqrt(h, out=h)
    h += 1.0
    q /= h
    q *= 0.5
    q += x
    return q


@m.float32_kernel
def _bent_identity_derivative32(x):
    np.clip(x, -m.BEYOND_FLT, m.BEYOND_FLT, out=x)  # x/h -> +-1/2, not inf/inf
    h = x * x
    h += 1.0
    np.sqrt(h, out=h)
    h *= 2.0
    x /= h
    x += 1.0
    return x


exact("bent_identity", forward=_bent_identity, derivative=_bent_identity_derivative)
float32("bent_identity", forward=_bent_identity32, derivative=_bent_identity_derivative32)


@m.blockwise
def _isru(x, alpha):
    s = math.sqrt(alpha)
    big = 1e30 / s  # beyond, the result is +-1/sqrt(alpha) to within 1e-60
    xc = np.clip(x, -big, big)
    z = s * xc  # |z| <= 1e30: z*z cannot overflow
    return xc / np.sqrt(1.0 + z * z)


@m.blockwise
def _isru_derivative(x, alpha):
    # (1 + z^2)^(-3/2), z = sqrt(alpha) x: as 1/(w sqrt(w)) with w = 1 + z^2 for |z| <= 1e100, else (1/|z|)^3
    s = math.sqrt(alpha)
    az = s * np.minimum(np.abs(x), 1e300 / max(s, 1.0))
    zs = np.minimum(az, 1e100)
    w = 1.0 + zs * zs
    y = 1.0 / (w * np.sqrt(w))
    r = 1.0 / np.maximum(az, 1e100)
    np.copyto(y, r * r * r, where=az > 1e100)
    return y


exact("isru", forward=_isru, derivative=_isru_derivative)


@m.blockwise
def _arctan_derivative(x):
    ax = np.abs(x)
    small = 1.0 / (1.0 + np.minimum(ax, 1e150) ** 2)
    big = np.maximum(ax, 1e150)
    return m.select(ax <= 1e150, small, (1.0 / big) / big)


@m.float32_kernel
def _arctan32(x):
    return np.arctan(x, out=x)


@m.float32_kernel
def _arctan_derivative32(x):
    x *= x  # exact; inf at +-inf, and 1/inf = 0
    x += 1.0
    return np.divide(1.0, x, out=x)


exact("arctan", forward=np.arctan, derivative=_arctan_derivative)
float32("arctan", forward=_arctan32, derivative=_arctan_derivative32)


@m.blockwise
def _gaussian(x):
    ax = np.minimum(np.abs(x), 40.0)  # exp(-1600) = 0; keeps the exact square finite
    hi, lo = m.two_square(ax)
    return np.exp(-hi) * (1.0 - lo)


@m.blockwise
def _gaussian_derivative(x):
    ax = np.minimum(np.abs(x), 40.0)
    xc = np.clip(x, -40.0, 40.0)
    hi, lo = m.two_square(ax)
    y = (-2.0 * xc) * (np.exp(-hi) * (1.0 - lo))
    tail = ax > 26.0  # exp(-x^2) subnormal: scale by e^64 so that the product is rounded once
    if tail.any():
        y[tail] = ((-2.0 * xc[tail]) * (np.exp(-hi[tail] + 64.0) * (1.0 - lo[tail]))) * m._EXP_M_TAIL
    return y


@m.float32_kernel
def _gaussian32(x):
    x *= x  # exact for float32 x
    np.negative(x, out=x)
    return np.exp(x, out=x)


@m.float32_kernel
def _gaussian_derivative32(x):
    np.clip(x, -20.0, 20.0, out=x)  # 40 exp(-400) rounds to 0 in float32; inf * 0 stays out
    g = x * x
    np.negative(g, out=g)
    np.exp(g, out=g)
    x *= -2.0
    g *= x
    return g


exact("gaussian", forward=_gaussian, derivative=_gaussian_derivative)
float32("gaussian", forward=_gaussian32, derivative=_gaussian_derivative32)


@m.blockwise
def _elliott(x):
    # 0.5 x/(1 + |x|) + 0.5 without cancellation: 0.5/(1 + |x|) for x < 0, (0.5 + x)/(1 + x) for x >= 0
    xc = np.minimum(x, 1e20)  # (0.5 + x)/(1 + x) rounds to 1 beyond; avoids inf/inf
    ax = np.abs(xc)
    return m.select(xc < 0, 0.5, 0.5 + ax) / (1.0 + ax)


@m.blockwise
def _elliott_derivative(x):
    r = 1.0 / (1.0 + np.abs(x))
    return 0.5 * (r * r)


exact("elliott", forward=_elliott, derivative=_elliott_derivative)


@m.blockwise
def _sqnl(x):
    t = np.clip(x, -2.0, 2.0)
    return t * (1.0 - 0.25 * np.abs(t))


exact("sqnl", forward=_sqnl, derivative=lambda x: m.keep_nan(m.select(np.abs(x) >= 2.0, 0.0, 1.0 - 0.5 * np.abs(x)), x))
