"""Catalog formulas as JavaScript functions: the lab's plots re-evaluate a curve when a slider moves, and the
playground trains networks with them.

The JavaScript is printed from the SymPy expression of the registry's formula (and of its SymPy derivative), never
written by hand per activation. Special functions missing from JavaScript's ``Math`` (erf, erfc, Heaviside, the
Dirac delta) are printed as calls into ``A``, the small runtime in ``assets/actmath.js``.

Numerical stability comes from the same place as the NumPy and PyTorch code generators': before printing, the tree
goes through :func:`actlab.formula.rewrite.stabilize` (log(1+exp(u)) -> softplus, 1/(1+exp(u)) -> sigmoid,
exp(u)-1 -> expm1, 1-erf -> erfc, ...), and the stable primitives are printed as calls into ``A`` (``A.sigmoid``
never overflows, ``A.softplus`` is max(u, 0) + log1p(exp(-|u|))). :func:`kernel_pair` differentiates the
stabilised tree (Max/Min as one-sided Piecewise, so relu'(0) = 0 as in the catalog), and the derivative of a stable
tree is stable because sigmoid' and softplus' are written in terms of each other.
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
    "sigmoid": "A.sigmoid",  # the stable primitives of actlab.formula.primitives
    "softplus": "A.softplus",
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

    def _print_Pow(self, expr):
        # Small integer powers as products: exact like NumPy's x**2 and faster than Math.pow in a training loop.
        base, e = self._print(expr.base), expr.exp
        if e.is_Integer and 2 <= abs(int(e)) <= 4:
            prod = "*".join([f"({base})"] * abs(int(e)))
            return f"({prod})" if e > 0 else f"(1/({prod}))"
        if e == -1:
            return f"(1/({base}))"
        return super()._print_Pow(expr)

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
    from actlab.formula.rewrite import stabilize

    printer = _Printer()
    code = printer.doprint(stabilize(expr)[0])
    if printer._not_supported or "Not supported" in code:
        names = sorted({getattr(f, "func", f).__name__ for f in printer._not_supported}) or ["?"]
        raise JSExportError(f"cannot export {expr} to JavaScript: no JavaScript for {', '.join(names)}")
    return " ".join(code.split())  # one line: stable bytes, compact output


def function_source(expr: sp.Expr, param_names: tuple[str, ...] = ()) -> str:
    """``function (x, p) { return ...; }`` for ``expr``."""
    return f"function (x, p) {{ return {to_js(expr, param_names)}; }}"


def kernel_pair(expr: sp.Expr, param_names: tuple[str, ...] = ()) -> tuple[str, str]:
    """JavaScript sources of f and f' for the formula ``expr`` in x, both numerically stable.

    f' is the derivative of the stabilised tree (Max/Min as one-sided Piecewise: the catalog's convention at kinks),
    not a simplified one: ``simplify`` tends to fold sigmoid(x)*(1-sigmoid(x)) back into exp(x)/(1+exp(x))**2,
    which overflows.
    """
    from actlab.formula.primitives import maxmin_to_piecewise, x
    from actlab.formula.rewrite import stabilize

    stable = stabilize(expr)[0]
    derivative = stabilize(sp.diff(maxmin_to_piecewise(stable), x))[0]
    return function_source(stable, param_names), function_source(derivative, param_names)
