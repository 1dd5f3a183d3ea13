"""Code generation: NumPy, PyTorch and mpmath functions from a (stabilised) SymPy tree.

The generator is a small compiler from SymPy nodes to nested Python closures, one per node: nothing is printed to
source and executed, so no generated text ever reaches ``exec``. The same node table serves three backends:

* NumPy (float64, the source of truth): stable primitives from ``actlab.core.numerics``, the catalog's own forward
  and derivative for catalog activations used inside a formula, piecewise branches evaluated only where they apply
  (the 'double where'), all under ``np.errstate(all="ignore")`` because NaN for log(-1) is the right answer, not a
  warning;
* PyTorch (imported lazily): the same with torch ops, differentiable by autograd; catalog activations are compiled
  from their own SymPy formula after the stable rewrites;
* mpmath: the high-precision reference the accuracy check and the tests compare against.

``actlab.formula.codegen.torch_functions`` builds on it for the specs of user formulas; :mod:`actlab.kernels.generated`
for catalog declarations that have only their formula.
"""

from __future__ import annotations

from functools import reduce
from typing import Any, Callable

import mpmath
import numpy as np
import sympy as sp
from scipy import special

from actlab.core import numerics as _math
from actlab.core.errors import FormulaError
from actlab.core.registry import spec as get_spec
from actlab.kernels.primitives import (
    CatalogCall,
    CatalogPrime,
    catalog_formula,
    expand,
    expm1,
    log1p,
    sigmoid,
    softplus,
    x,
)
from actlab.kernels.stable import stabilize

Fn = Callable[[Any, dict], Any]


# --- backends ---------------------------------------------------------------------------------------------------
class _NumPy:
    name = "numpy"
    funcs = {
        sp.exp: np.exp, sp.log: np.log, sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan, sp.tanh: np.tanh,
        sp.sinh: np.sinh, sp.cosh: np.cosh, sp.atan: np.arctan, sp.asinh: np.arcsinh, sp.erf: special.erf,
        sp.erfc: special.erfc, sp.Abs: np.abs, sp.sign: np.sign, sigmoid: _math.sigmoid, softplus: _math.softplus,
        log1p: np.log1p, expm1: np.expm1,
        sp.DiracDelta: lambda u: 0.0 * u,  # a derivative taken at a jump: 0 away from it, as for the step
    }

    @staticmethod
    def const(v: sp.Expr) -> float:
        return float(v)

    @staticmethod
    def sqrt(u):
        return np.sqrt(u)

    @staticmethod
    def power(u, e):
        return np.power(u, e)

    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    logical = {sp.And: np.logical_and, sp.Or: np.logical_or}
    logical_not = staticmethod(np.logical_not)
    where = staticmethod(np.where)  # ITE(c, a, b) of two conditions: both are cheap and finite, so no double where

    @staticmethod
    def piecewise(branches: list[tuple[Fn, Fn]]) -> Fn:
        def f(xv, p):
            out = np.full(np.shape(xv), np.nan)
            remaining = np.ones(np.shape(xv), dtype=bool)
            for value, cond in branches:
                take = remaining & np.broadcast_to(cond(xv, p), np.shape(xv))
                if take.any():
                    out[take] = value(xv[take], p)  # the branch sees only its own inputs: no overflow elsewhere
                remaining &= ~take
            return out

        return f

    @staticmethod
    def catalog(name: str, prime: bool, arg: Fn, params: list[Fn]) -> Fn:
        spec = get_spec(name)
        fn = spec.derivative if prime else spec.forward
        pnames = [q.name for q in spec.params]

        def f(xv, p):
            values = {n: float(g(xv, p)) for n, g in zip(pnames, params)}
            values = spec.bind(**values).params  # validates parameters that come from user parameters
            return fn(np.asarray(arg(xv, p), dtype=np.float64), **values)

        return f


