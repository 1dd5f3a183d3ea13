"""``actlab example boston``: the seeds' worked example, done right (a thin layer over ``actlab.examples``)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from actlab.cli.show import jsonable

HELP = "the seeds' worked example (Boston housing, sigmoid regression) done right"

DESCRIPTION = ("Fit seed 004's f(x) = k2*sigmoid(k1*x + b1) + b2 to Boston housing (RM -> MEDV) by gradient descent "
               "with the seed's hand-derived partial derivatives, all four updated together from one prediction, on "
               "standardised data; compare with the least-squares line and explain what the seed got wrong.")

EXAMPLES = """examples:
  actlab example boston
  actlab example boston --json
  actlab example boston --iterations 500 --lr 0.3 --out boston.png
  actlab example boston --as-seed          # seed 004's program as written: raw input, lr 1e-3, 20,000 steps
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", choices=["boston"], help="the example to run")
    p.add_argument("--iterations", type=int, default=None,
                   help="gradient-descent iterations (default 2000; 20000 with --as-seed)")
    p.add_argument("--lr", type=float, default=None,
                   help="step size (default 0.5 on standardised data; 1e-3 with --as-seed)")
    p.add_argument("--seed", type=int, default=0, help="seed of the initial parameters (default 0)")
    p.add_argument("--no-standardize", dest="standardize", action="store_false",
                   help="fit on the raw RM and MEDV (needs a much smaller --lr, and many more iterations)")
    p.add_argument("--as-seed", action="store_true",
                   help="run seed 004's procedure as written instead (sequential updates from a stale prediction, "
                        "raw input), to see the difference")
    p.add_argument("--starts", type=int, default=1,
                   help="with --as-seed: run this many seeded starts together and print the spread of their MSEs")
    p.add_argument("--out", "-o", metavar="FILE.png", default=None,
                   help="save the figure (data, fit, line, loss curve) to this PNG or SVG file")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")


def run(args: argparse.Namespace) -> int:
    from actlab.examples.boston import SEED_MISTAKES, fit_boston, plot_boston, seed_procedure

    if args.out is not None and not args.out.lower().endswith((".png", ".svg", ".pdf")):
        raise ValueError(f"--out must name a .png, .svg or .pdf file; got {args.out!r}")
    if args.starts != 1:
        if not args.as_seed:
            raise ValueError("--starts goes with --as-seed (the standardised fit reaches 35.75 from every start)")
        return _starts(args)
    if args.as_seed:
        print("running seed 004's procedure as written (this takes a while)...", file=sys.stderr)
        fit = seed_procedure(iterations=20000 if args.iterations is None else args.iterations,
                             lr=1e-3 if args.lr is None else args.lr, seed=args.seed)
    else:
        fit = fit_boston(iterations=2000 if args.iterations is None else args.iterations,
                         lr=0.5 if args.lr is None else args.lr, seed=args.seed, standardize=args.standardize)
    figure = str(plot_boston(fit, args.out)) if args.out else None
    if args.json:
        data = fit.to_dict()
        data["figure"] = figure
        data["seed_mistakes"] = list(SEED_MISTAKES)
        print(json.dumps(jsonable(data), indent=2))
        return 0
    how = ("seed 004's procedure (sequential updates, stale prediction, raw input)" if args.as_seed else
           f"simultaneous updates on {'standardised' if fit.standardize else 'raw'} data")
    lines = [
        "Seed 004's worked example: f(x) = k2*sigmoid(k1*x + b1) + b2 on Boston housing, RM -> MEDV "
        f"({fit.n_samples} rows)",
        f"  learned         {fit.formula}",
        f"  MSE             {fit.mse:.2f}   after {fit.iterations} iterations, lr {fit.lr:g}, {how}, "
        f"{fit.seconds:.2f} s" + ("  (DIVERGED: lower --lr)" if fit.diverged else ""),
        f"  least-squares   {fit.line_formula}   MSE {fit.line_mse:.2f}",
        f"  loss curve      {_curve(fit.loss_curve)}",
    ]
    if figure:
        lines.append(f"  figure          {figure}")
    lines.append("")
    lines.append("What seed 004 got wrong, and why scaling matters:")
    for i, text in enumerate(SEED_MISTAKES, 1):
        lines.append(textwrap.fill(text, width=100, initial_indent=f"  {i}. ", subsequent_indent="     "))
    print("\n".join(lines))
    return 0


def _starts(args: argparse.Namespace) -> int:
    import numpy as np

    from actlab.examples.boston import seed_procedure_starts

    print(f"running seed 004's procedure from {args.starts} starts (this takes a while)...", file=sys.stderr)
    iterations = 20000 if args.iterations is None else args.iterations
    lr = 1e-3 if args.lr is None else args.lr
    mse = seed_procedure_starts(starts=args.starts, iterations=iterations, lr=lr)
    summary = {"starts": args.starts, "iterations": iterations, "lr": lr, "min": float(np.min(mse)),
               "median": float(np.median(mse)), "max": float(np.max(mse)),
               "worse_than_line": int(np.sum(mse > 43.60)), "mse": [float(v) for v in mse]}
    if args.json:
        print(json.dumps(jsonable(summary), indent=2))
    else:
        print(f"seed 004's procedure, {iterations} iterations, lr {lr:g}, {args.starts} seeded starts: best MSE "
              f"min {summary['min']:.2f}, median {summary['median']:.2f}, max {summary['max']:.2f}; "
              f"{summary['worse_than_line']} worse than the least-squares line (43.60)")
    return 0


def _curve(curve: list[float]) -> str:
    """MSE at a few iterations: 1, 10, 100, ... and the last."""
    marks = [i for i in (1, 10, 100, 1000, 10000) if i <= len(curve)]
    if len(curve) not in marks:
        marks.append(len(curve))
    return ", ".join(f"{i}: {curve[i - 1]:.2f}" for i in marks)
