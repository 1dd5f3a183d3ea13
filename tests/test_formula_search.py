"""The formula-space search: the candidate space and its filters, the Swish-likeness measure, successive halving with a
stand-in scorer (selection on validation scores, never test ones), and a tiny end-to-end search through the
comparison harness."""

from __future__ import annotations

import json
import math
import zlib

import numpy as np
import pytest

import actlab
from actlab.catalog._math import sigmoid
from actlab.formula import undefine
from actlab.search import (BINARY, SWISH_LIKE, VAL_FRACTION, candidates, rung_sizes, search, space,
                                   swish_distance, swish_match)


@pytest.fixture(scope="module")
def sp():
    return space()


@pytest.fixture
def clean_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTLAB_CONFIG", str(tmp_path / "none.toml"))
    yield
    for n in actlab.names(source="user"):
        if n.startswith("srch_"):
            undefine(n)


def test_space_is_small_distinct_and_holds_the_swish_family(sp):
    forms = {c.canonical for c in sp.candidates}
    assert len(forms) == len(sp.candidates) == len({c.name for c in sp.candidates})
    assert 150 <= len(sp.candidates) <= 200  # so --budget 200 is exhaustive
    assert "x/(1 + exp(-x))" in forms  # x * sigmoid(x)
    assert "x*tanh(log(exp(x) + 1))" in forms  # Mish
    assert any("erf(sqrt(2)*x/2)" in f and f.startswith("x*") for f in forms)  # x * Phi(x): GELU
    assert sp.dropped["constant"] > 0 and sp.dropped["duplicate"] > 0 and sp.dropped["equivalent"] > 0
    assert sum(sp.dropped.values()) + len(sp.candidates) == sp.combinations


def test_equivalent_candidates_are_kept_once_in_their_simplest_form(sp):
    formulas = {c.formula for c in sp.candidates}
    # sigmoid(x) - x = -(x - sigmoid(x)): the next layer absorbs the sign, so only one of them is trained
    assert ("x - (sigmoid(x))" in formulas) != ("sigmoid(x) - (x)" in formulas)
    for dropped, kept in sp.equivalent_to.items():
        assert kept in formulas and dropped not in formulas


def test_no_candidate_is_constant_linear_or_overflowing(sp):
    from actlab.formula.codegen import NumpyFunction
    from actlab.formula.define import build

    t = np.linspace(-30, 30, 601)
    for c in sp.candidates:
        y = NumpyFunction(build("c", c.formula, {}).stable, ())(t)
        assert np.all(np.isfinite(y)) and np.max(np.abs(y)) <= 1e6, c.formula
        slope = np.polyfit(t, y, 1)
        assert np.max(np.abs(y - np.polyval(slope, t))) > 1e-6, c.formula


def test_budget_takes_a_stratified_sample_simplest_first(sp):
    everything = candidates()
    assert sorted(c.name for c in everything) == sorted(c.name for c in sp.candidates)
    assert {c.name for c in candidates(200)} == {c.name for c in sp.candidates}  # the default budget: all of it
    first = candidates(len(BINARY))
    assert sorted(c.binary for c in first) == sorted(BINARY)  # one per binary operator
    for b in BINARY:
        ranks = [c.complexity for c in everything if c.binary == b]
        assert ranks == sorted(ranks)
    assert [c.name for c in candidates(30, seed=0)] == [c.name for c in candidates(30, seed=0)]
    assert [c.name for c in candidates(30, seed=1)] != [c.name for c in candidates(30, seed=0)]


def test_swish_match_separates_the_swish_family_from_rectifiers():
    t_swish = lambda t: t * sigmoid(t)  # noqa: E731
    assert swish_distance(actlab.get("silu"), actlab.get("silu").derivative) == pytest.approx(0.0, abs=1e-9)
    assert swish_match(lambda t: 3 * t * sigmoid(2 * t) + 1).distance < 1e-3  # scale, offset and beta are free
    assert swish_match(lambda t: -t_swish(-t)).swish_like  # the sign and reflection the next layer absorbs
    for name, low, high in (("gelu", 0.0, 0.05), ("mish", 0.05, SWISH_LIKE)):
        m = swish_match(actlab.get(name), actlab.get(name).derivative)
        assert low < m.distance < high and m.swish_like, (name, m)
    for name in ("relu", "elu", "leaky_relu", "softplus", "tanh"):
        m = swish_match(actlab.get(name), actlab.get(name).derivative)
        assert not m.swish_like, (name, m)
    assert swish_match(actlab.get("relu"), actlab.get("relu").derivative).distance > 0.4
    assert not swish_match(np.cos).swish_like and not swish_match(lambda t: t * t).swish_like
    assert math.isinf(swish_distance(lambda t: np.full_like(t, np.nan)))


