"""Showing a comparison: a rich table for the terminal, JSON, CSV, and figures (score distributions, mean learning
curves with 95% bands). Everything renders from the rows of ``stats.summarize_runs``."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any, Sequence

from actlab.compare.stats import Row

HIGHLIGHT = 6  # learning curves drawn in colour, best first


def _fmt(x: float | None, digits: int = 3) -> str:
    return "—" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"


def _p(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return "—"
    return "<0.001" if p < 1e-3 else f"{p:.3f}"


def _is_val(score: str) -> bool:
    return "_val_" in score


def table(rows: Sequence[Row], score: str = "final_score", title: str | None = None):
    """A rich Table: rank, ★ (not significantly worse than the top row), activation, score mean ± std [95% CI],
    Δ vs baseline, p (Holm), effect size, verdict, and the other metrics' means. Ranked by a validation score, the
    test score (mean [95% CI]) follows it: validation chooses, test is what the choice is worth."""
    from rich.table import Table

    t = Table(title=title, title_justify="left", header_style="bold")
    test = [("test final_score", "right"), ("test 95% CI", "right")] if _is_val(score) else []
    for name, justify in (("dataset", "left"), ("#", "right"), ("", "left"), ("activation", "left"), (score, "right"),
                          ("95% CI", "right"), *test, ("Δ vs base", "right"), ("p (Holm)", "right"),
                          ("d_z", "right"), ("", "left"), ("epochs→target", "right"), ("dead", "right"),
                          ("sat.", "right"), ("time/run s", "right"), ("runs", "right")):
        t.add_column(name, justify=justify, no_wrap=True)
    for r in rows:
        s = r.metrics[score]
        ts = r.metrics["final_score"]
        test_cells = [f"{_fmt(ts.mean)} ± {_fmt(ts.std)}", f"[{_fmt(ts.ci_low)}, {_fmt(ts.ci_high)}]"] if test else []
        vb = r.vs_baseline
        verdict = {"+": "[green]▲ better[/]", "-": "[red]▼ worse[/]", "base": "[dim]baseline[/]"}.get(r.mark, "")
        runs = f"{r.done}/{r.runs}" + (f" [red]{r.diverged} div[/]" if r.diverged else "") + \
            (f" [red]{r.failed} failed[/]" if r.failed else "")
        t.add_row(
            r.dataset, str(r.rank), "[bold yellow]★[/]" if r.tied_best else "", r.activation,
            f"{_fmt(s.mean)} ± {_fmt(s.std)}", f"[{_fmt(s.ci_low)}, {_fmt(s.ci_high)}]", *test_cells,
            _fmt(vb.mean_diff, 3) if vb else "", _p(r.p_holm) if vb else "", _fmt(vb.effect, 2) if vb else "",
            verdict, _fmt(r.metrics["epochs_to_target"].mean, 1), _fmt(r.metrics["dead_fraction"].mean, 2),
            _fmt(r.metrics["saturation"].mean, 2), _fmt(r.metrics["train_time"].mean, 2), runs,
        )
    return t


def to_json(rows: Sequence[Row], **meta: Any) -> str:
    return json.dumps({**meta, "rows": [r.to_dict() for r in rows]}, indent=2, allow_nan=False)


CSV_FIELDS = ("dataset", "rank", "tied_best", "activation", "runs", "done", "diverged", "failed", "mark", "mean_diff",
              "p", "p_holm", "effect")


def to_csv(rows: Sequence[Row]) -> str:
    """One line per (dataset, activation): counts, the paired test, and n/mean/std/ci for every metric."""
    metrics = list(rows[0].metrics) if rows else []
    header = list(CSV_FIELDS) + [f"{m}_{s}" for m in metrics for s in ("n", "mean", "std", "ci_low", "ci_high")]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        vb = r.vs_baseline
        line: list[Any] = [r.dataset, r.rank, int(r.tied_best), r.activation, r.runs, r.done, r.diverged, r.failed,
                           r.mark, vb.mean_diff if vb else "", vb.p if vb else "", r.p_holm, vb.effect if vb else ""]
        for m in metrics:
            s = r.metrics[m]
            line += [s.n, s.mean, s.std, s.ci_low, s.ci_high]
        w.writerow(["" if isinstance(v, float) and not math.isfinite(v) else v for v in line])
    return buf.getvalue()


def figures(rows: Sequence[Row], runs: Sequence[dict[str, Any]], out: str | Path,
            score: str = "final_score") -> list[Path]:
    """Per dataset: score distributions (one strip + box per activation) and mean curves with 95% bands, of the
    split ``score`` ranks by (test, or validation for ``final_val_score``).

    Writes PNG and SVG; returns the paths.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from actlab.figures import save_figures

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    split = "validation" if _is_val(score) else "test"
    paths: list[Path] = []
    for dataset in dict.fromkeys(r.dataset for r in rows):
        ds_rows = [r for r in rows if r.dataset == dataset]
        order = [r.activation for r in ds_rows]  # ranked
        values = {a: [] for a in order}
        for run in runs:
            if run["dataset"] == dataset and run["status"] == "done" and run["activation"] in values:
                v = (run.get("metrics") or {}).get(score)
                if v is not None:
                    values[run["activation"]].append(v)
        # Horizontal: activation names stay readable however many there are; the best at the top.
        fig, ax = plt.subplots(figsize=(7.0, 1.2 + 0.28 * len(order)), layout="constrained")
        data = [values[a] or [math.nan] for a in order]
        # 'orientation' arrived in Matplotlib 3.10 and 'vert' is deprecated since; we support >= 3.8.
        horizontal = {"orientation": "horizontal"} if _mpl_at_least(3, 10) else {"vert": False}
        ax.boxplot(data, positions=range(len(order)), widths=0.6, showfliers=False, **horizontal)
        for i, a in enumerate(order):
            ys = [i + 0.12 * ((j % 5) - 2) / 2 for j in range(len(values[a]))]
            ax.scatter(values[a], ys, s=12, alpha=0.7, zorder=3)
        ax.set_yticks(range(len(order)), [f"{r.rank}. {r.activation}" + (f" ({r.diverged} diverged)" if r.diverged
                                                                          else "") for r in ds_rows])
        ax.invert_yaxis()
        ax.set_xlabel(f"{split} {score.replace('_val', '').replace('_', ' ')}")
        ax.set_title(f"{dataset}: {score.replace('_', ' ')} over seeds, ranked")
        ax.grid(axis="x", alpha=0.3)
        paths += save_figures(fig, out / f"{_safe(dataset)}-scores", dpi=120)

        fig, ax = plt.subplots(figsize=(8.0, 4.5), layout="constrained")
        # Many activations make spaghetti: colour the top ones, the baseline and the last; the rest thin and grey.
        shown = {r.activation for r in ds_rows[:HIGHLIGHT]} | {r.activation for r in ds_rows if r.mark == "base"}
        if len(ds_rows) > HIGHLIGHT:
            shown.add(ds_rows[-1].activation)
        greyed = 0
        for r in ds_rows:
            mean, ci = (r.val_curve_mean, r.val_curve_ci) if split == "validation" else (r.curve_mean, r.curve_ci)
            if not mean:
                continue
            epochs = list(range(1, len(mean) + 1))
            if r.activation not in shown:
                ax.plot(epochs, mean, color="0.75", lw=0.7, zorder=1)
                greyed += 1
                continue
            (line,) = ax.plot(epochs, mean, label=f"{r.rank}. {r.activation}", lw=1.6, zorder=3)
            lo = [b[0] if math.isfinite(b[0]) else m for b, m in zip(ci, mean)]
            hi = [b[1] if math.isfinite(b[1]) else m for b, m in zip(ci, mean)]
            ax.fill_between(epochs, lo, hi, color=line.get_color(), alpha=0.15, lw=0, zorder=2)
        if greyed:
            ax.plot([], [], color="0.75", lw=0.7, label=f"{greyed} others")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"{split} score")
        ax.set_title(f"{dataset}: mean {split} score per epoch, 95% band over seeds")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        paths += save_figures(fig, out / f"{_safe(dataset)}-curves", dpi=120)
    return paths


