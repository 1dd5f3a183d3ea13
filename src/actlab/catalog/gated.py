"""Gated linear units: split the input in two halves (a, b) along an axis and multiply one by a gate of the other.

Output shape: the input's with the axis halved. ``vjp(x, g, axis=-1)`` returns the gradient for both halves.
"""

from __future__ import annotations

import math

import numpy as np

from actlab.catalog import _math as m
from actlab.catalog.smooth import silu_derivative, swish
from actlab.errors import ParameterError
from actlab.registry import register
from actlab.spec import GATED, Activation, Properties


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


def _props():
    return Properties(range=(-math.inf, math.inf), monotonic=False, zero_centered=False, smooth=math.inf,
                      saturates="none", sparse=False)


GLU = register(
    Activation(
        name="glu",
        aliases=("gated_linear_unit",),
        kind=GATED,
        summary="a * sigmoid(b) for the two halves (a, b) of the input: a learned, multiplicative gate.",
        forward=_glu,
        derivative=None,
        vjp=_glu_vjp,
        formula="Symbol('a')*sigmoid(Symbol('b'))",
        properties=_props(),
        notes="(..., 2n) -> (..., n): a is the first half, b (the gate) the second, as torch.nn.functional.glu "
              "and jax.nn.glu.",
        frameworks={"torch": "F.glu", "torch_args": "dim=axis", "jax": "nn.glu"},
        reference="Dauphin et al. 2017, Language Modeling with Gated Convolutional Networks, arXiv:1612.08083",
    )
)


def _swiglu(x, axis=-1):
    a, b = _halves(x, axis, "swiglu")
    return swish(a) * b


def _swiglu_vjp(x, g, axis=-1):
    a, b = _halves(x, axis, "swiglu")
    return np.concatenate([g * b * silu_derivative(a), g * swish(a)], axis=axis)


SWIGLU = register(
    Activation(
        name="swiglu",
        aliases=("swi_glu",),
        kind=GATED,
        summary="silu(a) * b: the GLU variant of LLaMA/PaLM feed-forward layers.",
        forward=_swiglu,
        derivative=None,
        vjp=_swiglu_vjp,
        formula="Symbol('a')*sigmoid(Symbol('a'))*Symbol('b')",
        properties=_props(),
        notes="(..., 2n) -> (..., n); the activation acts on the first half a (Shazeer's Swish(xW) * xV).",
        frameworks={},
        reference="Shazeer 2020, GLU Variants Improve Transformer, arXiv:2002.05202",
    )
)


def _geglu(x, axis=-1):
    a, b = _halves(x, axis, "geglu")
    return m.gelu(a) * b


def _geglu_vjp(x, g, axis=-1):
    a, b = _halves(x, axis, "geglu")
    return np.concatenate([g * b * m.gelu_derivative(a), g * m.gelu(a)], axis=axis)


GEGLU = register(
    Activation(
        name="geglu",
        aliases=("ge_glu",),
        kind=GATED,
        summary="gelu(a) * b: the GELU-gated linear unit (T5 v1.1, many diffusion models).",
        forward=_geglu,
        derivative=None,
        vjp=_geglu_vjp,
        formula="Symbol('a')/2*(1 + erf(Symbol('a')/sqrt(2)))*Symbol('b')",
        properties=_props(),
        notes="(..., 2n) -> (..., n); exact (erf) GELU on the first half a.",
        frameworks={},
        reference="Shazeer 2020, GLU Variants Improve Transformer, arXiv:2002.05202",
    )
)


def _reglu(x, axis=-1):
    a, b = _halves(x, axis, "reglu")
    return np.maximum(a, 0.0) * b


def _reglu_vjp(x, g, axis=-1):
    a, b = _halves(x, axis, "reglu")
    return np.concatenate([g * b * m.step(a), g * np.maximum(a, 0.0)], axis=axis)


REGLU = register(
    Activation(
        name="reglu",
        aliases=("re_glu",),
        kind=GATED,
        summary="relu(a) * b: the ReLU-gated linear unit.",
        forward=_reglu,
        derivative=None,
        vjp=_reglu_vjp,
        formula="Max(0, Symbol('a'))*Symbol('b')",
        properties=Properties(range=(-math.inf, math.inf), monotonic=False, zero_centered=False, smooth=0,
                              saturates="none", sparse=True),
        notes="(..., 2n) -> (..., n); relu on the first half a, relu'(0) = 0.",
        frameworks={},
        reference="Shazeer 2020, GLU Variants Improve Transformer, arXiv:2002.05202",
    )
)
