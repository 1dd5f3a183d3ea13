"""``actlab.define(name, formula, **params)``: an activation from a formula, registered like a catalog entry.

What a definition gets, from the one formula string:

* the SymPy formula (the spec's ``formula``, so LaTeX, MathML and the simplified derivative come from
  ``actlab.symbolic`` exactly as for the catalog);
* NumPy forward and derivative generated from the stabilised tree (see :mod:`actlab.formula.rewrite`), catalog
  activations inside the formula running the catalog's own code;
* properties and kinks inferred numerically (:mod:`actlab.formula.properties`), lazily, per parameter values;
* an accuracy check of the generated code against mpmath; the rewrites applied and anything still inaccurate are
  reported with :class:`FormulaWarning`.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from actlab.errors import FormulaError, RegistrationError
from actlab.formula import accuracy
from actlab.kernels.codegen import MpmathFunction, NumpyFunction
from actlab.formula.parser import CONDITIONAL, CONSTANTS, FUNCTIONS, RESERVED, check_param_name, parse
from actlab.formula.primitives import CatalogCall, expand, x
from actlab.formula.properties import Inference
from actlab.formula.rewrite import Rewrite, maxmin_to_piecewise, stabilize
from actlab.spec import Activation, Param

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


class FormulaWarning(UserWarning):
    """A user formula that needed a stable rewrite, or whose generated code still loses accuracy somewhere."""


@dataclass
class Definition:
    """Everything derived from one user formula."""

    name: str
    text: str
    defaults: dict[str, float]
    tree: sp.Expr  # as parsed: stable primitives and catalog activations kept as calls
    expanded: sp.Expr  # elementary functions only: display, spec.formula, the mpmath reference
    stable: sp.Expr  # tree after the stable rewrites: what the code is generated from
    stable_derivative: sp.Expr
    rewrites: list[Rewrite]
    uses: tuple[str, ...]  # activations the formula calls
    spec: Activation | None = field(default=None, repr=False)
    inference: Inference | None = field(default=None, repr=False)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(self.defaults)

    def derivative_reference(self) -> MpmathFunction:
        return MpmathFunction(sp.diff(maxmin_to_piecewise(self.expanded), x), self.param_names)


_DEFINITIONS: dict[str, Definition] = {}


def check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > 40:
        raise FormulaError(
            f"An activation name must be lower snake_case: a letter, then letters, digits or '_' (at most 40). "
            f"Got {name!r}.")
    if name in RESERVED or name in FUNCTIONS or name in CONDITIONAL or name in CONSTANTS:
        raise FormulaError(f"{name!r} cannot name an activation: it is a name of the formula language.")
    return name


def _check_collision(name: str) -> bool:
    """True if ``name`` is a user activation to replace; raise if it belongs to the catalog."""
    from actlab.registry import aliases, names, spec

    owner = name if name in names() else aliases().get(name)
    if owner is None:
        return False
    if spec(owner).source != "user" or owner != name:
        raise RegistrationError(
            f"Cannot define {name!r}: the name belongs to the catalog activation {owner!r}. Choose another name.")
    return True


def _check_params(params: dict[str, Any]) -> dict[str, float]:
    out = {}
    for key, value in params.items():
        check_param_name(key)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise FormulaError(f"The default of parameter {key!r} must be a finite number. Got {value!r}.")
        if not math.isfinite(float(value)):
            raise FormulaError(f"The default of parameter {key!r} must be a finite number. Got {value!r}.")
        out[key] = float(value)
    return out


def build(name: str, text: str, params: dict[str, float]) -> Definition:
    """Parse, check and stabilise a formula (no registration)."""
    tree = parse(text, params, expand_calls=False, exclude=(name,))
    if not tree.has(x):
        raise FormulaError(f"The formula {text!r} does not depend on x: an activation is a function of x.")
    unused = [p for p in params if not tree.has(sp.Symbol(p, real=True))]
    if unused:
        raise FormulaError(f"Parameter {unused[0]!r} is declared but the formula {text!r} does not use it.")
    expanded = expand(tree)
    stable, rewrites = stabilize(tree)
    derivative, more = stabilize(sp.diff(maxmin_to_piecewise(stable), x))
    uses = tuple(sorted({type(c).act_name for c in tree.atoms(CatalogCall)}))
    return Definition(name, text, dict(params), tree, expanded, stable, derivative,
                      rewrites + [r for r in more if r not in rewrites], uses)


def formula_string(d: Definition) -> str:
    """The expanded formula as text the catalog parser (actlab.symbolic) reads back to the same function."""
    from actlab.symbolic import parse_catalog_formula

    text = sp.sstr(d.expanded)
    back = parse_catalog_formula(text, d.param_names)
    ref_a, ref_b = MpmathFunction(d.expanded, d.param_names), MpmathFunction(back, d.param_names)
    for t in (-2.5, -0.3, 0.0, 0.7, 3.1):
        a, b = ref_a(t, **d.defaults), ref_b(t, **d.defaults)
        if not (a == b or abs(a - b) <= 1e-12 * (1 + abs(a)) or (a != a and b != b)):
            raise FormulaError(f"Internal error: the formula {d.text!r} does not survive printing as {text!r}.")
    return text


def make_spec(d: Definition) -> Activation:
    forward = NumpyFunction(d.stable, d.param_names)
    derivative = NumpyFunction(d.stable_derivative, d.param_names)
    d.inference = inference = Inference(d.expanded, forward, derivative, d.param_names)
    props_cache: dict[tuple, Any] = {}
    kinks_cache: dict[tuple, Any] = {}

    def properties(p):
        key = tuple(sorted(p.items()))
        if key not in props_cache:
            props_cache[key] = inference.properties(p)
        return props_cache[key]

    def kinks(p):
        key = tuple(sorted(p.items()))
        if key not in kinks_cache:
            kinks_cache[key] = inference.kinks(p)
        return kinks_cache[key]

    notes = "Defined from a formula (actlab define)."
    if d.rewrites:
        notes += " Stable rewrites: " + "; ".join(r.message for r in d.rewrites) + "."
    return Activation(
        name=d.name,
        summary=f"{d.name}(x) = {d.text}",
        forward=forward,
        derivative=derivative,
        formula=formula_string(d),
        params=tuple(Param(k, v, doc="user parameter") for k, v in d.defaults.items()),
        properties=properties,
        kinks=kinks,
        notes=notes,
        reference=f"user formula: {d.text}",
        source="user",
    )


def accuracy_warnings(d: Definition) -> list[str]:
    """Messages for the rewrites applied and for points where the generated code still misses mpmath."""
    messages = [r.message for r in d.rewrites]
    spec = d.spec
    kinks = spec.kinks_for(d.defaults) if spec is not None else ()
    f_ref = MpmathFunction(d.expanded, d.param_names)
    misses = accuracy.compare(spec.forward, f_ref, "f", d.defaults, kinks)
    d_misses = accuracy.compare(spec.derivative, d.derivative_reference(), "f'", d.defaults, kinks)
    for ms in (misses, d_misses):
        text = accuracy.summarize(d.name, ms)
        if text:
            messages.append(text)
    return messages


def define(name: str, formula: str, /, *, save: bool = False, check: bool = True, **params: float) -> Activation:
    """Define, register and return an activation from a formula in ``x`` and the parameters ``params``.

    ``params`` gives each parameter's default (``define("swish_b", "x*sigmoid(beta*x)", beta=1.0)``); bind other
    values with ``actlab.get(name, beta=2.0)``. ``save=True`` also writes the definition to the user registry
    (``actlab.toml``) so that other processes, the CLI and the lab see it. ``check`` runs the mpmath accuracy check
    and reports through :class:`FormulaWarning`. Redefining a user activation replaces it; catalog names are taken.

    >>> import actlab
    >>> spec = define("my_swish", "x * sigmoid(beta * x)", beta=1.0, check=False)
    >>> float(actlab.get("my_swish")(1.0))
    0.7310585786300049
    """
    from actlab.registry import register

    name = check_name(name)
    defaults = _check_params(params)
    replace = _check_collision(name)
    d = build(name, formula, defaults)
    spec = d.spec = make_spec(d)
    register(spec, replace=replace)
    _DEFINITIONS[name] = d
    if check:
        for message in accuracy_warnings(d):
            warnings.warn(message, FormulaWarning, stacklevel=2)
    if save:
        from actlab import user_registry

        user_registry.save(name, formula, defaults)
    return spec


def undefine(name: str, *, save: bool = False) -> None:
    """Remove a user activation from the registry (and from the user registry file with ``save``)."""
    from actlab.registry import names, resolve, unregister

    if resolve(name) not in names(source="user"):  # a user entry not compiled yet is one too
        raise RegistrationError(f"{name!r} is a catalog activation; only user activations can be removed.")
    unregister(name)
    _DEFINITIONS.pop(name, None)
    if save:
        from actlab import user_registry

        user_registry.remove(name)


def definition(spec_or_name) -> Definition:
    """The :class:`Definition` behind a user activation (by spec or name)."""
    from actlab.registry import spec as get_spec

    spec = get_spec(spec_or_name)
    d = _DEFINITIONS.get(spec.name)
    if d is None or (d.spec is not None and d.spec is not spec):
        if spec.source != "user":
            raise FormulaError(f"{spec.name!r} is a catalog activation, not one defined from a formula.")
        raise FormulaError(f"{spec.name!r} was not defined through actlab.define in this process.")
    return d
