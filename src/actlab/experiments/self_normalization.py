"""SELU self-normalises: through 50 layers of width 256 with LeCun-normal weights its activations stay near
mean 0 and variance 1, and return there from a perturbed start; ReLU and tanh drift."""

from __future__ import annotations

import numpy as np

import actlab
from actlab.experiments.runner import Context, Experiment, Outcome

WIDTH = 256
DEPTH = 50
# Input distributions: the standard start and two perturbed ones (shifted and widened, shrunk and shifted down).
STARTS = {"standard": (0.0, 1.0), "wide": (1.0, 3.0), "narrow": (-0.5, 0.3)}


def propagate(act, X: np.ndarray, weights: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of every layer's output (over units and samples) for h_{l+1} = f(h_l W_l)."""
    means, variances = [], []
    h = X
    for W in weights:
        h = act(h @ W)
        means.append(h.mean())
        variances.append(h.var())
    return np.array(means), np.array(variances)


def body(ctx: Context) -> Outcome:
    from actlab.nn.init import get_initializer

    n = ctx.budget(512 if ctx.quick else 4096)
    repeats = 1 if ctx.quick else 5
    ctx.setting(width=WIDTH, depth=DEPTH, samples=n, weight_draws=repeats, init="lecun_normal", bias=0.0,
                starts={k: {"mean": m, "std": s} for k, (m, s) in STARTS.items()}, dtype="float64")
    draw = get_initializer("lecun_normal")
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    total = len(ctx.activations) * len(STARTS) * repeats
    done = 0
    for name in ctx.activations:
        act = actlab.get(name)
        curves[name] = {}
        for start, (mu, sd) in STARTS.items():
            ms, vs = [], []
            for r in range(repeats):
                rng = ctx.rng(r)  # the same weights for every activation and start: a paired comparison
                weights = [draw(rng, WIDTH, WIDTH, np.float64) for _ in range(DEPTH)]
                X = mu + sd * ctx.rng(1000 + r).standard_normal((n, WIDTH))
                m, v = propagate(act, X, weights)
                ms.append(m)
                vs.append(v)
                done += 1
                ctx.progress(done / total, f"{name} {start}")
            curves[name][start] = (np.mean(ms, axis=0), np.mean(vs, axis=0))

    rows = []
    for name, by_start in curves.items():
        for start, (m, v) in by_start.items():
            ctx.record(**{f"{name}.{start}.layer{DEPTH}_mean": m[-1], f"{name}.{start}.layer{DEPTH}_var": v[-1],
                          f"{name}.{start}.layer10_var": v[9]})
            rows.append([name, start, m[9], v[9], m[-1], v[-1]])
        ctx.record(**{f"{name}.mean_by_layer": by_start["standard"][0], f"{name}.var_by_layer": by_start["standard"][1]})
    ctx.table("layer statistics", ["activation", "start", "mean@10", "var@10", f"mean@{DEPTH}", f"var@{DEPTH}"], rows)
    _plot(ctx, curves)

    summary = [f"{DEPTH} layers of width {WIDTH}, LeCun-normal weights, no bias; mean/variance of each layer's "
               f"output over {n} inputs (start: standard normal, or perturbed to N(1, 3^2) / N(-0.5, 0.3^2))."]
    for name, by_start in curves.items():
        parts = ", ".join(f"{s}: mean {m[-1]:+.3f} var {v[-1]:.3g}" for s, (m, v) in by_start.items())
        summary.append(f"  {name:>10}  layer {DEPTH} -> {parts}")
    if "selu" not in curves:
        return Outcome("partly", "SELU was not among the activations run, so self-normalisation was not tested.",
                       summary)
    ok = all(0.8 <= v[-1] <= 1.25 and abs(m[-1]) < 0.1 for m, v in curves["selu"].values())
    others = [a for a in curves if a != "selu"]
    drift = [a for a in others if not (0.8 <= curves[a]["standard"][1][-1] <= 1.25)]
    if ok:
        text = (f"SELU ends at variance {curves['selu']['standard'][1][-1]:.3f} (mean "
                f"{curves['selu']['standard'][0][-1]:+.3f}) and returns to (0, 1) from both perturbed starts"
                + (f"; {', '.join(drift)} drift away from variance 1" if drift else "") + ".")
        return Outcome("confirmed", text, summary)
    return Outcome("not confirmed", "SELU's layer-50 statistics left the band mean 0 +- 0.1, variance 0.8-1.25.",
                   summary)


def _plot(ctx: Context, curves) -> None:
    from actlab.experiments.plotting import color, subplots

    fig, (ax_m, ax_v) = subplots(1, 2, figsize=(10, 3.8))
    layers = np.arange(1, DEPTH + 1)
    styles = {"standard": "-", "wide": "--", "narrow": ":"}
    order = list(curves)
    for name, by_start in curves.items():
        for start, (m, v) in by_start.items():
            label = name if start == "standard" else None
            ax_m.plot(layers, m, styles[start], color=color(name, order), label=label, lw=1.4)
            ax_v.plot(layers, np.maximum(v, 1e-300), styles[start], color=color(name, order), lw=1.4)
    ax_m.axhline(0, color="k", lw=0.6)
    ax_v.axhline(1, color="k", lw=0.6)
    ax_v.set_yscale("log")
    ax_m.set(xlabel="layer", ylabel="mean of activations", title="mean (solid: N(0,1) input; dashed/dotted: perturbed)")
    ax_v.set(xlabel="layer", ylabel="variance (log)", title=f"variance, width {WIDTH}, LeCun-normal init")
    ax_m.legend(fontsize=8)
    ctx.figure("self_normalization", fig)


EXPERIMENT = Experiment(
    name="self-normalization",
    title="SELU keeps activations at mean 0, variance 1",
    claim="SELU (Klambauer et al. 2017), listed among the smooth non-linearities of seed 002, is self-normalising: "
          "with LeCun-normal weights, activations converge to mean 0 and variance 1 through many layers, so deep "
          "plain networks train without batch normalisation.",
    seed_source="002_e42c01c331b19f7d.txt (SELU in the list of non-linearities); Klambauer et al. 2017",
    body=body,
    activations=("selu", "relu", "tanh", "elu"),
    full_activations=("selu", "relu", "leaky_relu", "tanh", "elu", "gelu", "silu", "sigmoid"),
    required=("selu",),
    budget="input samples",
    decisive=("selu.standard.layer50_var", "selu.standard.layer50_mean", "selu.wide.layer50_var",
              "selu.narrow.layer50_var"),
    decisive_activations=("selu",),
    notes="The fixed point needs SELU's exact constants (alpha = 1.6732632423543772, lambda = 1.0507009873554805), "
          "weights with mean 0 and variance 1/fan_in (LeCun normal) and no bias; with He init or dropout the "
          "guarantee is gone. ReLU with the same init halves the variance at every layer (He init exists to fix "
          "that); tanh shrinks it slowly.",
)
