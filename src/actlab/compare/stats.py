"""Statistics over seeds: mean, standard deviation and 95% confidence interval per activation, a paired test against a
baseline, and a ranking that says which differences are significant.

Runs are paired by (dataset, seed): with the same seed every activation sees the same data split, initial weight
draw and batch order, so the paired difference removes that shared noise. The test is Student's paired t-test
(two-sided); the effect size is Cohen's d_z = mean(diff) / sd(diff). p-values are Holm-corrected over the
activations compared against the baseline on a dataset, so 'significant' holds for the whole table at alpha.
Diverged and failed runs are counted, not averaged: a diverged run has no final score.

Rows rank by ``score``: the test ``final_score`` by default, or ``final_val_score`` for runs with a validation split
(``rank_by="val"``), in which case the paired tests and the tie with the top row are on validation scores too and
the test scores are reported beside them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
from scipy import stats as _st

METRICS = ("final_score", "best_score", "final_loss", "epochs_to_target", "train_time", "cpu_time", "dead_fraction",
           "saturation")
VAL_METRICS = ("final_val_score", "best_val_score")  # only in runs with a validation split
# Higher is better for these; lower for the rest.
HIGHER_IS_BETTER = {"final_score": True, "best_score": True, "final_loss": False, "epochs_to_target": False,
                    "train_time": False, "cpu_time": False, "dead_fraction": False, "saturation": False,
                    "final_val_score": True, "best_val_score": True}
ALPHA = 0.05
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Summary:
    """n, mean, standard deviation (n-1) and the t-based confidence interval of one metric."""

    n: int
    mean: float
    std: float
    ci_low: float
    ci_high: float


def describe(values: Iterable[float], confidence: float = CONFIDENCE) -> Summary:
    """Mean, std and the two-sided t confidence interval; NaN where n is too small to say.

    >>> s = describe([1.0, 2.0, 3.0])
    >>> round(s.mean, 3), round(s.std, 3), round(s.ci_low, 3), round(s.ci_high, 3)
    (2.0, 1.0, -0.484, 4.484)
    """
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    n = int(x.size)
    if n == 0:
        return Summary(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1:
        return Summary(1, mean, math.nan, math.nan, math.nan)
    std = float(x.std(ddof=1))
    half = float(_st.t.ppf(0.5 + confidence / 2, n - 1)) * std / math.sqrt(n)
    return Summary(n, mean, std, mean - half, mean + half)


@dataclass(frozen=True)
class Paired:
    """A paired comparison of ``a`` against ``b`` over matched seeds: mean difference, t, p and Cohen's d_z."""

    n: int
    mean_diff: float
    t: float
    p: float
    effect: float


