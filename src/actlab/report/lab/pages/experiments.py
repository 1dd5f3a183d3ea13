"""experiments.html and experiments/NAME.html: each claim of the seeds with its figure, numbers and verdict."""

from __future__ import annotations

from typing import Any, Iterator

from actlab.report.lab.html import code, esc, num, page, placeholder, table
from actlab.report.lab.site import Site, status_class
from actlab.report.lab.sources import ExperimentPage

MAX_LIST = 8


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested numbers as (dotted key, value) rows; long lists summarised."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list) and value and all(isinstance(v, (int, float)) or v is None for v in value):
        if len(value) <= MAX_LIST:
            yield prefix, ", ".join(num(v) for v in value)
        else:
            finite = [v for v in value if isinstance(v, (int, float))]
            span = f"{num(min(finite))} \u2026 {num(max(finite))}" if finite else "no finite values"
            yield prefix, f"{len(value)} values: first {num(value[0])}, last {num(value[-1])}, range {span}"
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, value


def _figure(site: Site, p: ExperimentPage, fig) -> str:
    rel = site.figures.get((p.name, fig.name))
    if rel is None:
        return ""
    return (f'<figure class="result"><img src="{esc(rel)}" alt="{esc(p.title)}: {esc(fig.stem)}" loading="lazy">'
            f"<figcaption>{esc(fig.stem)}</figcaption></figure>")


def _robustness(p: ExperimentPage, tables: dict) -> str:
    """The verdict at other budgets and seed sets (``--robustness``), or how to get it."""
    head = "<h2>Does the verdict survive a change of budget?</h2>"
    rows = [t for t in tables.values() if isinstance(t, dict) and "columns" in t and "rows" in t]
    if not rows:
        return head + placeholder("this stored result was not checked at other budgets and seed sets",
                                  f"actlab experiment {p.name} --robustness --out docs/experiments/results")
    return (head + "<p>The decisive measurement re-run at half, once, twice (and, where cheap, four times) the "
            "budget and on three disjoint seed sets; the verdict above is qualified by what they show.</p>"
            + "".join(f'<div class="table-wrap">{table(t["columns"], t["rows"])}</div>' for t in rows))


def _page(site: Site, p: ExperimentPage) -> str:
    parts = [f"<h1>{esc(p.title)}</h1>"]
    if p.claim:
        parts.append(f"<h2>The claim</h2><blockquote>{esc(p.claim)}</blockquote>")
    if p.seed_source:
        parts.append(f'<p class="muted">Source: {esc(p.seed_source)}</p>')
    parts.append("<h2>Run it</h2>" + code(f"actlab experiment {p.name}                # quick form\n"
                                          f"actlab experiment {p.name} --full         # the full form\n"
                                          f"actlab experiment {p.name} --robustness   # at 1/2x, 2x the budget, "
                                          f"3 seed sets"))
    if not p.ran:
        parts.append("<h2>Result</h2>" + (f'<p class="note">{esc(p.summary)}</p>' if p.summary else "")
                     + placeholder("this experiment has not been run yet", p.command))
    else:
        parts.append(f'<h2>Verdict</h2><p class="verdict {status_class(p.status)}">{esc(p.verdict)}</p>')
        figs = [f for f in p.figures if f.suffix == ".svg"] or [f for f in p.figures if f.suffix == ".png"]
        parts.extend(_figure(site, p, f) for f in figs)
        robust = {n: t for n, t in p.tables.items() if n.startswith("robustness")}
        for name, t in p.tables.items():
            if name not in robust and isinstance(t, dict) and "columns" in t and "rows" in t:
                parts.append(f"<h3>{esc(name)}</h3><div class=\"table-wrap\">{table(t['columns'], t['rows'])}</div>")
        parts.append(_robustness(p, robust))
        rows = list(flatten(p.numbers))
        if rows:
            parts.append("<h2>Numbers</h2><div class=\"table-wrap\">" + table(["quantity", "value"], rows) + "</div>")
        if p.summary:
            parts.append("<h2>Summary</h2>" + code(p.summary))
        settings = list(flatten(p.settings))
        if settings:
            parts.append("<details><summary>settings</summary>" + table(["setting", "value"], settings) + "</details>")
        parts.append(f'<p class="muted">From the {esc(p.origin)}.</p>')
    if p.notes:
        parts.append(f'<h2>Where the seed is wrong or overstated</h2><p>{esc(p.notes)}</p>')
    parts.append('<p><a href="../experiments.html">All experiments</a> \u00b7 <a href="../choose.html">Choose</a> '
                 '\u00b7 <a href="../diagnose.html">Diagnose</a></p>')
    return page(p.title, "\n".join(parts), current="experiments.html", depth=1)


def render(site: Site) -> dict[str, str]:
    files = {f"experiments/{p.name}.html": _page(site, p) for p in site.experiments}
    items = []
    for p in site.experiments:
        verdict = esc(p.verdict) if p.ran else f"Not run yet: <code>{esc(p.command)}</code>"
        items.append(f'<li><h3><a href="experiments/{esc(p.name)}.html">{esc(p.title)}</a></h3>'
                     f"{site.verdict_badge(p.name)}<p>{verdict}</p></li>")
    problem = ""
    if site.experiments_problem is not None:
        problem = placeholder(site.experiments_problem.reason, site.experiments_problem.command)
    if not site.experiments:
        listing = placeholder("no experiment results were found", "actlab experiment all --out docs/experiments/results")
    else:
        listing = f'<ul class="cards-list">{"".join(items)}</ul>'
    how = ("This build ran the quick form of every experiment without a stored result (<code>--full</code>)."
           if site.full else "This build reuses stored results (<code>docs/experiments/results/</code>); "
           "<code>actlab lab --full</code> also runs the quick form of the experiments that have none.")
    body = f"""
<h1>Experiments</h1>
<p class="lead">Each claim of the seed articles, turned into an experiment you can rerun with one command: the claim,
the figure, the numbers measured here and a verdict on whether it held at this scale. Same seed, same numbers.</p>
<p class="muted">{how}</p>
{problem}
{listing}
"""
    files["experiments.html"] = page("Experiments", body, current="experiments.html")
    return files
