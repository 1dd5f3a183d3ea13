"""Speed and memory of actlab's torch activations against torch's native kernels and the naive composition.

For every elementwise catalog activation (and the gated ones, on a 2048 x 2048 input split along the last dim), on
2^22 float32 elements, with 1 and 2 threads, in the same run (variants interleaved round-robin, each timed call
right after an untimed one of the same variant, median of the repeats, because other processes load the machine):

* native   - torch.nn.functional's kernel, where torch has the activation;
* naive    - the same formula (the kernel of actlab.torch.kernels, with its stable rewrites) as a plain composition
             of torch ops under autograd: what autograd does without actlab's Function;
* default  - actlab's default function (as shipped: compiled kernels for large tensors where a compiler exists);
* fused    - exact=False: actlab's Elementwise Function in float32 (only where torch has no native kernel), one
             Inductor-compiled loop per pass; "chunked" is the same Function with compiling off (the fallback);
* exact    - exact=True (1 ULP forward, 2 ULP gradient in float32): float64 inside the compiled loop, rounded once;
             "exact_chunked" with compiling off;
* bit      - memory="bit" (piecewise-linear and constant-slope activations only).

glibc is asked to keep freed memory (steady_allocator; --adaptive-malloc to skip). Columns: ns/element of the forward
pass (input requiring grad) and of forward + backward, and bytes/element that autograd saves for the backward pass
(measured with torch.autograd.graph.saved_tensors_hooks). The first call of a compiled variant (compiling, or
loading Inductor's on-disk cache) is timed separately and reported in the JSON.

    python benchmarks/torch_ops.py               # the full tables (~4-6 minutes on 2 cores, Inductor's cache warm)
    python benchmarks/torch_ops.py --quick       # 2^18 elements, 3 repeats: a smoke test
    python benchmarks/torch_ops.py --only relu,silu --threads 1 --json out.json
    python benchmarks/torch_ops.py --small       # per-call cost on 16 elements vs torch's function / the composition
    python benchmarks/torch_ops.py --resnet      # timm resnet18 SGD step (batch 4, 64 px, 1 thread): relu vs torch's
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time

import torch

import actlab
import actlab.torch as at
from actlab.torch import compiled
from actlab.torch.functional import kernel_for

GATED = ["glu", "swiglu", "geglu", "reglu"]


def steady_allocator() -> bool:
    """Ask glibc to keep freed memory instead of returning it to the system (a fixed 32 MiB mmap threshold, no
    trimming), so every variant runs in the same allocator steady state. With glibc's adaptive defaults the page
    faults a variant pays depend on what the variant before it freed: ratios of the *same* native call then came out
    0.43-1.7 (measured). The setting favours the naive compositions (their fresh allocations stop faulting), so the
    speed-ups over them are conservative. Returns False where it cannot (not glibc)."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
        return bool(libc.mallopt(m_mmap_threshold, 32 << 20) and libc.mallopt(m_trim_threshold, 2**31 - 1)
                    and libc.mallopt(m_top_pad, 256 << 20))
    except (OSError, AttributeError, TypeError):
        return False


def variants(name: str) -> dict[str, tuple[callable, str]]:
    """variant -> (callable, compile mode it runs under)."""
    spec = actlab.spec(name)
    k = kernel_for(spec)
    params = actlab.get(name).params
    out = {}
    if spec.kind == "gated":
        if k.native is not None:
            out["native"] = (at.function(name, exact=False), "auto")
        out["naive"] = (lambda x, _f=k.forward: _f(x), "auto")
        out["default"] = (at.function(name), "auto")
        out["exact"] = (at.function(name, exact=True), "auto")
        return out
    if k.native is not None:
        out["native"] = (at.function(name, exact=False, memory="full"), "auto")
    out["naive"] = (lambda x, _f=k.forward, _p=params: _f(x, **_p), "auto")
    out["default"] = (at.function(name), "auto")
    if k.native is None:
        out["fused"] = (at.function(name, exact=False, memory="full"), "auto")
        out["chunked"] = (at.function(name, exact=False, memory="full"), "off")
    exact = at.function(name, exact=True, memory="full")
    if exact.mode == "exact":  # otherwise the native kernel is exact already: exact mode is native
        out["exact"] = (exact, "auto")
        out["exact_chunked"] = (exact, "off")
    if k.mask is not None and not spec.random:
        out["bit"] = (at.function(name, memory="bit"), "auto")
    return out


