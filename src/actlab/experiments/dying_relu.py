"""ReLU units die: a unit whose pre-activation is negative on every training input gets no gradient again.

Two measurements: (1) after training MLPs on MNIST-1D with Adam at increasing learning rates, the fraction of
hidden units that are dead — f'(z) = 0 (below 1e-8) on every training input — for ReLU, Leaky ReLU, ELU and ReLU
with a small positive bias init; (2) at initialisation, how the dead fraction of narrow He-initialised ReLU
networks grows with depth (Lu et al. 2019: a deep enough narrow ReLU net is born dead with probability -> 1).
"""

from __future__ import annotations

import numpy as np

from actlab.core import health
from actlab.experiments import _net
from actlab.experiments.runner import Context, Experiment, Outcome

DEAD = 1e-8  # a unit is dead when |f'(z)| stays below this on every training input
BIAS_VARIANT = "relu+bias0.1"


def dead_fraction(model, X: np.ndarray) -> tuple[float, list[float]]:
    """Fraction of hidden units (all layers, and per layer) with |f'(z)| < DEAD on every row of X."""
    fractions, total, dead = [], 0, 0
    for layer, Z in zip(_net.activation_layers(model), _net.preactivations(model, X)):
        never = ~health.active_units(np.asarray(layer.act.derivative(Z)), unit_axis=1, dead_below=DEAD)
        fractions.append(float(never.mean()))
        total += never.size
        dead += int(never.sum())
    return dead / total, fractions


