"""Without a non-linearity, depth buys nothing: an N-layer identity network is one linear layer."""

from __future__ import annotations

import numpy as np

from actlab.experiments import _net
from actlab.experiments.runner import Context, Experiment, Outcome


def collapse(model) -> tuple[np.ndarray, np.ndarray]:
    """The single affine map (W, b) an all-identity MLP computes: W = W1 W2 ... Wn, b = (..(b1 W2 + b2) W3 ..) + bn."""
    W, b = None, None
    for layer in _net.dense_layers(model):
        Wl, bl = layer.params["W"].astype(np.float64), layer.params["b"].astype(np.float64)
        W, b = (Wl, bl) if W is None else (W @ Wl, b @ Wl + bl)
    return W, b


def body(ctx: Context) -> Outcome:
    from sklearn.linear_model import LogisticRegression

    from actlab import data

    quick = ctx.quick
    depths_compose = (1, 2, 4, 8) if quick else (1, 2, 4, 8, 16, 32)
    depths_train = (1, 2) if quick else (1, 2, 3, 4)
    width = 64 if quick else 128
    epochs = ctx.budget(25 if quick else 80)
    ctx.setting(dataset="mnist1d", width=width, compose_depths=list(depths_compose), train_depths=list(depths_train),
                epochs=epochs, batch_size=64, optimizer="adam", lr=2e-3, logistic_regression="sklearn, C=1.0",
                boundary_sets=["xor", "spirals"], boundary_hidden=[32, 32], boundary_epochs=60 if quick else 200)

    # 1. The algebra: compose the weights of an identity network (float64) and compare outputs.
    X = ctx.rng(1).standard_normal((256, 40))
    diffs = {}
    for depth in depths_compose:
        model = _net.mlp(40, [width] * depth, 10, "identity", seed=ctx.seed, dtype=np.float64)
        W, b = collapse(model)
        out = model.predict(X)
        diffs[depth] = float(np.max(np.abs(out - (X @ W + b))))
        ctx.record(**{f"compose.depth{depth}.max_abs_diff": diffs[depth],
                      f"compose.depth{depth}.max_abs_output": float(np.max(np.abs(out)))})
    ctx.progress(0.1, "composition")

    # 2. MNIST-1D: logistic regression vs identity nets of any depth vs non-linear nets.
    ds = data.load("mnist1d", seed=ctx.seed)
    lr = LogisticRegression(max_iter=2000).fit(ds.X_train, ds.y_train)
    acc_lr = float(lr.score(ds.X_test, ds.y_test))
    ctx.record(logistic_regression_accuracy=acc_lr)
    accs: dict[str, dict[int, float]] = {}
    todo = [(a, d) for a in ctx.activations for d in depths_train]
    for i, (act, depth) in enumerate(todo):
        model = _net.mlp(ds.n_features, [width] * depth, ds.n_classes, act, seed=ctx.seed)
        opt = _net.nn().Adam(2e-3)
        _net.fit(model, ds.X_train, ds.y_train, "softmax_cross_entropy", opt, epochs, 64, ctx.seed)
        accs.setdefault(act, {})[depth] = _net.accuracy(model, ds.X_test, ds.y_test)
        ctx.record(**{f"mnist1d.{act}.depth{depth}.accuracy": accs[act][depth]})
        if act == "identity":  # the trained identity net is still one linear map: check on real data, float32
            W, b = collapse(model)
            gap = float(np.max(np.abs(model.predict(ds.X_test) - (ds.X_test @ W + b))))
            ctx.record(**{f"mnist1d.identity.depth{depth}.collapse_max_abs_diff_float32": gap})
        ctx.progress(0.1 + 0.6 * (i + 1) / len(todo), f"mnist1d {act} depth {depth}")

    rows = [["logistic regression", "-", acc_lr]]
    rows += [[a, d, accs[a][d]] for a in accs for d in depths_train]
    ctx.table("MNIST-1D test accuracy", ["model", "hidden layers", "accuracy"], rows)
    ctx.table("weight composition (float64)", ["hidden layers", "max |net(x) - (x W + b)|"],
              [[d, v] for d, v in diffs.items()])

    if not ctx.probing:  # the decision boundaries are illustrations, not part of the verdict
        _boundaries(ctx)
    _plot_accuracy(ctx, accs, acc_lr, depths_train)

    ident = accs.get("identity", {})
    nonlin = {a: max(v.values()) for a, v in accs.items() if a != "identity"}
    summary = [f"Composing the weights of identity networks reproduces their outputs to "
               f"{max(diffs.values()):.1e} (float64 round-off) at depths {', '.join(map(str, depths_compose))}.",
               f"MNIST-1D test accuracy: logistic regression {acc_lr:.1%}; "
               + "; ".join(f"{a} " + "/".join(f"{accs[a][d]:.1%}" for d in depths_train) for a in accs)
               + f" (hidden layers {'/'.join(map(str, depths_train))}, width {width})."]
    worst_gap = max(abs(v - acc_lr) for v in ident.values())
    best_nonlin = max(nonlin.values()) if nonlin else float("nan")
    ctx.record(identity_max_gap_to_logistic=worst_gap, best_nonlinear_accuracy=best_nonlin)
    exact = max(diffs.values()) < 1e-10
    ok = exact and worst_gap <= 0.03 and nonlin and best_nonlin > acc_lr + 0.15
    text = (f"an identity network of any depth is one linear map (max difference {max(diffs.values()):.0e}) and "
            f"scores within {worst_gap * 100:.1f} points of logistic regression ({acc_lr:.1%}), while the best "
            f"non-linear network reaches {best_nonlin:.1%}.")
    return Outcome("confirmed" if ok else "partly", text, summary)


