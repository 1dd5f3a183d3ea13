"""actlab — the activation-function laboratory.

>>> import actlab
>>> a = actlab.get("swish")
>>> float(a(1.0)), float(a.derivative(0.0))
(0.7310585786300049, 0.5)
"""

from actlab.errors import (
    ActlabError,
    DataError,
    FormulaError,
    ParameterError,
    RegistrationError,
    UnknownActivation,
)
from actlab.registry import aliases, get, names, register, resolve, spec, specs
from actlab.spec import Activation, BoundActivation, Param, Properties

__version__ = "0.1.0"


def define(name: str, formula: str, /, *, save: bool = False, check: bool = True, **params: float) -> Activation:
    """Define and register an activation from a formula, e.g. ``define("my_swish", "x*sigmoid(beta*x)", beta=1.0)``.

    The formula is parsed with a whitelist (never evaluated); see :func:`actlab.formula.define` for the details.
    The formula package is imported on first use, so ``import actlab`` stays light.
    """
    from actlab.formula import define as define_formula

    return define_formula(name, formula, save=save, check=check, **params)


__all__ = [
    "Activation",
    "ActlabError",
    "BoundActivation",
    "DataError",
    "FormulaError",
    "Param",
    "ParameterError",
    "Properties",
    "RegistrationError",
    "UnknownActivation",
    "aliases",
    "define",
    "get",
    "names",
    "register",
    "resolve",
    "spec",
    "specs",
]
