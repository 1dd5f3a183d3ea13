"""``actlab compare``: train one model with each activation over seeds and datasets, store every run, rank them.

By default under the fair protocol (:mod:`actlab.compare.protocol`): the learning rate is tuned for each activation on
validation, the evaluation seeds train at the chosen rate with early stopping, the ranking is on validation and the
test split is read once. ``--untuned`` runs the older single-recipe sweep (one learning rate for every activation)."""

from __future__ import annotations

import argparse
import json
import sys
import time

EXAMPLES = """examples:
  actlab compare -a relu,tanh,silu,gaussian --dataset mnist1d --seeds 3      # LR tuned per activation (default)
  actlab compare -a relu,gelu,tanh --dataset iris,wine --lr-grid 1e-3,1e-2,1e-1 --tuning-seeds 3
  actlab compare -a relu,gelu --model cnn --backend torch --figures figs/
  actlab compare -a relu,gelu,silu,sigmoid,reglu,geglu,swiglu,glu --model transformer:2,64 --backend torch
  actlab compare -a relu,silu --data my.csv --target label --task classification --json
  actlab compare -a relu,gelu --ray                              # a local Ray runtime; --ray HOST:PORT joins one
  actlab compare --all --untuned --lr 1e-3 --epochs 20          # the old single-recipe sweep (one LR for all)

Re-running a command resumes it from its store (done runs are skipped); two commands may share one store.
"""

HELP = "which activation wins on a task: LR tuned per activation, seeds, confidence intervals, a run store"

DESCRIPTION = ("Train the same model with each activation over several seeds and datasets, store every run in "
               "SQLite, and rank the activations with 95% CIs and paired tests against a baseline. By default the "
               "learning rate is tuned for each activation on a validation split (tuning seeds disjoint from the "
               "evaluation seeds), runs stop early on validation, the ranking is on validation at three budgets, and "
               "the test split is read once.")

# Shown when neither --activations nor --all is given: the usual suspects, as far as the catalog has them.
DEFAULT_ACTIVATIONS = ("relu", "leaky_relu", "elu", "selu", "gelu", "silu", "mish", "softplus", "tanh", "sigmoid")


