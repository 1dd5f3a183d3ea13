"""Formula-space search for activations: the Swish paper's space at small scale (Ramachandran et al. 2017).

Candidates are ``binary(unary1(x), unary2(x))`` over the primitives below. Each is built as text and defined
through the safe parser (so the search uses nothing a user could not type), de-duplicated by its canonical SymPy
form, and constants and linear functions are dropped (they cannot be activations). A seeded shuffle picks
``budget`` of them.

Scoring goes through the comparison harness (:mod:`actlab.compare`), so runs land in its SQLite store, resume, and
scale on a process pool or Ray:

1. screening: every candidate plus ReLU and Swish (silu), one seed, a quick MLP on MNIST-1D;
2. confirmation: the ``top`` candidates plus ReLU and Swish with ``seeds`` seeds (seed 0 is reused from the store),
   reported with 95% confidence intervals and paired tests against ReLU.

Worker processes see the candidates through a TOML registry written next to the store and ``ACTLAB_CONFIG``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

UNARY: dict[str, str] = {
    "x": "x", "-x": "-x", "|x|": "abs(x)", "x^2": "x**2", "x^3": "x**3", "sqrt|x|": "sqrt(abs(x))",
    "exp": "exp(x)", "sigmoid": "sigmoid(x)", "tanh": "tanh(x)", "sin": "sin(x)", "cos": "cos(x)",
    "erf": "erf(x)", "softplus": "softplus(x)", "max0": "max(x, 0)", "min0": "min(x, 0)", "1": "1", "0": "0",
}
BINARY: dict[str, str] = {
    "add": "{a} + {b}", "mul": "({a}) * ({b})", "sub": "{a} - ({b})", "max": "max({a}, {b})", "min": "min({a}, {b})",
    "gate": "({a}) * sigmoid({b})",
}


@dataclass(frozen=True)
class Candidate:
    name: str  # "srch_" + a hash of the canonical form: stable across runs, so the store resumes
    formula: str  # the text given to the parser
    canonical: str  # SymPy's canonical form, the de-duplication key


def candidates(seed: int = 0) -> list[Candidate]:
    """Every distinct, non-linear candidate of the space, in a seeded random order."""
    out = list(_space())
    random.Random(seed).shuffle(out)
    return out


@lru_cache(maxsize=1)
def _space() -> tuple[Candidate, ...]:
    from actlab.formula.parser import parse
    from actlab.formula.primitives import x

    seen: dict[str, Candidate] = {}
    for (bname, btext), u1, u2 in itertools.product(BINARY.items(), UNARY.values(), UNARY.values()):
        text = btext.format(a=u1, b=u2)
        try:
            expr = parse(text)
        except ValueError:
            continue
        key = sp.srepr(expr)
        if key in seen or not expr.has(x):
            continue
        if expr.is_polynomial(x) and sp.degree(expr, x) <= 1:  # c*x + d: not an activation
            continue
        if key not in seen:
            name = "srch_" + hashlib.sha1(key.encode()).hexdigest()[:8]
            seen[key] = Candidate(name, text, sp.sstr(expr))
    return tuple(sorted(seen.values(), key=lambda c: c.name))


def swish_distance(fn: Callable[[np.ndarray], np.ndarray]) -> float:
    """Relative L2 distance on [-4, 4] between f and its best multiple c * x * sigmoid(x) (0 for Swish itself)."""
    from actlab.catalog._math import sigmoid

    t = np.linspace(-4.0, 4.0, 801)
    s = t * sigmoid(t)
    f = np.asarray(fn(t), dtype=np.float64)
    if not np.all(np.isfinite(f)) or not np.any(f):
        return float("inf")
    c = float(f @ s / (s @ s))
    return float(np.linalg.norm(f - c * s) / np.linalg.norm(f))


@dataclass
class Result:
    name: str
    formula: str
    mean: float
    ci_low: float
    ci_high: float
    n: int
    screen: float  # the one-seed screening score
    swish_distance: float
    rank: int = 0
    p_vs_relu: float | None = None


@dataclass
class Report:
    settings: dict[str, Any]
    screened: list[dict[str, Any]] = field(default_factory=list)  # name, formula, score of every candidate
    final: list[Result] = field(default_factory=list)  # confirmed candidates and the baselines, best first

    def to_json(self) -> str:
        doc = {"settings": self.settings, "final": [asdict(r) for r in self.final], "screened": self.screened}
        return json.dumps(_clean(doc), indent=2)


def _clean(v):
    """NaN and inf -> None: strict JSON."""
    if isinstance(v, dict):
        return {k: _clean(i) for k, i in v.items()}
    if isinstance(v, list):
        return [_clean(i) for i in v]
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


@contextmanager
def _search_registry(path: Path, chosen: Sequence[Candidate]):
    """Candidates in a TOML registry that worker processes load (ACTLAB_CONFIG), restored afterwards."""
    from actlab import user_registry

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


def score_with_compare(names: Sequence[str], *, seeds: Sequence[int], epochs: int, model: str, lr: float,
                       store: str, workers: int | None, ray: str | None, progress=None) -> dict[str, dict]:
    """name -> {"mean", "ci_low", "ci_high", "n", "p"} of the final test accuracy, via actlab.compare."""
    from actlab.compare import Plan, run

    plan = Plan(list(names), ["mnist1d"], model=model, seeds=list(seeds), epochs=epochs, lr=lr, store=store,
                workers=workers, ray=ray, baseline="relu", eval_batches=1)
    results = run(plan, progress=progress)
    out = {}
    for row in results.rows:
        s = row.metrics.get("final_score")
        out[row.activation] = {
            "mean": s.mean if s else float("nan"), "ci_low": s.ci_low if s else float("nan"),
            "ci_high": s.ci_high if s else float("nan"), "n": s.n if s else 0,
            "p": row.p_holm if row.vs_baseline is not None else None,
        }
    return out


def search(budget: int = 200, *, seed: int = 0, top: int = 8, seeds: int = 5, epochs: int = 8,
           model: str = "mlp:64", lr: float = 3e-3, store: str | os.PathLike = "actlab-search.sqlite",
           workers: int | None = None, ray: str | None = None, progress=None,
           scorer: Callable[..., dict[str, dict]] = score_with_compare) -> Report:
    """Search ``budget`` candidates; confirm the ``top`` ones with ``seeds`` seeds against ReLU and Swish."""
    from actlab.formula import FormulaWarning, define

    if budget < 1 or top < 1 or seeds < 2:
        raise ValueError(f"budget and top must be >= 1 and seeds >= 2; got budget={budget}, top={top}, "
                         f"seeds={seeds}")
    store = str(store)
    pool = candidates(seed)
    chosen: list[Candidate] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormulaWarning)
        for c in pool:
            if len(chosen) >= budget:
                break
            try:
                define(c.name, c.formula, check=False)
            except ValueError:
                continue
            chosen.append(c)
    by_name = {c.name: c for c in chosen}
    baselines = ["relu", "silu"]
    settings = {"budget": budget, "space": len(pool), "seed": seed, "top": top, "seeds": seeds, "epochs": epochs,
                "model": model, "lr": lr, "dataset": "mnist1d", "store": store, "workers": workers, "ray": ray}
    registry = Path(store).with_suffix(".candidates.toml")
    kwargs = dict(epochs=epochs, model=model, lr=lr, store=store, workers=workers, ray=ray, progress=progress)
    with _search_registry(registry, chosen):
        screen = scorer([*baselines, *by_name], seeds=[0], **kwargs)
        ranked = sorted(by_name, key=lambda n: -_finite(screen.get(n, {}).get("mean")))
        finalists = ranked[:top]
        final = scorer([*baselines, *finalists], seeds=list(range(seeds)), **kwargs)

    import actlab

    report = Report(settings)
    report.screened = [{"name": n, "formula": by_name[n].formula, "canonical": by_name[n].canonical,
                        "score": screen.get(n, {}).get("mean"),
                        "swish_distance": swish_distance(actlab.get(n))} for n in ranked]
    for n in [*baselines, *finalists]:
        s = final.get(n, {})
        formula = by_name[n].formula if n in by_name else {"relu": "max(x, 0)", "silu": "x * sigmoid(x)"}[n]
        report.final.append(Result(n, formula, s.get("mean", float("nan")), s.get("ci_low", float("nan")),
                                   s.get("ci_high", float("nan")), s.get("n", 0),
                                   screen.get(n, {}).get("mean", float("nan")), swish_distance(actlab.get(n)),
                                   p_vs_relu=s.get("p")))
    report.final.sort(key=lambda r: -_finite(r.mean))
    for i, r in enumerate(report.final, 1):
        r.rank = i
    Path(store).with_suffix(".search.json").write_text(report.to_json(), encoding="utf-8")
    return report


def _finite(v) -> float:
    return float(v) if v is not None and np.isfinite(v) else -np.inf
