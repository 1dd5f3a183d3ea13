"""SymPy views of the catalog's formulas: parsing, derivatives, LaTeX and MathML.

Catalog formulas are string constants written in this package, parsed with an explicit namespace of the functions
they may use. (User formulas never come through here unparsed: see ``actlab.formula``, which builds SymPy trees from
a whitelisted syntax tree.)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

from actlab.core.mathml import to_mathml as print_mathml

x = sp.Symbol("x", real=True)


def _sigmoid(u):
    return 1 / (1 + sp.exp(-u))


def _softplus(u):
    return sp.log(1 + sp.exp(u))


# The functions catalog formulas may name. Helpers are expanded into elementary functions so that SymPy can
# differentiate and simplify them.
NAMESPACE = {
    "x": x,
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
    "atan": sp.atan,
    "sin": sp.sin,
    "cos": sp.cos,
    "erf": sp.erf,
    "erfc": sp.erfc,
    "Abs": sp.Abs,
    "abs": sp.Abs,
    "sign": sp.sign,
    "Max": sp.Max,
    "Min": sp.Min,
    "max": sp.Max,
    "min": sp.Min,
    "Heaviside": sp.Heaviside,
    "Piecewise": sp.Piecewise,
    "sigmoid": _sigmoid,
    "softplus": _softplus,
    "pi": sp.pi,
    "E": sp.E,
    "oo": sp.oo,
    "Sum": sp.Sum,
    "Symbol": sp.Symbol,
}


@lru_cache(maxsize=None)
def parse_catalog_formula(text: str, param_names: tuple[str, ...] = ()) -> sp.Expr:
    local = dict(NAMESPACE)
    for name in param_names:
        local[name] = sp.Symbol(name, real=True)
    return parse_expr(text, local_dict=local, global_dict={"__builtins__": {}, **_SYMPY_GLOBALS})


# parse_expr needs the SymPy constructors for the atoms it creates (Integer, Float, Rational, Symbol, ...).
_SYMPY_GLOBALS = {
    name: getattr(sp, name)
    for name in ("Integer", "Float", "Rational", "Symbol", "Function", "Mul", "Add", "Pow", "Tuple", "true", "false")
}


def bound_formula(spec, params: Mapping[str, float]) -> sp.Expr:
    names = tuple(p.name for p in spec.params)
    expr = parse_catalog_formula(spec.formula, names)
    subs = {sp.Symbol(k, real=True): _number(v) for k, v in params.items()}
    return expr.subs(subs) if subs else expr


def _number(v: float):
    return sp.Integer(int(v)) if float(v).is_integer() else sp.Float(repr(float(v)))  # shortest repr: 0.1, not 0.10000000000000001


@lru_cache(maxsize=512)
def derivative_expr(expr: sp.Expr) -> sp.Expr:
    # Cached: simplify takes seconds on some formulas (gelu_tanh ~9 s) and the lab, the docs and the tests ask for
    # the same derivatives many times. SymPy expressions are immutable and hashable.
    d = sp.diff(expr, x)
    try:
        return sp.simplify(d)
    except Exception:  # simplify can fail on Piecewise/Heaviside mixtures; the raw derivative is still right
        return d


def to_latex(expr: sp.Expr) -> str:
    return sp.latex(expr)


def to_mathml(expr: sp.Expr) -> str:
    """Presentation MathML (a well-formed ``<math display="block">`` element) for browsers."""
    return print_mathml(expr)
