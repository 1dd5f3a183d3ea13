"""``actlab experiment NAME``: run one claim of the seeds as an experiment (or ``all``, or ``list`` them)."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "run a claim of the seeds as an experiment: a number, a figure, a verdict"

DESCRIPTION = ("Run an experiment (quick by default; --full for the long form). Writes OUT/NAME/result.json and "
               "PNG/SVG figures, prints a summary ending in a verdict line. NAME 'all' runs every experiment and "
               "writes OUT/index.json; 'list' lists them.")

EXAMPLES = """examples:
  actlab experiment list
  actlab experiment vanishing-gradients --out out
  actlab experiment dying-relu --activations relu,leaky_relu,elu --seed 3
  actlab experiment swish-vs-relu --full --out out
  actlab experiment sparsity --robustness --json
  actlab experiment all --out out
  actlab experiment all --robustness --out docs/experiments/results --docs docs/experiments --readme README.md
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME", help="an experiment name, 'all' or 'list'")
    p.add_argument("--full", action="store_true", help="the full form (minutes; more seeds, epochs, activations)")
    p.add_argument("--activations", metavar="A,B", default=None,
                   help="comma-separated activations instead of the experiment's defaults (its baselines stay)")
    p.add_argument("--seed", type=int, default=0, help="the seed: same seed, same numbers (default 0)")
    p.add_argument("--out", metavar="DIR", default="out", help="output directory (default ./out)")
    p.add_argument("--robustness", action="store_true",
                   help="also re-run the decisive measurement at 1/2x, 1x, 2x the budget (4x where cheap) and on 3 "
                        "disjoint seed sets, and qualify the verdict ('confirmed at every budget tried' or "
                        "'depends on budget: ...'); result.json gets a 'robustness' block")
    p.add_argument("--json", action="store_true", help="print result.json (or the index) instead of the summary")
    p.add_argument("--docs", metavar="DIR", default=None,
                   help="with 'all': also generate the docs pages (one per experiment) into DIR")
    p.add_argument("--readme", metavar="FILE", default=None,
                   help="with 'all': also regenerate the list of verdicts between the markers of FILE (README.md)")


def _progress_bar():
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True)


def run(args) -> int:
    from actlab import experiments

    if args.seed < 0:
        raise ValueError(f"--seed must be a non-negative integer. Got {args.seed}.")
    name = args.name.strip().lower()
    if name == "list":
        if args.json:
            print(json.dumps([{"name": n, "title": experiments.title(n), "claim": experiments.claim(n),
                               "seed_source": experiments.seed_source(n)} for n in experiments.names()], indent=2))
        else:
            width = max(map(len, experiments.names()))
            for n in experiments.names():
                print(f"{n:<{width}}  {experiments.title(n)}")
        return 0
    if name == "all":
        return _run_all(args, experiments)
    if args.docs or args.readme:
        raise ValueError("--docs and --readme go with 'all' (they list every experiment). Got a single experiment.")
    exp = experiments.get(name)  # unknown names fail here with did-you-mean
    with _progress_bar() as bar:
        task = bar.add_task(exp.name, total=1.0)
        result = experiments.run(exp.name, quick=not args.full, activations=args.activations, seed=args.seed,
                                 out=args.out, robustness=args.robustness, progress=lambda f, m: bar.update(task, completed=f,
                                                                                description=f"{exp.name}: {m}"))
    from actlab.experiments.index import update_index

    update_index(args.out, result)
    if args.json:
        print(result.path.read_text(encoding="utf-8"), end="")
    else:
        print(result.summary)
        print(f"Wrote {result.path} and {len(result.figures)} figures.", file=sys.stderr)
    return 0


def _run_all(args, experiments) -> int:
    from actlab.experiments.index import run_all

    if args.activations:
        raise ValueError("'all' runs each experiment with its own activations; --activations goes with one "
                         "experiment. Got --activations with 'all'.")
    names = experiments.names()
    with _progress_bar() as bar:
        overall = bar.add_task("all experiments", total=len(names))
        current = {"name": None, "done": 0}

        def progress(name: str, fraction: float, message: str) -> None:
            if current["name"] != name:
                if current["name"] is not None:
                    current["done"] += 1
                current["name"] = name
            bar.update(overall, completed=current["done"] + fraction,
                       description=f"[{current['done'] + 1}/{len(names)}] {name}: {message}")

        index = run_all(quick=not args.full, seed=args.seed, out=args.out, progress=progress,
                        robustness=args.robustness)
    if args.docs:
        from actlab.experiments.docs import write_docs

        write_docs(args.out, args.docs)
    if args.readme:
        from actlab.experiments.docs import README_START, update_readme

        if not update_readme(args.out, args.readme):
            raise ValueError(f"{args.readme} has no verdict markers; add a line {README_START!r} and a closing "
                             f"'<!-- /verdicts -->' where the list belongs.")
    if args.json:
        print(json.dumps(index, indent=2, ensure_ascii=False))
    else:
        width = max(map(len, names))
        for e in index["experiments"]:
            print(f"{e['name']:<{width}}  {e['status']:<13}  {e['seconds']:>6.1f}s  {e['verdict']}")
        print(f"Wrote {args.out}/index.json" + (f" and the docs pages in {args.docs}" if args.docs else "") + ".",
              file=sys.stderr)
    return 1 if any(e["status"] == "error" for e in index["experiments"]) else 0