def body(ctx: Context) -> Outcome:
    from actlab import data

    quick = ctx.quick
    # Adam: plain SGD on MNIST-1D diverges before it kills units (0-10% dead up to lr 1, NaN at 2); Adam's
    # normalised steps push biases far negative at large learning rates, the classic way ReLU nets die.
    lrs = (0.001, 0.003, 0.01, 0.03, 0.1) if quick else (0.0003, 0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2)
    hidden = [64, 64, 64]
    epochs = ctx.budget(4 if quick else 20)
    widths = (2, 4, 8) if quick else (2, 3, 4, 8, 16)
    depths = (2, 4, 8, 16, 32) if quick else (2, 4, 8, 16, 32, 64)
    init_seeds = 20 if quick else 100
    variants = list(ctx.activations)
    if "relu" in variants and BIAS_VARIANT not in variants:
        variants.insert(variants.index("relu") + 1, BIAS_VARIANT)
    ctx.setting(dataset="mnist1d", hidden=hidden, optimizer="adam", learning_rates=list(lrs), epochs=epochs,
                batch_size=32, dead_threshold=DEAD, variants=variants, depth_widths=list(widths),
                depth_depths=list(depths), depth_init="he_normal", depth_init_seeds=init_seeds)
    ds = data.load("mnist1d", seed=ctx.seed)

    dead: dict[str, dict[float, float | None]] = {}
    jobs = [(v, lr) for v in variants for lr in lrs]
    for k, (variant, lr) in enumerate(jobs):
        act, bias = (("relu", 0.1) if variant == BIAS_VARIANT else (variant, 0.0))
        model = _net.mlp(ds.n_features, hidden, ds.n_classes, act, seed=ctx.seed, bias_init=bias)
        frac0, _ = dead_fraction(model, ds.X_train)
        hist = _net.fit(model, ds.X_train, ds.y_train, "softmax_cross_entropy", _net.nn().Adam(lr), epochs, 32,
                        ctx.seed)
        if hist.diverged:
            frac, per_layer, acc = None, None, None
        else:
            frac, per_layer = dead_fraction(model, ds.X_train)
            acc = _net.accuracy(model, ds.X_test, ds.y_test)
        dead.setdefault(variant, {})[lr] = frac
        ctx.record(**{f"train.{variant}.lr{lr:g}.dead_fraction": frac, f"train.{variant}.lr{lr:g}.dead_at_init": frac0,
                      f"train.{variant}.lr{lr:g}.dead_by_layer": per_layer, f"train.{variant}.lr{lr:g}.accuracy": acc,
                      f"train.{variant}.lr{lr:g}.diverged": hist.diverged})
        ctx.progress(0.8 * (k + 1) / len(jobs), f"{variant} lr {lr:g}")

    # At initialisation: narrow ReLU nets, dead fraction and "born dead" probability against depth. No training
    # budget is involved, so a robustness cell (ctx.probing) skips it.
    born: dict[int, dict[int, tuple[float, float]]] = {}
    X = ds.X_train[:1000]
    for w in (() if ctx.probing else widths):
        for depth in depths:
            fr, whole = [], 0
            for s in range(init_seeds):
                model = _net.mlp(ds.n_features, [w] * depth, ds.n_classes, "relu", seed=10_000 * ctx.seed + s,
                                 init="he_normal", dtype=np.float64)
                f, per_layer = dead_fraction(model, X)
                fr.append(f)
                whole += per_layer[-1] == 1.0  # the last hidden layer is all dead: the output is constant
            born.setdefault(w, {})[depth] = (float(np.mean(fr)), whole / init_seeds)
            ctx.record(**{f"init.width{w}.depth{depth}.dead_fraction": born[w][depth][0],
                          f"init.width{w}.depth{depth}.born_dead_probability": born[w][depth][1]})
        ctx.progress(0.8 + 0.2 * (widths.index(w) + 1) / len(widths), f"depth at init, width {w}")

    ctx.table("dead fraction after training (None: diverged)", ["variant", *[f"lr {lr:g}" for lr in lrs]],
              [[v, *[dead[v][lr] for lr in lrs]] for v in variants])
    if born:
        ctx.table("ReLU at He init: mean dead fraction / P(born dead)", ["width", *[f"depth {d}" for d in depths]],
                  [[w, *[f"{born[w][d][0]:.2f} / {born[w][d][1]:.2f}" for d in depths]] for w in widths])
        _plot(ctx, dead, born, lrs, variants, widths, depths)

    def fmt(v):
        return "diverged" if v is None else f"{v:.0%}"

    summary = [f"MLP {hidden} on MNIST-1D, Adam, {epochs} epochs, batch 32; dead = |f'(z)| < {DEAD:g} on all "
               f"{len(ds.X_train)} training inputs."]
    for v in variants:
        summary.append(f"  {v:>13}: " + ", ".join(f"lr {lr:g}: {fmt(dead[v][lr])}" for lr in lrs))
    if born:
        summary.append("At He init, narrow ReLU nets (mean dead fraction / P(last layer all dead)): " + "; ".join(
            f"width {w}: depth {depths[-1]} {born[w][depths[-1]][0]:.0%} / {born[w][depths[-1]][1]:.0%}"
            for w in widths))

    forty = [f"{v} at lr {lr:g}" for v in variants for lr in lrs if dead[v][lr] is not None and dead[v][lr] >= 0.4]
    forty += [f"width-{w} ReLU nets of depth {d} at init" for w in born for d in depths if born[w][d][0] >= 0.4]
    ctx.record(forty_percent_dead_where=forty)
    summary.append("40% or more dead: " + ("; ".join(forty) if forty else "nowhere in this grid") + ".")
    if "relu" not in dead or "leaky_relu" not in dead:
        return Outcome("partly", "the comparison needs relu and leaky_relu.", summary)
    ok_lrs = [lr for lr in lrs if dead["relu"][lr] is not None and dead["leaky_relu"][lr] is not None]
    top = max(ok_lrs) if ok_lrs else None
    if top is None:
        return Outcome("not confirmed", "every ReLU run diverged; no dead fraction to compare.", summary)
    relu_top, leaky_top = dead["relu"][top], dead["leaky_relu"][top]
    ctx.record(highest_common_lr=top, relu_dead_at_highest_lr=relu_top, leaky_dead_at_highest_lr=leaky_top)
    low = dead["relu"][lrs[0]]
    status = "confirmed" if relu_top > leaky_top and relu_top > (low or 0) else "not confirmed"
    if status == "confirmed" and relu_top < 0.4 and not any("at lr" in f for f in forty):
        status = "partly"
    text = (f"ReLU's dead fraction grows with the learning rate ({fmt(low)} at lr {lrs[0]:g} -> {fmt(relu_top)} at "
            f"lr {top:g}) while Leaky ReLU has {fmt(leaky_top)} (its gradient is never 0); "
            + ("\"40% of the network dies\" happens here at " + ", ".join(forty[:3]) if forty else
               "\"40% of the network dies\" did not happen in this grid")
            + (f"; a 0.1 bias init does not prevent it ({fmt(dead[BIAS_VARIANT][top])} at lr {top:g})"
               if BIAS_VARIANT in dead else "")
            + ". Narrow deep ReLU nets are also born dead.")
    return Outcome(status, text, summary)


