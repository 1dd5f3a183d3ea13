"""Exhaustive ULP errors of NumPy's float32 SIMD ufuncs, and of actlab, over every float32 number.

    python benchmarks/simd_ulp.py [--functions tanh,arctan,sin] [--stride 1] [--markdown]

Why it exists: benchmarks/throughput.py holds actlab's float32 path to 3x the textbook formula. For tanh, arctan and
the sinusoid the textbook formula is a single NumPy float32 ufunc (AVX-512 or AVX2, ~0.4-0.7 ns/element), and this
script shows that those ufuncs are not within 1 ULP: the fast route is not an exact one. actlab's float32 results are
measured over the same inputs.

The reference is NumPy's float64 function of the same input: its own error (a float64 ULP or two) is 2^-29 of a
float32 ULP, far below anything printed. Every finite float32 number of both signs is tried (``--stride k``: every
k-th bit pattern, for a quick run). The SIMD target in force is printed: NumPy picks it at import time from the CPU,
and each target (X86_V4, X86_V3, baseline) has its own float32 code and its own errors.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import actlab

CATALOG = {"tanh": "tanh", "arctan": "arctan", "sin": "sinusoid"}
CHUNK = 1 << 22


def ulp_errors(y32: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|y32 - ref| in float32 ULPs of ref (the spacing of the binade ref lies in; subnormal spacing below 2^-126)."""
    _, e = np.frexp(np.abs(ref))
    ulp = np.ldexp(1.0, np.maximum(e - 24, -149))
    with np.errstate(invalid="ignore"):  # inf - inf: set below
        err = np.abs(y32.astype(np.float64) - ref) / ulp
    err[np.isnan(ref) & np.isnan(y32)] = 0.0
    err[np.isinf(ref) & (y32.astype(np.float64) == ref)] = 0.0
    return err


def scan(name: str, stride: int) -> dict:
    """Max ULP error and count above 1 ULP, of np.<name> in float32 and of actlab's entry, over the float32 grid."""
    fn = getattr(np, name)
    act = actlab.get(CATALOG[name])
    stats = {k: {"max": 0.0, "at": None, "over1": 0} for k in ("numpy", "actlab")}
    n = 0
    with np.errstate(all="ignore"):
        for sign in (0, 1 << 31):
            for start in range(0, 0x7F800000, CHUNK * stride):
                bits = np.arange(start, min(start + CHUNK * stride, 0x7F800000), stride, dtype=np.uint32)
                x = (bits | np.uint32(sign)).view(np.float32)
                ref = fn(x.astype(np.float64))
                n += x.size
                for key, y in (("numpy", fn(x)), ("actlab", act(x))):
                    err = ulp_errors(y, ref)
                    i = int(np.argmax(err))
                    s = stats[key]
                    s["over1"] += int(np.count_nonzero(err > 1.0))
                    if err[i] > s["max"]:
                        s["max"], s["at"] = float(err[i]), float(x[i])
    return {"inputs": n, **stats}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--functions", default="tanh,arctan,sin", help=f"comma-separated, from {', '.join(CATALOG)}")
    ap.add_argument("--stride", type=int, default=1, help="try every k-th bit pattern (1: all of them)")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    names = args.functions.split(",")
    unknown = [f for f in names if f not in CATALOG]
    if unknown or args.stride < 1:
        ap.error(f"functions must be among {', '.join(CATALOG)} and --stride >= 1; got {args.functions!r}, "
                 f"--stride {args.stride}")
    from numpy.lib import introspect

    rows = []
    for name in names:
        t = time.perf_counter()
        r = scan(name, args.stride)
        target = introspect.opt_func_info(func_name=f"^{name}$", signature="^float32$")[name]["ff"]["current"]
        rows.append((name, target, r))
        print(f"  {name}: {r['inputs']:,} inputs in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    cols = ["function", "NumPy target", "inputs", "np float32 max ULP", "at x", "inputs > 1 ULP", "actlab max ULP",
            "actlab > 1 ULP"]
    body = [[n, tgt, f"{r['inputs']:,}", f"{r['numpy']['max']:.3f}", f"{r['numpy']['at']!r}",
             f"{r['numpy']['over1']:,}", f"{r['actlab']['max']:.3f}", f"{r['actlab']['over1']:,}"]
            for n, tgt, r in rows]
    which = "every finite float32 number" if args.stride == 1 else f"every {args.stride}th finite float32 bit pattern"
    print(f"float32 ULP errors, NumPy {np.__version__}: {which}, both signs")
    if args.markdown:
        print("| " + " | ".join(cols) + " |")
        print("|" + "|".join(["---"] * 2 + ["---:"] * (len(cols) - 2)) + "|")
        for row in body:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(c) for c in col) for col in zip(cols, *body)]
        for row in [cols, *body]:
            print("  ".join(c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
