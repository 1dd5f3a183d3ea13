"""Shared by the formula tests: user activations defined for a test module, and removed after it."""

from __future__ import annotations

import contextlib
import warnings

import actlab
from actlab.formula import FormulaWarning, define, undefine


@contextlib.contextmanager
def defined_formulas(table: dict[str, tuple[str, dict]]):
    """Define every ``name: (formula text, params)`` of ``table`` (their FormulaWarnings silenced: the tables hold
    deliberately naive formulas); yield name -> spec; undefine them afterwards, even if a test failed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormulaWarning)
        specs = {name: define(name, text, **params) for name, (text, params) in table.items()}
    try:
        yield specs
    finally:
        for name in specs:
            if name in actlab.names():
                undefine(name)
