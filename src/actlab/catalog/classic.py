"""The classic activations of the seeds: binary step, identity, sigmoid and tanh."""

from __future__ import annotations

import math

from actlab.core.spec import Activation, Param, Properties


BINARY_STEP = Activation(
    name="binary_step",
    formula="Piecewise((0, x < threshold), (1, True))",
    aliases=("step", "heaviside", "unit_step"),
    summary="1 where x reaches the threshold, else 0: the perceptron's activation; its gradient is zero.",
    params=(Param("threshold", 0.0, doc="the input at which the output jumps to 1"),),
    kinks=lambda p: (p["threshold"],),
    properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=-1, saturates="both",
                          sparse=True),
    notes="step(threshold) = 1. The derivative is 0 everywhere (undefined at the jump; we return 0), which is "
          "why a step network cannot be trained by gradient descent.",
    reference="McCulloch & Pitts 1943; Rosenblatt 1958",
)


IDENTITY = Activation(
    name="identity",
    formula="c*x",
    aliases=("linear",),
    summary="c*x: no non-linearity; a stack of linear layers collapses to one.",
    params=(Param("c", 1.0, doc="slope"),),
    properties=lambda p: Properties(
        range=(-math.inf, math.inf) if p["c"] != 0 else (0.0, 0.0),
        monotonic=p["c"] >= 0, zero_centered=True, smooth=math.inf,
        saturates="none" if p["c"] != 0 else "both", sparse=p["c"] == 0,
    ),
    notes="keras 'linear' and jax 'identity' are c = 1; torch spells it nn.Identity.",
    frameworks={"torch": "nn.Identity", "keras": "linear", "jax": "nn.identity"},
    reference="(textbook)",
)


SIGMOID = Activation(
    name="sigmoid",
    formula="1/(1 + exp(-x))",
    aliases=("logistic", "expit", "logistic_sigmoid"),
    summary="The logistic function 1/(1+e^-x): squashes to (0, 1); its derivative peaks at 1/4.",
    properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=math.inf,
                          saturates="both", sparse=False),
    notes="sigmoid'(x) = s(1 - s) (seed 003 writes s(1 + s): wrong). Computed as e/(1+e)^2 with e = exp(-|x|), "
          "so the gradient is not rounded to 0 above x = 16.6 as s(1 - s) is (PyTorch, JAX). "
          "derivative_from_output y(1 - y) is the cheap backward form, exact only where 1 - y is.",
    frameworks={"torch": "torch.sigmoid", "keras": "sigmoid", "jax": "nn.sigmoid"},
    reference="Verhulst 1838; Rumelhart, Hinton & Williams 1986",
)


TANH = Activation(
    name="tanh",
    formula="tanh(x)",
    aliases=("hyperbolic_tangent",),
    summary="Hyperbolic tangent: a zero-centred sigmoid, 2*sigmoid(2x) - 1, range (-1, 1).",
    properties=Properties(range=(-1.0, 1.0), monotonic=True, zero_centered=True, smooth=math.inf,
                          saturates="both", sparse=False),
    notes="tanh'(x) = sech^2(x), computed as 4e/(1+e)^2 with e = exp(-2|x|) rather than 1 - tanh^2, which is 0 "
          "above |x| = 19 and loses all digits on the way.",
    frameworks={"torch": "torch.tanh", "keras": "tanh", "jax": "nn.tanh"},
    reference="LeCun et al. 1998, Efficient BackProp",
)
