"""compare.html: pick two to four activations and see f and f' overlaid."""

from __future__ import annotations

from actlab.report.lab.html import esc, page
from actlab.report.lab.site import Site

PREFERRED = ("relu", "gelu", "silu", "tanh", "sigmoid", "elu", "leaky_relu")
MAX_CHOSEN = 4


def default_choice(names: list[str]) -> list[str]:
    chosen = [n for n in PREFERRED if n in names][:3]
    for n in names:  # a catalog without the usual names still starts with two curves
        if len(chosen) >= 2:
            break
        if n not in chosen:
            chosen.append(n)
    return chosen


def render(site: Site) -> dict[str, str]:
    plottable = [e for e in site.entries if e.has_plot]
    chosen = default_choice([e.name for e in plottable])
    boxes = "".join(
        f'<label><input type="checkbox" name="cmp" value="{esc(e.name)}"{" checked" if e.name in chosen else ""}> '
        f"{esc(e.name)}</label>"
        for e in plottable
    )
    body = f"""
<h1>Compare side by side</h1>
<p class="lead">Pick two to four activations: their curves are overlaid, f on the left and its derivative f\u2032 on the
right, at the default parameters. The derivative is what backpropagation multiplies by, so the right-hand plot is
where saturation (f\u2032 near 0), dead regions (f\u2032 exactly 0) and the sigmoid's peak of 1/4 show.</p>
<p id="compare-note" class="muted"></p>
<div id="compare-picker" aria-label="activations to compare">{boxes}</div>
<div class="grid2">
<div class="panel"><h3>f(x)</h3><div class="act-plot" id="cmp-f" aria-label="activations overlaid"></div></div>
<div class="panel"><h3>f\u2032(x)</h3><div class="act-plot" id="cmp-df" aria-label="derivatives overlaid"></div></div>
</div>
<p class="muted">The chosen set is kept in the address (<code>compare.html#relu,gelu</code>), so a comparison can be
bookmarked. For slices of vector-valued activations (softmax, GLU, ...) see their cards in the
<a href="catalog.html">catalog</a>.</p>
"""
    return {"compare.html": page("Compare", body, current="compare.html", catalog_data=True,
                                 description="Activations and their derivatives overlaid")}
