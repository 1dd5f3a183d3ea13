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
    "get",
    "names",
    "register",
    "resolve",
    "spec",
    "specs",
]
