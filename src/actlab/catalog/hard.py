"""Piecewise-linear and piecewise-quadratic ('hard') activations: cheap stand-ins for the smooth ones."""

from __future__ import annotations

import math

import numpy as np

from actlab.catalog import _math as m
from actlab.errors import ParameterError
from actlab.registry import register
from actlab.spec import Activation, Param, Properties


def _inside(x, lo, hi):
    """1 on the open interval (lo, hi), 0 outside and at the ends, NaN for NaN (the gradient of a clip)."""
    return m.select(x >= hi, 0.0, m.step(x - lo))


def _hard_sigmoid(x):
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


HARD_SIGMOID = register(
    Activation(
        name="hard_sigmoid",
        aliases=("hardsigmoid",),
        summary="relu6(x + 3)/6: a piecewise-linear sigmoid (MobileNetV3), exactly 0 below -3 and 1 above 3.",
        forward=_hard_sigmoid,
        derivative=lambda x: _inside(x, -3.0, 3.0) / 6.0,
        derivative32=lambda x: m.inside32(x, -3.0, 3.0) * np.float32(1 / 6.0),
        formula="Min(Max(x + 3, 0), 6)/6",
        kinks=(-3.0, 3.0),
        properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=0, saturates="both",
                              sparse=True),
        notes="PyTorch, jax and keras 3 use relu6(x + 3)/6 (slope 1/6); derivative 0 at the kinks +-3 (PyTorch). "
              "keras 2 / TensorFlow used clip(0.2x + 0.5, 0, 1): that is 'hard_sigmoid_keras2'.",
        frameworks={"torch": "F.hardsigmoid", "keras": "hard_sigmoid", "jax": "nn.hard_sigmoid"},
        reference="Howard et al. 2019, Searching for MobileNetV3, arXiv:1905.02244",
    )
)

HARD_SIGMOID_KERAS2 = register(
    Activation(
        name="hard_sigmoid_keras2",
        aliases=("hard_sigmoid_tf", "hard_sigmoid_v1"),
        summary="clip(0.2x + 0.5, 0, 1): the hard sigmoid of keras 2 / TensorFlow 2 (slope 1/5, kinks at +-2.5).",
        forward=lambda x: np.clip((x + 2.5) / 5.0, 0.0, 1.0),  # = 0.2x + 0.5; x + 2.5 is exact near the kink
        derivative=lambda x: _inside(x, -2.5, 2.5) * 0.2,
        derivative32=lambda x: m.inside32(x, -2.5, 2.5) * np.float32(0.2),
        formula="Min(Max(x/5 + 1/2, 0), 1)",
        kinks=(-2.5, 2.5),
        properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=0, saturates="both",
                              sparse=True),
        notes="Kept for reproducing keras 2 / TF models; keras 3 switched to relu6(x + 3)/6 ('hard_sigmoid').",
        frameworks={},
        reference="Courbariaux, Bengio & David 2015, BinaryConnect, arXiv:1511.00363 (hard sigmoid); keras 2",
    )
)


@m.blockwise
def _hard_swish(x):
    xc = np.clip(x, -3.0, 3.0)  # x(x + 3)/6 between the kinks; the clip keeps -inf * 0 and 6 * 1e308 out
    return m.select(x >= 3.0, x, (xc * (xc + 3.0)) / 6.0)


@m.float32_kernel
def _hard_swish32(x):
    # For float32 x, xc*(xc + 3) is exact (25-bit factors) and one division rounds it. Above 3, y = 3 exactly and
    # adds x - 3 (exact): x, with no select; NaN propagates through both terms, -inf gives 0 + max(-inf, 0) = 0.
    xc = np.clip(x, -3.0, 3.0)
    y = xc + 3.0
    y *= xc
    y /= 6.0
    x -= 3.0
    y += np.maximum(x, 0.0, out=x)
    return y


@m.blockwise
def _hard_swish_derivative(x):
    # 0 below -3, (2x + 3)/6 on [-3, 3], 1 above 3: PyTorch's convention at the two kinks.
    xc = np.clip(x, -3.0, 3.0)  # keeps 2x finite at 1e308
    return m.select(x < -3.0, 0.0, m.select(x > 3.0, 1.0, (2.0 * xc + 3.0) / 6.0))


HARD_SWISH = register(
    Activation(
        name="hard_swish",
        aliases=("hardswish", "hard_silu", "hardsilu"),
        summary="x * relu6(x + 3)/6: SiLU made piecewise quadratic (MobileNetV3); exact zeros below -3.",
        forward=_hard_swish,
        derivative=_hard_swish_derivative,
        forward32=_hard_swish32,
        formula="x*Min(Max(x + 3, 0), 6)/6",
        kinks=(-3.0, 3.0),
        properties=Properties(range=(-0.375, math.inf), monotonic=False, zero_centered=False, smooth=0,
                              saturates="left", sparse=True),
        notes="hard_swish'(-3) = -1/2 and hard_swish'(3) = 3/2 (PyTorch: the inner formula on the closed interval "
              "[-3, 3]). hard_swish(-inf) = 0 (PyTorch: NaN). Minimum -3/8 at x = -3/2.",
        frameworks={"torch": "F.hardswish", "keras": "hard_silu", "jax": "nn.hard_silu"},
        reference="Howard et al. 2019, Searching for MobileNetV3, arXiv:1905.02244",
    )
)


def _check_interval(min_val, max_val):
    if not min_val < max_val:
        raise ParameterError(f"hard_tanh needs min_val < max_val. Got min_val={min_val!r}, max_val={max_val!r}.")


