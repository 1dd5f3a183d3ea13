"""NALU's static arithmetic tasks (Trask et al. 2018, section 4.1): learn a+b, a-b and a*b, where a and b are sums of
two fixed, overlapping slices of a 100-d input; train on one range, test inside it (interpolation) and outside it
(extrapolation). NAC and NALU against Madsen & Johansen's NAU and NMU (ICLR 2020), and MLPs with the seeds'
activations for contrast.

Scores are RMSEs scaled so that a randomly initialised ReLU MLP scores 100 and a perfect model 0; a run
"succeeds" when its extrapolation score is below 1. What the experiment reports per unit is the success rate over
seeds with its binomial (Clopper-Pearson) 95% interval, as a function of training steps: Madsen & Johansen count
successes the same way, because these units are seed-sensitive, and the budget decides much of the answer.
"""

from __future__ import annotations

import numpy as np

from actlab.experiments import _net, stats
from actlab.experiments.runner import Context, Experiment, Outcome

OPS = {
    "a+b": lambda a, b: a + b,
    "a-b": lambda a, b: a - b,
    "a*b": lambda a, b: a * b,
    "a/b": lambda a, b: a / b,
    "a^2": lambda a, b: a * a,
    "sqrt(a)": lambda a, b: np.sqrt(a),
}
DIM = 100
SLICE_A = slice(0, 25)  # a and b: 25 inputs each, half of them shared (Madsen & Johansen's subset/overlap ratios)
SLICE_B = slice(12, 37)
TRAIN_RANGE = (1.0, 2.0)
EXTRA_RANGE = (2.0, 6.0)
SUCCESS = 1.0  # scaled extrapolation RMSE below this (1% of the random model's error)
HIDDEN = 32


def make_data(rng: np.random.Generator, n: int, low: float, high: float, op: str):
    X = rng.uniform(low, high, (n, DIM))
    a, b = X[:, SLICE_A].sum(1), X[:, SLICE_B].sum(1)
    return X, OPS[op](a, b)


class Standardised:
    """An MLP trained on standardised inputs and targets (its best chance in range); predicts in raw units."""

    def __init__(self, model, X, y):
        self.model = model
        self.mx, self.sx = X.mean(0), X.std(0)
        self.my, self.sy = float(y.mean()), float(y.std()) or 1.0

    def inputs(self, X):
        return (X - self.mx) / self.sx

    def targets(self, y):
        return (y - self.my) / self.sy

    def predict(self, X):
        return self.model.predict(self.inputs(X))[:, 0] * self.sy + self.my


# The arithmetic units, each as Madsen & Johansen test them on this task: two stacked layers 100 -> 2 -> 1, the
# first picking the sums a and b, the second the operation. NMU's first layer is an NAU (as in their paper).
UNITS = {
    "nac": (("NAC", "NAC"), ("a+b", "a-b")),
    "nau": (("NAU", "NAU"), ("a+b", "a-b")),
    "nalu": (("NALU", "NALU"), ("a*b",)),
    "nmu": (("NAU", "NMU"), ("a*b",)),
}
UNIT_LR = 1e-2  # Adam, the same for every unit (3e-2 jitters out of the solutions once found)
SPARSITY = 1.0  # lambda_sparse of NAU/NMU, ramped up from RAMP[0] to RAMP[1] of the run (Madsen & Johansen's
RAMP = (0.25, 0.5)  # lambda_start, lambda_end), so the weights settle at {-1, 0, 1} once the data has placed them
CHECKPOINTS = (1 / 80, 1 / 40, 1 / 20, 1 / 10, 1 / 4, 1 / 2, 1)  # fractions of the run: success rate vs steps
WORKS, FAILS = 0.8, 0.2  # a unit "works" on an operation in >= 80% of seeds, "fails" in < 20%
BATCH = 64


def build(kind: str, seed: int):
    return _net.mlp(DIM, [HIDDEN], 1, "identity" if kind == "none" else kind, seed=seed, dtype=np.float64)


def _stack(seeds, n: int, rg, op: str, stream: int):
    """Data for every seed, stacked on a leading axis: X (S, n, 100), y (S, n, 1)."""
    pairs = [make_data(np.random.default_rng([s, stream]), n, *rg, op) for s in seeds]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])[..., None]


