"""``actlab recommend``: which activations to use for a task, with the evidence from the experiments."""

from __future__ import annotations

import argparse
import json


HELP = "which hidden and output activations to use for a task, with evidence from the experiments"

DESCRIPTION = ("The seeds' advice (hidden layers: ReLU, Leaky ReLU if units die; outputs: sigmoid / softmax / "
               "linear), backed by the measured results of `actlab experiment` (./out, the reference run in the "
               "docs, or --results DIR).")

EXAMPLES = """examples:
  actlab recommend --task multiclass
  actlab experiment vanishing-gradients --out out   # your own run of an experiment, into ./out
  actlab recommend --task regression --deep --results out
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from actlab.experiments.recommend import TASKS

    p.add_argument("--task", required=True, choices=TASKS, help="the kind of prediction")
    p.add_argument("--deep", action="store_true", help="advice for deep networks (many hidden layers)")
    p.add_argument("--results", metavar="DIR", default=None,
                   help="experiment results to cite (default: ./out, else the docs' reference run)")
    p.add_argument("--json", action="store_true", help="print the recommendation as JSON")


def run(args) -> int:
    from actlab.experiments.recommend import format_advice, recommend

    advice = recommend(args.task, deep=args.deep, results_dir=args.results)
    print(json.dumps(advice, indent=2, ensure_ascii=False) if args.json else format_advice(advice))
    return 0