def test_rung_sizes_shrink_by_eta_until_the_finalists_are_near():
    assert rung_sizes(191, 8, 3) == [191, 64, 22]
    assert rung_sizes(24, 8, 3) == [24]
    assert rung_sizes(2, 1, 3) == [2]


def _stub(calls, test_disagrees: bool = False):
    """A stand-in task: on validation, the closer to Swish, the better, plus a little seed noise. The test scores
    are the same, or with ``test_disagrees`` the opposite (the farther from Swish, the better)."""

    def scorer(names, *, seeds, epochs, store, executor=None, progress=None, **recipe):
        calls.append({"names": list(names), "seeds": list(seeds), "epochs": epochs, "recipe": recipe,
                      "executor": executor})
        out = {}
        for n in names:
            act = actlab.get(n)
            base = 1 - min(1.0, swish_distance(act, act.derivative))
            val = {s: base + 0.001 * (zlib.crc32(f"{n}/{s}".encode()) % 7 - 3) for s in seeds}
            test = {s: 1 - v for s, v in val.items()} if test_disagrees else dict(val)
            vals = list(test.values())
            out[n] = {"scores": test, "val_scores": val, "mean": float(np.mean(vals)), "ci_low": min(vals),
                      "ci_high": max(vals), "n": len(vals), "diverged": 0, "p": 0.5, "tied_best": False}
        return out

    return scorer


def test_search_halves_then_confirms_on_fresh_seeds(tmp_path, clean_registry):
    calls = []
    report = search(40, top=3, seeds=2, epochs=4, screen_epochs=1, workers=0, store=str(tmp_path / "s.sqlite"),
                    scorer=_stub(calls))
    assert rung_sizes(40, 3, 3) == [40, 14, 5]
    assert [c["epochs"] for c in calls] == [1, 4, 4, 4]
    assert [c["seeds"] for c in calls] == [[0], [0, 1], [0, 1, 2], [3, 4]]  # confirmation: seeds never selected on
    assert [len(c["names"]) for c in calls] == [42, 16, 7, 5]  # relu + silu + 40 -> 14 -> 5 -> 3
    assert all(c["names"][:2] == ["relu", "silu"] for c in calls)
    assert calls[0]["recipe"]["model"] == "mlp:64,64,64" and calls[0]["recipe"]["dataset"] == "mnist1d"
    # rungs hold a validation split out; the confirmation trains on the whole training split
    assert [c["recipe"]["val_fraction"] for c in calls] == [VAL_FRACTION] * 3 + [0.0]
    assert calls[0]["executor"] is not None and all(c["executor"] is calls[0]["executor"] for c in calls)  # one pool
    assert [r["candidates"] for r in report.rungs] == [40, 14, 5, 3] and report.rungs[-1]["confirmation"]
    assert [r.rank for r in report.final] == [1, 2, 3, 4, 5]
    means = [r.mean for r in report.final]
    assert means == sorted(means, reverse=True)
    assert {r.name for r in report.final if r.baseline} == {"relu", "silu"}
    finalists = [r for r in report.final if not r.baseline]
    assert all(len(r.screen) == 3 for r in finalists)  # a score in each rung it went through
    assert sorted(c["overall_rank"] for c in report.candidates) == list(range(1, 41))
    saved = json.loads((tmp_path / "s.search.json").read_text())
    assert saved["final"][0]["rank"] == 1 and len(saved["candidates"]) == 40
    assert saved["swish_like_ranks"] == report.swish_like_ranks


def test_search_finds_swish_when_the_task_rewards_it(tmp_path, clean_registry):
    report = search(200, top=4, seeds=2, epochs=2, screen_epochs=1, workers=0, store=str(tmp_path / "s.sqlite"),
                    scorer=_stub([]))
    best = report.candidates[0]
    assert best["swish_like"] and best["formula"] == "(x) * (sigmoid(x))"
    ranks = report.swish_like_ranks["overall"]
    assert len(ranks) == 3 and ranks[:2] == [1, 2] and ranks[2] <= 5  # Swish, x * Phi(x), then Mish (0.09 away)


