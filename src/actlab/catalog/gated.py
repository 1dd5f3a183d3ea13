"""Gated linear units: split the input in two halves (a, b) along an axis and multiply one by a gate of the other.

Output shape: the input's with the axis halved. ``vjp(x, g, axis=-1)`` returns the gradient for both halves.
"""

from __future__ import annotations

import math

from actlab.core.spec import GATED, Activation, Properties


def _props():
    return Properties(range=(-math.inf, math.inf), monotonic=False, zero_centered=False, smooth=math.inf,
                      saturates="none", sparse=False)


GLU = Activation(
    name="glu",
    formula="Symbol('a')*sigmoid(Symbol('b'))",
    aliases=("gated_linear_unit",),
    kind=GATED,
    summary="a * sigmoid(b) for the two halves (a, b) of the input: a learned, multiplicative gate.",
    properties=_props(),
    notes="(..., 2n) -> (..., n): a is the first half, b (the gate) the second, as torch.nn.functional.glu "
          "and jax.nn.glu.",
    frameworks={"torch": "F.glu", "torch_args": "dim=axis", "jax": "nn.glu"},
    reference="Dauphin et al. 2017, Language Modeling with Gated Convolutional Networks, arXiv:1612.08083",
)


SWIGLU = Activation(
    name="swiglu",
    formula="Symbol('a')*sigmoid(Symbol('a'))*Symbol('b')",
    aliases=("swi_glu",),
    kind=GATED,
    summary="silu(a) * b: the GLU variant of LLaMA/PaLM feed-forward layers.",
    properties=_props(),
    notes="(..., 2n) -> (..., n); the activation acts on the first half a (Shazeer's Swish(xW) * xV).",
    frameworks={},
    reference="Shazeer 2020, GLU Variants Improve Transformer, arXiv:2002.05202",
)


GEGLU = Activation(
    name="geglu",
    formula="Symbol('a')/2*(1 + erf(Symbol('a')/sqrt(2)))*Symbol('b')",
    aliases=("ge_glu",),
    kind=GATED,
    summary="gelu(a) * b: the GELU-gated linear unit (T5 v1.1, many diffusion models).",
    properties=_props(),
    notes="(..., 2n) -> (..., n); exact (erf) GELU on the first half a.",
    frameworks={},
    reference="Shazeer 2020, GLU Variants Improve Transformer, arXiv:2002.05202",
)


REGLU = Activation(
    name="reglu",
    formula="Max(0, Symbol('a'))*Symbol('b')",
    aliases=("re_glu",),
    kind=GATED,
    summary="relu(a) * b: the ReLU-gated linear unit.",
    properties=Properties(range=(-math.inf, math.inf), monotonic=False, zero_centered=False, smooth=0,
                          saturates="none", sparse=True),
    notes="(..., 2n) -> (..., n); relu on the first half a, relu'(0) = 0.",
    frameworks={},
    reference="Shazeer 2020, GLU Variants Improve Transformer, arXiv:2002.05202",
)
