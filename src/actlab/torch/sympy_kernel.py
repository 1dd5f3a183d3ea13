"""Torch kernels for activations without a hand-written one (user formulas): a walk over the SymPy tree.

The formula and its SymPy derivative are translated node by node into torch calls - no code generation, no eval.
The result is correct on any device and dtype, though not tuned: catalog entries all have hand-written kernels in
:mod:`actlab.torch.kernels`.
"""

from __future__ import annotations

import math
from typing import Callable

import sympy as sp
import torch

_UNARY: dict[type, Callable[[torch.Tensor], torch.Tensor]] = {
    sp.exp: torch.exp,
    sp.log: torch.log,
    sp.tanh: torch.tanh,
    sp.sinh: torch.sinh,
    sp.cosh: torch.cosh,
    sp.atan: torch.atan,
    sp.sin: torch.sin,
    sp.cos: torch.cos,
    sp.tan: torch.tan,
    sp.erf: torch.erf,
    sp.erfc: torch.erfc,
    sp.Abs: torch.abs,
    sp.sign: torch.sign,
    sp.asinh: torch.asinh,
    sp.sech: lambda t: 1.0 / torch.cosh(t),
}


def _as_tensor(v, like: torch.Tensor) -> torch.Tensor:
    return v if torch.is_tensor(v) else torch.full((), float(v), dtype=like.dtype, device=like.device)


def evaluate(expr: sp.Expr, x: torch.Tensor) -> torch.Tensor:
    """The value of ``expr`` (a SymPy expression in the symbol x, parameters substituted) at the tensor ``x``."""

    def ev(e):
        if e.is_Symbol:
            if e.name != "x":
                raise ValueError(f"the formula still has a free symbol {e.name!r}: bind every parameter")
            return x
        if e.is_Number or e.is_NumberSymbol:
            return float(e)
        if e is sp.S.Infinity:
            return math.inf
        if isinstance(e, sp.Add):
            out = ev(e.args[0])
            for a in e.args[1:]:
                out = out + ev(a)
            return out
        if isinstance(e, sp.Mul):
            out = ev(e.args[0])
            for a in e.args[1:]:
                out = out * ev(a)
            return out
        if isinstance(e, sp.Pow):
            base, exp = e.args
            if exp == sp.Rational(1, 2):
                return torch.sqrt(_as_tensor(ev(base), x))
            return _as_tensor(ev(base), x) ** ev(exp)
        if type(e) in _UNARY:
            return _UNARY[type(e)](_as_tensor(ev(e.args[0]), x))
        if isinstance(e, (sp.Max, sp.Min)):
            op = torch.maximum if isinstance(e, sp.Max) else torch.minimum
            out = _as_tensor(ev(e.args[0]), x)
            for a in e.args[1:]:
                out = op(out, _as_tensor(ev(a), x))
            return out
        if isinstance(e, sp.Heaviside):
            arg = _as_tensor(ev(e.args[0]), x)
            at0 = float(e.args[1]) if len(e.args) > 1 and e.args[1].is_Number else 0.5
            return torch.where(arg > 0, 1.0, torch.where(arg < 0, 0.0, at0)).to(x.dtype)
        if isinstance(e, sp.Piecewise):
            out = None
            for value, cond in reversed(e.args):
                v = _as_tensor(ev(value), x)
                if cond is sp.true:
                    out = v
                    continue
                c = ev(cond)
                out = torch.where(c, v, out if out is not None else torch.full_like(x, math.nan))
            return out
        if isinstance(e, sp.core.relational.Relational):
            lhs, rhs = _as_tensor(ev(e.lhs), x), _as_tensor(ev(e.rhs), x)
            return {"<": torch.lt, "<=": torch.le, ">": torch.gt, ">=": torch.ge, "==": torch.eq,
                    "!=": torch.ne}[e.rel_op](lhs, rhs)
        if isinstance(e, (sp.And, sp.Or)):
            op = torch.logical_and if isinstance(e, sp.And) else torch.logical_or
            out = ev(e.args[0])
            for a in e.args[1:]:
                out = op(out, ev(a))
            return out
        if isinstance(e, sp.DiracDelta):
            return torch.zeros_like(x)  # the derivative of a jump: 0 almost everywhere, as the catalog takes it
        raise ValueError(f"no torch translation for {type(e).__name__} in {expr}")

    out = _as_tensor(ev(expr), x)
    return out.expand_as(x) if out.shape != x.shape else out


def kernels_for(bound) -> tuple[Callable, Callable]:
    """(forward, derivative) torch callables for a bound activation, from its formula."""
    f, d = bound.formula, bound.symbolic_derivative
    return (lambda t: evaluate(f, t)), (lambda t: evaluate(d, t))
