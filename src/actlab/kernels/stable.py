"""Stable rewrites: known unstable patterns in a SymPy tree replaced by the stable primitives, innermost first.

Each rewrite is recorded with the reason it was needed, so ``define`` can tell the user what it changed
("log(1+exp(x)) overflows for x > 709: written as softplus(x)"). The rewritten tree is what the code generators
translate and what is differentiated for the derivative code, so the derivative is stable too.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from actlab.kernels.primitives import expm1, log1p, maxmin_to_piecewise, sigmoid, softplus  # noqa: F401


@dataclass(frozen=True)
class Rewrite:
    """One applied rewrite: ``before`` was written as ``after`` because ``reason``."""

    before: str
    after: str
    reason: str

    @property
    def message(self) -> str:
        return f"{self.before} {self.reason}: written as {self.after}"


def _s(e: sp.Expr) -> str:
    return sp.sstr(e, full_prec=False)


def _gt(u: sp.Expr, bound: str) -> str:
    """'x > 709', '-x > 709' rendered as 'x < -709', '2*x > 709'."""
    if u.could_extract_minus_sign():
        return f"{_s(-u)} < -{bound}"
    return f"{_s(u)} > {bound}"


def stabilize(expr: sp.Expr) -> tuple[sp.Expr, list[Rewrite]]:
    """Return ``expr`` with unstable patterns rewritten, and the rewrites applied (each once)."""
    notes: dict[Rewrite, None] = {}
    memo: dict[sp.Basic, sp.Basic] = {}

    def walk(e: sp.Basic) -> sp.Basic:
        if e in memo:
            return memo[e]
        if e.is_Atom:
            out = e
        else:
            args = [walk(a) for a in e.args]
            out = e.func(*args) if args != list(e.args) else e
            out = _rule(out, notes)
        memo[e] = out
        return out

    return walk(expr), list(notes)


def _rule(e: sp.Basic, notes: dict[Rewrite, None]) -> sp.Basic:
    def note(before: str, after: sp.Expr, reason: str) -> sp.Expr:
        notes[Rewrite(before, _s(after), reason)] = None
        return after

    if isinstance(e, sp.log):
        a = e.args[0]
        if isinstance(a, sigmoid):  # log(sigmoid(u)) = -softplus(-u)
            u = a.args[0]
            return note(f"log(sigmoid({_s(u)}))", -softplus(-u), f"gives log(0) = -inf for {_gt(-u, '745')}")
        if a.is_Add:
            c, rest = a.as_coeff_add()
            if c == 1 and rest:
                r = sp.Add(*rest)
                if isinstance(r, sp.exp):
                    u = r.args[0]
                    return note(f"log(1+exp({_s(u)}))", softplus(u), f"overflows for {_gt(u, '709')}")
                return note(f"log(1+{_s(r)})", log1p(r), f"loses precision where |{_s(r)}| is tiny")
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp < 0 and e.base.is_Add:
        c, rest = e.base.as_coeff_add()
        if c == 1 and len(rest) == 1 and isinstance(rest[0], sp.exp):
            u = rest[0].args[0]
            return note(f"1/(1+exp({_s(u)}))", sigmoid(-u) ** (-e.exp), f"overflows for {_gt(u, '709')}")
    if isinstance(e, sp.Mul):
        factors = list(e.args)
        for i, f in enumerate(factors):
            if isinstance(f, sigmoid):
                u = -f.args[0]
                if sp.exp(u) in factors:  # exp(u) * sigmoid(-u) = exp(u)/(1+exp(u)) = sigmoid(u)
                    factors.remove(sp.exp(u))
                    factors[factors.index(f)] = sigmoid(u)
                    return note(f"exp({_s(u)})/(1+exp({_s(u)}))", sp.Mul(*factors),
                                f"gives inf/inf = nan for {_gt(u, '709')}")
    if isinstance(e, sp.Add):
        c, terms = e.as_coeff_add()
        if c != 0:
            for t in terms:
                k, f = t.as_coeff_Mul()
                others = sp.Add(*[s for s in terms if s is not t])
                if isinstance(f, sp.exp) and k == -c:  # k*exp(u) - k
                    u = f.args[0]
                    return others + note(f"exp({_s(u)}) - 1", k * expm1(u), f"loses precision near {_s(u)} = 0")
                if isinstance(f, sigmoid) and k == -c:  # c - c*sigmoid(u) = c*sigmoid(-u)
                    u = f.args[0]
                    return others + note(f"1 - sigmoid({_s(u)})", c * sigmoid(-u),
                                         f"loses precision for {_gt(u, '37')}")
                if isinstance(f, sp.erf) and abs(k) == abs(c):  # c -+ c*erf(u) = c*erfc(+-u)
                    u = f.args[0] if k == -c else -f.args[0]
                    sign = "-" if k == -c else "+"
                    # evaluate=False: SymPy would turn erfc(-u) back into 2 - erfc(u)
                    return others + note(f"1 {sign} erf({_s(f.args[0])})", c * sp.erfc(u, evaluate=False),
                                         f"loses precision for {_gt(u, '3')}")
    return e
