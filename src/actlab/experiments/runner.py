"""The experiment runner: one registry of experiments, one way to run them, one result file per run.

An experiment module defines ``EXPERIMENT = Experiment(...)`` whose ``body(ctx)`` does the work through a
:class:`Context`: it reads ``ctx.quick``, ``ctx.seed`` and ``ctx.activations``, records its settings and numbers,
draws figures with ``ctx.figure(...)`` and returns an :class:`Outcome` (status, verdict text, summary lines).
The runner writes ``OUT/NAME/result.json``: ``settings`` and ``numbers`` at the top level (identical for the same
seed), what varies from run to run (wall time, timings, versions, date, host) under ``"meta"``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import platform
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from actlab.errors import ActlabError

STATUSES = ("confirmed", "partly", "not confirmed")
SIGNIFICANT_DIGITS = 6  # numbers are stored rounded: readable, and stable against last-bit BLAS differences


class ExperimentError(ActlabError, ValueError):
    """An unknown experiment, an activation an experiment cannot use, or a missing result file."""


@dataclass(frozen=True)
class Experiment:
    """One claim of the seeds, as a runnable experiment."""

    name: str
    title: str
    claim: str  # quoted or paraphrased from the seed
    seed_source: str  # which seed file(s) make the claim
    body: Callable[["Context"], "Outcome"]
    activations: tuple[str, ...]  # the default set (quick and full)
    full_activations: tuple[str, ...] = ()  # a wider set for --full; defaults to ``activations``
    required: tuple[str, ...] = ()  # always added: the experiment's baseline (identity, relu, ...)
    notes: str = ""  # where the seed is wrong or overstated, shown on the docs page
    quick_seconds: float = 30.0  # budget the quick form must stay under on 2 cores
    # The robustness check (``actlab experiment NAME --robustness``, see actlab.experiments.robustness):
    budget: str = "epochs"  # what ``ctx.budget(n)`` scales, as people read it
    decisive: tuple[str, ...] = ()  # the numbers (keys of ``ctx.record``) the verdict is computed from
    decisive_activations: tuple[str, ...] = ()  # the activations the verdict needs (default: the run's own)
    decisive_measurement: str = ""  # what a robustness cell measures, when it is not "these activations"
    cheap: bool = False  # a cell costs seconds: also try 4x the budget, and every seed set at every budget
    # Why the quick form's verdict may differ from the full form's (measured: the slow test compares both forms);
    # a quick run then says its verdict is "indicative". Empty: the quick verdict is the full one.
    indicative_quick: str = ""


@dataclass
class Outcome:
    status: str  # one of STATUSES
    verdict: str  # the reason, one sentence
    summary: list[str] = field(default_factory=list)  # the human summary, without the verdict line
    # Summary lines that vary from run to run (timings): printed, but stored under meta, not in "summary".
    volatile: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}; got {self.status!r}")


@dataclass
class Result:
    """What ``run`` returns and ``load_result`` reads back."""

    name: str
    settings: dict
    numbers: dict
    status: str
    verdict: str  # the full verdict line: "Verdict: confirmed at this scale — ..."
    summary: str  # the human summary, ending with the verdict line
    figures: list[Path]
    tables: dict
    meta: dict
    path: Path | None = None
    stored_summary: str = ""  # what result.json holds (no volatile lines); ``summary`` is what people read
    robustness: dict | None = None  # the block of actlab.experiments.robustness, when checked
    indicative: bool = False  # a quick verdict known to be able to differ from the full form's
    reason: str = ""  # the verdict's sentence alone (the verdict line without its status and qualifiers)

    def to_json(self) -> dict:
        exp = get(self.name)
        return {
            "experiment": self.name,
            "title": exp.title,
            "claim": exp.claim,
            "seed_source": exp.seed_source,
            "settings": self.settings,
            "numbers": self.numbers,
            "tables": self.tables,
            "status": self.status,
            "verdict": self.verdict,
            "reason": self.reason,
            "summary": self.stored_summary or self.summary,
            "figures": [p.name for p in self.figures],
            "indicative": self.indicative,
            **({"robustness": self.robustness} if self.robustness is not None else {}),
            "meta": self.meta,
        }


class Context:
    """What an experiment body works with: its settings, an RNG, figure output and progress reporting."""

    def __init__(self, experiment: Experiment, quick: bool, activations: list[str], seed: int, out: Path,
                 progress: Callable[[float, str], None] | None = None, budget_scale: float = 1.0,
                 probing: bool = False):
        self.experiment = experiment
        self.budget_scale = budget_scale  # 1 for a normal run; 0.5, 2, 4 in a robustness cell
        self.probing = probing  # a robustness cell: the decisive numbers only, no figures
        self.budget_values: list[int] = []
        self.quick = quick
        self.activations = activations
        self.seed = seed
        self.dir = out
        self.settings: dict[str, Any] = {"experiment": experiment.name, "quick": quick, "seed": seed,
                                         "activations": list(activations)}
        self.numbers: dict[str, Any] = {}
        self.tables: dict[str, dict] = {}
        self.figures: list[Path] = []
        self.meta_extra: dict[str, Any] = {}  # run-to-run variable measurements (timings) go here
        self._progress = progress

    def budget(self, n: int) -> int:
        """The experiment's budget ``n`` (epochs, steps, samples) at this run's scale; the first call names the
        budget in the robustness block ("6 epochs")."""
        value = max(1, int(round(n * self.budget_scale)))
        self.budget_values.append(value)
        return value

    def budget_label(self) -> str:
        return f"{self.budget_values[0]} {self.experiment.budget}" if self.budget_values else f"{self.budget_scale:g}x"

    def rng(self, *stream: int) -> np.random.Generator:
        """An independent generator per named stream, all derived from the run's seed."""
        return np.random.default_rng([self.seed, *stream])

    def setting(self, **values: Any) -> None:
        self.settings.update(values)

    def record(self, **values: Any) -> None:
        self.numbers.update(values)

    def table(self, name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], volatile: bool = False) -> None:
        """A table for the summary and the docs page (numbers already recorded, arranged for reading).
        ``volatile`` tables (timings) vary from run to run and are stored under meta."""
        table = {"columns": list(columns), "rows": [list(r) for r in rows]}
        if volatile:
            self.meta_extra.setdefault("tables", {})[name] = table
        else:
            self.tables[name] = table

    def progress(self, fraction: float, message: str = "") -> None:
        if self._progress is not None:
            self._progress(min(max(float(fraction), 0.0), 1.0), message)

    def figure(self, stem: str, fig) -> None:
        """Save a matplotlib figure as STEM.png and STEM.svg, byte-for-byte reproducible, and close it."""
        from actlab.experiments.plotting import save

        if self.probing:
            import matplotlib.pyplot as plt

            plt.close(fig)
            return
        self.figures.extend(save(fig, self.dir / stem))


