"""One hidden layer approximates any continuous function: the error falls as units are added (non-linear
activations only; an identity hidden layer stays a straight line)."""

from __future__ import annotations

import numpy as np

from actlab.experiments import _net
from actlab.experiments.runner import Context, Experiment, Outcome

TARGETS = {
    "sin": ("sin(3x)", lambda x: np.sin(3 * x)),
    "abs": ("|x| (a kink)", np.abs),
    "step": ("step at 0 (a jump)", lambda x: (x > 0).astype(np.float64)),
    "bump": ("exp(-10 x^2)", lambda x: np.exp(-10 * x * x)),
}


def least_squares_fit(act: str, n: int, x: np.ndarray, y: np.ndarray, rng: np.random.Generator, seed: int):
    """The same one-hidden-layer net with random hidden units (slopes ~ N(0, 3^2), centres spread over [-2, 2])
    and the output layer solved by (lightly ridged) least squares: what the layer *can* represent."""
    model = _net.mlp(1, [n], 1, act, seed=seed, dtype=np.float64)
    hidden, out = _net.dense_layers(model)
    slopes = 3.0 * rng.standard_normal(n)
    centres = rng.uniform(-2, 2, n)
    hidden.params["W"][...] = slopes[None, :]
    hidden.params["b"][...] = -slopes * centres
    H = model.layers[1].forward(hidden.forward(x, training=False), training=False)
    A = np.hstack([H, np.ones((len(x), 1))])
    coef = np.linalg.solve(A.T @ A + 1e-8 * np.eye(n + 1), A.T @ y)
    out.params["W"][...] = coef[:-1, None]
    out.params["b"][...] = coef[-1]
    return model


def body(ctx: Context) -> Outcome:
    quick = ctx.quick
    units = (2, 8, 32) if quick else (1, 2, 4, 8, 16, 32, 64, 128)
    targets = ("sin", "abs", "step") if quick else tuple(TARGETS)
    epochs = ctx.budget(1000 if quick else 5000)
    n_train = 256
    ctx.setting(units=list(units), targets={t: TARGETS[t][0] for t in targets}, domain=[-2, 2], n_train=n_train,
                n_test=1001, epochs=epochs, batch_size=n_train, optimizer="adam", lr=0.02, loss="mse",
                error="RMSE on a 1001-point grid")
    x_train = np.linspace(-2, 2, n_train)[:, None]
    x_test = np.linspace(-2, 2, 1001)[:, None]
    ls_units = (2, 8, 32, 128) if quick else (1, 2, 4, 8, 16, 32, 64, 128, 256)
    ctx.setting(least_squares_units=list(ls_units), least_squares="random hidden units, output by least squares")
    ls_err: dict[tuple, float] = {}
    for t in targets:
        f = TARGETS[t][1]
        for a in ctx.activations:
            for n in ls_units:
                model = least_squares_fit(a, n, x_train, f(x_train[:, 0]), ctx.rng(n, 5), ctx.seed)
                ls_err[t, a, n] = float(np.sqrt(np.mean((model.predict(x_test)[:, 0] - f(x_test[:, 0])) ** 2)))
                ctx.record(**{f"least_squares.{t}.{a}.units{n}.rmse": ls_err[t, a, n]})
    err: dict[tuple, float] = {}
    fits = {}
    jobs = [(t, a, n) for t in targets for a in ctx.activations for n in units]
    for k, (t, act, n) in enumerate(jobs):
        f = TARGETS[t][1]
        model = _net.mlp(1, [n], 1, act, seed=ctx.seed, dtype=np.float64)
        _net.fit(model, x_train, f(x_train[:, 0]), "mse", _net.nn().Adam(0.02), epochs, n_train, ctx.seed)
        pred = model.predict(x_test)[:, 0]
        err[t, act, n] = float(np.sqrt(np.mean((pred - f(x_test[:, 0])) ** 2)))
        if n == max(units):
            fits[t, act] = pred
        ctx.record(**{f"{t}.{act}.units{n}.rmse": err[t, act, n]})
        ctx.progress((k + 1) / len(jobs), f"{t} {act} {n}")
    for t in targets:
        ctx.table(f"RMSE, target {TARGETS[t][0]}, random hidden units + least squares",
                  ["activation", *[f"{n} units" for n in ls_units]],
                  [[a, *[ls_err[t, a, n] for n in ls_units]] for a in ctx.activations])
        ctx.table(f"RMSE, target {TARGETS[t][0]}, trained by Adam", ["activation", *[f"{n} units" for n in units]],
                  [[a, *[err[t, a, n] for n in units]] for a in ctx.activations])
    _plot(ctx, err, fits, targets, units, x_test[:, 0], ls_err, ls_units)

    summary = [f"One hidden layer of N units fitted by full-batch Adam ({epochs} epochs) to {n_train} points on "
               f"[-2, 2]; RMSE on a 1001-point grid."]
    for t in targets:
        for a in ctx.activations:
            summary.append(f"  {TARGETS[t][0]:>20} {a:>10}: " + ", ".join(f"N={n}: {err[t, a, n]:.3f}" for n in units))
    nonlin = [a for a in ctx.activations if a != "identity"]
    lo, hi = min(ls_units), max(ls_units)
    continuous = [t for t in targets if t != "step"]  # the theorem's promise; a jump converges only in the mean
    capacity = {(t, a): ls_err[t, a, hi] < 0.2 * ls_err[t, a, lo] for t in continuous for a in nonlin}
    trained = {(t, a): err[t, a, max(units)] < 0.5 * err[t, a, min(units)] for t in targets for a in nonlin}
    n_cap, n_tr = sum(capacity.values()), sum(trained.values())
    ctx.record(least_squares_fits_that_improve_5x=n_cap, trained_fits_that_halve=n_tr, nonlinear_fits=len(capacity))
    summary.append(f"With random hidden units and the output solved by least squares, {n_cap} of {len(capacity)} "
                   f"non-linear fits of continuous targets cut their error 5x from {lo} to {hi} units.")
    text = (f"with enough units one layer represents the continuous targets: {n_cap} of {len(capacity)} "
            f"non-linear least-squares fits cut their error 5x from {lo} to {hi} units")
    if "step" in targets:
        step = min(ls_err["step", a, hi] for a in nonlin)
        ctx.record(step_best_rmse=step)
        text += f" (the jump, which the theorem does not cover, only to RMSE {step:.3f})"
    if "identity" in ctx.activations:
        flat = max(abs(ls_err[t, "identity", hi] - ls_err[t, "identity", lo]) for t in targets)
        ctx.record(identity_error_change=flat)
        text += f", while an identity layer stays a straight line (error change {flat:.1e})"
    text += (f"; but the theorem promises existence, not that training finds it — Adam halved the error in only "
             f"{n_tr} of {len(trained)} cases (sin(3x) and the jump are hard).")
    ok = n_cap >= 0.8 * len(capacity)
    return Outcome("confirmed" if ok else "partly", text, summary)


