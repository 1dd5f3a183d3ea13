"""Each experiment's quick form, run for real, with the claim's direction asserted at margins that mean something.

The experiments run once per test session (module-scoped fixture), into a temporary directory.
"""

from __future__ import annotations

import numpy as np
import pytest

from actlab import experiments

_CACHE: dict[str, experiments.Result] = {}


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("experiments")


def result(name: str, out) -> experiments.Result:
    if name not in _CACHE:
        _CACHE[name] = experiments.run(name, quick=True, seed=0, out=out)
    return _CACHE[name]


def test_linear_collapse_identity_net_is_logistic_regression(out):
    r = result("linear-collapse", out)
    n = r.numbers
    composed = [v for k, v in n.items() if k.startswith("compose.") and k.endswith("max_abs_diff")]
    assert composed and max(composed) < 1e-10  # float64 round-off, not an approximation
    lr = n["logistic_regression_accuracy"]
    assert 0.25 < lr < 0.40  # MNIST-1D's known ~32%
    identity = [v for k, v in n.items() if k.startswith("mnist1d.identity.") and k.endswith(".accuracy")]
    assert len(identity) >= 2
    for acc in identity:
        assert abs(acc - lr) <= 0.02, (acc, lr)
    assert n["best_nonlinear_accuracy"] > lr + 0.15
    assert n["boundary.xor.identity.accuracy"] < 0.8 < 0.95 < n["boundary.xor.relu.accuracy"]  # a line gets 3 of 4 blobs at best


def test_vanishing_gradients_sigmoid_1000x_below_he_relu_at_depth_16(out):
    n = result("vanishing-gradients", out).numbers
    relu_he = n["relu.he_normal.depth16.first_layer_grad"]
    for init in ("glorot_normal", "he_normal", "lecun_normal"):
        assert n[f"sigmoid.{init}.depth16.first_layer_grad"] * 1000 <= relu_he
    assert n["sigmoid.max_derivative"] == pytest.approx(0.25, abs=1e-6)
    # The per-layer factor is about the derivative's peak, 1/4.
    assert 0.15 < n["sigmoid_glorot_factor_per_layer"] < 0.35
    # He init keeps ReLU's gradient level: no geometric decay across 16 layers.
    assert n["relu.he_normal.depth16.first_over_last"] > 0.05


def test_dying_relu_dies_at_high_learning_rate_and_leaky_does_not(out):
    r = result("dying-relu", out)
    n = r.numbers
    top = n["highest_common_lr"]
    assert n["relu_dead_at_highest_lr"] > n["leaky_dead_at_highest_lr"] + 0.2
    assert n["leaky_dead_at_highest_lr"] == 0.0
    assert n[f"train.relu.lr{min(r.settings['learning_rates']):g}.dead_fraction"] < 0.1
    assert top == max(r.settings["learning_rates"])
    # Narrow deep ReLU nets are born dead more often as depth grows.
    assert n["init.width2.depth32.dead_fraction"] > n["init.width2.depth2.dead_fraction"] + 0.3


def test_sparsity_relu_half_zeros_sigmoid_tanh_none(out):
    n = result("sparsity", out).numbers
    assert 0.4 <= n["relu.init.exact_zero"] <= 0.6
    for act in ("sigmoid", "tanh", "leaky_relu", "elu"):
        assert n[f"{act}.init.exact_zero"] == 0.0
        assert n[f"{act}.trained.exact_zero"] == 0.0
    assert n["relu.trained.exact_zero"] > 0.2


def test_zero_centering_positive_inputs_give_one_signed_updates(out):
    n = result("zero-centering", out).numbers
    for act in ("sigmoid", "relu"):
        assert n[f"{act}.d2.same_sign_fraction.batch1"] == 1.0
        assert n[f"{act}.d20.same_sign_fraction.batch1"] == 1.0
    assert n["tanh.d2.same_sign_fraction.batch1"] < 0.7
    assert n["sigmoid.d20.gd_steps"] >= 3 * n["tanh.d20.gd_steps"]
    assert n["sigmoid.d2.condition_number"] > 5 * n["tanh.d2.condition_number"]


def test_saturation_large_weights_saturate_tanh_and_never_relu_on_the_right(out):
    n = result("saturation", out).numbers
    assert n["tanh.saturated_init_x1"] < 0.1
    assert n["tanh.saturated_init_x9"] > 0.5
    assert n["sigmoid.saturated_init_x9"] > 0.3
    assert n["relu_family_right_saturation_max"] == 0.0
    assert n["tanh.init_x9.accuracy"] < n["tanh.init_x1.accuracy"] - 0.1


def test_universal_approximation_error_falls_with_units_identity_stays(out):
    n = result("universal-approximation", out).numbers
    for target in ("sin", "abs"):
        for act in ("relu", "tanh", "sigmoid"):
            assert n[f"least_squares.{target}.{act}.units128.rmse"] < 0.2 * n[f"least_squares.{target}.{act}.units2.rmse"]
    assert n["identity_error_change"] < 1e-6
    assert n["least_squares.sin.identity.units128.rmse"] > 0.5  # a line cannot follow sin(3x)


