"""Run every experiment and keep an index of the results (``OUT/index.json``) for the lab and the docs."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Callable

from actlab.experiments.runner import ExperimentError, get, names, run


def run_all(quick: bool = True, seed: int = 0, out: str | Path = "out",
            progress: Callable[[str, float, str], None] | None = None, only: list[str] | None = None,
            robustness: bool = False) -> dict:
    """Run the experiments in order (all, or ``only``); ``progress(name, fraction, message)`` reports each step;
    ``robustness`` checks each verdict at other budgets and seed sets (see :mod:`actlab.experiments.robustness`).

    One experiment failing does not stop the others: its entry in the index says ``"status": "error"`` and why.
    Returns the index, also written to ``OUT/index.json``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    load_before = _load()
    started, cpu_started = time.perf_counter(), time.process_time()
    for name in only or names():
        exp = get(name)
        t0 = time.perf_counter()
        try:
            result = run(name, quick=quick, seed=seed, out=out, robustness=robustness,
                         progress=(lambda f, m, n=name: progress(n, f, m)) if progress else None)
            entries.append(entry(result, time.perf_counter() - t0))
        except Exception as err:  # noqa: BLE001 -- one broken experiment must not lose the others' results
            entries.append({"name": name, "title": exp.title, "status": "error",
                            "verdict": f"{type(err).__name__}: {err}", "result": None, "figures": [],
                            "seconds": round(time.perf_counter() - t0, 2), "quick": quick})
    index = {"quick": quick, "seed": seed, "robustness": robustness, "experiments": entries,
             "meta": {"seconds": round(time.perf_counter() - started, 2),
                      "cpu_seconds": round(time.process_time() - cpu_started, 2), **machine(load_before)}}
    (out / "index.json").write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return index


def _load() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (OSError, AttributeError):  # not on every platform
        return None


def machine(load_before: list[float] | None = None) -> dict:
    """Where and under what load a run was timed: the CPU model, its core count, the load average before and after
    (1, 5, 15 minutes). A wall time means little on a shared machine without the load."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "load_before": load_before, "load_after": _load()}


def entry(result, seconds: float | None = None) -> dict:
    exp = get(result.name)
    return {"name": result.name, "title": exp.title, "status": result.status, "verdict": result.verdict,
            "result": f"{result.name}/result.json", "figures": [f"{result.name}/{p.name}" for p in result.figures],
            "seconds": round(result.meta.get("seconds", 0.0) if seconds is None else seconds, 2),
            "quick": result.settings.get("quick", True),
            "robustness": None if result.robustness is None else result.robustness["qualified"]}


def update_index(out: str | Path, result) -> None:
    """Replace (or add) ``result``'s entry in ``OUT/index.json`` if that index exists: a single re-run (say, a
    --full run of one experiment into the reference results) keeps the index the lab reads current."""
    path = Path(out) / "index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    new = entry(result)
    order = names()
    entries = [e for e in index.get("experiments", []) if e["name"] != result.name] + [new]
    index["experiments"] = sorted(entries, key=lambda e: order.index(e["name"]) if e["name"] in order else 99)
    path.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_index(out: str | Path) -> dict:
    path = Path(out) / "index.json"
    if not path.is_file():
        raise ExperimentError(f"No experiment index in {str(out)!r}: run `actlab experiment all --out {out}` first.")
    return json.loads(path.read_text(encoding="utf-8"))