def paired_test(a: Sequence[float], b: Sequence[float]) -> Paired:
    """Two-sided paired t-test of a - b (matched by position). NaN p when n < 2; p = 1 when every pair ties.

    Matches ``scipy.stats.ttest_rel`` (the tests check it); written out so ties and tiny n have defined answers.
    """
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    n = int(d.size)
    if n == 0:
        return Paired(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(d.mean())
    if n < 2:
        return Paired(n, mean, math.nan, math.nan, math.nan)
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        # Every pair differs by the same amount: no noise, so either no difference (p=1) or an exact one (p=0).
        return Paired(n, mean, 0.0 if mean == 0 else math.copysign(math.inf, mean), 1.0 if mean == 0 else 0.0,
                      0.0 if mean == 0 else math.copysign(math.inf, mean))
    t = mean / (sd / math.sqrt(n))
    p = float(2 * _st.t.sf(abs(t), n - 1))
    return Paired(n, mean, t, p, mean / sd)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (NaN stays NaN), monotone and capped at 1."""
    idx = [i for i, p in enumerate(pvalues) if p is not None and math.isfinite(p)]
    order = sorted(idx, key=lambda i: pvalues[i])
    out = [math.nan] * len(pvalues)
    running = 0.0
    m = len(order)
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        out[i] = running
    return out


@dataclass
class Row:
    """One activation on one dataset: its summaries, its comparison with the baseline, its rank."""

    dataset: str
    activation: str
    runs: int
    done: int
    diverged: int
    failed: int
    metrics: dict[str, Summary] = field(default_factory=dict)
    vs_baseline: Paired | None = None
    p_holm: float = math.nan
    mark: str = ""  # "+" significantly better than the baseline, "-" worse, "" not significant, "base"
    rank: int = 0
    # Paired test against the top-ranked activation of the dataset: tied_best means "not significantly worse than
    # the winner" (Holm-corrected), so the set of tied rows is the honest answer to "which one wins".
    vs_best: Paired | None = None
    tied_best: bool = False
    curve_mean: list[float] = field(default_factory=list)  # the test score per epoch
    curve_ci: list[tuple[float, float]] = field(default_factory=list)
    val_curve_mean: list[float] = field(default_factory=list)  # the validation score per epoch (with a split)
    val_curve_ci: list[tuple[float, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["metrics"] = {k: asdict(v) for k, v in self.metrics.items()}
        d["vs_baseline"] = asdict(self.vs_baseline) if self.vs_baseline else None
        d["vs_best"] = asdict(self.vs_best) if self.vs_best else None
        if not self.val_curve_mean:  # runs without a validation split: the same dict as before there was one
            del d["val_curve_mean"], d["val_curve_ci"]
        return _clean(d)


def _clean(value: Any) -> Any:
    """NaN/inf -> None so the result is strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _metric(run: dict[str, Any], name: str) -> float | None:
    m = run.get("metrics") or {}
    v = m.get(name)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def summarize_runs(runs: Sequence[dict[str, Any]], baseline: str = "relu", score: str = "final_score",
                   alpha: float = ALPHA) -> list[Row]:
    """Rows per (dataset, activation), ranked by mean ``score`` within each dataset (best first).

    ``runs`` are store rows (``Store.runs()``). Pairs with the baseline are formed by seed among done runs. The
    validation metrics are summarised when ranking by one or when some run has them.
    """
    with_val = score in VAL_METRICS or any(_metric(r, "final_val_score") is not None for r in runs)
    metrics = METRICS + VAL_METRICS if with_val else METRICS
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in runs:
        groups.setdefault((r["dataset"], r["activation"]), []).append(r)
    rows: list[Row] = []
    for dataset in dict.fromkeys(d for d, _ in groups):
        ds_rows = []
        for (d, act), members in groups.items():
            if d != dataset:
                continue
            done = [r for r in members if r["status"] == "done"]
            row = Row(dataset, act, len(members), len(done), sum(r["status"] == "diverged" for r in members),
                      sum(r["status"] == "failed" for r in members))
            for name in metrics:
                row.metrics[name] = describe(_metric(r, name) for r in done)
            row.curve_mean, row.curve_ci = _curve(done)
            if with_val:
                row.val_curve_mean, row.val_curve_ci = _curve(done, "val_score")
            ds_rows.append(row)
        by_seed = {row.activation: {r["seed"]: _metric(r, score) for r in groups[(dataset, row.activation)]
                                    if r["status"] == "done"} for row in ds_rows}
        base = next((r for r in ds_rows if r.activation == baseline), None)
        compared = []
        for row in ds_rows:
            if base is None:
                continue
            if row is base:
                row.mark = "base"
                continue
            row.vs_baseline = _pair(by_seed[row.activation], by_seed[baseline])
            compared.append(row)
        for row, p in zip(compared, holm([r.vs_baseline.p for r in compared])):
            row.p_holm = p
            if math.isfinite(p) and p < alpha:
                better = row.vs_baseline.mean_diff > 0 if HIGHER_IS_BETTER.get(score, True) else \
                    row.vs_baseline.mean_diff < 0
                row.mark = "+" if better else "-"
        sign = -1.0 if HIGHER_IS_BETTER.get(score, True) else 1.0
        ds_rows.sort(key=lambda r: (math.isnan(r.metrics[score].mean), sign * _nan_to(r.metrics[score].mean)))
        for i, row in enumerate(ds_rows, start=1):
            row.rank = i
        if ds_rows and not math.isnan(ds_rows[0].metrics[score].mean):
            best = ds_rows[0]
            best.tied_best = True
            others = ds_rows[1:]
            for row in others:
                row.vs_best = _pair(by_seed[row.activation], by_seed[best.activation])
            for row, p in zip(others, holm([r.vs_best.p for r in others])):
                row.tied_best = row.done > 0 and not (math.isfinite(p) and p < alpha)
        rows.extend(ds_rows)
    return rows


def _pair(mine: dict[int, float | None], theirs: dict[int, float | None]) -> Paired:
    seeds = sorted(s for s in mine if s in theirs and mine[s] is not None and theirs[s] is not None)
    return paired_test([mine[s] for s in seeds], [theirs[s] for s in seeds])


def _nan_to(x: float, fill: float = 0.0) -> float:
    return fill if math.isnan(x) else x


def _curve(done: Sequence[dict[str, Any]], split: str = "test_score"
           ) -> tuple[list[float], list[tuple[float, float]]]:
    """Mean score curve of ``split`` (test_score, val_score) over seeds with a 95% t band, epoch by epoch."""
    curves = [r["curve"][split] for r in done if r.get("curve") and r["curve"].get(split)]
    if not curves:
        return [], []
    length = min(len(c) for c in curves)
    mean, band = [], []
    for e in range(length):
        s = describe(c[e] for c in curves)
        mean.append(s.mean)
        band.append((s.ci_low, s.ci_high))
    return mean, band
