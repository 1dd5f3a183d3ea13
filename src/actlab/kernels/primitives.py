"""SymPy functions the formula tree is built from, beyond SymPy's own.

* ``sigmoid`` and ``softplus``: the stable primitives the code generator maps to ``actlab.core.numerics``; their
  derivatives are written in terms of each other (softplus' = sigmoid, sigmoid' = sigmoid(u) sigmoid(-u)), so
  differentiating a stable tree gives a stable tree.
* ``log1p`` and ``expm1`` come from ``sympy.codegen.cfunctions``.
* :func:`catalog_call` makes one opaque function per catalog activation (``relu(u)``, ``elu(u, alpha)``): the code
  generator calls the catalog's own forward and derivative for it; :func:`expand` replaces it by the catalog's
  SymPy formula for display, the mpmath reference and the spec's ``formula`` string.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p

from actlab.core.registry import spec as get_spec
from actlab.core.symbolic import parse_catalog_formula, x

__all__ = ["CatalogCall", "CatalogPrime", "catalog_call", "expand", "expm1", "log1p", "sigmoid", "softplus", "x"]


class sigmoid(sp.Function):  # noqa: N801  (SymPy prints the class name)
    """1/(1+exp(-u)), evaluated without overflow."""

    nargs = 1

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.Rational(1, 2)
        if u is sp.oo:
            return sp.Integer(1)
        if u is sp.S.NegativeInfinity:
            return sp.Integer(0)
        return None

    def fdiff(self, argindex=1):
        u = self.args[0]
        return sigmoid(u) * sigmoid(-u)  # s(1-s), written so that 1-s never cancels

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return 1 / (1 + sp.exp(-u))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real


class softplus(sp.Function):  # noqa: N801
    """log(1+exp(u)) = max(u, 0) + log1p(exp(-|u|))."""

    nargs = 1

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.log(2)
        return None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return sp.log(1 + sp.exp(u))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real


class CatalogCall(sp.Function):
    """A catalog activation applied to (u, *parameter values); subclasses are made by :func:`catalog_call`."""

    act_name: str = ""

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)  # parameters never depend on x (the parser checks)
        return catalog_call(self.act_name, prime=True)(*self.args)

    def _eval_is_real(self):
        return self.args[0].is_real


class CatalogPrime(sp.Function):
    """The catalog derivative of an activation at (u, *parameter values)."""

    act_name: str = ""


@lru_cache(maxsize=None)
def catalog_call(name: str, prime: bool = False) -> type:
    """The SymPy function class standing for catalog activation ``name`` (or its derivative)."""
    n_params = len(get_spec(name).params)
    base = CatalogPrime if prime else CatalogCall
    label = f"{name}_prime" if prime else name
    return type(label, (base,), {"act_name": name, "nargs": 1 + n_params, "__module__": __name__})


def catalog_formula(name: str, u: sp.Expr, values: tuple[sp.Expr, ...], prime: bool = False) -> sp.Expr:
    """The catalog's SymPy formula for ``name`` (or its derivative) at u with the given parameter values."""
    spec = get_spec(name)
    names = tuple(p.name for p in spec.params)
    f = parse_catalog_formula(spec.formula, names)
    if prime:
        f = sp.diff(maxmin_to_piecewise(f), x)  # max(0, x)' at 0 is 0, as relu'(0), not Heaviside(0) = 1/2
    subs = {x: u, **{sp.Symbol(n, real=True): v for n, v in zip(names, values)}}
    return f.subs(subs, simultaneous=True)


def expand(expr: sp.Expr) -> sp.Expr:
    """Replace stable primitives and catalog calls by elementary SymPy functions (innermost first)."""
    if expr.is_Atom:
        return expr
    args = [expand(a) for a in expr.args]
    if isinstance(expr, CatalogCall):
        return catalog_formula(expr.act_name, args[0], tuple(args[1:]))
    if isinstance(expr, CatalogPrime):
        return catalog_formula(expr.act_name, args[0], tuple(args[1:]), prime=True)
    if isinstance(expr, sigmoid):
        return 1 / (1 + sp.exp(-args[0]))
    if isinstance(expr, softplus):
        return sp.log(1 + sp.exp(args[0]))
    if isinstance(expr, log1p):
        return sp.log(1 + args[0])
    if isinstance(expr, expm1):
        return sp.exp(args[0]) - 1
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*[(a.expr, a.cond) for a in args])
    return expr.func(*args)


def maxmin_to_piecewise(expr: sp.Expr) -> sp.Expr:
    """Max/Min as Piecewise so that derivatives take one side at a tie: d/dx max(0, x) at 0 is 0, as relu'(0)."""

    def conv(e: sp.Basic) -> sp.Basic:
        if e.is_Atom:
            return e
        args = [conv(a) for a in e.args]
        if isinstance(e, (sp.Max, sp.Min)):
            m = args[0]
            for b in args[1:]:
                wins = b > m if isinstance(e, sp.Max) else b < m
                m = sp.Piecewise((b, wins), (m, True))
            return m
        return e.func(*args) if args != list(e.args) else e

    return conv(expr)
