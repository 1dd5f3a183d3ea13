"""Seed 004's worked example done right: `actlab example boston` and the library functions behind it."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from actlab.cli import main
from actlab.data import boston_rm_medv
from actlab.examples.boston import (SEED_MISTAKES, fit_boston, plot_boston, seed_partials, seed_procedure,
                                   seed_procedure_starts)


def test_default_fit_reaches_the_best_mse_this_model_can_reach_quickly():
    fit = fit_boston()
    assert fit.mse <= 36.0
    assert fit.mse >= 35.7  # the best k2*sigmoid(k1*x + b1) + b2 can do is about 35.75
    assert fit.seconds < 2.0
    assert not fit.diverged
    assert fit.line_mse == pytest.approx(43.60, abs=0.005)


def test_quick_settings_already_beat_the_line():
    fit = fit_boston(iterations=300)
    assert fit.mse <= 36.0
    assert fit.iterations == len(fit.loss_curve) == 300
    assert fit.loss_curve[-1] < fit.loss_curve[0]


def test_learned_formula_is_in_original_units():
    fit = fit_boston(iterations=400)
    x, y = boston_rm_medv()
    sigmoid = 1 / (1 + np.exp(-(fit.k1 * x + fit.b1)))
    assert np.mean((y - (fit.k2 * sigmoid + fit.b2)) ** 2) == pytest.approx(fit.mse, rel=1e-12)
    assert fit.k1 > 0  # written in the canonical orientation
    assert "RM" in fit.formula and "sigmoid" in fit.formula


def test_seed_partials_are_the_gradient_of_the_mean_squared_error():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=50), rng.normal(size=50)
    p = np.array([0.7, -0.3, 1.5, 0.2])  # k1, b1, k2, b2

    def mse(q):
        return np.mean((y - (q[2] / (1 + np.exp(-(q[0] * x + q[1]))) + q[3])) ** 2)

    y_hat = p[2] / (1 + np.exp(-(p[0] * x + p[1]))) + p[3]
    analytic = seed_partials(x, y, y_hat, p[0], p[1], p[2])
    h = 1e-6
    numeric = [(mse(p + h * e) - mse(p - h * e)) / (2 * h) for e in np.eye(4)]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7)


def test_all_four_parameters_are_updated_together_from_one_prediction():
    x, y = boston_rm_medv()
    u, v = (x - x.mean()) / x.std(), (y - y.mean()) / y.std()
    k1, b1, k2, b2 = np.random.default_rng(0).normal(size=4)
    lr = 0.5
    g = seed_partials(u, v, k2 / (1 + np.exp(-(k1 * u + b1))) + b2, k1, b1, k2)
    expected = np.array([k1, b1, k2, b2]) - lr * np.array(g)
    one = fit_boston(iterations=1, lr=lr, seed=0)
    # one step, then mapped back to original units
    K1, B1 = expected[0] / x.std(), expected[1] - expected[0] * x.mean() / x.std()
    K2, B2 = y.std() * expected[2], y.mean() + y.std() * expected[3]
    if K1 < 0:
        K1, B1, K2, B2 = -K1, -B1, -K2, K2 + B2
    np.testing.assert_allclose([one.k1, one.b1, one.k2, one.b2], [K1, B1, K2, B2], rtol=1e-12)


def test_the_seeds_procedure_is_worse_than_simultaneous_standardised_descent():
    ours = fit_boston(iterations=300)
    seed = seed_procedure(iterations=300)
    assert seed.mse > ours.mse + 5  # raw input with lr 1e-3 has barely started after 300 steps
    raw = fit_boston(iterations=300, lr=1e-3, standardize=False)
    assert raw.mse > ours.mse + 5


def test_many_starts_of_the_seeds_procedure_agree_with_one_start_at_a_time():
    many = seed_procedure_starts(starts=3, iterations=200)
    one = [seed_procedure(iterations=200, seed=s).mse for s in range(3)]
    np.testing.assert_allclose(many, one, rtol=1e-9)


def test_too_large_a_step_is_reported_as_diverged():
    fit = fit_boston(iterations=200, lr=50.0)
    assert fit.diverged


def test_bad_settings_say_what_was_expected():
    with pytest.raises(ValueError, match="learning rate"):
        fit_boston(lr=0)
    with pytest.raises(ValueError, match="iterations"):
        fit_boston(iterations=0)


def test_figure_is_written(tmp_path):
    path = plot_boston(fit_boston(iterations=100), tmp_path / "boston.png")
    assert path.stat().st_size > 10_000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_json_prints_the_numbers(capsys, tmp_path):
    out = tmp_path / "b.png"
    assert main(["example", "boston", "--json", "--iterations", "400", "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mse"] <= 36.0 and data["line_mse"] == pytest.approx(43.60, abs=0.005)
    assert {"k1", "b1", "k2", "b2", "formula", "loss_curve", "seed_mistakes"} <= set(data)
    assert data["loss_curve"]["iteration"][0] == 1 and data["loss_curve"]["iteration"][-1] == 400
    assert math.isfinite(data["loss_curve"]["mse"][-1])
    assert out.exists() and data["figure"] == str(out)


def test_cli_text_explains_what_the_seed_got_wrong(capsys):
    assert main(["example", "boston", "--iterations", "300"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # undo the line wrapping
    assert "MSE" in text and "43.60" in text
    assert "without the square" in text
    assert "one prediction" in text
    assert "Standardising" in text
    assert len(SEED_MISTAKES) == 3


def test_cli_bad_input_is_one_line_and_non_zero(capsys):
    assert main(["example", "boston", "--lr", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "learning rate" in err
    assert main(["example", "boston", "--out", "fig.txt"]) == 2
