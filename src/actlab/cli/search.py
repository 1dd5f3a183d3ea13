"""``actlab search``: formula-space search for activations (Swish paper's space, small scale) on MNIST-1D."""

from __future__ import annotations

import argparse
import math

EXAMPLES = """examples:
  actlab search --budget 200
  actlab search --budget 40 --top 5 --seeds 3 --workers 2
  actlab search --budget 200 --ray local --json
"""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "search",
        help="search formula space binary(unary(x), unary(x)) for activations, scored on MNIST-1D",
        description="Search the space binary(unary1(x), unary2(x)) of Ramachandran et al. (2017) at small scale: "
                    "each candidate is defined through the safe formula parser, screened with one seed on "
                    "MNIST-1D by the comparison harness, and the best are confirmed with several seeds against "
                    "ReLU and Swish, with 95% confidence intervals. Runs are stored and resume.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--budget", type=int, default=200, help="candidates to screen (default 200)")
    p.add_argument("--top", type=int, default=8, help="candidates confirmed with --seeds seeds (default 8)")
    p.add_argument("--seeds", type=int, default=5, help="seeds of the confirmation round (default 5)")
    p.add_argument("--epochs", type=int, default=8, help="training epochs per run (default 8)")
    p.add_argument("--model", default="mlp:64", help="network, as for compare (default mlp:64)")
    p.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate (default 3e-3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the candidate sample (default 0)")
    p.add_argument("--store", default="actlab-search.sqlite", help="run store (SQLite; resumes)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core; 0 in-process)")
    p.add_argument("--ray", default=None, metavar="ADDRESS", help="run on Ray: 'local' or a cluster address")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from actlab.formula.search import search

    report = search(args.budget, seed=args.seed, top=args.top, seeds=args.seeds, epochs=args.epochs,
                    model=args.model, lr=args.lr, store=args.store, workers=args.workers, ray=args.ray,
                    )
    if args.json:
        print(report.to_json())
        return 0
    s = report.settings
    print(f"# formula search: {s['budget']} of {s['space']} candidates screened with 1 seed, top {s['top']} "
          f"confirmed with {s['seeds']} seeds; MNIST-1D, {s['model']}, {s['epochs']} epochs, Adam lr {s['lr']:g}")
    print(f"{'rank':>4}  {'accuracy':>8}  {'95% CI':>15}  {'p vs relu':>9}  {'swish-dist':>10}  formula")
    for r in report.final:
        ci = f"[{r.ci_low:.3f}, {r.ci_high:.3f}]" if math.isfinite(r.ci_low) else "-"
        p = f"{r.p_vs_relu:.3g}" if r.p_vs_relu is not None and math.isfinite(r.p_vs_relu) else "-"
        label = r.formula if r.name.startswith("srch_") else f"{r.name}: {r.formula}"
        print(f"{r.rank:>4}  {r.mean:8.3f}  {ci:>15}  {p:>9}  {r.swish_distance:10.3f}  {label}")
    print(f"# runs in {s['store']}; full report in {s['store'].rsplit('.', 1)[0]}.search.json")
    return 0