def add_arguments(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group()
    which.add_argument("--activations", "-a", metavar="NAMES", help="comma-separated catalog names (relu,gelu,...)")
    which.add_argument("--all", action="store_true", help="every elementwise activation in the catalog")
    p.add_argument("--dataset", "-d", metavar="NAMES",
                   help="comma-separated data sets (default mnist1d; pydoc_topics for --model transformer): mnist1d, "
                   "digits, iris, wine, breast_cancer, diabetes, boston, xor, spirals, moons, pydoc_topics")
    p.add_argument("--data", metavar="FILE", help="a CSV file of your own instead of --dataset")
    p.add_argument("--target", metavar="COLUMN", help="the target column of --data")
    p.add_argument("--task", choices=("classification", "regression"), help="task of --data (default: inferred)")
    p.add_argument("--model", "-m", default="mlp:100,100",
                   help="mlp:W1,W2,... | cnn[:C1,C2,...] (torch) | transformer[:LAYERS,D_MODEL] (torch, char LM)")
    p.add_argument("--seeds", "-s", type=_seeds, default=3, metavar="N|S1,S2",
                   help="evaluation seeds: a number (0..N-1) or a list (default 3)")
    p.add_argument("--epochs", "-e", type=int,
                   help="training epochs per run (default 150 under the protocol, with early stopping; 10 rounds of "
                   "50 steps for the transformer; 20 with --untuned)")
    p.add_argument("--lr", type=float,
                   help="fix the learning rate (no tuning); default: tuned per activation over --lr-grid")
    p.add_argument("--lr-grid", type=_floats, metavar="R1,R2,...",
                   help="the learning rates tuned over (default for adam 3e-4,1e-3,3e-3,1e-2,3e-2; an edge pick "
                   "extends it one step)")
    p.add_argument("--tuning-seeds", type=_seeds, default=2, metavar="N|S1,S2",
                   help="seeds of the tuning runs (N: 1000..1000+N-1; disjoint from --seeds; default 2)")
    p.add_argument("--patience", type=int,
                   help="stop a run after this many epochs without a better validation score (default 30; 3 for "
                   "the transformer)")
    p.add_argument("--lr-decay", type=int, metavar="N",
                   help="cut the learning rate to 0.3x after every N epochs without a better validation score "
                   "(default 10; 0 keeps it constant; the transformer's rate is constant)")
    p.add_argument("--no-refit", action="store_true",
                   help="score the test split with the early-stopped network itself, not one retrained on the whole "
                   "training split for its best epoch count")
    p.add_argument("--batch-size", type=int, help="mini-batch size (default 100; 16 sequences for the transformer)")
    p.add_argument("--optimizer", choices=("adam", "sgd", "momentum"), default="adam", help="default adam")
    p.add_argument("--backend", choices=("numpy", "torch"), default="numpy", help="default numpy")
    p.add_argument("--baseline", default="relu", help="the activation the others are tested against (relu)")
    p.add_argument("--val-fraction", type=_fraction, metavar="F",
                   help="share of each training set held out for validation, in [0, 0.5] (default 0.2 under the "
                   "protocol, 0 with --untuned)")
    p.add_argument("--untuned", action="store_true",
                   help="the single-recipe sweep: one --lr (default 1e-3) for every activation, no tuning")
    p.add_argument("--rank-by", choices=("test", "val"),
                   help="--untuned only: rank by the final test score (default; this selects on test) or the "
                   "validation score (needs --val-fraction). The protocol always ranks on validation.")
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


def _seeds(text: str):
    try:
        if "," in text:
            return [int(s) for s in text.split(",") if s.strip()]
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seeds or a list like 0,1,2; got {text!r}") from None


def _floats(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated learning rates like 1e-3,1e-2; got {text!r}") \
            from None
    if not values:
        raise argparse.ArgumentTypeError(f"expected at least one learning rate; got {text!r}")
    return values


def _fraction(text: str) -> float:
    """--val-fraction: a number in [0, 0.5]; anything else is a one-line error naming the range and the value."""
    from actlab.compare.plan import PlanError, check_val_fraction

    try:
        return check_val_fraction(float(text))
    except (ValueError, PlanError):
        raise argparse.ArgumentTypeError(
            f"must be a number in [0, 0.5] (the share of the training set held out for validation); got {text!r}"
        ) from None


def _inputs(args):
    """The activations and the CSV data (or None) the command names."""
    import actlab
    from actlab.compare import CsvData, PlanError

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
    return activations, data


def untuned_plan(args):
    """The --untuned sweep: every activation at one learning rate."""
    from actlab.compare import Plan, PlanError

    activations, data = _inputs(args)
    for flag, value in (("--lr-grid", args.lr_grid), ("--patience", args.patience), ("--no-refit", args.no_refit),
                        ("--lr-decay", args.lr_decay is not None)):
        if value:
            raise PlanError(f"{flag} belongs to the tuning protocol; --untuned trains every activation at one --lr.")
    return Plan(
        activations=activations, datasets=(args.dataset or "mnist1d").split(","), model=args.model, seeds=args.seeds,
        epochs=args.epochs or 20, lr=args.lr if args.lr is not None else 1e-3, backend=args.backend, store=args.store,
        workers=args.workers, ray=args.ray, batch_size=args.batch_size or 100, optimizer=args.optimizer,
        baseline=args.baseline, target=args.score_target, data=data, val_fraction=args.val_fraction or 0.0,
        rank_by=args.rank_by or "test",
    )


def _lr_decay(value: int | None) -> int | None:
    from actlab.compare import PlanError
    from actlab.compare import protocol as proto

    if value is None:
        return proto.DEFAULT_LR_DECAY
    if value < 0:
        raise PlanError(f"--lr-decay must be a number of epochs >= 1, or 0 for a constant rate. Got {value}.")
    return value or None


def protocol_inputs(args) -> dict:
    """run_protocol's keyword arguments from the command line (every check before anything is stored)."""
    from actlab.compare import PlanError
    from actlab.compare import protocol as proto

    if args.rank_by == "test":
        raise PlanError("--rank-by test would choose on the test split; the protocol ranks on validation and reads "
                        "test once. Use --untuned for the old test-ranked sweep.")
    if args.score_target is not None:
        raise PlanError("--score-target is a test score; the protocol measures epochs-to-target on validation "
                        "(95% of each run's best). It is an --untuned option.")
    if args.val_fraction == 0:
        raise PlanError("The protocol tunes on a validation split: --val-fraction must be > 0 (default 0.2).")
    activations, data = _inputs(args)
    lm = args.model.strip().lower().startswith("transformer")
    grid = [args.lr] if args.lr is not None else args.lr_grid or (proto.TRANSFORMER_GRID if lm else None)
    tuning = proto.Tuning(grid=grid, seeds=args.tuning_seeds,
                          patience=args.patience or (proto.TRANSFORMER_PATIENCE if lm else proto.DEFAULT_PATIENCE),
                          val_fraction=args.val_fraction or proto.DEFAULT_VAL_FRACTION, refit=not args.no_refit,
                          lr_decay=_lr_decay(args.lr_decay))
    dataset = data if data is not None else (args.dataset or ("pydoc_topics" if lm else "mnist1d")).split(",")
    return dict(activations=activations, dataset=dataset, model=args.model, seeds=args.seeds,
                epochs=args.epochs or (proto.TRANSFORMER_EPOCHS if lm else proto.DEFAULT_EPOCHS), tuning=tuning,
                backend=args.backend, optimizer=args.optimizer,
                batch_size=args.batch_size or (proto.TRANSFORMER_BATCH if lm else 100), baseline=args.baseline,
                store=args.store, workers=args.workers, ray=args.ray)


def run(args) -> int:
    if args.json and args.csv == "-":
        raise ValueError("--json and --csv - both write to stdout; give --csv a file name")
    return run_untuned(args) if args.untuned else run_tuned(args)


def _decay_text(settings: dict) -> str:
    d = settings.get("lr_decay")
    return f", rate x{settings['lr_decay_factor']:g} after {d} epochs without progress" if d else ", constant rate"


def run_tuned(args) -> int:
    from rich.console import Console

    from actlab.compare import report
    from actlab.compare.protocol import run_protocol

    kwargs = protocol_inputs(args)
    err = Console(stderr=True)
    started = time.perf_counter()
    if args.quiet:
        result = run_protocol(**kwargs)
    else:
        result = _with_phase_progress(kwargs, err)
    elapsed = time.perf_counter() - started
    st = result.settings
    if args.json:
        where = {"wall_seconds": elapsed, "command": "actlab " + " ".join(sys.argv[1:]), **machine()}
        sys.stdout.write(json.dumps({**result.to_dict(), **where}, indent=2, allow_nan=False) + "\n")
    else:
        grid = ", ".join(f"{v:g}" for v in st["lr_grid"])
        title = (f"{', '.join(st['datasets'])} · {st['model']} · {st['backend']} · {st['optimizer']} · learning rate "
                 f"tuned per activation over [{grid}] on {len(st['tuning_seeds'])} tuning seed(s) · up to "
                 f"{st['epochs']} epochs, early stopping (patience {st['patience']}){_decay_text(st)} · "
                 f"{len(st['eval_seeds'])} "
                 f"evaluation seeds · ranked, tested and ★ on validation ({st['val_fraction']:g} held out); test "
                 f"read once{' after a refit on the whole training split' if st['refit'] else ''} · ▲/▼: paired "
                 f"t-test vs {st['baseline']}, p<0.05 (Holm) · ★: not significantly below the top")
        console = Console(width=220 if not sys.stdout.isatty() else None)
        console.print(report.protocol_table(result, title))
        for dataset in st["datasets"]:
            console.print(report.budget_table(result, dataset))
    if args.csv:
        _write_csv(report.protocol_csv(result), args.csv)
    if args.figures:
        paths = report.figures(result.rows, result.eval_runs, args.figures, result.score)
        for path in paths + report.lr_figure(result, args.figures):
            print(f"wrote {path}", file=sys.stderr)
    return _closing_note(result.rows, st["tuning_runs"] + st["eval_runs"], st["store"], elapsed)


def machine() -> dict:
    """Where a result was measured: CPU model, cores, and the load average at the end (the machine may be shared)."""
    import os
    import platform

    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), model)
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"machine": {"cpu": model, "cores": os.cpu_count(), "loadavg_1_5_15": load}}


