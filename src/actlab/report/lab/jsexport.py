"""Catalog formulas as JavaScript functions, so the lab's plots can re-evaluate a curve when a slider moves.

The JavaScript is printed from the SymPy expression of the registry's formula (and of its SymPy derivative), never
written by hand per activation. Special functions missing from JavaScript's ``Math`` (erf, erfc, Heaviside, the
Dirac delta) are printed as calls into ``A``, the small runtime in ``assets/actmath.js``.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.jscode import JavascriptCodePrinter

from actlab.errors import ActlabError


class JSExportError(ActlabError, ValueError):
    """A formula uses something the JavaScript printer cannot express."""


# Functions JavaScript's Math lacks: printed as calls into the lab's runtime (assets/actmath.js).
_RUNTIME = {
    "erf": "A.erf",
    "erfc": "A.erfc",
    "Heaviside": "A.heaviside",
    "DiracDelta": "A.delta",  # zero away from one point: plots can ignore it
    "sech": "A.sech",
    "csch": "A.csch",
    "coth": "A.coth",
    "asinh": "Math.asinh",
    "acosh": "Math.acosh",
    "atanh": "Math.atanh",
    "sinh": "Math.sinh",
    "cosh": "Math.cosh",
    "log1p": "Math.log1p",
    "expm1": "Math.expm1",
}


class _Printer(JavascriptCodePrinter):
    """jscode with one-line Piecewise, parameters read from the object ``p`` and the lab's runtime functions."""

    def __init__(self) -> None:
        super().__init__({"user_functions": dict(_RUNTIME), "strict": False, "human": True})

    def _print_Symbol(self, expr):
        name = expr.name
        return "x" if name == "x" else f"p[{name!r}]".replace("'", '"')

    def _print_Piecewise(self, expr):
        if expr.args[-1].cond != True:  # noqa: E712  (SymPy's true is not Python's True)
            last = "NaN"  # no branch applies: undefined, which the plot draws as a gap
        else:
            last = self._print(expr.args[-1].expr)
        out = last
        pieces = expr.args if expr.args[-1].cond != True else expr.args[:-1]  # noqa: E712
        for piece in reversed(pieces):
            out = f"(({self._print(piece.cond)}) ? ({self._print(piece.expr)}) : ({out}))"
        return out

    def _print_Heaviside(self, expr):
        h0 = expr.args[1] if len(expr.args) > 1 else sp.Rational(1, 2)
        return f"A.heaviside({self._print(expr.args[0])}, {self._print(h0)})"

    def _print_Infinity(self, expr):
        return "Infinity"

    def _print_NegativeInfinity(self, expr):
        return "(-Infinity)"

    def _print_BooleanTrue(self, expr):
        return "true"

    def _print_BooleanFalse(self, expr):
        return "false"

    def _print_And(self, expr):
        return "(" + " && ".join(f"({self._print(a)})" for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " || ".join(f"({self._print(a)})" for a in expr.args) + ")"

    def _print_Not(self, expr):
        return f"(!({self._print(expr.args[0])}))"


# SymPy classes whose appearance means the expression is not a plain function of a real x.
_UNPRINTABLE = (sp.Sum, sp.Derivative, sp.Integral, sp.Subs, sp.Indexed, sp.Limit)


def to_js(expr: sp.Expr, param_names: tuple[str, ...] = ()) -> str:
    """A JavaScript expression in ``x`` and ``p[name]`` that evaluates ``expr`` in double precision.

    Raises JSExportError when the expression holds something the printer cannot express (a Sum, an unevaluated
    Derivative, a free symbol that is neither x nor a parameter, a function JavaScript lacks).
    """
    allowed = {"x", *param_names}
    free = sorted(s.name for s in expr.free_symbols if s.name not in allowed)
    if free:
        raise JSExportError(f"cannot export {expr} to JavaScript: free symbols {free}; expected only x and {allowed}")
    bad = sorted({type(node).__name__ for node in sp.preorder_traversal(expr) if isinstance(node, _UNPRINTABLE)})
    if bad:
        raise JSExportError(f"cannot export {expr} to JavaScript: it contains {', '.join(bad)}")
    printer = _Printer()
    code = printer.doprint(expr)
    if printer._not_supported or "Not supported" in code:
        names = sorted({getattr(f, "func", f).__name__ for f in printer._not_supported}) or ["?"]
        raise JSExportError(f"cannot export {expr} to JavaScript: no JavaScript for {', '.join(names)}")
    return " ".join(code.split())  # one line: stable bytes, compact output


def function_source(expr: sp.Expr, param_names: tuple[str, ...] = ()) -> str:
    """``function (x, p) { return ...; }`` for ``expr``."""
    return f"function (x, p) {{ return {to_js(expr, param_names)}; }}"
