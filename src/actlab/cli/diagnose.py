"""`actlab diagnose`: train a model with the monitor on and print what the seeds would diagnose."""

from __future__ import annotations

import argparse
import json
import math
import sys

HELP = "train a model with the activation monitor and report dead units, saturation, vanishing gradients"

DESCRIPTION = ("Train a built-in model (or model() from your Python file) for a few epochs with actlab.torch.Monitor "
               "attached; print the per-layer report and the findings with their cures.")

EXAMPLES = """examples:
  actlab diagnose --model deep-mlp --activation sigmoid --init glorot
  actlab diagnose --model mlp --activation relu --lr 0.05 --optimizer sgd --bias-init -1
  actlab diagnose --model my_model.py --dataset digits"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="mlp", help="mlp, deep-mlp, cnn1d, or a .py file exposing model() "
                                                  "(default: mlp)")
    p.add_argument("--activation", default="relu", help="catalog name for the built-in models (default: relu)")
    p.add_argument("--width", type=int, default=100)
    p.add_argument("--depth", type=int, default=None, help="hidden layers (default: 4 for mlp, 16 for deep-mlp)")
    p.add_argument("--init", default="default", help="default, he, glorot or lecun")
    p.add_argument("--bias-init", type=float, default=0.0)
    p.add_argument("--dataset", default="mnist1d")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--optimizer", default="adam", choices=("adam", "sgd"))
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--every", type=int, default=1, help="monitor one batch in N (default: 1)")
    p.add_argument("--window", type=int, default=50, help="monitored batches the statistics cover (default: 50)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--figure", help="save the per-layer figure to this PNG/SVG file")
    p.add_argument("--json", action="store_true", help="print the report and findings as JSON")


def run(args) -> int:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise ValueError("actlab diagnose needs PyTorch: pip install 'actlab[torch]'") from None
    from rich.console import Console

    from actlab.data import load
    from actlab.torch.diagnose import build_model, diagnose, load_user_model

    for name, value in (("epochs", args.epochs), ("width", args.width), ("batch-size", args.batch_size)):
        if value < 1:
            raise ValueError(f"--{name} must be a positive integer; got {value}")
    if not (args.lr > 0 and math.isfinite(args.lr)):
        raise ValueError(f"--lr must be a positive finite number; got {args.lr}")
    ds = load(args.dataset, seed=args.seed)
    if args.model.endswith(".py"):
        net = load_user_model(args.model)
    else:
        net = build_model(args.model, ds.n_features, ds.n_outputs, args.activation, args.width, args.depth,
                          args.init, args.bias_init)
    err = Console(stderr=True)

    def progress(epoch, epochs, loss):
        err.print(f"epoch {epoch}/{epochs}  loss {loss:.4f}", highlight=False)

    result = diagnose(net, args.dataset, args.epochs, args.lr, args.batch_size, args.optimizer, args.every,
                      args.window, args.seed, progress=progress)
    findings = result.monitor.warnings()
    if args.figure:
        result.monitor.plot(args.figure)
    if args.json:
        json.dump({"report": result.monitor.report(), "warnings": findings, "losses": result.losses,
                   "test_score": result.test_score}, sys.stdout, indent=2, allow_nan=True)
        print()
        return 0
    out = Console(highlight=False, width=max(100, Console().width))
    out.print(result.monitor.table())
    metric = "accuracy" if load(args.dataset, seed=args.seed).task == "classification" else "MSE"
    out.print(f"final training loss {result.losses[-1]:.4f}; test {metric} {result.test_score:.4f}")
    if findings:
        out.print("Findings:")
        for line in findings:
            out.print(f"  - {line}")
    else:
        out.print("Findings: none — no dead units, saturation or vanishing gradients beyond the thresholds.")
    if args.figure:
        out.print(f"figure: {args.figure}")
    return 0
