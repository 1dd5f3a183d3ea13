"""The fair comparison protocol: the learning rate tuned for each activation on validation data, then evaluated.

When the activation is the *scientific* hyperparameter, the learning rate is a *nuisance* one and must be tuned
separately for each activation, on validation data (Godbole, Dahl et al., the Deep Learning Tuning Playbook). So,
for every (dataset, activation):

1. **Tune.** Each learning rate of a log grid (:data:`LR_GRIDS`: Adam 3e-4..3e-2 in 5 half-decade steps) is trained on the
   *tuning seeds* (1000, 1001, ...: disjoint from the evaluation seeds, checked) with a validation split carved out of
   the training data (``val_fraction``), early stopping (``patience``) and the best epoch restored. The best mean
   validation score picks the learning rate. A pick at the edge of the grid extends the grid one step further out,
   trains that point too, and is flagged (``edge``: which edge; ``at_edge``: still at the edge after the extension,
   i.e. the best rate may lie further out). A diverged or failed tuning run scores -inf for its rate.
   Every protocol run's learning rate falls to 0.3x after each :data:`DEFAULT_LR_DECAY` epochs without a better
   validation score (``lr_decay``; :class:`actlab.compare.early_stopping.PlateauDecay`): at a constant rate the
   last iterates stay noisy, and the grid would pick the rate whose noise happens to suit the validation split.
2. **Evaluate.** The evaluation seeds train at the chosen rate, with the same early stopping and best-epoch restore;
   their validation scores rank. With ``refit`` (the default) each seed then retrains on the whole training split
   for its best validation epoch count, since on MNIST-1D every 400 training rows are worth 2-3 points of test
   accuracy. Each run's test split is sealed until that is done, then scored once
   (:func:`actlab.compare.datasets.seal_test`). Tuning runs never open it.
3. **Rank on validation.** Rows, the ★ top group (not significantly below the top, paired t-test, Holm), the marks
   against the baseline, ``best_*`` and ``epochs_to_target`` are all validation measures; the test score is reported
   beside them. The ranking is repeated at three budgets (:data:`BUDGETS` of the epochs: the epoch early stopping
   would have restored within the first 25%, 50%, 100%), with Kendall's tau between the rankings; an activation is the *winner* only if
   it is alone in the top group at every budget, and activations that share the top group at every budget are
   *tied*.

Every run (tuning and evaluation) is a row of the same run store as a plain comparison, keyed by its configuration:
a killed protocol resumes where it stopped, two processes can share one store, and ``ray=`` distributes it.
The data split is drawn once (``data_seed``), the same for tuning and evaluation seeds, so no tuning run trains or
validates on rows an evaluation run is tested on.

>>> from actlab.compare.protocol import run_protocol
>>> result = run_protocol(["relu", "tanh"], "mnist1d", seeds=3, store="runs.sqlite")  # doctest: +SKIP
>>> result.chosen_lr("relu"), result.row("relu").metrics["final_score"].mean  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

import numpy as np

from actlab.compare.early_stopping import DECAY_FACTOR, restored
from actlab.compare.plan import DEFAULT_MODEL, DEFAULT_STORE, CsvData, Plan, PlanError
from actlab.compare.stats import Row, _clean, summarize_runs

# Half-decade steps (x3.16): on MNIST-1D relu's test accuracy moves from 0.62 to 0.68 between 3e-3 and 1e-2, so a
# coarser grid decides the comparison by where its points fall. Plain SGD and momentum need larger rates.
LR_GRIDS = {
    "adam": (3e-4, 1e-3, 3e-3, 1e-2, 3e-2),
    "momentum": (3e-3, 1e-2, 3e-2, 1e-1, 3e-1),
    "sgd": (1e-2, 3e-2, 1e-1, 3e-1, 1.0),
}
DEFAULT_EPOCHS = 150  # tuned relu on MNIST-1D: flat validation from epoch ~40, test (4000 rows) from ~80 (docs)
DEFAULT_PATIENCE = 30
DEFAULT_LR_DECAY = 10  # two cuts of the rate (x0.3 each) before early stopping's patience runs out
DEFAULT_VAL_FRACTION = 0.2
DEFAULT_TUNING_SEEDS = 2  # one seed's noise (+-2.5 points on MNIST-1D) picked relu 3e-2 over its better 1e-2
TUNING_SEED_BASE = 1000  # tuning seeds are 1000, 1001, ...: never an evaluation seed of a default comparison
BUDGETS = (0.25, 0.5, 1.0)
# The transformer's budget is counted in evaluation rounds of compare.models.transformer.STEPS_PER_EPOCH steps; its
# validation loss averages 4096 characters, smooth enough to judge epoch by epoch (window 1).
TRANSFORMER_EPOCHS, TRANSFORMER_BATCH, TRANSFORMER_PATIENCE = 10, 16, 3
TRANSFORMER_GRID = (3e-3, 1e-2)  # two points and the edge extension: a 10-round run is short
SCORE = "final_val_score"  # what ranks: the validation score of the restored best epoch

# progress(phase, done, total, last_result_or_None); phase is "tune", "extend" or "eval".
PhaseProgress = Callable[[str, int, int, "dict[str, Any] | None"], None]


@dataclass(frozen=True)
class Tuning:
    """How the protocol tunes: the grid (None: :data:`LR_GRIDS` of the optimizer; one value: no tuning, that rate),
    the tuning seeds (a count from :data:`TUNING_SEED_BASE`, or a list), early stopping, validation share, the data
    split's seed, the budgets of the sensitivity block, whether an edge pick extends the grid, and ``refit``: an
    evaluation run, once validation has chosen its best epoch E, retrains on the whole training split (validation
    rows included) for E epochs and that network meets the test split (a text's validation block is its own, so the
    transformer never refits). ``lr_decay``: epochs without a better validation score before the rate falls to
    0.3x (None: constant; the transformer's 10-round runs keep a constant rate)."""

    grid: Sequence[float] | None = None
    seeds: int | Sequence[int] = DEFAULT_TUNING_SEEDS
    patience: int = DEFAULT_PATIENCE
    val_fraction: float = DEFAULT_VAL_FRACTION
    data_seed: int = 0
    budgets: Sequence[float] = BUDGETS
    extend_edges: bool = True
    refit: bool = True
    lr_decay: int | None = DEFAULT_LR_DECAY

    def lr_grid(self, optimizer: str) -> tuple[float, ...]:
        grid = tuple(sorted(float(v) for v in (self.grid if self.grid is not None else LR_GRIDS[optimizer])))
        if not grid or any(not (math.isfinite(v) and v > 0) for v in grid):
            raise PlanError(f"The learning-rate grid must hold finite rates > 0. Got {self.grid!r}.")
        return tuple(dict.fromkeys(grid))

    def tuning_seeds(self, eval_seeds: Sequence[int]) -> list[int]:
        seeds = list(range(TUNING_SEED_BASE, TUNING_SEED_BASE + self.seeds)) if isinstance(self.seeds, int) \
            else [int(s) for s in self.seeds]
        if not seeds:
            raise PlanError("The protocol needs at least one tuning seed.")
        shared = sorted(set(seeds) & set(eval_seeds))
        if shared:
            raise PlanError(f"Tuning seeds must be disjoint from the evaluation seeds; both hold {shared}. "
                            f"Use evaluation seeds below {TUNING_SEED_BASE} or other tuning seeds.")
        return seeds


@dataclass
class Choice:
    """The learning rate chosen for one (dataset, activation), with the evidence: mean validation score per rate."""

    dataset: str
    activation: str
    lr: float
    grid: list[float]  # every rate tried, the extension included, ascending
    scores: dict[float, float]  # rate -> mean validation score over the tuning seeds (-inf: a seed diverged/failed)
    edge: str | None = None  # "low"/"high": the first pick was at that edge of the grid, which was extended
    at_edge: bool = False  # the final pick is still at the edge of everything tried

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "activation": self.activation, "chosen_lr": self.lr, "grid": self.grid,
                "val_score_by_lr": [{"lr": lr, "val_score": _clean(self.scores.get(lr))} for lr in self.grid],
                "edge": self.edge, "at_edge": self.at_edge}


