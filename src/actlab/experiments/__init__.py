"""Every claim of the seed articles as a reproducible experiment: a number, a figure, a verdict.

>>> from actlab import experiments
>>> experiments.names()[:3]
['linear-collapse', 'vanishing-gradients', 'dying-relu']
>>> experiments.claim("dying-relu")[:40]
'"If the input is sufficiently negative, '

``run(name, quick=True, activations=None, seed=0, out="out", robustness=False)`` writes ``out/NAME/result.json`` (settings and
numbers at the top level, run-to-run variation under ``"meta"``) and PNG + SVG figures, and returns a
:class:`Result` (``robustness=True`` adds the verdict at 1/2x, 1x, 2x the budget and on 3 seed sets); ``load_result(out, name)`` reads one back. ``actlab experiment NAME`` is the command line.
"""

from __future__ import annotations

from actlab.experiments.runner import (
    STATUSES,
    Experiment,
    ExperimentError,
    Outcome,
    Result,
    get,
    load_result,
    names,
    run,
)


def claim(name: str) -> str:
    """The claim as the seed makes it (quoted or paraphrased)."""
    return get(name).claim


def title(name: str) -> str:
    return get(name).title


def seed_source(name: str) -> str:
    """Which seed file(s) make the claim."""
    return get(name).seed_source


def notes(name: str) -> str:
    """Where the seed is wrong or overstated, and what the measurement needs to be read correctly."""
    return get(name).notes


def run_all(quick: bool = True, seed: int = 0, out="out", progress=None, robustness: bool = False) -> dict:
    """Run every experiment and write ``out/index.json``; see :func:`actlab.experiments.index.run_all`."""
    from actlab.experiments.index import run_all as _run_all

    return _run_all(quick=quick, seed=seed, out=out, progress=progress, robustness=robustness)


__all__ = [
    "STATUSES", "Experiment", "ExperimentError", "Outcome", "Result", "claim", "get", "load_result", "names",
    "notes", "run", "run_all", "seed_source", "title",
]
