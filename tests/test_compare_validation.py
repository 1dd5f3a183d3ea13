"""The validation split of the comparison harness: held out of the training split only, the same for every seed where
the training split is, recorded next to the test score, rankable; and with val_fraction 0 nothing changes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from actlab import data
from actlab.cli import main
from actlab.compare import Plan, PlanError, run, summarize
from actlab.compare.datasets import holdout, validation_index
from actlab.compare.runner import execute

# Keys of plans written before the validation split existed: an unchanged recipe must keep them, or every existing
# store would silently recompute its runs.
KNOWN_KEYS = {
    ("iris", "relu", 0): "c6f656d6d7b0366fd4ea",
    ("iris", "silu", 0): "90e3a3572f7c9f4562a0",
    ("iris", "relu", 1): "72b5716cbd502e3e1e5c",
    ("iris", "silu", 1): "e5118c3fce50a6c197db",
}
SEARCH_KEYS = {"relu": "de8b67fa2446d2490342", "silu": "cf140d18f48276edd3be"}  # the search's recipe, seed 0


def test_val_fraction_zero_keeps_the_run_keys_of_existing_stores(tmp_path):
    for plan in (Plan(["relu", "silu"], ["iris"], seeds=2, epochs=3, store=tmp_path / "s.sqlite"),
                 Plan(["relu", "silu"], ["iris"], seeds=2, epochs=3, store=tmp_path / "s.sqlite", val_fraction=0)):
        configs = plan.configs()
        assert {(c["dataset"]["name"], c["activation"], c["seed"]): c["key"] for c in configs} == KNOWN_KEYS
        assert all("val_fraction" not in c for c in configs)
    search = Plan(["relu", "silu"], ["mnist1d"], model="mlp:64,64,64", seeds=[0], epochs=3, lr=1e-2,
                  store=tmp_path / "s.sqlite", eval_batches=1)
    assert {c["activation"]: c["key"] for c in search.configs()} == SEARCH_KEYS
    held = Plan(["relu", "silu"], ["iris"], seeds=2, epochs=3, store=tmp_path / "s.sqlite", val_fraction=0.2)
    assert not set(held.keys()) & set(KNOWN_KEYS.values())  # another training set: other runs
    assert all(c["val_fraction"] == 0.2 for c in held.configs())


def test_val_fraction_zero_leaves_the_data_and_the_run_untouched(tmp_path):
    ds = data.load("iris", seed=0)
    same, val = holdout(ds, 0.0)
    assert same is ds and val is None
    config = Plan(["tanh"], ["iris"], seeds=1, epochs=2, store=tmp_path / "s.sqlite").configs()[0]
    result = execute(config)
    assert "val_score" not in result["curve"] and not any("val" in k for k in result["metrics"])


@pytest.mark.parametrize("seed", [0, 3])
def test_mnist1d_validation_split_is_fixed_disjoint_and_stratified(seed):
    ds = data.load("mnist1d", seed=seed)
    train, val = holdout(ds, 0.2)
    assert len(val.y) == 800 and len(train.y_train) == 3200 and len(train.y_test) == len(ds.y_test) == 1000
    assert np.array_equal(val.index, validation_index(ds.y_train, ds.task, 0.2))  # deterministic
    again = holdout(data.load("mnist1d", seed=seed + 1), 0.2)[1]
    assert np.array_equal(val.index, again.index) and np.array_equal(val.X, again.X)  # seed-independent
    keep = np.setdiff1d(np.arange(len(ds.y_train)), val.index)
    assert not set(keep) & set(val.index.tolist()) and len(keep) + len(val.index) == len(ds.y_train)
    # the same examples, re-standardised on the remaining training rows (an affine map per feature)
    raw = np.asarray(ds.X_train)
    mean, std = raw[keep].mean(axis=0), raw[keep].std(axis=0)
    np.testing.assert_allclose(val.X, (raw[val.index] - mean) / std, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(train.X_train, (raw[keep] - mean) / std, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(train.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_array_equal(val.y, np.asarray(ds.y_train)[val.index])
    # no validation example is a training or a test example
    rows = {r.tobytes() for r in np.asarray(train.X_train)} | {r.tobytes() for r in np.asarray(train.X_test)}
    assert not any(r.tobytes() in rows for r in np.asarray(val.X))
    share = np.bincount(val.y, minlength=10) / np.bincount(ds.y_train, minlength=10)
    np.testing.assert_allclose(share, 0.2, atol=0.01)  # stratified by class


def test_where_the_seed_draws_the_split_validation_rows_come_from_that_seeds_training_rows():
    for name in ("iris", "diabetes"):
        for seed in (0, 1):
            ds = data.load(name, seed=seed)
            train, val = holdout(ds, 0.25)
            assert len(val.y) + len(train.y_train) == len(ds.y_train)
            assert len(train.y_test) == len(ds.y_test)
            np.testing.assert_array_equal(np.sort(val.index), val.index)
            assert np.array_equal(val.index, holdout(ds, 0.25)[1].index)
    # regression: targets re-standardised on the remaining rows; target_scale still maps back to the original units
    ds = data.load("diabetes", seed=0)
    train, val = holdout(ds, 0.25)
    original = np.asarray(ds.y_train) * ds.target_scale[1] + ds.target_scale[0]
    np.testing.assert_allclose(np.asarray(train.y_train) * train.target_scale[1] + train.target_scale[0],
                               np.delete(original, val.index), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(val.y) * train.target_scale[1] + train.target_scale[0],
                               original[val.index], rtol=1e-12)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_run_records_a_validation_curve_next_to_the_test_one(tmp_path, backend):
    plan = Plan(["relu", "tanh"], ["iris"], seeds=2, epochs=4, store=tmp_path / "s.sqlite", workers=0,
                backend=backend, model="mlp:16", val_fraction=0.2, rank_by="val")
    results = run(plan)
    for r in results.runs:
        assert r["status"] == "done"
        assert len(r["curve"]["val_score"]) == len(r["curve"]["test_score"]) == 4
        m = r["metrics"]
        assert m["final_val_score"] == r["curve"]["val_score"][-1]
        assert m["best_val_score"] == max(r["curve"]["val_score"]) and 1 <= m["best_val_epoch"] <= 4
        assert m["final_score"] == r["curve"]["test_score"][-1]
    assert results.score == "final_val_score"
    by_val = sorted(results.rows, key=lambda row: -row.metrics["final_val_score"].mean)
    assert [row.activation for row in results.rows] == [row.activation for row in by_val]
    assert all(len(row.val_curve_mean) == 4 for row in results.rows)


def test_a_diverged_run_has_no_final_validation_score(tmp_path):
    plan = Plan(["relu"], ["iris"], seeds=1, epochs=3, lr=1e12, optimizer="sgd", store=tmp_path / "s.sqlite",
                workers=0, val_fraction=0.2)
    r = run(plan).runs[0]
    assert r["status"] == "diverged" and r["metrics"]["final_val_score"] is None
    assert len(r["curve"]["val_score"]) == len(r["curve"]["test_score"])


def test_summarize_ranks_by_validation_or_test_and_keeps_recipes_apart(tmp_path):
    store = tmp_path / "s.sqlite"
    run(Plan(["relu", "tanh", "sigmoid"], ["iris"], seeds=3, epochs=4, store=store, workers=0, val_fraction=0.2))
    run(Plan(["relu", "tanh"], ["iris"], seeds=2, epochs=4, store=store, workers=0))
    held = [r for r in summarize(store, rank_by="val") if r["recipe"].get("val_fraction")]
    plain = [r for r in summarize(store, rank_by="val") if not r["recipe"].get("val_fraction")]
    assert len(held) == 3 and len(plain) == 2  # two recipes: never ranked together
    assert {r["score"] for r in held} == {"final_val_score"} and {r["score"] for r in plain} == {"final_score"}
    assert "val_fraction" not in plain[0]["recipe"]  # rows of older runs look as they did
    means = [r["mean"] for r in sorted(held, key=lambda r: r["rank"])]
    assert means == sorted(means, reverse=True)
    assert all(r["mean"] == r["metrics"]["final_val_score"]["mean"] for r in held)
    by_test = [r for r in summarize(store, rank_by="test") if r["recipe"].get("val_fraction")]
    assert {r["score"] for r in by_test} == {"final_score"}
    assert all(r["mean"] == r["metrics"]["final_score"]["mean"] for r in by_test)
    assert summarize(store) == summarize(store, rank_by="test")
    with pytest.raises(PlanError, match="rank_by"):
        summarize(store, rank_by="train")


@pytest.mark.parametrize("bad", [0.6, -0.1, math.nan, math.inf, "0.2", True])
def test_plan_rejects_a_bad_val_fraction(tmp_path, bad):
    with pytest.raises(PlanError, match=r"--val-fraction.*\[0, 0\.5\].*Got"):
        Plan(["relu"], ["iris"], store=tmp_path / "s.sqlite", val_fraction=bad).validate()


@pytest.mark.parametrize("bad", ["0.7", "-0.1", "abc", "nan"])
def test_cli_bad_val_fraction_is_one_line_naming_option_range_and_value(tmp_path, capsys, bad):
    store = tmp_path / "s.sqlite"
    with pytest.raises(SystemExit) as exit_:
        main(["compare", "-a", "relu", "-d", "iris", "--val-fraction", bad, "--store", str(store), "-q"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.strip().splitlines()) == 1, err
    assert "--val-fraction" in err and "[0, 0.5]" in err and repr(bad) in err
    assert not store.exists()


def test_cli_rank_by_val_needs_a_validation_split(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    assert main(["compare", "-a", "relu", "-d", "iris", "--rank-by", "val", "--store", str(store), "-q",
                 "--untuned"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--val-fraction" in err and "--rank-by val" in err
    assert not store.exists()


def test_cli_ranks_by_validation_and_reports_test_beside_it(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    csv_path = tmp_path / "out.csv"
    args = ["compare", "-a", "relu,tanh", "-d", "iris", "--seeds", "2", "--epochs", "3", "--untuned", "--store",
            str(store), "-j", "0", "-q", "--val-fraction", "0.2", "--rank-by", "val"]
    assert main([*args, "--json", "--csv", str(csv_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["score"] == "final_val_score" and out["plan"]["val_fraction"] == 0.2
    assert all(row["metrics"]["final_val_score"]["n"] == 2 and row["val_curve_mean"] for row in out["rows"])
    assert "final_val_score_mean" in csv_path.read_text().splitlines()[0]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "final_val_score" in table and "test final_score" in table and "held out for validation" in table