@dataclass
class ProtocolResult:
    """A finished protocol: the choices, the ranked evaluation rows (validation), per-seed scores, the budget block."""

    settings: dict[str, Any]
    choices: list[Choice]
    rows: list[Row]
    eval_runs: list[dict[str, Any]]
    tuning_runs: list[dict[str, Any]]
    budgets: dict[str, dict[str, Any]] = field(default_factory=dict)  # dataset -> budget-sensitivity block
    score: str = SCORE

    def choice(self, activation: str, dataset: str | None = None) -> Choice:
        for c in self.choices:
            if c.activation == activation and (dataset is None or c.dataset == dataset):
                return c
        raise KeyError(f"no choice for activation {activation!r}" + (f" on {dataset!r}" if dataset else ""))

    def chosen_lr(self, activation: str, dataset: str | None = None) -> float:
        return self.choice(activation, dataset).lr

    def row(self, activation: str, dataset: str | None = None) -> Row:
        for r in self.rows:
            if r.activation == activation and (dataset is None or r.dataset == dataset):
                return r
        raise KeyError(f"no row for activation {activation!r}" + (f" on {dataset!r}" if dataset else ""))

    def per_seed(self, activation: str, dataset: str | None = None) -> list[dict[str, Any]]:
        """Each evaluation seed's validation score (restored best epoch), test score, best epoch and status."""
        return [_seed_entry(r) for r in self.eval_runs
                if r["activation"] == activation and (dataset is None or r["dataset"] == dataset)]

    def to_dict(self) -> dict[str, Any]:
        by_key = {(c.dataset, c.activation): c for c in self.choices}
        rows = []
        for r in self.rows:
            d = r.to_dict()
            c = by_key.get((r.dataset, r.activation))
            if c is not None:
                d["tuning"] = c.to_dict()
            d["budget_verdict"] = self.budgets.get(r.dataset, {}).get("verdict_by_activation", {}).get(r.activation)
            d["seeds"] = self.per_seed(r.activation, r.dataset)
            rows.append(d)
        return _clean({"protocol": self.settings, "score": self.score, "rows": rows,
                       "budget_sensitivity": self.budgets})