def naive_ops(name: str, sample: torch.Tensor) -> int:
    """How many torch ops the naive composition's forward runs (1: it is a native op, the honest peer)."""
    from torch.fx.experimental.proxy_tensor import make_fx

    k = kernel_for(actlab.spec(name))
    params = actlab.get(name).params
    graph = make_fx(lambda x: k.forward(x, **params))(sample)
    return sum(1 for nd in graph.graph.nodes if nd.op == "call_function")


def run_once(f, mode: str, x0: torch.Tensor, g: torch.Tensor) -> tuple[float, float]:
    old = compiled.configure(mode=mode)
    try:
        x = x0.detach().requires_grad_(True)
        t0 = time.perf_counter()
        y = f(x)
        t1 = time.perf_counter()
        y.backward(g)
        t2 = time.perf_counter()
    finally:
        compiled.configure(**old)
    return t1 - t0, t2 - t0


def measure(fns: dict[str, tuple], x0: torch.Tensor, g: torch.Tensor, repeats: int) -> dict[str, dict[str, float]]:
    n = x0.numel()
    times = {v: {"fwd": [], "fwdbwd": []} for v in fns}
    for _ in range(repeats):
        for v, (f, mode) in fns.items():  # interleaved: a load spike hits every variant alike
            # Each timed call right after an untimed one of the same variant: the steady state of a training loop.
            # Otherwise a variant pays the page faults of the memory the previous variant (a naive composition
            # saving 26 B/element, say) just returned to the system: a bias of up to 1.7x, measured.
            run_once(f, mode, x0, g)
            fwd, both = run_once(f, mode, x0, g)
            times[v]["fwd"].append(fwd * 1e9 / n)
            times[v]["fwdbwd"].append(both * 1e9 / n)
    return {v: {k: statistics.median(ts) for k, ts in d.items()} for v, d in times.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="2^18 elements, 3 repeats")
    ap.add_argument("--only", default="", help="comma-separated activation names")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--json", default="", help="write the results here")
    ap.add_argument("--render", default="", help="print the tables of a saved --json file (no measuring)")
    ap.add_argument("--adaptive-malloc", action="store_true", help="keep glibc's adaptive malloc (steady_allocator)")
    ap.add_argument("--small", action="store_true", help="per-call cost on 16 elements instead (no big tables)")
    ap.add_argument("--resnet", action="store_true", help="a resnet18 SGD step, torch's ReLU vs actlab's, instead")
    args = ap.parse_args(argv)
    if args.small:
        return small_tensors(args)
    if args.resnet:
        return resnet_step(args)
    if args.render:
        with open(args.render) as fh:
            print(tables(json.load(fh)["results"]))
        return 0
    steady = False if args.adaptive_malloc else steady_allocator()
    print(f"allocator: {'glibc steady (mallopt)' if steady else 'default'}", file=sys.stderr)
    n = 2**18 if args.quick else 2**22
    repeats = 3 if args.quick else args.repeats
    names = [actlab.resolve(s) for s in args.only.split(",") if s] or actlab.names("elementwise") + GATED
    names = [nm for nm in names if kernel_for(actlab.spec(nm)) is not None]
    flat = torch.randn(n, generator=torch.Generator().manual_seed(0)) * 3
    results = []
    for threads in map(int, args.threads.split(",")):
        torch.set_num_threads(threads)
        for i, name in enumerate(names):
            print(f"[{threads} thr] {i + 1}/{len(names)} {name}", file=sys.stderr, flush=True)
            gated = actlab.spec(name).kind == "gated"
            x0 = flat.view(-1, 2048) if gated else flat
            g0 = torch.ones(x0.shape[0], x0.shape[1] // 2) if gated else torch.ones_like(x0)
            fns = variants(name)
            first = {v: run_once(f, mode, x0, g0)[1] for v, (f, mode) in fns.items()}  # compiles, warms caches
            times = measure(fns, x0, g0, repeats)
            ops = naive_ops(name, x0[:8])
            for v, (f, mode) in fns.items():
                old = compiled.configure(mode=mode)
                saved = at.saved_bytes(f, x0) / x0.numel()  # bytes per input element
                compiled.configure(**old)
                results.append({"name": name, "threads": threads, "variant": v, "saved_bytes_per_el": saved,
                                "mode": getattr(f, "mode", "naive"), "first_call_s": first[v], "naive_ops": ops,
                                **times[v]})
    print(tables(results))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"n": n, "repeats": repeats, "torch": torch.__version__, "steady_allocator": steady,
                       "results": results}, fh, indent=1)
    return 0


