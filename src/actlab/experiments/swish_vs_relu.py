"""Does Swish (SiLU) beat ReLU? Under the fair comparison protocol (:mod:`actlab.compare.protocol`): the Swish
paper's MLP (3 hidden layers of 128) on MNIST-1D, the learning rate tuned per activation on validation data,
early stopping with the best epoch restored, the test split read once; then a paired comparison over seeds.

One learning rate for both and a short budget decide the answer otherwise (issue 22: Adam 3e-3 for 40 epochs favours
SiLU by 3 points, lr 1e-2 for 150 epochs favours ReLU), so nothing here is fixed but the network and the grid.
"""

from __future__ import annotations

import shutil
import tempfile

import numpy as np

from actlab.experiments import stats
from actlab.experiments.runner import Context, Experiment, Outcome

HIDDEN = (128, 128, 128)  # Ramachandran et al. 2017's MLP experiments
TUNING_SEED_BASE = 1_000_000  # tuning seeds: far from every evaluation seed of any seed set


def protocol_run(activations, seeds, epochs: int, grid, patience: int, data_seed: int, tuning_seed: int):
    """The comparison protocol of issue 16 on MNIST-1D with the paper's MLP, in a throw-away run store, at a constant
    learning rate (the recipe of the published verdict; the protocol's default decays it on a plateau)."""
    from actlab.compare.protocol import Tuning, run_protocol

    store = tempfile.mkdtemp(prefix="actlab-swish-")
    try:
        return run_protocol(list(activations), "mnist1d", model="mlp:" + ",".join(map(str, HIDDEN)), seeds=seeds,
                            epochs=epochs, tuning=Tuning(grid=grid, seeds=[tuning_seed], patience=patience,
                                                         data_seed=data_seed, lr_decay=None),
                            optimizer="adam", batch_size=100, store=f"{store}/runs.sqlite", workers=1)
    finally:
        shutil.rmtree(store, ignore_errors=True)