def run_protocol(activations: Sequence[str], dataset: str | Sequence[str] | CsvData = "mnist1d",
                 model: str = DEFAULT_MODEL, seeds: int | Sequence[int] = 3, epochs: int = DEFAULT_EPOCHS, *,
                 tuning: Tuning | None = None, backend: str = "numpy", optimizer: str = "adam",
                 batch_size: int = 100, baseline: str = "relu", store: str | os.PathLike = DEFAULT_STORE,
                 workers: int | None = None, ray: str | None = None, executor=None,
                 progress: PhaseProgress | None = None) -> ProtocolResult:
    """Compare ``activations`` fairly: tune each one's learning rate on validation, evaluate it on ``seeds``.

    ``dataset``: a name, a list of names, or a :class:`CsvData`. ``model``: ``mlp:W,...``, ``cnn[:C,...]`` or
    ``transformer[:L,D]`` (the last two with ``backend="torch"``). ``seeds``: the evaluation seeds (a count from 0,
    or a list). ``epochs``: the budget of every run (early stopping may end a run sooner). ``tuning``: a
    :class:`Tuning` (grid, tuning seeds, patience, validation share, data seed, budgets). ``store``, ``workers``,
    ``ray``, ``executor``: as for :func:`actlab.compare.run`; the runs are resumable. ``progress(phase, done, total,
    result)`` is called as runs finish.

    Returns a :class:`ProtocolResult`: ``choices`` (chosen rate, grid, validation score per rate, edge flags),
    ``rows`` ranked by validation score (test score in ``metrics['final_score']``), ``per_seed(activation)``, the
    ``budgets`` block (rankings at 25/50/100% of the epochs, Kendall tau, verdict) and ``to_dict()`` for JSON.
    """
    from actlab.compare import executors
    from actlab.compare.harness import execute_configs, prepare

    tuning = tuning or Tuning()
    data = dataset if isinstance(dataset, CsvData) else None
    lm = str(model).lower().startswith("transformer")
    names = [dataset] if isinstance(dataset, str) else ([] if data is not None else list(dataset))
    base = Plan(activations=list(activations), datasets=names or ["mnist1d"], model=model, seeds=seeds, epochs=epochs,
                backend=backend, store=store, workers=workers, ray=ray, batch_size=batch_size, optimizer=optimizer,
                baseline=baseline, data=data, val_fraction=tuning.val_fraction, rank_by="val", phase="eval",
                patience=tuning.patience, data_seed=tuning.data_seed,
                refit=tuning.refit and not lm, lr_decay=None if lm else tuning.lr_decay)
    prepare(base)  # every input check (and a CSV's load) before anything is stored
    grid = tuning.lr_grid(base.optimizer)
    tune_seeds = tuning.tuning_seeds(base.seeds)
    tune_plan = replace(base, seeds=tune_seeds, phase="tune")
    ex = executor if executor is not None else executors.make(workers, ray)

    def run_phase(phase: str, plans: list[Plan]) -> list[dict[str, Any]]:
        configs = [c for p in plans for c in p.configs()]
        if not configs:
            return []
        hook = (lambda done, total, result: progress(phase, done, total, result)) if progress else None
        st = execute_configs(configs, base.store, hook, ex)
        runs = st.runs([c["key"] for c in configs])
        st.close()
        return runs

    # One tuning run per (rate, dataset, activation, tuning seed); with a one-rate grid there is nothing to tune.
    tuning_runs = run_phase("tune", [replace(tune_plan, lr=lr) for lr in grid]) if len(grid) > 1 else []
    choices = [_choose(ds, act, grid, tuning_runs) for ds in base.dataset_names for act in base.activations]
    if tuning.extend_edges and len(grid) > 1:
        extra = []
        for c in choices:
            if c.edge is not None:
                step = grid[1] / grid[0] if c.edge == "low" else grid[-1] / grid[-2]
                lr = float(f"{(c.lr / step if c.edge == 'low' else c.lr * step):.3g}")
                extra.append(replace(tune_plan, activations=[c.activation], lr=lr,
                                     **_dataset_fields(base, c.dataset)))
        tuning_runs += run_phase("extend", extra)
        choices = [_choose(c.dataset, c.activation, sorted(set(grid) | _rates(tuning_runs, c)), tuning_runs,
                           first_edge=c.edge) for c in choices]
    eval_plans = [replace(base, activations=[c.activation], lr=c.lr, **_dataset_fields(base, c.dataset))
                  for c in choices]
    eval_runs = run_phase("eval", eval_plans)
    rows = summarize_runs(eval_runs, baseline=base.baseline, score=SCORE)
    window = smoothing_window(base.model)
    budgets = {ds: budget_sensitivity([r for r in eval_runs if r["dataset"] == ds], base.epochs, tuning.budgets,
                                      base.baseline, window) for ds in base.dataset_names}
    settings = {
        "activations": list(base.activations), "datasets": base.dataset_names, "model": base.model,
        "backend": base.backend, "optimizer": base.optimizer, "batch_size": base.batch_size, "epochs": base.epochs,
        "patience": tuning.patience, "val_fraction": tuning.val_fraction, "data_seed": tuning.data_seed,
        "lr_grid": list(grid), "tuning_seeds": tune_seeds, "eval_seeds": list(base.seeds),
        "budgets": list(tuning.budgets), "refit": base.refit, "lr_decay": base.lr_decay,
        "lr_decay_factor": DECAY_FACTOR if base.lr_decay else None, "baseline": base.baseline, "store": str(base.store),
        "ranked_by": SCORE,
        "tuning_runs": len(tuning_runs), "eval_runs": len(eval_runs),
    }
    return ProtocolResult(settings, choices, rows, eval_runs, tuning_runs, budgets)


