"""User activations from formulas: safe parsing, stable code generation, definition and formula-space search.

>>> from actlab.formula import parse
>>> parse("x * tanh(softplus(x))")
x*tanh(log(exp(x) + 1))

``define(name, formula, **params)`` registers an activation (see :mod:`actlab.formula.define`);
:func:`actlab.formula.codegen.torch_functions` gives the PyTorch forward and derivative of a user spec.
"""

from actlab.errors import FormulaError
from actlab.formula.define import Definition, FormulaWarning, define, definition, undefine
from actlab.formula.parser import parse

__all__ = ["Definition", "FormulaError", "FormulaWarning", "define", "definition", "parse", "undefine"]