def body(ctx: Context) -> Outcome:
    quick = ctx.quick
    n_seeds = 3 if quick else 10
    epochs = ctx.budget(15 if quick else 100)
    patience = 5 if quick else 20
    grid = (1e-3, 3e-3, 1e-2) if quick else (3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
    seeds = [ctx.seed * 1000 + s for s in range(n_seeds)]
    tuning_seed = TUNING_SEED_BASE + ctx.seed
    ctx.setting(dataset="mnist1d", hidden=list(HIDDEN), protocol="actlab.compare.protocol.run_protocol",
                optimizer="adam", batch_size=100, max_epochs=epochs, patience=patience, lr_grid=list(grid),
                lr_tuned_on="validation split (20% of train), one tuning seed, best mean validation accuracy; an "
                            "edge pick extends the grid one step",
                tuning_seed=tuning_seed, seeds=seeds, data_seed=ctx.seed,
                pairing="same seed -> same data order and same initial weights' generator",
                test="test accuracy read once per run, at the restored best-validation epoch; paired t-test and "
                     "Wilcoxon vs relu, 95% t confidence interval of the paired difference; CI containing 0 = tied")
    res = protocol_run(ctx.activations, seeds, epochs, grid, patience, ctx.seed, tuning_seed)
    ctx.progress(0.9, "protocol done")
    accs: dict[str, list[float]] = {}
    for act in ctx.activations:
        choice = res.choice(act)
        runs = sorted(res.per_seed(act), key=lambda r: r["seed"])
        accs[act] = [float("nan") if r["test_score"] is None else r["test_score"] for r in runs]
        ctx.record(**{f"{act}.chosen_lr": choice.lr, f"{act}.lr_at_grid_edge": choice.at_edge,
                      f"{act}.val_score_by_lr": {f"{lr:g}": choice.scores.get(lr) for lr in choice.grid},
                      f"{act}.best_epoch_by_seed": [r["best_epoch"] for r in runs],
                      f"{act}.val_accuracy_by_seed": [r["val_score"] for r in runs]})
    rows, cmp = [], {}
    for act, vals in accs.items():
        st = stats.summary(vals)
        ctx.record(**{f"{act}.accuracy_by_seed": vals, f"{act}.mean": st["mean"], f"{act}.std": st["std"],
                      f"{act}.ci95": [st["ci_low"], st["ci_high"]]})
        row = [act, ctx.numbers[f"{act}.chosen_lr"], st["mean"], st["std"], f"[{st['ci_low']:.4f}, {st['ci_high']:.4f}]"]
        if act != "relu" and "relu" in accs:
            p = stats.paired(vals, accs["relu"])
            p["verdict"] = _pair_verdict(p)
            cmp[act] = p
            ctx.record(**{f"{act}.vs_relu": p})
            row += [p["mean_diff"], f"[{p['diff_ci_low']:.4f}, {p['diff_ci_high']:.4f}]", p["t_p"], p["wilcoxon_p"],
                    f"{p['wins']}/{len(vals)}", p["verdict"]]
        else:
            row += [None, None, None, None, None, None]
        rows.append(row)
    ctx.table(f"MNIST-1D test accuracy over {n_seeds} seeds, learning rate tuned per activation",
              ["activation", "chosen lr", "mean", "std", "95% CI", "diff vs relu", "diff 95% CI", "paired t p",
               "Wilcoxon p", "wins", "vs relu"], rows)
    levels = res.budgets["mnist1d"]["levels"]
    budget_rows = [[lv["epochs"], ", ".join(lv["ranking"]), ", ".join(lv["top_group"]),
                    _budget_verdict(lv["top_group"])] for lv in levels]
    ctx.record(budget_levels=[{"epochs": lv["epochs"], "top_group": lv["top_group"],
                               "mean_val_score": lv["mean_val_score"], "verdict": r[-1]}
                              for lv, r in zip(levels, budget_rows)],
               budget_kendall_tau=res.budgets["mnist1d"]["kendall_tau"])
    ctx.table("validation ranking when the budget is cut (best epoch within the first N epochs)",
              ["epochs", "ranking", "top group (not significantly below the best)", "swish vs relu"], budget_rows)
    _plot(ctx, accs)

    summary = [f"MLP {list(HIDDEN)} on MNIST-1D, Adam, up to {epochs} epochs with early stopping (patience "
               f"{patience}), a constant learning rate tuned per activation on validation from {list(grid)}; {n_seeds} "
               f"evaluation seeds (paired: same seed, same batches and weight generator)."]
    for act, vals in accs.items():
        st = stats.summary(vals)
        line = (f"  {act:>10}: lr {ctx.numbers[f'{act}.chosen_lr']:g}, test {st['mean']:.2%} +- {st['std']:.2%} "
                f"(95% CI {st['ci_low']:.2%}-{st['ci_high']:.2%})")
        if act in cmp:
            p = cmp[act]
            line += (f"; vs relu {p['mean_diff'] * 100:+.2f} points (CI {p['diff_ci_low'] * 100:+.2f} to "
                     f"{p['diff_ci_high'] * 100:+.2f}): {p['verdict']}")
        summary.append(line)
    summary.append("Validation ranking by budget: " + "; ".join(f"{r[0]} epochs: {r[3]}" for r in budget_rows))
    swish = next((a for a in ("silu", "swish") if a in cmp), None)
    if swish is None:
        return Outcome("partly", "needs relu and silu (Swish) among the activations.", summary)
    p = cmp[swish]
    gain = p["mean_diff"] * 100
    ci = f"95% CI of the paired difference {p['diff_ci_low'] * 100:+.2f} to {p['diff_ci_high'] * 100:+.2f} points"
    lrs = f"lr {ctx.numbers[f'{swish}.chosen_lr']:g} for Swish, {ctx.numbers['relu.chosen_lr']:g} for ReLU"
    if p["verdict"] == "better than relu":
        status, how = "confirmed", f"Swish beats ReLU by {gain:.2f} points ({ci})"
    elif p["verdict"] == "tied":
        status, how = "not confirmed", f"Swish and ReLU are tied: {gain:+.2f} points, {ci} contains 0"
    else:
        status, how = "not confirmed", f"ReLU beats Swish by {-gain:.2f} points ({ci})"
    text = (f"{how}, with the learning rate tuned for each ({lrs}) and {n_seeds} seeds of the Swish paper's "
            f"128x3 MLP on MNIST-1D. The published gains (0.6-0.9 points on ImageNet) come from single runs of "
            f"large models; at this scale the difference is what the tuned protocol measures, not a universal "
            f"ranking.")
    return Outcome(status, text, summary)


def _pair_verdict(p: dict) -> str:
    """An activation against ReLU from the 95% CI of the paired difference: tied when it contains 0."""
    if p["diff_ci_low"] > 0:
        return "better than relu"
    if p["diff_ci_high"] < 0:
        return "worse than relu"
    return "tied"


def _budget_verdict(top_group) -> str:
    swish = "silu" in top_group or "swish" in top_group
    if swish and "relu" in top_group:
        return "tied"
    return "swish ahead" if swish else "relu ahead" if "relu" in top_group else "neither on top"


def _plot(ctx: Context, accs) -> None:
    from actlab.experiments.plotting import color, subplots

    names = list(accs)
    fig, ax = subplots(figsize=(max(5.0, 1.1 * len(names)), 3.8))
    for i, a in enumerate(names):
        vals = np.array(accs[a])
        st = stats.summary(vals)
        ax.plot(np.full(vals.size, i) + np.linspace(-0.12, 0.12, vals.size), vals, "o", ms=4, alpha=0.6,
                color=color(a, names))
        ax.errorbar(i + 0.25, st["mean"], yerr=[[st["mean"] - st["ci_low"]], [st["ci_high"] - st["mean"]]], fmt="s",
                    color="k", capsize=4, ms=5)
    ax.set_xticks(np.arange(len(names)), names)
    ax.set(ylabel="MNIST-1D test accuracy", title="Each seed (dots), mean and 95% CI (black)")
    ctx.figure("accuracy_by_seed", fig)


EXPERIMENT = Experiment(
    name="swish-vs-relu",
    title="Does Swish beat ReLU?",
    claim="Swish \"improves classification accuracy by 0.9% for ImageNet, 0.9% for Mobile NASNet-A, and 0.6% for "
          "Inception-ResNet-v2 ... In benchmark tests, Swish is proven to be better than ReLU ... Outperforms ReLU "
          "in every batch size\" (seed 003).",
    seed_source="003_306ab8118a3ac9fc.txt",
    body=body,
    activations=("relu", "silu"),
    full_activations=("relu", "silu", "gelu", "elu"),
    required=("relu", "silu"),
    decisive=("silu.vs_relu.mean_diff", "silu.vs_relu.diff_ci_low", "silu.vs_relu.diff_ci_high", "silu.chosen_lr",
              "relu.chosen_lr"),
    decisive_activations=("relu", "silu"),
    indicative_quick="3 seeds, at most 15 epochs and a 3-point learning-rate grid, against the full form's 10 seeds, "
                     "100 epochs with early stopping and a 5-point grid; a gap of a few points flips with the budget.",
    notes="Ramachandran et al. (2017) report gains of 0.6-0.9 points top-1 on ImageNet from single runs or a few; "
          "\"proven\" is too strong for differences of that size, and later work found the gain depends on the "
          "architecture and training recipe. Seed 003 also calls it \"developed by Google in Oct 2017\": Swish with "
          "beta = 1 is the SiLU of Elfwing et al. (2017) and the GELU paper (Hendrycks & Gimpel 2016) before them.",
)