def _dataset_fields(base: Plan, dataset: str) -> dict[str, Any]:
    return {} if base.data is not None else {"datasets": [dataset]}


def _rates(runs: Sequence[dict[str, Any]], c: Choice) -> set[float]:
    return {r["config"]["lr"] for r in runs if r["dataset"] == c.dataset and r["activation"] == c.activation}


def _choose(dataset: str, activation: str, grid: Sequence[float], runs: Sequence[dict[str, Any]],
            first_edge: str | None = None) -> Choice:
    """The rate with the best mean validation score over the tuning seeds (a diverged or failed seed: -inf)."""
    grid = sorted(grid)
    if len(grid) == 1:
        return Choice(dataset, activation, grid[0], list(grid), {})
    scores: dict[float, float] = {}
    for lr in grid:
        vals = [(r["metrics"] or {}).get(SCORE) if r["status"] == "done" else None
                for r in runs if r["dataset"] == dataset and r["activation"] == activation and r["config"]["lr"] == lr]
        scores[lr] = float(np.mean(vals)) if vals and all(v is not None for v in vals) else -math.inf
    best = max(grid, key=lambda lr: scores[lr])  # ties: the smaller rate (max keeps the first)
    i = grid.index(best)
    edge = first_edge if first_edge is not None else ("low" if i == 0 else "high" if i == len(grid) - 1 else None)
    at_edge = i in (0, len(grid) - 1)
    return Choice(dataset, activation, best, list(grid), scores, edge, at_edge)


