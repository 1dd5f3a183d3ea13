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
