"""The fair comparison protocol: per-activation learning rates chosen on validation, the test split sealed until the
final evaluation, resumable tuning, the budget-sensitivity block."""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import Future

import numpy as np
import pytest

from _compare_helpers import compare_cli, store_rows

from actlab.cli import main
from actlab.compare import PlanError, Tuning, run_protocol
from actlab.compare.protocol import TUNING_SEED_BASE, budget_sensitivity

PY = sys.executable


class ResponseSurface:
    """An executor whose 'training' is a known response surface: each activation's validation score peaks at its
    own learning rate (``optimum``), falling off quadratically in log10(lr). It records every configuration it runs.
    The protocol's selection, extension and bookkeeping run for real on top of it."""

    name = "surface"
    capacity = 1

    def __init__(self, optimum: dict[str, float], epochs_curve: int = 8):
        self.optimum = optimum
        self.seen: list[dict] = []
        self.epochs_curve = epochs_curve

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def submit(self, config):
        self.seen.append(config)
        peak = self.optimum[config["activation"]]
        top = 0.9 - 0.1 * math.log10(config["lr"] / peak) ** 2 + 0.001 * (config["seed"] % 3)
        curve = [top * (1 - 0.5 ** (e + 1)) for e in range(self.epochs_curve)]
        metrics = {"final_val_score": curve[-1], "best_val_score": curve[-1], "best_val_epoch": len(curve),
                   "final_score": curve[-1] - 0.02 if config["phase"] == "eval" else None, "epochs_run": len(curve)}
        future: Future = Future()
        future.set_result({"status": "done", "metrics": metrics, "curve": {"val_score": curve, "loss": curve},
                           "versions": {}, "host": "h", "worker": "h:1"})
        return future


def test_the_learning_rate_is_chosen_per_activation_on_validation(tmp_path):
    # tanh needs a 10x larger rate than relu: a shared rate would handicap one of them.
    surface = ResponseSurface({"relu": 1e-3, "tanh": 1e-2})
    result = run_protocol(["relu", "tanh"], "iris", seeds=2, epochs=8, store=tmp_path / "s.sqlite",
                          tuning=Tuning(grid=(1e-4, 1e-3, 1e-2, 1e-1)), executor=surface)
    assert result.chosen_lr("relu") == pytest.approx(1e-3)
    assert result.chosen_lr("tanh") == pytest.approx(1e-2)
    assert result.chosen_lr("tanh") / result.chosen_lr("relu") == pytest.approx(10)
    # the evaluation seeds trained at each activation's own rate; tuning used the tuning seeds only
    evals = [c for c in surface.seen if c["phase"] == "eval"]
    assert {(c["activation"], c["lr"]) for c in evals} == {("relu", 1e-3), ("tanh", 1e-2)}
    assert {c["seed"] for c in evals} == {0, 1}
    assert {c["seed"] for c in surface.seen if c["phase"] == "tune"} == {TUNING_SEED_BASE, TUNING_SEED_BASE + 1}
    assert result.choice("relu").edge is None and not result.choice("relu").at_edge


def test_an_edge_pick_extends_the_grid_one_step_and_is_flagged(tmp_path):
    surface = ResponseSurface({"relu": 1.0, "tanh": 1e-3})  # relu's optimum lies far above the grid
    result = run_protocol(["relu", "tanh"], "iris", seeds=1, epochs=8, store=tmp_path / "s.sqlite",
                          tuning=Tuning(grid=(1e-3, 1e-2)), executor=surface)
    relu = result.choice("relu")
    assert relu.edge == "high" and relu.grid == pytest.approx([1e-3, 1e-2, 1e-1])
    assert relu.lr == pytest.approx(1e-1) and relu.at_edge  # still the highest tried: the best may lie further out
    tanh = result.choice("tanh")  # at the low edge: extended downwards, and the extension lost
    assert tanh.edge == "low" and tanh.grid == pytest.approx([1e-4, 1e-3, 1e-2])
    assert tanh.lr == pytest.approx(1e-3) and not tanh.at_edge
    # 2 rates x 2 tuning seeds for each activation, then one extension each on both seeds
    assert sum(c["phase"] == "tune" for c in surface.seen) == 2 * (2 * 2 + 2)


