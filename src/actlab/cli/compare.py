"""``actlab compare``: train one model with each activation over seeds and datasets, store every run, rank them."""

from __future__ import annotations

import argparse
import sys
import time

EXAMPLES = """examples:
  actlab compare --activations relu,gelu,tanh --dataset iris,wine --seeds 5
  actlab compare --all --dataset mnist1d --model mlp:100,100 --epochs 20 --seeds 5 --figures figs/
  actlab compare --activations relu,silu --data my.csv --target label --task classification --json
  actlab compare --activations relu,gelu --ray                  # a local Ray runtime; --ray HOST:PORT joins one
  actlab compare --activations relu,gelu,silu --val-fraction 0.2 --rank-by val   # choose on validation, not test

Re-running a command resumes it from its store (done runs are skipped); two commands may share one store.
"""

# Shown when neither --activations nor --all is given: the usual suspects, as far as the catalog has them.
DEFAULT_ACTIVATIONS = ("relu", "leaky_relu", "elu", "selu", "gelu", "silu", "mish", "softplus", "tanh", "sigmoid")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "compare",
        help="which activation wins on a task: seeds, confidence intervals, a resumable run store",
        description="Train the same model with each activation over several seeds and datasets, store every run "
        "in SQLite, and rank the activations with 95% CIs and paired tests against a baseline.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--activations", "-a", metavar="NAMES", help="comma-separated catalog names (relu,gelu,...)")
    which.add_argument("--all", action="store_true", help="every elementwise activation in the catalog")
    p.add_argument("--dataset", "-d", default="mnist1d", metavar="NAMES",
                   help="comma-separated data sets (default mnist1d): mnist1d, digits, iris, wine, "
                   "breast_cancer, diabetes, boston, xor, spirals, moons")
    p.add_argument("--data", metavar="FILE", help="a CSV file of your own instead of --dataset")
    p.add_argument("--target", metavar="COLUMN", help="the target column of --data")
    p.add_argument("--task", choices=("classification", "regression"), help="task of --data (default: inferred)")
    p.add_argument("--model", "-m", default="mlp:100,100", help="mlp:W1,W2,... or cnn[:C1,C2,...] (torch)")
    p.add_argument("--seeds", "-s", type=_seeds, default=3, metavar="N|S1,S2",
                   help="number of seeds (0..N-1) or a list (default 3)")
    p.add_argument("--epochs", "-e", type=int, default=20, help="training epochs per run (default 20)")
    p.add_argument("--lr", type=float, default=1e-3, help="learning rate (default 1e-3)")
    p.add_argument("--batch-size", type=int, default=100, help="mini-batch size (default 100)")
    p.add_argument("--optimizer", choices=("adam", "sgd", "momentum"), default="adam", help="default adam")
    p.add_argument("--backend", choices=("numpy", "torch"), default="numpy", help="default numpy")
    p.add_argument("--baseline", default="relu", help="the activation the others are tested against (relu)")
    p.add_argument("--val-fraction", type=_fraction, default=0.0, metavar="F",
                   help="hold out this share of each run's training set as a validation set, in [0, 0.5] "
                   "(default 0: none); the runs record a validation curve next to the test one")
    p.add_argument("--rank-by", choices=("test", "val"), default="test",
                   help="rank, test and mark by the final test score (default) or validation score (needs "
                   "--val-fraction)")
    p.add_argument("--score-target", type=float, metavar="SCORE",
                   help="test score for epochs-to-target (default: 95%% of each run's best)")
    p.add_argument("--store", default="actlab-runs.sqlite", help="SQLite run store (default ./actlab-runs.sqlite)")
    p.add_argument("--workers", "-j", type=int, metavar="K",
                   help="parallel worker processes (default: one per core; 0 = in this process)")
    p.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                   help="run on Ray: alone, start a local runtime; with ADDRESS, join that cluster")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    p.add_argument("--csv", metavar="FILE", help="also write the results as CSV ('-' for stdout)")
    p.add_argument("--figures", metavar="DIR", help="also write score distributions and learning curves to DIR")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _seeds(text: str):
    try:
        if "," in text:
            return [int(s) for s in text.split(",") if s.strip()]
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seeds or a list like 0,1,2; got {text!r}") from None


