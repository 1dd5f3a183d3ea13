"""``actlab define``: an activation from a formula, checked, shown and saved to the user registry.

    actlab define swish_beta "x * sigmoid(beta * x)" --param beta=1.0
    actlab define --list
    actlab define --remove swish_beta
"""

from __future__ import annotations

import argparse
import json
import math
import re
import warnings

from actlab.cli.show import jsonable
from actlab.errors import ActlabError, FormulaError

HELP = "define an activation from a formula (derivative, properties, stable code; saved to actlab.toml)"

DESCRIPTION = ("Define an activation from a formula in x: its derivative, LaTeX, numerically inferred properties and "
               "stable NumPy code are derived and checked against mpmath, and the definition is saved to the user "
               "registry (actlab.toml) so every command can use it by name.")

EXAMPLES = """examples:
  actlab define swish_beta "x * sigmoid(beta * x)" --param beta=1.0
  actlab define mish2 "x * tanh(softplus(x))"
  actlab define bump "where(abs(x) < 1, x**2, abs(x))" --json
  actlab define --list
  actlab define --remove swish_beta
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="lower snake_case name for the new activation")
    p.add_argument("formula", nargs="?", help='formula in x, e.g. "x * sigmoid(beta * x)"')
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="declare a parameter and its default (repeatable)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--no-save", action="store_true", help="check and show only; do not write the user registry")
    p.add_argument("--list", action="store_true", help="list the activations in the user registry")
    p.add_argument("--remove", metavar="NAME", help="remove an activation from the user registry")


def parse_params(items: list[str]) -> dict[str, float]:
    params: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise FormulaError(f"--param takes NAME=VALUE, e.g. --param beta=1.0. Got {item!r}.")
        try:
            number = float(value)
        except ValueError:
            raise FormulaError(f"--param {name.strip()}: the value must be a number. Got {value!r}.") from None
        if not math.isfinite(number):
            raise FormulaError(f"--param {name.strip()}: the value must be finite. Got {value!r}.")
        params[name.strip()] = number
    return params


def run(args: argparse.Namespace) -> int:
    if args.list:
        if args.name or args.remove:
            raise ActlabError("--list takes no other arguments")
        return _list(args)
    if args.remove:
        if args.name:
            raise ActlabError("--remove NAME takes no formula")
        return _remove(args.remove, args)
    if not args.name or not args.formula:
        raise ActlabError('give a NAME and a "FORMULA", e.g. actlab define swish_beta "x * sigmoid(beta * x)" '
                          "--param beta=1.0 (or --list / --remove NAME)")
    return _define(args)


def describe(name: str, save_path: str | None, messages: list[str]) -> dict:
    """Everything `actlab define` reports about a defined activation, as plain data."""
    import actlab
    from actlab.formula import definition
    from actlab.formula.codegen import numpy_source
    from actlab.formula.define import bounded_derivative
    from actlab.symbolic import to_latex, to_mathml

    d = definition(name)
    a = actlab.get(name)
    deriv, simplified = bounded_derivative(d.expanded)
    if not simplified:
        messages = [*messages, "the derivative is shown unsimplified: simplifying it exceeds the budget of symbolic "
                               "work"]
    props = a.properties
    return {
        "name": name,
        "input": d.text,
        "params": d.defaults,
        "formula": str(d.expanded),
        "derivative": str(deriv),
        "latex": to_latex(d.expanded),
        "derivative_latex": to_latex(deriv),
        "mathml": to_mathml(d.expanded),
        "derivative_mathml": to_mathml(deriv),
        "numpy": numpy_source(d.stable),
        "numpy_derivative": numpy_source(d.stable_derivative),
        "properties": jsonable(props),
        "kinks": list(a.kinks),
        "uses": list(d.uses),
        "rewrites": [r.message for r in d.rewrites],
        "warnings": messages,
        "saved_to": save_path,
    }


def _define(args) -> int:
    from actlab import user_registry
    from actlab.formula import FormulaWarning, define

    params = parse_params(args.param)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FormulaWarning)
        define(args.name, args.formula, **params)
    messages = [str(w.message) for w in caught if issubclass(w.category, FormulaWarning)]
    path = None
    if not args.no_save:
        path = str(user_registry.save(args.name, args.formula, params))
    info = describe(args.name, path, [])
    info["warnings"] = [m for m in messages + info["warnings"] if m not in info["rewrites"]]
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    _print_text(info)
    return 0


def _fmt_range(r) -> str:
    lo, hi = (float(v) for v in r)
    return f"{'(' if lo == -math.inf else '['}{lo:g}, {hi:g}{')' if hi == math.inf else ']'}"


def _smooth_text(s) -> str:
    s = float(s)
    if s == math.inf:
        return "C-infinity"
    return "discontinuous" if s < 0 else f"C{int(s)}" + (" (kinks)" if s == 0 else "")


def _print_text(info: dict) -> None:
    p = info["properties"]
    params = ", ".join(f"{k} = {v:g}" for k, v in info["params"].items())
    smooth_text = _smooth_text(p["smooth"])
    lines = [
        f"{info['name']}(x) = {info['input']}" + (f"    [{params}]" if params else ""),
        f"  formula      {info['formula']}",
        f"  derivative   {info['derivative']}",
        f"  LaTeX        f(x) = {info['latex']}",
        f"               f'(x) = {info['derivative_latex']}",
        f"  NumPy        f  = {info['numpy']}",
        f"               f' = {info['numpy_derivative']}",
        f"  range        {_fmt_range(p['range'])}",
        f"  monotonic    {'yes' if p['monotonic'] else 'no'};  zero-centred {'yes' if p['zero_centered'] else 'no'};"
        f"  smooth {smooth_text};  saturates {p['saturates']};  sparse {'yes' if p['sparse'] else 'no'}",
        f"  kinks        {', '.join(f'{k:g}' for k in info['kinks']) or 'none'}",
    ]
    for r in info["rewrites"]:
        lines.append(f"  rewrite      {r}")
    for w in info["warnings"]:
        lines.append(f"  warning      {w}")
    lines.append(f"  saved to     {info['saved_to']}" if info["saved_to"] else "  not saved (--no-save)")
    print("\n".join(lines))


def _list(args) -> int:
    from actlab import user_registry

    path = user_registry.config_path()
    stored = user_registry.entries(path)
    if args.json:
        print(json.dumps({"file": str(path), "activations": stored}, indent=2))
        return 0
    if not stored:
        print(f"no user activations in {path}")
        return 0
    width = max(len(n) for n in stored)
    print(f"# {path}")
    for name, entry in stored.items():
        params = ", ".join(f"{k}={v:g}" for k, v in entry.get("params", {}).items())
        print(f"{name:<{width}}  {entry.get('formula', '?')}" + (f"   [{params}]" if params else ""))
    return 0


def _remove(name: str, args) -> int:
    from actlab import user_registry
    from actlab.registry import names, spec as get_spec, unregister

    path = user_registry.config_path()
    stored = user_registry.entries(path)
    if name not in stored:
        known = ", ".join(stored) or "none"
        raise ActlabError(f"{name!r} is not in the user registry {path}. Stored: {known}.")
    call = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}\s*\(")
    users = [n for n, e in stored.items() if n != name and call.search(str(e.get("formula", "")))]
    if users:
        raise ActlabError(f"Cannot remove {name!r}: {', '.join(users)} use{'s' if len(users) == 1 else ''} it. "
                          f"Remove {'it' if len(users) == 1 else 'them'} first.")
    user_registry.remove(name, path)
    if name in names() and get_spec(name).source == "user":
        unregister(name)
    if args.json:
        print(json.dumps({"removed": name, "file": str(path)}))
    else:
        print(f"removed {name} from {path}")
    return 0