def test_rung_selection_follows_validation_scores_when_test_disagrees(tmp_path, clean_registry):
    agree = search(40, top=3, seeds=2, epochs=4, screen_epochs=1, workers=0, store=str(tmp_path / "a.sqlite"),
                   scorer=_stub([]))
    undefine_search_candidates()
    calls = []
    disagree = search(40, top=3, seeds=2, epochs=4, screen_epochs=1, workers=0, store=str(tmp_path / "d.sqlite"),
                      scorer=_stub(calls, test_disagrees=True))
    finalists = {r.name for r in disagree.final if not r.baseline}
    # The same finalists whatever the test scores say: the rungs never read them.
    assert finalists == {r.name for r in agree.final if not r.baseline}
    assert "(x) * (sigmoid(x))" in {r.formula for r in disagree.final}  # best on validation, worst on test
    # Each rung kept the best on validation: every survivor scored at least as well as every candidate it dropped.
    scores = {c["name"]: c["scores"] for c in disagree.candidates}
    for i, rung in enumerate(disagree.rungs[:-1]):
        reached = [n for n, sc in scores.items() if len(sc) > i]
        kept = {n for n, sc in scores.items() if len(sc) > i + 1} if i + 1 < len(disagree.rungs) - 1 else finalists
        assert len(kept) == rung["kept"]
        assert min(scores[n][i] for n in kept) >= max(scores[n][i] for n in reached if n not in kept)
        assert rung["score"] == "final_val_score" and rung["val_fraction"] == VAL_FRACTION
    # The reported scores are the validation ones of the stand-in; the confirmed means are the test ones.
    best = next(r for r in disagree.final if r.formula == "(x) * (sigmoid(x))")
    assert best.screen[0] > 0.9 and best.mean < 0.1
    assert disagree.rungs[-1]["confirmation"] and disagree.rungs[-1]["score"] == "final_score"
    assert disagree.settings["selection"] == "final_val_score" and disagree.settings["val_fraction"] == VAL_FRACTION


def undefine_search_candidates():
    for n in actlab.names(source="user"):
        if n.startswith("srch_"):
            undefine(n)


def test_a_scorer_without_validation_scores_cannot_select(tmp_path, clean_registry):
    def test_only(names, *, seeds, **_):
        return {n: {"scores": {s: 0.5 for s in seeds}} for n in names}

    with pytest.raises(KeyError, match="val_scores"):
        search(5, top=1, seeds=2, workers=0, store=str(tmp_path / "s.sqlite"), scorer=test_only)


def test_search_refuses_bad_settings(tmp_path, clean_registry):
    with pytest.raises(ValueError, match="seeds must be an integer >= 2"):
        search(5, seeds=1, store=str(tmp_path / "s.sqlite"), scorer=_stub([]))
    with pytest.raises(ValueError, match="eta"):
        search(5, eta=1, store=str(tmp_path / "s.sqlite"), scorer=_stub([]))
    for bad in (0, 0.0, 0.6, -0.1, float("nan")):
        with pytest.raises(ValueError, match=r"--val-fraction.*\(0, 0\.5\].*Got"):
            search(5, val_fraction=bad, store=str(tmp_path / "s.sqlite"), scorer=_stub([]))


@pytest.mark.parametrize("bad", ["0", "0.7", "-1", "abc"])
def test_search_cli_rejects_a_bad_val_fraction_in_one_line(bad, capsys):
    from actlab.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["search", "--val-fraction", bad, "--quiet"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.strip().splitlines()) == 1, err
    assert "--val-fraction" in err and "(0, 0.5]" in err and repr(bad) in err


@pytest.mark.slow
def test_search_runs_through_the_comparison_harness_and_resumes(tmp_path, clean_registry, actlab_cli):
    store = tmp_path / "s.sqlite"
    args = ("search", "--budget", "3", "--top", "1", "--seeds", "2", "--epochs", "1", "--screen-epochs", "1",
            "--workers", "0", "--store", str(store), "--json", "--quiet")
    r = actlab_cli(*args)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    names = {row["name"] for row in report["final"]}
    assert {"relu", "silu"} <= names and len(names) == 3
    assert all(row["n"] == 2 for row in report["final"])
    from actlab.compare import Store

    runs = Store(str(store)).runs()
    assert len(runs) == 5 + 3 * 2  # screening: 5 runs (1 epoch); confirmation: 3 x 2 fresh seeds
    assert {r["status"] for r in runs} == {"done"}
    screening = [r for r in runs if r["seed"] == 0]
    confirmation = [r for r in runs if r["seed"] != 0]
    assert all(r["config"]["val_fraction"] == VAL_FRACTION and r["metrics"]["final_val_score"] is not None
               for r in screening)  # selected on validation accuracy
    assert all("val_fraction" not in r["config"] and "final_val_score" not in r["metrics"] for r in confirmation)
    finalist = next(row for row in report["final"] if not row["baseline"])
    first = next(r for r in screening if r["activation"] == finalist["name"])
    assert finalist["screen"] == [first["metrics"]["final_val_score"]]
    again = actlab_cli(*args)  # everything comes back from the store
    assert again.returncode == 0 and json.loads(again.stdout)["final"] == report["final"]
    assert len(Store(str(store)).runs()) == len(runs)
