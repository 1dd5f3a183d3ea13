"""Shared by the lab tests: a stored experiment result to build from, and the site's pages."""

from __future__ import annotations

import json
from pathlib import Path


def _experiment_name() -> str:
    """A name the experiments module knows (when it is installed), so the build lists the stored result."""
    try:
        from actlab import experiments

        return experiments.names()[0]
    except Exception:  # without the module the lab lists what is stored, under any name
        return "linear-collapse"


SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
       '<polyline points="0,55 40,40 80,20 120,5" fill="none" stroke="#1f5fbf" stroke-width="3"/></svg>\n')


def fake_results(directory: Path) -> Path:
    """A results directory holding one stored ``result.json`` with a figure, as the experiment runner writes it."""
    name = fake_results.name
    d = directory / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "curve.svg").write_text(SVG, encoding="utf-8")
    result = {
        "experiment": name, "title": "A stored experiment", "claim": "Stacked linear layers collapse into one.",
        "seed_source": "000", "settings": {"seed": 0, "quick": True}, "numbers": {"accuracy": {"relu": 0.123}},
        "tables": {"scores": {"columns": ["activation", "score"], "rows": [["relu", 0.123]]}},
        "status": "confirmed", "verdict": "Verdict: confirmed at this scale — the claim held.",
        "summary": "relu 0.123\nVerdict: confirmed at this scale — the claim held.", "figures": ["curve.svg"],
        "meta": {"date": "varies", "seconds": 1.0},
    }
    (d / "result.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return directory


fake_results.name = _experiment_name()


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def fake_search(directory: Path) -> Path:
    """A search store's report (``STORE.search.json``), written by the real ``search`` with a stand-in scorer (no
    training: a candidate scores 1 - its distance to Swish), so the lab test needs seconds, not minutes."""
    import actlab
    from actlab.formula import undefine
    from actlab.search import search, swish_distance

    def scorer(names, *, seeds, epochs, store, executor=None, progress=None, **recipe):
        out = {}
        for n in names:
            act = actlab.get(n)
            score = round(1 - min(1.0, swish_distance(act, act.derivative)) / 2, 6)
            scores = {s: score + 0.002 * (s % 3 - 1) for s in seeds}
            out[n] = {"scores": scores, "val_scores": scores, "mean": score, "ci_low": score - 0.01,
                      "ci_high": score + 0.01, "n": len(seeds), "diverged": 0, "p": None if n == "relu" else 0.04, "tied_best": False}
        return out

    directory.mkdir(parents=True, exist_ok=True)
    store = directory / "search.sqlite"
    try:
        search(12, top=3, seeds=2, epochs=2, screen_epochs=1, workers=0, store=store, scorer=scorer)
    finally:
        for n in actlab.names(source="user"):  # the lab's catalog must not list the candidates
            if n.startswith("srch_"):
                undefine(n)
    return store