class _Torch:
    name = "torch"

    def __init__(self):
        import torch

        self.torch = torch
        t = torch
        self.funcs = {
            sp.exp: t.exp, sp.log: t.log, sp.sin: t.sin, sp.cos: t.cos, sp.tan: t.tan, sp.tanh: t.tanh,
            sp.sinh: t.sinh, sp.cosh: t.cosh, sp.atan: t.atan, sp.asinh: t.asinh, sp.erf: t.special.erf,
            sp.erfc: t.special.erfc, sp.Abs: t.abs, sp.sign: t.sign, sigmoid: t.sigmoid,
            softplus: lambda u: t.clamp(u, min=0) + t.log1p(t.exp(-t.abs(u))),  # the same formula as NumPy's
            log1p: t.log1p, expm1: t.expm1,
            sp.DiracDelta: lambda u: 0.0 * u,
        }
        # Conditions may be Python bools (a branch that is always taken): torch's logical ops want tensors.
        self.logical = {sp.And: lambda a, b: t.logical_and(t.as_tensor(a), t.as_tensor(b)),
                        sp.Or: lambda a, b: t.logical_or(t.as_tensor(a), t.as_tensor(b))}

    @staticmethod
    def const(v: sp.Expr) -> float:
        return float(v)

    def sqrt(self, u):
        return self.torch.sqrt(u)

    def power(self, u, e):
        return self.torch.pow(u, e)

    def _as_tensor(self, v, like):
        return v if self.torch.is_tensor(v) else self.torch.full_like(like, float(v))

    def maximum(self, a, b):  # where(b > a, b, a): at a tie the gradient goes to one side, as relu'(0) = 0
        return self.torch.where(self.torch.as_tensor(b > a), b, a)

    def minimum(self, a, b):
        return self.torch.where(self.torch.as_tensor(b < a), b, a)

    def logical_not(self, c):
        return self.torch.logical_not(self.torch.as_tensor(c))

    def where(self, c, a, b):
        t = self.torch
        return t.where(t.as_tensor(c), t.as_tensor(a), t.as_tensor(b))

    def piecewise(self, branches: list[tuple[Fn, Fn]]) -> Fn:
        torch = self.torch

        def f(xv, p):
            out = torch.full_like(xv, float("nan"))
            remaining = torch.ones_like(xv, dtype=torch.bool)
            for value, cond in branches:
                c = cond(xv, p)
                c = c if torch.is_tensor(c) else torch.full_like(remaining, bool(c))
                take = remaining & c
                if bool(take.any()):
                    out = out.masked_scatter(take, self._as_tensor(value(xv[take], p), xv[take]))
                remaining = remaining & ~take
            return out

        return f

    def catalog(self, name: str, prime: bool, arg: Fn, params: list[Fn]) -> Fn:
        raise AssertionError("the torch backend compiles catalog activations from their formulas")  # unreachable


# A result whose natural log exceeds this is taken as +-inf (or 0): float64 ends at e**709.8, and the exact value of
# exp(exp(1e6)) would need ln 2 to millions of digits (mpmath's exponents are unbounded, so it tries, for hours).
_MP_HUGE = 10**7


def _mp_exp(u):
    if u > _MP_HUGE:
        return mpmath.inf
    return mpmath.mpf(0) if u < -_MP_HUGE else mpmath.exp(u)


def _mp_log(u):
    return mpmath.mpf("nan") if u < 0 else (mpmath.mpf("-inf") if u == 0 else mpmath.log(u))


