"""The small-tensor path gives what the large path gives: values and gradients, bit for bit, for every registered
activation in every mode, in float32, float64 and bfloat16, on both sides of the size threshold, empty and 0-dim.

Below ``compiled.configure()["min_numel"]`` elements (unless the mode is "always") actlab's Elementwise Function runs
its passes as plain torch ops on the whole tensor (``autograd.Plain``), and the bit / few-bit forwards skip
:func:`autograd.fused`'s layout and chunk bookkeeping; above it, ``autograd.Fused`` runs them compiled or in chunks.
Here the large path runs with compiling off (its chunked kernels: test_torch_compiled.py holds the compiled loops to
those); the threshold is moved to make either path run on the same input. Speed is benchmarks/torch_ops.py --small's
business, not a test's.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import actlab
import actlab.torch as at
from actlab.torch import autograd as ag
from actlab.torch import compiled
from actlab.torch.kernels import KERNELS

from _formula_helpers import defined_formulas

USER = "small_path_user_act"
DTYPES = (torch.float32, torch.float64, torch.bfloat16)
SPECIALS = (0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 1e-30, -1e-30, 1e30, -1e30, 3.0e38, -3.0e38, 1.0, -1.0,
            20.0, -20.0, 88.7, -88.7, 1e-5, -1e-5)


@pytest.fixture(scope="module", autouse=True)
def user_formula():
    with defined_formulas({USER: ("x * tanh(softplus(a * x)) + b * x", {"a": 1.3, "b": 0.1})}) as specs:
        yield specs


def _modes(name: str) -> list[dict]:
    """Every mode the activation has: default, exact, and the memory modes of elementwise ones (bit where the
    kernel's derivative takes two values)."""
    spec, kernel = actlab.spec(name), KERNELS.get(name)
    memory = spec.kind == "elementwise" and not spec.random
    return [{}, {"exact": True}] + ([{"memory": "bit"}] if memory and kernel is not None and kernel.mask else []) + \
        ([{"memory": "fewbit", "bits": 2}] if memory else [])


ROWS = [(n, kw) for n in actlab.names() if actlab.spec(n).source == "catalog" for kw in _modes(n)]
ROWS += [(USER, {}), (USER, {"exact": True})]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}" for n, kw in ROWS]


def _points(name: str, n: int, dtype: torch.dtype) -> torch.Tensor:
    """n inputs, the special values first (0, -0, +-inf, NaN, subnormal, huge) and the kinks, then N(0, 3^2); the
    gated and vector kinds get rows of 12 (n rounded up to a multiple of 12)."""
    spec = actlab.spec(name)
    kinks = spec.kinks_for(dict(actlab.get(name).params)) if spec.source == "catalog" else ()
    rng = np.random.default_rng(n)
    head = np.array([*SPECIALS, *kinks], dtype=np.float64)
    x = np.concatenate([head, rng.standard_normal(max(n, 1)) * 3.0])
    if spec.kind == "elementwise":
        return torch.tensor(x[:n]).to(dtype)
    width = 12
    rows = -(-n // width)
    return torch.tensor(np.resize(x, rows * width)).to(dtype).reshape(rows, width)


def _run(f, x: torch.Tensor, *, min_numel: int) -> tuple[torch.Tensor, torch.Tensor, type | None]:
    """f(x), the gradient of sum(f(x) * w) for fixed weights w, and the passes the Function ran (None: no
    Elementwise Function), with the threshold at ``min_numel`` and compiling off."""
    old = compiled.configure(mode="off", min_numel=min_numel)
    try:
        t = x.detach().clone().requires_grad_(True)
        y = f(t)
        w = torch.linspace(-2.0, 2.0, y.numel(), dtype=torch.float64).reshape(y.shape).to(y.dtype)
        (g,) = torch.autograd.grad(y, t, w) if y.numel() else (torch.zeros_like(t),)
    finally:
        compiled.configure(**old)
    return y.detach(), g, type(getattr(y.grad_fn, "passes", None)) if y.grad_fn is not None else None


SMALL, LARGE = 1 << 40, 0  # min_numel: every tensor is small / none is
DEFAULT_MIN_NUMEL = compiled.configure()["min_numel"]


def _function_row(f: at.TorchActivation) -> bool:
    """Whether f runs actlab's Elementwise Function (the gated and vector kinds are compositions at these sizes)."""
    return f.elementwise and f.mode in ("exact", "fused")


def _assert_same(a: torch.Tensor, b: torch.Tensor, what: str) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype, what
    torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True, msg=lambda m: f"{what}: {m}")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name,kw", ROWS, ids=IDS)
def test_small_path_gives_the_large_paths_values_and_gradients(name, kw, dtype):
    f = at.function(name, **kw)
    x = _points(name, 96, dtype)
    y_small, g_small, small_passes = _run(f, x, min_numel=SMALL)
    y_large, g_large, large_passes = _run(f, x, min_numel=LARGE)
    _assert_same(y_small, y_large, "forward")
    _assert_same(g_small, g_large, "gradient")
    if _function_row(f):  # it ran the plain passes, then the fused ones
        assert (small_passes, large_passes) == (ag.Plain, ag.Fused)


@pytest.mark.parametrize("name,kw", ROWS, ids=IDS)
def test_the_threshold_picks_the_path_and_both_sides_agree(name, kw):
    """With the threshold at T (48, and the default min_numel) a tensor of T - 1 elements takes the small path and
    one of T or T + 1 the large one; each gives what the other path gives on the same input (float32)."""
    f = at.function(name, **kw)
    for threshold in (48, DEFAULT_MIN_NUMEL):
        for n in (threshold - 1, threshold, threshold + 1):
            x = _points(name, n, torch.float32)
            y, g, passes = _run(f, x, min_numel=threshold)
            y_other, g_other, other = _run(f, x, min_numel=LARGE if x.numel() < threshold else SMALL)
            if _function_row(f):
                assert passes is (ag.Plain if x.numel() < threshold else ag.Fused), (n, threshold)
                assert other is (ag.Fused if passes is ag.Plain else ag.Plain)
            _assert_same(y, y_other, f"forward, {n} elements")
            _assert_same(g, g_other, f"gradient, {n} elements")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name,kw", ROWS, ids=IDS)
def test_empty_and_zero_dim_inputs_take_either_path_alike(name, kw, dtype):
    f = at.function(name, **kw)
    elementwise = actlab.spec(name).kind == "elementwise"
    shapes = [(0,), (0, 4), (2, 0, 12), ()] if elementwise else [(0, 12), (2, 0, 12)]
    for shape in shapes:
        x = (torch.tensor(0.7) if shape == () else torch.empty(shape)).to(dtype)
        y_small, g_small, _ = _run(f, x, min_numel=SMALL)
        y_large, g_large, _ = _run(f, x, min_numel=LARGE)
        assert y_small.dtype == dtype and g_small.shape == x.shape
        if elementwise:
            assert y_small.shape == x.shape
        _assert_same(y_small, y_large, f"forward, shape {shape}")
        _assert_same(g_small, g_large, f"gradient, shape {shape}")