def _mpl_at_least(major: int, minor: int) -> bool:
    import matplotlib

    parts = matplotlib.__version__.split(".")
    return (int(parts[0]), int("".join(c for c in parts[1] if c.isdigit()) or 0)) >= (major, minor)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


# --- the tuning protocol ----------------------------------------------------------------------------------------

def _score_text(value: float | None, lm: bool, digits: int = 3) -> str:
    """A score as printed: language-model scores are minus nats/char, shown as nats/char (lower is better)."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{-value:.{digits}f}" if lm else f"{value:.{digits}f}"


def protocol_table(result, title: str | None = None):
    """The protocol's table: rank and ★ by validation score, the chosen learning rate (⚠ when it is at the edge of
    everything tried), validation and test (mean ± std [95% CI]), Δ vs baseline on validation with Holm's p, the
    budget verdict, the best epoch and the cost."""
    from rich.table import Table

    lm = result.settings.get("model", "").startswith("transformer")
    unit = " nats/char" if lm else ""
    t = Table(title=title, title_justify="left", header_style="bold")
    for name, justify in (("dataset", "left"), ("#", "right"), ("", "left"), ("activation", "left"),
                          ("chosen lr", "right"), (f"val{unit}", "right"), ("val 95% CI", "right"),
                          (f"test{unit}", "right"), ("test 95% CI", "right"), ("Δ val vs base", "right"),
                          ("p (Holm)", "right"), ("", "left"), ("budgets", "left"), ("best epoch", "right"),
                          ("time/run s", "right"), ("runs", "right")):
        t.add_column(name, justify=justify, no_wrap=True)
    choices = {(c.dataset, c.activation): c for c in result.choices}
    for r in result.rows:
        c = choices.get((r.dataset, r.activation))
        lr = "—" if c is None else f"{c.lr:.2g}" + (" [red]⚠ edge[/]" if c.at_edge else
                                                      " (ext.)" if c.edge else "")
        v, ts, vb = r.metrics[result.score], r.metrics["final_score"], r.vs_baseline
        ci = (lambda s: f"[{_score_text(s.ci_high, lm)}, {_score_text(s.ci_low, lm)}]") if lm else \
            (lambda s: f"[{_score_text(s.ci_low, lm)}, {_score_text(s.ci_high, lm)}]")
        verdict = {"+": "[green]▲ better[/]", "-": "[red]▼ worse[/]", "base": "[dim]baseline[/]"}.get(r.mark, "")
        budget = result.budgets.get(r.dataset, {}).get("verdict_by_activation", {}).get(r.activation, "")
        runs = f"{r.done}/{r.runs}" + (f" [red]{r.diverged} div[/]" if r.diverged else "") + \
            (f" [red]{r.failed} failed[/]" if r.failed else "")
        diff = "" if vb is None or vb.mean_diff is None or not math.isfinite(vb.mean_diff) else \
            f"{(-vb.mean_diff if lm else vb.mean_diff):+.3f}"
        t.add_row(r.dataset, str(r.rank), "[bold yellow]★[/]" if r.tied_best else "", r.activation, lr,
                  f"{_score_text(v.mean, lm)} ± {_fmt(v.std)}", ci(v), f"{_score_text(ts.mean, lm)} ± {_fmt(ts.std)}",
                  ci(ts), diff, _p(r.p_holm) if vb else "", verdict,
                  {"winner": "[bold green]winner[/]", "tied": "tied"}.get(budget, ""),
                  _fmt(_mean_metric(result, r, "best_val_epoch"), 1), _fmt(r.metrics["train_time"].mean, 1), runs)
    return t


def _mean_metric(result, row, name: str) -> float | None:
    vals = [e[k] for e in result.per_seed(row.activation, row.dataset)
            for k in ("best_epoch",) if name == "best_val_epoch" and e[k] is not None]
    return sum(vals) / len(vals) if vals else None


def budget_table(result, dataset: str):
    """The budget-sensitivity block of one dataset: the ranking at each budget (top group in bold), Kendall's tau
    between the rankings and the verdict."""
    from rich.table import Table

    block = result.budgets[dataset]
    t = Table(title=f"{dataset}: ranking by validation score at three budgets (bold: the top group, not "
              "significantly below the first)", title_justify="left", header_style="bold", min_width=110)
    t.add_column("budget", no_wrap=True)
    t.add_column("epochs", justify="right")
    t.add_column("ranking (best first)")
    for level in block["levels"]:
        top = set(level["top_group"])
        t.add_row(f"{level['fraction'] * 100:g}%", str(level["epochs"]),
                  ", ".join(f"[bold]{a}[/]" if a in top else a for a in level["ranking"]))
    taus = ", ".join(f"{k}: {_fmt(v, 2)}" for k, v in block["kendall_tau"].items())
    top = ", ".join(block["top_at_every_budget"])
    verdict = {"winner": f"winner: {top} (alone in the top group at every budget)",
               "tied": f"tied: {top} (in the top group at every budget; differences within noise)",
               "unstable": "no winner: the top group changes with the budget"}[block["verdict"]]
    t.caption = f"Kendall tau {taus or '—'} · {verdict}"
    t.caption_justify = "left"
    return t


def lr_figure(result, out: str | Path) -> list[Path]:
    """Per dataset: mean validation score against the learning rate, one line per activation, the chosen rate
    marked (the evidence of the tuning). PNG and SVG; returns the paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from actlab.figures import save_figures

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lm = result.settings.get("model", "").startswith("transformer")
    paths: list[Path] = []
    for dataset in dict.fromkeys(c.dataset for c in result.choices):
        fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
        for c in (c for c in result.choices if c.dataset == dataset):
            pts = [(lr, c.scores[lr]) for lr in c.grid if lr in c.scores and math.isfinite(c.scores[lr])]
            if not pts:
                continue
            xs, ys = zip(*pts)
            ys = [-y for y in ys] if lm else list(ys)
            (line,) = ax.plot(xs, ys, marker="o", ms=3, lw=1.3, label=c.activation + (" ⚠ edge" if c.at_edge else ""))
            if c.lr in c.scores and math.isfinite(c.scores[c.lr]):
                ax.plot([c.lr], [-c.scores[c.lr] if lm else c.scores[c.lr]], marker="*", ms=12,
                        color=line.get_color(), zorder=4)
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("validation nats/char (lower is better)" if lm else "mean validation score")
        ax.set_title(f"{dataset}: tuning, mean over the tuning seeds (★ chosen)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        paths += save_figures(fig, out / f"{_safe(dataset)}-lr", dpi=120)
        plt.close(fig)
    return paths


PROTOCOL_CSV_FIELDS = ("chosen_lr", "lr_grid", "edge", "at_edge", "budget_verdict")


def protocol_csv(result) -> str:
    """The protocol's rows as CSV: :func:`to_csv`'s columns and the tuning's (chosen rate, grid, edge flags)."""
    text = to_csv(result.rows)
    lines = text.splitlines()
    if not lines:
        return text
    choices = {(c.dataset, c.activation): c for c in result.choices}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(next(csv.reader([lines[0]])) + list(PROTOCOL_CSV_FIELDS))
    for r, line in zip(result.rows, lines[1:]):
        c = choices.get((r.dataset, r.activation))
        verdict = result.budgets.get(r.dataset, {}).get("verdict_by_activation", {}).get(r.activation, "")
        extra = [c.lr, " ".join(f"{v:g}" for v in c.grid), c.edge or "", int(c.at_edge)] if c else ["", "", "", ""]
        w.writerow(next(csv.reader([line])) + extra + [verdict])
    return out.getvalue()


def protocol_markdown(data: dict[str, Any]) -> str:
    """A protocol result's JSON (``actlab compare ... --json``) as the Markdown tables of docs/compare.md: the ranked
    rows (chosen rate and grid edge, validation and test with 95% CIs, Δ vs baseline, budget verdict, best epochs)
    and the budget-sensitivity block."""
    st = data["protocol"]
    lm = str(st.get("model", "")).startswith("transformer")

    def val(summary: dict | None, digits: int = 3) -> str:
        v = (summary or {}).get("mean")
        return _score_text(v, lm, digits)

    def ci(summary: dict | None) -> str:
        lo, hi = (summary or {}).get("ci_low"), (summary or {}).get("ci_high")
        if lm:
            lo, hi = hi, lo
        return f"[{_score_text(lo, lm)}, {_score_text(hi, lm)}]"

    unit = "nats/char" if lm else "accuracy"
    lines = [f"| # | | activation | chosen lr | val {unit} | 95% CI | test {unit} | 95% CI | Δ val vs "
             f"{st['baseline']} | p (Holm) | budgets | best epochs |",
             "|--:|:-:|:--|--:|--:|--:|--:|--:|--:|--:|:--|:--|"]
    for r in data["rows"]:
        m, t = r["metrics"], r.get("tuning") or {}
        lr = f"{t.get('chosen_lr', 0):.2g}" + (" ⚠ edge" if t.get("at_edge") else " (extended)" if t.get("edge")
                                               else "")
        vb = r.get("vs_baseline") or {}
        diff = vb.get("mean_diff")
        diff_text = "" if diff is None else f"{(-diff if lm else diff):+.3f}"
        p = r.get("p_holm")
        epochs = ", ".join(str(s["best_epoch"]) for s in r.get("seeds", []) if s.get("best_epoch") is not None)
        v = m.get(SCORE_VAL)
        lines.append(f"| {r['rank']} | {'★' if r.get('tied_best') else ''} | {r['activation']} | {lr} | "
                     f"{val(v)} ± {_fmt((v or {}).get('std'))} | {ci(v)} | "
                     f"{val(m.get('final_score'))} ± {_fmt((m.get('final_score') or {}).get('std'))} | "
                     f"{ci(m.get('final_score'))} | {diff_text} | {'' if p is None else _p(p)} | "
                     f"{r.get('budget_verdict') or ''} | {epochs} |")
    out = ["\n".join(lines)]
    for dataset, block in data.get("budget_sensitivity", {}).items():
        rows = ["| budget | epochs | ranking on validation (bold: top group) |", "|--:|--:|:--|"]
        for level in block["levels"]:
            top = set(level["top_group"])
            rows.append(f"| {level['fraction'] * 100:g}% | {level['epochs']} | "
                        + ", ".join(f"**{a}**" if a in top else a for a in level["ranking"]) + " |")
        taus = ", ".join(f"{k} {_fmt(v, 2)}" for k, v in block["kendall_tau"].items())
        rows.append("")
        rows.append(f"Kendall tau: {taus or '—'}. Verdict: **{block['verdict']}**"
                    + (f" ({', '.join(block['top_at_every_budget'])} in the top group at every budget)."
                       if block["top_at_every_budget"] else " (no activation stays in the top group)."))
        out.append("\n".join(rows))
    return "\n\n".join(out) + "\n"


SCORE_VAL = "final_val_score"
