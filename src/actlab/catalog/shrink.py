"""Shrinkage activations: hard, soft and tanh shrink (from sparse coding / denoising)."""

from __future__ import annotations

import math

from actlab.core.spec import Activation, Param, Properties


_LAMBD = Param("lambd", 0.5, 0.0, doc="the dead-zone half width")


def _dead_zone_kinks(p):
    return (-p["lambd"], p["lambd"])


def _dead_zone_properties(smooth):
    """Zero on [-lambd, lambd], odd and increasing: sparse, and of continuity class ``smooth``, when lambd > 0 (the
    identity when lambd = 0)."""
    return lambda p: Properties(range=(-math.inf, math.inf), monotonic=True, zero_centered=True,
                                smooth=smooth if p["lambd"] > 0 else math.inf, saturates="none",
                                sparse=p["lambd"] > 0)


HARD_SHRINK = Activation(
    name="hard_shrink",
    formula="Piecewise((x, Abs(x) > lambd), (0, True))",
    aliases=("hardshrink",),
    summary="x where |x| > lambd, else 0: hard thresholding.",
    params=(_LAMBD,),
    kinks=_dead_zone_kinks,
    properties=_dead_zone_properties(smooth=-1),
    notes="Discontinuous at +-lambd (jumps by lambd); derivative 0 at +-lambd. 'lambd' as in PyTorch "
          "(lambda is a Python keyword).",
    frameworks={"torch": "F.hardshrink", "torch_args": "lambd=lambd", "keras": "hard_shrink"},
    reference="Donoho & Johnstone 1994, Ideal Spatial Adaptation by Wavelet Shrinkage",
)


SOFT_SHRINK = Activation(
    name="soft_shrink",
    formula="Piecewise((x - lambd, x > lambd), (x + lambd, x < -lambd), (0, True))",
    aliases=("softshrink",),
    summary="sign(x) max(|x| - lambd, 0): soft thresholding, the proximal operator of the L1 norm.",
    params=(_LAMBD,),
    kinks=_dead_zone_kinks,
    properties=_dead_zone_properties(smooth=0),
    notes="Derivative 1 for |x| > lambd, 0 on [-lambd, lambd] (0 at the kinks, as PyTorch).",
    frameworks={"torch": "F.softshrink", "torch_args": "lambd=lambd", "keras": "soft_shrink"},
    reference="Donoho 1995, De-noising by Soft-Thresholding, IEEE Trans. Inf. Theory 41(3)",
)


TANH_SHRINK = Activation(
    name="tanh_shrink",
    formula="x - tanh(x)",
    aliases=("tanhshrink",),
    summary="x - tanh(x): small inputs shrink to ~x^3/3, large ones pass shifted by +-1.",
    properties=Properties(range=(-math.inf, math.inf), monotonic=True, zero_centered=True, smooth=math.inf,
                          saturates="none", sparse=False),
    notes="Near 0 x - tanh(x) cancels (all digits lost below 1e-8); we sum the positive series of "
          "x cosh x - sinh x and divide by cosh x for |x| < 1.5.",
    frameworks={"torch": "F.tanhshrink", "keras": "tanh_shrink"},
    reference="PyTorch torch.nn.Tanhshrink",
)