def _boundaries(ctx: Context) -> None:
    from actlab import data
    from actlab.experiments.plotting import subplots

    sets = ("xor", "spirals")
    acts = ctx.activations[:4]
    fig, axes = subplots(len(sets), len(acts), figsize=(3.0 * len(acts), 3.0 * len(sets)), squeeze=False)
    epochs = ctx.settings["boundary_epochs"]
    for r, name in enumerate(sets):
        ds = data.load(name, seed=ctx.seed)
        X = np.vstack([ds.X_train, ds.X_test])
        y = np.concatenate([ds.y_train, ds.y_test])
        lo, hi = X.min(0) - 0.3, X.max(0) + 0.3
        g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 150), np.linspace(lo[1], hi[1], 150))
        grid = np.column_stack([g1.ravel(), g2.ravel()])
        for c, act in enumerate(acts):
            model = _net.mlp(2, [32, 32], 2, act, seed=ctx.seed)
            _net.fit(model, ds.X_train, ds.y_train, "softmax_cross_entropy", _net.nn().Adam(1e-2), epochs, 32,
                     ctx.seed)
            acc = _net.accuracy(model, ds.X_test, ds.y_test)
            ctx.record(**{f"boundary.{name}.{act}.accuracy": acc})
            out = model.predict(grid)
            p = np.exp(out[:, 1] - np.logaddexp(out[:, 0], out[:, 1])).reshape(g1.shape)
            ax = axes[r][c]
            ax.contourf(g1, g2, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.7)
            ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", s=4, edgecolors="none")
            ax.set(title=f"{name}, {act}: {acc:.0%}", xticks=[], yticks=[])
        ctx.progress(0.7 + 0.15 * (r + 1), f"decision boundaries {name}")
    fig.suptitle("Decision boundaries of a 2x32 MLP: identity stays a straight line")
    ctx.figure("boundaries", fig)


def _plot_accuracy(ctx: Context, accs, acc_lr, depths) -> None:
    from actlab.experiments.plotting import color, subplots

    fig, ax = subplots(figsize=(5.5, 3.6))
    order = list(accs)
    for act, by_depth in accs.items():
        ax.plot(depths, [by_depth[d] for d in depths], "o-", color=color(act, order), label=act)
    ax.axhline(acc_lr, color="k", ls="--", lw=1, label="logistic regression")
    ax.set(xlabel="hidden layers", ylabel="MNIST-1D test accuracy", xticks=list(depths),
           title="Depth helps only with a non-linearity")
    ax.legend()
    ctx.figure("mnist1d_accuracy", fig)


EXPERIMENT = Experiment(
    name="linear-collapse",
    title="Linear layers collapse into one",
    claim="\"No matter how many layers we have, if the activation functions of these layers are linear, the final "
          "activation function of the last layer will be the linear function of the input of the first layer ... "
          "the two layers (or N layers) can be replaced by a single layer\" (seed 000; also seeds 001 and 003).",
    seed_source="000_3178e3a6f539c53e.txt; 001_b63fdb00c6c388a9.txt; 003_306ab8118a3ac9fc.txt",
    body=body,
    activations=("identity", "relu", "tanh"),
    full_activations=("identity", "relu", "tanh", "sigmoid", "leaky_relu", "gelu"),
    required=("identity",),
    decisive=("identity_max_gap_to_logistic", "best_nonlinear_accuracy", "logistic_regression_accuracy"),
    decisive_activations=("identity", "relu"),
    notes="Exactly right, and the one claim here that is algebra rather than an empirical tendency. Seed 002 adds "
          "that \"Linear Activation Functions suffer from vanishing and exploding gradients\": that is not the "
          "reason to avoid them — a linear network's gradients are products of weight matrices like any other "
          "network's; the reason is the collapse shown here. Seed 000's other complaint, that a constant derivative "
          "makes the update \"independent of the input\", is wrong: dL/dW still contains the input.",
)
