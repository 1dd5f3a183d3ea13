"""The comparison harness: which activation wins on a task, with seeds, confidence intervals and a run store.

The fair way to ask is :func:`run_protocol` (:mod:`actlab.compare.protocol`): the learning rate tuned per activation
on validation, evaluation seeds disjoint from the tuning seeds, early stopping, ranking on validation, test read once.
``run(Plan(...))`` below is the single-recipe sweep it is built on (one learning rate for every activation).

>>> from actlab.compare import Plan, run                                      # doctest: +SKIP
>>> results = run(Plan(["relu", "gelu", "tanh"], ["iris"], seeds=5, epochs=20, store="runs.sqlite"))
>>> print(results.to_csv())

Every run is a row of an SQLite store (``Store``); re-running the same plan resumes it. ``summarize(path)`` reads
a store back into leaderboard rows (the lab's leaderboard calls it).

With ``Plan(..., val_fraction=0.2, rank_by="val")`` each run holds a fifth of its training split out as a validation
set, records a validation curve next to the test one, and the table ranks by validation score, so choosing an
activation never looks at the test split (see :mod:`actlab.compare.datasets`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actlab.compare.harness import Progress, execute_plan, prepare
from actlab.compare.plan import RANK_BY, CsvData, Model, Plan, PlanError, run_key
from actlab.compare.protocol import ProtocolResult, Tuning, run_protocol
from actlab.compare.stats import Row, paired_test, summarize_runs
from actlab.compare.store import Store

__all__ = ["CsvData", "Model", "Plan", "PlanError", "Progress", "ProtocolResult", "Results", "Row", "Store", "Tuning",
           "paired_test", "prepare", "run", "run_key", "run_protocol", "summarize"]


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
                                        "baseline": p.baseline, "store": str(p.store),
                                        "val_fraction": p.val_fraction, "rank_by": p.rank_by},
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
    return Results(plan, summarize_runs(runs, baseline=plan.baseline, score=plan.score), runs, plan.score)


RECIPE_KEYS = ("model", "backend", "epochs", "lr", "batch_size", "optimizer")


def summarize(store: str | os.PathLike | Store, baseline: str = "relu", score: str = "final_score",
              rank_by: str | None = None) -> list[dict[str, Any]]:
    """Leaderboard rows (plain dicts, JSON-safe) for every (dataset, recipe) group in a store.

    Each row: dataset, model, backend, recipe (model, backend, epochs, lr, batch_size, optimizer, and val_fraction
    where runs held one out), activation, rank, runs/done/diverged/failed, mean/std/ci of ``score`` and the
    paired test against ``baseline`` (mean_diff, p, p_holm, effect, mark '+'/'-'/''/'base'), tied_best (★). An
    absent store gives []. Runs of the tuning protocol form their own groups (recipe lr "tuned", patience, refit, lr_decay),
    ranked on validation, each row with its ``chosen_lr`` and its ``test`` summary; tuning runs are not rows.
    ``rank_by`` ("test" or "val") overrides ``score``: "val" ranks the groups with a validation split by their
    final validation score and the others by test score; each row's ``score`` says which.
    """
    if rank_by is not None and rank_by not in RANK_BY:
        raise PlanError(f"Unknown rank_by {rank_by!r} (--rank-by). Expected one of {', '.join(RANK_BY)}.")
    if not isinstance(store, Store):
        if not Path(store).exists():
            return []
        store = Store(store, create=False)
    runs = store.runs()
    # Runs are comparable only under one recipe: group by everything but activation, seed and dataset. Runs that
    # hold a validation split out train on fewer examples: another recipe (absent in older runs: 0). Under the tuning
    # protocol the learning rate is each activation's own (tuned), so it is not part of the recipe; its tuning runs
    # are evidence for the choice, not rows, and its rows always rank on validation.
    groups: dict[tuple, list[dict]] = {}
    for r in runs:
        cfg = r["config"]
        if cfg.get("phase") == "tune":
            continue
        protocol = cfg.get("phase") == "eval"
        key = tuple("tuned" if protocol and k == "lr" else cfg.get(k) for k in RECIPE_KEYS) + \
            (cfg.get("val_fraction") or 0.0, (cfg.get("patience"), bool(cfg.get("refit")), (cfg.get("lr_decay") or [None])[0]) if protocol else None)
        groups.setdefault(key, []).append(r)
    out = []
    for group, members in groups.items():
        model, backend = group[0], group[1]
        recipe = dict(zip(RECIPE_KEYS, group))
        if group[-2]:
            recipe["val_fraction"] = group[-2]
        protocol = group[-1] is not None
        if protocol:
            recipe.update(patience=group[-1][0], refit=group[-1][1], lr_decay=group[-1][2])
        group_score = RANK_BY["val"] if protocol else score if rank_by is None else \
            RANK_BY["val"] if rank_by == "val" and group[-2] else RANK_BY["test"]
        for row in summarize_runs(members, baseline=baseline, score=group_score):
            d = row.to_dict()
            s = d["metrics"][group_score]
            vb = d["vs_baseline"] or {}
            lrs = sorted({m["config"]["lr"] for m in members if m["activation"] == row.activation})
            out.append({
                "dataset": row.dataset, "model": model, "backend": backend, "activation": row.activation,
                "rank": row.rank, "runs": row.runs, "done": row.done, "diverged": row.diverged, "failed": row.failed,
                "score": group_score, "mean": s["mean"], "std": s["std"], "ci_low": s["ci_low"],
                "ci_high": s["ci_high"],
                "mean_diff": vb.get("mean_diff"), "p": vb.get("p"), "p_holm": d["p_holm"], "effect": vb.get("effect"),
                "mark": row.mark, "metrics": d["metrics"], "recipe": recipe, "tied_best": row.tied_best,
                **({"chosen_lr": lrs[0] if len(lrs) == 1 else lrs, "test": d["metrics"]["final_score"]}
                   if protocol else {}),
            })
    return out