class _MpMath:
    name = "mpmath"
    funcs = {
        sp.exp: _mp_exp, sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.tan: mpmath.tan, sp.tanh: mpmath.tanh,
        sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh, sp.atan: mpmath.atan, sp.asinh: mpmath.asinh,
        sp.erf: mpmath.erf, sp.erfc: mpmath.erfc, sp.Abs: abs, sp.sign: mpmath.sign, sp.log: _mp_log,
        sp.DiracDelta: lambda u: mpmath.mpf(0),
    }
    logical = {sp.And: lambda a, b: bool(a) and bool(b), sp.Or: lambda a, b: bool(a) or bool(b)}

    @staticmethod
    def logical_not(c):
        return not c

    @staticmethod
    def where(c, a, b):
        return a if c else b

    @staticmethod
    def const(v: sp.Expr):
        return mpmath.mpf(sp.N(v, mpmath.mp.dps + 10))

    @staticmethod
    def sqrt(u):
        return mpmath.mpf("nan") if u < 0 else mpmath.sqrt(u)

    @staticmethod
    def power(u, e):
        if u < 0 and e != int(e):
            return mpmath.mpf("nan")
        if u == 0 and e < 0:
            return mpmath.mpf("nan")
        if u != 0 and mpmath.isfinite(u) and mpmath.isfinite(e):
            size = e * mpmath.log(abs(u))  # the log of |u**e|: beyond _MP_HUGE, as exp
            if size > _MP_HUGE:
                return mpmath.inf if u > 0 or int(e) % 2 == 0 else -mpmath.inf
            if size < -_MP_HUGE:
                return mpmath.mpf(0)
        return mpmath.power(u, e)

    maximum = staticmethod(lambda a, b: b if b > a else a)
    minimum = staticmethod(lambda a, b: b if b < a else a)

    @staticmethod
    def piecewise(branches):
        def f(xv, p):
            for value, cond in branches:
                if cond(xv, p):
                    return value(xv, p)
            return mpmath.mpf("nan")

        return f

    @staticmethod
    def catalog(name, prime, arg, params):
        raise AssertionError("the mpmath backend evaluates expanded formulas")  # unreachable


_RELATIONS = {
    sp.StrictLessThan: lambda a, b: a < b,
    sp.LessThan: lambda a, b: a <= b,
    sp.StrictGreaterThan: lambda a, b: a > b,
    sp.GreaterThan: lambda a, b: a >= b,
    sp.Equality: lambda a, b: a == b,
    sp.Unequality: lambda a, b: a != b,
}


# --- the compiler -----------------------------------------------------------------------------------------------
def _unsupported(e: sp.Basic, backend) -> FormulaError:
    return FormulaError(f"Cannot generate {backend.name} code for {sp.sstr(e)!r} ({type(e).__name__}).")