def train_units(unit: str, op: str, seeds: list[int], steps: int, n_train: int, baseline: dict) -> dict:
    """Train one unit on one operation for every seed at once (a NumPy ensemble: one seed per slice of the leading
    axis). Returns the extrapolation scores at each checkpoint (checkpoints x seeds) and the final interpolation
    scores (seeds)."""
    nn = _net.nn()
    S = len(seeds)
    X, y = _stack(seeds, n_train, TRAIN_RANGE, op, 0)
    Xi, yi = _stack(seeds, 1000, TRAIN_RANGE, op, 1)
    Xe, ye = _stack(seeds, 1000, EXTRA_RANGE, op, 2)
    first, second = (getattr(nn, name) for name in UNITS[unit][0])
    model = nn.Sequential(first(DIM, 2, dtype=np.float64, rng=seeds[0], ensemble=S),
                          second(2, 1, dtype=np.float64, rng=seeds[0] + 1, ensemble=S))
    sparse = [layer for layer in model.layers if hasattr(layer, "penalty")]
    params, grads, opt = model.parameters(), model.gradients(), nn.Adam(UNIT_LR)
    rng, rows = np.random.default_rng([seeds[0], 7]), np.arange(S)[:, None]
    marks = sorted({max(1, round(f * steps)) for f in CHECKPOINTS})

    def score(Xs, ys, which):
        pred = model.forward(Xs, training=False)
        rmse = np.sqrt(np.mean((pred - ys) ** 2, axis=(1, 2)))
        return np.where(np.isfinite(rmse), np.minimum(100.0 * rmse / baseline[op, which], 1e4), 1e4)

    extrapolation = []
    with np.errstate(all="ignore"):  # a diverging NALU seed overflows; its score says so (1e4), the others go on
        for t in range(1, steps + 1):
            ramp = min(max((t / steps - RAMP[0]) / (RAMP[1] - RAMP[0]), 0.0), 1.0)
            for layer in sparse:
                layer.sparsity = SPARSITY * ramp
            idx = rng.integers(0, n_train, (S, BATCH))
            out = model.forward(X[rows, idx])
            grad = 2.0 * (out - y[rows, idx]) / BATCH  # MSE per seed, mean over the batch
            model.backward(np.where(np.isfinite(grad), grad, 0.0), input_grad=False)
            opt.step(params, grads)
            if t in marks:
                extrapolation.append(score(Xe, ye, "extrapolation"))
        interpolation = score(Xi, yi, "interpolation")
    return {"steps": marks, "extrapolation": np.array(extrapolation), "interpolation": interpolation}


def train_and_score(kind: str, op: str, seed: int, steps: int, n_train: int, baseline: dict) -> tuple[float, float]:
    """An MLP (standardised inputs and targets) on one operation, one seed: (interpolation, extrapolation) scores."""
    rng = np.random.default_rng(seed)
    X, y = make_data(rng, n_train, *TRAIN_RANGE, op)
    Xi, yi = make_data(rng, 1000, *TRAIN_RANGE, op)
    Xe, ye = make_data(rng, 1000, *EXTRA_RANGE, op)
    model = build(kind, seed)
    wrap = Standardised(model, X, y)
    taken = _net.train_steps(model, wrap.inputs(X), wrap.targets(y), "mse", _net.nn().Adam(3e-3), steps, BATCH,
                             np.random.default_rng(seed + 7))

    def scaled(Xs, ys, which):
        if taken < 0:
            return 100.0 * 10  # diverged: report 10x the random model's error
        with np.errstate(over="ignore", invalid="ignore"):
            err = float(np.sqrt(np.mean((wrap.predict(Xs) - ys) ** 2)))
        return min(100.0 * err / baseline[op, which], 1e4) if np.isfinite(err) else 1e4

    return scaled(Xi, yi, "interpolation"), scaled(Xe, ye, "extrapolation")


def random_baseline(op: str, seed: int, n_train: int) -> dict:
    """RMSE of an untrained ReLU MLP, standardised like the trained MLPs (so its outputs have the training targets'
    mean and scale), on both ranges: the '100' of the scale."""
    rng = np.random.default_rng(seed + 99)
    X, y = make_data(rng, n_train, *TRAIN_RANGE, op)
    model = Standardised(build("relu", seed + 99), X, y)
    out = {}
    for which, rg in (("interpolation", TRAIN_RANGE), ("extrapolation", EXTRA_RANGE)):
        Xs, ys = make_data(rng, 1000, *rg, op)
        out[op, which] = float(np.sqrt(np.mean((model.predict(Xs) - ys) ** 2)))
    return out


