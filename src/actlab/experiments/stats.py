"""Small statistics for the experiments: mean, standard deviation, t confidence intervals, paired tests."""

from __future__ import annotations

import math

import numpy as np


def summary(values, confidence: float = 0.95) -> dict:
    """Mean, sample std and the two-sided t confidence interval of the mean (n = 1: the interval is the point)."""
    from scipy import stats

    v = np.asarray(values, dtype=np.float64)
    n = v.size
    mean = float(v.mean())
    std = float(v.std(ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * std / math.sqrt(n)) if n > 1 else 0.0
    return {"n": n, "mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half}


def paired(a, b) -> dict:
    """Paired comparison of a - b over the same seeds: mean difference, its 95% CI, t-test and Wilcoxon p-values.

    Both p-values are two-sided; with fewer than 2 pairs (or identical pairs) they are reported as 1.0.
    """
    from scipy import stats

    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    d = a - b
    out = {"mean_diff": float(d.mean()), "wins": int((d > 0).sum()), "losses": int((d < 0).sum())}
    s = summary(d)
    out["diff_ci_low"], out["diff_ci_high"] = s["ci_low"], s["ci_high"]
    if d.size > 1 and np.any(d != d[0]):
        out["t_p"] = float(stats.ttest_rel(a, b).pvalue)
    else:
        out["t_p"] = 1.0
    if d.size >= 2 and np.any(d != 0):
        out["wilcoxon_p"] = float(stats.wilcoxon(a, b, zero_method="zsplit").pvalue)
    else:
        out["wilcoxon_p"] = 1.0
    return out


def binomial_ci(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson (exact) confidence interval of a success rate: never narrower than the truth, and honest at
    0/n and n/n, where the normal approximation collapses to a point."""
    from scipy import stats

    if trials < 1:
        raise ValueError(f"a success rate needs at least one trial; got {trials}.")
    alpha = 1 - confidence
    low = 0.0 if successes == 0 else float(stats.beta.ppf(alpha / 2, successes, trials - successes + 1))
    high = 1.0 if successes == trials else float(stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes))
    return low, high
