"""autograd.Functions that pair a kernel's forward with its analytic derivative, lean on time and memory.

* :class:`Elementwise` saves only the input (``1x`` its bytes) and recomputes f'(x) in the backward pass. Both passes
  run the kernel over cache-sized chunks of the tensor, so its temporaries live in L2 and no large buffer is
  allocated besides the result: on CPU, where fresh multi-megabyte allocations cost page faults, this is what makes
  it several times faster than the naive autograd composition (which allocates and saves every intermediate).
  ``compute`` is the dtype the kernel runs in: float64 for the exact mode (one rounding at the end).
* :class:`BitMask` (``memory="bit"``) is for piecewise-linear activations: f'(x) takes one of two values, so the
  backward pass needs one bit per element, saved packed (``numel/8`` bytes instead of ``4*numel``).
* :class:`FewBit` (``memory="fewbit"``, Novikov et al. 2022, "Few-Bit Backward") saves a b-bit code per element and
  approximates f' by a piecewise-constant function of x (see :mod:`actlab.torch.fewbit`).

When autograd asks for a differentiable backward (``create_graph=True``, e.g. ``gradgradcheck`` or gradient
penalties) the backward pass runs the kernel's derivative as ordinary torch ops on the whole tensor, so autograd
can differentiate it once more.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from actlab.torch import compiled
from actlab.kernels.torch import halves
from actlab.torch.packing import pack_bits, pack_codes, unpack_bits, unpack_codes

CHUNK = 1 << 16  # elements per chunk: 256 KiB in float32, 512 KiB in float64 - the temporaries stay in L2


def fused(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, compute: torch.dtype,
          grad: torch.Tensor | None = None, key: Any = None) -> torch.Tensor:
    """``fn(x)`` (times ``grad``) in ``compute`` dtype, returned in x's dtype: one compiled loop where
    :mod:`actlab.torch.compiled` can (``key`` names ``fn``; None: never compile), else :func:`chunked`."""
    if key is not None and compiled.eligible(x):
        if grad is None:
            out = compiled.run(lambda t: fn(t.to(compute)).to(t.dtype), (key, compute), x.reshape(-1))
        else:
            out = compiled.run(lambda t, g: (fn(t.to(compute)) * g.to(compute)).to(t.dtype), (key, compute),
                               x.reshape(-1), grad.reshape(-1))
        if out is not None:
            return out.view(x.shape)
    return chunked(fn, x, compute, grad)


def chunked(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, compute: torch.dtype,
            grad: torch.Tensor | None = None) -> torch.Tensor:
    """``fn(x)`` (times ``grad`` if given) evaluated chunk by chunk in ``compute`` dtype, returned in x's dtype."""
    out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    xf, of = x.reshape(-1), out.view(-1)
    gf = None if grad is None else grad.reshape(-1)
    n = xf.numel()
    step = n if compiled.tracing(x) or n <= 2 * CHUNK else CHUNK  # a tracer sees one plain composition
    with torch.no_grad():
        for i in range(0, n, step):
            xc = xf[i:i + step]
            r = fn(xc.to(compute) if xc.dtype != compute else xc)
            if gf is not None:
                gc = gf[i:i + step]
                r = r.mul_(gc.to(compute) if gc.dtype != compute else gc)  # r is fresh: multiply in place
            of[i:i + step].copy_(r)
    return out