def unit_verdict(rate: float) -> str:
    return "works" if rate >= WORKS else "fails" if rate < FAILS else "unreliable"


def body(ctx: Context) -> Outcome:
    quick = ctx.quick
    n_seeds = 5 if quick else 10
    steps = ctx.budget(5000 if quick else 20000)
    mlp_seeds_n, mlp_steps = (2, 1500) if quick else (3, 4000)
    n_train = 1000 if quick else 2000
    seeds = [ctx.seed * 1000 + s for s in range(n_seeds)]
    ops = ["a+b", "a-b", "a*b"]
    mlps = [] if ctx.probing else list(ctx.activations)  # a robustness cell re-runs the units: the verdict's part
    ctx.setting(ops=ops, dim=DIM, slice_a=[SLICE_A.start, SLICE_A.stop], slice_b=[SLICE_B.start, SLICE_B.stop],
                train_range=list(TRAIN_RANGE), extrapolation_range=list(EXTRA_RANGE),
                units={u: {"layers": f"{a}(100, 2) -> {b}(2, 1)", "ops": list(o)} for u, ((a, b), o) in UNITS.items()},
                unit_steps=steps, unit_lr=UNIT_LR, unit_optimizer="adam", batch_size=BATCH, seeds=seeds,
                sparsity={"lambda": SPARSITY, "ramp": [RAMP[0] * steps, RAMP[1] * steps],
                          "regulariser": "mean min(|W|, 1 - |W|) (Madsen & Johansen 2020)"},
                mlps=mlps, mlp=f"Dense(100, {HIDDEN}) -> activation -> Dense({HIDDEN}, 1), standardised inputs and "
                               f"targets, Adam 3e-3", mlp_steps=mlp_steps, mlp_seeds=seeds[:mlp_seeds_n],
                n_train=n_train, success=f"extrapolation score < {SUCCESS}",
                success_ci="Clopper-Pearson 95%", unit_verdicts=f"works >= {WORKS:.0%} of seeds, fails < {FAILS:.0%}",
                scale="100 * RMSE / RMSE of an untrained ReLU MLP with the training targets' mean and scale")
    baseline = {}
    for op in ops:
        baseline.update(random_baseline(op, ctx.seed, n_train))
    ctx.record(random_rmse={f"{op}.{w}": v for (op, w), v in baseline.items()})

    runs = {}
    jobs = [(u, op) for u, (_, uops) in UNITS.items() for op in uops]
    for k, (u, op) in enumerate(jobs):
        runs[u, op] = r = train_units(u, op, seeds, steps, n_train, baseline)
        final = r["extrapolation"][-1]
        wins = int(np.sum(final < SUCCESS))
        low, high = stats.binomial_ci(wins, len(seeds))
        ctx.record(**{f"{u}.{op}.success_rate": wins / len(seeds), f"{u}.{op}.success_ci95": [low, high],
                      f"{u}.{op}.success_by_steps": np.mean(r["extrapolation"] < SUCCESS, axis=1),
                      f"{u}.{op}.extrapolation_median": float(np.median(final)),
                      f"{u}.{op}.interpolation_median": float(np.median(r["interpolation"])),
                      f"{u}.{op}.extrapolation_by_seed": final, f"{u}.{op}.verdict": unit_verdict(wins / len(seeds))})
        ctx.progress(0.7 * (k + 1) / len(jobs), f"{u} {op}")
    ctx.setting(checkpoints=runs[jobs[0]]["steps"])

    scores: dict[tuple, list] = {}
    mlp_jobs = [(m, op, s) for m in mlps for op in ops for s in seeds[:mlp_seeds_n]]
    for k, (m, op, s) in enumerate(mlp_jobs):
        scores.setdefault((m, op), []).append(train_and_score(m, op, s, mlp_steps, n_train, baseline))
        ctx.progress(0.7 + 0.3 * (k + 1) / len(mlp_jobs), f"MLP {m} {op} seed {s}")
    for (m, op), vals in scores.items():
        arr = np.array(vals)
        ctx.record(**{f"{m}.{op}.interpolation_median": float(np.median(arr[:, 0])),
                      f"{m}.{op}.extrapolation_median": float(np.median(arr[:, 1])),
                      f"{m}.{op}.success_rate": float(np.mean(arr[:, 1] < SUCCESS)),
                      f"{m}.{op}.extrapolation_by_seed": arr[:, 1]})

    def rate(u, op):
        return ctx.numbers[f"{u}.{op}.success_rate"]

    def ci(u, op):
        low, high = ctx.numbers[f"{u}.{op}.success_ci95"]
        return f"{low:.0%}-{high:.0%}"

    ctx.table(f"success rate (extrapolation score < {SUCCESS:g}) over {len(seeds)} seeds, by training step",
              ["unit", "op", *[str(t) for t in runs[jobs[0]]["steps"]], "95% CI at the end", "verdict"],
              [[u, op, *ctx.numbers[f"{u}.{op}.success_by_steps"], ci(u, op), ctx.numbers[f"{u}.{op}.verdict"]]
               for u, op in jobs])
    ctx.table("units: median score over seeds at the end (random = 100, perfect = 0)",
              ["unit", "op", "interpolation", "extrapolation"],
              [[u, op, ctx.numbers[f"{u}.{op}.interpolation_median"], ctx.numbers[f"{u}.{op}.extrapolation_median"]]
               for u, op in jobs])
    if mlps:
        ctx.table("MLPs: median extrapolation score over seeds (success rate)", ["MLP", *ops],
                  [[m, *[f"{ctx.numbers[f'{m}.{op}.extrapolation_median']:.3g} ({rate(m, op):.0%})" for op in ops]]
                   for m in mlps])
    _plot(ctx, runs, jobs, len(seeds))

    summary = [f"Units: {len(seeds)} seeds trained together (a NumPy ensemble), {steps} Adam steps at lr {UNIT_LR:g}, "
               f"batch {BATCH}; NAU/NMU sparsity lambda {SPARSITY:g} ramped over steps "
               f"{RAMP[0] * steps:.0f}-{RAMP[1] * steps:.0f}. Score: 100 = untrained ReLU MLP, 0 = perfect; success = "
               f"extrapolation score < {SUCCESS:g} (train on [1, 2], test on [2, 6])."]
    for u, op in jobs:
        n = ctx.numbers
        summary.append(f"  {u:>5} {op}: {n[f'{u}.{op}.verdict']:<10} success {rate(u, op):.0%} (95% CI {ci(u, op)}) "
                       f"at {steps} steps; by step " + ", ".join(
                           f"{t}: {v:.0%}" for t, v in zip(runs[u, op]["steps"], n[f"{u}.{op}.success_by_steps"]))
                       + f"; median extrapolation score {n[f'{u}.{op}.extrapolation_median']:.3g}")
    nonlinear = [m for m in mlps if m != "identity"]
    for m in mlps:
        summary.append(f"  MLP {m:>8} ({mlp_seeds_n} seeds, {mlp_steps} steps): extrapolation "
                       + ", ".join(f"{op} {ctx.numbers[f'{m}.{op}.extrapolation_median']:.3g} ({rate(m, op):.0%})"
                                   for op in ops))
    nac_add = min(rate("nac", "a+b"), rate("nac", "a-b"))
    nalu_mul = rate("nalu", "a*b")
    best_mlp = max((rate(m, op) for m in nonlinear for op in ops), default=None)
    ctx.record(nac_success_rate_add_sub=nac_add, nalu_success_rate_mul=nalu_mul,
               nau_success_rate_add_sub=min(rate("nau", "a+b"), rate("nau", "a-b")),
               nmu_success_rate_mul=rate("nmu", "a*b"), best_nonlinear_mlp_success_rate=best_mlp)
    per_unit = "; ".join(f"{u} {op} {ctx.numbers[f'{u}.{op}.verdict']} ({rate(u, op):.0%}, CI {ci(u, op)})"
                         for u, op in jobs)
    add_ok, mul_ok = nac_add >= WORKS, nalu_mul >= 0.5
    mlp_note = ("" if best_mlp is None else
                f"; no non-linear MLP extrapolates (best success rate {best_mlp:.0%})" if best_mlp < 0.5 else
                f"; a non-linear MLP extrapolates too (success rate {best_mlp:.0%})")
    text = f"at {steps} steps over {len(seeds)} seeds: {per_unit}{mlp_note}. "
    if add_ok and mul_ok and (best_mlp is None or best_mlp < 0.5):
        status = "confirmed"
        text += "NAC adds and NALU multiplies, as the paper reports."
    elif add_ok or mul_ok:
        status = "partly"
        text += ("NAC extrapolates addition and subtraction, NALU's multiplication does not (the instability Madsen "
                 "& Johansen documented); their NMU is the unit that does." if add_ok else
                 "NALU multiplies but NAC does not yet add reliably at this budget.")
    else:
        status = "not confirmed"
        text += "At this budget neither NAC's addition nor NALU's multiplication extrapolates."
    return Outcome(status, text, summary)


