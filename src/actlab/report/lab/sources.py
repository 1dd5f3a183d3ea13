"""What the lab shows beyond the catalog, read from the other parts of actlab when they are there.

Each reader returns data plus, when the part is missing or has nothing yet, the reason and the command that would
produce it; the pages then show a placeholder instead of failing. Nothing here varies from run to run: the
experiments' run-to-run ``meta`` (dates, hosts, timings) is never read, so the build stays deterministic.
"""

from __future__ import annotations

import importlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

DEFAULT_STORE = "actlab-runs.sqlite"
DEFAULT_SEARCH_STORE = "actlab-search.sqlite"
STORED_LEADERBOARD = "leaderboard.json"  # summarize() rows of the default sweep, shipped in docs/results
STORED_SEARCH = "actlab-search.search.json"  # the report of `actlab search --budget 200`, shipped in docs/results


def stored_result(name: str) -> Path | None:
    """A result shipped in docs/results (the working directory's, then the source checkout's), if there is one.

    A fresh clone has no comparison or search store; rather than an empty leaderboard, the lab then shows the
    results we measured and committed, and says so.
    """
    for directory in (Path("docs/results"), Path(__file__).resolve().parents[4] / "docs" / "results"):
        if (directory / name).is_file():
            return directory / name
    return None


@dataclass
class Missing:
    """Why a section is empty, and what to run to fill it."""

    reason: str
    command: str = ""


# --- accuracy -------------------------------------------------------------------------------------------------------

@dataclass
class Accuracy:
    rows: dict[str, dict[str, Any]]  # activation name -> row of actlab.reference.accuracy_table()
    columns: list[str]


def accuracy(progress: Callable[[str], None] | None = None) -> Accuracy | Missing:
    """The ULP accuracy of every elementwise activation (``actlab.reference.accuracy_table``), computed once."""
    try:
        reference = importlib.import_module("actlab.reference")
        table = reference.accuracy_table
    except (ImportError, AttributeError) as err:
        return Missing(f"the accuracy module is not available ({err})")
    try:
        rows = table(progress=progress)
    except TypeError:  # an older signature without progress
        rows = table()
    except Exception as err:  # the lab still builds; the page says what went wrong
        return Missing(f"the accuracy table could not be computed: {type(err).__name__}: {err}")
    by_name = {str(r["name"]): dict(r) for r in rows if isinstance(r, dict) and "name" in r}
    columns = list(dict.fromkeys(k for r in by_name.values() for k in r if k != "name"))
    return Accuracy(by_name, columns)


# --- experiments ----------------------------------------------------------------------------------------------------

@dataclass
class ExperimentPage:
    name: str
    title: str
    claim: str = ""
    seed_source: str = ""
    notes: str = ""
    status: str = ""  # confirmed / partly / not confirmed; "" when not run
    verdict: str = ""
    summary: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    numbers: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)
    figures: list[Path] = field(default_factory=list)
    origin: str = ""  # where the numbers came from (a stored result, or run during this build)

    @property
    def ran(self) -> bool:
        return bool(self.verdict)

    @property
    def command(self) -> str:
        return f"actlab experiment {self.name} --out docs/experiments/results"


def _experiments_module():
    try:
        return importlib.import_module("actlab.experiments")
    except ImportError:
        return None


def experiment_names() -> list[str] | Missing:
    mod = _experiments_module()
    names = getattr(mod, "names", None)
    if names is None:
        return Missing("the experiments module is not available yet", "actlab experiment all --out DIR")
    try:
        return list(names())
    except Exception as err:  # a half-installed experiments package: fall back to what is stored
        return Missing(f"the experiments could not be listed ({type(err).__name__}: {err})")


def _describe(name: str) -> dict[str, str]:
    mod = _experiments_module()
    try:
        exp = mod.get(name)
    except Exception:  # unknown to this version of actlab: the stored result still describes itself
        return {}
    return {k: str(getattr(exp, k, "") or "") for k in ("title", "claim", "seed_source", "notes")}


def _read_result(directory: Path) -> dict[str, Any] | None:
    path = directory / "result.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _page_from(name: str, data: dict[str, Any] | None, directory: Path | None, origin: str) -> ExperimentPage:
    info = _describe(name)
    data = data or {}
    figures: list[Path] = []
    if directory is not None and data:
        for fig in data.get("figures", []):
            p = directory / fig
            if p.is_file():
                figures.append(p)
    return ExperimentPage(
        name=name,
        title=info.get("title") or data.get("title") or name,
        claim=info.get("claim") or data.get("claim", ""),
        seed_source=info.get("seed_source") or data.get("seed_source", ""),
        notes=info.get("notes", ""),
        status=data.get("status", ""),
        verdict=data.get("verdict", ""),
        summary=data.get("summary", ""),
        settings=data.get("settings", {}),
        numbers=data.get("numbers", {}),
        tables=data.get("tables", {}),
        figures=figures,
        origin=origin if data else "",
    )


