"""Piecewise-linear and piecewise-quadratic ('hard') activations: cheap stand-ins for the smooth ones."""

from __future__ import annotations

import math

from actlab.core.spec import Activation, Param, Properties


# A linear ramp clipped to [0, 1] (hard_sigmoid, its keras 2 form, sparse_sigmoid): exactly 0 and 1 outside the kinks.
_CLIPPED_RAMP = Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=0, saturates="both",
                           sparse=True)


HARD_SIGMOID = Activation(
    name="hard_sigmoid",
    formula="Min(Max(x + 3, 0), 6)/6",
    aliases=("hardsigmoid",),
    summary="relu6(x + 3)/6: a piecewise-linear sigmoid (MobileNetV3), exactly 0 below -3 and 1 above 3.",
    kinks=(-3.0, 3.0),
    properties=_CLIPPED_RAMP,
    notes="PyTorch, jax and keras 3 use relu6(x + 3)/6 (slope 1/6); derivative 0 at the kinks +-3 (PyTorch). "
          "keras 2 / TensorFlow used clip(0.2x + 0.5, 0, 1): that is 'hard_sigmoid_keras2'.",
    frameworks={"torch": "F.hardsigmoid", "keras": "hard_sigmoid", "jax": "nn.hard_sigmoid"},
    reference="Howard et al. 2019, Searching for MobileNetV3, arXiv:1905.02244",
)


HARD_SIGMOID_KERAS2 = Activation(
    name="hard_sigmoid_keras2",
    formula="Min(Max(x/5 + 1/2, 0), 1)",
    aliases=("hard_sigmoid_tf", "hard_sigmoid_v1"),
    summary="clip(0.2x + 0.5, 0, 1): the hard sigmoid of keras 2 / TensorFlow 2 (slope 1/5, kinks at +-2.5).",
    kinks=(-2.5, 2.5),
    properties=_CLIPPED_RAMP,
    notes="Kept for reproducing keras 2 / TF models; keras 3 switched to relu6(x + 3)/6 ('hard_sigmoid').",
    frameworks={},
    reference="Courbariaux, Bengio & David 2015, BinaryConnect, arXiv:1511.00363 (hard sigmoid); keras 2",
)


HARD_SWISH = Activation(
    name="hard_swish",
    formula="x*Min(Max(x + 3, 0), 6)/6",
    aliases=("hardswish", "hard_silu", "hardsilu"),
    summary="x * relu6(x + 3)/6: SiLU made piecewise quadratic (MobileNetV3); exact zeros below -3.",
    kinks=(-3.0, 3.0),
    properties=Properties(range=(-0.375, math.inf), monotonic=False, zero_centered=False, smooth=0,
                          saturates="left", sparse=True),
    notes="hard_swish'(-3) = -1/2 and hard_swish'(3) = 3/2 (PyTorch: the inner formula on the closed interval "
          "[-3, 3]). hard_swish(-inf) = 0 (PyTorch: NaN). Minimum -3/8 at x = -3/2.",
    frameworks={"torch": "F.hardswish", "keras": "hard_silu", "jax": "nn.hard_silu"},
    reference="Howard et al. 2019, Searching for MobileNetV3, arXiv:1905.02244",
)


HARD_TANH = Activation(
    name="hard_tanh",
    formula="Min(Max(x, min_val), max_val)",
    aliases=("hardtanh",),
    summary="clip(x, min_val, max_val): piecewise-linear tanh, slope 1 inside, flat outside.",
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


HARD_MISH = Activation(
    name="hard_mish",
    formula="x*Min(Max(x + 2, 0), 2)/2",
    aliases=("hardmish",),
    summary="x/2 * clip(x + 2, 0, 2): Mish made piecewise quadratic, as hard-swish is for SiLU.",
    kinks=(-2.0,),
    properties=Properties(range=(-0.5, math.inf), monotonic=False, zero_centered=False, smooth=0,
                          saturates="left", sparse=True),
    notes="0 below -2, x(x + 2)/2 on [-2, 0], x above; C^1 at 0, a kink at -2 (derivative taken as -1 there, "
          "the right-hand value, as hard_swish). Minimum -1/2 at x = -1.",
    frameworks={},
    reference="Hard-Mish (piecewise approximation of Mish, Misra 2019, in the manner of Howard et al. 2019)",
)


SPARSE_PLUS = Activation(
    name="sparse_plus",
    formula="Piecewise((0, x <= -1), ((x + 1)**2/4, x < 1), (x, True))",
    aliases=("sparseplus",),
    summary="0 below -1, (x + 1)^2/4 in between, x above 1: a C^1 softplus with exact zeros.",
    kinks=(-1.0, 1.0),
    properties=Properties(range=(0.0, math.inf), monotonic=True, zero_centered=False, smooth=1,
                          saturates="left", sparse=True),
    notes="Its derivative is sparse_sigmoid. As in jax.nn.sparse_plus.",
    frameworks={"jax": "nn.sparse_plus"},
    reference="Blondel, Martins & Niculae 2020, Learning with Fenchel-Young Losses, JMLR 21",
)


SPARSE_SIGMOID = Activation(
    name="sparse_sigmoid",
    formula="Min(Max((x + 1)/2, 0), 1)",
    summary="clip((x + 1)/2, 0, 1): the derivative of sparse_plus; reaches 0 and 1 exactly.",
    kinks=(-1.0, 1.0),
    properties=_CLIPPED_RAMP,
    notes="As in jax.nn.sparse_sigmoid; derivative 0 at the kinks +-1.",
    frameworks={"jax": "nn.sparse_sigmoid"},
    reference="Blondel, Martins & Niculae 2020, Learning with Fenchel-Young Losses, JMLR 21",
)