def test_tuning_seeds_must_be_disjoint_from_the_evaluation_seeds(tmp_path):
    with pytest.raises(PlanError, match=r"disjoint.*\[1\]"):
        run_protocol(["relu"], "iris", seeds=[0, 1], tuning=Tuning(seeds=[1, 7]), store=tmp_path / "s.sqlite",
                     workers=0)
    assert not (tmp_path / "s.sqlite").exists()


class Spy:
    """An array that logs every read of its values (NumPy and torch read through ``__array__``)."""

    def __init__(self, array, name, log):
        self.array, self.name, self.log = np.asarray(array), name, log

    def __array__(self, dtype=None, copy=None):
        self.log.append(("read", self.name))
        return self.array if dtype is None else self.array.astype(dtype)


def test_the_test_split_is_read_once_per_evaluation_seed_after_training(tmp_path, monkeypatch):
    import dataclasses

    from actlab.compare import datasets, numpy_backend

    log: list[tuple] = []
    real_load, real_train = datasets.load, numpy_backend.train

    def spied_load(dataset, seed):
        data = real_load(dataset, seed)
        return dataclasses.replace(data, X_test=Spy(data.X_test, "X_test", log),
                                   y_test=Spy(data.y_test, "y_test", log))

    def spied_train(config, data, val=None):
        log.append(("train", config["phase"], config["seed"]))
        out = real_train(config, data, val)
        log.append(("trained", config["phase"], config["seed"]))
        return out

    monkeypatch.setattr(datasets, "load", spied_load)
    monkeypatch.setattr(numpy_backend, "train", spied_train)
    result = run_protocol(["relu", "tanh"], "iris", seeds=2, epochs=6, store=tmp_path / "s.sqlite", workers=0,
                          tuning=Tuning(grid=(1e-2, 1e-1), patience=3))
    reads = [i for i, e in enumerate(log) if e[0] == "read"]
    assert len(reads) == 2 * 4  # X_test and y_test, once for each of the 4 evaluation runs
    first_eval = next(i for i, e in enumerate(log) if e[:2] == ("train", "eval"))
    assert min(reads) > first_eval  # no tuning run ever opened the test split
    for i in reads:  # each read follows a finished training (the refit), never one in progress
        before = [e for e in log[:i] if e[0] in ("train", "trained")]
        assert before[-1][0] == "trained" and before[-1][1] == "eval"
    # and the scores it produced are reported, next to the validation scores that ranked
    seeds = result.per_seed("relu")
    assert len(seeds) == 2 and all(0 <= s["test_score"] <= 1 and 0 <= s["val_score"] <= 1 for s in seeds)




PROTOCOL = ["-a", "relu,tanh,sigmoid", "-d", "digits", "--seeds", "2", "--epochs", "10", "--lr-grid",
            "1e-3,1e-2,1e-1", "--patience", "5", "-q", "--workers", "0"]


