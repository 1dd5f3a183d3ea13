"""search.html: the results of ``actlab search`` — the confirmed ranking with CIs, swish-like candidates marked, the
best candidates' curves, the successive-halving funnel and every screened candidate."""

from __future__ import annotations

from typing import Any

from actlab.report.lab.html import code, esc, json_script, num, page, placeholder
from actlab.report.lab.pages.leaderboard import ci_axis, ci_bar
from actlab.report.lab.site import Site
from actlab.report.lab.sources import CURVE_X, Missing, finite

SWISH_BADGE = '<span class="badge yes" title="x*sigmoid(x)-like: derivative distance within the threshold, with ' \
              'Swish\'s dip">swish-like</span>'
BASE_BADGE = '<span class="badge kind">baseline</span>'
STAR = "\u2605"

INTRO = """
<h1>Formula search</h1>
<p class="lead">The search of Ramachandran, Zoph &amp; Le (2017) that found Swish, at small scale: candidates
<code>binary(unary1(x), unary2(x))</code>, each read by actlab's safe formula parser, trained on MNIST-1D by the
comparison harness, the best kept rung after rung (successive halving) and the finalists confirmed with fresh seeds
next to ReLU and Swish.</p>
"""


def _final_table(rows: list[dict[str, Any]]) -> str:
    lo, hi = ci_axis(rows)
    head = ("<tr><th>rank</th><th>formula</th><th></th><th>mean accuracy</th><th>95% CI</th><th></th>"
            "<th>seeds (diverged)</th><th>p vs ReLU (Holm)</th><th>tied with the top</th><th>swish distance</th>"
            "<th>rung scores</th></tr>")
    body = []
    for r in rows:
        badges = (BASE_BADGE if r.get("baseline") else "") + (SWISH_BADGE if r.get("swish_like") else "")
        label = f"{r['name']}: {r['formula']}" if r.get("baseline") else r["formula"]
        ci = f"[{num(r.get('ci_low'))}, {num(r.get('ci_high'))}]"
        screen = r.get("screen") if isinstance(r.get("screen"), list) else [r.get("screen")]
        screen = ", ".join(num(v, 3) for v in screen if v is not None)
        classes = " ".join(c for c, on in (("swish-like", r.get("swish_like")), ("baseline", r.get("baseline"))) if on)
        body.append(
            f'<tr data-name="{esc(r["name"])}" data-swish-like="{"yes" if r.get("swish_like") else "no"}"'
            + (f' class="{classes}"' if classes else "") + ">"
            f'<td class="num">{esc(num(r.get("rank")))}</td><td><code>{esc(label)}</code></td><td>{badges}</td>'
            f'<td class="num">{esc(num(r.get("mean")))}</td><td class="num">{esc(ci)}</td>'
            f'<td>{ci_bar(r, lo, hi)}</td><td class="num">{esc(num(r.get("n")))} ({esc(num(r.get("diverged")))})</td>'
            f'<td class="num">{esc(num(r.get("p_vs_relu")))}</td><td>{STAR if r.get("tied_best") else ""}</td>'
            f'<td class="num">{esc(_distance(r.get("swish_distance")))}</td><td class="num">{esc(screen)}</td></tr>')
    return (f'<div style="overflow-x:auto"><table class="data" id="search-final"><thead>{head}</thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _distance(value: Any) -> str:
    """A swish distance to three decimals (round-off far below that is 0)."""
    return f"{value:.3f}" if finite(value) else num(value)


def _funnel(report: dict[str, Any]) -> str:
    rows = []
    for r in report.get("rungs", []):
        base = r.get("baselines") or {}
        what = "confirmation (fresh seeds)" if r.get("confirmation") else f"rung {r.get('rung', 0) + 1}"
        seeds = r.get("seeds") or []
        cells = [num(r.get("candidates")), ", ".join(map(str, seeds)), num(r.get("epochs")), num(r.get("kept")),
                 num(base.get("relu")), num(base.get("silu"))]
        rows.append(f"<tr><td>{esc(what)}</td>" + "".join(f'<td class="num">{esc(c)}</td>' for c in cells) + "</tr>")
    head = ("<tr><th>stage</th><th>candidates</th><th>seeds</th><th>epochs</th><th>kept</th><th>ReLU</th>"
            "<th>Swish</th></tr>")
    return f'<table class="data" id="search-rungs"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _all_candidates(report: dict[str, Any]) -> str:
    rows = []
    for c in report.get("candidates", []):
        scores = ", ".join(num(v, 3) for v in c.get("scores") or [])
        rows.append(
            f'<tr data-name="{esc(c.get("name", ""))}"><td class="num">{esc(num(c.get("overall_rank")))}</td>'
            f'<td><code>{esc(c.get("formula", ""))}</code></td><td>{SWISH_BADGE if c.get("swish_like") else ""}</td>'
            f'<td>{esc(c.get("binary", ""))}</td><td class="num">{esc(scores)}</td>'
            f'<td class="num">{esc(_distance(c.get("swish_distance")))}</td></tr>')
    head = ("<tr><th>overall rank</th><th>formula</th><th></th><th>binary</th><th>score per rung reached</th>"
            "<th>swish distance</th></tr>")
    return (f'<div class="table-wrap"><table class="data" id="search-all"><thead>{head}</thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _curves(site: Site) -> str:
    curves = site.search.curves
    if not curves:
        return ""
    series = [{"label": c["label"] + (" (swish-like)" if c["swish_like"] and not c["baseline"] else ""),
               "x": CURVE_X, "y": c["y"], **({"dash": True} if c["baseline"] else {})} for c in curves]
    spec = {"xLabel": "x", "xRange": [CURVE_X[0], CURVE_X[-1]], "series": series}
    return (f'<div class="panel"><h3>The best candidates, f(x)</h3>'
            f'<div class="act-plot" id="search-curves" data-series="search-curves-data" '
            f'aria-label="curves of the best candidates"></div>{json_script("search-curves-data", spec)}'
            f'<p class="muted">Solid: the confirmed candidates in rank order; dashed: ReLU and Swish. Hover for '
            f"values, wheel to zoom.</p></div>")


def _ranks_sentence(report: dict[str, Any]) -> str:
    cands = report.get("candidates", [])
    like = [c for c in cands if c.get("swish_like")]
    final = [r for r in report.get("final", []) if r.get("swish_like") and not r.get("baseline")]
    n_final = len(report.get("final", []))
    if not like:
        return (f"<p>None of the {len(cands)} screened candidates is x\u00b7sigmoid(x)-like by the measure below.</p>")
    items = ", ".join(f"<code>{esc(c['formula'])}</code> (overall rank {esc(num(c.get('overall_rank')))})"
                      for c in like)
    confirmed = ", ".join(f"#{esc(num(r.get('rank')))} <code>{esc(r['formula'])}</code>" for r in final)
    out = f"<p><b>Where the swish-like candidates landed</b> ({len(like)} of {len(cands)} screened): {items}."
    if confirmed:
        out += f" In the confirmation table (of {n_final} rows, baselines included): {confirmed}."
    else:
        out += " None reached the confirmation round."
    return out + "</p>"


def render(site: Site) -> dict[str, str]:
    found = site.search
    if isinstance(found, Missing):
        body = INTRO + placeholder(found.reason, found.command) + """
<p>A search trains a few hundred short runs; with the defaults (the whole space of 191 candidates, successive
halving, 5 fresh seeds for the finalists) it takes a few minutes on two cores and resumes if interrupted:</p>
""" + code("actlab search --budget 200                 # writes actlab-search.sqlite and actlab-search.search.json\n"
           "actlab lab                                 # this page then shows the results\n"
           "actlab lab --search PATH/TO/STORE.sqlite   # or a search stored elsewhere")
        return {"search.html": page("Search", body, current="search.html",
                                    description="Formula-space search for activations")}
    report = found.report
    s, space = report.get("settings", {}), report.get("space", {})
    store = found.source.removesuffix(".search.json") + ".sqlite"
    dropped = ", ".join(f"{k} {v}" for k, v in (space.get("dropped") or {}).items() if v)
    unary = ", ".join(f"<code>{esc(v)}</code>" for v in (space.get("unary") or {}).values())
    binary = ", ".join(f"<code>{esc(v.format(a='a', b='b'))}</code>" for v in (space.get("binary") or {}).values())
    recipe = (f"MNIST-1D, <code>{esc(s.get('model'))}</code>, {esc(s.get('optimizer', 'adam'))} lr "
              f"{esc(num(s.get('lr')))}, batch {esc(num(s.get('batch_size')))}, {esc(s.get('backend', 'numpy'))} "
              f"backend; {esc(num(s.get('screen_epochs')))} epochs in the first rung, {esc(num(s.get('epochs')))} "
              f"after it; each rung keeps the best 1/{esc(num(s.get('eta')))}")
    origin = (f"the search shipped with actlab (<code>docs/results/{esc(found.source)}</code>; "
              "<code>actlab search --budget 200</code> runs your own)" if found.shipped else
              f"<code>{esc(found.source)}</code> (runs in <code>{esc(store)}</code>)")
    val = s.get("val_fraction") or 0
    selection = (f"the rungs select on a validation holdout ({esc(num(100 * val))}% of the training split, "
                 "stratified, the same for every candidate), so the rung scores are validation accuracies." if val else
                 "the rungs select on the test split (this search ran without a validation holdout), so the "
                 "confirmation's test examples are not new to the selection, only its seeds are.")
    body = INTRO + f"""
<p class="muted">From {origin}.
{esc(num(s.get('screened')))} of {esc(num(space.get('distinct')))} distinct candidates screened
({esc(num(space.get('combinations')))} combinations tried; dropped before training: {esc(dropped or 'none')}).
Protocol: {recipe}.</p>
<h2>Confirmed ranking</h2>
<p>Mean final test accuracy over the {esc(num(s.get('seeds')))} fresh seeds of the confirmation round (none used
for selection), its 95% confidence interval, and a paired t-test against ReLU on the same seeds (Holm-corrected);
\u2605 marks rows not significantly below the top one. The rung scores (validation accuracy where the search held out a validation split) are what
selected each finalist.</p>
{_final_table(report.get('final', []))}
{_ranks_sentence(report)}
{_curves(site)}
<h2>The funnel</h2>
<p>Successive halving: every candidate gets a short run; the best third gets the full epochs and a second seed, and
so on. ReLU and Swish run in every rung as reference points (their columns).</p>
{_funnel(report)}
<h2>What counts as swish-like</h2>
<p>Measured, not named: the derivative of f, after a positive scale and the equivalences the next layer absorbs
(a\u00b7f(\u00b1x) + b), is compared with that of x\u00b7sigmoid(\u03b2x) for \u03b2 in [0.5, 4] on [\u22125, 5]
(maximum difference, relative to the size of Swish's derivative). A candidate is swish-like when that distance is at
most {esc(num(space.get('swish_like_threshold')))} and f dips below its left tail inside (\u22125, 0), as Swish
does. GELU (0.03) and Mish (0.09) are; ReLU (0.45) and softplus (0.10, no dip) are not.</p>
<h2>The space</h2>
<p>Unary: {unary}.<br>Binary: {binary}.<br>Equivalent candidates (a\u00b7f(\u00b1x) + b of a simpler one) are
trained once, in their simplest form.</p>
<details><summary>All {len(report.get('candidates', []))} screened candidates, in overall order</summary>
<p class="muted">Finalists by confirmed accuracy, then each rung's eliminated candidates by the score that
eliminated them.</p>
{_all_candidates(report)}
</details>
<p class="muted">Caveats: {selection} The confirmation trains the finalists again on the
whole training split with fresh seeds and scores them on the test split, which no selection step saw. A quick task
ranks what trains well in a few epochs at this size, not what transfers to large networks.</p>
"""
    return {"search.html": page("Search", body, current="search.html",
                                description="Formula-space search for activations: ranking, CIs, curves")}
