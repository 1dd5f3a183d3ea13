"""Activations the field uses that no big framework ships: bent identity, ISRU, arctan, Gaussian, Elliott, SQNL."""

from __future__ import annotations

import math

import numpy as np

from actlab.catalog import _math as m
from actlab.registry import register
from actlab.spec import Activation, Param, Properties


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


BENT_IDENTITY = register(
    Activation(
        name="bent_identity",
        aliases=("bentidentity",),
        summary="(sqrt(x^2 + 1) - 1)/2 + x: a smooth, unbounded identity bent by a hyperbola; slope in (1/2, 3/2).",
        forward=_bent_identity,
        derivative=_bent_identity_derivative,
        forward32=_bent_identity32,
        derivative32=_bent_identity_derivative32,
        formula="(sqrt(x**2 + 1) - 1)/2 + x",
        properties=Properties(range=(-math.inf, math.inf), monotonic=True, zero_centered=False, smooth=math.inf,
                              saturates="none", sparse=False),
        notes="Rewritten to avoid the two cancellations of the textbook form and the overflow of x^2 at 1e155.",
        frameworks={},
        reference="(folklore; listed in Wikipedia's activation table)",
    )
)


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


ISRU = register(
    Activation(
        name="isru",
        aliases=("inverse_square_root_unit",),
        summary="x/sqrt(1 + alpha x^2): a cheap sigmoid-shaped squashing to (-1/sqrt(alpha), 1/sqrt(alpha)).",
        forward=_isru,
        derivative=_isru_derivative,
        formula="x/sqrt(1 + alpha*x**2)",
        params=(Param("alpha", 1.0, 0.0, low_open=True, doc="saturation at +-1/sqrt(alpha)"),),
        properties=lambda p: Properties(range=(-1 / math.sqrt(p["alpha"]), 1 / math.sqrt(p["alpha"])),
                                        monotonic=True, zero_centered=True, smooth=math.inf, saturates="both",
                                        sparse=False),
        notes="x/sqrt(1 + (sqrt(alpha) x)^2) with x clipped where the result has saturated: no overflow of x^2; "
              "isru(+-inf) = +-1/sqrt(alpha). "
              "isru'(x) = (1 + alpha x^2)^(-3/2).",
        frameworks={},
        reference="Carlile et al. 2017, Improving Deep Learning by Inverse Square Root Linear Units, "
                  "arXiv:1710.09967",
    )
)


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


ARCTAN = register(
    Activation(
        name="arctan",
        aliases=("atan", "arc_tangent"),
        summary="arctan(x): a sigmoid-shaped squashing to (-pi/2, pi/2) with slowly (1/x^2) vanishing gradient.",
        forward=np.arctan,
        derivative=_arctan_derivative,
        forward32=_arctan32,
        derivative32=_arctan_derivative32,
        formula="atan(x)",
        properties=Properties(range=(-math.pi / 2, math.pi / 2), monotonic=True, zero_centered=True,
                              smooth=math.inf, saturates="both", sparse=False),
        notes="arctan'(x) = 1/(1 + x^2), computed as (1/x)/x beyond 1e150 so that x^2 does not overflow.",
        frameworks={"torch": "torch.atan", "jax": "jnp.arctan"},
        reference="(textbook)",
    )
)


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


GAUSSIAN = register(
    Activation(
        name="gaussian",
        aliases=("gauss", "gaussian_rbf"),
        summary="exp(-x^2): a radial-basis bump, 1 at 0, vanishing on both sides.",
        forward=_gaussian,
        derivative=_gaussian_derivative,
        forward32=_gaussian32,
        derivative32=_gaussian_derivative32,
        formula="exp(-x**2)",
        properties=Properties(range=(0.0, 1.0), monotonic=False, zero_centered=False, smooth=math.inf,
                              saturates="both", sparse=False),
        notes="x^2 is computed exactly (Dekker), so exp(-x^2) is accurate to the last bit out to x = 27.",
        frameworks={},
        reference="Broomhead & Lowe 1988, Radial Basis Functions",
    )
)


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


ELLIOTT = register(
    Activation(
        name="elliott",
        aliases=("elliot", "elliott_sigmoid"),
        summary="x/(2(1 + |x|)) + 1/2: softsign rescaled to (0, 1); a sigmoid without exp.",
        forward=_elliott,
        derivative=_elliott_derivative,
        formula="x/(2*(1 + Abs(x))) + 1/2",
        kinks=(0.0,),
        properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=1, saturates="both",
                              sparse=False),
        notes="(softsign(x) + 1)/2; FANN's 'Elliot' activation. The symmetric variant is softsign itself.",
        frameworks={},
        reference="Elliott 1993, A Better Activation Function for Artificial Neural Networks, ISR TR 93-8",
    )
)


@m.blockwise
def _sqnl(x):
    t = np.clip(x, -2.0, 2.0)
    return t * (1.0 - 0.25 * np.abs(t))



SQNL = register(
    Activation(
        name="sqnl",
        aliases=("square_nonlinearity",),
        summary="x - x|x|/4 on [-2, 2], +-1 outside: a piecewise-quadratic tanh.",
        forward=_sqnl,
        derivative=lambda x: m.keep_nan(m.select(np.abs(x) >= 2.0, 0.0, 1.0 - 0.5 * np.abs(x)), x),
        formula="Piecewise((-1, x < -2), (x + x**2/4, x < 0), (x - x**2/4, x <= 2), (1, True))",
        kinks=(-2.0, 2.0),
        properties=Properties(range=(-1.0, 1.0), monotonic=True, zero_centered=True, smooth=1, saturates="both",
                              sparse=False),
        notes="C^1 (the second derivative jumps at 0 and +-2); derivative 0 at +-2.",
        frameworks={},
        reference="Wuraola & Patel 2018, SQNL: A New Computationally Efficient Activation Function, IJCNN",
    )
)
