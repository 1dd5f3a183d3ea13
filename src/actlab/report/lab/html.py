"""The page shell and small HTML helpers (escaping, tables, numbers). No template engine: plain functions."""

from __future__ import annotations

import html
import json
import math
from typing import Any, Iterable, Sequence

NAV = (
    ("index.html", "Home"),
    ("catalog.html", "Catalog"),
    ("compare.html", "Compare"),
    ("experiments.html", "Experiments"),
    ("leaderboard.html", "Leaderboard"),
    ("search.html", "Search"),
    ("choose.html", "Choose"),
    ("diagnose.html", "Diagnose"),
    ("playground.html", "Playground"),
)


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def num(value: Any, digits: int = 4) -> str:
    """A number for a table cell: significant digits, no float noise; text passes through."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "\u221e" if value > 0 else "\u2212\u221e"
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.{digits - 1}e}"
        return f"{value:.{digits}g}"
    if value is None:
        return "\u2014"
    return str(value)


def json_script(element_id: str, data: Any) -> str:
    """Data for the page's scripts, inline (file:// pages cannot fetch JSON)."""
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, allow_nan=False).replace("</", "<\\/")
    return f'<script type="application/json" id="{esc(element_id)}">{text}</script>'


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, cls: str = "data", numeric: bool = True) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for v in row:
            is_num = numeric and isinstance(v, (int, float)) and not isinstance(v, bool)
            cells.append(f'<td class="num">{esc(num(v))}</td>' if is_num else f"<td>{esc(num(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def code(text: str) -> str:
    return f"<pre><code>{esc(text)}</code></pre>"


def placeholder(reason: str, command: str = "") -> str:
    run = f" Run <code>{esc(command)}</code> and rebuild the lab." if command else ""
    return f'<p class="placeholder">Not available yet: {esc(reason)}.{run}</p>'


def page(title: str, body: str, *, current: str, depth: int = 0, catalog_data: bool = False,
         description: str = "") -> str:
    """A complete page: head with local assets only, the site navigation, ``body``, footer, scripts."""
    up = "../" * depth
    nav = "".join(
        f'<a href="{up}{href}"' + (' aria-current="page"' if href == current else "") + f">{esc(label)}</a>"
        for href, label in NAV
    )
    scripts = [f"{up}assets/actmath.js", f"{up}assets/plot.js"]
    if catalog_data:
        scripts.append(f"{up}data/catalog.js")
    scripts.append(f"{up}assets/lab.js")
    script_tags = "\n".join(f'<script src="{s}"></script>' for s in scripts)
    desc = esc(description or "actlab: the activation-function laboratory")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{desc}">
<title>{esc(title)} · actlab lab</title>
<link rel="icon" href="{up}assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{up}assets/lab.css">
</head>
<body>
<header class="site"><div class="inner"><a class="brand" href="{up}index.html">actlab lab</a><nav class="site">{nav}</nav></div></header>
<main>
{body}
</main>
<footer class="site">Built by <code>actlab lab</code> from the activation registry; everything on these pages is
generated from one definition per activation. Works offline: no file here is fetched from the network.</footer>
{script_tags}
</body>
</html>
"""
