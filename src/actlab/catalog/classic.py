"""The classic activations of the seeds: binary step, identity, sigmoid and tanh."""

from __future__ import annotations

import math

import numpy as np

from actlab.catalog import _math as m
from actlab.registry import register
from actlab.spec import Activation, Param, Properties


def _step(x, threshold):
    return m.step(x - threshold, at_zero=1.0)  # NaN stays NaN; x - threshold >= 0 exactly when x >= threshold


def _step_derivative(x, threshold):
    return m.keep_nan(np.zeros_like(x), x)


def _step32(x, threshold):
    return m.step32(x, threshold, at=1.0)


def _step_derivative32(x, threshold):
    return m.constant32(x, 0.0)


BINARY_STEP = register(
    Activation(
        name="binary_step",
        aliases=("step", "heaviside", "unit_step"),
        summary="1 where x reaches the threshold, else 0: the perceptron's activation; its gradient is zero.",
        forward=_step,
        derivative=_step_derivative,
        forward32=_step32,
        derivative32=_step_derivative32,
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


def _identity(x, c):
    if c == 0:  # 0*x is 0 even at +-inf (where the product would be NaN)
        return m.keep_nan(np.zeros_like(x), x)
    with np.errstate(over="ignore"):  # c*x beyond the float range is inf, the correctly rounded result
        return c * x


def _constant(x, c):
    return m.keep_nan(np.full_like(x, c), x)


def _identity32(x, c):
    c32 = m.as_float32(c)
    if c32 is None:  # c*x in float32 is correctly rounded only for a float32 c
        return None
    if c == 0:
        return m.constant32(x, 0.0)
    with np.errstate(over="ignore"):
        return np.multiply(x, c32)


IDENTITY = register(
    Activation(
        name="identity",
        aliases=("linear",),
        summary="c*x: no non-linearity; a stack of linear layers collapses to one.",
        forward=_identity,
        derivative=_constant,
        forward32=_identity32,
        derivative32=m.constant32,
        derivative_from_output=_constant,
        formula="c*x",
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
)

@m.float32_kernel
def _sigmoid32(x):
    # 1/(1 + exp(-x)) as it stands: exp(-x) = inf (x < -709) gives 0, the float32 result from x = -104 on
    np.negative(x, out=x)
    np.exp(x, out=x)
    x += 1.0
    return np.divide(1.0, x, out=x)


SIGMOID = register(
    Activation(
        name="sigmoid",
        aliases=("logistic", "expit", "logistic_sigmoid"),
        summary="The logistic function 1/(1+e^-x): squashes to (0, 1); its derivative peaks at 1/4.",
        forward=m.sigmoid,
        derivative=m.sigmoid_derivative,
        forward32=_sigmoid32,
        derivative32=m.float32_kernel(m.sigmoid_derivative),
        derivative_from_output=lambda y: y * (1.0 - y),
        formula="1/(1 + exp(-x))",
        properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=math.inf,
                              saturates="both", sparse=False),
        notes="sigmoid'(x) = s(1 - s) (seed 003 writes s(1 + s): wrong). Computed as e/(1+e)^2 with e = exp(-|x|), "
              "so the gradient is not rounded to 0 above x = 16.6 as s(1 - s) is (PyTorch, JAX). "
              "derivative_from_output y(1 - y) is the cheap backward form, exact only where 1 - y is.",
        frameworks={"torch": "torch.sigmoid", "keras": "sigmoid", "jax": "nn.sigmoid"},
        reference="Verhulst 1838; Rumelhart, Hinton & Williams 1986",
    )
)


@m.blockwise
def _tanh_derivative(x):
    # 1 - tanh(x)^2 = 4 e/(1+e)^2 with e = exp(-2|x|): no cancellation as tanh(x) -> +-1.
    return 4.0 * m.sigmoid_derivative(2.0 * np.clip(x, -1e300, 1e300))


@m.float32_kernel
def _tanh_derivative32(x):
    np.abs(x, out=x)
    x *= -2.0
    e = np.exp(x, out=x)  # exp(-2|x|): 2x is exact and finite for float32 x
    d = e + 1.0
    d *= d
    e *= 4.0
    e /= d
    return e


@m.float32_kernel
def _tanh32(x):
    return np.tanh(x, out=x)


TANH = register(
    Activation(
        name="tanh",
        aliases=("hyperbolic_tangent",),
        summary="Hyperbolic tangent: a zero-centred sigmoid, 2*sigmoid(2x) - 1, range (-1, 1).",
        forward=np.tanh,
        derivative=_tanh_derivative,
        forward32=_tanh32,
        derivative32=_tanh_derivative32,
        derivative_from_output=lambda y: (1.0 - y) * (1.0 + y),
        formula="tanh(x)",
        properties=Properties(range=(-1.0, 1.0), monotonic=True, zero_centered=True, smooth=math.inf,
                              saturates="both", sparse=False),
        notes="tanh'(x) = sech^2(x), computed as 4e/(1+e)^2 with e = exp(-2|x|) rather than 1 - tanh^2, which is 0 "
              "above |x| = 19 and loses all digits on the way.",
        frameworks={"torch": "torch.tanh", "keras": "tanh", "jax": "nn.tanh"},
        reference="LeCun et al. 1998, Efficient BackProp",
    )
)
