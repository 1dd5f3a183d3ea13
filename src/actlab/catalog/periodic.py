"""Periodic activations: Snake (x + sin^2) and the sinusoid of SIREN."""

from __future__ import annotations

import math

import numpy as np

from actlab.catalog import _math as m
from actlab.registry import register
from actlab.spec import Activation, Param, Properties

_PI4_HI = 0.7853981633974483  # pi/4 as hi + lo, so x + pi/4 is exact to 2^-106 near the roots of snake'
_PI4_LO = 3.061616997868383e-17


_MAX = float(np.finfo(np.float64).max)


def _arg(x, w):
    """w*x as (u, u_lo), u + u_lo exact (sin(w x) at x = 700 would show the rounding of w x).

    For w <= 1 only +-inf is clipped (to +-max; the callers put NaN back there). For w > 1, |x| is clipped where
    w x leaves the float range: no float argument has a meaningful sine there.
    """
    if w == 1:
        return np.clip(x, -_MAX, _MAX), None
    return m.scaled(x, w, limit=0.999999 * _MAX, cutoff=np.inf)


def _sin(u, u_lo):
    """sin(u + u_lo) by the addition theorem (u_lo may be up to ulp(u)/2, far from small when u is large)."""
    if u_lo is None:
        return np.sin(u)
    return np.sin(u) * np.cos(u_lo) + np.cos(u) * np.sin(u_lo)


def _cos(u, u_lo):
    """cos(u + u_lo) by the addition theorem."""
    if u_lo is None:
        return np.cos(u)
    return np.cos(u) * np.cos(u_lo) - np.sin(u) * np.sin(u_lo)


def _far(x, w):
    """Where w*x leaves the float range (w > 1, |x| near the largest float): (mask, sin(w x), cos(w x)).

    w x = 2^k theta with theta = (w/2^k) x representable; k double-angle steps give sin and cos of w x.
    """
    lim = 0.999999 * (_MAX / max(w, 1.0))
    far = np.abs(x) > lim
    if w <= 1 or w > 256 or not far.any():  # beyond 8 doublings the error growth leaves nothing meaningful
        return far, None, None
    k = int(np.ceil(np.log2(w)))
    xf = np.clip(x[far], -_MAX, _MAX)
    t, t_lo = m.scaled(xf, w / 2.0**k, limit=_MAX, cutoff=np.inf)
    s, c = _sin(t, t_lo), _cos(t, t_lo)
    for _ in range(k):
        s, c = 2.0 * s * c, (c - s) * (c + s)
    return far, s, c


@m.blockwise
def _snake(x, alpha):
    s = _sin(*_arg(x, alpha))  # snake(+-inf) = +-inf: x dominates the bounded ripple
    far, s_far, _ = _far(x, alpha)
    if s_far is not None:
        s[far] = s_far
    with np.errstate(over="ignore"):  # x near the largest float plus the ripple: the exact sum does overflow
        return x + (s * s) / alpha


@m.blockwise
def _snake_derivative(x, alpha):
    # 1 + sin(2 alpha x) = 2 sin^2(alpha x + pi/4): no cancellation near its (double) roots
    u, u_lo = _arg(x, alpha)
    t, t_lo = m.two_sum(u, np.full_like(u, _PI4_HI))
    t_lo += _PI4_LO if u_lo is None else u_lo + _PI4_LO
    s = _sin(t, t_lo)
    y = 2.0 * (s * s)
    big = np.abs(u) > 1e15  # there u + pi/4 is too coarse: (sin u + cos u)^2, within the conditioning
    if big.any():
        ub = u[big]
        lo = None if u_lo is None else u_lo[big]
        y[big] = (_sin(ub, lo) + _cos(ub, lo)) ** 2
    far, s_far, c_far = _far(x, alpha)
    if s_far is not None:
        y[far] = (s_far + c_far) ** 2
    y[np.isinf(x)] = np.nan  # snake' oscillates: no limit at +-inf
    return y


@m.blockwise
def _sinusoid(x, w0):
    y = _sin(*_arg(x, w0))
    far, s_far, _ = _far(x, w0)
    if s_far is not None:
        y[far] = s_far
    y[np.isinf(x)] = np.nan  # no limit at +-inf
    return y


@m.blockwise
def _sinusoid_derivative(x, w0):
    y = w0 * _cos(*_arg(x, w0))
    far, _, c_far = _far(x, w0)
    if c_far is not None:
        y[far] = w0 * c_far
    y[np.isinf(x)] = np.nan
    return y


SNAKE = register(
    Activation(
        name="snake",
        summary="x + sin^2(alpha x)/alpha: monotonic, with a periodic ripple that lets networks extrapolate periodicity.",
        forward=_snake,
        derivative=_snake_derivative,
        formula="x + sin(alpha*x)**2/alpha",
        params=(Param("alpha", 1.0, 0.0, low_open=True, learnable=True, doc="frequency of the ripple"),),
        properties=Properties(range=(-math.inf, math.inf), monotonic=True, zero_centered=False, smooth=math.inf,
                              saturates="none", sparse=False),
        notes="snake'(x) = 1 + sin(2 alpha x) >= 0, zero at alpha x = -pi/4 + k pi; computed as 2 sin^2(alpha x + "
              "pi/4). alpha is learnable (one per channel in the paper).",
        frameworks={},
        reference="Liu Ziyin, Hartwig & Ueda 2020, Neural Networks Fail to Learn Periodic Functions and How to Fix "
                  "It, arXiv:2006.08195",
    )
)

SINUSOID = register(
    Activation(
        name="sinusoid",
        aliases=("sine", "sin", "siren"),
        summary="sin(w0 x): the periodic activation of SIREN implicit neural representations.",
        forward=_sinusoid,
        derivative=_sinusoid_derivative,
        formula="sin(w0*x)",
        params=(Param("w0", 1.0, 0.0, low_open=True, doc="frequency (SIREN uses 30 in its first layer)"),),
        properties=Properties(range=(-1.0, 1.0), monotonic=False, zero_centered=True, smooth=math.inf,
                              saturates="none", sparse=False),
        notes="sin(+-inf) is NaN (no limit). Default w0 = 1, the plain sine; SIREN's first layer uses w0 = 30 "
              "together with its special initialisation.",
        frameworks={"torch": "torch.sin", "jax": "jnp.sin"},
        reference="Sitzmann et al. 2020, Implicit Neural Representations with Periodic Activation Functions, "
                  "arXiv:2006.09661",
    )
)
