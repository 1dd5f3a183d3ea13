"""Maxout: the maximum over groups of k consecutive inputs along an axis (a layer-level unit; its layer with the
affine pieces lives in actlab.nn)."""

from __future__ import annotations

import math

import numpy as np

from actlab.errors import ParameterError
from actlab.registry import register
from actlab.spec import POOLING, Activation, Param, Properties


def _groups(x, k, axis):
    z = np.moveaxis(x, axis, -1)
    n = z.shape[-1]
    if n % k:
        raise ParameterError(f"maxout with k={k} needs the length of axis {axis} to be a multiple of k. "
                             f"Got shape {x.shape}.")
    return z.reshape(*z.shape[:-1], n // k, k)


def _maxout(x, k, axis=-1):
    out = np.max(_groups(x, k, axis), axis=-1)  # NaN in a group gives NaN
    return np.moveaxis(out, -1, axis)


def _maxout_vjp(x, g, k, axis=-1):
    grp = _groups(x, k, axis)
    idx = np.argmax(grp, axis=-1)[..., None]  # the first maximum takes the whole gradient
    gz = np.moveaxis(g, axis, -1)[..., None]
    out = np.zeros_like(grp)
    np.put_along_axis(out, idx, gz, axis=-1)
    return np.moveaxis(out.reshape(*grp.shape[:-2], -1), -1, axis)


MAXOUT = register(
    Activation(
        name="maxout",
        kind=POOLING,
        summary="max over each group of k consecutive inputs: a learned piecewise-linear convex activation.",
        forward=_maxout,
        derivative=None,
        vjp=_maxout_vjp,
        formula="Max(Symbol('z_1'), Symbol('z_2'))",
        params=(Param("k", 2, 1, integer=True, doc="pieces per unit (group size)"),),
        properties=Properties(range=(-math.inf, math.inf), monotonic=False, zero_centered=False, smooth=0,
                              saturates="none", sparse=False),
        notes="(..., k*n) -> (..., n) along `axis`; groups are consecutive: [x_0..x_{k-1}], [x_k..x_{2k-1}], ... "
              "vjp routes each output's gradient to its argmax (the first one on ties). The formula shows k = 2.",
        frameworks={},
        reference="Goodfellow et al. 2013, Maxout Networks, arXiv:1302.4389",
    )
)
