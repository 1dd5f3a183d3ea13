"""The comparison harness: which activation wins on a task, with seeds, confidence intervals and a run store.

>>> from actlab.compare import Plan, run                                      # doctest: +SKIP
>>> results = run(Plan(["relu", "gelu", "tanh"], ["iris"], seeds=5, epochs=20, store="runs.sqlite"))
>>> print(results.to_csv())

Every run is a row of an SQLite store (``Store``); re-running the same plan resumes it. ``summarize(path)`` reads
a store back into leaderboard rows (the lab's leaderboard calls it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actlab.compare.harness import Progress, execute_plan, prepare
from actlab.compare.plan import CsvData, Model, Plan, PlanError, run_key
from actlab.compare.stats import Row, paired_test, summarize_runs
from actlab.compare.store import Store

__all__ = ["CsvData", "Model", "Plan", "PlanError", "Progress", "Results", "Row", "Store", "paired_test", "prepare",
           "run", "run_key", "summarize"]


@dataclass
class Results:
    """The table of a finished comparison: ranked rows per dataset, and the runs they come from."""

    plan: Plan
    rows: list[Row]
    runs: list[dict[str, Any]]
    score: str = "final_score"

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, activation: str, dataset: str | None = None) -> Row:
        for r in self.rows:
            if r.activation == activation and (dataset is None or r.dataset == dataset):
                return r
        raise KeyError(f"no row for activation {activation!r}" + (f" on {dataset!r}" if dataset else ""))

    def table(self, title: str | None = None):
        from actlab.compare.report import table

        return table(self.rows, self.score, title)

    def to_json(self) -> str:
        from actlab.compare.report import to_json

        p = self.plan
        return to_json(self.rows, plan={"activations": list(p.activations), "datasets": p.dataset_names,
                                        "model": p.model, "seeds": list(p.seeds), "epochs": p.epochs, "lr": p.lr,
                                        "batch_size": p.batch_size, "optimizer": p.optimizer, "backend": p.backend,
                                        "baseline": p.baseline, "store": str(p.store)},
                       score=self.score)

    def to_csv(self) -> str:
        from actlab.compare.report import to_csv

        return to_csv(self.rows)

    def figures(self, out: str | os.PathLike) -> list[Path]:
        from actlab.compare.report import figures

        return figures(self.rows, self.runs, out, self.score)


def run(plan: Plan, progress: Progress | None = None, executor=None) -> Results:
    """Run ``plan`` (resuming whatever its store already holds) and return its results table."""
    store = execute_plan(plan, progress, executor)
    runs = store.runs(plan.keys())
    store.close()
    return Results(plan, summarize_runs(runs, baseline=plan.baseline), runs)


def summarize(store: str | os.PathLike | Store, baseline: str = "relu", score: str = "final_score"
              ) -> list[dict[str, Any]]:
    """Leaderboard rows (plain dicts, JSON-safe) for every (dataset, model, backend) group in a store.

    Each row: dataset, model, backend, recipe (model, backend, epochs, lr, batch_size, optimizer), activation,
    rank, runs/done/diverged/failed, mean/std/ci of ``score`` and the
    paired test against ``baseline`` (mean_diff, p, p_holm, effect, mark '+'/'-'/''/'base'). An absent store gives [].
    """
    if not isinstance(store, Store):
        if not Path(store).exists():
            return []
        store = Store(store, create=False)
    runs = store.runs()
    # Runs are comparable only under one recipe: group by everything but activation, seed and dataset.
    recipe_keys = ("model", "backend", "epochs", "lr", "batch_size", "optimizer")
    groups: dict[tuple, list[dict]] = {}
    for r in runs:
        groups.setdefault(tuple(r["config"].get(k) for k in recipe_keys), []).append(r)
    out = []
    for recipe, members in groups.items():
        model, backend = recipe[0], recipe[1]
        for row in summarize_runs(members, baseline=baseline, score=score):
            d = row.to_dict()
            s = d["metrics"][score]
            vb = d["vs_baseline"] or {}
            out.append({
                "dataset": row.dataset, "model": model, "backend": backend, "activation": row.activation,
                "rank": row.rank, "runs": row.runs, "done": row.done, "diverged": row.diverged, "failed": row.failed,
                "score": score, "mean": s["mean"], "std": s["std"], "ci_low": s["ci_low"], "ci_high": s["ci_high"],
                "mean_diff": vb.get("mean_diff"), "p": vb.get("p"), "p_holm": d["p_holm"], "effect": vb.get("effect"),
                "mark": row.mark, "metrics": d["metrics"], "recipe": dict(zip(recipe_keys, recipe)),
            })
    return out
