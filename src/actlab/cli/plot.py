"""``actlab plot NAME ...``: images of activation functions and their derivatives, as the seeds draw them."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

HELP = "draw activations (and their derivatives) to PNG or SVG"

DESCRIPTION = ("Draw one or more activations on shared axes, and with --derivative their derivatives beside them. "
               "Non-elementwise activations are drawn along a 1-D slice named in the legend.")

EXAMPLES = """examples:
  actlab plot relu sigmoid tanh -o acts.png
  actlab plot gelu silu mish --derivative --range=-6:4 -o smooth.svg
  actlab plot leaky_relu elu --param alpha=0.2 --derivative -o neg.png

A range that starts with a minus sign needs the '=' form: --range=-6:4.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="+", metavar="NAME", help="catalog names or aliases")
    p.add_argument("--derivative", "-d", action="store_true", help="also draw f'(x) in a second panel")
    p.add_argument("--range", "-r", default="-5:5", metavar="A:B", help="x range (default -5:5; write --range=-6:4)")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                   help="bind a parameter in every named activation that has it (repeatable)")
    p.add_argument("--output", "-o", required=True, metavar="FILE", help="output file, .png or .svg")


def parse_range(text: str) -> tuple[float, float]:
    """``"-3:3"`` -> ``(-3.0, 3.0)``; anything else is a ValueError saying what was expected."""
    what = f"--range expects A:B with finite numbers A < B, e.g. --range=-5:5; got {text!r}"
    parts = text.split(":")
    if len(parts) != 2:
        raise ValueError(what)
    try:
        lo, hi = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError(what) from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(what)
    return lo, hi


def run(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window

    import actlab
    from actlab.cli.show import parse_params
    from actlab.report import plots

    out = Path(args.output)
    if out.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"--output must end in .png or .svg; got {args.output!r}")
    xrange = parse_range(args.range)
    params = parse_params(args.param)
    specs = [actlab.spec(n) for n in args.names]  # unknown names fail here, with did-you-mean
    unused = [k for k in params if not any(k in {p.name for p in s.params} for s in specs)]
    if unused:
        have = sorted({p.name for s in specs for p in s.params})
        raise ValueError(f"no activation named has a parameter {unused[0]!r}; "
                         f"their parameters: {', '.join(have) if have else 'none'}")
    acts = [actlab.get(s.name, **{k: v for k, v in params.items() if k in {p.name for p in s.params}})
            for s in specs]
    fig = plots.figure(acts, derivative=args.derivative, xrange=xrange)
    path = plots.save(fig, out)
    print(path)
    print(f"drew {', '.join(plots.label(a) for a in acts)} on [{xrange[0]:g}, {xrange[1]:g}]", file=sys.stderr)
    return 0
