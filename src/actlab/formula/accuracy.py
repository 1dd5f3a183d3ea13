"""The accuracy check: generated NumPy code against mpmath at 50 digits, at points where naive code breaks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import mpmath
import numpy as np

# Small, moderate and large |x|, including both sides of exp's overflow threshold (709.78).
POINTS = tuple(sorted({s * v for s in (-1.0, 1.0) for v in (0.0, 1e-8, 1e-4, 0.5, 1.0, 3.0, 10.0, 30.0, 100.0,
                                                           700.0, 710.0, 1000.0, 1e4, 1e6)}))
RTOL = 1e-8
ATOL = 1e-13


@dataclass(frozen=True)
class Miss:
    """One point where the generated code and the reference disagree."""

    what: str  # "f" or "f'"
    x: float
    got: float
    exact: float

    @property
    def overflow(self) -> bool:
        return not math.isfinite(self.got)

    def describe(self) -> str:
        if self.overflow:
            kind = "an intermediate result overflows" if math.isfinite(self.exact) else "it is undefined"
        else:
            rel = abs(self.got - self.exact) / max(abs(self.exact), 1e-300)
            kind = f"relative error {rel:.1e}"
        return f"{self.what}({self.x:g}) = {self.got:.6g} where the exact value is {self.exact:.6g} ({kind})"


def compare(generated, reference, what: str, values: Mapping[str, float], skip: tuple[float, ...] = ()) -> list[Miss]:
    """Points where ``generated`` (vectorised NumPy) differs from ``reference`` (an mpmath scalar function)."""
    xs = np.array([p for p in POINTS if all(abs(p - k) > 1e-9 for k in skip)])
    got = generated(xs, **values)
    misses = []
    for xv, g in zip(xs, got):
        ref = reference(float(xv), **values)
        if mpmath.isnan(ref):
            continue  # undefined there (log of a negative number, 0/0): nothing to compare
        exact = float(ref) if abs(ref) < mpmath.mpf("1.7976931348623157e308") else math.copysign(math.inf, ref)
        if math.isinf(exact):
            if g != exact:
                misses.append(Miss(what, float(xv), float(g), exact))
            continue
        if not math.isfinite(g) or abs(g - exact) > RTOL * abs(exact) + ATOL:
            misses.append(Miss(what, float(xv), float(g), exact))
    return misses


def summarize(name: str, misses: list[Miss], limit: int = 3) -> str:
    """One warning text for all misses of one function."""
    if not misses:
        return ""
    shown = "; ".join(m.describe() for m in misses[:limit])
    more = f" (and {len(misses) - limit} more points)" if len(misses) > limit else ""
    where = ", ".join(f"{m.x:g}" for m in misses)
    hint = (" Rewrite the formula with stable pieces (softplus, sigmoid, log1p, expm1, tanh) to avoid the overflow."
            if any(m.overflow for m in misses) else "")
    return f"{name}: the generated code loses accuracy at x = {where}: {shown}{more}.{hint}"