def _fraction(text: str) -> float:
    """--val-fraction: a number in [0, 0.5]; anything else is a one-line error naming the range and the value."""
    from actlab.compare.plan import PlanError, check_val_fraction

    try:
        return check_val_fraction(float(text))
    except (ValueError, PlanError):
        raise argparse.ArgumentTypeError(
            f"must be a number in [0, 0.5] (the share of the training set held out for validation); got {text!r}"
        ) from None


def plan_from_args(args):
    import actlab
    from actlab.compare import CsvData, Plan, PlanError

    if args.all:
        activations = actlab.names(kind="elementwise")
    elif args.activations:
        activations = [a for a in args.activations.split(",") if a.strip()]
    else:
        known = set(actlab.names())
        activations = [a for a in DEFAULT_ACTIVATIONS if a in known]
    data = None
    if args.data is not None:
        if not args.target:
            raise PlanError(f"--data {args.data} needs --target COLUMN (the column to predict).")
        data = CsvData(args.data, args.target, args.task)
    elif args.target or args.task:
        raise PlanError("--target and --task describe a CSV file: give it with --data FILE.")
    return Plan(
        activations=activations, datasets=args.dataset.split(","), model=args.model, seeds=args.seeds,
        epochs=args.epochs, lr=args.lr, backend=args.backend, store=args.store, workers=args.workers, ray=args.ray,
        batch_size=args.batch_size, optimizer=args.optimizer, baseline=args.baseline, target=args.score_target,
        data=data, val_fraction=args.val_fraction, rank_by=args.rank_by,
    )


def run(args) -> int:
    from rich.console import Console

    from actlab import compare

    if args.json and args.csv == "-":
        raise ValueError("--json and --csv - both write to stdout; give --csv a file name")
    plan = compare.prepare(plan_from_args(args))  # all input checks before the store is touched
    err = Console(stderr=True)
    started = time.perf_counter()
    if args.quiet:
        results = compare.run(plan)
    else:
        results = _with_progress(plan, err)
    elapsed = time.perf_counter() - started

    if args.json:
        sys.stdout.write(results.to_json() + "\n")
    else:
        held = plan.val_fraction
        split = f" · {held:g} of the training set held out for validation" if held else ""
        ranked = " · ranked, tested and ★ by validation score" if plan.rank_by == "val" else ""
        title = (f"{', '.join(plan.dataset_names)} · {plan.model} · {plan.backend} · {plan.epochs} epochs · "
                 f"{len(plan.seeds)} seeds{split}{ranked} · ▲/▼: paired t-test vs {plan.baseline}, p<0.05 (Holm) · "
                 "★: not significantly below the top")
        Console(width=200 if not sys.stdout.isatty() else None).print(results.table(title))
    if args.csv:
        text = results.to_csv()
        if args.csv == "-":
            sys.stdout.write(text)
        else:
            with open(args.csv, "w", newline="") as fh:
                fh.write(text)
    if args.figures:
        for path in results.figures(args.figures):
            print(f"wrote {path}", file=sys.stderr)
    failed = sum(r.failed for r in results.rows)
    diverged = sum(r.diverged for r in results.rows)
    note = f"{len(results.runs)} runs in {plan.store} ({elapsed:.1f} s)"
    if diverged:
        note += f"; {diverged} diverged (loss became NaN/inf)"
    if failed:
        note += f"; {failed} FAILED — see the 'error' column of the store"
    print(note, file=sys.stderr)
    return 1 if failed else 0


def _with_progress(plan, console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    from actlab import compare

    with Progress(TextColumn("[bold]compare[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
                  TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.description}"),
                  console=console, transient=False) as bar:
        task = bar.add_task("", total=len(plan.keys()))
        first = [True]

        def progress(done: int, total: int, result) -> None:
            if first[0]:  # runs already in the store do not count towards the speed (and so the ETA)
                first[0] = False
                bar.reset(task, total=total, completed=done)
                return
            desc = ""
            if result is not None and result.get("status") in ("diverged", "failed"):
                desc = f"[red]last: {result['status']}[/]"
            bar.update(task, completed=done, total=total, description=desc)

        return compare.run(plan, progress)
