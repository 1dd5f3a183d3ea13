"""leaderboard.html: the comparison results from the run store, with confidence intervals and paired tests."""

from __future__ import annotations

import math
from typing import Any

from actlab.report.lab.html import esc, num, page, placeholder
from actlab.report.lab.site import Site
from actlab.report.lab.sources import Missing, finite

STAR = "\u2605"
MARKS = {
    "+": ("sig", "significantly better than the baseline"),
    "-": ("failed", "significantly worse than the baseline"),
    "base": ("muted", "the baseline"),
    "": ("muted", "no significant difference"),
}


def ci_axis(rows: list[dict[str, Any]]) -> tuple[float, float]:
    """The span the CI bars of one table share: every row's interval, padded by 5%."""
    lows = [r["ci_low"] for r in rows if finite(r.get("ci_low"))]
    highs = [r["ci_high"] for r in rows if finite(r.get("ci_high"))]
    lo, hi = (min(lows), max(highs)) if lows and highs else (0.0, 1.0)
    pad = 0.05 * (hi - lo) if hi > lo else 0.5
    return lo - pad, hi + pad


def ci_bar(row: dict[str, Any], lo: float, hi: float) -> str:
    """The 95% CI as a bar on the group's common scale (plain CSS, no script needed)."""
    a, b, m = row.get("ci_low"), row.get("ci_high"), row.get("mean")
    if not (finite(a) and finite(b) and finite(m)) or hi <= lo:
        return ""
    left = 100 * (a - lo) / (hi - lo)
    width = max(100 * (b - a) / (hi - lo), 0.6)
    mid = 100 * (m - lo) / (hi - lo)
    return (f'<span style="position:relative;display:block;height:10px;background:#eef0f4;border-radius:3px;min-width:120px">'
            f'<span style="position:absolute;left:{left:.2f}%;width:{width:.2f}%;top:2px;height:6px;background:#8fb0e6;'
            f'border-radius:3px"></span><span style="position:absolute;left:{mid:.2f}%;top:0;width:2px;height:10px;'
            f'background:#1f5fbf"></span></span>')


def _group_table(rows: list[dict[str, Any]]) -> str:
    lo, hi = ci_axis(rows)
    # Rows of the tuning protocol carry the learning rate chosen for them and the test score read once at the end.
    tuned = any("chosen_lr" in r for r in rows)
    extra_head = "<th>chosen lr</th><th>test mean</th><th>test 95% CI</th>" if tuned else ""
    head = ("<tr><th>rank</th><th>\u2605</th><th>activation</th><th>mean</th><th>95% CI</th><th></th><th>std</th>"
            f"{extra_head}<th>runs (done / diverged / failed)</th><th>\u0394 vs baseline</th><th>p (Holm)</th>"
            "<th>effect</th><th>vs baseline</th></tr>")
    body = []
    for r in sorted(rows, key=lambda r: (r.get("rank") if finite(r.get("rank")) else math.inf, r["activation"])):
        cls, text = MARKS.get(r.get("mark") or "", ("muted", str(r.get("mark"))))
        ci = f"[{num(r.get('ci_low'))}, {num(r.get('ci_high'))}]"
        runs = f"{num(r.get('runs'))} ({num(r.get('done'))} / {num(r.get('diverged'))} / {num(r.get('failed'))})"
        extra = ""
        if tuned:
            test = r.get("test") or {}
            lr = r.get("chosen_lr")
            lr_text = ", ".join(num(v) for v in lr) if isinstance(lr, list) else num(lr)
            test_ci = f"[{num(test.get('ci_low'))}, {num(test.get('ci_high'))}]"
            extra = (f'<td class="num">{esc(lr_text)}</td><td class="num">{esc(num(test.get("mean")))}</td>'
                     f'<td class="num">{esc(test_ci)}</td>')
        body.append(
            f'<tr data-activation="{esc(r["activation"])}"><td class="num">{esc(num(r.get("rank")))}</td>'
            f'<td>{STAR if r.get("tied_best") else ""}</td>'
            f'<td>{esc(r["activation"])}</td><td class="num">{esc(num(r.get("mean")))}</td>'
            f'<td class="num">{esc(ci)}</td><td>{ci_bar(r, lo, hi)}</td><td class="num">{esc(num(r.get("std")))}</td>'
            f'{extra}<td class="num">{esc(runs)}</td><td class="num">{esc(num(r.get("mean_diff")))}</td>'
            f'<td class="num">{esc(num(r.get("p_holm")))}</td><td class="num">{esc(num(r.get("effect")))}</td>'
            f'<td class="{cls}">{esc(text)}</td></tr>'
        )
    return f'<div class="table-wrap"><table class="data leaderboard"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>'


