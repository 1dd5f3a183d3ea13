"""The hand-written NumPy kernels, registered against activation names.

``exact(name, forward=..., derivative=...)`` registers the float64 kernels of a catalog declaration (and, for the
other kinds, its ``vjp``); ``float32(name, forward=..., derivative=...)`` its optional float32 fast paths. The
binder (:func:`actlab.kernels.bind`) attaches them when the declaration is registered. Every kernel here is checked
against the mpmath value of its declaration's formula by tests/test_catalog_exactness.py and test_catalog_float32.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from actlab.core.errors import RegistrationError

Kernel = Callable[..., np.ndarray]


@dataclass(frozen=True)
class Exact:
    """float64 in, float64 out: correctly rounded (or within a few ULP) on the whole float64 range."""

    forward: Kernel
    derivative: Kernel | None = None  # elementwise kinds
    derivative_from_output: Kernel | None = None  # f'(x) from y = f(x), where that is exact (sigmoid, tanh)
    vjp: Kernel | None = None  # the other kinds: vjp(x, g, **params, axis=...)


@dataclass(frozen=True)
class Float32:
    """float32 in, float32 out (or None: these parameters need the float64 path); see actlab.core.spec."""

    forward: Kernel | None = None
    derivative: Kernel | None = None


EXACT: dict[str, Exact] = {}
FLOAT32: dict[str, Float32] = {}


def exact(name: str, forward: Kernel, derivative: Kernel | None = None, *,
          derivative_from_output: Kernel | None = None, vjp: Kernel | None = None) -> None:
    if name in EXACT:
        raise RegistrationError(f"two float64 kernels for {name!r}: each activation has one")
    if derivative is None and vjp is None:
        raise RegistrationError(f"the float64 kernel of {name!r} needs a derivative (elementwise) or a vjp")
    EXACT[name] = Exact(forward, derivative, derivative_from_output, vjp)


def float32(name: str, forward: Kernel | None = None, derivative: Kernel | None = None) -> None:
    if name in FLOAT32:
        raise RegistrationError(f"two float32 kernels for {name!r}: each activation has one")
    FLOAT32[name] = Float32(forward, derivative)
