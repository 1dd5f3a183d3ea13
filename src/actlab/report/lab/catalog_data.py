"""Everything the lab shows about one activation, gathered from its registry entry.

Per activation: formulas of f and f' (MathML, printed from the SymPy formula with its parameters as symbols, so the
sliders' meaning is visible), JavaScript functions for f and f' (generated from the same expressions), NumPy samples
of f and f' at the default parameters (the source of truth: plots still draw if a function cannot be exported, and
the browser test checks the JavaScript against them), slider ranges, properties, reference.

Non-elementwise kinds (softmax, GLU, CReLU, Maxout) have no f(x) of one variable; the lab plots a one-dimensional
slice through them, named on the card.
"""

from __future__ import annotations

import math
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

import actlab
from actlab import mathml
from actlab.report.lab import jsexport
from actlab.spec import ELEMENTWISE, Activation, BoundActivation, Param

X_RANGE = (-6.0, 6.0)
N_SAMPLES = 241  # a step of 0.05 on [-6, 6]: kinks at 0 and at integers fall on the grid


@dataclass
class Slider:
    name: str
    default: float
    low: float
    high: float
    step: float
    integer: bool
    learnable: bool
    doc: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "default": self.default, "low": self.low, "high": self.high, "step": self.step,
                "integer": self.integer, "learnable": self.learnable, "doc": self.doc}


@dataclass
class Entry:
    name: str
    kind: str
    summary: str
    notes: str
    reference: str
    aliases: tuple[str, ...]
    frameworks: dict[str, str]
    source: str
    properties: dict[str, Any]
    sliders: list[Slider]
    formula_mathml: str
    derivative_mathml: str  # "" when f has no elementwise derivative
    formula_text: str
    derivative_text: str
    js_f: str | None
    js_df: str | None
    js_error: str  # why the JavaScript could not be generated ("" when it was)
    slice_label: str  # what the plotted curve is, for non-elementwise kinds ("" for elementwise)
    xs: list[float]
    f: list[float | None]
    df: list[float | None]
    kinks: tuple[float, ...]
    problems: list[str] = field(default_factory=list)  # parts that could not be produced, shown on the card

    @property
    def has_plot(self) -> bool:
        return any(v is not None for v in self.f)

    @property
    def flags(self) -> dict[str, bool]:
        """The yes/no properties the catalog filters and sorts by."""
        p = self.properties
        return {
            "bounded": bool(p.get("bounded")),
            "monotonic": bool(p.get("monotonic")),
            "smooth": _smooth_class(p.get("smooth")) >= 1,
            "zero_centered": bool(p.get("zero_centered")),
            "saturating": p.get("saturates", "none") != "none",
            "sparse": bool(p.get("sparse")),
            "learnable": bool(p.get("learnable")),
        }


FLAG_LABELS = {
    "bounded": "bounded",
    "monotonic": "monotonic",
    "smooth": "smooth",
    "zero_centered": "zero-centred",
    "saturating": "saturating",
    "sparse": "sparse",
    "learnable": "learnable",
}


