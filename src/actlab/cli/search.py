"""``actlab search``: formula-space search for activations (Swish paper's space, small scale) on MNIST-1D."""

from __future__ import annotations

import argparse
import math
import sys
import time

HELP = "search formula space binary(unary(x), unary(x)) for activations, scored on MNIST-1D"

EXAMPLES = """examples:
  actlab search --budget 200                      # the whole space (199 candidates), a few minutes on 2 cores
  actlab search --budget 40 --top 5 --seeds 3 --workers 2
  actlab search --budget 200 --ray local --json
  actlab search --budget 200 --val-fraction 0.25     # select on a quarter of the training set
"""

DESCRIPTION = """Search the space binary(unary1(x), unary2(x)) of Ramachandran et al. (2017) at small scale.

Candidates are read by the safe formula parser; constant, linear, overflowing and equivalent ones (a*f(+-x)+b of a
simpler one) are dropped before training. Successive halving trains every candidate briefly on MNIST-1D with the
comparison harness and gives the best 1/ETA more epochs and seeds, rung after rung, ranking by accuracy on a
validation split held out of the training set; the finalists are confirmed with fresh seeds next to ReLU and Swish,
trained on the whole training set, with test accuracy and 95% confidence intervals: no test example takes part in
selection. Swish-like candidates are marked by a measured distance, not by name. Runs are stored and resume; the
report goes to STORE.search.json.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", type=int, default=200, help="candidates to screen (default 200: the whole space)")
    p.add_argument("--top", type=int, default=8, help="finalists confirmed with --seeds fresh seeds (default 8)")
    p.add_argument("--seeds", type=int, default=5, help="seeds of the confirmation round (default 5)")
    p.add_argument("--epochs", type=int, default=10, help="training epochs after the first rung (default 10)")
    p.add_argument("--screen-epochs", type=int, default=3, help="training epochs of the first rung (default 3)")
    p.add_argument("--eta", type=int, default=3, help="each rung keeps the best 1/ETA (default 3)")
    p.add_argument("--model", default="mlp:64,64,64", help="network, as for compare (default mlp:64,64,64)")
    p.add_argument("--lr", type=float, default=1e-2, help="Adam learning rate (default 1e-2)")
    p.add_argument("--val-fraction", type=_fraction, default=None, metavar="F",
                   help="share of the training set the rungs hold out and select on, in (0, 0.5] (default 0.2)")
    p.add_argument("--seed", type=int, default=0, help="orders equally simple candidates when --budget samples")
    p.add_argument("--store", default="actlab-search.sqlite", help="run store (SQLite; resumes)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core; 0 in-process)")
    p.add_argument("--ray", default=None, metavar="ADDRESS", help="run on Ray: 'local' or a cluster address")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _fraction(text: str) -> float:
    """--val-fraction: a number in (0, 0.5]; anything else is a one-line error naming the range and the value."""
    from actlab.compare.plan import PlanError, check_val_fraction

    try:
        return check_val_fraction(float(text), low_open=True)
    except (ValueError, PlanError):
        raise argparse.ArgumentTypeError(
            f"must be a number in (0, 0.5] (the share of the training set held out to select on); got {text!r}"
        ) from None


def run(args: argparse.Namespace) -> int:
    from actlab.search import VAL_FRACTION, report_path, search

    started = time.perf_counter()
    progress = None if args.quiet else _progress()
    report = search(args.budget, seed=args.seed, top=args.top, seeds=args.seeds, epochs=args.epochs,
                    screen_epochs=args.screen_epochs, eta=args.eta, model=args.model, lr=args.lr, store=args.store,
                    workers=args.workers, ray=args.ray, progress=progress,
                    val_fraction=VAL_FRACTION if args.val_fraction is None else args.val_fraction)
    elapsed = time.perf_counter() - started
    if progress is not None:
        progress.close()
    if args.json:
        print(report.to_json())
    else:
        print(format_report(report))
    print(f"# {elapsed:.0f} s; runs in {args.store}; report in {report_path(args.store)}", file=sys.stderr)
    return 0


def format_report(report) -> str:
    s, sp = report.settings, report.space
    funnel = " -> ".join(f"{r['candidates']}" for r in report.rungs)
    lines = [
        f"# formula search: {s['screened']} of {sp['distinct']} distinct candidates ({sp['combinations']} "
        f"combinations); successive halving {funnel} (eta {s['eta']}); MNIST-1D, {s['model']}, Adam lr {s['lr']:g}",
        f"# selection: validation accuracy, {s.get('val_fraction', 0):g} of the training set held out; confirmation: "
        f"{s['seeds']} fresh seeds x {s['epochs']} epochs on the whole training set, test accuracy",
        f"# ~: swish-like (derivative distance <= {sp['swish_like_threshold']:g} with Swish's dip); p: paired t-test "
        "vs relu, Holm",
        f"{'rank':>4}  {'test acc':>8}  {'95% CI':>15}  {'p vs relu':>9}  {'swish-dist':>10}    formula",
    ]
    for r in report.final:
        ci = f"[{r.ci_low:.3f}, {r.ci_high:.3f}]" if _finite(r.ci_low) else "-"
        p = f"{r.p_vs_relu:.3g}" if _finite(r.p_vs_relu) else "-"
        label = f"{r.name}: {r.formula}" if r.baseline else r.formula
        mark = "~" if r.swish_like else " "
        lines.append(f"{r.rank:>4}  {r.mean:8.3f}  {ci:>15}  {p:>9}  {r.swish_distance:10.3f}  {mark} {label}")
    ranks = report.swish_like_ranks
    lines.append(f"# swish-like candidates: overall ranks {ranks['overall']} of {len(report.candidates)}")
    return "\n".join(lines)


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


class _progress:
    """One line per rung on stderr, rewritten as its runs finish."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.current = None
        self.last = -1.0

    def __call__(self, message: str, done: int, total: int) -> None:
        now = time.monotonic()
        if message != self.current:
            if self.current is not None and self.tty:
                sys.stderr.write("\n")
            self.current, self.last = message, -1.0
        if self.tty:
            sys.stderr.write(f"\r{message}: {done}/{total} runs")
            sys.stderr.flush()
        elif done == total or now - self.last > 30:  # a log file gets a line now and then, not every run
            print(f"{message}: {done}/{total} runs", file=sys.stderr, flush=True)
            self.last = now

    def close(self) -> None:
        if self.tty and self.current is not None:
            sys.stderr.write("\n")
