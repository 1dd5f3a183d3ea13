"""``actlab show NAME``: everything about one activation — f and f', parameters, properties, values, reference."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any, Iterable

import numpy as np

HELP = "one activation: formulas of f and f', parameters, properties, values, reference"

DESCRIPTION = ("Show one activation of the catalog: its formula and derivative, parameters, declared properties "
               "(checked by the test-suite), the convention at its kinks, values at a few points and where it comes "
               "from.")

EXAMPLES = """examples:
  actlab show gelu
  actlab show leaky-relu --param alpha=0.2
  actlab show softplus --param beta=2 --json
"""

POINTS = (-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0)
VECTOR_INPUT = (-2.0, -0.5, 0.0, 1.0, 3.0, 0.25)  # width 6: splits in halves (GLU) and in groups of 2, 3 (Maxout)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="a catalog name or alias (case-insensitive, '-' and '_' alike)")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                   help="bind a parameter (repeatable), e.g. --param alpha=0.2")
    p.add_argument("--json", action="store_true", help="print JSON (non-finite numbers as \"inf\", \"-inf\", \"nan\")")


def parse_params(items: Iterable[str]) -> dict[str, Any]:
    """``["alpha=0.2", "k=3"]`` -> ``{"alpha": 0.2, "k": 3.0}``; a value that is not a number is passed on as text
    so that the activation's own validation names the parameter, its range and the value."""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--param expects NAME=VALUE, e.g. --param alpha=0.2; got {item!r}")
        text = text.strip()
        try:
            params[key] = float(text)
        except ValueError:
            params[key] = text
    return params


def jsonable(value: Any) -> Any:
    """JSON-safe copy: inf/nan as strings, tuples as lists, NumPy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def smooth_label(s: float) -> str:
    if s == -1:
        return "discontinuous"
    if s == math.inf:
        return "C-inf"
    return f"C{int(s)}"


def range_label(r: tuple[float, float]) -> str:
    def end(v: float) -> str:
        return "inf" if v == math.inf else ("-inf" if v == -math.inf else f"{v:.6g}")

    return f"[{end(r[0])}, {end(r[1])}]"


def _num(v: Any) -> float:
    return float(np.asarray(v, dtype=np.float64))


def values(a) -> dict[str, Any]:
    """Values at a few points: f and f' (elementwise), or f(x) and the vjp with ones for a vector input."""
    if a.kind == "elementwise":
        xs = sorted({*POINTS, *(k for k in a.kinks if math.isfinite(k) and abs(k) <= 10)})
        arr = np.array(xs)
        return {"x": xs, "f": [_num(v) for v in a(arr)], "derivative": [_num(v) for v in a.derivative(arr)]}
    last: Exception | None = None
    for width in (6, 4, 8, 2, 3, 5):
        x = np.array(VECTOR_INPUT * 2)[:width] if width > 6 else np.array(VECTOR_INPUT[:width])
        try:
            y = np.asarray(a(x), dtype=np.float64)
            g = np.asarray(a.vjp(x, np.ones_like(y)), dtype=np.float64)
        except (ValueError, TypeError) as err:
            last = err
            continue
        return {"x": x.tolist(), "f": y.tolist(), "vjp_ones": g.tolist()}
    raise ValueError(f"{a.name}: no example input of width 2..8 suits it ({last})")


def _user_derivative(a):
    """A user formula's derivative, simplified within the budget of symbolic work (plain beyond it)."""
    from actlab.formula.define import bounded_derivative

    return bounded_derivative(a.formula)[0]


def describe(a) -> dict[str, Any]:
    """Everything `actlab show` prints, as a dict (the JSON output)."""
    import actlab
    from actlab.symbolic import to_latex

    spec = a.spec
    out: dict[str, Any] = {
        "name": a.name,
        "kind": a.kind,
        "aliases": sorted(al for al, c in actlab.aliases().items() if c == a.name),
        "summary": spec.summary,
        "formula": str(a.formula),
        "formula_latex": a.latex,
    }
    if a.kind == "elementwise":
        derivative = _user_derivative(a) if spec.source == "user" else a.symbolic_derivative
        out["derivative"] = str(derivative)
        out["derivative_latex"] = to_latex(derivative)
        kinks = [k for k in a.kinks if math.isfinite(k)]
        out["kinks"] = kinks
        out["derivative_at_kinks"] = {repr(k): _num(a.derivative(k)) for k in kinks}
    out["parameters"] = {
        p.name: {"value": a.params[p.name], "default": p.default, "allowed": p.describe_range(),
                 "learnable": p.learnable, "doc": p.doc}
        for p in spec.params
    }
    props = dict(a.properties)
    props["smooth_class"] = smooth_label(props["smooth"])
    out["properties"] = props
    out["notes"] = spec.notes
    out["frameworks"] = dict(spec.frameworks)
    out["reference"] = a.reference
    out["values"] = values(a)
    return out


def _yes(v: bool) -> str:
    return "yes" if v else "no"


def render(d: dict[str, Any]) -> str:
    props = d["properties"]
    lines = [f"{d['name']} ({d['kind']})" + (f" — {d['summary']}" if d["summary"] else "")]
    if d["aliases"]:
        lines.append(f"  aliases      {', '.join(d['aliases'])}")
    lines.append(f"  f(x)         {d['formula']}")
    if "derivative" in d:
        lines.append(f"  f'(x)        {d['derivative']}")
        if d["kinks"]:
            conv = ", ".join(f"f'({float(k):g}) = {v:g}" for k, v in d["derivative_at_kinks"].items())
            lines.append(f"  at kinks     {conv}")
    for name, p in d["parameters"].items():
        extra = " (learnable)" if p["learnable"] else ""
        doc = f"; {p['doc']}" if p["doc"] else ""
        lines.append(f"  param        {name} = {p['value']:g}{extra}   default {p['default']:g}, {p['allowed']}{doc}")
    lines.append(
        f"  properties   range {range_label(props['range'])}, bounded {_yes(props['bounded'])}, "
        f"monotonic {_yes(props['monotonic'])}, zero-centred {_yes(props['zero_centered'])}, "
        f"{props['smooth_class']}, saturates {props['saturates']}, sparse {_yes(props['sparse'])}"
        + (", self-normalizing" if props["self_normalizing"] else "")
    )
    if d["notes"]:
        lines.append(f"  notes        {d['notes']}")
    if d["frameworks"]:
        lines.append("  frameworks   " + ", ".join(f"{k}: {v}" for k, v in d["frameworks"].items()))
    lines.append(f"  reference    {d['reference']}")
    v = d["values"]
    if "derivative" in v:
        lines.append(f"  {'x':>8}  {'f(x)':>22}  {'f_prime(x)':>22}".replace("f_prime", "f'"))
        for x, f, df in zip(v["x"], v["f"], v["derivative"]):
            lines.append(f"  {x:>8g}  {f:>22.17g}  {df:>22.17g}")
    else:
        lines.append(f"  x            {v['x']}")
        lines.append(f"  f(x)         {[float(f'{u:.10g}') for u in np.ravel(v['f'])]}")
        lines.append(f"  vjp(x, 1)    {[float(f'{u:.10g}') for u in np.ravel(v['vjp_ones'])]}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import actlab

    a = actlab.get(args.name, **parse_params(args.param))
    d = describe(a)
    if args.json:
        print(json.dumps(jsonable(d), indent=2, ensure_ascii=False))
    else:
        print(render(d))
    return 0
