"""catalog.html: a card per activation (formulas, interactive plot, sliders, properties, accuracy), a sortable and
filterable property table, and the accuracy table."""

from __future__ import annotations

import math
from typing import Any

from actlab.report.lab.catalog_data import FLAG_LABELS, Entry, smooth_label
from actlab.report.lab.html import esc, num, page, placeholder, table
from actlab.report.lab.site import Site
from actlab.report.lab.sources import Accuracy, Missing, finite

KINDS_NOTE = {
    "vector": "maps a vector to a vector (its Jacobian is not diagonal)",
    "gated": "splits its input in two halves and gates one with the other",
    "expanding": "doubles the width of its input",
    "pooling": "takes the maximum over groups of inputs",
}


def _range(r: Any) -> str:
    # Properties hold the bounds, not whether they are attained (sigmoid never reaches 0): say "from .. to ..".
    lo, hi = r
    return f"{num(float(lo))} to {num(float(hi))}"


def _smooth_key(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "-1"
    return "99" if v == math.inf else str(int(v))


def _accuracy_key(row: dict | None) -> tuple[str, str]:
    """(sort key, text) for the headline accuracy: the worst float32 ULP error of f and f'."""
    if not row:
        return "", "\u2014"
    values = [row.get("float32_forward"), row.get("float32_derivative")]
    values = [v for v in values if finite(v)]
    if not values:
        return "", "\u2014"
    worst = max(values)
    return f"{worst:.6f}", f"{worst:.3g} ULP"


def _accuracy_dd(row: dict | None) -> str:
    if not row:
        return "\u2014"
    parts = []
    for dt in ("float32", "float64"):
        f, d = row.get(f"{dt}_forward"), row.get(f"{dt}_derivative")
        ok = row.get(f"{dt}_forward_ok", True) and row.get(f"{dt}_derivative_ok", True)
        if finite(f) or finite(d):
            mark = "" if ok else ' <span class="failed">(outside its bound)</span>'
            parts.append(f"{dt}: f {num(f, 3)} ULP, f\u2032 {num(d, 3)} ULP{mark}")
    return "<br>".join(parts) or "\u2014"


def _flag_attrs(e: Entry) -> str:
    out = []
    for flag, value in e.flags.items():
        out.append(f'data-{flag}="{"yes" if value else "no"}"')
    return " ".join(out)


def _row(e: Entry, order: int, acc_row: dict | None) -> str:
    p = e.properties
    flags = e.flags
    search = " ".join([e.name, *e.aliases, e.summary]).lower()
    acc_key, acc_text = _accuracy_key(acc_row)
    keys = {
        "name": e.name, "kind": e.kind, "range": f"{float(p['range'][0]):.6g}" if math.isfinite(p["range"][0]) else "-1e308",
        "smooth": _smooth_key(p.get("smooth")), "accuracy": acc_key,
        **{f: "1" if v else "0" for f, v in flags.items()},
    }
    attrs = " ".join(f'data-key-{k}="{esc(v)}"' for k, v in keys.items())
    learn = ", ".join(p.get("learnable", ())) or "no"
    sat = p.get("saturates", "none")

    def yn(v: bool) -> str:
        return '<td class="yes">yes</td>' if v else '<td class="no">no</td>'

    return (
        f'<tr data-name="{esc(e.name)}" data-order="{order}" data-kind="{esc(e.kind)}" '
        f'data-search="{esc(search)}" {_flag_attrs(e)} {attrs}>'
        f'<td><a href="#act-{esc(e.name)}">{esc(e.name)}</a></td><td>{esc(e.kind)}</td>'
        f"<td>{esc(_range(p['range']))}</td>{yn(flags['bounded'])}{yn(flags['monotonic'])}"
        f"<td>{esc(smooth_label(p.get('smooth')))}</td>{yn(flags['zero_centered'])}"
        f"<td class=\"{'yes' if sat != 'none' else 'no'}\">{esc(sat)}</td>{yn(flags['sparse'])}"
        f"<td class=\"{'yes' if flags['learnable'] else 'no'}\">{esc(learn)}</td>"
        f'<td class="num">{esc(acc_text)}</td></tr>'
    )


SORT_COLUMNS = (
    ("name", "name"), ("kind", "kind"), ("range", "range"), ("bounded", "bounded"), ("monotonic", "monotonic"),
    ("smooth", "smooth"), ("zero_centered", "zero-centred"), ("saturating", "saturates"), ("sparse", "sparse"),
    ("learnable", "learnable"), ("accuracy", "accuracy (float32)"),
)


def _filters() -> str:
    selects = "".join(
        f'<label>{esc(label)}<select data-flag="{flag}"><option value="any">any</option>'
        f'<option value="yes">yes</option><option value="no">no</option></select></label>'
        for flag, label in FLAG_LABELS.items()
    )
    return (
        '<div id="filters" role="search"><label>search<input id="search" type="search" '
        f'placeholder="name, alias, words"></label>{selects}'
        '<button type="button" id="clear-filters">clear</button><span id="shown-count" class="muted"></span></div>'
    )


def _slider(s) -> str:
    learn = ' <span class="badge">learnable</span>' if s.learnable else ""
    title = esc(s.doc) if s.doc else esc(s.name)
    value = int(s.default) if s.integer else s.default
    return (
        f'<label title="{title}"><span><code>{esc(s.name)}</code>{learn}</span>'
        f'<input type="range" data-param="{esc(s.name)}" min="{s.low:g}" max="{s.high:g}" step="{s.step:g}" '
        f'value="{value:g}" aria-label="{esc(s.name)}">'
        f'<output data-for="{esc(s.name)}">{value:g}</output></label>'
    )


def _card(e: Entry, acc_row: dict | None) -> str:
    p = e.properties
    kind_note = f'<p class="muted">{esc(e.kind)} activation: it {esc(KINDS_NOTE.get(e.kind, ""))}.</p>' \
        if e.kind != "elementwise" else ""
    formulas = ""
    if e.formula_mathml:
        formulas = f'<div class="formulas"><span class="lhs">f(x) =</span>{e.formula_mathml}'
        if e.derivative_mathml:
            formulas += f'<span class="lhs">f\u2032(x) =</span>{e.derivative_mathml}'
        formulas += "</div>"
    plot = ""
    if e.has_plot:
        plot = f'<div class="act-plot" id="plot-{esc(e.name)}" data-act="{esc(e.name)}" ' \
               f'aria-label="{esc(e.name)} and its derivative"></div>'
        if e.slice_label:
            plot += f'<p class="muted">Plotted: {esc(e.slice_label)}.</p>'
    sliders = ""
    if e.sliders:
        if e.js_f:
            inner = "".join(_slider(s) for s in e.sliders)
            sliders = (f'<div class="sliders">{inner}<button type="button" class="params-reset">defaults'
                       "</button></div>")
        else:
            defaults = ", ".join(f"{s.name} = {s.default:g}" for s in e.sliders)
            sliders = f'<p class="muted">Parameters fixed at their defaults ({esc(defaults)}): {esc(e.js_error)}.</p>'
    props = [
        ("range", esc(_range(p["range"]))),
        ("smoothness", esc(smooth_label(p.get("smooth")))),
        ("saturates", esc(p.get("saturates", "none"))),
        ("monotonic", "yes" if p.get("monotonic") else "no"),
        ("zero-centred", "yes" if p.get("zero_centered") else "no"),
        ("sparse", "yes" if p.get("sparse") else "no"),
    ]
    if p.get("self_normalizing"):
        props.append(("self-normalising", "yes"))
    if e.kinks:
        props.append(("kinks at", esc(", ".join(f"{k:g}" for k in e.kinks))))
    if e.aliases:
        props.append(("aliases", esc(", ".join(e.aliases))))
    if e.frameworks:
        props.append(("in frameworks", esc(", ".join(f"{k}: {v}" for k, v in sorted(e.frameworks.items())))))
    if e.sliders:
        props.append(("properties at", esc(", ".join(f"{s.name} = {s.default:g}" for s in e.sliders))))
    props.append(("accuracy", _accuracy_dd(acc_row)))
    props.append(("reference", esc(e.reference)))
    if e.source != "catalog":
        props.append(("defined by", esc(e.source)))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in props)
    notes = f'<p class="muted">{esc(e.notes)}</p>' if e.notes else ""
    problems = "".join(f'<p class="note">{esc(msg)}</p>' for msg in e.problems)
    source = f"f(x) = {e.formula_text}" + (f"\nf'(x) = {e.derivative_text}" if e.derivative_text else "")
    return (
        f'<article class="card" id="act-{esc(e.name)}" data-name="{esc(e.name)}" {_flag_attrs(e)}>'
        f'<h3><a href="#act-{esc(e.name)}">{esc(e.name)}</a> <span class="badge kind">{esc(e.kind)}</span></h3>'
        f'<p class="summary">{esc(e.summary)}</p>{kind_note}{formulas}{plot}{sliders}'
        f'<dl class="props">{dl}</dl>{notes}{problems}'
        f"<details><summary>formula source</summary><pre><code>{esc(source)}</code></pre></details></article>"
    )


