"""Sigmoid gradients vanish with depth: back-propagation multiplies one derivative <= 1/4 per layer."""

from __future__ import annotations

import numpy as np

import actlab
from actlab.experiments import _net
from actlab.experiments.runner import Context, Experiment, Outcome

INITS = ("glorot_normal", "he_normal", "lecun_normal")


def layer_gradient_norms(model, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """||dL/dW_l||_F for every Dense layer (hidden layers first, the output layer last) on one batch."""
    loss = _net.nn().SoftmaxCrossEntropy()
    out = model.forward(X, training=True)
    _, grad = loss.value_and_grad(out, loss.target(y, out.shape[1], model.dtype))
    model.backward(grad, input_grad=False)
    return np.array([np.linalg.norm(layer.grads["W"]) for layer in _net.dense_layers(model)])


def body(ctx: Context) -> Outcome:
    from actlab import data

    quick = ctx.quick
    depths = (4, 8, 16, 32) if quick else (4, 8, 16, 32, 64)
    width = 64 if quick else 128
    steps = 50 if quick else 300
    batch = ctx.budget(256)  # the sample the gradients are measured on: what the verdict rests on
    ctx.setting(dataset="mnist1d", width=width, depths=list(depths), inits=list(INITS), batch=batch,
                loss="softmax_cross_entropy", dtype="float64", train_steps=steps, train_optimizer="sgd",
                train_lr=0.05, train_batch=64)
    ds = data.load("mnist1d", seed=ctx.seed)
    Xb, yb = ds.X_train[:batch], ds.y_train[:batch]
    grid = np.linspace(-10, 10, 20001)
    peak = {a: float(np.max(np.abs(actlab.get(a).derivative(grid)))) for a in ctx.activations}
    ctx.record(**{f"{a}.max_derivative": v for a, v in peak.items()})

    norms: dict[tuple, np.ndarray] = {}
    after: dict[tuple, np.ndarray] = {}
    combos = [(a, i, d) for a in ctx.activations for i in INITS for d in depths]
    for k, (act, init, depth) in enumerate(combos):
        model = _net.mlp(ds.n_features, [width] * depth, ds.n_classes, act, seed=ctx.seed, init=init,
                         dtype=np.float64)
        g0 = layer_gradient_norms(model, Xb, yb)
        norms[act, init, depth] = g0
        ctx.record(**{f"{act}.{init}.depth{depth}.first_layer_grad": g0[0],
                      f"{act}.{init}.depth{depth}.last_hidden_grad": g0[depth - 1],
                      f"{act}.{init}.depth{depth}.first_over_last": g0[0] / g0[depth - 1] if g0[depth - 1] else 0.0})
        if depth == max(depths) or depth == 16:
            ctx.record(**{f"{act}.{init}.depth{depth}.grad_by_layer": g0})
        if (depth == 16 or not quick) and not ctx.probing:  # after training: context, not the verdict
            taken = _net.train_steps(model, ds.X_train, ds.y_train, "softmax_cross_entropy",
                                     _net.nn().SGD(0.05), steps, 64, ctx.rng(7))
            g1 = layer_gradient_norms(model, Xb, yb) if taken > 0 else np.full_like(g0, np.nan)
            after[act, init, depth] = g1
            ctx.record(**{f"{act}.{init}.depth{depth}.after_{steps}_steps.first_layer_grad": g1[0],
                          f"{act}.{init}.depth{depth}.after_{steps}_steps.grad_by_layer": g1})
        ctx.progress((k + 1) / len(combos), f"{act} {init} depth {depth}")

    rows = []
    for act in ctx.activations:
        for init in INITS:
            rows.append([act, init, *[norms[act, init, d][0] for d in depths],
                         after.get((act, init, 16), [np.nan])[0]])
    ctx.table("first-layer gradient norm at initialisation", ["activation", "init", *[f"depth {d}" for d in depths],
                                                              f"depth 16 after {steps} steps"], rows)
    _plot(ctx, norms, after, depths, steps)

    summary = [f"||dL/dW|| per layer of MLPs of width {width} on a batch of {batch} MNIST-1D samples "
               f"(softmax cross-entropy, float64), each activation x {{Glorot, He, LeCun}} normal init.",
               "max |f'|: " + ", ".join(f"{a} {v:.3g}" for a, v in peak.items())]
    for act in ctx.activations:
        summary.append(f"  {act:>10}: first-layer gradient at depth " + ", ".join(
            f"{d}: {min(norms[act, i, d][0] for i in INITS):.1e}-{max(norms[act, i, d][0] for i in INITS):.1e}"
            for d in depths))
    if "sigmoid" not in ctx.activations or "relu" not in ctx.activations:
        return Outcome("partly", "the test needs sigmoid and ReLU among the activations.", summary)
    relu_he = norms["relu", "he_normal", 16][0]
    sig_best = max(norms["sigmoid", i, 16][0] for i in INITS)
    ratio = relu_he / sig_best
    ctx.record(relu_he_over_best_sigmoid_depth16=ratio)
    # How the sigmoid's first-layer gradient falls with depth: the fitted factor per layer.
    d_arr = np.array(depths, dtype=float)
    slope = np.polyfit(d_arr, np.log([norms["sigmoid", "glorot_normal", d][0] for d in depths]), 1)[0]
    ctx.record(sigmoid_glorot_factor_per_layer=float(np.exp(slope)))
    summary.append(f"Sigmoid (Glorot) loses a factor {np.exp(slope):.3f} per layer (its derivative peaks at "
                   f"{peak['sigmoid']:.3g}; the weights' gain sqrt(fan_in * Var W) = 1 makes up the rest).")
    relu_spread = norms["relu", "he_normal", 16][0] / norms["relu", "he_normal", 16][15]
    text = (f"at depth 16 the sigmoid's first-layer gradient is {ratio:.1e}x smaller than He-initialised ReLU's "
            f"even with its best init, shrinking ~{np.exp(slope):.2f}x per layer; ReLU with He init keeps the "
            f"first layer's gradient at {relu_spread:.2f}x the last hidden layer's. Tanh with Glorot also holds up at init; the vanishing is "
            f"the sigmoid's (derivative <= 1/4, not zero-centred), not every S-curve's.")
    return Outcome("confirmed" if ratio >= 1e3 else "not confirmed", text, summary)


def _plot(ctx: Context, norms, after, depths, steps) -> None:
    from actlab.experiments.plotting import color, subplots

    deep = max(depths)
    order = list(ctx.activations)
    fig, axes = subplots(1, len(INITS) + 1, figsize=(4.0 * (len(INITS) + 1), 3.6), squeeze=False)
    for ax, init in zip(axes[0], INITS):
        for act in order:
            g = norms[act, init, deep][:deep]
            ax.semilogy(np.arange(1, deep + 1), np.maximum(g, 1e-300), "-", color=color(act, order), label=act)
        ax.set(title=f"{init.replace('_normal', '')} init, depth {deep}", xlabel="layer (1 = first)",
               ylabel="||dL/dW|| at init")
    ax = axes[0][-1]
    for act in order:
        best = [max(norms[act, i, d][0] for i in INITS) for d in depths]
        ax.semilogy(depths, best, "o-", color=color(act, order), label=act)
    if "sigmoid" in order:
        ref = norms["sigmoid", "glorot_normal", depths[0]][0]
        ax.semilogy(depths, [ref * 0.25 ** (d - depths[0]) for d in depths], "k:", label="0.25^depth")
    ax.set(title="first-layer gradient, best init", xlabel="depth", ylabel="||dL/dW_1||")
    axes[0][0].legend(fontsize=8)
    ax.legend(fontsize=8)
    ctx.figure("gradient_by_layer", fig)


EXPERIMENT = Experiment(
    name="vanishing-gradients",
    title="Sigmoid gradients vanish with depth",
    claim="\"If you use the sigmoid function for each layer, then the gradient, as the signal is backpropagated, "
          "would get smaller and smaller ... multiplying n of these small fractions ... decreases them "
          "exponentially\" (seed 003); ReLU is \"not susceptible to the vanishing or exploding gradient problem\" "
          "(seed 003); tanh is \"still susceptible\" (seeds 001, 003).",
    seed_source="003_306ab8118a3ac9fc.txt; 001_b63fdb00c6c388a9.txt; 000_3178e3a6f539c53e.txt",
    body=body,
    activations=("sigmoid", "tanh", "relu"),
    full_activations=("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu"),
    required=("sigmoid", "relu"),
    budget="gradient samples",
    decisive=("relu_he_over_best_sigmoid_depth16", "sigmoid_glorot_factor_per_layer"),
    decisive_activations=("sigmoid", "relu"),
    notes="Seed 003 writes the sigmoid's derivative as s(1+s); it is s(1-s), which peaks at 1/4 — that bound is the "
          "whole argument. Seed 001 says \"multiplying numbers less than 0 repeatedly\": it means less than 1. "
          "\"Not susceptible\" overstates ReLU's case: with a bad init (e.g. LeCun's variance 1/fan_in) its "
          "gradients also shrink geometrically (by about 1/sqrt(2) per layer), and they can explode with a large "
          "one; He init is what keeps them level. Tanh with Glorot init does not vanish at initialisation.",
)
