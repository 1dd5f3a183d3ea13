"""Statistics of the comparison harness, checked against SciPy's reference implementations."""

import math

import numpy as np
import pytest
from scipy import stats as st

from actlab.compare.stats import describe, holm, paired_test, summarize_runs


@pytest.mark.parametrize("n", [2, 3, 5, 12])
def test_describe_matches_scipy_t_interval(n):
    x = np.random.default_rng(n).normal(0.7, 0.05, size=n)
    s = describe(x)
    low, high = st.t.interval(0.95, n - 1, loc=x.mean(), scale=st.sem(x))
    np.testing.assert_allclose([s.mean, s.std, s.ci_low, s.ci_high], [x.mean(), x.std(ddof=1), low, high],
                               rtol=1e-12)
    assert s.n == n


def test_describe_ignores_missing_values_and_has_no_interval_for_one_value():
    s = describe([0.5, None, float("nan")])
    assert s.n == 1 and s.mean == 0.5 and math.isnan(s.std) and math.isnan(s.ci_low)
    assert describe([]).n == 0


@pytest.mark.parametrize("seed", range(5))
def test_paired_test_matches_scipy_ttest_rel(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(0.8, 0.03, size=6)
    b = a + rng.normal(0.01 * seed, 0.02, size=6)
    res = paired_test(b, a)
    ref = st.ttest_rel(b, a)
    np.testing.assert_allclose([res.t, res.p], [ref.statistic, ref.pvalue], rtol=1e-10)
    d = b - a
    np.testing.assert_allclose(res.effect, d.mean() / d.std(ddof=1), rtol=1e-12)
    assert res.n == 6


def test_paired_test_without_noise_gives_defined_answers():
    assert paired_test([1.0, 2.0], [1.0, 2.0]).p == 1.0
    exact = paired_test([1.5, 2.5], [1.0, 2.0])
    assert exact.p == 0.0 and exact.mean_diff == 0.5
    assert math.isnan(paired_test([1.0], [0.0]).p)


def test_holm_matches_the_step_down_definition():
    p = [0.01, 0.04, 0.03, 0.005, float("nan")]
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> monotone 0.06
    np.testing.assert_allclose(holm(p)[:4], [0.03, 0.06, 0.06, 0.02])
    assert math.isnan(holm(p)[4])


def _run(act, seed, score, status="done", dataset="iris"):
    return {"dataset": dataset, "activation": act, "seed": seed, "status": status,
            "metrics": {"final_score": score, "train_time": 1.0} if status == "done" else {},
            "curve": {"test_score": [score / 2, score]} if status == "done" else None}


def test_summarize_ranks_marks_significance_and_counts_diverged_runs():
    rng = np.random.default_rng(0)
    base = rng.normal(0.80, 0.01, size=6)
    runs = [_run("relu", s, base[s]) for s in range(6)]
    runs += [_run("gelu", s, base[s] + 0.05 + rng.normal(0, 0.005)) for s in range(6)]  # clearly better
    noise = [0.01, -0.01, 0.02, -0.02, 0.005, -0.005]  # differences that average to zero
    runs += [_run("tanh", s, base[s] + noise[s]) for s in range(6)]
    runs += [_run("sigmoid", s, base[s] - 0.2 + rng.normal(0, 0.005)) for s in range(5)]
    runs.append(_run("sigmoid", 5, None, status="diverged"))
    rows = {r.activation: r for r in summarize_runs(runs, baseline="relu")}
    assert [rows[a].rank for a in ("gelu", "relu", "tanh", "sigmoid")] in ([1, 2, 3, 4], [1, 3, 2, 4])
    assert rows["gelu"].mark == "+" and rows["sigmoid"].mark == "-" and rows["relu"].mark == "base"
    assert rows["tanh"].mark == ""
    assert rows["sigmoid"].diverged == 1 and rows["sigmoid"].done == 5 and rows["sigmoid"].vs_baseline.n == 5
    ref = st.ttest_rel([runs[6 + s]["metrics"]["final_score"] for s in range(6)], base)
    np.testing.assert_allclose(rows["gelu"].vs_baseline.p, ref.pvalue, rtol=1e-10)
    assert len(rows["gelu"].curve_mean) == 2
    assert rows["gelu"].tied_best and not rows["relu"].tied_best and not rows["sigmoid"].tied_best
