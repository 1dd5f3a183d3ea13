"""ns/element of every elementwise activation's float32 forward and derivative, beside the textbook formula.

    python benchmarks/throughput.py [--n 4194304] [--repeat 5] [--names relu,gelu] [--markdown]

All in the same run, on the same 2^22 float32 array (normal, scale 3): a plain ``np.copyto`` (the memory-bound floor),
actlab's forward and derivative, and the textbook NumPy formula of benchmarks/accuracy.py. The ratio column is
actlab / textbook (target: <= 3 — exactness may cost a little, not more). Each figure is the best of ``--repeat``
runs, an entry's four functions taking turns; the machine may be shared, so compare ratios, not absolute times.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import actlab

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import TEXTBOOK  # noqa: E402  (the textbook formulas live in one place)


def best_ns(fns, n: int, repeat: int) -> list[float]:
    """The best of ``repeat`` timings of each function, in ns/element. The functions take turns, so that the load of
    a shared machine falls on all of them alike (one after the other, a burst of load skews their ratio)."""
    for fn in fns:
        fn()  # warm-up (allocations, lazy imports)
    best = [math.inf] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t)
    return [b / n * 1e9 for b in best]


def quiet(fn):
    """fn without its RuntimeWarnings (the textbook formulas overflow; actlab's must not, so it runs as is)."""

    def run():
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()

    return run


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2**22)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--names", help="comma-separated activations (default: every elementwise one)")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    x = (np.random.default_rng(0).normal(size=args.n) * 3).astype(np.float32)
    out = np.empty_like(x)
    (copy,) = best_ns([lambda: np.copyto(out, x)], args.n, args.repeat)
    rows = []
    for name in args.names.split(",") if args.names else actlab.names(kind="elementwise"):
        a = actlab.get(name)
        fns = [lambda: a(x), lambda: a.derivative(x)]
        tb = TEXTBOOK.get(name)
        if tb is not None:
            fns += [quiet(lambda: tb[0](x, a.params)), quiet(lambda: tb[1](x, a.params))]
        f, d, tf, td = [*best_ns(fns, args.n, args.repeat), None, None][:4]
        rows.append((name, f, d, tf, td))
        print(f"  {name}", file=sys.stderr)

    def r(v):
        return "-" if v is None else f"{v:.2f}"

    cols = ["activation", "actlab f", "actlab f'", "textbook f", "textbook f'", "ratio f", "ratio f'"]
    body = [[n, r(f), r(d), r(tf), r(td), r(f / tf if tf else None), r(d / td if td else None)]
            for n, f, d, tf, td in rows]
    print(f"ns/element, float32, n = {args.n}, best of {args.repeat}; np.copyto: {copy:.2f} ns/element")
    if args.markdown:
        print("| " + " | ".join(cols) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|")
        for row in body:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(c) for c in col) for col in zip(cols, *body)]
        for row in [cols, *body]:
            print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))))
    ratios = [v for *_, f, d, tf, td in rows for v in ((f / tf) if tf else None, (d / td) if td else None) if v]
    if ratios:
        print(f"median ratio actlab/textbook: {np.median(ratios):.2f}; max {max(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
