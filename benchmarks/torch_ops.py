"""Speed and memory of actlab's torch activations against torch's native kernels and the naive composition.

For every elementwise catalog activation, on 2^22 float32 elements, with 1 and 2 threads, in the same run
(variants interleaved round-robin, median of the repeats, because other processes load the machine):

* native   - torch.nn.functional's kernel, where torch has the activation;
* naive    - the same formula as a plain composition of torch ops under autograd (what a user would write);
* default  - actlab's default module (exact where that costs <= 1.2x native, bit memory where that does);
* exact    - exact=True (1 ULP forward, 2 ULP gradient in float32);
* bit      - memory="bit" (piecewise-linear activations only).

Columns: ns/element of the forward pass (input requiring grad) and of forward + backward, and bytes/element that
autograd saves for the backward pass (measured with torch.autograd.graph.saved_tensors_hooks).

    python benchmarks/torch_ops.py               # the full table (a few minutes)
    python benchmarks/torch_ops.py --quick       # 2^18 elements, 3 repeats: a smoke test
    python benchmarks/torch_ops.py --only relu,silu --json out.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import torch

import actlab
import actlab.torch as at
from actlab.torch.functional import kernel_for


def variants(name: str) -> dict[str, callable]:
    spec = actlab.spec(name)
    k = kernel_for(spec)
    params = actlab.get(name).params
    out = {}
    if k.native is not None:
        out["native"] = at.function(name, exact=False, memory="full")
    out["naive"] = lambda x, _f=k.forward, _p=params: _f(x, **_p)
    out["default"] = at.function(name)
    out["exact"] = at.function(name, exact=True, memory="full")
    if k.mask is not None and not spec.random:
        out["bit"] = at.function(name, memory="bit")
    return out


def measure(fns: dict[str, callable], x0: torch.Tensor, repeats: int) -> dict[str, dict[str, float]]:
    n = x0.numel()
    g = torch.ones_like(x0)
    times = {v: {"fwd": [], "fwdbwd": []} for v in fns}
    for _ in range(repeats):
        for v, f in fns.items():  # interleaved: a load spike hits every variant alike
            x = x0.detach().requires_grad_(True)
            t0 = time.perf_counter()
            y = f(x)
            t1 = time.perf_counter()
            y.backward(g)
            t2 = time.perf_counter()
            times[v]["fwd"].append((t1 - t0) * 1e9 / n)
            times[v]["fwdbwd"].append((t2 - t0) * 1e9 / n)
            del y, x
    return {v: {k: statistics.median(ts) for k, ts in d.items()} for v, d in times.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="2^18 elements, 3 repeats")
    ap.add_argument("--only", default="", help="comma-separated activation names")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--json", default="", help="write the results here")
    args = ap.parse_args(argv)
    n = 2**18 if args.quick else 2**22
    repeats = 3 if args.quick else args.repeats
    names = [actlab.resolve(s) for s in args.only.split(",") if s] or actlab.names("elementwise")
    names = [nm for nm in names if kernel_for(actlab.spec(nm)) is not None]
    x0 = torch.randn(n, generator=torch.Generator().manual_seed(0)) * 3
    small = x0[:4096].clone()
    results = []
    for threads in map(int, args.threads.split(",")):
        torch.set_num_threads(threads)
        for i, name in enumerate(names):
            print(f"[{threads} thr] {i + 1}/{len(names)} {name}", file=sys.stderr, flush=True)
            fns = variants(name)
            fns["naive"](x0[:8].clone())  # warm-up every path once
            for f in fns.values():
                f(x0[:1024].clone().requires_grad_(True)).sum().backward()
            times = measure(fns, x0, repeats)
            for v, f in fns.items():
                saved = at.saved_bytes(f, small) / small.numel()
                results.append({"name": name, "threads": threads, "variant": v, "saved_bytes_per_el": saved,
                                "mode": getattr(f, "mode", "naive"), **times[v]})
    print(table(results))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"n": n, "repeats": repeats, "torch": torch.__version__, "results": results}, fh, indent=1)
    return 0


def table(results: list[dict]) -> str:
    """Markdown: one row per activation and thread count; ratios to native (or, without native, to naive)."""
    rows = {}
    for r in results:
        rows.setdefault((r["name"], r["threads"]), {})[r["variant"]] = r
    head = ("| activation | thr | native fwd / fwd+bwd ns/el, B/el | naive fwd / fwd+bwd, B/el | "
            "actlab default (mode) fwd / fwd+bwd, B/el | default/base | exact/base | bit/base | naive/actlab |")
    lines = [head, "|" + "---|" * 9]

    def cell(r):
        return "—" if r is None else f"{r['fwd']:.2f} / {r['fwdbwd']:.2f}, {r['saved_bytes_per_el']:.3g}"

    for (name, thr), v in rows.items():
        base = v.get("native")
        ref = base or v["default"]
        ratio = lambda key: "—" if key not in v else f"{v[key]['fwdbwd'] / ref['fwdbwd']:.2f}"  # noqa: E731
        speedup = f"{v['naive']['fwdbwd'] / v['default']['fwdbwd']:.1f}x" if base is None else "—"
        lines.append(f"| {name} | {thr} | {cell(base)} | {cell(v['naive'])} | {v['default']['mode']}: "
                     f"{cell(v['default'])} | {ratio('default') if base else '—'} | {ratio('exact')} | "
                     f"{ratio('bit')} | {speedup} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
