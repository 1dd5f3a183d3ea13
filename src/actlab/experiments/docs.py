"""Generate the docs pages of the experiments from their stored results, so the pages are never hand-kept.

``write_docs(results_dir, docs_dir)`` writes ``docs_dir/NAME.md`` for every experiment with a result in
``results_dir`` (claim, command, figures, the numbers measured, verdict, where the seed was wrong) and
``docs_dir/index.md`` with the verdicts in one table. ``python -m actlab.experiments.docs RESULTS DOCS`` does the
same from the shell; ``actlab experiment all --out RESULTS --docs DOCS`` runs everything first.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from actlab.experiments.robustness import measurement
from actlab.experiments.runner import ExperimentError, get, load_result, names

BADGE = {"confirmed": "✅ confirmed", "partly": "🟡 partly", "not confirmed": "❌ not confirmed"}


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value == 0 or not math.isfinite(value):
            return str(value)
        if abs(value) >= 1e4 or abs(value) < 1e-3:
            return f"{value:.3g}"
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v) for v in value)
    return str(value).replace("|", "\\|")


def _table(columns, rows) -> list[str]:
    lines = ["| " + " | ".join(map(str, columns)) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return lines


def _settings(settings: dict) -> list[str]:
    skip = {"experiment"}
    return [f"- **{k}**: {_fmt(v) if not isinstance(v, dict) else ', '.join(f'{a}={_fmt(b)}' for a, b in v.items())}"
            for k, v in settings.items() if k not in skip]


def page(result, results_dir: Path, docs_dir: Path) -> str:
    exp = get(result.name)
    rel = Path(os.path.relpath(results_dir, docs_dir))
    quick = result.settings.get("quick", True)
    block = result.robustness
    scale = f"; {block['qualified']}" if block else " at this scale"
    lines = [f"# {exp.title}", "",
             f"*Experiment `{exp.name}` — {BADGE.get(result.status, result.status)}{scale}.*", "",
             "## The claim", "", f"> {exp.claim}", "", f"Source: {exp.seed_source}", "",
             "## Run it", "", "```sh", f"actlab experiment {exp.name} --out out            # quick form, seconds",
             f"actlab experiment {exp.name} --full --out out     # full form",
             f"actlab experiment {exp.name} --robustness         # + 1/2x, 2x the budget, 3 seed sets",
             f"actlab experiment {exp.name} --activations {','.join(exp.activations)} --seed 1", "```", "",
             f"The numbers below come from the stored {'quick' if quick else 'full'} run "
             f"(`{(rel / exp.name / 'result.json').as_posix()}`, seed {result.settings.get('seed')}); "
             f"the same seed gives the same numbers.", ""]
    lines += ["## Verdict", "", f"**{result.verdict}**", ""]
    for fig in result.figures:
        if fig.suffix == ".png":
            lines += [f"![{exp.name}: {fig.stem}]({(rel / exp.name / fig.name).as_posix()})", ""]
    lines += ["## What was measured", "", "```text", result.summary, "```", ""]
    for name, tab in result.tables.items():
        if name.startswith("robustness"):
            continue
        lines += [f"### {name[0].upper()}{name[1:]}", "", *_table(tab["columns"], tab["rows"]), ""]
    if block:
        lines += ["## Does the verdict survive a change of budget?", "",
                  f"The decisive measurement ({measurement(block)}) re-run at "
                  + ", ".join(f"{b:g}x" for b in block["budgets"]) + f" the budget ({block['budget_of']}) and on seed "
                  f"sets {', '.join(map(str, block['seed_sets']))}: **{block['qualified']}**.", ""]
        for name, tab in result.tables.items():
            if name.startswith("robustness"):
                lines += [*_table(tab["columns"], tab["rows"]), ""]
    for name, tab in result.meta.get("tables", {}).items():  # timings: this machine, this run
        lines += [f"### {name[0].upper()}{name[1:]}", "", *_table(tab["columns"], tab["rows"]), ""]
    lines += _full_form(exp, results_dir, rel)
    if exp.notes:
        lines += ["## Where the seeds are wrong or overstated", "", exp.notes, ""]
    lines += ["## Settings", "", *_settings(result.settings), ""]
    meta = result.meta
    versions = ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items())
    lines += [f"<sub>Run {meta.get('date', '?')} in {meta.get('seconds', '?')} s; {versions}.</sub>", ""]
    return "\n".join(lines)


def _timing(results_dir: Path) -> list[str]:
    """How long the stored `all` run took, on which CPU and under what load (the machine may be shared)."""
    import json

    path = results_dir / "index.json"
    if not path.is_file():
        return []
    index = json.loads(path.read_text(encoding="utf-8"))
    meta = index.get("meta", {})
    if "seconds" not in meta:
        return []
    form = ("quick" if index.get("quick", True) else "full") + (" forms with --robustness" if index.get("robustness")
                                                                 else " forms")
    load = meta.get("load_before"), meta.get("load_after")
    where = f" on {meta['cpu']} ({meta.get('cores')} cores)" if meta.get("cpu") else ""
    when = (f", load average (1/5/15 min) {'/'.join(map(str, load[0]))} before and {'/'.join(map(str, load[1]))} "
            f"after" if all(load) else "")
    cpu = (f"; it used {meta['cpu_seconds'] / 60:.1f} minutes of CPU time (the rest of the wall time it waited for a "
           f"core)" if meta.get("cpu_seconds") else "")
    return [f"The stored run (all experiments, {form}) took {meta['seconds'] / 60:.1f} minutes{where}{when}{cpu}.",
            ""]


def _full_form(exp, results_dir: Path, rel: Path) -> list[str]:
    """A stored full-form run (``RESULTS/full/NAME/result.json``, from ``actlab experiment NAME --full --out
    RESULTS/full``) shown beside the quick one: its verdict, figures and tables."""
    try:
        full = load_result(results_dir / "full", exp.name)
    except ExperimentError:
        return []
    meta = full.meta
    lines = ["## The full form", "",
             f"`actlab experiment {exp.name} --full` (stored in `{(rel / 'full' / exp.name / 'result.json').as_posix()}`"
             f"; {meta.get('seconds', '?')} s on {meta.get('host', '?')}, {meta.get('date', '?')}):", "",
             f"**{full.verdict}**", ""]
    for fig in full.figures:
        if fig.suffix == ".png":
            lines += [f"![{exp.name} (full): {fig.stem}]({(rel / 'full' / exp.name / fig.name).as_posix()})", ""]
    for name, tab in full.tables.items():
        lines += [f"### Full form: {name}", "", *_table(tab["columns"], tab["rows"]), ""]
    lines += ["```text", full.summary, "```", ""]
    return lines


def write_docs(results_dir: str | Path, docs_dir: str | Path) -> list[Path]:
    """Write one page per stored result and an index; returns the paths written."""
    results_dir, docs_dir = Path(results_dir), Path(docs_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    written, rows = [], []
    for name in names():
        try:
            result = load_result(results_dir, name)
        except ExperimentError:
            rows.append([f"{get(name).title}", name, "not run", "—", "—"])
            continue
        path = docs_dir / f"{name}.md"
        path.write_text(page(result, results_dir, docs_dir), encoding="utf-8")
        written.append(path)
        rows.append([f"[{get(name).title}]({name}.md)", f"`{name}`", BADGE.get(result.status, result.status),
                     result.robustness["qualified"] if result.robustness else "not checked", result.reason])
    index = ["# Experiments: every claim of the seeds, measured", "",
             "Each page quotes the claim, gives the command, shows the figure and the numbers measured here, and "
             "says whether the claim held at this scale — and where the seed was wrong or overstated. The pages are "
             "generated from the stored results by `actlab.experiments.docs` (do not edit them by hand):", "",
             "```sh", f"actlab experiment all --robustness --out {results_dir.as_posix()} --docs {docs_dir.as_posix()}",
             "```", "", *_timing(results_dir),
             "| experiment | name | verdict | across budgets and seeds | why |", "|---|---|---|---|---|",
             *["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows], ""]
    index_path = docs_dir / "index.md"
    index_path.write_text("\n".join(index), encoding="utf-8")
    return [index_path, *written]


README_START = "<!-- verdicts: generated by actlab.experiments.docs.update_readme; do not edit -->"
README_END = "<!-- /verdicts -->"


def verdict_lines(results_dir: str | Path, docs_link: str = "docs/experiments") -> list[str]:
    """The README's list of verdicts: one line per experiment with its status and, when checked, how it holds up
    across budgets and seed sets."""
    lines = []
    for name in names():
        try:
            result = load_result(results_dir, name)
        except ExperimentError:
            lines.append(f"- {get(name).title} (`{name}`): not run")
            continue
        robust = f" — {result.robustness['qualified']}" if result.robustness else ""
        form = ("quick form" + (", indicative" if result.indicative else "")) if result.settings.get("quick", True) \
            else "full form"
        line = f"- [{get(name).title}]({docs_link}/{name}.md): **{result.status}**{robust} ({form})"
        try:
            full = load_result(Path(results_dir) / "full", name)
            line += f"; full form (`--full`): **{full.status}** at this scale"
        except ExperimentError:
            pass
        lines.append(line)
    return lines


def update_readme(results_dir: str | Path, readme: str | Path) -> bool:
    """Replace the block between the verdict markers of ``readme`` with :func:`verdict_lines`; False if the README
    has no markers (nothing is written then)."""
    readme = Path(readme)
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return False
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    body = "\n".join(["", *verdict_lines(results_dir), ""])
    readme.write_text(f"{head}{README_START}{body}{README_END}{tail}", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (2, 3):
        print("usage: python -m actlab.experiments.docs RESULTS_DIR DOCS_DIR [README]\n"
              "example: python -m actlab.experiments.docs docs/experiments/results docs/experiments README.md",
              file=sys.stderr)
        return 2
    for path in write_docs(*argv[:2]):
        print(path)
    if len(argv) == 3 and not update_readme(argv[0], argv[2]):
        print(f"{argv[2]} has no verdict markers ({README_START} ... {README_END}); left as it is.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
