"""Code generation for user formulas: the compiler itself is :mod:`actlab.kernels.codegen` (one SymPy translator
for NumPy, PyTorch and mpmath, shared with the catalog's formula-only declarations); this module adds the PyTorch
functions of a user definition."""

from __future__ import annotations

from typing import Callable

from actlab.formula.define import definition
from actlab.kernels.codegen import MpmathFunction, NumpyFunction, TorchFunction, numpy_source

__all__ = ["MpmathFunction", "NumpyFunction", "TorchFunction", "numpy_source", "torch_forward", "torch_functions"]


def torch_functions(spec) -> tuple[TorchFunction, TorchFunction]:
    """(forward, derivative) as PyTorch functions ``f(x, **params)`` for a user-defined spec.

    The PyTorch adapter calls this for ``spec.source == "user"``: the forward is differentiable by autograd, and the
    derivative is generated from the same stable SymPy derivative as the NumPy one.
    """
    d = definition(spec)
    return TorchFunction(d.stable, d.param_names), TorchFunction(d.stable_derivative, d.param_names)


def torch_forward(spec, **params) -> Callable:
    """``f(x)`` as a PyTorch function for a user-defined spec, with ``params`` bound (defaults for the rest)."""
    forward, _ = torch_functions(spec)
    values = spec.bind(**params).params
    return lambda xv: forward(xv, **values)
