"""Non-zero-centred inputs make a neuron's weight updates share one sign, so gradient descent zig-zags.

The seed's picture: a neuron with two weights whose inputs are all positive (sigmoid outputs of the previous
layer). The gradient dL/dw = delta * x has the sign of delta in every component, so per-sample updates move
(w1, w2) only up-right or down-left, and reaching a target with w1 up and w2 down takes a staircase.
We feed the same neuron the outputs of each activation and measure (1) the fraction of same-sign updates, (2) the
steps gradient descent needs, with its learning rate tuned per input, and (3) draw the path.
"""

from __future__ import annotations

import numpy as np

import actlab
from actlab.experiments.runner import Context, Experiment, Outcome

TOL = 1e-2  # converged: ||w - w*|| <= TOL * ||w*||
LR_FRACTIONS = (0.125, 0.25, 0.5, 0.75, 0.95)  # of 2 / lambda_max, the edge of stability of gradient descent


def inputs(name: str, rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Outputs of ``name`` on standard-normal pre-activations: what the next layer's neuron receives."""
    return np.asarray(actlab.get(name)(rng.standard_normal((n, d))), dtype=np.float64)


def gd_steps(X: np.ndarray, y: np.ndarray, w_star: np.ndarray, max_steps: int) -> tuple[int, float]:
    """Full-batch gradient descent on the squared error from w = 0: fewest steps over the tuned learning rates."""
    H = X.T @ X / len(X)  # the loss is quadratic: grad = H w - X^T y / n
    g = X.T @ y / len(X)
    lam = float(np.linalg.eigvalsh(H)[-1])
    best, best_lr = max_steps, 0.0
    for frac in LR_FRACTIONS:
        lr = frac * 2.0 / lam
        w = np.zeros_like(w_star)
        for step in range(1, best + 1):  # no point running past the best so far
            w -= lr * (H @ w - g)
            if np.linalg.norm(w - w_star) <= TOL * np.linalg.norm(w_star):
                best, best_lr = step, lr
                break
    return best, best_lr


def sgd(X: np.ndarray, y: np.ndarray, lr: float, steps: int, batch: int, rng: np.random.Generator):
    """Mini-batch SGD on the squared error from w = 0; returns the path and each update's sign pattern."""
    w = np.zeros(X.shape[1])
    path = [w.copy()]
    same_sign = []
    for _ in range(steps):
        idx = rng.integers(0, len(X), batch)
        grad = X[idx].T @ (X[idx] @ w - y[idx]) / batch
        nz = grad[grad != 0]  # an input of exactly 0 (ReLU) leaves its weight alone: no sign to count
        if nz.size:  # a zero update (the sample is already fitted) has no direction
            same_sign.append(bool(np.all(nz > 0) or np.all(nz < 0)))
        w = w - lr * grad
        path.append(w.copy())
    return np.array(path), float(np.mean(same_sign)) if same_sign else 0.0


def body(ctx: Context) -> Outcome:
    n = 2000 if ctx.quick else 20000
    dims = (2, 20)
    max_steps = ctx.budget(20000 if ctx.quick else 200000)
    sgd_steps = ctx.budget(300 if ctx.quick else 2000)
    ctx.setting(samples=n, dims=list(dims), teacher_2d=[1.0, -1.0], teacher_high_d="standard normal",
                pre_activations="standard normal", tolerance=TOL, lr_grid_of_2_over_lambda_max=list(LR_FRACTIONS),
                max_steps=max_steps, sgd_steps=sgd_steps, sgd_batches=[1, 32], bias=False)
    results: dict[str, dict] = {}
    paths = {}
    for i, name in enumerate(ctx.activations):
        res: dict = {}
        for d in dims:
            X = inputs(name, ctx.rng(d), n, d)
            w_star = np.array([1.0, -1.0]) if d == 2 else ctx.rng(d, 1).standard_normal(d)
            y = X @ w_star
            H = X.T @ X / n
            eig = np.linalg.eigvalsh(H)
            steps, lr = gd_steps(X, y, w_star, max_steps)
            res[f"d{d}.input_mean"] = float(X.mean())
            res[f"d{d}.all_positive"] = bool(np.all(X >= 0))
            res[f"d{d}.condition_number"] = float(eig[-1] / max(eig[0], 1e-300))
            res[f"d{d}.gd_steps"] = steps
            lr_sgd = 1.0 / float(np.max(np.sum(X * X, axis=1)))  # per-sample updates stable: lr |x|^2 < 2
            for batch in (1, 32):
                path, frac = sgd(X, y, lr_sgd, sgd_steps, batch, ctx.rng(d, 2, batch))
                res[f"d{d}.same_sign_fraction.batch{batch}"] = frac
                if d == 2 and batch == 1:
                    paths[name] = (path, w_star, H, X.T @ y / n)
            res[f"d{d}.sgd_error_after"] = float(np.linalg.norm(path[-1] - w_star) / np.linalg.norm(w_star))
        results[name] = res
        ctx.progress((i + 1) / len(ctx.activations), name)
    for name, res in results.items():
        ctx.record(**{f"{name}.{k}": v for k, v in res.items()})
    ctx.table("same-sign updates and steps to converge",
              ["input from", "mean input", "all positive", "same-sign (d=2, batch 1)", "same-sign (d=20, batch 1)",
               "same-sign (d=2, batch 32)", "cond. number d=2", "GD steps d=2", "GD steps d=20"],
              [[a, r["d2.input_mean"], r["d2.all_positive"], r["d2.same_sign_fraction.batch1"],
                r["d20.same_sign_fraction.batch1"], r["d2.same_sign_fraction.batch32"], r["d2.condition_number"],
                r["d2.gd_steps"], r["d20.gd_steps"]] for a, r in results.items()])
    _plot(ctx, paths)

    summary = [f"A neuron without bias learns a teacher (w* = (1, -1) in 2-D; random in 20-D) from inputs f(z), "
               f"z ~ N(0, 1); gradient descent with its learning rate tuned per input, tolerance {TOL:g}."]
    for a, r in results.items():
        summary.append(f"  {a:>10}: mean input {r['d2.input_mean']:+.3f}, same-sign updates "
                       f"{r['d2.same_sign_fraction.batch1']:.0%} (2-D) / {r['d20.same_sign_fraction.batch1']:.0%} "
                       f"(20-D) per sample, {r['d2.same_sign_fraction.batch32']:.0%} with batches of 32; "
                       f"GD steps {r['d2.gd_steps']} (2-D), {r['d20.gd_steps']} (20-D)")
    positive = [a for a, r in results.items() if r["d2.all_positive"]]
    centred = [a for a, r in results.items() if abs(r["d2.input_mean"]) < 0.05]
    if not positive or not centred:
        return Outcome("partly", "the comparison needs one activation with positive outputs (sigmoid, relu) and one "
                                 "zero-centred (tanh).", summary)
    all_same = all(results[a]["d2.same_sign_fraction.batch1"] == 1.0 and
                   results[a]["d20.same_sign_fraction.batch1"] == 1.0 for a in positive)
    slow = min(results[a]["d20.gd_steps"] for a in positive)
    fast = max(results[a]["d20.gd_steps"] for a in centred)
    ratio = slow / fast
    ctx.record(steps_ratio_positive_vs_centred_d20=ratio)
    text = (f"with all-positive inputs ({', '.join(positive)}) "
            + ("every per-sample update has one sign" if all_same else "most per-sample updates have one sign")
            + f", and gradient descent needs at least {ratio:.1f}x the steps of "
            f"zero-centred inputs ({', '.join(centred)}) in 20-D; mini-batches of 32 already break the one-sign "
            f"pattern (the slowdown is the conditioning a non-zero mean causes, which a bias or normalisation "
            f"also removes).")
    status = "confirmed" if all_same and ratio >= 2 else ("partly" if all_same or ratio >= 2 else "not confirmed")
    return Outcome(status, text, summary)


def _plot(ctx: Context, paths) -> None:
    from actlab.experiments.plotting import color, subplots

    shown = list(paths)[:4]
    fig, axes = subplots(1, len(shown), figsize=(3.6 * len(shown), 3.6), squeeze=False)
    for ax, name in zip(axes[0], shown):
        path, w_star, H, g = paths[name]
        lo = min(path.min(), -1.5) - 0.2
        hi = max(path.max(), 1.5) + 0.2
        grid = np.linspace(lo, hi, 120)
        W1, W2 = np.meshgrid(grid, grid)
        Wf = np.stack([W1.ravel(), W2.ravel()], axis=1)
        loss = 0.5 * np.einsum("ij,jk,ik->i", Wf, H, Wf) - Wf @ g
        ax.contour(W1, W2, loss.reshape(W1.shape), levels=14, colors="0.75", linewidths=0.6)
        ax.plot(path[:, 0], path[:, 1], "-", color=color(name), lw=0.9, marker=".", ms=2)
        ax.plot(*w_star, "k*", ms=10)
        ax.plot(0, 0, "ko", ms=4)
        ax.set(title=f"inputs from {name}", xlabel="w1", ylabel="w2", xlim=(lo, hi), ylim=(lo, hi), aspect="equal")
    fig.suptitle("Per-sample SGD from (0, 0) to w* = (1, -1): positive inputs can only step up-right or down-left")
    ctx.figure("zigzag", fig)


EXPERIMENT = Experiment(
    name="zero-centering",
    title="Non-zero-centred activations make weight updates zig-zag",
    claim="\"Sigmoid outputs are not zero-centered ... if X is always positive, the value of dL/dW is determined by "
          "dL/da ... gradient W will always be either positive or negative ... it searches in a zig zag pattern\" "
          "(seed 001); \"The output of Sigmoid is not 0 mean, which makes the convergence slow\" (seed 004).",
    seed_source="001_b63fdb00c6c388a9.txt; 004_b0b893412c98c1ad.txt; 002_e42c01c331b19f7d.txt (tanh)",
    body=body,
    activations=("sigmoid", "relu", "tanh"),
    full_activations=("sigmoid", "relu", "softplus", "tanh", "elu", "selu"),
    budget="GD steps at most",
    decisive=("steps_ratio_positive_vs_centred_d20", "sigmoid.d20.same_sign_fraction.batch1",
              "relu.d20.same_sign_fraction.batch1"),
    cheap=True,
    notes="True per sample: with positive inputs every component of a neuron's weight gradient has the sign of "
          "its delta. It is much weaker than it sounds in practice: a mini-batch gradient sums deltas of both signs, "
          "and what really slows gradient descent is the ill-conditioning a non-zero input mean causes (one large "
          "eigenvalue along the mean direction), which centring, a bias term or batch normalisation remove.",
)
