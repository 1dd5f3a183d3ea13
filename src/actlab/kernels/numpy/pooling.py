"""Hand-written NumPy kernels of the pooling family (float64, exact), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.pooling`."""

from __future__ import annotations

import numpy as np

from actlab.core.errors import ParameterError
from actlab.kernels.numpy_exact import exact


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


exact("maxout", forward=_maxout, derivative=None, vjp=_maxout_vjp)
