"""Few-bit backward (memory="fewbit", bits=b): the derivative's error against b, and MNIST-1D training.

1. For smooth activations, the RMS error of the piecewise-constant f' under X ~ N(0, 1), b = 1..8.
2. An MLP (40 -> 256 -> 256 -> 10) on MNIST-1D (generated with mnist1d's make_dataset, never downloaded), trained
   with Adam for a fixed number of epochs: full-precision backward vs fewbit at b bits, several seeds; test accuracy
   mean +- std. "Matches within noise" = the difference of means is below the seeds' spread.

    python benchmarks/fewbit.py            # errors for 6 activations, training at b = 1, 2, 3, 4, 8 with 3 seeds
    python benchmarks/fewbit.py --quick    # 2 seeds, fewer epochs
"""

from __future__ import annotations

import argparse
import statistics
import sys

import torch

import actlab.torch as at
from actlab.torch.fewbit import rms_error

SMOOTH = ["sigmoid", "tanh", "silu", "gelu", "mish", "softplus"]


def mnist1d():
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())
    f = lambda a: torch.as_tensor(a, dtype=torch.float32)  # noqa: E731
    return f(data["x"]), torch.as_tensor(data["y"]), f(data["x_test"]), torch.as_tensor(data["y_test"])


def train(data, activation: str, memory: str, bits: int | None, seed: int, epochs: int) -> float:
    Xtr, ytr, Xte, yte = data
    torch.manual_seed(seed)
    kw = dict(memory=memory, bits=bits) if memory == "fewbit" else dict(memory="full")
    net = torch.nn.Sequential(torch.nn.Linear(Xtr.shape[1], 256), at.module(activation, **kw),
                              torch.nn.Linear(256, 256), at.module(activation, **kw), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(len(Xtr), generator=g)
        for i in range(0, len(Xtr), 100):
            idx = perm[i:i + 100]
            loss = torch.nn.functional.cross_entropy(net(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return float((net(Xte).argmax(1) == yte).float().mean())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--activation", default="gelu")
    args = ap.parse_args(argv)
    print("## Derivative error (RMS under N(0,1)) vs bits\n")
    print("| activation | " + " | ".join(f"b={b}" for b in range(1, 9)) + " |")
    print("|---|" + "---|" * 8)
    for name in SMOOTH:
        errs = [rms_error(name, {}, b, samples=100_000) for b in range(1, 9)]
        print(f"| {name} | " + " | ".join(f"{e:.2e}" for e in errs) + " |")
    seeds = range(2 if args.quick else 3)
    epochs = 8 if args.quick else 25
    torch.set_num_threads(1)
    data = mnist1d()
    print(f"\n## MNIST-1D, MLP 40-256-256-10 with {args.activation}, Adam 1e-3, {epochs} epochs, "
          f"{len(seeds)} seeds: test accuracy\n")
    print("| backward | saved bits/element | accuracy mean | std |")
    print("|---|---|---|---|")
    for memory, bits in [("full", None), ("fewbit", 1), ("fewbit", 2), ("fewbit", 3), ("fewbit", 4), ("fewbit", 8)]:
        accs = []
        for s in seeds:
            print(f"{memory} {bits} seed {s}", file=sys.stderr, flush=True)
            accs.append(train(data, args.activation, memory, bits, s, epochs))
        label = "full (float32 input)" if memory == "full" else f"fewbit b={bits}"
        print(f"| {label} | {32 if bits is None else bits} | {statistics.mean(accs):.4f} | "
              f"{statistics.stdev(accs) if len(accs) > 1 else 0:.4f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
