"""Maxout: the maximum over groups of k consecutive inputs along an axis (a layer-level unit; its layer with the
affine pieces lives in actlab.nn)."""

from __future__ import annotations

import math

from actlab.core.spec import POOLING, Activation, Param, Properties


MAXOUT = Activation(
    name="maxout",
    formula="Max(Symbol('z_1'), Symbol('z_2'))",
    kind=POOLING,
    summary="max over each group of k consecutive inputs: a learned piecewise-linear convex activation.",
    params=(Param("k", 2, 1, integer=True, doc="pieces per unit (group size)"),),
    properties=Properties(range=(-math.inf, math.inf), monotonic=False, zero_centered=False, smooth=0,
                          saturates="none", sparse=False),
    notes="(..., k*n) -> (..., n) along `axis`; groups are consecutive: [x_0..x_{k-1}], [x_k..x_{2k-1}], ... "
          "vjp routes each output's gradient to its argmax (the first one on ties). The formula shows k = 2.",
    frameworks={},
    reference="Goodfellow et al. 2013, Maxout Networks, arXiv:1302.4389",
)