def _smooth_class(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return -1.0


def smooth_label(value: Any) -> str:
    s = _smooth_class(value)
    if s == math.inf:
        return "C\u221e"
    if s < 0:
        return "discontinuous"
    if s == 0:
        return "C0 (kinks)"
    return f"C{int(s)}"


def _round(v: float) -> float | None:
    """10 significant digits (plenty for a plot and for checking the JavaScript), None for NaN and inf."""
    v = float(v)
    return float(f"{v:.10g}") if math.isfinite(v) else None


def slider_for(param: Param) -> Slider:
    span = max(3.0, 2.0 * abs(param.default))
    low = param.low if math.isfinite(param.low) else param.default - span
    high = param.high if math.isfinite(param.high) else param.default + span
    if param.integer:
        step = 1.0
    else:
        step = float(f"{(high - low) / 200:.1g}")
    if param.low_open:
        low += step
    if param.high_open:
        high -= step
    low, high = _round(low), _round(high)
    return Slider(param.name, param.default, low, high, step, param.integer, param.learnable, param.doc)


def _elementwise_samples(a: BoundActivation, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    return np.asarray(a(xs), dtype=np.float64), np.asarray(a.derivative(xs), dtype=np.float64), ""


def _slice_samples(a: BoundActivation, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """A 1-D slice through a vector-valued activation: first output as a function of x, and its derivative."""
    n = xs.size
    if a.kind == "gated":
        attempts: list[tuple[np.ndarray, str, bool]] = [
            (np.stack([xs, xs], axis=-1), "slice f([x, x]) (both halves equal to x)", True)]
    elif a.kind == "expanding":
        attempts = [(xs[:, None], "first output of f([x])", False)]
    else:
        attempts = [(np.concatenate([xs[:, None], np.zeros((n, w - 1))], axis=-1),
                     f"first output of f([x{', 0' * (w - 1)}])", False) for w in (2, 3, 4, 6, 8)]
    last: Exception | None = None
    for X, label, total in attempts:
        try:
            Y = np.asarray(a(X), dtype=np.float64)
            G = np.zeros_like(Y)
            G[..., 0] = 1.0
            J = np.asarray(a.vjp(X, G), dtype=np.float64)
            dy = J.sum(axis=-1) if total else J[..., 0]
            return Y[..., 0], dy, label + "; the derivative is d/dx of that output"
        except Exception as err:  # this input shape does not suit the activation: try the next
            last = err
    raise ValueError(f"no 1-D slice of {a.name} could be evaluated: {last}")


def _formulas(spec: Activation) -> tuple[Any, Any | None]:
    from actlab.symbolic import derivative_expr, parse_catalog_formula

    names = tuple(p.name for p in spec.params)
    expr = parse_catalog_formula(spec.formula, names)
    if spec.kind != ELEMENTWISE:
        return expr, None
    if spec.source == "user":  # a user's formula: SymPy's simplify has no bound, so it runs under the formula budget
        from actlab.formula.define import bounded_derivative

        return expr, bounded_derivative(expr)[0]
    return expr, derivative_expr(expr)


def entry(name: str) -> Entry:
    """Gather everything the lab shows about the activation ``name`` (a problem in one part never hides the rest).

    Cached per spec object (SymPy's simplification is most of a build's time); a re-registered name is a new spec.
    """
    spec = actlab.spec(name)
    return _entry(spec.name, id(spec))


def clear_cache() -> None:
    _entry.cache_clear()


@lru_cache(maxsize=None)
def _entry(name: str, spec_id: int) -> Entry:
    a = actlab.get(name)
    spec = a.spec
    xs = np.linspace(*X_RANGE, N_SAMPLES)
    problems: list[str] = []
    names = tuple(p.name for p in spec.params)

    expr = deriv = None
    f_ml = df_ml = ""
    try:
        expr, deriv = _formulas(spec)
        f_ml = mathml.to_mathml(expr)
        df_ml = mathml.to_mathml(deriv) if deriv is not None else ""
    except Exception as err:  # a formula SymPy cannot parse: say so on the card
        problems.append(f"formula not rendered: {err}")

    js_f = js_df = None
    js_error = ""
    if spec.kind == ELEMENTWISE and expr is not None:
        try:
            js_f = jsexport.function_source(expr, names)
            js_df = jsexport.function_source(deriv, names)
        except jsexport.JSExportError as err:
            js_f = js_df = None
            js_error = str(err)
    elif spec.kind != ELEMENTWISE:
        js_error = f"{spec.kind} activation: the plot is a slice computed in NumPy"

    sampler: Callable = _elementwise_samples if spec.kind == ELEMENTWISE else _slice_samples
    try:
        with np.errstate(all="ignore"):  # overflow at the ends of the grid is drawn as a gap, not an error
            y, dy, slice_label = sampler(a, xs)
        f = [_round(v) for v in y]
        df = [_round(v) for v in dy]
    except Exception as err:
        f, df, slice_label = [None] * xs.size, [None] * xs.size, ""
        problems.append(f"no samples: {err}")

    return Entry(
        name=spec.name,
        kind=spec.kind,
        summary=spec.summary,
        notes=spec.notes,
        reference=spec.reference,
        aliases=tuple(spec.aliases),
        frameworks=dict(spec.frameworks),
        source=spec.source,
        properties=a.properties,
        sliders=[slider_for(p) for p in spec.params],
        formula_mathml=f_ml,
        derivative_mathml=df_ml,
        formula_text=str(expr) if expr is not None else spec.formula,
        derivative_text=str(deriv) if deriv is not None else "",
        js_f=js_f,
        js_df=js_df,
        js_error=js_error,
        slice_label=slice_label,
        xs=[_round(v) for v in xs],
        f=f,
        df=df,
        kinks=tuple(float(k) for k in a.kinks),
        problems=problems,
    )


def entries(progress: Callable[[str], None] | None = None) -> list[Entry]:
    out = []
    for name in actlab.names():
        out.append(entry(name))
        if progress:
            progress(name)
    return out


def js_payload(items: list[Entry]) -> dict[str, Any]:
    """The JSON-able part of the catalog for ``data/catalog.js`` (functions are emitted separately)."""
    acts = []
    for e in items:
        acts.append({
            "name": e.name,
            "kind": e.kind,
            "params": [s.as_dict() for s in e.sliders],
            "f": e.f,
            "df": e.df,
            "kinks": list(e.kinks),
            "slice": e.slice_label,
            "js": e.js_f is not None,
            "flags": e.flags,
        })
    return {"x": items[0].xs if items else [], "activations": acts}
