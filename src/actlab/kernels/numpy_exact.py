"""The hand-written float64 NumPy kernels, registered against activation names.

``exact(name, forward=..., derivative=...)`` registers the float64 kernels of a catalog declaration (and, for the
other kinds, its ``vjp``): correctly rounded, or within a few ULP, on the whole float64 range. The binder
(:func:`actlab.kernels.bind`) attaches them when the declaration is registered. The kernels themselves live in
:mod:`actlab.kernels.numpy`, one module per family, beside their float32 twins (:mod:`.numpy_float32`); every one is
checked against the mpmath value of its declaration's formula by tests/test_catalog_exactness.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from actlab.core.errors import RegistrationError

Kernel = Callable[..., np.ndarray]


@dataclass(frozen=True)
class Exact:
    """float64 in, float64 out."""

    forward: Kernel
    derivative: Kernel | None = None  # elementwise kinds
    derivative_from_output: Kernel | None = None  # f'(x) from y = f(x), where that is exact (sigmoid, tanh)
    vjp: Kernel | None = None  # the other kinds: vjp(x, g, **params, axis=...)


EXACT: dict[str, Exact] = {}


def exact(name: str, forward: Kernel, derivative: Kernel | None = None, *,
          derivative_from_output: Kernel | None = None, vjp: Kernel | None = None) -> None:
    if name in EXACT:
        raise RegistrationError(f"two float64 kernels for {name!r}: each activation has one")
    if derivative is None and vjp is None:
        raise RegistrationError(f"the float64 kernel of {name!r} needs a derivative (elementwise) or a vjp")
    EXACT[name] = Exact(forward, derivative, derivative_from_output, vjp)
