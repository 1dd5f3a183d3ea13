"""Periodic activations: Snake (x + sin^2) and the sinusoid of SIREN."""

from __future__ import annotations

import math

import numpy as np

from actlab.catalog import _math as m
from actlab.registry import register
from actlab.spec import Activation, Param, Properties

_PI4_HI = 0.7853981633974483  # pi/4 as hi + lo, so x + pi/4 is exact to 2^-106 near the roots of snake'
_PI4_LO = 3.061616997868383e-17


@m.blockwise
def _snake(x, alpha):
    s = np.sin(alpha * np.clip(x, -1e300, 1e300))  # snake(+-inf) = +-inf: x dominates the bounded ripple
    return x + (s * s) / alpha


@m.blockwise
def _snake_derivative(x, alpha):
    # 1 + sin(2 alpha x) = 2 sin^2(alpha x + pi/4): no cancellation near its (double) roots
    with np.errstate(invalid="ignore"):  # sin(+-inf) is NaN: snake' has no limit at +-inf
        s = np.sin((alpha * x + _PI4_HI) + _PI4_LO)
    return 2.0 * (s * s)


def _sin(x, w0):
    with np.errstate(invalid="ignore"):  # sin(+-inf) is NaN: there is no limit
        return np.sin(w0 * x)


def _sin_derivative(x, w0):
    with np.errstate(invalid="ignore"):
        return w0 * np.cos(w0 * x)


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
        forward=_sin,
        derivative=_sin_derivative,
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
