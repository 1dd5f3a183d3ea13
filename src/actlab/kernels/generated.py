"""Kernels generated from a declaration's formula: what an activation gets when no one wrote a kernel for it.

The formula string is parsed (:mod:`actlab.core.symbolic`), rewritten into stable primitives
(:mod:`actlab.kernels.stable`: log(1+exp(u)) -> softplus(u), ...) and compiled to NumPy by
:mod:`actlab.kernels.codegen`; the derivative is SymPy's derivative of the stable tree, rewritten again. Compiling
happens on the first call, not at registration, so that ``import actlab`` never imports SymPy.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np


@lru_cache(maxsize=None)
def stable_trees(formula: str, params: tuple[str, ...]):
    """(f, f') of ``formula`` as stable SymPy trees: what every generated kernel, NumPy or PyTorch, is compiled from."""
    # SymPy and the compiler load here, on first use: importing them costs more than all of ``import actlab``.
    import sympy as sp

    from actlab.core.symbolic import parse_catalog_formula, x
    from actlab.kernels.stable import maxmin_to_piecewise, stabilize

    tree, _ = stabilize(parse_catalog_formula(formula, params))
    derivative, _ = stabilize(sp.diff(maxmin_to_piecewise(tree), x))
    return tree, derivative


class FormulaKernel:
    """f (or f' with ``prime=True``) of a formula in x and the named parameters, compiled on first use."""

    def __init__(self, formula: str, params: tuple[str, ...], prime: bool = False):
        self.formula = formula
        self.params = params
        self.prime = prime
        self._compiled = None

    def __call__(self, x: np.ndarray, **params: Any) -> np.ndarray:
        if self._compiled is None:
            self._compiled = self.compile()
        return self._compiled(x, **params)

    def compile(self):
        from actlab.kernels.codegen import NumpyFunction  # with SymPy: on first use only

        forward, derivative = stable_trees(self.formula, self.params)
        return NumpyFunction(derivative if self.prime else forward, self.params)

    def __repr__(self) -> str:
        return f"FormulaKernel({self.formula!r}{', prime=True' if self.prime else ''})"


def formula_kernels(formula: str, params: tuple[str, ...]) -> tuple[FormulaKernel, FormulaKernel]:
    """(forward, derivative) generated from ``formula``."""
    return FormulaKernel(formula, params), FormulaKernel(formula, params, prime=True)


def torch_functions(spec):
    """(forward, derivative) of any elementwise spec as PyTorch functions ``f(x, **params)``, generated from its
    formula: what ``actlab.torch`` uses for activations without a hand-written torch kernel (user formulas,
    formula-only declarations). The forward is differentiable by autograd."""
    from actlab.kernels.codegen import TorchFunction  # imports torch: only when the torch adapter asks

    params = tuple(p.name for p in spec.params)
    forward, derivative = stable_trees(spec.formula, params)
    return TorchFunction(forward, params), TorchFunction(derivative, params)
