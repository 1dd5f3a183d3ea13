"""The exponential family: ELU, SELU (a scaled ELU), CELU, and the plain exponential."""

from __future__ import annotations

import math

from actlab.core.spec import Activation, Param, Properties


# SELU's constants to full precision (Klambauer et al. 2017, eq. 14); float64 rounds them once.
SELU_ALPHA = 1.6732632423543772848170429916717

SELU_SCALE = 1.0507009873554804934193349852946

_SELU_SCALE_ALPHA = 1.7580993408473768599402175208123  # scale * alpha, rounded once


def _elu_properties(p):
    a = p["alpha"]
    return Properties(range=(-a, math.inf), monotonic=True, zero_centered=False, smooth=1 if a == 1 else 0,
                      saturates="left", sparse=a == 0)


ELU = Activation(
    name="elu",
    formula="Piecewise((alpha*(exp(x) - 1), x <= 0), (x, True))",
    summary="x for x > 0, alpha*(e^x - 1) below: smooth negative saturation at -alpha pushes mean activations to 0.",
    params=(Param("alpha", 1.0, 0.0, doc="the negative saturation value is -alpha"),),
    kinks=lambda p: (0.0,) if p["alpha"] != 1 else (),
    properties=_elu_properties,
    notes="Computed with expm1, exact near 0 (e^x - 1 loses all digits at x = -1e-8). elu'(0) = alpha "
          "(left derivative, as PyTorch); for alpha = 1 both sides agree.",
    frameworks={"torch": "F.elu", "torch_args": "alpha=alpha", "keras": "elu", "jax": "nn.elu"},
    reference="Clevert, Unterthiner & Hochreiter 2015, arXiv:1511.07289",
)


SELU = Activation(
    name="selu",
    formula="1.0507009873554804934193349852946*Piecewise((1.6732632423543772848170429916717*(exp(x) - 1), "
            "x <= 0), (x, True))",
    summary="scale * elu(x, alpha) with the fixed point constants that make activations self-normalising.",
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


CELU = Activation(
    name="celu",
    formula="Piecewise((alpha*(exp(x/alpha) - 1), x <= 0), (x, True))",
    summary="max(0, x) + min(0, alpha*(e^(x/alpha) - 1)): ELU rescaled to be C^1 for every alpha.",
    params=(Param("alpha", 1.0, 0.0, low_open=True, doc="the negative saturation value is -alpha"),),
    properties=lambda p: Properties(range=(-p["alpha"], math.inf), monotonic=True, zero_centered=False, smooth=1,
                                    saturates="left", sparse=False),
    notes="Continuously differentiable for every alpha (ELU only for alpha = 1); celu'(0) = 1.",
    frameworks={"torch": "F.celu", "torch_args": "alpha=alpha", "keras": "celu", "jax": "nn.celu"},
    reference="Barron 2017, Continuously Differentiable Exponential Linear Units, arXiv:1704.07483",
)


EXPONENTIAL = Activation(
    name="exponential",
    formula="exp(x)",
    aliases=("exp",),
    summary="e^x (keras 'exponential'): positive, unbounded, its own derivative.",
    properties=Properties(range=(0.0, math.inf), monotonic=True, zero_centered=False, smooth=math.inf,
                          saturates="left", sparse=False),
    notes="Overflows to inf above x = 709.78 (float64) and 88.72 (float32), as the exact value does.",
    frameworks={"torch": "torch.exp", "keras": "exponential", "jax": "jnp.exp"},
    reference="keras.activations.exponential",
)