def _hard_tanh(x, min_val, max_val):
    _check_interval(min_val, max_val)
    return np.clip(x, min_val, max_val)


def _hard_tanh_derivative(x, min_val, max_val):
    _check_interval(min_val, max_val)
    return _inside(x, min_val, max_val)


def _hard_tanh32(x, min_val, max_val):
    _check_interval(min_val, max_val)
    with np.errstate(over="ignore"):  # clip commutes with rounding: clip to the rounded bounds
        return np.clip(x, np.float32(min_val), np.float32(max_val))


def _hard_tanh_derivative32(x, min_val, max_val):
    _check_interval(min_val, max_val)
    return m.inside32(x, min_val, max_val)


HARD_TANH = register(
    Activation(
        name="hard_tanh",
        aliases=("hardtanh",),
        summary="clip(x, min_val, max_val): piecewise-linear tanh, slope 1 inside, flat outside.",
        forward=_hard_tanh,
        derivative=_hard_tanh_derivative,
        forward32=_hard_tanh32,
        derivative32=_hard_tanh_derivative32,
        formula="Min(Max(x, min_val), max_val)",
        params=(Param("min_val", -1.0, doc="lower clip value"), Param("max_val", 1.0, doc="upper clip value")),
        kinks=lambda p: (p["min_val"], p["max_val"]),
        properties=lambda p: Properties(range=(p["min_val"], p["max_val"]), monotonic=True,
                                        zero_centered=p["min_val"] == -p["max_val"], smooth=0, saturates="both",
                                        sparse=p["min_val"] == 0 or p["max_val"] == 0),
        notes="Derivative 1 on the open interval, 0 at and beyond the clip values (PyTorch). min_val < max_val.",
        frameworks={"torch": "F.hardtanh", "torch_args": "min_val=min_val, max_val=max_val", "keras": "hard_tanh",
                    "jax": "nn.hard_tanh"},
        reference="Collobert 2004, Large Scale Machine Learning (PhD thesis)",
    )
)


@m.blockwise
def _hard_mish(x):
    xc = np.clip(x, -2.0, 0.0)  # x(x + 2)/2 on [-2, 0]; the clip keeps -inf * 0 and 2 * 1e308 out
    return m.select(x >= 0.0, x, (xc * (xc + 2.0)) * 0.5)  # halve last: 0.5 * -5e-324 would round to 0


@m.blockwise
def _hard_mish_derivative(x):
    return m.select(x < -2.0, 0.0, m.select(x > 0.0, 1.0, x + 1.0))


HARD_MISH = register(
    Activation(
        name="hard_mish",
        aliases=("hardmish",),
        summary="x/2 * clip(x + 2, 0, 2): Mish made piecewise quadratic, as hard-swish is for SiLU.",
        forward=_hard_mish,
        derivative=_hard_mish_derivative,
        formula="x*Min(Max(x + 2, 0), 2)/2",
        kinks=(-2.0,),
        properties=Properties(range=(-0.5, math.inf), monotonic=False, zero_centered=False, smooth=0,
                              saturates="left", sparse=True),
        notes="0 below -2, x(x + 2)/2 on [-2, 0], x above; C^1 at 0, a kink at -2 (derivative taken as -1 there, "
              "the right-hand value, as hard_swish). Minimum -1/2 at x = -1.",
        frameworks={},
        reference="Hard-Mish (piecewise approximation of Mish, Misra 2019, in the manner of Howard et al. 2019)",
    )
)


@m.blockwise
def _sparse_plus(x):
    # 0 for x <= -1, (x + 1)^2/4 on (-1, 1), x for x >= 1
    t = np.clip(x + 1.0, 0.0, 2.0)
    return m.select(x >= 1.0, x, 0.25 * (t * t))


SPARSE_PLUS = register(
    Activation(
        name="sparse_plus",
        aliases=("sparseplus",),
        summary="0 below -1, (x + 1)^2/4 in between, x above 1: a C^1 softplus with exact zeros.",
        forward=_sparse_plus,
        derivative=lambda x: m.select(x >= 1.0, 1.0, 0.5 * np.clip(x + 1.0, 0.0, 2.0)),
        formula="Piecewise((0, x <= -1), ((x + 1)**2/4, x < 1), (x, True))",
        kinks=(-1.0, 1.0),
        properties=Properties(range=(0.0, math.inf), monotonic=True, zero_centered=False, smooth=1,
                              saturates="left", sparse=True),
        notes="Its derivative is sparse_sigmoid. As in jax.nn.sparse_plus.",
        frameworks={"jax": "nn.sparse_plus"},
        reference="Blondel, Martins & Niculae 2020, Learning with Fenchel-Young Losses, JMLR 21",
    )
)

SPARSE_SIGMOID = register(
    Activation(
        name="sparse_sigmoid",
        summary="clip((x + 1)/2, 0, 1): the derivative of sparse_plus; reaches 0 and 1 exactly.",
        forward=lambda x: 0.5 * np.clip(x + 1.0, 0.0, 2.0),
        derivative=lambda x: 0.5 * _inside(x, -1.0, 1.0),
        derivative32=lambda x: np.float32(0.5) * m.inside32(x, -1.0, 1.0),
        formula="Min(Max((x + 1)/2, 0), 1)",
        kinks=(-1.0, 1.0),
        properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=0, saturates="both",
                              sparse=True),
        notes="As in jax.nn.sparse_sigmoid; derivative 0 at the kinks +-1.",
        frameworks={"jax": "nn.sparse_sigmoid"},
        reference="Blondel, Martins & Niculae 2020, Learning with Fenchel-Young Losses, JMLR 21",
    )
)