def run_untuned(args) -> int:
    from rich.console import Console

    from actlab import compare

    plan = compare.prepare(untuned_plan(args))  # all input checks before the store is touched
    err = Console(stderr=True)
    if plan.rank_by == "test":
        print("warning: --untuned ranks, stars and tests on the test split, which selects on test; add "
              "--val-fraction 0.2 --rank-by val, or drop --untuned for the tuning protocol", file=sys.stderr)
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
        title = (f"{', '.join(plan.dataset_names)} · {plan.model} · {plan.backend} · {plan.epochs} epochs · lr "
                 f"{plan.lr:g} for every activation (untuned) · "
                 f"{len(plan.seeds)} seeds{split}{ranked} · ▲/▼: paired t-test vs {plan.baseline}, p<0.05 (Holm) · "
                 "★: not significantly below the top")
        Console(width=200 if not sys.stdout.isatty() else None).print(results.table(title))
    if args.csv:
        _write_csv(results.to_csv(), args.csv)
    if args.figures:
        for path in results.figures(args.figures):
            print(f"wrote {path}", file=sys.stderr)
    return _closing_note(results.rows, len(results.runs), plan.store, elapsed)


def _write_csv(text: str, target: str) -> None:
    """--csv: the results' CSV to the file ``target``, or to stdout for '-'."""
    if target == "-":
        sys.stdout.write(text)
    else:
        with open(target, "w", newline="") as fh:
            fh.write(text)


def _closing_note(rows, n_runs: int, store, elapsed: float) -> int:
    failed = sum(r.failed for r in rows)
    diverged = sum(r.diverged for r in rows)
    note = f"{n_runs} runs in {store} ({elapsed:.1f} s)"
    if diverged:
        note += f"; {diverged} diverged (loss became NaN/inf)"
    if failed:
        note += f"; {failed} FAILED — see the 'error' column of the store"
    print(note, file=sys.stderr)
    return 1 if failed else 0


def _with_phase_progress(kwargs, console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from actlab.compare.protocol import run_protocol

    names = {"tune": "tuning", "extend": "grid edge", "eval": "evaluation"}
    with Progress(TextColumn("[bold]compare[/] {task.fields[phase]}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("runs"), TimeElapsedColumn(), TextColumn("{task.description}"), console=console) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, done: int, total: int, result) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task("", total=total, phase=names.get(phase, phase))
            desc = ""
            if result is not None and result.get("status") in ("diverged", "failed"):
                desc = f"[red]last: {result['status']}[/]"
            bar.update(tasks[phase], completed=done, total=total, description=desc)

        return run_protocol(**kwargs, progress=progress)


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
