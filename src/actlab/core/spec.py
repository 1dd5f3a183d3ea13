"""The definition of an activation: forward, derivative, formula, parameters and properties, in one frozen spec.

An :class:`Activation` is the *spec* (what the function is, with free parameters); ``actlab.get(name, **params)``
binds parameter values and returns a :class:`BoundActivation`, the callable users work with.

Conventions every spec follows (the tests check them for every registered entry):

* ``forward(x, **params)`` and ``derivative(x, **params)`` receive a float64 NumPy array (the bound wrapper upcasts
  float16/float32 and integer input, and rounds the result back once, so float32 results are correctly rounded
  whenever the float64 algorithm is accurate to a few float64 ULP) and must not emit RuntimeWarnings;
* the derivative takes ``x``, not the output (SiLU, GELU and Mish need x); ``derivative_from_output`` is optional;
* at a kink the derivative takes the documented one-sided value (``relu'(0) = 0``, as JAX and PyTorch do);
* ``formula`` is a SymPy-parseable string in ``x`` and the parameter names; it is parsed once, lazily.

Optional float32 fast paths: ``forward32(x, **params)`` and ``derivative32(x, **params)`` take a float32 array and
return the float32 result, or None when these parameter values need the float64 path. They exist because the float64
path, however well blocked, costs several times the textbook float32 formula for cheap functions. A kernel either
computes in float32 with operations whose float32 result is the correctly rounded one (max, clip, a comparison, one product of
float32 operands), or in float64 on float32 inputs (see ``actlab.core.numerics.float32_kernel``: |x| <= 3.4e38, x*x
exact, results below 1e-46 round to 0, so the overflow guards and subnormal tails of the float64 kernels go away).
Either way the result is the float64 path's rounded once, except where that lies within 2^-42 (relative) of a float32
rounding boundary (tests/test_catalog_float32.py compares both on a dense grid, special values included).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Mapping

import numpy as np

from actlab.core.errors import ParameterError

# Kinds of activation. Elementwise ones have an elementwise derivative; the others expose a vector-Jacobian
# product (``vjp``) because their Jacobian is not diagonal or their output has a different shape.
ELEMENTWISE = "elementwise"
VECTOR = "vector"  # softmax-like: R^n -> R^n along an axis
GATED = "gated"  # GLU-like: splits its input in two halves along an axis, output is half as wide
EXPANDING = "expanding"  # CReLU: output twice as wide along an axis
POOLING = "pooling"  # Maxout: max over groups of k along an axis
KINDS = (ELEMENTWISE, VECTOR, GATED, EXPANDING, POOLING)

SATURATION = ("none", "left", "right", "both")


@dataclass(frozen=True)
class Param:
    """A scalar hyper-parameter of an activation, with its default and its allowed interval."""

    name: str
    default: float
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False  # True: the interval excludes ``low``
    high_open: bool = False
    integer: bool = False
    learnable: bool = False  # a trainable weight in the network / torch module (PReLU's alpha, Swish's beta)
    doc: str = ""

    def describe_range(self) -> str:
        kind = "an integer" if self.integer else "a finite float"
        lo, hi = self.low, self.high
        if lo == -math.inf and hi == math.inf:
            return kind
        if hi == math.inf:
            return f"{kind} {'>' if self.low_open else '>='} {lo:g}"
        if lo == -math.inf:
            return f"{kind} {'<' if self.high_open else '<='} {hi:g}"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{kind} in {left}{lo:g}, {hi:g}{right}"

    def validate(self, value: Any, owner: str) -> float | int:
        """Return ``value`` as a Python number, or raise a ParameterError saying what was expected."""
        what = f"The {self.name!r} parameter of {owner} must be {self.describe_range()}."
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ParameterError(f"{what} Got {value!r} of type {type(value).__name__}.")
        if self.integer:
            if not math.isfinite(float(value)) or float(value) != int(value):
                raise ParameterError(f"{what} Got {value!r}.")
            number: float | int = int(value)
        else:
            number = float(value)
            if not math.isfinite(number):
                raise ParameterError(f"{what} Got {value!r}.")
        too_low = number < self.low or (self.low_open and number == self.low)
        too_high = number > self.high or (self.high_open and number == self.high)
        if too_low or too_high:
            raise ParameterError(f"{what} Got {value!r}.")
        return number


@dataclass(frozen=True)
class Properties:
    """What an activation is like, as declared by its spec and verified numerically by the tests.

    ``smooth`` is the continuity class of f: -1 discontinuous, 0 continuous with kinks (C0), k for C^k, and
    ``math.inf`` for C-infinity. ``saturates`` names the sides where f' tends to 0. ``sparse`` means f returns exact
    zeros on a set of positive measure (ReLU), which is what makes activations sparse.
    """

    range: tuple[float, float]
    monotonic: bool
    zero_centered: bool
    smooth: float
    saturates: str
    sparse: bool
    self_normalizing: bool = False

    def __post_init__(self) -> None:
        if self.saturates not in SATURATION:
            raise ValueError(f"saturates must be one of {SATURATION}, got {self.saturates!r}")

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.range[0]) and math.isfinite(self.range[1])


@dataclass(frozen=True)
class Activation:
    """One activation function, everything about it in one place."""

    name: str
    formula: str  # the single source of truth: a SymPy string in x and the parameter names
    properties: Properties | Callable[[Mapping[str, float]], Properties]
    reference: str
    # The float64 kernels. A catalog declaration leaves them out: the registry's binder attaches the hand-written
    # kernels registered for the name in actlab.kernels, or kernels generated from the formula.
    forward: Callable[..., np.ndarray] | None = None
    derivative: Callable[..., np.ndarray] | None = None
    summary: str = ""
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    kind: str = ELEMENTWISE
    derivative_from_output: Callable[..., np.ndarray] | None = None
    # For non-elementwise kinds: vjp(x, g, **params, axis=...) -> gradient with respect to x.
    vjp: Callable[..., np.ndarray] | None = None
    kinks: Callable[[Mapping[str, float]], tuple[float, ...]] | tuple[float, ...] = ()
    # Free text shown by `actlab show` and the lab: the convention at kinks, variants, pitfalls.
    notes: str = ""
    # Where the function comes from in the frameworks (e.g. {"torch": "F.silu", "keras": "silu", "jax": "nn.silu"}).
    frameworks: Mapping[str, str] = field(default_factory=dict)
    source: str = "catalog"  # "catalog", or "user" for activations defined from a formula
    random: bool = False  # RReLU: random slope in training mode
    # Optional float32 fast paths (see the module docstring): float32 array in, float32 array (or None) out.
    forward32: Callable[..., np.ndarray | None] | None = None
    derivative32: Callable[..., np.ndarray | None] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind of {self.name} must be one of {KINDS}, got {self.kind!r}")
        if self.forward is not None and self.kind == ELEMENTWISE and self.derivative is None:
            raise ValueError(f"elementwise activation {self.name} has a forward kernel but no derivative")

    @property
    def has_kernels(self) -> bool:
        """True once forward (and the derivative, or the vjp of other kinds) are attached."""
        return self.forward is not None and (self.derivative is not None or self.vjp is not None)

    @cached_property
    def default(self) -> "BoundActivation":
        """Bound to the default parameter values: one object per spec, what ``actlab.get(name)`` returns."""
        return self.bind()

    @property
    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}

    def bind(self, **params: Any) -> "BoundActivation":
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            allowed = ", ".join(known) if known else "none"
            raise ParameterError(
                f"{self.name} has no parameter {unknown[0]!r}. Its parameters: {allowed}. Got {params!r}."
            )
        values = {p.name: p.validate(params.get(p.name, p.default), self.name) for p in self.params}
        return BoundActivation(self, values)

    def properties_for(self, params: Mapping[str, float]) -> Properties:
        props = self.properties
        return props(params) if callable(props) else props

    def kinks_for(self, params: Mapping[str, float]) -> tuple[float, ...]:
        kinks = self.kinks
        return tuple(kinks(params)) if callable(kinks) else tuple(kinks)


def as_float_array(x: Any) -> tuple[np.ndarray, np.dtype, bool]:
    """Return (float64 array, dtype to return, whether x was a scalar).

    Floating dtypes are preserved (float16 and float32 are computed in float64 and rounded once); integers, bools and
    Python scalars are computed and returned in float64.
    """
    scalar = np.ndim(x) == 0 and not isinstance(x, np.ndarray)
    arr = np.asarray(x)
    if arr.dtype.kind == "f" and arr.dtype.itemsize in (2, 4, 8):
        out_dtype = arr.dtype
    elif arr.dtype.kind in "biuf":
        out_dtype = np.dtype(np.float64)
    else:
        raise TypeError(f"activations take real numbers; got an array of dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False), out_dtype, scalar


_BLOCK = 1 << 14  # elements per block: the float64 copy of a block stays in cache


def _lower_precision(kernel32: Callable[..., Any] | None, fn: Callable[..., np.ndarray], x: Any,
                     params: dict) -> np.ndarray | None:
    """fn over a float16/float32 array without a float64 copy of the whole array (None if not applicable).

    float32 arrays of any size go to the spec's float32 kernel when it has one for these parameters. Otherwise large
    arrays are upcast and rounded back block by block: converting the whole array to float64 and back costs more than
    the cheap functions themselves; per block, the float64 intermediate stays in cache and the result is identical
    (fn is elementwise).
    """
    if not isinstance(x, np.ndarray) or x.dtype not in (np.float32, np.float16):
        return None
    if kernel32 is not None and x.dtype == np.float32:
        out = kernel32(x.reshape(-1) if x.ndim == 0 else x, **params)  # kernels may use out= (not on NumPy scalars)
        if out is not None:
            return out.reshape(x.shape)
    if x.size < 4 * _BLOCK:
        return None
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty(flat.shape, x.dtype)
    with np.errstate(over="ignore"):  # rounding a huge float64 result to float32 is meant to give inf
        for i in range(0, flat.size, _BLOCK):
            out[i:i + _BLOCK] = fn(flat[i:i + _BLOCK].astype(np.float64), **params)
    return out.reshape(x.shape)


def _finish(y: np.ndarray, dtype: np.dtype, scalar: bool) -> Any:
    y = np.asarray(y)
    if y.dtype != dtype:
        with np.errstate(over="ignore"):  # rounding a huge float64 result to float32 is meant to give inf
            y = y.astype(dtype)
    return y[()] if scalar and y.ndim == 0 else y


class BoundActivation:
    """An activation with its parameter values bound: ``a(x)``, ``a.derivative(x)`` and everything to show it."""

    def __init__(self, spec: Activation, params: dict[str, float]):
        self.spec = spec
        self.params = dict(params)

    # --- identity -----------------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def reference(self) -> str:
        return self.spec.reference

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BoundActivation) and self.spec is other.spec and self.params == other.params

    def __hash__(self) -> int:
        return hash((self.spec.name, tuple(sorted(self.params.items()))))

    # --- numerics -----------------------------------------------------------------------------------------------
    def __call__(self, x: Any, **kwargs: Any) -> Any:
        if self.spec.kind == ELEMENTWISE and not kwargs:
            out = _lower_precision(self.spec.forward32, self.spec.forward, x, self.params)
            if out is not None:
                return out
        arr, dtype, scalar = as_float_array(x)
        return _finish(self.spec.forward(arr, **self.params, **kwargs), dtype, scalar)

    def derivative(self, x: Any, **kwargs: Any) -> Any:
        """f'(x), elementwise. Non-elementwise activations (softmax, GLU, ...) expose :meth:`vjp` instead."""
        if self.spec.derivative is None:
            raise TypeError(
                f"{self.name} is a {self.kind} activation: its Jacobian is not diagonal, so it has no elementwise "
                f"derivative. Use .vjp(x, grad_output) for the vector-Jacobian product."
            )
        if not kwargs:
            out = _lower_precision(self.spec.derivative32, self.spec.derivative, x, self.params)
            if out is not None:
                return out
        arr, dtype, scalar = as_float_array(x)
        return _finish(self.spec.derivative(arr, **self.params, **kwargs), dtype, scalar)

    def derivative_from_output(self, y: Any) -> Any:
        """f'(x) computed from y = f(x), for the activations that allow it (sigmoid, tanh, ...)."""
        if self.spec.derivative_from_output is None:
            raise TypeError(f"{self.name} has no derivative expressed through its output; use .derivative(x)")
        arr, dtype, scalar = as_float_array(y)
        return _finish(self.spec.derivative_from_output(arr, **self.params), dtype, scalar)

    def vjp(self, x: Any, grad_output: Any, **kwargs: Any) -> Any:
        """The gradient with respect to x of sum(grad_output * f(x)): the backward pass of any kind."""
        arr, dtype, scalar = as_float_array(x)
        g = np.asarray(grad_output, dtype=np.float64)
        if self.spec.vjp is not None:
            out = self.spec.vjp(arr, g, **self.params, **kwargs)
        else:
            out = g * self.spec.derivative(arr, **self.params, **kwargs)
        return _finish(out, dtype, scalar)

    # --- description --------------------------------------------------------------------------------------------
    @property
    def properties(self) -> dict[str, Any]:
        p = self.spec.properties_for(self.params)
        return {
            "range": p.range,
            "bounded": p.bounded,
            "monotonic": p.monotonic,
            "zero_centered": p.zero_centered,
            "smooth": p.smooth,
            "saturates": p.saturates,
            "sparse": p.sparse,
            "self_normalizing": p.self_normalizing,
            "learnable": tuple(q.name for q in self.spec.params if q.learnable),
        }

    @property
    def kinks(self) -> tuple[float, ...]:
        return self.spec.kinks_for(self.params)

    @cached_property
    def formula(self):
        """The formula as a SymPy expression in the symbol ``x``, with the bound parameter values substituted."""
        from actlab.core.symbolic import bound_formula

        return bound_formula(self.spec, self.params)

    @cached_property
    def symbolic_derivative(self):
        from actlab.core.symbolic import derivative_expr

        return derivative_expr(self.formula)

    @property
    def latex(self) -> str:
        from actlab.core.symbolic import to_latex

        return to_latex(self.formula)

    @property
    def derivative_latex(self) -> str:
        from actlab.core.symbolic import to_latex

        return to_latex(self.symbolic_derivative)
