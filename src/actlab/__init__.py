"""actlab — the activation-function laboratory.

>>> import actlab
>>> a = actlab.get("swish")
>>> float(a(1.0)), float(a.derivative(0.0))
(0.7310585786300049, 0.5)
"""

# The modules' old names (actlab.spec, actlab.registry: aliases of actlab.core.*) load first, so that importing
# them later cannot rebind ``actlab.spec``, the function defined below, to the module of the same name.
from actlab import registry as _old_registry_name, spec as _old_spec_name  # noqa: F401  isort: skip
from actlab import catalog, kernels
from actlab.core import registry as _registry
from actlab.core.errors import (
    ActlabError,
    DataError,
    FormulaError,
    ParameterError,
    RegistrationError,
    UnknownActivation,
)
from actlab.core.registry import aliases, get, names, register, resolve, spec, specs
from actlab.core.spec import Activation, BoundActivation, Param, Properties

__version__ = "0.1.0"

# The moment the registry fills: here, at import, with every catalog declaration bound to its kernels (the
# hand-written ones of actlab.kernels, or ones generated from the formula on first use). Nothing else is loaded
# implicitly: user formulas come in through load_user_activations().
_registry.set_binder(kernels.bind)
for _declaration in catalog.DECLARATIONS:
    register(_declaration)
del _declaration


def define(name: str, formula: str, /, *, save: bool = False, check: bool = True, **params: float) -> BoundActivation:
    """Define and register an activation from a formula, e.g. ``define("my_swish", "x*sigmoid(beta*x)", beta=1.0)``.

    Returns the same callable object as ``actlab.get(name)``. The formula is parsed with a whitelist (never
    evaluated); see :func:`actlab.formula.define` for the details. The formula package (SymPy) is imported on first
    use, so ``import actlab`` stays light.
    """
    from actlab.formula import define as define_formula

    return get(define_formula(name, formula, save=save, check=check, **params).name)


def load_user_activations(path=None) -> list[str]:
    """Register the activations saved with ``actlab define --save`` (``actlab.toml``); returns their names.

    Called explicitly: by the ``actlab`` command at its start, or by a program that wants the user's formulas.
    Each formula is compiled on its first use, not here. See :mod:`actlab.user_registry` for where the file is.
    """
    from actlab import user_registry

    return user_registry.load_user_activations(path)


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
    "load_user_activations",
    "names",
    "register",
    "resolve",
    "spec",
    "specs",
]