def _compile(e: sp.Basic, backend, params: frozenset[str]) -> Fn:
    if e == x:
        return lambda xv, p: xv
    if isinstance(e, sp.Symbol):
        if e.name not in params:
            raise FormulaError(f"The expression uses {e.name!r}, which is not a declared parameter.")
        name = e.name
        return lambda xv, p: p[name]
    if e is sp.true or e is sp.false:
        value = bool(e)
        return lambda xv, p: value
    if isinstance(e, sp.Expr) and e.is_number and not e.has(CatalogCall, CatalogPrime, sp.Piecewise):
        c = backend.const(e)
        return lambda xv, p: c
    if isinstance(e, sp.Add):
        parts = [_compile(a, backend, params) for a in e.args]
        return lambda xv, p: reduce(lambda s, g: s + g(xv, p), parts[1:], parts[0](xv, p))
    if isinstance(e, sp.Mul):
        parts = [_compile(a, backend, params) for a in e.args]
        return lambda xv, p: reduce(lambda s, g: s * g(xv, p), parts[1:], parts[0](xv, p))
    if isinstance(e, sp.Pow):
        return _compile_pow(e, backend, params)
    if isinstance(e, (sp.Max, sp.Min)):
        parts = [_compile(a, backend, params) for a in e.args]
        op = backend.maximum if isinstance(e, sp.Max) else backend.minimum
        return lambda xv, p: reduce(lambda m, g: op(m, g(xv, p)), parts[1:], parts[0](xv, p))
    if isinstance(e, sp.Piecewise):
        branches = [(_compile(pair.expr, backend, params), _compile(pair.cond, backend, params)) for pair in e.args]
        return backend.piecewise(branches)
    if isinstance(e, tuple(_RELATIONS)):
        rel = _RELATIONS[type(e)]
        a, b = (_compile(arg, backend, params) for arg in e.args)
        return lambda xv, p: rel(a(xv, p), b(xv, p))
    if isinstance(e, (sp.And, sp.Or)):
        op = backend.logical[type(e)]
        parts = [_compile(a, backend, params) for a in e.args]
        return lambda xv, p: reduce(lambda c, g: op(c, g(xv, p)), parts[1:], parts[0](xv, p))
    if isinstance(e, sp.Not):
        inner = _compile(e.args[0], backend, params)
        return lambda xv, p: backend.logical_not(inner(xv, p))
    if isinstance(e, sp.ITE):
        # ITE(c, a, b): "if c then a else b" between conditions. SymPy writes it when a Piecewise's condition
        # compares with another Piecewise, as in the derivative of min(max(x, 0), sigmoid(x)).
        cond, then, other = (_compile(a, backend, params) for a in e.args)
        return lambda xv, p: backend.where(cond(xv, p), then(xv, p), other(xv, p))
    if isinstance(e, (sp.Xor, sp.Implies, sp.Equivalent)):  # rarer connectives: as And/Or/Not of their arguments
        return _compile(e.to_nnf(simplify=False), backend, params)
    if isinstance(e, (CatalogCall, CatalogPrime)):
        if backend.name == "numpy":
            arg = _compile(e.args[0], backend, params)
            values = [_compile(a, backend, params) for a in e.args[1:]]
            return backend.catalog(e.act_name, isinstance(e, CatalogPrime), arg, values)
        formula = catalog_formula(e.act_name, e.args[0], e.args[1:], prime=isinstance(e, CatalogPrime))
        if backend.name == "torch":
            formula, _ = stabilize(formula)
        return _compile(formula, backend, params)
    if isinstance(e, sp.Heaviside):  # H(u, h0) with SymPy's value h0 at 0
        u = e.args[0]
        h0 = e.args[1] if len(e.args) > 1 else sp.Rational(1, 2)
        return _compile(sp.Piecewise((1, u > 0), (0, u < 0), (h0, True)), backend, params)
    if isinstance(e, sp.Function) and type(e) in backend.funcs and len(e.args) == 1:
        fn = backend.funcs[type(e)]
        inner = _compile(e.args[0], backend, params)
        return lambda xv, p: fn(inner(xv, p))
    raise _unsupported(e, backend)


def _compile_pow(e: sp.Pow, backend, params) -> Fn:
    base = _compile(e.base, backend, params)
    n = e.exp
    if n.is_Integer:
        k = int(n)
        if k == 2:
            return lambda xv, p: (lambda u: u * u)(base(xv, p))
        if k == -1:
            return lambda xv, p: 1.0 / base(xv, p)
        if k > 0:
            return lambda xv, p: base(xv, p) ** k
        return lambda xv, p: 1.0 / base(xv, p) ** (-k)
    if n == sp.Rational(1, 2):
        return lambda xv, p: backend.sqrt(base(xv, p))
    if n == sp.Rational(-1, 2):
        return lambda xv, p: 1.0 / backend.sqrt(base(xv, p))
    expo = _compile(n, backend, params)
    return lambda xv, p: backend.power(base(xv, p), expo(xv, p))


# --- public functions -------------------------------------------------------------------------------------------
class NumpyFunction:
    """A float64 NumPy function of x generated from a SymPy tree: ``f(x, **params)``; NaN in, NaN out."""

    def __init__(self, expr: sp.Expr, params: tuple[str, ...] = ()):
        self.expr = expr
        self.params = tuple(params)
        self._fn = _compile(expr, _NumPy, frozenset(params))

    def __call__(self, xv, **params):
        arr = np.asarray(xv, dtype=np.float64)
        flat = np.atleast_1d(arr)
        with np.errstate(all="ignore"):  # log(-1) = nan and exp(1000) = inf are answers here, not accidents
            y = np.array(np.broadcast_to(self._fn(flat, params), flat.shape), dtype=np.float64)
        y[np.isnan(flat)] = np.nan
        return y.reshape(arr.shape)

    def __repr__(self) -> str:
        return f"NumpyFunction({numpy_source(self.expr)})"