def _plot(ctx: Context, runs, jobs, n_seeds: int) -> None:
    """One panel per unit (lines would hide each other in one): success rate against steps, with 95% bands."""
    from actlab.experiments.plotting import color, subplots

    ops = list(dict.fromkeys(op for _, op in jobs))
    fig, axes = subplots(1, len(UNITS), figsize=(3.2 * len(UNITS), 3.4), sharey=True, squeeze=False)
    for ax, unit in zip(axes[0], UNITS):
        for u, op in jobs:
            if u != unit:
                continue
            r = runs[u, op]
            wins = np.sum(r["extrapolation"] < SUCCESS, axis=1)
            bands = np.array([stats.binomial_ci(int(w), n_seeds) for w in wins])
            c = color(op, ops)
            ax.plot(r["steps"], wins / n_seeds, "o-", color=c, label=op, ms=4)
            ax.fill_between(r["steps"], bands[:, 0], bands[:, 1], color=c, alpha=0.15)
        ax.set_xscale("log")
        ax.set(title=unit.upper(), xlabel="training steps", ylim=(-0.02, 1.02))
        ax.legend(fontsize=8, loc="upper left")
    axes[0][0].set_ylabel(f"success rate (extrapolation score < {SUCCESS:g})")
    fig.suptitle(f"Success rate over {n_seeds} seeds against training steps (Clopper-Pearson 95% bands)")
    ctx.figure("success_by_steps", fig)


