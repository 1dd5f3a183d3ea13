"""Presentation MathML from SymPy expressions, for browsers (the lab, `actlab define --json`).

SymPy's own presentation printer writes Piecewise as a function call, leaves '<' unescaped inside ``<mo>`` and uses
HTML-only named entities; a web page needs a brace with one row per case and well-formed markup, so we print through
this small subclass.
"""

from __future__ import annotations

import re
from html.entities import html5

import sympy as sp
from sympy.printing.mathml import MathMLPresentationPrinter

_MATH_OPEN = '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">'
_LOOSE_LT = re.compile(r"<(mo|mi|mn|mtext)><(=?)</\1>")
_LOOSE_GT = re.compile(r"<(mo|mi|mn|mtext)>>(=?)</\1>")
_NAMED = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _numeric(match: re.Match) -> str:
    """&InvisibleTimes; -> &#x2062;: named entities beyond XML's five are HTML-only; numbers work everywhere."""
    name = match[1]
    if name in ("lt", "gt", "amp", "quot", "apos"):
        return match[0]
    chars = html5.get(name + ";")
    return "".join(f"&#x{ord(c):x};" for c in chars) if chars else match[0]


class _Printer(MathMLPresentationPrinter):
    def _text(self, tag: str, text: str):
        node = self.dom.createElement(tag)
        node.appendChild(self.dom.createTextNode(text))
        return node

    def _print_Piecewise(self, expr):
        row = self.dom.createElement("mrow")
        brace = self._text("mo", "{")
        brace.setAttribute("stretchy", "true")
        row.appendChild(brace)
        table = self.dom.createElement("mtable")
        table.setAttribute("columnalign", "left left")
        for piece in expr.args:
            tr = self.dom.createElement("mtr")
            value = self.dom.createElement("mtd")
            value.appendChild(self._print(piece.expr))
            cond = self.dom.createElement("mtd")
            if piece.cond == True:  # noqa: E712  (SymPy's true)
                cond.appendChild(self._text("mtext", "\u2003otherwise"))
            else:
                inner = self.dom.createElement("mrow")
                inner.appendChild(self._text("mtext", "\u2003if\u2002"))
                inner.appendChild(self._print(piece.cond))
                cond.appendChild(inner)
            tr.appendChild(value)
            tr.appendChild(cond)
            table.appendChild(tr)
        row.appendChild(table)
        return row

    def _call(self, name: str, arg):
        """``name(arg)``: a function of one argument."""
        row = self.dom.createElement("mrow")
        row.appendChild(self._text("mi", name))
        row.appendChild(self._text("mo", "("))
        row.appendChild(self._print(arg))
        row.appendChild(self._text("mo", ")"))
        return row

    def _print_Heaviside(self, expr):
        # H(x) with SymPy's H(0) = 1/2 as a second argument is noise on a page about the curve: show H(x).
        return self._call("H", expr.args[0])

    def _print_DiracDelta(self, expr):
        return self._call("\u03b4", expr.args[0])


def _escape(markup: str) -> str:
    markup = _LOOSE_LT.sub(lambda m: f"<{m[1]}>&lt;{m[2]}</{m[1]}>", markup)
    markup = _LOOSE_GT.sub(lambda m: f"<{m[1]}>&gt;{m[2]}</{m[1]}>", markup)
    return _NAMED.sub(_numeric, markup)


def to_mathml(expr: sp.Expr) -> str:
    """A ``<math display="block">`` element for ``expr``, well-formed and with piecewise cases as rows."""
    body = _Printer({"mul_symbol": None}).doprint(expr)
    return f"{_MATH_OPEN}{_escape(body)}</math>"