def tables(results: list[dict]) -> str:
    """Two markdown tables: activations torch has (ratios to native) and those it has not (ratios to naive)."""
    rows: dict[tuple, dict] = {}
    for r in results:
        rows.setdefault((r["name"], r["threads"]), {})[r["variant"]] = r

    def cell(r):
        return "—" if r is None else f"{r['fwd']:.2f} / {r['fwdbwd']:.2f}, {r['saved_bytes_per_el']:.3g}"

    def ratio(v, key, ref):
        return "—" if key not in v else f"{v[key]['fwdbwd'] / v[ref]['fwdbwd']:.2f}"

    a = ["| activation | thr | native fwd / fwd+bwd ns/el, B/el | actlab default (mode) | default/native | "
         "exact/native | exact chunked/native | bit/native |", "|" + "---|" * 8]
    b = ["| activation | thr | naive (ops) fwd / fwd+bwd ns/el, B/el | fused compiled | fused chunked | "
         "naive/compiled | naive/chunked | default (mode): fwd+bwd, B/el | naive/default | exact/fused | bit/fused |",
         "|" + "---|" * 11]
    c = ["| activation | thr | native fwd / fwd+bwd ns/el, B/el | naive (ops) | actlab default (mode) | exact | "
         "naive/default | default/native |", "|" + "---|" * 8]
    for (name, thr), v in rows.items():
        d = v["default"]
        if name in GATED:
            nv = v["naive"]
            c.append(f"| {name} | {thr} | {cell(v.get('native'))} | ({nv['naive_ops']}) {cell(nv)} | {d['mode']}: "
                     f"{cell(d)} | {cell(v['exact'])} | {nv['fwdbwd'] / d['fwdbwd']:.1f}x | "
                     f"{ratio(v, 'default', 'native') if 'native' in v else '—'} |")
        elif "native" in v:
            a.append(f"| {name} | {thr} | {cell(v['native'])} | {d['mode']}: {cell(d)} | "
                     f"{ratio(v, 'default', 'native')} | {ratio(v, 'exact', 'native')} | "
                     f"{ratio(v, 'exact_chunked', 'native')} | {ratio(v, 'bit', 'native')} |")
        else:
            nv = v["naive"]
            speed = lambda key: f"{nv['fwdbwd'] / v[key]['fwdbwd']:.1f}x"  # noqa: E731
            b.append(f"| {name} | {thr} | ({nv['naive_ops']}) {cell(nv)} | {cell(v['fused'])} | "
                     f"{cell(v['chunked'])} | {speed('fused')} | {speed('chunked')} | {d['mode']}: "
                     f"{d['fwdbwd']:.2f}, {d['saved_bytes_per_el']:.3g} | {speed('default')} | "
                     f"{ratio(v, 'exact', 'fused')} | {ratio(v, 'bit', 'fused')} |")
    return "\n\n".join("\n".join(t) for t in (a, b, c, defaults(rows)) if len(t) > 2)


def defaults(rows: dict[tuple, dict]) -> list[str]:
    """One row per activation: its default mode, and the exact and bit ratios to the base (native, else the fused
    float32 Function) at each thread count - what the defaults in actlab.torch.kernels were chosen from."""
    by_name: dict[str, dict[int, dict]] = {}
    for (name, thr), v in rows.items():
        if name not in GATED:
            by_name.setdefault(name, {})[thr] = v
    threads = sorted({thr for (_, thr) in rows})
    head = ["exact/base " + f"{t} thr" for t in threads] + ["bit/base " + f"{t} thr" for t in threads]
    out = ["| activation | default mode | base | " + " | ".join(head) + " |", "|" + "---|" * (3 + len(head))]
    for name, per in by_name.items():
        any_v = next(iter(per.values()))
        base = "native" if "native" in any_v else "fused"

        def r(t, key):
            v = per.get(t, {})
            return "—" if key not in v or base not in v else f"{v[key]['fwdbwd'] / v[base]['fwdbwd']:.2f}"

        cells = [r(t, "exact") for t in threads] + [r(t, "bit") for t in threads]
        out.append(f"| {name} | {any_v['default']['mode']} | {base} | " + " | ".join(cells) + " |")
    return out