def smoothing_window(model: str) -> int:
    """Epochs in the trailing mean that judges the best epoch: 1 for the transformer (see above), else WINDOW."""
    from actlab.compare.early_stopping import WINDOW

    return 1 if str(model).startswith("transformer") else WINDOW


def budget_sensitivity(runs: Sequence[dict[str, Any]], epochs: int, budgets: Sequence[float] = BUDGETS,
                       baseline: str = "relu", window: int | None = None) -> dict[str, Any]:
    """Rankings of the evaluation runs at fractions ``budgets`` of ``epochs``, Kendall's tau between them, and the
    verdict. A run's score at budget E is the validation score early stopping would have restored had the run been
    given E epochs (:func:`actlab.compare.early_stopping.restored` on its first E epochs); a run that stopped earlier
    keeps its restored score.

    The top group at a budget: the activations not significantly below the top one (paired t-test over seeds,
    Holm-corrected, as the ★ of the main table). ``verdict``: "winner" when one activation alone is in the top group
    at every budget; "tied" when several share it at every budget; "unstable" when no activation stays in it.
    """
    from scipy.stats import kendalltau

    levels = []
    for fraction in budgets:
        cut = max(1, math.ceil(fraction * epochs))
        scored = []
        for r in runs:
            _, value = restored(((r.get("curve") or {}).get("val_score") or [])[:cut],
                                *(() if window is None else (window,)))
            ok = r["status"] in ("done", "diverged") and value is not None
            scored.append({**r, "status": "done" if ok else "failed", "metrics": {SCORE: value}, "curve": None})
        rows = summarize_runs(scored, baseline=baseline, score=SCORE)
        levels.append({"fraction": fraction, "epochs": cut,
                       "ranking": [r.activation for r in rows],
                       "mean_val_score": {r.activation: _clean(r.metrics[SCORE].mean) for r in rows},
                       "top_group": [r.activation for r in rows if r.tied_best]})
    taus = {}
    for i in range(len(levels)):
        for j in range(i + 1, len(levels)):
            a, b = levels[i]["ranking"], levels[j]["ranking"]
            if len(a) >= 2:
                tau = kendalltau([a.index(x) for x in a], [b.index(x) for x in a]).statistic
                taus[f"{_pct(levels[i]['fraction'])}-{_pct(levels[j]['fraction'])}"] = _clean(float(tau))
    stable = set(levels[0]["top_group"]) if levels else set()
    for level in levels[1:]:
        stable &= set(level["top_group"])
    order = levels[-1]["ranking"] if levels else []
    stable_sorted = [a for a in order if a in stable]
    verdict = "winner" if len(stable) == 1 else "tied" if stable else "unstable"
    return {"levels": levels, "kendall_tau": taus, "verdict": verdict, "top_at_every_budget": stable_sorted,
            "verdict_by_activation": {a: ("winner" if verdict == "winner" else "tied") for a in stable_sorted}}


def _pct(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def _seed_entry(run: dict[str, Any]) -> dict[str, Any]:
    m = run.get("metrics") or {}
    return {"seed": run["seed"], "lr": run["config"]["lr"], "status": run["status"],
            "val_score": m.get(SCORE), "test_score": m.get("final_score"), "best_epoch": m.get("best_val_epoch"),
            "epochs_run": m.get("epochs_run")}