def _plot(ctx: Context, dead, born, lrs, variants, widths, depths) -> None:
    from actlab.experiments.plotting import color, subplots

    fig, (a1, a2) = subplots(1, 2, figsize=(10, 3.8))
    for v in variants:
        ys = [np.nan if dead[v][lr] is None else dead[v][lr] for lr in lrs]
        a1.plot(lrs, ys, "o-", color=color(v, variants), label=v)
    a1.axhline(0.4, color="k", ls=":", lw=1, label="40% (seed 003)")
    a1.set(xscale="log", xlabel="learning rate (Adam)", ylabel="fraction of dead hidden units",
           title="after training on MNIST-1D", ylim=(-0.02, 1.02))
    a1.legend(fontsize=8)
    for w in widths:
        a2.plot(depths, [born[w][d][0] for d in depths], "o-", label=f"width {w}: dead fraction")
        a2.plot(depths, [born[w][d][1] for d in depths], "x--", label=f"width {w}: P(born dead)")
    a2.set(xscale="log", xlabel="depth", ylabel="fraction", title="ReLU at He initialisation", ylim=(-0.02, 1.02))
    a2.set_xticks(list(depths), [str(d) for d in depths])
    a2.legend(fontsize=7)
    ctx.figure("dead_units", fig)


EXPERIMENT = Experiment(
    name="dying-relu",
    title="ReLU units die; Leaky ReLU's do not",
    claim="\"If the input is sufficiently negative, the output will always be 0 ... the gradient will always be 0 "
          "... it is so bad that sometimes 40% of a network can die off\" (seed 003); dead ReLUs come from poor "
          "initialisation or, more commonly, a learning rate that is too high, and a small positive bias at "
          "initialisation is used against it (seed 001); Leaky ReLU means \"no more Dead ReLU phenomenon\" "
          "(seed 001).",
    seed_source="003_306ab8118a3ac9fc.txt; 001_b63fdb00c6c388a9.txt; 000_3178e3a6f539c53e.txt",
    body=body,
    activations=("relu", "leaky_relu", "elu"),
    full_activations=("relu", "leaky_relu", "elu", "selu", "gelu"),
    required=("relu", "leaky_relu"),
    decisive=("highest_common_lr", "relu_dead_at_highest_lr", "leaky_dead_at_highest_lr"),
    decisive_activations=("relu", "leaky_relu"),
    notes="Seed 003 writes Leaky ReLU as max(-ax, x) switching at x = 1; it is max(ax, x) switching at 0. The 40% "
          "figure comes from Karpathy's CS231n notes (\"as much as 40% of your network can be dead\") about a too-high "
          "learning rate — a possibility, not a typical outcome: with a sensible learning rate the dead fraction "
          "stays small. Leaky ReLU units cannot die in the gradient sense (f' >= alpha > 0) but can still sit on "
          "the negative side for every input. Narrow, deep ReLU nets can be dead at initialisation whatever the "
          "learning rate.",
)
