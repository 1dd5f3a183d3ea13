"""Properties of a user activation, inferred numerically from its generated code and its SymPy derivatives.

The catalog declares its properties and the tests verify them; for a formula nobody declared anything, so they
are measured here, with the same meaning as :class:`actlab.spec.Properties`:

* range: min and max over a grid from -1e8 to 1e8 (dense on [-20, 20]), interior extrema refined by a bounded
  scalar minimisation, a side unbounded when f keeps growing between |x| = 1e6 and 1e8;
* monotonic: f' and the grid differences of f keep one sign (non-decreasing or non-increasing);
* zero_centered: |E f(z)| <= 0.1 sqrt(E f(z)^2) for z ~ N(0, 1) (Gauss-Hermite quadrature);
* smooth: at every switching point of a max/min/abs/piecewise (found by bisection on [-50, 50]) the jumps of f,
  f', f'', f''' are tested: -1 if f jumps, k if the (k+1)-th derivative is the first to jump, inf if none up to the
  third does;
* saturates: |f'| < 1e-6 at |x| = 100 and 1000 on that side;
* sparse: f is exactly 0 on more than 1% of [-20, 20].
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import sympy as sp
from scipy.optimize import minimize_scalar

from actlab.kernels.codegen import NumpyFunction
from actlab.formula.primitives import x
from actlab.formula.rewrite import maxmin_to_piecewise
from actlab.spec import Properties

_DENSE = np.linspace(-20.0, 20.0, 4001)
_TAIL = np.logspace(-3, 8, 221)
GRID = np.unique(np.concatenate([-_TAIL, [0.0], _TAIL, _DENSE]))
MAX_OPS = 4000  # symbolic derivatives bigger than this are not formed for the smoothness test


def switching_functions(expr: sp.Expr) -> list[sp.Expr]:
    """g(x) whose sign changes are where a max/min/abs/sign/piecewise of ``expr`` switches branch."""
    found: dict[sp.Expr, None] = {}
    for node in sp.preorder_traversal(maxmin_to_piecewise(expr)):
        if isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
            found[node.args[0]] = None
        elif isinstance(node, sp.core.relational.Relational) and node.has(x):
            found[node.lhs - node.rhs] = None
    return [g for g in found if g.has(x)]


def switch_points(expr: sp.Expr, params: tuple[str, ...], values: Mapping[str, float],
                  lo: float = -50.0, hi: float = 50.0) -> list[float]:
    """The roots in [lo, hi] of the switching functions: grid sign changes refined by bisection."""
    grid = np.linspace(lo, hi, 10001)
    roots: set[float] = set()
    for g in switching_functions(expr):
        try:
            fn = NumpyFunction(g, params)
        except Exception:  # an exotic switching function: no kinks reported for it
            continue
        v = fn(grid, **values)
        roots.update(float(t) for t in grid[v == 0])
        s = np.sign(v)
        idx = np.nonzero((s[:-1] * s[1:] < 0) & np.isfinite(v[:-1]) & np.isfinite(v[1:]))[0]
        a, b = grid[idx], grid[idx + 1]
        fa = v[idx]
        for _ in range(60):
            m = 0.5 * (a + b)
            fm = fn(m, **values)
            left = np.sign(fm) == np.sign(fa)
            a, fa = np.where(left, m, a), np.where(left, fm, fa)
            b = np.where(left, b, m)
        roots.update(float(r) for r in 0.5 * (a + b))
    return sorted({round(r, 12) + 0.0 for r in roots})


def higher_derivative_exprs(expanded: sp.Expr, params: tuple[str, ...]) -> list[sp.Expr]:
    """f and its first three derivatives from the expanded expression (max/min as piecewise), as far as they stay small and compile."""
    out, e = [], maxmin_to_piecewise(expanded)
    for _ in range(4):
        try:
            NumpyFunction(e, params)
        except Exception:
            break
        out.append(e)
        e = sp.diff(e, x)
        if sp.count_ops(e) > MAX_OPS:
            break
    return out


class Inference:
    """Numerical properties of one definition; the symbolic derivatives are formed once and shared by params.

    ``higher`` gives f and its first three derivatives as SymPy trees when they were formed already (under the budget of
    :mod:`actlab.formula.budget`); otherwise they are formed on first use.
    """

    def __init__(self, expanded: sp.Expr, forward, derivative, params: tuple[str, ...],
                 higher: list[sp.Expr] | None = None):
        self.expanded = expanded
        self.forward = forward
        self.derivative = derivative
        self.params = params
        self._higher = higher
        self._derivs: list[NumpyFunction] | None = None

    def higher_derivatives(self) -> list[NumpyFunction]:
        """f and its first three derivatives as generated NumPy functions (see :func:`higher_derivative_exprs`)."""
        if self._derivs is None:
            exprs = self._higher if self._higher is not None else higher_derivative_exprs(self.expanded, self.params)
            self._derivs = [NumpyFunction(e, self.params) for e in exprs]
        return self._derivs

    def kinks(self, values: Mapping[str, float]) -> tuple[float, ...]:
        return tuple(r for r in switch_points(self.expanded, self.params, values) if self._order(r, values) < 3)

    def _order(self, r: float, values: Mapping[str, float]) -> float:
        """-1 if f jumps at r, k if the (k+1)-th derivative is the first that jumps, inf if none up to f''' does."""
        h = 1e-6 * (1.0 + abs(r))
        for k, fk in enumerate(self.higher_derivatives()):
            a, b = fk(np.array([r - h, r + h]), **values)
            if not (np.isfinite(a) and np.isfinite(b)):
                return k - 1.0
            if abs(b - a) > 1e-3 * (1.0 + max(abs(a), abs(b))):
                return k - 1.0
        return math.inf

    def properties(self, values: Mapping[str, float]) -> Properties:
        kinks = switch_points(self.expanded, self.params, values)
        xs = np.unique(np.concatenate([GRID, kinks]))
        f = self.forward(xs, **values)
        d = self.derivative(xs, **values)
        return Properties(
            range=self._range(xs, f, values),
            monotonic=_monotonic(f, d),
            zero_centered=self._zero_centered(values),
            smooth=min((self._order(r, values) for r in kinks), default=math.inf),
            saturates=self._saturates(values),
            sparse=bool(np.mean(self.forward(_DENSE[_DENSE != 0], **values) == 0.0) > 0.01),
        )

    def _range(self, xs, f, values) -> tuple[float, float]:
        finite = np.isfinite(f)
        if not finite.any():
            return (math.nan, math.nan)
        fv = f[finite]
        lo, hi = float(fv.min()), float(fv.max())
        lo = self._refine(xs, f, values, lo, sign=1.0)
        hi = -self._refine(xs, -f, values, -hi, sign=-1.0)
        left, right = self.forward(np.array([-1e8, -1e6, 1e6, 1e8]), **values)[[0, 1, 3, 2]].reshape(2, 2)
        # an end that keeps going down (up) from |x| = 1e6 to 1e8 is unbounded on that side
        for far, near in (left, right):
            if far == -math.inf or (far <= lo + 1e-12 and far < near - 1e-3):
                lo = -math.inf
            if far == math.inf or (far >= hi - 1e-12 and far > near + 1e-3):
                hi = math.inf
        if np.any(f == -np.inf):
            lo = -math.inf
        if np.any(f == np.inf):
            hi = math.inf
        return (_round(lo, math.floor), _round(hi, math.ceil))

    def _refine(self, xs, f, values, best, sign) -> float:
        """Polish an interior grid minimum of sign*forward with a bounded scalar minimisation."""
        i = int(np.nanargmin(np.where(np.isfinite(f), f, np.inf)))
        if i == 0 or i == len(xs) - 1:
            return best
        def objective(t: float) -> float:
            v = sign * float(self.forward(np.array([t]), **values)[0])
            return v if np.isfinite(v) else 1e300  # keep the minimiser's arithmetic finite

        with np.errstate(all="ignore"):
            res = minimize_scalar(objective, bounds=(xs[i - 1], xs[i + 1]), method="bounded",
                                  options={"xatol": 1e-12})
        return min(best, float(res.fun)) if np.isfinite(res.fun) and res.fun < 1e300 else best

    def _zero_centered(self, values) -> bool:
        z, w = np.polynomial.hermite_e.hermegauss(80)
        w = w / math.sqrt(2 * math.pi)
        fz = self.forward(z, **values)
        if not np.all(np.isfinite(fz)):
            return False
        m1, m2 = float(w @ fz), float(w @ fz**2)
        return abs(m1) <= 0.1 * math.sqrt(m2) and m2 > 0

    def _saturates(self, values) -> str:
        d = np.abs(self.derivative(np.array([-1000.0, -100.0, 100.0, 1000.0]), **values))
        left = bool(np.all(d[:2] < 1e-6))
        right = bool(np.all(d[2:] < 1e-6))
        return {(False, False): "none", (True, False): "left", (False, True): "right", (True, True): "both"}[
            (left, right)]


def _monotonic(f: np.ndarray, d: np.ndarray) -> bool:
    ok = np.isfinite(f)
    fd = np.diff(f[ok])
    dd = d[np.isfinite(d)]
    tol = 1e-10
    up = np.all(fd >= -tol * (1 + np.abs(f[ok][1:]))) and np.all(dd >= -tol)
    down = np.all(fd <= tol * (1 + np.abs(f[ok][1:]))) and np.all(dd <= tol)
    return bool(up or down)


def _round(v: float, direction) -> float:
    """Round outwards to 9 significant digits; snap to an integer within 1e-9 (sigmoid's 0 and 1)."""
    if not math.isfinite(v) or v == 0:
        return float(v)
    if abs(v - round(v)) < 1e-9:
        return float(round(v))
    exponent = math.floor(math.log10(abs(v))) - 8
    return float(f"{direction(v / 10.0**exponent)}e{exponent}")  # via text: no 0.30884341400000004