def _plot(ctx: Context, err, fits, targets, units, x, ls_err, ls_units) -> None:
    from actlab.experiments.plotting import color, subplots

    order = list(ctx.activations)
    fig, axes = subplots(2, len(targets), figsize=(4.0 * len(targets), 6.6), squeeze=False)
    for c, t in enumerate(targets):
        ax = axes[0][c]
        ax.plot(x, TARGETS[t][1](x), "k-", lw=2.5, alpha=0.3, label="target")
        for a in order:
            ax.plot(x, fits[t, a], "-", color=color(a, order), lw=1.2, label=a)
        ax.set(title=f"{TARGETS[t][0]}, {max(units)} units", xlabel="x")
        ax = axes[1][c]
        for a in order:
            ax.loglog(units, [max(err[t, a, n], 1e-6) for n in units], "o-", color=color(a, order), label=a)
            ax.loglog(ls_units, [max(ls_err[t, a, n], 1e-6) for n in ls_units], "x--", color=color(a, order))
        ax.set(xlabel="hidden units N", ylabel="RMSE", title="error vs N (solid: Adam, dashed: least squares)")
    axes[0][0].legend(fontsize=8)
    ctx.figure("approximation", fig)


EXPERIMENT = Experiment(
    name="universal-approximation",
    title="One hidden layer approximates any continuous function",
    claim="\"Non-linear Activation Functions ... can approximate any continuous function, given the right "
          "parameters. This property is called the Universal Approximation Theorem\" (seed 002); \"The combination of "
          "ReLu can approximate any function\" (seed 000).",
    seed_source="002_e42c01c331b19f7d.txt; 000_3178e3a6f539c53e.txt; 003_306ab8118a3ac9fc.txt",
    body=body,
    activations=("relu", "tanh", "sigmoid", "identity"),
    full_activations=("relu", "tanh", "sigmoid", "elu", "gelu", "softplus", "identity"),
    decisive=("least_squares_fits_that_improve_5x", "nonlinear_fits", "trained_fits_that_halve"),
    notes="The theorem (Cybenko 1989; Hornik 1991; Leshno et al. 1993) needs a non-polynomial activation and says a "
          "wide enough single layer *exists* on a compact set; it says nothing about how many units, or whether "
          "training finds them. \"Any function\" (seed 000) is too strong: continuous functions on a bounded "
          "domain; a jump is only approximated in the mean.",
)
