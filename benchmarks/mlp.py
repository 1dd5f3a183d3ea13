"""actlab's NumPy MLP against scikit-learn's MLPClassifier: fit time and test accuracy, same config, same run.

MNIST-1D (generated offline by ``mnist1d.data.make_dataset``: 4000 train / 1000 test samples, 40 features),
a 40-100-100-10 network, Adam (lr 1e-3, betas 0.9/0.999), batch 100, 60 epochs, alpha (L2) 1e-4, no early
stopping and no tolerance stop (tol=0, n_iter_no_change > epochs), Glorot-uniform init, inputs standardised.
The ratio is actlab's fit time / scikit-learn's; <= 1.0 means actlab is at least as fast.

    .venv/bin/python benchmarks/mlp.py [--epochs 60] [--repeats 3] [--activations relu tanh logistic] [--threads N]
                                       [--json]

The two libraries alternate within each repeat, so a busy machine slows both alike; the best of the repeats is
kept for each. actlab trains in float32 (its default), scikit-learn in float64 (the dtype of X, as it always does).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings

import numpy as np


def load():
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())  # generated in memory, never the download path
    X, Xt = data["x"].astype(np.float64), data["x_test"].astype(np.float64)
    mu, sd = X.mean(0), X.std(0)
    return (X - mu) / sd, data["y"], (Xt - mu) / sd, data["y_test"]


def config(activation: str, epochs: int, seed: int) -> dict:
    return dict(hidden_layer_sizes=(100, 100), activation=activation, solver="adam", alpha=1e-4, batch_size=100,
                learning_rate_init=1e-3, max_iter=epochs, shuffle=True, random_state=seed, tol=0.0,
                n_iter_no_change=epochs + 1, early_stopping=False)


def time_fit(est, X, y) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): on a shared machine the CPU time is the steadier measure."""
    wall, cpu = time.perf_counter(), time.process_time()
    est.fit(X, y)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3, help="fits per library and activation (best time kept)")
    parser.add_argument("--activations", nargs="+", default=["relu", "tanh", "logistic"])
    parser.add_argument("--threads", type=int, default=None,
                        help="limit BLAS threads for both libraries (threadpoolctl); default: the libraries' defaults")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier as SkMLP

    from actlab.nn import MLPClassifier

    X, y, Xt, yt = load()
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
    rows = []
    for act in args.activations:
        times = {"actlab": [], "sklearn": []}
        cpu = {"actlab": [], "sklearn": []}
        accs = {"actlab": [], "sklearn": []}
        for r in range(args.repeats):
            for lib, cls in (("sklearn", SkMLP), ("actlab", MLPClassifier)):
                est = cls(**config(act, args.epochs, seed=r))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    wall, used = time_fit(est, X, y)
                times[lib].append(wall)
                cpu[lib].append(used)
                accs[lib].append(float(np.mean(est.predict(Xt) == yt)))
                print(f"{act:9s} {lib:8s} repeat {r}: {wall:.2f} s ({used:.2f} s CPU), test accuracy "
                      f"{accs[lib][-1]:.3f}",
                      file=sys.stderr)
        row = {
            "activation": act,
            "sklearn_s": min(times["sklearn"]),
            "actlab_s": min(times["actlab"]),
            "ratio": min(times["actlab"]) / min(times["sklearn"]),
            "sklearn_cpu_s": min(cpu["sklearn"]),
            "actlab_cpu_s": min(cpu["actlab"]),
            "cpu_ratio": min(cpu["actlab"]) / min(cpu["sklearn"]),
            "sklearn_acc": float(np.mean(accs["sklearn"])),
            "actlab_acc": float(np.mean(accs["actlab"])),
            "sklearn_acc_sd": float(np.std(accs["sklearn"])),
            "actlab_acc_sd": float(np.std(accs["actlab"])),
        }
        rows.append(row)
    if args.json:
        print(json.dumps({"epochs": args.epochs, "repeats": args.repeats, "threads": args.threads, "rows": rows},
                         indent=2))
        return 0
    threads = "default BLAS threads" if args.threads is None else f"{args.threads} BLAS thread(s)"
    print(f"MNIST-1D, 40-100-100-10, Adam, batch 100, {args.epochs} epochs, best of {args.repeats} fits, {threads}")
    print(f"{'activation':10s} {'sklearn s':>10s} {'actlab s':>10s} {'ratio':>7s} {'CPU ratio':>10s} "
          f"{'sklearn acc':>13s} {'actlab acc':>13s}")
    for r in rows:
        print(f"{r['activation']:10s} {r['sklearn_s']:10.2f} {r['actlab_s']:10.2f} {r['ratio']:7.2f} "
              f"{r['cpu_ratio']:10.2f} {r['sklearn_acc']:7.3f}±{r['sklearn_acc_sd']:.3f} "
              f"{r['actlab_acc']:7.3f}±{r['actlab_acc_sd']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
