"""The classic activations of the seeds: binary step, identity, sigmoid and tanh."""

from __future__ import annotations

import math

import numpy as np

from actlab.catalog._math import sigmoid as _sigmoid
from actlab.registry import register
from actlab.spec import Activation, Param, Properties

BINARY_STEP = register(
    Activation(
        name="binary_step",
        aliases=("step", "heaviside"),
        summary="1 where x reaches the threshold, else 0: the perceptron's activation; its gradient is zero.",
        forward=lambda x, threshold: np.where(np.isnan(x), np.nan, (x >= threshold).astype(np.float64)),
        derivative=lambda x, threshold: np.where(np.isnan(x), np.nan, 0.0 * x),
        formula="Piecewise((0, x < threshold), (1, True))",
        params=(Param("threshold", 0.0, doc="the input at which the output jumps to 1"),),
        kinks=lambda p: (p["threshold"],),
        properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=-1, saturates="both",
                              sparse=True),
        notes="step(threshold) = 1. The derivative is 0 everywhere (undefined at the jump; we return 0), which is "
              "why a step network cannot be trained by gradient descent.",
        reference="McCulloch & Pitts 1943; Rosenblatt 1958",
    )
)

IDENTITY = register(
    Activation(
        name="identity",
        aliases=("linear",),
        summary="c*x: no non-linearity; a stack of linear layers collapses to one.",
        forward=lambda x, c: c * x,
        derivative=lambda x, c: np.where(np.isnan(x), np.nan, np.full_like(x, c)),
        derivative_from_output=lambda y, c: np.where(np.isnan(y), np.nan, np.full_like(y, c)),
        formula="c*x",
        params=(Param("c", 1.0, doc="slope"),),
        properties=lambda p: Properties(
            range=(-math.inf, math.inf) if p["c"] != 0 else (0.0, 0.0),
            monotonic=True, zero_centered=True, smooth=math.inf, saturates="none", sparse=p["c"] == 0,
        ),
        frameworks={"torch": "nn.Identity", "keras": "linear", "jax": "identity"},
        reference="(textbook)",
    )
)


def _sigmoid_derivative(x):
    s = _sigmoid(x)
    return s * (1.0 - s)  # not s(1+s) as seed 003 writes


SIGMOID = register(
    Activation(
        name="sigmoid",
        aliases=("logistic", "expit"),
        summary="The logistic function 1/(1+e^-x): squashes to (0, 1); its derivative peaks at 1/4.",
        forward=_sigmoid,
        derivative=_sigmoid_derivative,
        derivative_from_output=lambda y: y * (1.0 - y),
        formula="1/(1 + exp(-x))",
        properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=math.inf,
                              saturates="both", sparse=False),
        frameworks={"torch": "F.sigmoid", "keras": "sigmoid", "jax": "nn.sigmoid"},
        reference="Verhulst 1838; Rumelhart, Hinton & Williams 1986",
    )
)

TANH = register(
    Activation(
        name="tanh",
        summary="Hyperbolic tangent: a zero-centred sigmoid, 2*sigmoid(2x) - 1, range (-1, 1).",
        forward=np.tanh,
        derivative=lambda x: 1.0 - np.tanh(x) ** 2,
        derivative_from_output=lambda y: 1.0 - y * y,
        formula="tanh(x)",
        properties=Properties(range=(-1.0, 1.0), monotonic=True, zero_centered=True, smooth=math.inf,
                              saturates="both", sparse=False),
        frameworks={"torch": "F.tanh", "keras": "tanh", "jax": "nn.tanh"},
        reference="LeCun et al. 1998, Efficient BackProp",
    )
)
