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

from actlab.torch.packing import pack_bits, pack_codes, unpack_bits, unpack_codes

CHUNK = 1 << 16  # elements per chunk: 256 KiB in float32, 512 KiB in float64 - the temporaries stay in L2


def chunked(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, compute: torch.dtype,
            grad: torch.Tensor | None = None) -> torch.Tensor:
    """``fn(x)`` (times ``grad`` if given) evaluated chunk by chunk in ``compute`` dtype, returned in x's dtype."""
    out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    xf, of = x.reshape(-1), out.view(-1)
    gf = None if grad is None else grad.reshape(-1)
    n = xf.numel()
    step = n if n <= 2 * CHUNK or torch.compiler.is_compiling() else CHUNK
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
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, forward: Callable, derivative: Callable, compute: torch.dtype):
        ctx.save_for_backward(x)
        ctx.derivative, ctx.compute = derivative, compute
        return chunked(forward, x, compute)

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor):
        (x,) = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph=True: a backward that autograd can differentiate again
            d = ctx.derivative(x.to(ctx.compute)) * g.to(ctx.compute)
            return d.to(x.dtype), None, None, None
        return chunked(ctx.derivative, x, ctx.compute, grad=g), None, None, None


class BitMask(torch.autograd.Function):
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
        if on == off:  # a constant derivative (the step function's 0): nothing was saved
            return g * on, None, None, None
        m = unpack_bits(packed, g.numel()).view(ctx.shape)
        if off == 0.0:
            d = torch.where(m, g if on == 1.0 else g * on, 0.0)
        else:
            d = torch.where(m, g if on == 1.0 else g * on, g * off)
        return d, None, None, None


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