# --- the registry -------------------------------------------------------------------------------------------------

MODULES = (
    "linear_collapse",
    "vanishing_gradients",
    "dying_relu",
    "sparsity",
    "zero_centering",
    "saturation",
    "universal_approximation",
    "cost",
    "output_layer",
    "self_normalization",
    "swish_vs_relu",
    "nalu_arithmetic",
)

_REGISTRY: dict[str, Experiment] = {}


def _load() -> dict[str, Experiment]:
    if not _REGISTRY:
        import importlib

        for module in MODULES:
            exp = importlib.import_module(f"actlab.experiments.{module}").EXPERIMENT
            _REGISTRY[exp.name] = exp
    return _REGISTRY


def names() -> list[str]:
    """The experiments, in the order of the issue (and of the docs)."""
    return list(_load())


def get(name: str) -> Experiment:
    registry = _load()
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key in registry:
        return registry[key]
    import difflib

    close = difflib.get_close_matches(key, registry, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise ExperimentError(f"Unknown experiment {name!r}.{hint} Available: {', '.join(registry)}.")


def _resolve_activations(exp: Experiment, activations: Sequence[str] | str | None, quick: bool) -> list[str]:
    import actlab

    if activations is None:
        chosen = list(exp.activations if quick or not exp.full_activations else exp.full_activations)
    else:
        if isinstance(activations, str):
            activations = [a for a in activations.split(",") if a.strip()]
        if not activations:
            raise ExperimentError(f"{exp.name}: --activations needs at least one name, e.g. 'relu,tanh'. Got none.")
        chosen = [actlab.resolve(a) for a in activations]  # UnknownActivation says did-you-mean
        for a in chosen:
            if actlab.spec(a).kind != "elementwise":
                raise ExperimentError(f"{exp.name} takes elementwise activations; {a!r} is {actlab.spec(a).kind}.")
    out = [actlab.resolve(a) for a in chosen]
    for req in exp.required:
        if req not in out:
            out.append(req)
    return list(dict.fromkeys(out))


def run(name: str, quick: bool = True, activations: Sequence[str] | str | None = None, seed: int = 0,
        out: str | Path = "out", progress: Callable[[float, str], None] | None = None,
        echo: bool = False, robustness: bool = False) -> Result:
    """Run one experiment, write ``out/NAME/result.json`` and its figures, and return the :class:`Result`.

    ``quick`` runs the small form (seconds, what the tests use); ``quick=False`` the full form.
    ``robustness`` also re-runs the decisive measurement at other budgets and seed sets
    (:mod:`actlab.experiments.robustness`) and qualifies the verdict with what they show.
    ``progress(fraction, message)`` is called as the work advances.
    """
    exp = get(name)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ExperimentError(f"seed must be a non-negative integer; got {seed!r}.")
    acts = _resolve_activations(exp, activations, quick)
    directory = Path(out) / exp.name
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*"):  # figures of an earlier run with other settings must not linger
        if stale.suffix in (".png", ".svg", ".json"):
            stale.unlink()
    share = 0.5 if robustness else 1.0  # of the progress bar: the main run, then the robustness cells
    ctx = Context(exp, quick, acts, int(seed), directory,
                  (lambda f, m: progress(share * f, m)) if progress else None)
    started = time.perf_counter()
    import matplotlib

    matplotlib.use("Agg")
    outcome = exp.body(ctx)
    elapsed = time.perf_counter() - started
    status, block = outcome.status, None
    verdict = f"Verdict: {status} at this scale — {outcome.verdict}"
    if robustness:
        from actlab.experiments.robustness import summary_lines, table

        block = _robustness(exp, quick, acts, int(seed), directory, outcome.status, progress)
        ctx.meta_extra["robustness_seconds"] = block.pop("seconds")
        ctx.table("robustness: the verdict and its decisive numbers at each budget and seed set", *table(block))
        outcome.summary.extend(summary_lines(block))
        if block["stable"] and block["status"] == status:
            verdict = f"Verdict: {block['qualified']} — {outcome.verdict}"
        else:  # a verdict that changes with the budget or the seeds is not confirmed: it is "depends on ..."
            status = "partly" if status == "confirmed" or block["status"] != status else status
            verdict = f"Verdict: {status} — {block['qualified']} — {outcome.verdict}"
    if quick and exp.indicative_quick:
        verdict = verdict.replace("Verdict: ", "Verdict: indicative (quick form) — ", 1)
        outcome.summary.append(f"The quick form is indicative: {exp.indicative_quick} Run --full for the verdict.")
    ctx.progress(1.0, "done")
    summary = "\n".join([*outcome.summary, verdict])
    if outcome.volatile:
        ctx.meta_extra["summary"] = outcome.volatile
    result = Result(
        name=exp.name,
        settings=_clean(ctx.settings),
        numbers=_clean(ctx.numbers),
        status=status,
        verdict=verdict,
        summary=summary,
        stored_summary=summary,
        figures=list(ctx.figures),
        tables=_clean(ctx.tables),
        meta=_clean({**_meta(elapsed), **ctx.meta_extra}),
        path=directory / "result.json",
        robustness=_clean(block) if block is not None else None,
        indicative=bool(quick and exp.indicative_quick),
        reason=outcome.verdict,
    )
    result.path.write_text(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    result.summary = printable_summary(result)
    if echo:
        print(result.summary)
    return result


def _robustness(exp: Experiment, quick: bool, acts: list[str], seed: int, directory: Path, main_status: str,
                progress: Callable[[float, str], None] | None) -> dict:
    """The robustness block: the decisive measurement re-run cell by cell (see actlab.experiments.robustness)."""
    from actlab.experiments import robustness

    cell_acts = _resolve_activations(exp, exp.decisive_activations, quick) if exp.decisive_activations else acts

    def run_cell(budget_scale: float, cell_seed: int):
        ctx = Context(exp, quick, cell_acts, cell_seed, directory, budget_scale=budget_scale, probing=True)
        outcome = exp.body(ctx)
        return outcome.status, _clean(ctx.numbers), ctx.budget_label()

    block = robustness.check(exp, quick, cell_acts, seed, run_cell,
                             (lambda f, m: progress(0.5 + 0.5 * f, m)) if progress else None)
    own = next(c for c in block["cells"] if c["budget"] == 1.0 and c["seed"] == seed)
    block["main_status"] = main_status
    block["main_status_reproduced"] = own["status"] == main_status  # the decisive subset gives the run's verdict
    return block


def printable_summary(result: "Result") -> str:
    """The summary for people: the stored lines, with the run's volatile lines (timings) before the verdict."""
    volatile = result.meta.get("summary") or []
    if not volatile:
        return result.summary
    lines = result.summary.split("\n")
    return "\n".join([*lines[:-1], *volatile, lines[-1]])


def load_result(out: str | Path, name: str) -> Result:
    """Read ``out/NAME/result.json`` back into a :class:`Result` (the lab reuses stored runs this way)."""
    exp = get(name)
    path = Path(out) / exp.name / "result.json"
    if not path.is_file():
        raise ExperimentError(f"No result for {exp.name!r} in {str(out)!r}: {path} does not exist. "
                              f"Run `actlab experiment {exp.name} --out {out}` first.")
    data = json.loads(path.read_text(encoding="utf-8"))
    result = Result(name=exp.name, settings=data["settings"], numbers=data["numbers"], status=data["status"],
                    verdict=data["verdict"], summary=data["summary"], stored_summary=data["summary"],
                    figures=[path.parent / f for f in data.get("figures", [])], tables=data.get("tables", {}),
                    meta=data.get("meta", {}), path=path, robustness=data.get("robustness"),
                    indicative=bool(data.get("indicative", False)),
                    reason=data.get("reason") or data["verdict"].split(" — ", 1)[-1])
    result.summary = printable_summary(result)
    return result


# --- helpers ---------------------------------------------------------------------------------------------------------

def _meta(elapsed: float) -> dict:
    import actlab

    versions = {"python": platform.python_version(), "numpy": np.__version__, "actlab": actlab.__version__}
    for mod in ("scipy", "matplotlib", "torch"):
        if mod in sys.modules:
            versions[mod] = getattr(sys.modules[mod], "__version__", "?")
    return {
        "seconds": round(elapsed, 3),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "versions": versions,
    }


def _round(x: float) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.{SIGNIFICANT_DIGITS}g}")


def _clean(value: Any) -> Any:
    """JSON-ready: NumPy scalars and arrays to Python, floats rounded, non-finite floats to None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        return _round(x) if math.isfinite(x) else None
    if isinstance(value, Path):
        return str(value)
    return value