class MpmathFunction:
    """The same expression evaluated in mpmath at ``dps`` digits; NaN where the real function is undefined."""

    def __init__(self, expr: sp.Expr, params: tuple[str, ...] = (), dps: int = 50):
        self.expr = expand(expr)
        self.dps = dps
        self._fn = _compile(self.expr, _MpMath, frozenset(params))

    def __call__(self, xv: float, **params) -> mpmath.mpf:
        with mpmath.workdps(max(self.dps, mpmath.mp.dps)):  # never below the caller's precision (mpmath.diff)
            p = {k: mpmath.mpf(v) for k, v in params.items()}
            try:
                y = self._fn(mpmath.mpf(xv), p)
            except (ZeroDivisionError, ValueError, OverflowError):
                return mpmath.mpf("nan")
            if isinstance(y, mpmath.mpc):
                return mpmath.mpf("nan")
            return +mpmath.mpf(y)


class TorchFunction:
    """A PyTorch function of a tensor generated from a SymPy tree, differentiable by autograd."""

    def __init__(self, expr: sp.Expr, params: tuple[str, ...] = ()):
        self.expr = expr
        self.params = tuple(params)
        self._backend = _Torch()
        self._fn = _compile(expr, self._backend, frozenset(params))

    def __call__(self, xv, **params):
        torch = self._backend.torch
        y = self._fn(xv, params)
        if not torch.is_tensor(y) or y.shape != xv.shape:
            y = (y if torch.is_tensor(y) else torch.tensor(float(y), dtype=xv.dtype)) + torch.zeros_like(xv)
        return torch.where(xv != xv, xv, y)  # NaN in, NaN out (x != x: a comparison Inductor vectorises; isnan not)


# --- a readable rendering of the generated NumPy code (display only; never executed) -----------------------------
class _NumpySourcePrinter(sp.printing.str.StrPrinter):
    _names = {"exp": "np.exp", "log": "np.log", "sin": "np.sin", "cos": "np.cos", "tan": "np.tan",
              "tanh": "np.tanh", "sinh": "np.sinh", "cosh": "np.cosh", "atan": "np.arctan", "asinh": "np.arcsinh",
              "erf": "scipy.special.erf", "erfc": "scipy.special.erfc", "Abs": "np.abs", "sign": "np.sign",
              "log1p": "np.log1p", "expm1": "np.expm1", "sigmoid": "sigmoid", "softplus": "softplus"}

    def _print_Function(self, e):
        if isinstance(e, CatalogPrime):
            name = f"{e.act_name}.derivative"
        elif isinstance(e, CatalogCall):
            name = e.act_name
        else:
            name = self._names.get(type(e).__name__, type(e).__name__)
        return f"{name}({', '.join(self._print(a) for a in e.args)})"

    def _print_Max(self, e):
        return reduce(lambda a, b: f"np.maximum({a}, {b})", [self._print(a) for a in e.args])

    def _print_Min(self, e):
        return reduce(lambda a, b: f"np.minimum({a}, {b})", [self._print(a) for a in e.args])

    def _print_Piecewise(self, e):
        parts = [f"{self._print(p.cond)}: {self._print(p.expr)}" for p in e.args]
        return "piecewise(" + "; ".join(parts) + ")"


def numpy_source(expr: sp.Expr) -> str:
    """The generated NumPy code as one readable expression (the stable primitives come from actlab.core.numerics)."""
    return _NumpySourcePrinter({"full_prec": False}).doprint(expr)
