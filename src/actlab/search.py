"""Formula-space search for activations: the Swish paper's space at small scale (Ramachandran et al. 2017).

**The space.** Candidates are ``binary(unary1(x), unary2(x))`` over :data:`UNARY` and :data:`BINARY`. Each is built
as text and read by the safe parser (so the search uses nothing a user could not type), then reduced, cheaply and
before any training, to the functions worth training:

* ``constant`` / ``affine``: no dependence on x, or c*x + d: not activations;
* ``overflow``: a value that is not finite, or beyond 1e6, for |x| <= 30 (pre-activations of a trained net);
* ``duplicate``: the same SymPy tree as an earlier candidate (``x*sigmoid(x)`` and ``sigmoid(x)*x``);
* ``unsupported``: the code generator cannot compile f or f' (none with the default primitives; a guard for
  extensions);
* ``equivalent``: a * f(s * x) + b of a simpler candidate (a != 0, s = +-1). The next layer's weights and biases
  absorb a, b and the sign s, so both have the same expressive power; the simplest form is kept.

With the default primitives, 10 unary x 5 binary functions give 199 distinct candidates: ``--budget 200`` is the
whole space (exhaustive). A smaller budget takes a stratified sample: round robin over the binary operators, simplest
first (fewest primitives), ties in a seeded order.

**Scoring** goes through the comparison harness (:mod:`actlab.compare`), so runs land in its SQLite store, resume,
and scale on a process pool or Ray. Successive halving (multi-fidelity) spends the budget where it tells:

* rung 0: every candidate, one seed, ``screen_epochs`` epochs;
* rungs 1, 2, ...: the best 1/``eta`` of the previous rung, the full ``epochs``, one more seed per rung (earlier
  seeds come back from the store) — until at most ``eta * top`` remain;
* confirmation: the ``top`` candidates with ``seeds`` *fresh* seeds (none of them used for selection), next to
  ReLU and Swish on the same protocol: mean test accuracy, 95% confidence intervals, Holm-corrected paired tests
  against ReLU. ReLU and Swish also run in every rung, as reference lines.

**Selection never sees the test split.** The rungs train on the training split minus a held-out ``val_fraction``
(default :data:`VAL_FRACTION`, the same examples for every candidate and seed: see
:mod:`actlab.compare.datasets`) and rank by the mean final *validation* accuracy over their seeds, a diverged or
failed run counting as 0. The confirmation then trains the finalists on the whole training split (the validation
rows included: selection is over, so they are training data again) and reports *test* accuracy, which is the only
place a test example enters the search.

**Swish-likeness** is measured, not assumed: :func:`swish_match` compares the *derivative* of f (after the
equivalences above and a positive scale) with that of x * sigmoid(beta * x), beta in [0.5, 4], on [-5, 5]. The
derivative, because on f itself a rectifier is within 1.5% of x * sigmoid(4x); on f' it is 45% away. A candidate is
*swish-like* when that distance is at most :data:`SWISH_LIKE` and f has the non-monotonic dip of Swish (a minimum
inside (-5, 0)): GELU (0.03) and Mish (0.09) are, ReLU (0.45), ELU (0.36) and softplus (0.10, but no dip) are not.

Worker processes see the candidates through a TOML registry written next to the store and ``ACTLAB_CONFIG``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import random
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

import actlab
from actlab.compare import Plan, executors, run
from actlab.compare.plan import check_val_fraction
from actlab.core.errors import FormulaError
from actlab.core.numerics import sigmoid
from actlab import user_registry
from actlab.formula import FormulaWarning, define
from actlab.formula.define import build
from actlab.kernels.codegen import NumpyFunction

# name -> the text the parser reads. Sigmoid-shaped gates in three flavours (logistic, Gaussian CDF, Mish's
# tanh(softplus)), odd and even smooth functions, periodic ones and the rectifier.
UNARY: dict[str, str] = {
    "x": "x", "x^2": "x**2", "sigmoid": "sigmoid(x)", "ncdf": "(1 + erf(x / sqrt(2))) / 2", "tanh": "tanh(x)",
    "softplus": "softplus(x)", "tanh_softplus": "tanh(softplus(x))", "sin": "sin(x)", "cos": "cos(x)",
    "relu": "max(x, 0)",
}
BINARY: dict[str, str] = {
    "add": "{a} + {b}", "sub": "{a} - ({b})", "mul": "({a}) * ({b})", "max": "max({a}, {b})", "min": "min({a}, {b})",
}
SYMMETRIC = frozenset({"add", "mul", "max", "min"})  # b(u, v) = b(v, u): one order is enough
BASELINES = ("relu", "silu")
BASELINE_FORMULAS = {"relu": "max(x, 0)", "silu": "x * sigmoid(x)"}
SWISH_LIKE = 0.15  # largest derivative distance (see swish_match) that still counts as x*sigmoid(x)-like
VAL_FRACTION = 0.2  # share of the training split the rungs hold out and select on (800 of MNIST-1D's 4000)
SELECT_ON = "final_val_score"  # what a rung ranks by; the confirmation reports final_score (test)
RECIPE = {"dataset": "mnist1d", "model": "mlp:64,64,64", "lr": 1e-2, "batch_size": 100, "optimizer": "adam",
          "backend": "numpy"}

_GRID = np.linspace(-6.0, 6.0, 241)  # where equivalence is decided
_WIDE = np.linspace(-30.0, 30.0, 601)  # where overflow is looked for
_LIMIT = 1e6


# --- the space ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    name: str  # "srch_" + a hash of the SymPy tree: stable across runs, so the store resumes
    formula: str  # the text given to the parser
    canonical: str  # SymPy's form
    binary: str
    unary: tuple[str, str]
    complexity: int  # primitives used besides x: the binary one and each unary one that is not x


@dataclass(frozen=True)
class Space:
    candidates: tuple[Candidate, ...]  # distinct, in a fixed order (by name)
    combinations: int  # binary x unary x unary tried (one order for symmetric operators)
    dropped: dict[str, int]  # reason -> count
    equivalent_to: dict[str, str]  # formula of each dropped equivalent -> formula of the kept candidate


@lru_cache(maxsize=4)
def space(unary: tuple[tuple[str, str], ...] = tuple(UNARY.items()),
          binary: tuple[tuple[str, str], ...] = tuple(BINARY.items())) -> Space:
    """Every distinct, non-degenerate candidate ``binary(unary1(x), unary2(x))``; see the module docstring."""
    import sympy as sp


    dropped = {"constant": 0, "affine": 0, "overflow": 0, "duplicate": 0, "unsupported": 0, "equivalent": 0}
    seen: set[str] = set()
    found: list[tuple[tuple, Candidate, np.ndarray]] = []
    combinations = 0
    position = {n: i for i, (n, _) in enumerate(unary)}
    for (bname, btext), (n1, u1), (n2, u2) in itertools.product(binary, unary, unary):
        if bname in SYMMETRIC and position[n1] > position[n2]:
            continue
        combinations += 1
        text = btext.format(a=u1, b=u2)
        try:
            d = build("candidate", text, {})
        except FormulaError:  # 'x - (x)': does not depend on x
            dropped["constant"] += 1
            continue
        key = sp.srepr(d.tree)
        if key in seen:
            dropped["duplicate"] += 1
            continue
        seen.add(key)
        try:
            f = NumpyFunction(d.stable, ())
            NumpyFunction(d.stable_derivative, ())
        except FormulaError:  # the code generator cannot compile it (a max/min whose derivative needs ITE)
            dropped["unsupported"] += 1
            continue
        with np.errstate(all="ignore"):
            y, wide = np.asarray(f(_GRID), np.float64), np.asarray(f(_WIDE), np.float64)
        if not (np.all(np.isfinite(wide)) and np.max(np.abs(wide)) <= _LIMIT):
            dropped["overflow"] += 1
            continue
        A = np.stack([_GRID, np.ones_like(_GRID)], axis=1)
        residual = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
        if np.max(np.abs(residual)) <= 1e-9 * (1.0 + np.max(np.abs(y))):
            dropped["affine" if np.ptp(y) > 1e-12 else "constant"] += 1
            continue
        complexity = 1 + (n1 != "x") + (n2 != "x")
        name = "srch_" + hashlib.sha1(key.encode()).hexdigest()[:8]
        cand = Candidate(name, text, sp.sstr(d.expanded), bname, (n1, n2), complexity)
        found.append(((complexity, len(text), text), cand, (y - y.mean()) / y.std()))
    # Equivalence up to a * f(+-x) + b: keep the simplest of each class.
    found.sort(key=lambda item: item[0])
    kept: list[Candidate] = []
    shapes: list[np.ndarray] = []
    equivalent_to: dict[str, str] = {}
    for _, cand, g in found:
        if shapes:
            variants = np.stack([g, -g, g[::-1], -g[::-1]])
            dist = np.max(np.abs(variants[:, None, :] - np.asarray(shapes)[None, :, :]), axis=2)
            if dist.min() < 1e-6:
                dropped["equivalent"] += 1
                equivalent_to[cand.formula] = kept[int(np.argmin(dist.min(axis=0)))].formula
                continue
        kept.append(cand)
        shapes.append(g)
    return Space(tuple(sorted(kept, key=lambda c: c.name)), combinations, dropped, equivalent_to)


def candidates(budget: int | None = None, seed: int = 0) -> list[Candidate]:
    """``budget`` candidates of the space (all of them when it holds no more): a stratified sample, round robin over
    the binary operators, simplest first, equal complexity in an order fixed by ``seed``."""
    pool = list(space().candidates)
    rng = random.Random(seed)
    rng.shuffle(pool)
    strata: dict[str, list[Candidate]] = {}
    for c in sorted(pool, key=lambda c: c.complexity):  # stable sort: the shuffle orders equal complexity
        strata.setdefault(c.binary, []).append(c)
    order = [c for group in itertools.zip_longest(*strata.values()) for c in group if c is not None]
    return order if budget is None else order[:budget]


# --- how close to x * sigmoid(x) ------------------------------------------------------------------------------------

_SWISH_T = np.linspace(-5.0, 5.0, 1001)
_BETAS = np.geomspace(0.5, 4.0, 43)


@dataclass(frozen=True)
class SwishMatch:
    distance: float  # max |a f'(s x) s - d/dx x sigmoid(beta x)| / max |d/dx x sigmoid(beta x)| on [-5, 5]
    beta: float
    dip: bool  # f (in the matched orientation) has its minimum inside (-5, 0), below f(-5): Swish's bump

    @property
    def swish_like(self) -> bool:
        return self.dip and self.distance <= SWISH_LIKE


def _swish_derivatives() -> np.ndarray:
    t = _SWISH_T
    s = sigmoid(np.outer(_BETAS, t))
    return s * (1 + np.outer(_BETAS, t) * (1 - s))  # d/dx x sigmoid(bx) = s + bx s (1 - s)


def swish_match(f: Callable[[np.ndarray], Any], df: Callable[[np.ndarray], Any] | None = None) -> SwishMatch:
    """How close f is to x * sigmoid(beta * x) in shape, up to a * f(s * x) + b (a > 0, s = +-1), beta in [0.5, 4].

    The distance is taken between derivatives (``df``; a central difference when None), relative to the size of
    Swish's derivative, as a maximum over [-5, 5]: 0 for Swish at any beta in range, about 0.03 for GELU, 0.09 for
    Mish, 0.45 for ReLU.
    """
    t = _SWISH_T
    with np.errstate(all="ignore"):
        y = np.asarray(f(t), np.float64)
        dy = np.asarray(df(t), np.float64) if df is not None else np.gradient(y, t)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(dy))) or not np.any(dy):
        return SwishMatch(math.inf, math.nan, False)
    ds = _swish_derivatives()
    best = SwishMatch(math.inf, math.nan, False)
    for yv, dv in ((y, dy), (-y, -dy), (y[::-1], -dy[::-1]), (-y[::-1], dy[::-1])):
        a = np.maximum(ds @ dv / (dv @ dv), 0.0)  # the best positive scale per beta (least squares)
        err = np.max(np.abs(a[:, None] * dv[None, :] - ds), axis=1) / np.max(np.abs(ds), axis=1)
        i = int(np.argmin(err))
        if err[i] < best.distance:
            lo = int(np.argmin(yv))
            dip = 0 < lo and t[lo] < 0 and yv[0] - yv[lo] > 1e-3 * (np.ptp(yv) or 1.0)
            best = SwishMatch(float(err[i]), float(_BETAS[i]), bool(dip))
    return best


def swish_distance(f: Callable[[np.ndarray], Any], df: Callable[[np.ndarray], Any] | None = None) -> float:
    """The distance of :func:`swish_match` alone (0 for x * sigmoid(beta x))."""
    return swish_match(f, df).distance


# --- the report -----------------------------------------------------------------------------------------------------

@dataclass
class Result:
    name: str
    formula: str
    mean: float
    ci_low: float
    ci_high: float
    n: int
    diverged: int
    swish_distance: float
    swish_like: bool
    baseline: bool = False
    rank: int = 0
    p_vs_relu: float | None = None  # Holm-corrected paired t-test against ReLU over the confirmation seeds
    tied_best: bool = False  # not significantly below the top row (Holm-corrected)
    screen: list[float | None] = field(default_factory=list)  # the validation score in each rung it reached


@dataclass
class Report:
    settings: dict[str, Any]
    space: dict[str, Any] = field(default_factory=dict)
    rungs: list[dict[str, Any]] = field(default_factory=list)  # protocol and size of each rung
    candidates: list[dict[str, Any]] = field(default_factory=list)  # every screened candidate, overall order
    final: list[Result] = field(default_factory=list)  # confirmed candidates and the baselines, best first

    @property
    def swish_like_ranks(self) -> dict[str, list[int]]:
        """Where the swish-like candidates landed: final ranks (baselines included) and overall ranks."""
        return {"final": [r.rank for r in self.final if r.swish_like and not r.baseline],
                "overall": [c["overall_rank"] for c in self.candidates if c["swish_like"]]}

    def to_dict(self) -> dict[str, Any]:
        return _clean({"settings": self.settings, "space": self.space, "rungs": self.rungs,
                       "final": [asdict(r) for r in self.final], "candidates": self.candidates,
                       "swish_like_ranks": self.swish_like_ranks})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)


def _clean(v):
    """NaN and inf -> None: strict JSON."""
    if isinstance(v, dict):
        return {k: _clean(i) for k, i in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(i) for i in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def report_path(store: str | os.PathLike) -> Path:
    """Where a search on ``store`` writes its report: ``STORE.search.json``."""
    return Path(store).with_suffix(".search.json")


# --- running it -----------------------------------------------------------------------------------------------------

@contextmanager
def _search_registry(path: Path, chosen: Sequence[Candidate]):
    """Candidates in a TOML registry that worker processes load (ACTLAB_CONFIG), restored afterwards."""
    doc = {"activations": {c.name: {"formula": c.formula, "params": {}} for c in chosen}}
    path.parent.mkdir(parents=True, exist_ok=True)
    user_registry._write(path, doc)
    old = os.environ.get(user_registry.ENV)
    os.environ[user_registry.ENV] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(user_registry.ENV, None)
        else:
            os.environ[user_registry.ENV] = old


class _Shared:
    """An open executor lent to several comparisons: entering and leaving does not start or stop it, so the worker
    processes (and the data and candidates they have loaded) last for the whole search."""

    def __init__(self, executor):
        self._executor = executor

    @property
    def capacity(self) -> int:
        return self._executor.capacity

    def __enter__(self) -> "_Shared":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def submit(self, config):
        return self._executor.submit(config)


def score_with_compare(names: Sequence[str], *, seeds: Sequence[int], epochs: int, store: str, executor=None,
                       progress=None, val_fraction: float = 0.0, **recipe) -> dict[str, dict]:
    """name -> {"scores": {seed: final test accuracy or None}, "val_scores": {seed: final validation accuracy or
    None}, "mean", "ci_low", "ci_high", "n", "diverged", "p", "tied_best"} from one comparison of ``names``
    (baseline ReLU) in ``store``. The summary statistics are of the test scores; ``val_scores`` are None
    without a validation split (``val_fraction`` 0)."""

    r = {**RECIPE, **recipe}
    plan = Plan(list(names), [r["dataset"]], model=r["model"], seeds=list(seeds), epochs=epochs, lr=r["lr"],
                batch_size=r["batch_size"], optimizer=r["optimizer"], backend=r["backend"], store=store,
                workers=r.get("workers"), ray=r.get("ray"), baseline="relu", eval_batches=1,
                val_fraction=val_fraction)
    results = run(plan, progress=progress, executor=executor)
    out: dict[str, dict] = {n: {"scores": {}, "val_scores": {}} for n in plan.activations}
    for run_ in results.runs:
        m = (run_.get("metrics") or {}) if run_["status"] == "done" else {}
        out[run_["activation"]]["scores"][int(run_["seed"])] = m.get("final_score")
        out[run_["activation"]]["val_scores"][int(run_["seed"])] = m.get(SELECT_ON)
    for row in results.rows:
        s = row.metrics.get("final_score")
        out[row.activation].update(
            mean=s.mean if s else math.nan, ci_low=s.ci_low if s else math.nan, ci_high=s.ci_high if s else math.nan,
            n=s.n if s else 0, diverged=row.diverged + row.failed, tied_best=bool(row.tied_best),
            p=row.p_holm if row.vs_baseline is not None else None)
    return out


def rung_sizes(n: int, top: int, eta: int) -> list[int]:
    """Candidates per selection rung: n, n/eta, n/eta^2, ... (rounded up) while more than ``eta * top`` remain."""
    sizes = [n]
    while sizes[-1] > eta * top:
        sizes.append(math.ceil(sizes[-1] / eta))
    return sizes


def _rung_score(result: dict, seeds: Sequence[int]) -> float:
    """Mean final *validation* accuracy over ``seeds``; a diverged or failed run counts as 0. The test scores of the
    same runs are never read here."""
    if "val_scores" not in result:
        raise KeyError("a rung selects on validation scores: the scorer must return 'val_scores' per seed")
    scores = result["val_scores"]
    vals = [scores.get(s) for s in seeds]
    return float(np.mean([v if v is not None and math.isfinite(v) else 0.0 for v in vals]))


def search(budget: int = 200, *, seed: int = 0, top: int = 8, seeds: int = 5, epochs: int = 10,
           screen_epochs: int = 3, eta: int = 3, model: str = RECIPE["model"], lr: float = RECIPE["lr"],
           store: str | os.PathLike = "actlab-search.sqlite", workers: int | None = None, ray: str | None = None,
           val_fraction: float = VAL_FRACTION, progress: Callable[[str, int, int], None] | None = None,
           scorer: Callable[..., dict[str, dict]] = score_with_compare) -> Report:
    """Search ``budget`` candidates by successive halving on validation accuracy (``val_fraction`` of the training
    split held out, in (0, 0.5]); confirm the ``top`` with ``seeds`` fresh seeds against ReLU and Swish, trained on
    the whole training split and scored on the test split. ``progress(message, done, total)`` follows the runs of
    each rung. Writes ``STORE.search.json``."""

    for label, value, low in (("budget", budget, 1), ("top", top, 1), ("seeds", seeds, 2), ("epochs", epochs, 1),
                              ("screen_epochs", screen_epochs, 1), ("eta", eta, 2)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"search: {label} must be an integer >= {low}. Got {value!r}.")
    val_fraction = check_val_fraction(val_fraction, low_open=True)  # selection needs a validation split
    store = str(store)
    sp_ = space()
    chosen = candidates(budget, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormulaWarning)
        for c in chosen:
            define(c.name, c.formula, check=False)
    by_name = {c.name: c for c in chosen}
    sizes = rung_sizes(len(chosen), top, eta)
    recipe = {**RECIPE, "model": model, "lr": float(lr)}
    settings = {"budget": budget, "space": len(sp_.candidates), "screened": len(chosen), "seed": seed, "top": top,
                "seeds": seeds, "epochs": epochs, "screen_epochs": screen_epochs, "eta": eta, **recipe,
                "val_fraction": val_fraction, "selection": SELECT_ON, "confirmation": "final_score",
                "store": store, "workers": workers, "ray": ray}
    report = Report(settings)
    report.space = {"unary": dict(UNARY), "binary": dict(BINARY), "combinations": sp_.combinations,
                    "dropped": dict(sp_.dropped), "distinct": len(sp_.candidates),
                    "swish_like_threshold": SWISH_LIKE}


    registry = Path(store).with_suffix(".candidates.toml")
    reached: dict[str, list[float | None]] = {n: [] for n in by_name}
    base_screen: dict[str, list[float | None]] = {n: [] for n in BASELINES}
    eliminated: list[list[str]] = []  # per rung, the candidates it dropped, best first
    with _search_registry(registry, chosen), executors.make(workers, ray) as ex:
        shared = _Shared(ex)
        alive = list(by_name)
        used: list[int] = []
        for i, size in enumerate(sizes):
            rung_seeds, rung_epochs = ([0], screen_epochs) if i == 0 else (list(range(i + 1)), epochs)
            used = sorted(set(used) | set(rung_seeds))
            message = f"rung {i + 1}/{len(sizes)}: {len(alive)} candidates x {len(rung_seeds)} seed(s) x " \
                      f"{rung_epochs} epochs"
            res = scorer([*BASELINES, *alive], seeds=rung_seeds, epochs=rung_epochs, store=store, executor=shared,
                         progress=_bind(progress, message), val_fraction=val_fraction, **recipe)
            scored = {n: _rung_score(res.get(n, {}), rung_seeds) for n in alive}
            for n in alive:
                reached[n].append(scored[n])
            for n in BASELINES:
                base_screen[n].append(_rung_score(res.get(n, {}), rung_seeds))
            ranked = sorted(alive, key=lambda n: (-scored[n], n))
            keep = sizes[i + 1] if i + 1 < len(sizes) else min(top, len(ranked))
            report.rungs.append({"rung": i, "candidates": len(alive), "seeds": rung_seeds, "epochs": rung_epochs,
                                 "kept": keep, "score": SELECT_ON, "val_fraction": val_fraction,
                                 "baselines": {n: base_screen[n][-1] for n in BASELINES}})
            alive, dropped_here = ranked[:keep], ranked[keep:]
            eliminated.append(dropped_here)
        fresh = list(range(len(used), len(used) + seeds))
        message = f"confirmation: {len(alive)} candidates + ReLU and Swish x {seeds} fresh seeds x {epochs} epochs"
        report.rungs.append({"rung": len(sizes), "candidates": len(alive), "seeds": fresh, "epochs": epochs,
                             "kept": len(alive), "confirmation": True, "score": "final_score", "val_fraction": 0.0})
        # The whole training split (validation rows included), scored on the test split: selection is over.
        final = scorer([*BASELINES, *alive], seeds=fresh, epochs=epochs, store=store, executor=shared,
                       progress=_bind(progress, message), val_fraction=0.0, **recipe)


    def match(n: str) -> SwishMatch:
        act = actlab.get(n)
        return swish_match(act, act.derivative)

    matches = {n: match(n) for n in [*BASELINES, *by_name]}
    for n in [*BASELINES, *alive]:
        s = final.get(n, {})
        m = matches[n]
        report.final.append(Result(
            n, by_name[n].formula if n in by_name else BASELINE_FORMULAS[n], s.get("mean", math.nan),
            s.get("ci_low", math.nan), s.get("ci_high", math.nan), s.get("n", 0), s.get("diverged", 0), m.distance,
            m.swish_like, baseline=n in BASELINES, p_vs_relu=s.get("p"), tied_best=s.get("tied_best", False),
            screen=list(base_screen[n] if n in BASELINES else reached[n])))
    report.final.sort(key=lambda r: (-_finite(r.mean), r.name))
    for i, r in enumerate(report.final, 1):
        r.rank = i
    # Overall order: the finalists by confirmed accuracy, then each rung's eliminated candidates, last rung first.
    order = [r.name for r in report.final if not r.baseline]
    for dropped_here in reversed(eliminated):
        order += dropped_here
    for k, n in enumerate(order, 1):
        c, m = by_name[n], matches[n]
        report.candidates.append({
            "overall_rank": k, "name": n, "formula": c.formula, "canonical": c.canonical, "binary": c.binary,
            "unary": list(c.unary), "scores": reached[n], "swish_distance": m.distance, "swish_beta": m.beta,
            "swish_like": m.swish_like})
    report_path(store).write_text(report.to_json() + "\n", encoding="utf-8")
    return report


def _bind(progress, message: str):
    if progress is None:
        return None
    return lambda done, total, result=None: progress(message, done, total)


def _finite(v) -> float:
    return float(v) if v is not None and math.isfinite(v) else -math.inf