def _per_call_us(f, x: torch.Tensor, calls: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean CPU time of ``calls`` forward+backward calls, in microseconds. CPU time
    of this thread (torch runs 1 thread here), not wall time: on a shared machine a call's wall time includes the
    time other processes hold the core, which swamps microsecond calls (same-call ratios of 0.3-4.9, measured)."""
    per = []
    for _ in range(repeats):
        t0 = time.thread_time()
        for _ in range(calls):
            xr = x.detach().requires_grad_(True)
            f(xr).sum().backward()
        per.append((time.thread_time() - t0) / calls * 1e6)
    return statistics.median(per)


def small_tensors(args) -> int:
    """Per-call cost (forward + backward, 16 float32 elements, 1 thread) of actlab's default and exact modes against
    torch's own function (F.gelu, ...: what nn.GELU calls) where torch has the activation, else the naive composition
    of torch ops (its op count shown; one op is torch's own function too, torch.atan for arctan): the fixed overhead
    of a call, which dominates small tensors (the issue's MoE experts, per-sample loops)."""
    torch.set_num_threads(1)
    x = torch.randn(16, generator=torch.Generator().manual_seed(0))
    calls, repeats = (300, 3) if args.quick else (2100, 21)
    names = [actlab.resolve(s) for s in args.only.split(",") if s] or actlab.names("elementwise")
    rows = []
    for name in names:
        k = kernel_for(actlab.spec(name))
        params = actlab.get(name).params
        peer_label = "torch" if k.native is not None else f"naive ({naive_ops(name, x[:8])})"
        peer = functools.partial(k.native or k.forward, **params)
        fns = {"peer": peer, "default": at.function(name), "exact": at.function(name, exact=True)}
        for f in fns.values():
            _per_call_us(f, x, 20, 1)  # warm up
        times = {v: [] for v in fns}
        for _ in range(repeats):  # interleaved: a load spike hits every variant alike
            for v, f in fns.items():
                times[v].append(_per_call_us(f, x, calls // repeats or 1, 1))
        med = {v: statistics.median(t) for v, t in times.items()}
        rows.append((name, peer_label, med, fns["default"].mode))
    print("| activation | peer | peer us/call | default (mode) us/call | default/peer | exact us/call | exact/peer |")
    print("|---|---|---|---|---|---|---|")
    for name, label, med, mode in rows:
        print(f"| {name} | {label} | {med['peer']:.1f} | {mode}: {med['default']:.1f} | "
              f"{med['default'] / med['peer']:.2f} | {med['exact']:.1f} | {med['exact'] / med['peer']:.2f} |")
    return 0


def resnet_step(args) -> int:
    """One SGD step (forward, backward, update) of timm's resnet18 (random weights, batch 4, 64 px, 1 thread):
    torch's own ReLU (in place, as timm builds it) against the same model after ``replace_activations(model,
    "relu")`` and a copy of torch's model (the control), interleaved step by step, median CPU time per step."""
    import copy
    import os

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from _timm_helpers import import_timm  # torchvision beside the CPU torch: see the helper

    torch.set_num_threads(1)
    timm = import_timm()
    torch.manual_seed(0)
    base = timm.create_model("resnet18", pretrained=False, num_classes=10)
    ours = copy.deepcopy(base)
    done = at.replace_activations(ours, "relu")
    # A second copy of torch's model is the control: its ratio to the first is the noise of the measurement.
    models = {"torch": base, "actlab": ours, "torch copy": copy.deepcopy(base)}
    opts = {k: torch.optim.SGD(m.parameters(), lr=1e-3) for k, m in models.items()}
    x, y = torch.randn(4, 3, 64, 64), torch.randint(0, 10, (4,))
    steps = 10 if args.quick else 60
    times = {k: [] for k in models}
    for i in range(steps + 5):
        for k, m in models.items():
            t0 = time.thread_time()  # CPU time (1 thread): wall time on a shared machine is others' load
            opts[k].zero_grad()
            torch.nn.functional.cross_entropy(m(x), y).backward()
            opts[k].step()
            if i >= 5:  # the first steps warm the allocator
                times[k].append(time.thread_time() - t0)
    med = {k: statistics.median(t) * 1e3 for k, t in times.items()}
    print(f"resnet18 SGD step, batch 4, 64 px, 1 thread, {steps} steps each, interleaved: torch ReLU "
          f"{med['torch']:.2f} ms, actlab relu ({repr(done)}) {med['actlab']:.2f} ms: "
          f"{med['actlab'] / med['torch']:.3f}x (control, a copy of torch's model: {med['torch copy']:.2f} ms, "
          f"{med['torch copy'] / med['torch']:.3f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