def test_resume_after_kill_mid_tuning_keeps_every_finished_run(tmp_path):
    store = tmp_path / "runs.sqlite"
    proc = subprocess.Popen(compare_cli(*PROTOCOL, "--store", str(store)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 180
    while time.time() < deadline:
        time.sleep(0.2)
        if store.exists():
            try:
                done = [r for r in store_rows(store) if r["status"] == "done"]
            except sqlite3.OperationalError:
                continue
            if len(done) >= 2:
                break
        assert proc.poll() is None, proc.stderr.read().decode()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = store_rows(store)
    assert all(json.loads(r["config"])["phase"] == "tune" for r in before)  # killed while tuning
    finished = {r["key"]: r["finished"] for r in before if r["status"] == "done"}
    assert 2 <= len(finished) < 9, "the kill must land mid-tuning (9 tuning runs)"

    again = subprocess.run(compare_cli(*PROTOCOL, "--store", str(store), "--json"), capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    after = store_rows(store)
    phases = [json.loads(r["config"])["phase"] for r in after]
    assert phases.count("tune") >= 9 and phases.count("eval") == 6
    assert all(r["status"] == "done" for r in after)
    for r in after:
        if r["key"] in finished:  # kept, not redone
            assert r["finished"] == finished[r["key"]] and r["attempts"] == 1
    out = json.loads(again.stdout)
    assert {row["activation"] for row in out["rows"]} == {"relu", "tanh", "sigmoid"}


def test_cli_json_reports_choice_grid_budget_block_and_ranks_on_validation(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    args = ["compare", "-a", "relu,tanh,sigmoid", "-d", "iris", "--seeds", "3", "--epochs", "8", "--lr-grid",
            "1e-3,1e-2,1e-1", "--patience", "4", "--store", str(store), "-j", "0", "-q"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["score"] == "final_val_score" and out["protocol"]["ranked_by"] == "final_val_score"
    assert out["protocol"]["tuning_seeds"] == [TUNING_SEED_BASE, TUNING_SEED_BASE + 1] and out["protocol"]["eval_seeds"] == [0, 1, 2]
    vals = [row["metrics"]["final_val_score"]["mean"] for row in out["rows"]]
    assert vals == sorted(vals, reverse=True)  # ranked by validation, whatever the test scores say
    for row in out["rows"]:
        tuning = row["tuning"]
        assert tuning["chosen_lr"] in tuning["grid"] and len(tuning["val_score_by_lr"]) == len(tuning["grid"])
        assert {1e-3, 1e-2, 1e-1} <= set(tuning["grid"])
        assert row["metrics"]["best_score"]["n"] == 0  # no best-on-test
        assert len(row["seeds"]) == 3 and all(s["test_score"] is not None for s in row["seeds"])
    block = out["budget_sensitivity"]["iris"]
    assert [level["fraction"] for level in block["levels"]] == [0.25, 0.5, 1.0]
    assert [level["epochs"] for level in block["levels"]] == [2, 4, 8]
    assert set(block["kendall_tau"]) == {"25%-50%", "25%-100%", "50%-100%"}
    assert block["verdict"] in ("winner", "tied", "unstable")
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "chosen lr" in table and "Kendall tau" in table and "100%" in table


def test_cli_refuses_to_rank_the_protocol_on_test(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    assert main(["compare", "-a", "relu", "-d", "iris", "--rank-by", "test", "--store", str(store), "-q"]) == 2
    err = capsys.readouterr().err
    assert "test split" in err and "--untuned" in err and not store.exists()


def _runs(act_scores: dict[str, list[list[float]]]):
    """Store-like evaluation runs from per-seed validation curves."""
    return [{"dataset": "d", "activation": a, "seed": s, "status": "done", "config": {"lr": 0.01},
             "curve": {"val_score": curve}, "metrics": {}}
            for a, curves in act_scores.items() for s, curve in enumerate(curves)]


def test_budget_sensitivity_winner_tied_and_unstable():
    # a clearly better at every budget (every seed): the winner
    runs = _runs({"a": [[0.8, 0.9, 0.95, 0.96]] * 3, "b": [[0.5, 0.6, 0.61, 0.62], [0.52, 0.58, 0.6, 0.6],
                                                          [0.49, 0.61, 0.62, 0.63]]})
    block = budget_sensitivity(runs, 4, baseline="b", window=1)
    assert block["verdict"] == "winner" and block["top_at_every_budget"] == ["a"]
    assert [lv["epochs"] for lv in block["levels"]] == [1, 2, 4]
    assert block["kendall_tau"]["25%-100%"] == pytest.approx(1.0)
    # b leads early, a late, both decisively: the order flips (tau -1) and nobody stays on top
    runs = _runs({"a": [[0.1, 0.2, 0.9, 0.95], [0.11, 0.21, 0.91, 0.96], [0.12, 0.19, 0.9, 0.94]],
                  "b": [[0.7, 0.7, 0.7, 0.7], [0.71, 0.71, 0.71, 0.71], [0.69, 0.7, 0.69, 0.7]]})
    block = budget_sensitivity(runs, 4, baseline="b", window=1)
    assert block["verdict"] == "unstable" and block["kendall_tau"]["25%-100%"] == pytest.approx(-1.0)
    # within noise of each other throughout: tied
    runs = _runs({"a": [[0.6, 0.7, 0.8, 0.8], [0.5, 0.6, 0.7, 0.7], [0.7, 0.8, 0.9, 0.9]],
                  "b": [[0.55, 0.72, 0.78, 0.81], [0.6, 0.65, 0.75, 0.72], [0.62, 0.74, 0.85, 0.86]]})
    block = budget_sensitivity(runs, 4, baseline="b", window=1)
    assert block["verdict"] == "tied" and set(block["top_at_every_budget"]) == {"a", "b"}


def test_early_stopping_restores_the_best_trailing_mean_epoch():
    from actlab.compare.early_stopping import BestEpoch, restored

    # a one-epoch spike does not win against a plateau with window 3; the plateau's last improvement does
    assert restored([0.5, 0.9, 0.5, 0.8, 0.8, 0.8, 0.7], window=3) == (6, 0.8)
    best = BestEpoch(patience=2, window=1)
    stops = [best.update(s, lambda s=s: s) for s in (0.3, 0.6, 0.5, 0.55)]
    assert stops == [False, False, False, True] and best.state == 0.6


def test_the_evaluation_refits_for_the_validated_epochs(tmp_path):
    from actlab.compare import Plan
    from actlab.compare.runner import execute

    cfg = Plan(["relu"], ["iris"], seeds=[0], epochs=12, lr=1e-2, store="unused", phase="eval", patience=4,
               val_fraction=0.2, data_seed=0, refit=True).configs()[0]
    m = execute(cfg)["metrics"]
    assert m["refit_epochs"] == m["best_val_epoch"] and 1 <= m["best_val_epoch"] <= 12
    assert 0 <= m["final_score"] <= 1 and m["best_score"] is None


def test_transformer_ffn_variants_have_equal_parameter_counts():
    from actlab.compare.models.transformer import build, n_params
    from actlab.compare.plan import Model

    model = Model.parse("transformer:2,48")
    counts = {a: n_params(build(model, a, 100)) for a in ("relu", "gelu", "silu", "sigmoid", "glu", "reglu",
                                                        "geglu", "swiglu")}
    base = counts["relu"]
    assert all(abs(c - base) / base < 0.01 for c in counts.values()), counts
    assert counts["swiglu"] != base  # really a different block (three matrices, 8d/3 wide), not the same one


def test_transformer_and_cnn_train_under_the_protocol(tmp_path):
    from actlab.compare import Plan
    from actlab.compare.runner import execute

    lm = Plan(["swiglu"], ["pydoc_topics"], model="transformer:1,32", backend="torch", seeds=[0], epochs=1,
              batch_size=4, lr=3e-3, store="unused", phase="eval", patience=2, val_fraction=0.2,
              data_seed=0).configs()[0]
    out = execute(lm)
    assert out["status"] == "done", out.get("error")
    nats = -out["metrics"]["final_score"]
    assert 1.0 < nats < math.log(120)  # learned something in 50 steps, below a uniform guess over the alphabet
    cnn = Plan(["relu"], ["mnist1d"], model="cnn", backend="torch", seeds=[0], epochs=2, lr=3e-3, store="unused",
               phase="eval", patience=2, val_fraction=0.2, data_seed=0, refit=True).configs()[0]
    out = execute(cnn)
    assert out["status"] == "done", out.get("error")
    assert out["metrics"]["final_score"] > 0.15 and out["metrics"]["refit_epochs"] >= 1


def test_transformer_plans_are_checked(tmp_path):
    from actlab.compare import Plan

    with pytest.raises(PlanError, match="--backend torch"):
        Plan(["relu"], ["pydoc_topics"], model="transformer", phase="eval", val_fraction=0.2,
             store="unused").validate()
    with pytest.raises(PlanError, match="pydoc_topics"):
        Plan(["relu"], ["mnist1d"], model="transformer", backend="torch", phase="eval", val_fraction=0.2,
             store="unused").validate()
    with pytest.raises(PlanError, match="gated"):
        Plan(["swiglu"], ["mnist1d"], store="unused").validate()  # gated only in a transformer's FFN


def test_leaderboard_groups_protocol_runs_with_their_chosen_rates(tmp_path):
    from actlab.compare import summarize
    from actlab.report.lab.pages import leaderboard
    from actlab.report.lab.site import Site
    from actlab.report.lab.sources import Missing

    surface = ResponseSurface({"relu": 1e-3, "tanh": 1e-2})
    run_protocol(["relu", "tanh"], "iris", seeds=2, epochs=8, store=tmp_path / "s.sqlite",
                 tuning=Tuning(grid=(1e-4, 1e-3, 1e-2, 1e-1)), executor=surface)
    rows = summarize(tmp_path / "s.sqlite")
    # one group despite two learning rates; tuning runs are evidence, not rows; ranked on validation
    assert sorted((r["activation"], r["chosen_lr"]) for r in rows) == [("relu", 1e-3), ("tanh", 1e-2)]
    assert all(r["recipe"]["lr"] == "tuned" and r["score"] == "final_val_score" and r["runs"] == 2 for r in rows)
    assert all(r["test"]["n"] == 2 for r in rows)
    site = Site(entries=[], accuracy=Missing("x"), experiments=[], experiments_problem=None, leaderboard=rows,
                store="runs.sqlite")
    html = leaderboard.render(site)["leaderboard.html"]
    assert "chosen lr" in html and "Tuning protocol" in html and html.count("<h2>") == 1


def test_backends_never_import_the_runner_or_the_protocol():
    """Arrows run one way: protocol -> harness -> runner -> backends -> probe/plan (issue 19)."""
    import ast
    from pathlib import Path

    import actlab.compare as pkg

    root = Path(pkg.__file__).parent
    upstream = {"actlab.compare.runner", "actlab.compare.harness", "actlab.compare.protocol",
                "actlab.compare.executors"}
    for path in [root / "numpy_backend.py", root / "torch_backend.py", root / "probe.py", root / "early_stopping.py",
                 *sorted((root / "models").glob("*.py"))]:
        imported = {node.module for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ImportFrom)}
        assert not imported & upstream, (path.name, imported & upstream)


def test_recommend_cites_the_protocol_comparisons(tmp_path):
    from actlab.experiments.recommend import comparison_evidence, format_advice, recommend

    surface = ResponseSurface({"relu": 1e-3, "tanh": 1e-2})
    result = run_protocol(["relu", "tanh"], "iris", seeds=2, epochs=8, store=tmp_path / "s.sqlite",
                          tuning=Tuning(grid=(1e-4, 1e-3, 1e-2, 1e-1)), executor=surface)
    shipped = {**result.to_dict(), "command": "actlab compare -a relu,tanh -d iris", "wall_seconds": 1.5,
               "machine": {"cpu": "AMD EPYC", "cores": 2}}
    (tmp_path / "compare-mnist1d-protocol.json").write_text(json.dumps(shipped))
    [entry] = comparison_evidence(tmp_path)
    assert entry["command"] == "actlab compare -a relu,tanh -d iris" and entry["machine"]["cpu"] == "AMD EPYC"
    assert {r["activation"]: r["chosen_lr"] for r in entry["ranking"]} == {"relu": 1e-3, "tanh": 1e-2}
    assert entry["verdict"] == result.budgets["iris"]["verdict"] and entry["lr_grid"] == [1e-4, 1e-3, 1e-2, 1e-1]
    advice = recommend("multiclass")
    advice["comparisons"] = [entry]
    text = format_advice(advice)
    assert "learning rate tuned per activation" in text and "actlab compare -a relu,tanh -d iris" in text


def test_cnn_is_the_mnist1d_papers_convbase():
    """Greydanus 2020's ConvBase: conv k5/s2/p1 then two conv k3/s2/p1 of 25 channels, 125 -> 10 read-out: 5,210
    parameters, the count the paper's code prints."""
    import torch.nn as nn

    from actlab.compare.plan import Model
    from actlab.compare.torch_backend import build

    net = build(Model.parse("cnn"), "relu", 40, 10)
    convs = [m for m in net.modules() if isinstance(m, nn.Conv1d)]
    assert [c.kernel_size[0] for c in convs] == [5, 3, 3]
    assert all(c.stride[0] == 2 and c.padding[0] == 1 for c in convs)
    assert sum(p.numel() for p in net.parameters()) == 5210
    wider = build(Model.parse("cnn:8,16"), "relu", 40, 10)  # any widths: the read-out follows the lengths
    assert wider[-1].in_features == 16 * 10


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_the_rate_falls_on_a_validation_plateau_and_the_refit_replays_it(backend):
    from actlab.compare import Plan, datasets
    from actlab.compare.runner import _backend

    lr = 3e-2
    cfg = Plan(["relu"], ["iris"], seeds=[0], epochs=40, lr=lr, backend=backend, store="unused", phase="eval",
               patience=40, lr_decay=3, val_fraction=0.2, data_seed=0, refit=True).configs()[0]
    assert cfg["lr_decay"] == [3, 0.3]
    full, _sealed = datasets.seal_test(datasets.load(cfg["dataset"], 0))
    data, val = datasets.holdout(full, 0.2)
    first = _backend(backend)(cfg, data, val)
    rates = first["curve"]["lr"]
    assert len(rates) == len(first["curve"]["val_score"]) == 40
    assert rates[0] == lr and min(rates) < lr  # iris's validation accuracy stalls within 40 epochs
    cuts = [i for i in range(1, len(rates)) if rates[i] != rates[i - 1]]
    assert all(rates[i] == pytest.approx(rates[i - 1] * 0.3) for i in cuts)
    assert all(b - a >= 3 for a, b in zip([0] + cuts, cuts))  # at most one cut per 3 stalled epochs
    best = first["best_epoch"]
    again = _backend(backend)({**cfg, "epochs": best, "patience": None, "lr_replay": rates[:best]}, full, None)
    assert again["curve"]["lr"] == rates[:best]  # the refit trained each epoch at its validation run's rate


def test_a_constant_rate_keeps_the_run_keys_of_earlier_protocol_runs():
    from actlab.compare import Plan

    common = dict(seeds=[0], epochs=5, lr=1e-2, store="unused", phase="eval", patience=3, val_fraction=0.2,
                  data_seed=0)
    constant = Plan(["relu"], ["iris"], **common).configs()[0]
    decayed = Plan(["relu"], ["iris"], lr_decay=10, **common).configs()[0]
    assert "lr_decay" not in constant and decayed["lr_decay"] == [10, 0.3]
    assert constant["key"] != decayed["key"]
    with pytest.raises(PlanError, match="lr_decay"):
        Plan(["relu"], ["iris"], lr_decay=0, **common).validate()


def test_cli_lr_decay_is_a_protocol_option(tmp_path, capsys):
    assert main(["compare", "-a", "relu", "--untuned", "--lr-decay", "5", "--store", str(tmp_path / "s")]) == 2
    assert "--lr-decay belongs to the tuning protocol" in capsys.readouterr().err
    assert main(["compare", "-a", "relu", "--lr-decay", "-1", "--store", str(tmp_path / "s")]) == 2
    assert "--lr-decay must be a number of epochs >= 1, or 0" in capsys.readouterr().err
