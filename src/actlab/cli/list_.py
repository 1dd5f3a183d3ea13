"""``actlab list``: the catalog at a glance — name, formula, range and key properties of every activation."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

HELP = "every activation: name, formula, range, key properties"

DESCRIPTION = ("List the catalog: one row per activation with its formula, range and key properties (a table on a "
               "terminal, plain aligned text otherwise, or JSON).")

EXAMPLES = """examples:
  actlab list
  actlab list --kind elementwise
  actlab list --json
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from actlab.spec import KINDS

    p.add_argument("--kind", choices=KINDS, help="only activations of this kind")
    p.add_argument("--json", action="store_true", help="print JSON (non-finite numbers as \"inf\", \"-inf\")")


def rows(kind: str | None = None) -> list[dict[str, Any]]:
    """One dict per activation, in catalog order (what `actlab list --json` prints)."""
    import actlab
    from actlab.cli.show import smooth_label

    aliases: dict[str, list[str]] = {}
    for alias, canonical in actlab.aliases().items():
        aliases.setdefault(canonical, []).append(alias)
    out = []
    for name in actlab.names(kind=kind):
        a = actlab.get(name)
        props = a.properties
        out.append({
            "name": name,
            "kind": a.kind,
            "formula": str(a.formula),
            "range": props["range"],
            "bounded": props["bounded"],
            "monotonic": props["monotonic"],
            "zero_centered": props["zero_centered"],
            "smooth": smooth_label(props["smooth"]),
            "saturates": props["saturates"],
            "sparse": props["sparse"],
            "self_normalizing": props["self_normalizing"],
            "params": dict(a.params),
            "learnable": list(props["learnable"]),
            "aliases": sorted(aliases.get(name, [])),
            "summary": a.spec.summary,
        })
    return out


COLUMNS = ("name", "kind", "formula", "range", "mono", "smooth", "saturates", "0-ctr", "sparse", "params")


def _cells(r: dict[str, Any]) -> list[str]:
    from actlab.cli.show import range_label

    def yes(v: bool) -> str:
        return "yes" if v else "-"

    params = ", ".join(f"{k}={v:g}" for k, v in r["params"].items())
    return [r["name"], r["kind"], r["formula"], range_label(r["range"]), yes(r["monotonic"]), r["smooth"],
            r["saturates"], yes(r["zero_centered"]), yes(r["sparse"]), params]


def plain(table: list[dict[str, Any]], max_formula: int = 60) -> str:
    """Aligned plain text (for pipes and files)."""
    body = []
    for r in table:
        cells = _cells(r)
        if len(cells[2]) > max_formula:
            cells[2] = cells[2][: max_formula - 3] + "..."
        body.append(cells)
    widths = [max(len(c) for c in col) for col in zip(COLUMNS, *body)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() for cells in body]
    return "\n".join(lines)


def _rich(table: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"actlab catalog: {len(table)} activations", header_style="bold")
    for col in COLUMNS:
        t.add_column(col, overflow="fold" if col == "formula" else "ellipsis", no_wrap=col != "formula")
    for r in table:
        t.add_row(*_cells(r))
    Console().print(t)


def run(args: argparse.Namespace) -> int:
    table = rows(args.kind)
    if args.json:
        from actlab.cli.show import jsonable

        print(json.dumps(jsonable(table), indent=2, ensure_ascii=False))
    elif sys.stdout.isatty():
        _rich(table)
    else:
        print(plain(table))
    return 0
