"""Max ULP error in float32 of actlab, the textbook NumPy formula, torch.nn.functional and jax.nn, side by side.

    python benchmarks/accuracy.py [--density 1.0] [--names relu,gelu] [--markdown]

For every elementwise activation: the forward and derivative on actlab.reference.input_grid (0, +-subnormals,
+-tiny, kinks, +-20, +-88.7, +-710, +-max, +-inf, nan, log and linear sweeps), each compared with the mpmath reference
of the activation's formula. The derivative of the peers is their autograd (torch, jax) or the textbook derivative
formula (NumPy). Derivatives are not compared at the kinks themselves (conventions differ there). "-" means the peer
has no such function. An error of inf means a nan, an inf or a wrong-signed infinity where the exact value is
finite (or the other way round).

The textbook formulas live here only, as the peer: they are what a reader of the seeds would type.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings

import numpy as np
from scipy import special

import actlab
from actlab import reference as R

SQRT2 = math.sqrt(2.0)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _gelu_tanh(x):
    c = np.sqrt(2 / np.pi).astype(x.dtype)
    return 0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x**3)))


def _gelu_tanh_d(x):
    c = np.sqrt(2 / np.pi).astype(x.dtype)
    t = np.tanh(c * (x + 0.044715 * x**3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)


def _mish_d(x):
    sp = np.log(1 + np.exp(x))
    t = np.tanh(sp)
    return t + x * (1 - t * t) * _sig(x)


# name -> (f(x, params), f'(x, params)), in float32 throughout, as typed from the textbook.
TEXTBOOK = {
    "identity": (lambda x, p: p["c"] * x, lambda x, p: np.full_like(x, p["c"])),
    "sigmoid": (lambda x, p: _sig(x), lambda x, p: _sig(x) * (1 - _sig(x))),
    "tanh": (lambda x, p: np.tanh(x), lambda x, p: 1 - np.tanh(x) ** 2),
    "relu": (lambda x, p: np.maximum(0, x), lambda x, p: (x > 0).astype(x.dtype)),
    "leaky_relu": (lambda x, p: np.where(x > 0, x, p["alpha"] * x), lambda x, p: np.where(x > 0, 1, p["alpha"])),
    "prelu": (lambda x, p: np.where(x > 0, x, p["alpha"] * x), lambda x, p: np.where(x > 0, 1, p["alpha"])),
    "relu6": (lambda x, p: np.minimum(np.maximum(0, x), 6), lambda x, p: ((x > 0) & (x < 6)).astype(x.dtype)),
    "elu": (lambda x, p: np.where(x > 0, x, p["alpha"] * (np.exp(x) - 1)),
            lambda x, p: np.where(x > 0, 1, p["alpha"] * np.exp(x))),
    "selu": (lambda x, p: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
             lambda x, p: SELU_SCALE * np.where(x > 0, 1, SELU_ALPHA * np.exp(x))),
    "celu": (lambda x, p: np.maximum(0, x) + np.minimum(0, p["alpha"] * (np.exp(x / p["alpha"]) - 1)),
             lambda x, p: np.where(x > 0, 1, np.exp(x / p["alpha"]))),
    "exponential": (lambda x, p: np.exp(x), lambda x, p: np.exp(x)),
    "softplus": (lambda x, p: np.log(1 + np.exp(x)), lambda x, p: _sig(x)),
    "log_sigmoid": (lambda x, p: np.log(_sig(x)), lambda x, p: 1 - _sig(x)),
    "softsign": (lambda x, p: x / (1 + np.abs(x)), lambda x, p: 1 / (1 + np.abs(x)) ** 2),
    "silu": (lambda x, p: x * _sig(x), lambda x, p: _sig(x) * (1 + x * (1 - _sig(x)))),
    "swish": (lambda x, p: x * _sig(x), lambda x, p: _sig(x) * (1 + x * (1 - _sig(x)))),
    "quick_gelu": (lambda x, p: x * _sig(1.702 * x),
                   lambda x, p: _sig(1.702 * x) * (1 + 1.702 * x * (1 - _sig(1.702 * x)))),
    "gelu": (lambda x, p: 0.5 * x * (1 + special.erf(x / SQRT2)),
             lambda x, p: 0.5 * (1 + special.erf(x / SQRT2)) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)),
    "gelu_tanh": (lambda x, p: _gelu_tanh(x), lambda x, p: _gelu_tanh_d(x)),
    "mish": (lambda x, p: x * np.tanh(np.log(1 + np.exp(x))), lambda x, p: _mish_d(x)),
    "squareplus": (lambda x, p: (x + np.sqrt(x * x + p["b"])) / 2, lambda x, p: (1 + x / np.sqrt(x * x + p["b"])) / 2),
    "hard_sigmoid": (lambda x, p: np.clip(x / 6 + 0.5, 0, 1), lambda x, p: ((x > -3) & (x < 3)) / 6),
    "hard_swish": (lambda x, p: x * np.clip(x + 3, 0, 6) / 6,
                   lambda x, p: np.where(x < -3, 0, np.where(x > 3, 1, (2 * x + 3) / 6))),
    "hard_tanh": (lambda x, p: np.clip(x, p["min_val"], p["max_val"]),
                  lambda x, p: ((x > p["min_val"]) & (x < p["max_val"])).astype(x.dtype)),
    "hard_shrink": (lambda x, p: np.where(np.abs(x) > p["lambd"], x, 0),
                    lambda x, p: (np.abs(x) > p["lambd"]).astype(x.dtype)),
    "soft_shrink": (lambda x, p: np.sign(x) * np.maximum(np.abs(x) - p["lambd"], 0),
                    lambda x, p: (np.abs(x) > p["lambd"]).astype(x.dtype)),
    "tanh_shrink": (lambda x, p: x - np.tanh(x), lambda x, p: np.tanh(x) ** 2),
    "bent_identity": (lambda x, p: (np.sqrt(x * x + 1) - 1) / 2 + x, lambda x, p: x / (2 * np.sqrt(x * x + 1)) + 1),
    "isru": (lambda x, p: x / np.sqrt(1 + p["alpha"] * x * x), lambda x, p: (1 / np.sqrt(1 + p["alpha"] * x * x)) ** 3),
    "arctan": (lambda x, p: np.arctan(x), lambda x, p: 1 / (1 + x * x)),
    "gaussian": (lambda x, p: np.exp(-x * x), lambda x, p: -2 * x * np.exp(-x * x)),
    "snake": (lambda x, p: x + np.sin(p["alpha"] * x) ** 2 / p["alpha"], lambda x, p: 1 + np.sin(2 * p["alpha"] * x)),
    "sinusoid": (lambda x, p: np.sin(p["w0"] * x), lambda x, p: p["w0"] * np.cos(p["w0"] * x)),
    "elliott": (lambda x, p: 0.5 * x / (1 + np.abs(x)) + 0.5, lambda x, p: 0.5 / (1 + np.abs(x)) ** 2),
}


def _torch_table():
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None
    t = torch
    return {
        "identity": lambda x, p: p["c"] * x,
        "sigmoid": lambda x, p: t.sigmoid(x), "tanh": lambda x, p: t.tanh(x), "relu": lambda x, p: F.relu(x),
        "leaky_relu": lambda x, p: F.leaky_relu(x, p["alpha"]),
        "prelu": lambda x, p: F.prelu(x, t.tensor([p["alpha"]], dtype=x.dtype)),
        "relu6": lambda x, p: F.relu6(x), "capped_relu": lambda x, p: F.hardtanh(x, 0.0, p["cap"]),
        "threshold": lambda x, p: F.threshold(x, p["threshold"], p["value"]),
        "elu": lambda x, p: F.elu(x, p["alpha"]), "selu": lambda x, p: F.selu(x),
        "celu": lambda x, p: F.celu(x, p["alpha"]), "exponential": lambda x, p: t.exp(x),
        "softplus": lambda x, p: F.softplus(x, p["beta"]),  # torch's own threshold (20), as people call it
        "log_sigmoid": lambda x, p: F.logsigmoid(x), "softsign": lambda x, p: F.softsign(x),
        "silu": lambda x, p: F.silu(x), "swish": lambda x, p: F.silu(x) if p["beta"] == 1 else x * t.sigmoid(p["beta"] * x),
        "gelu": lambda x, p: F.gelu(x), "gelu_tanh": lambda x, p: F.gelu(x, approximate="tanh"),
        "mish": lambda x, p: F.mish(x), "hard_sigmoid": lambda x, p: F.hardsigmoid(x),
        "hard_swish": lambda x, p: F.hardswish(x),
        "hard_tanh": lambda x, p: F.hardtanh(x, p["min_val"], p["max_val"]),
        "hard_shrink": lambda x, p: F.hardshrink(x, p["lambd"]), "soft_shrink": lambda x, p: F.softshrink(x, p["lambd"]),
        "tanh_shrink": lambda x, p: F.tanhshrink(x), "arctan": lambda x, p: t.atan(x),
        "sinusoid": lambda x, p: t.sin(p["w0"] * x),
    }


def _jax_table():
    try:
        import jax
        import jax.numpy as jnp
        from jax import nn
    except ImportError:
        return None
    return {
        "sigmoid": lambda x, p: nn.sigmoid(x), "tanh": lambda x, p: jnp.tanh(x), "relu": lambda x, p: nn.relu(x),
        "leaky_relu": lambda x, p: nn.leaky_relu(x, p["alpha"]), "relu6": lambda x, p: nn.relu6(x),
        "elu": lambda x, p: nn.elu(x, p["alpha"]), "selu": lambda x, p: nn.selu(x), "celu": lambda x, p: nn.celu(x, p["alpha"]),
        "softplus": lambda x, p: nn.softplus(x), "log_sigmoid": lambda x, p: nn.log_sigmoid(x),
        "soft_sign": lambda x, p: nn.soft_sign(x), "softsign": lambda x, p: nn.soft_sign(x),
        "silu": lambda x, p: nn.silu(x), "gelu": lambda x, p: nn.gelu(x, approximate=False),
        "gelu_tanh": lambda x, p: nn.gelu(x, approximate=True), "mish": lambda x, p: nn.mish(x),
        "hard_sigmoid": lambda x, p: nn.hard_sigmoid(x), "hard_swish": lambda x, p: nn.hard_swish(x),
        "hard_tanh": lambda x, p: nn.hard_tanh(x), "sparse_plus": lambda x, p: nn.sparse_plus(x),
        "squareplus": lambda x, p: nn.squareplus(x, p["b"]),
    }


def _torch_eval(fn, x, params, derivative):
    import torch

    xt = torch.tensor(x, dtype=torch.float32, requires_grad=derivative)
    y = fn(xt, params)
    if not derivative:
        return y.detach().numpy()
    (g,) = torch.autograd.grad(y.sum(), xt, allow_unused=True)
    return (g if g is not None else torch.zeros_like(xt)).numpy()


def _jax_eval(fn, x, params, derivative):
    import jax
    import jax.numpy as jnp

    xj = jnp.asarray(x, dtype=jnp.float32)
    if not derivative:
        return np.asarray(fn(xj, params))
    return np.asarray(jax.vmap(jax.grad(lambda v: fn(v, params)))(xj))


def max_ulp(a, fn, what) -> tuple[float, float] | None:
    """(max ULP error over all inputs, over finite inputs) in float32 of ``fn(x) -> y`` against the reference of
    ``a`` (kinks skipped for f')."""
    ref = R.reference(a, DENSITY)
    x, exact = ref.exact(what, np.float32)
    if what == "derivative":
        keep = ~np.isin(x, [np.float32(k) for k in a.kinks])
        x, exact = x[keep], exact[keep]
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = np.asarray(fn(x.astype(np.float32)), dtype=np.float64)
    except (KeyError, TypeError, ValueError, RuntimeError):
        return None
    err = R.ulp_error(y, exact)
    return float(np.max(err)), float(np.max(err[np.isfinite(x)]))


DENSITY = 1.0


def rows(names=None):
    torch_fns, jax_fns = _torch_table(), _jax_table()
    out = []
    for name in names or actlab.names(kind="elementwise"):
        a = actlab.get(name)
        p = a.params
        row = {"name": name}
        for what in ("forward", "derivative"):
            d = what == "derivative"
            row[f"actlab_{what}"] = max_ulp(a, lambda x: a.derivative(x) if d else a(x), what)
            tb = TEXTBOOK.get(name)
            row[f"numpy_{what}"] = max_ulp(a, lambda x: tb[1 if d else 0](x, p), what) if tb else None
            if torch_fns is not None:
                tf = torch_fns.get(name)
                row[f"torch_{what}"] = max_ulp(a, lambda x: _torch_eval(tf, x, p, d), what) if tf else None
            if jax_fns is not None:
                jf = jax_fns.get(name)
                row[f"jax_{what}"] = max_ulp(a, lambda x: _jax_eval(jf, x, p, d), what) if jf else None
        out.append(row)
        print(f"  {name}", file=sys.stderr)
    return out


def fmt(v: float | None) -> str:
    if v is None:
        return "-"
    if math.isinf(v):
        return "inf"
    if v < 10:
        return f"{v:.2f}"
    return f"{v:.3g}"


def table(data, markdown: bool, finite: bool = False) -> str:
    peers = [p for p in ("actlab", "numpy", "torch", "jax") if any(f"{p}_forward" in r for r in data)]
    cols = ["activation"] + [f"{p} f" for p in peers] + [f"{p} f'" for p in peers]

    def cell(r, key):
        v = r.get(key)
        return fmt(None if v is None else v[1 if finite else 0])

    body = [[r["name"]] + [cell(r, f"{p}_forward") for p in peers] + [cell(r, f"{p}_derivative") for p in peers]
            for r in data]
    if markdown:
        lines = ["| " + " | ".join(cols) + " |", "|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(c) for c in col) for col in zip(cols, *body)]
    return "\n".join("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
                     for row in [cols, *body])


def main(argv=None) -> int:
    global DENSITY
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--density", type=float, default=1.0, help="grid density (1.0: ~1,800 float32 inputs)")
    ap.add_argument("--names", help="comma-separated activations (default: every elementwise one)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args(argv)
    DENSITY = args.density
    data = rows(args.names.split(",") if args.names else None)
    print("max ULP error, float32, whole grid including +-inf and nan (f = forward, f' = derivative)")
    print(table(data, args.markdown))
    print()
    print("max ULP error, float32, finite inputs only")
    print(table(data, args.markdown, finite=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