def experiments(results_dirs: list[Path], *, run_missing: bool = False, run_dir: Path | None = None,
                progress: Callable[[str], None] | None = None) -> tuple[list[ExperimentPage], Missing | None]:
    """One page per experiment, from stored ``result.json`` files (first directory that has one wins).

    With ``run_missing`` the quick form of every experiment without a stored result is run into ``run_dir``.
    """
    listed = experiment_names()
    stored: dict[str, Path] = {}
    for base in results_dirs:
        if base.is_dir():
            for d in sorted(p for p in base.iterdir() if (p / "result.json").is_file()):
                stored.setdefault(d.name, d)
    names = listed if isinstance(listed, list) else sorted(stored)
    problem = listed if isinstance(listed, Missing) else None
    pages = []
    for name in names:
        if progress:
            progress(name)
        if name in stored:
            pages.append(_page_from(name, _read_result(stored[name]), stored[name], f"stored result {name}/result.json"))
            continue
        if run_missing and run_dir is not None:
            mod = _experiments_module()
            try:
                mod.run(name, quick=True, out=run_dir)
                d = run_dir / name
                pages.append(_page_from(name, _read_result(d), d, "quick form run by `actlab lab --full`"))
                continue
            except Exception as err:  # the page says it failed; the rest of the lab still builds
                page = _page_from(name, None, None, "")
                page.summary = f"The quick run failed during this build: {type(err).__name__}: {err}"
                pages.append(page)
                continue
        pages.append(_page_from(name, None, None, ""))
    return pages, problem


# --- leaderboard ----------------------------------------------------------------------------------------------------

def leaderboard(store: Path) -> list[dict[str, Any]] | Missing:
    """Leaderboard rows from the comparison store (``actlab.compare.summarize``), or from a JSON file of them."""
    command = "actlab compare --activations relu,leaky_relu,elu,gelu,silu,tanh --dataset mnist1d --seeds 5"
    if store.suffix == ".json":
        try:
            rows = json.loads(store.read_text(encoding="utf-8"))
            rows = [dict(r) for r in (rows["rows"] if isinstance(rows, dict) else rows)]
        except (OSError, ValueError, KeyError, TypeError) as err:
            return Missing(f"the leaderboard file {store} could not be read: {type(err).__name__}: {err}", command)
        return rows or Missing(f"the leaderboard file {store} holds no rows", command)
    try:
        compare = importlib.import_module("actlab.compare")
        summarize = compare.summarize
    except (ImportError, AttributeError) as err:
        return Missing(f"the comparison module is not available ({err})", command)
    if not store.is_file():
        return Missing(f"no comparison store at {store}", command + f" --store {store}")
    try:
        rows = summarize(store)
    except Exception as err:
        return Missing(f"the store {store} could not be read: {type(err).__name__}: {err}", command)
    rows = [dict(r) for r in rows]
    if not rows:
        return Missing(f"the store {store} holds no finished runs yet", command + f" --store {store}")
    return rows


# --- formula search -------------------------------------------------------------------------------------------------

CURVE_X = [round(-5.0 + 0.05 * i, 10) for i in range(201)]  # where the search page samples its curves
CURVES = 6  # candidates drawn besides the baselines


@dataclass
class SearchResults:
    report: dict[str, Any]  # STORE.search.json as written by actlab.search
    source: str  # the report's file name (no build-specific path)
    curves: list[dict[str, Any]]  # {name, label, swish_like, baseline, y}: f sampled at CURVE_X
    shipped: bool = False  # the result committed in docs/results, not a search of this directory


def search_report_path(path: Path) -> Path:
    """The report of a search store (``STORE.search.json``); a path to the report itself is kept."""
    return path if path.name.endswith(".search.json") else path.with_suffix(".search.json")


def search(path: Path) -> SearchResults | Missing:
    """The results of ``actlab search`` on a store: its report, and the curves of the best candidates."""
    report_file = search_report_path(path)
    store = report_file.name.removesuffix(".search.json") + ".sqlite"
    command = f"actlab search --budget 200 --store {store}"
    if not report_file.is_file():
        return Missing(f"no formula search results at {report_file}", command)
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
        final = list(report["final"])
        report.setdefault("candidates", [])
    except (OSError, ValueError, KeyError, TypeError) as err:
        return Missing(f"the search report {report_file} could not be read: {type(err).__name__}: {err}", command)
    if not final:
        return Missing(f"the search report {report_file} has no confirmed candidates", command)
    candidates = [r for r in final if not r.get("baseline")][:CURVES]
    baselines = [r for r in final if r.get("baseline")]
    curves = []
    for r in [*candidates, *baselines]:
        y = _sample(r.get("name", ""), r.get("formula", ""), bool(r.get("baseline")))
        if y is not None:
            label = f"{r['name']}: {r['formula']}" if r.get("baseline") else f"#{r.get('rank')} {r['formula']}"
            curves.append({"name": r["name"], "label": label, "swish_like": bool(r.get("swish_like")),
                           "baseline": bool(r.get("baseline")), "y": y})
    shipped = report_file.resolve() == (stored_result(STORED_SEARCH) or Path()).resolve()
    return SearchResults(report, report_file.name, curves, shipped)


def _sample(name: str, formula: str, baseline: bool) -> list[float | None] | None:
    """f on CURVE_X: a baseline from the registry, a candidate from its formula (parsed, not registered)."""
    import numpy as np

    try:
        if baseline:
            import actlab

            f = actlab.get(name)
        else:
            from actlab.formula.codegen import NumpyFunction
            from actlab.formula.define import build

            f = NumpyFunction(build("candidate", formula, {}).stable, ())
        with np.errstate(all="ignore"):
            y = np.asarray(f(np.asarray(CURVE_X, dtype=np.float64)), dtype=np.float64)
    except Exception:  # a formula this version refuses: the table still shows it, the plot leaves it out
        return None
    return [float(f"{v:.8g}") if math.isfinite(v) else None for v in y.tolist()]


def finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