def _accuracy_section(acc: Accuracy | Missing) -> str:
    if isinstance(acc, Missing):
        return "<h2 id=\"accuracy\">Accuracy</h2>" + placeholder(acc.reason, acc.command)
    cols = [c for c in acc.columns if not c.endswith("_x")]
    rows = [[name, *[row.get(c) for c in cols]] for name, row in acc.rows.items()]
    return (
        '<h2 id="accuracy">Accuracy</h2><p>The largest error of f and f\u2032 over a dense grid of inputs, in units in '
        "the last place (ULP) of the result, against a high-precision reference (mpmath) of the same formula. "
        "<code>_ok</code> says whether the error stays within the bound the tests enforce (for float64 the bound "
        "allows for the conditioning of the function).</p>"
        f'<div class="table-wrap">{table(["name", *cols], rows)}</div>'
    )


def render(site: Site) -> dict[str, str]:
    acc_rows = site.accuracy.rows if isinstance(site.accuracy, Accuracy) else {}
    head = "".join(
        f'<th aria-sort="none"><button type="button" data-sort="{k}">{esc(label)}</button></th>'
        for k, label in SORT_COLUMNS
    )
    rows = "".join(_row(e, i, acc_rows.get(e.name)) for i, e in enumerate(site.entries))
    cards = "".join(_card(e, acc_rows.get(e.name)) for e in site.entries)
    body = f"""
<h1>Catalog</h1>
<p class="lead">{len(site.entries)} activations, each drawn from its one definition in the registry: the formula of f
and of its derivative f\u2032 (printed by SymPy), a plot of both (f solid, f\u2032 dashed), a slider per parameter, the
properties the tests verify, and how accurate the implementation is.</p>
<p class="muted">Plots: hover to read values, turn the mouse wheel to zoom, drag a box to zoom into it, double-click or
press Reset to go back. Sliders re-evaluate the curve in the page from the same formula. Filter and sort below; the
table and the cards follow.</p>
{_filters()}
<div class="table-wrap"><table class="data" id="prop-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>
<div id="cards">{cards}</div>
{_accuracy_section(site.accuracy)}
"""
    return {"catalog.html": page("Catalog", body, current="catalog.html", catalog_data=True,
                                 description="Every activation of actlab with interactive plots")}
