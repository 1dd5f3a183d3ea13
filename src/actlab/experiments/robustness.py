"""Does a verdict survive a change of budget and of seeds? Re-run an experiment's decisive measurement at 1/2x, 1x
and 2x its budget (4x where it is cheap) and over 3 disjoint seed sets, and qualify the verdict.

An experiment scales its budget (epochs, steps, samples: ``Experiment.budget`` says which) through
``ctx.budget(n)`` and names the numbers that decide its verdict (``Experiment.decisive``); a robustness *cell* is one
run of the experiment's body at one budget scale and one seed set, with only the activations the verdict needs
(``Experiment.decisive_activations``) and no figures. The block written to result.json:

    {"budgets": [0.5, 1, 2], "seed_sets": [0, 1, 2],
     "cells": [{"budget": 0.5, "budget_value": "3 epochs", "seed": 0, "status": "confirmed", "numbers": {...}}, ...],
     "stable": true, "status": "confirmed",
     "qualified": "confirmed at every budget tried (3 epochs to 12 epochs) and on 3 seed sets"}

Cells: every budget on the run's own seed set; the two other seed sets at every budget for a cheap experiment (a full
grid, 12 cells) and at 1x otherwise (a cross, 5 cells costing 5.5x the decisive measurement, against 10.5x for the
grid), so ``all --robustness`` costs a few times the quick forms, not ten.
"""

from __future__ import annotations

import time
from typing import Any, Callable

BUDGETS = (0.5, 1.0, 2.0)
CHEAP_EXTRA_BUDGET = 4.0
SEED_SETS = 3


def plan(exp) -> list[tuple[float, int]]:
    """The (budget scale, seed-set offset) cells of ``exp``'s robustness check, in run order."""
    budgets = (*BUDGETS, CHEAP_EXTRA_BUDGET) if exp.cheap else BUDGETS
    cells = [(b, 0) for b in budgets]
    for k in range(1, SEED_SETS):
        cells += [(b, k) for b in (budgets if exp.cheap else (1.0,))]
    return cells


def check(exp, quick: bool, activations: list[str], seed: int, run_cell: Callable[..., Any],
          progress: Callable[[float, str], None] | None = None) -> dict:
    """Run every cell of ``plan(exp)`` through ``run_cell(budget, seed) -> (status, numbers, budget_value)`` and
    return the robustness block."""
    cells = []
    todo = plan(exp)
    started = time.perf_counter()
    for i, (b, k) in enumerate(todo):
        if progress is not None:
            progress(i / len(todo), f"robustness: {b:g}x budget, seed set {seed + k}")
        status, numbers, budget_value = run_cell(b, seed + k)
        cells.append({"budget": b, "budget_value": budget_value, "seed": seed + k, "status": status,
                      "numbers": {key: lookup(numbers, key) for key in exp.decisive}})
    block = {"budgets": sorted({b for b, _ in todo}), "seed_sets": [seed + k for k in range(SEED_SETS)],
             "budget_of": exp.budget, "decisive": list(exp.decisive),
             "activations": list(activations), "measurement": exp.decisive_measurement or ", ".join(activations),
             "quick": quick, "cells": cells}
    block.update(qualify(cells))
    block["seconds"] = round(time.perf_counter() - started, 2)  # moved under meta by the runner
    return block


def lookup(numbers: dict, key: str) -> Any:
    """``numbers[key]``, or a value inside a recorded dict: "silu.vs_relu.mean_diff" finds
    ``numbers["silu.vs_relu"]["mean_diff"]``. None when absent (the cell did not measure it)."""
    if key in numbers:
        return numbers[key]
    parts = key.split(".")
    for i in range(len(parts) - 1, 0, -1):
        head = ".".join(parts[:i])
        if isinstance(numbers.get(head), dict):
            return lookup(numbers[head], ".".join(parts[i:]))
    return None


def qualify(cells: list[dict]) -> dict:
    """The qualified verdict: "confirmed at every budget tried", "depends on budget: confirmed up to X, not at Y",
    "depends on the seeds at X", computed from the cells' statuses."""
    by_budget: dict[float, set[str]] = {}
    value: dict[float, str] = {}
    for c in cells:
        by_budget.setdefault(c["budget"], set()).add(c["status"])
        value.setdefault(c["budget"], c["budget_value"])
    budgets = sorted(by_budget)
    statuses = {s for ss in by_budget.values() for s in ss}
    span = value[budgets[0]] if len(budgets) == 1 else f"{value[budgets[0]]} to {value[budgets[-1]]}"
    n_seeds = len({c["seed"] for c in cells})
    if len(statuses) == 1:
        (status,) = statuses
        return {"stable": True, "status": status,
                "qualified": f"{status} at every budget tried ({span}) and on {n_seeds} seed sets"}
    seed_split = [b for b in budgets if len(by_budget[b]) > 1]
    per_budget = {b: next(iter(by_budget[b])) for b in budgets if b not in seed_split}
    if len(set(per_budget.values())) <= 1:  # the budgets agree; the seed sets do not, somewhere
        lead = f"{next(iter(per_budget.values()))} at {', '.join(value[b] for b in per_budget)}; " if per_budget else ""
        return {"stable": False, "status": "partly",
                "qualified": lead + "depends on the seed set at " + ", ".join(value[b] for b in seed_split)}
    runs: list[tuple[str, list[float]]] = []  # consecutive budgets with one status: "confirmed up to 6 epochs"
    for b in budgets:
        s = per_budget.get(b, "mixed")
        if runs and runs[-1][0] == s:
            runs[-1][1].append(b)
        else:
            runs.append((s, [b]))
    parts = []
    for i, (s, bs) in enumerate(runs):
        where = (f"up to {value[bs[-1]]}" if i == 0 else
                 f"from {value[bs[0]]}" if i == len(runs) - 1 and len(bs) > 1 else
                 f"at {', '.join(value[b] for b in bs)}")
        parts.append(f"{'depends on the seed set' if s == 'mixed' else s} {where}")
    return {"stable": False, "status": "partly", "qualified": "depends on budget: " + ", ".join(parts)}


def table(block: dict) -> tuple[list[str], list[list]]:
    """Columns and rows for the result's tables: one row per cell."""
    columns = ["budget", "seed set", "verdict", *block["decisive"]]
    rows = [[c["budget_value"] + f" ({c['budget']:g}x)", c["seed"], c["status"],
             *[c["numbers"].get(k) for k in block["decisive"]]] for c in block["cells"]]
    return columns, rows


def summary_lines(block: dict) -> list[str]:
    lines = [f"Robustness: the decisive measurement ({measurement(block)}) at "
             + ", ".join(f"{b:g}x" for b in block["budgets"]) + f" the budget ({block['budget_of']}), seed sets "
             + ", ".join(map(str, block["seed_sets"])) + ":"]
    for c in block["cells"]:
        nums = ", ".join(f"{k} {_fmt(v)}" for k, v in c["numbers"].items())
        lines.append(f"  {c['budget_value']:>14}, seed set {c['seed']}: {c['status']:<13} {nums}")
    if not block.get("main_status_reproduced", True):
        lines.append(f"  (the run with all activations says {block['main_status']!r}; the decisive subset at 1x says "
                     f"otherwise)")
    return lines


def measurement(block: dict) -> str:
    """What the cells re-ran, in words (blocks stored before "measurement" existed: their activations)."""
    return block.get("measurement") or ", ".join(block["activations"])


def _fmt(v) -> str:
    return "n/a" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)
