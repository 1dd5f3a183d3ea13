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
