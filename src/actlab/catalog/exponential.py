"""The exponential family: ELU, SELU (a scaled ELU), CELU, and the plain exponential."""

from __future__ import annotations

import math

import numpy as np

from actlab.catalog import _math as m
from actlab.registry import register
from actlab.spec import Activation, Param, Properties

# SELU's constants to full precision (Klambauer et al. 2017, eq. 14); float64 rounds them once.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SELU_SCALE_ALPHA = 1.7580993408473768599402175208123  # scale * alpha, rounded once


def _elu_neg(x, coef):
    """coef * expm1(min(x, 0)): expm1 keeps the digits near 0 that exp(x) - 1 loses; min() avoids overflow."""
    return coef * np.expm1(np.minimum(x, 0.0))


@m.blockwise
def _elu(x, alpha):
    return m.select(x > 0, x, _elu_neg(x, alpha))


@m.blockwise
def _elu_derivative(x, alpha):
    return m.select(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def _elu_properties(p):
    a = p["alpha"]
    return Properties(range=(-a, math.inf), monotonic=True, zero_centered=False, smooth=1 if a == 1 else 0,
                      saturates="left", sparse=a == 0)


ELU = register(
    Activation(
        name="elu",
        summary="x for x > 0, alpha*(e^x - 1) below: smooth negative saturation at -alpha pushes mean activations to 0.",
        forward=_elu,
        derivative=_elu_derivative,
        formula="Piecewise((alpha*(exp(x) - 1), x <= 0), (x, True))",
        params=(Param("alpha", 1.0, 0.0, doc="the negative saturation value is -alpha"),),
        kinks=lambda p: (0.0,) if p["alpha"] != 1 else (),
        properties=_elu_properties,
        notes="Computed with expm1, exact near 0 (e^x - 1 loses all digits at x = -1e-8). elu'(0) = alpha "
              "(left derivative, as PyTorch); for alpha = 1 both sides agree.",
        frameworks={"torch": "F.elu", "torch_args": "alpha=alpha", "keras": "elu", "jax": "nn.elu"},
        reference="Clevert, Unterthiner & Hochreiter 2015, arXiv:1511.07289",
    )
)


@m.blockwise
def _selu(x):
    with np.errstate(over="ignore"):  # scale * x beyond 1.7e308 is inf, the correctly rounded result
        pos = SELU_SCALE * x
    return m.select(x > 0, pos, _elu_neg(x, _SELU_SCALE_ALPHA))


@m.blockwise
def _selu_derivative(x):
    return m.select(x > 0, SELU_SCALE, _SELU_SCALE_ALPHA * np.exp(np.minimum(x, 0.0)))


SELU = register(
    Activation(
        name="selu",
        summary="scale * elu(x, alpha) with the fixed point constants that make activations self-normalising.",
        forward=_selu,
        derivative=_selu_derivative,
        formula="1.0507009873554804934193349852946*Piecewise((1.6732632423543772848170429916717*(exp(x) - 1), "
                "x <= 0), (x, True))",
        kinks=(0.0,),
        properties=Properties(range=(-_SELU_SCALE_ALPHA, math.inf), monotonic=True, zero_centered=True, smooth=0,
                              saturates="left", sparse=False, self_normalizing=True),
        notes=f"selu = scale * elu(x, alpha), alpha = {SELU_ALPHA!r}, scale = {SELU_SCALE!r} (32 digits in the "
              "source). selu'(0) = scale*alpha (left derivative, as PyTorch). Self-normalising only with LeCun-normal "
              "initialisation and alpha-dropout. Zero-centred in the sense that matters here: for x ~ N(0, 1) "
              "E selu(x) = 0 and E selu(x)^2 = 1 (the fixed point the constants are chosen for).",
        frameworks={"torch": "F.selu", "keras": "selu", "jax": "nn.selu"},
        reference="Klambauer et al. 2017, Self-Normalizing Neural Networks, arXiv:1706.02515",
    )
)


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


CELU = register(
    Activation(
        name="celu",
        summary="max(0, x) + min(0, alpha*(e^(x/alpha) - 1)): ELU rescaled to be C^1 for every alpha.",
        forward=_celu,
        derivative=_celu_derivative,
        formula="Piecewise((alpha*(exp(x/alpha) - 1), x <= 0), (x, True))",
        params=(Param("alpha", 1.0, 0.0, low_open=True, doc="the negative saturation value is -alpha"),),
        properties=lambda p: Properties(range=(-p["alpha"], math.inf), monotonic=True, zero_centered=False, smooth=1,
                                        saturates="left", sparse=False),
        notes="Continuously differentiable for every alpha (ELU only for alpha = 1); celu'(0) = 1.",
        frameworks={"torch": "F.celu", "torch_args": "alpha=alpha", "keras": "celu", "jax": "nn.celu"},
        reference="Barron 2017, Continuously Differentiable Exponential Linear Units, arXiv:1704.07483",
    )
)


def _exp(x):
    with np.errstate(over="ignore"):  # e^x beyond 709.78 is inf, the correctly rounded result
        return np.exp(x)


@m.float32_kernel
def _exp32(x):
    return np.exp(x, out=x)  # inf beyond 88.7 after rounding (and in float64 beyond 709.8)


EXPONENTIAL = register(
    Activation(
        name="exponential",
        aliases=("exp",),
        summary="e^x (keras 'exponential'): positive, unbounded, its own derivative.",
        forward=_exp,
        derivative=_exp,
        forward32=_exp32,
        derivative32=_exp32,
        derivative_from_output=lambda y: y.copy(),
        formula="exp(x)",
        properties=Properties(range=(0.0, math.inf), monotonic=True, zero_centered=False, smooth=math.inf,
                              saturates="left", sparse=False),
        notes="Overflows to inf above x = 709.78 (float64) and 88.72 (float32), as the exact value does.",
        frameworks={"torch": "torch.exp", "keras": "exponential", "jax": "jnp.exp"},
        reference="keras.activations.exponential",
    )
)
