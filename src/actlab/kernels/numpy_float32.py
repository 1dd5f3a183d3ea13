"""The hand-written float32 NumPy kernels (fast paths), registered against activation names.

``float32(name, forward=..., derivative=...)``: float32 in, float32 out, or None when these parameter values need
the float64 path (see :mod:`actlab.core.spec`). Either computed in float32 with operations whose float32 result is
the correctly rounded one, or in float64 on float32 inputs; tests/test_catalog_float32.py compares each with the
float64 kernel rounded once on a dense grid, special values included.
"""

from __future__ import annotations

from dataclasses import dataclass

from actlab.core.errors import RegistrationError
from actlab.kernels.numpy_exact import Kernel


@dataclass(frozen=True)
class Float32:
    forward: Kernel | None = None
    derivative: Kernel | None = None


FLOAT32: dict[str, Float32] = {}


def float32(name: str, forward: Kernel | None = None, derivative: Kernel | None = None) -> None:
    if name in FLOAT32:
        raise RegistrationError(f"two float32 kernels for {name!r}: each activation has one")
    FLOAT32[name] = Float32(forward, derivative)