EXPERIMENT = Experiment(
    name="nalu-arithmetic",
    title="NALU extrapolates arithmetic; MLPs do not",
    claim="\"Neural networks ... seldom generalize well outside of the range of numerical values encountered during "
          "training ... we propose ... a neural arithmetic logic unit (NALU) ... we obtain substantially better "
          "generalization both inside and outside of the range of numerical values encountered during training, "
          "often extrapolating orders of magnitude beyond trained numerical ranges\" (seed 002, quoting Trask et "
          "al. 2018).",
    seed_source="002_e42c01c331b19f7d.txt (quoting Trask et al. 2018, arXiv:1808.00508)",
    body=body,
    activations=("relu", "identity"),
    full_activations=("relu", "tanh", "sigmoid", "selu", "identity"),
    budget="training steps",
    decisive_measurement="NAC and NAU on a+b and a-b, NALU and NMU on a*b; no MLPs",
    indicative_quick="5 seeds and 5,000 steps, where NAC's addition has not converged yet (the full form's 10 seeds "
                     "and 20,000 steps show it converging between 5,000 and 10,000 steps).",
    decisive=("nac.a+b.success_rate", "nac.a-b.success_rate", "nalu.a*b.success_rate", "nau.a+b.success_rate",
              "nau.a-b.success_rate", "nmu.a*b.success_rate"),
    notes="The seed quotes the NALU abstract. The paper's own table shows NALU failing some static tasks in some "
          "runs; Madsen & Johansen (2020, \"Neural Arithmetic Units\") found NALU's multiplication succeeds only for "
          "a fraction of seeds and its gate and log-space path make training unstable, and proposed NAU/NMU. The "
          "'none' MLP of the paper is the identity activation here: a linear model, which does extrapolate a+b and "
          "a-b (they are linear) but not a*b. NAC's addition needs its budget: at 1,500-4,000 steps it has not converged, "
          "at 20,000 it has (the success-vs-steps figure shows where). The paper's a/b, a^2 and sqrt(a) are left "
          "out: the claim under test is addition and multiplication, and NAU/NMU do not cover division.",
)