def test_cost_relu_reaches_the_training_error_in_fewer_steps_than_tanh(out):
    r = result("cost", out)
    n = r.numbers
    assert all(s > 0 for s in n["race.relu.steps_by_seed"] + n["race.tanh.steps_by_seed"])
    assert n["race_median_ratio_tanh_over_relu"] > 1.2
    # Timings vary run to run: they are under meta, never among the numbers.
    assert not any("ns" in k for k in n)
    timings = r.meta["timings_numpy"]
    assert all(timings[a]["forward_ns"] > 0 for a in r.settings["activations"])


def test_output_layer_bounded_output_ruins_regression(out):
    n = result("output-layer", out).numbers
    linear = n["regression.linear + MSE.score"]
    assert linear > 0.7
    assert linear > n["regression.sigmoid + MSE.score"] + 0.2
    assert linear > n["regression.relu + MSE.score"] + 0.2
    assert n["multiclass.softmax + cross-entropy.score"] > 0.9
    assert n["binary_sigmoid_vs_softmax_gap"] < 0.03


def test_self_normalization_selu_stays_at_variance_one(out):
    n = result("self-normalization", out).numbers
    for start in ("standard", "wide", "narrow"):
        assert 0.8 <= n[f"selu.{start}.layer50_var"] <= 1.25
        assert abs(n[f"selu.{start}.layer50_mean"]) < 0.1
    assert n["relu.standard.layer50_var"] < 1e-6  # halves every layer with LeCun init
    assert n["tanh.standard.layer50_var"] < 0.1


def test_swish_vs_relu_tunes_the_learning_rate_per_activation_and_pairs_seeds(out):
    r = result("swish-vs-relu", out)
    n = r.numbers
    seeds = len(r.settings["seeds"])
    for act in r.settings["activations"]:
        accs = n[f"{act}.accuracy_by_seed"]
        assert len(accs) == seeds and min(accs) > 0.35  # all far above chance (10%)
        lo, hi = n[f"{act}.ci95"]
        assert lo <= n[f"{act}.mean"] <= hi
        # The rate was chosen on validation from the grid (or its one-step extension at an edge).
        tried = [float(k) for k in n[f"{act}.val_score_by_lr"]]
        assert n[f"{act}.chosen_lr"] in tried and set(r.settings["lr_grid"]) <= set(tried)
        best = max(v for v in n[f"{act}.val_score_by_lr"].values() if v is not None)
        assert n[f"{act}.val_score_by_lr"][f"{n[f'{act}.chosen_lr']:g}"] == best
    p = n["silu.vs_relu"]
    assert p["mean_diff"] == pytest.approx(np.mean(n["silu.accuracy_by_seed"]) - np.mean(n["relu.accuracy_by_seed"]),
                                           abs=1e-5)
    assert 0.0 <= p["t_p"] <= 1.0 and 0.0 <= p["wilcoxon_p"] <= 1.0
    # The verdict is computed from the paired CI: tied exactly when it contains 0.
    expected = "tied" if p["diff_ci_low"] <= 0 <= p["diff_ci_high"] else (
        "better than relu" if p["diff_ci_low"] > 0 else "worse than relu")
    assert p["verdict"] == expected
    assert (r.status == "confirmed") == (expected == "better than relu")
    assert [lv["epochs"] for lv in n["budget_levels"]] == sorted(lv["epochs"] for lv in n["budget_levels"])


def test_nalu_arithmetic_success_rates_with_binomial_intervals(out):
    r = result("nalu-arithmetic", out)
    n = r.numbers
    seeds = len(r.settings["seeds"])
    assert seeds >= 5
    for unit, op in [("nac", "a+b"), ("nac", "a-b"), ("nau", "a+b"), ("nau", "a-b"), ("nalu", "a*b"),
                     ("nmu", "a*b")]:
        rate = n[f"{unit}.{op}.success_rate"]
        low, high = n[f"{unit}.{op}.success_ci95"]
        assert low <= rate <= high and (high - low) > 0.3  # 5 seeds cannot pin a rate down
        assert len(n[f"{unit}.{op}.success_by_steps"]) == len(r.settings["checkpoints"])
        assert n[f"{unit}.{op}.success_by_steps"][-1] == rate
        assert n[f"{unit}.{op}.verdict"] in ("works", "unreliable", "fails")
    # Madsen & Johansen's units: NAU adds and subtracts within the quick budget, NMU multiplies at least as often as
    # NALU (which diverges on most seeds).
    assert n["nau.a+b.success_rate"] >= 0.8 and n["nau.a-b.success_rate"] >= 0.8
    assert n["nmu.a*b.success_rate"] >= n["nalu.a*b.success_rate"]
    assert n["identity.a+b.extrapolation_median"] < 1e-6  # a linear model is exact on a linear target
    for mlp in ("relu", "identity"):
        assert n[f"{mlp}.a*b.extrapolation_median"] > 5
    assert "success_by_steps.png" in [p.name for p in r.figures]


def test_every_quick_result_has_a_verdict_line(out):
    for name in list(_CACHE):
        r = _CACHE[name]
        assert r.summary.splitlines()[-1].startswith("Verdict: ")
        assert r.status in experiments.STATUSES
