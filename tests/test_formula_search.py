"""The formula-space search: the candidate space, the Swish-likeness measure, and a small end-to-end search."""

from __future__ import annotations

import json

import numpy as np
import pytest

import actlab
from actlab.formula import undefine
from actlab.formula.search import candidates, search, swish_distance


@pytest.fixture(scope="module")
def space():
    return candidates(0)


def test_space_is_deduplicated_and_holds_swish(space):
    canon = [c.canonical for c in space]
    assert len(canon) == len(set(canon)) > 500
    assert "x/(1 + exp(-x))" in canon  # x * sigmoid(x) is in the space (from x*sigmoid(x) and x*(sigmoid(x)))
    assert "x" not in canon and "2*x" not in canon and "1" not in canon  # linear and constant ones are dropped
    assert [c.name for c in candidates(0)] == [c.name for c in space]  # the order is a pure function of the seed
    assert [c.name for c in candidates(1)] != [c.name for c in space]


def test_swish_distance():
    assert swish_distance(actlab.get("silu")) == pytest.approx(0.0, abs=1e-12)
    assert swish_distance(lambda t: 3 * t / (1 + np.exp(-t))) == pytest.approx(0.0, abs=1e-12)
    assert swish_distance(actlab.get("relu")) < 0.2 < swish_distance(np.sin)


def test_search_with_a_stub_scorer_ranks_and_reports(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTLAB_CONFIG", str(tmp_path / "none.toml"))
    seen = []

    def scorer(names, *, seeds, **kwargs):  # a stand-in task: the closer to Swish, the better
        seen.append((list(names), list(seeds)))
        return {n: {"mean": 1 - min(1.0, swish_distance(actlab.get(n))), "ci_low": 0.0, "ci_high": 1.0,
                    "n": len(seeds), "p": 0.5} for n in names}

    try:
        report = search(30, top=3, seeds=2, store=str(tmp_path / "s.sqlite"), scorer=scorer)
        assert seen[0][1] == [0] and seen[1][1] == [0, 1]
        assert len(seen[0][0]) == 32 and seen[1][0][:2] == ["relu", "silu"]
        assert [r.rank for r in report.final] == [1, 2, 3, 4, 5]
        means = [r.mean for r in report.final]
        assert means == sorted(means, reverse=True)
        saved = json.loads((tmp_path / "s.search.json").read_text())
        assert len(saved["screened"]) == 30 and saved["final"][0]["rank"] == 1
    finally:
        for n in actlab.names(source="user"):
            if n.startswith("srch_"):
                undefine(n)


@pytest.mark.slow
def test_search_runs_through_the_comparison_harness(tmp_path, monkeypatch, actlab_cli):
    monkeypatch.setenv("ACTLAB_CONFIG", str(tmp_path / "none.toml"))
    store = tmp_path / "s.sqlite"
    try:
        r = actlab_cli("search", "--budget", "2", "--top", "1", "--seeds", "2", "--epochs", "1", "--workers", "0",
                       "--store", str(store), "--json")
        assert r.returncode == 0, r.stderr
        report = json.loads(r.stdout)
        names = {row["name"] for row in report["final"]}
        assert {"relu", "silu"} <= names and len(names) == 3
        assert all(row["n"] == 2 for row in report["final"])
        from actlab.compare import Store

        assert len(Store(str(store)).runs()) == 4 + 3  # screening: 4 runs; confirmation: 3 x 2, 3 reused from it
    finally:
        for n in actlab.names(source="user"):
            if n.startswith("srch_"):
                undefine(n)
