"""``actlab.define(name, formula, **params)``: an activation from a formula, registered like a catalog entry.

What a definition gets, from the one formula string:

* the SymPy formula (the spec's ``formula``, so LaTeX, MathML and the simplified derivative come from
  ``actlab.symbolic`` exactly as for the catalog);
* NumPy forward and derivative generated from the stabilised tree (see :mod:`actlab.formula.rewrite`), catalog
  activations inside the formula running the catalog's own code;
* properties and kinks inferred numerically (:mod:`actlab.formula.properties`), lazily, per parameter values;
* an accuracy check of the generated code against mpmath, and an overflow check on ordinary inputs (|x| <= 10); the
  rewrites applied and anything still inaccurate are reported with :class:`FormulaWarning`.

All symbolic work (expansion, stable rewrites, derivatives, the mpmath checks) runs under a budget of CPU time, wall
time, memory and tree size (:mod:`actlab.formula.budget`): a formula that exceeds it is refused with a FormulaError
saying which limit and which step, instead of hanging the process or exhausting its memory.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from actlab.errors import ActlabError, FormulaError, RegistrationError
from actlab.formula import accuracy, budget as budgets
from actlab.kernels.codegen import MpmathFunction, NumpyFunction
from actlab.formula.parser import CONDITIONAL, CONSTANTS, FUNCTIONS, RESERVED, check_param_name, parse
from actlab.formula.primitives import CatalogCall, expand, x
from actlab.formula.properties import Inference, higher_derivative_exprs
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


class _NoSteps:
    current = "start"

    def __call__(self, name: str) -> None:
        self.current = name


_no_steps = _NoSteps()


def build(name: str, text: str, params: dict[str, float], steps=_no_steps,
          budget: budgets.Limits | None = None) -> Definition:
    """Parse, check and stabilise a formula (no registration); every tree is size-checked before SymPy works on it.

    ``steps(label)`` is told which step runs (the budget's child process reports it when a limit is hit).
    """
    steps("parsing")
    tree = parse(text, params, expand_calls=False, exclude=(name,))
    if not tree.has(x):
        raise FormulaError(f"The formula {text!r} does not depend on x: an activation is a function of x.")
    unused = [p for p in params if not tree.has(sp.Symbol(p, real=True))]
    if unused:
        raise FormulaError(f"Parameter {unused[0]!r} is declared but the formula {text!r} does not use it.")
    budgets.check_size([("formula", tree)], text, budget)
    steps("expanding the activations it calls")
    expanded = expand(tree)
    steps("stable rewrites")
    stable, rewrites = stabilize(tree)
    budgets.check_size([("expanded form", expanded), ("stable form", stable)], text, budget)
    steps("derivative")
    derivative = sp.diff(maxmin_to_piecewise(stable), x)
    budgets.check_size([("derivative", derivative)], text, budget)
    steps("stable rewrites of the derivative")
    derivative, more = stabilize(derivative)
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


def make_spec(d: Definition, formula: str | None = None, higher: list[sp.Expr] | None = None) -> Activation:
    """The registry entry for ``d``; ``formula`` (the printed formula) and ``higher`` (f and its first three derivatives, for the
    smoothness test) are computed here unless given (the budgeted child process computes them once)."""
    forward = NumpyFunction(d.stable, d.param_names)
    derivative = NumpyFunction(d.stable_derivative, d.param_names)
    d.inference = inference = Inference(d.expanded, forward, derivative, d.param_names, higher)
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
        formula=formula if formula is not None else formula_string(d),
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


# Ordinary inputs: a formula whose float64 value runs out of range here is almost certainly a mistake.
ORDINARY = np.linspace(-10.0, 10.0, 2001)
_FLOAT64_MAX = mpmath.mpf(np.finfo(np.float64).max)


def overflow_warning(d: Definition) -> str:
    """A message when f overflows float64 for some |x| <= 10 where its exact value is finite ('' when it does not).

    The exact value is taken with mpmath where the generated code stops being finite. A lone non-finite grid point
    is a singularity (log(abs(x)) at 0, 1/x), not overflow; nor is NaN (log(-1): outside the domain).
    """
    f = d.spec.forward(ORDINARY, **d.defaults)
    bad = np.isinf(f)  # NaN is a value outside the domain (log(-1)), not overflow
    if not bad.any():
        return ""
    ok = np.isfinite(f)
    next_to_ok = np.r_[False, ok[:-1]] | np.r_[ok[1:], False]
    next_to_bad = np.r_[False, bad[:-1]] | np.r_[bad[1:], False]
    runs = bad & next_to_bad  # inside a stretch of non-finite values, not a lone pole
    candidates = np.concatenate([ORDINARY[runs & next_to_ok], ORDINARY[runs][:1]])[:6]
    reference = MpmathFunction(d.expanded, d.param_names, dps=20)
    for xv in candidates:
        exact = reference(float(xv), **d.defaults)
        if mpmath.isnan(exact) or abs(exact) <= _FLOAT64_MAX:
            continue
        shown = f"= {mpmath.nstr(exact, 3)}" if mpmath.isfinite(exact) else "> e**1e7"
        where = ORDINARY[bad]
        return (f"{d.name}: f overflows float64 on ordinary inputs: f({xv:g}) {shown}, beyond the largest "
                f"float64 (1.8e308), so the code returns {f[ORDINARY == xv][0]:g} there and on {bad.sum()} of "
                f"{len(ORDINARY)} points of [{where.min():g}, {where.max():g}].")
    return ""


_WARM_UP = "x * sigmoid(x) + softplus(x) + where(x > 0, x, -x) + tanh(x) + log1p(x**2)"
_warmed = False


def _warm_up() -> None:
    """Run the pipeline once in this process on a fixed formula: SymPy's caches and lazy imports then live here,
    and every budgeted child inherits them instead of rebuilding them for each formula."""
    global _warmed
    if not _warmed:
        _warmed = True
        _derive("warm_up", _WARM_UP, {}, True, None, steps=_no_steps)


@dataclass
class _Derived:
    """What the budgeted child process sends back: the definition and the results of its symbolic work."""

    definition: Definition
    formula: str
    higher: list
    messages: list[str]


def _derive(name: str, text: str, defaults: dict[str, float], check: bool, budget, *, steps) -> _Derived:
    try:
        return _derive_steps(name, text, defaults, check, budget, steps)
    except (ActlabError, MemoryError):
        raise
    except Exception as err:  # SymPy or mpmath giving up on an extreme formula: one clear error, not a traceback
        raise FormulaError(f"The formula {text!r} cannot be worked with (during: {steps.current}): "
                           f"{type(err).__name__}: {err}.") from None


def _derive_steps(name, text, defaults, check, budget, steps) -> _Derived:
    d = build(name, text, defaults, steps, budget)
    steps("printing the formula")
    formula = formula_string(d)
    steps("higher derivatives (smoothness test)")
    higher = higher_derivative_exprs(d.expanded, d.param_names)
    spec = d.spec = make_spec(d, formula, higher)
    messages = []
    if check:
        steps("accuracy check against mpmath")
        messages = accuracy_warnings(d)
        steps("overflow check on |x| <= 10")
        message = overflow_warning(d)
        if message:
            messages.append(message)
    d.spec = d.inference = None  # rebuilt by the caller: generated code does not cross processes
    del spec
    return _Derived(d, formula, higher, messages)


def define(name: str, formula: str, /, *, save: bool = False, check: bool = True,
           budget: budgets.Limits | None = None, **params: float) -> Activation:
    """Define, register and return an activation from a formula in ``x`` and the parameters ``params``.

    ``params`` gives each parameter's default (``define("swish_b", "x*sigmoid(beta*x)", beta=1.0)``); bind other
    values with ``actlab.get(name, beta=2.0)``. ``save=True`` also writes the definition to the user registry
    (``actlab.toml``) so that other processes, the CLI and the lab see it. ``check`` runs the mpmath accuracy check
    and the overflow check on |x| <= 10, and reports through :class:`FormulaWarning`. Redefining a user activation
    replaces it; catalog names are taken. The symbolic work is bounded by ``budget`` (default
    :data:`actlab.formula.budget.LIMITS`: 2 s of CPU time, 300 MB, 10,000 nodes per tree); beyond it the formula is
    refused with a FormulaError.

    >>> import actlab
    >>> spec = define("my_swish", "x * sigmoid(beta * x)", beta=1.0, check=False)
    >>> float(actlab.get("my_swish")(1.0))
    0.7310585786300049
    """
    from actlab.registry import register

    name = check_name(name)
    defaults = _check_params(params)
    replace = _check_collision(name)
    parse(formula, defaults, expand_calls=False, exclude=(name,))  # refuse bad text at once, before any fork
    _warm_up()
    derived = budgets.run(_derive, name, formula, defaults, check, budget, text=formula, budget=budget)
    d = derived.definition
    spec = d.spec = make_spec(d, derived.formula, derived.higher)
    register(spec, replace=replace)
    _DEFINITIONS[name] = d
    for message in derived.messages:
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


def _simplified_derivative(expr: sp.Expr, *, steps) -> sp.Expr:
    from actlab.symbolic import derivative_expr

    steps("simplifying the derivative")
    return derivative_expr(expr)


def bounded_derivative(expr: sp.Expr, budget: budgets.Limits | None = None) -> tuple[sp.Expr, bool]:
    """(simplified derivative, True) of a user formula, or (the plain derivative, False) when simplifying it
    exceeds the budget: SymPy's simplify has no bound of its own, and a display must not hang on it."""
    try:
        return budgets.run(_simplified_derivative, expr, text=sp.sstr(expr), budget=budget), True
    except FormulaError:
        return sp.diff(expr, x), False
