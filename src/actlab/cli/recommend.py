"""``actlab recommend``: which activations to use for a task, with the evidence from the experiments."""

from __future__ import annotations

import argparse
import json


def add_parser(subparsers) -> None:
    from actlab.experiments.recommend import TASKS

    p = subparsers.add_parser(
        "recommend",
        help="which hidden and output activations to use for a task, with evidence from the experiments",
        description="The seeds' advice (hidden layers: ReLU, Leaky ReLU if units die; outputs: sigmoid / softmax / "
                    "linear), backed by the measured results of `actlab experiment` (./out, the reference run in "
                    "the docs, or --results DIR).",
        epilog="examples:\n  actlab recommend --task multiclass\n"
               "  actlab experiment vanishing-gradients --out out   # your own run of an experiment, into ./out\n"
               "  actlab recommend --task regression --deep --results out\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--task", required=True, choices=TASKS, help="the kind of prediction")
    p.add_argument("--deep", action="store_true", help="advice for deep networks (many hidden layers)")
    p.add_argument("--results", metavar="DIR", default=None,
                   help="experiment results to cite (default: ./out, else the docs' reference run)")
    p.add_argument("--json", action="store_true", help="print the recommendation as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from actlab.experiments.recommend import format_advice, recommend

    advice = recommend(args.task, deep=args.deep, results_dir=args.results)
    print(json.dumps(advice, indent=2, ensure_ascii=False) if args.json else format_advice(advice))
    return 0