class Elementwise(torch.autograd.Function):
    """y = forward(x); dx = derivative(x) * g. ``key`` (hashable, naming the kernel and its parameters) lets the
    passes be compiled; None keeps them chunked. ``direct``: the forward is one torch op, run on the whole tensor."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, forward: Callable, derivative: Callable, compute: torch.dtype,
                key: Any = None, direct: bool = False):
        ctx.save_for_backward(x)
        ctx.derivative, ctx.compute, ctx.key = derivative, compute, key
        if direct and x.dtype == compute:
            return forward(x)
        return fused(forward, x, compute, key=None if key is None else (key, "forward"))

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor):
        (x,) = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph=True: a backward that autograd can differentiate again
            d = ctx.derivative(x.to(ctx.compute)) * g.to(ctx.compute)
            return d.to(x.dtype), None, None, None, None, None
        key = None if ctx.key is None else (ctx.key, "derivative")
        return fused(ctx.derivative, x, ctx.compute, grad=g, key=key), None, None, None, None, None


def _gated_forward(gate: Callable, i: int, dim: int, compute: torch.dtype) -> Callable:
    def forward(x: torch.Tensor) -> torch.Tensor:
        h = halves(x.to(compute), dim)
        return (gate(h[i]) * h[1 - i]).to(x.dtype)

    return forward


def _gated_backward(gate: Callable, derivative: Callable, i: int, dim: int, compute: torch.dtype) -> Callable:
    def backward(x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        h = halves(x.to(compute), dim)
        gc = g.to(compute)
        parts = [(gc * gate(h[i])).to(x.dtype), (gc * h[1 - i] * derivative(h[i])).to(x.dtype)]  # d/dh[1-i], d/dh[i]
        return torch.cat(parts if i == 1 else parts[::-1], dim)

    return backward


class Gated(torch.autograd.Function):
    """y = gate(h[i]) * h[1 - i] for the two halves h of x along ``dim`` (GLU: sigmoid on the second half; SwiGLU,
    ReGLU: silu, relu on the first). Saves only x (the naive composition also keeps gate(h[i]) and the half it
    multiplies: 1.5x the input). Each pass is one loop compiled by :mod:`actlab.torch.compiled`: call it where
    ``compiled.eligible(x)`` (elsewhere the composition of native ops is faster); ``key`` names the gate kernel.
    With ``create_graph=True`` the backward runs as differentiable torch ops."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, gate: Callable, derivative: Callable, i: int, dim: int,
                compute: torch.dtype, key: Any):
        halves(x, dim)  # an odd size is the caller's error: raise it here, not from inside the compiler
        ctx.save_for_backward(x)
        ctx.fns = (gate, derivative, i, dim, compute, key)
        fn = _gated_forward(gate, i, dim, compute)
        out = compiled.run(fn, (key, "gated", i, dim % x.ndim, compute), x)
        return fn(x) if out is None else out

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor):
        (x,) = ctx.saved_tensors
        gate, derivative, i, dim, compute, key = ctx.fns
        fn = _gated_backward(gate, derivative, i, dim, compute)
        out = None if torch.is_grad_enabled() else compiled.run(fn, (key, "gated'", i, dim % x.ndim, compute), x, g)
        return (fn(x, g) if out is None else out), None, None, None, None, None, None


class BitMask(torch.autograd.Function):
    """f'(x) takes two values: save one bit per element, packed (:func:`pack_bits`). Eager, not compiled: Inductor's
    loops that store or load bool/uint8 elements (masks, bit packing) measured 3-20x slower than these passes."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, forward: Callable, mask: Callable, slopes: tuple[float, float]):
        with torch.no_grad():
            y = forward(x)
            packed = pack_bits(mask(x)) if slopes[0] != slopes[1] else x.new_empty(0, dtype=torch.uint8)
        ctx.save_for_backward(packed)
        ctx.shape, ctx.slopes = x.shape, slopes
        return y

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor):
        (packed,) = ctx.saved_tensors
        on, off = ctx.slopes
        if on == off:  # a constant derivative (the step function's 0, identity's c): nothing was saved
            return (torch.zeros_like(g) if on == 0.0 else g * on), None, None, None
        # f' as 0/1 in g's dtype, then native kernels: torch.where on a bool mask is a slow path on CPU (5x these).
        m = unpack_bits(packed, g.numel()).view(ctx.shape).to(g.dtype)
        if off == 0.0:  # where(m, g, 0): 0 even where g is inf or nan, as torch's own relu backward
            d = torch.ops.aten.threshold_backward(g, m, 0.5)
            return (d if on == 1.0 else d * on), None, None, None
        return g * m.mul_(on - off).add_(off), None, None, None


class FewBit(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, forward: Callable, boundaries: torch.Tensor, levels: torch.Tensor,
                bits: int):
        with torch.no_grad():
            y = forward(x)
            codes = torch.bucketize(x, boundaries.to(x.dtype))
            planes = pack_codes(codes, bits)
        ctx.save_for_backward(planes)
        ctx.shape, ctx.levels = x.shape, levels
        return y

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor):
        (planes,) = ctx.saved_tensors
        codes = unpack_codes(planes, g.numel()).view(ctx.shape)
        return g * ctx.levels.to(device=g.device, dtype=g.dtype)[codes], None, None, None, None


def saved_bytes(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> int:
    """Bytes autograd saves for the backward pass of ``fn(x)``, measured with ``saved_tensors_hooks``.

    A tensor saved twice (or the input itself, saved by reference) counts each time it is packed: this is what a
    training step keeps alive per activation call, as the issue asks to report it.
    """
    seen: list[int] = []

    def pack(t: torch.Tensor) -> torch.Tensor:
        seen.append(t.numel() * t.element_size())
        return t

    x = x.detach().requires_grad_(True)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(x)
    return sum(seen)
