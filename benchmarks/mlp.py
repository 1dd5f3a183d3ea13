"""actlab's NumPy MLP against scikit-learn's MLPClassifier: fit time and test accuracy, same config, same run.

MNIST-1D (generated offline by ``mnist1d.data.make_dataset``: 4000 train / 1000 test samples, 40 features),
a 40-100-100-10 network, Adam (lr 1e-3, betas 0.9/0.999), batch 100, 60 epochs, alpha (L2) 1e-4, no early
stopping and no tolerance stop (tol=0, n_iter_no_change > epochs), Glorot-uniform init, inputs standardised.
The ratio is actlab's fit time / scikit-learn's; <= 1.0 means actlab is at least as fast.

    .venv/bin/python benchmarks/mlp.py [--epochs 60] [--repeats 3] [--activations relu tanh logistic] [--json]
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


def time_fit(est, X, y) -> float:
    start = time.perf_counter()
    est.fit(X, y)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3, help="fits per library and activation (best time kept)")
    parser.add_argument("--activations", nargs="+", default=["relu", "tanh", "logistic"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier as SkMLP

    from actlab.nn import MLPClassifier

    X, y, Xt, yt = load()
    rows = []
    for act in args.activations:
        times = {"actlab": [], "sklearn": []}
        accs = {"actlab": [], "sklearn": []}
        for r in range(args.repeats):
            for lib, cls in (("sklearn", SkMLP), ("actlab", MLPClassifier)):
                est = cls(**config(act, args.epochs, seed=r))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    times[lib].append(time_fit(est, X, y))
                accs[lib].append(float(np.mean(est.predict(Xt) == yt)))
                print(f"{act:9s} {lib:8s} repeat {r}: {times[lib][-1]:.2f} s, test accuracy {accs[lib][-1]:.3f}",
                      file=sys.stderr)
        row = {
            "activation": act,
            "sklearn_s": min(times["sklearn"]),
            "actlab_s": min(times["actlab"]),
            "ratio": min(times["actlab"]) / min(times["sklearn"]),
            "sklearn_acc": float(np.mean(accs["sklearn"])),
            "actlab_acc": float(np.mean(accs["actlab"])),
            "sklearn_acc_sd": float(np.std(accs["sklearn"])),
            "actlab_acc_sd": float(np.std(accs["actlab"])),
        }
        rows.append(row)
    if args.json:
        print(json.dumps({"epochs": args.epochs, "repeats": args.repeats, "rows": rows}, indent=2))
        return 0
    print(f"MNIST-1D, 40-100-100-10, Adam, batch 100, {args.epochs} epochs, best of {args.repeats} fits")
    print(f"{'activation':10s} {'sklearn s':>10s} {'actlab s':>10s} {'ratio':>7s} {'sklearn acc':>12s} "
          f"{'actlab acc':>12s}")
    for r in rows:
        print(f"{r['activation']:10s} {r['sklearn_s']:10.2f} {r['actlab_s']:10.2f} {r['ratio']:7.2f} "
              f"{r['sklearn_acc']:7.3f}±{r['sklearn_acc_sd']:.3f} {r['actlab_acc']:7.3f}±{r['actlab_acc_sd']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