def groups(rows: list[dict[str, Any]]) -> dict[tuple, list[dict[str, Any]]]:
    """Rows per (dataset, recipe): runs trained under different recipes (epochs, lr, ...) are never ranked in one
    table. The recipe is the one ``actlab.compare.summarize`` returns with each row (model and backend as columns
    for rows without one)."""
    out: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        recipe = r.get("recipe") or {"model": r.get("model"), "backend": r.get("backend")}
        out.setdefault((r.get("dataset"), tuple(recipe.items())), []).append(r)
    return out


def _source(store: str) -> str:
    if store.endswith(".json"):  # no store here: the build fell back to the results shipped in docs/results
        return (f"from the results shipped with actlab (<code>docs/results/{esc(store)}</code>: the comparisons of "
                "docs/compare.md under the tuning protocol, e.g. <code>actlab compare -a relu,tanh,silu,gaussian "
                "--dataset mnist1d --seeds 3</code>); run a comparison of your own to replace them")
    return f"from the comparison store (<code>{esc(store)}</code>)"


def render(site: Site) -> dict[str, str]:
    lb = site.leaderboard
    if isinstance(lb, Missing):
        content = placeholder(lb.reason, lb.command)
    else:
        sections = []
        for (dataset, recipe), rows in sorted(groups(lb).items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
            recipe = dict(recipe)
            model, backend = recipe.get("model", rows[0].get("model")), recipe.get("backend", rows[0].get("backend"))
            details = ", ".join(f"{k} {num(v)}" for k, v in recipe.items() if k not in ("model", "backend"))
            score = rows[0].get("score", "score")
            tuned = any("chosen_lr" in r for r in rows)
            how = ("Tuning protocol: each activation's learning rate chosen on validation (tuning seeds disjoint "
                   "from these), early stopping, ranked and \u2605 on validation; the test score is read once and "
                   "reported, never used to choose. " if tuned else
                   "One learning rate for every activation (untuned)" +
                   (", ranked on the test split, which selects on test. " if score == "final_score" else ". "))
            lm = str(model).startswith("transformer")
            sections.append(
                f"<h2>{esc(dataset)} \u00b7 {esc(model)} \u00b7 {esc(backend)}</h2>"
                f'<p class="muted">{esc(how)}Score: <code>{esc(score)}</code> (mean over seeds, higher is better'
                f'{"; minus nats per character" if lm else ""}). Recipe: {esc(details)}</p>{_group_table(rows)}'
            )
        content = "".join(sections)
    body = f"""
<h1>Leaderboard</h1>
<p class="lead">Activations trained under the same recipe over several seeds, {_source(site.store)}. A difference
counts only when a paired test over seeds says so.</p>
<p class="muted">The 95% confidence interval is for the mean score over seeds. \u201c\u0394 vs baseline\u201d is the mean
paired difference to the baseline (ReLU unless the comparison chose another) on the same seeds; its p-value is
Holm-corrected for the number of activations compared, and \u201csignificantly better/worse\u201d means p &lt; 0.05
after that correction. The effect is the paired difference in units of its standard deviation. Run
<code>actlab compare</code> to add results, then rebuild the lab.</p>
{content}
"""
    return {"leaderboard.html": page("Leaderboard", body, current="leaderboard.html")}
