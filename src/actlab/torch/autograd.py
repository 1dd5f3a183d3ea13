"""autograd.Functions that pair a kernel's forward with its analytic derivative, lean on time and memory.

* :class:`Elementwise` saves only the input (``1x`` its bytes) and recomputes f'(x) in the backward pass. Its passes
  are an object chosen per call: :class:`Fused` for large tensors runs the kernel as one compiled loop or over
  cache-sized chunks of the tensor, so its temporaries live in L2 and no large buffer is allocated besides the result
  (on CPU, where fresh multi-megabyte allocations cost page faults, this is what makes it several times faster than
  the naive autograd composition, which allocates and saves every intermediate); :class:`Plain` for tensors too
  small to compile runs the kernel's ops on the whole tensor and nothing else, so that a call costs little more than
  those ops. Both compute in float64 for the exact mode (one rounding at the end), and both use the analytic
  derivative: autograd through the forward's ops would give NaN at +-inf (``inf * 0`` in the unused branch of a
  ``where``), lose the far tails and cancel where the kernel's derivative does not.
* :class:`BitMask` (``memory="bit"``) is for piecewise-linear activations: f'(x) takes one of two values, so the
  backward pass needs one bit per element, saved packed (``numel/8`` bytes instead of ``4*numel``).
* :class:`FewBit` (``memory="fewbit"``, Novikov et al. 2022, "Few-Bit Backward") saves a b-bit code per element and
  approximates f' by a piecewise-constant function of x (see :mod:`actlab.torch.fewbit`).
* :class:`Gated` (GLU, SwiGLU, GeGLU, ReGLU) saves only x and runs each pass as one compiled loop.

Every Function takes part in torch.func's transforms and in forward-mode AD: ``forward`` takes no ctx (a
``setup_context`` saves what the passes need), ``jvp`` is the analytic derivative times the tangent, and ``vmap``
applies the Function once to the batched tensor (the elementwise ones do not care where the batch dimension is; the
gated one shifts its ``dim``). When autograd asks for a differentiable backward (``create_graph=True``,
``gradgradcheck``, nested ``torch.func.grad``) or a transform wraps the tensors, the passes run as ordinary torch ops
on the whole tensor, so autograd and functorch can see through them.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from actlab.torch import compiled
from actlab.kernels.torch import halves
from actlab.torch.packing import pack_bits, pack_codes, unpack_codes, unpack_ones

CHUNK = 1 << 16  # elements per chunk: 256 KiB in float32, 512 KiB in float64 - the temporaries stay in L2


# Tensor.double() and its siblings parse no arguments: on a small tensor they cost 0.6x what .to(dtype) does.
_CASTS = {torch.float64: torch.Tensor.double, torch.float32: torch.Tensor.float, torch.float16: torch.Tensor.half,
          torch.bfloat16: torch.Tensor.bfloat16}


def cast(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``t`` in ``dtype``; ``t`` itself when it already is (a cast to the same dtype still costs a dispatch)."""
    if t.dtype == dtype:
        return t
    to = _CASTS.get(dtype)
    return t.to(dtype) if to is None else to(t)


def compute_dtype(dtype: torch.dtype, exact: bool) -> torch.dtype:
    """The dtype a kernel runs in for an input of ``dtype``: float64 in the exact mode (one rounding at the end),
    else the input's own where it is float32 or float64 and float32 for the half-precision ones."""
    if exact:
        return torch.float64
    return dtype if dtype == torch.float32 or dtype == torch.float64 else torch.float32


def plain(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, compute: torch.dtype,
          grad: torch.Tensor | None = None) -> torch.Tensor:
    """``fn(x)`` (times ``grad``) as one composition of torch ops in ``compute`` dtype, returned in x's dtype: what a
    tracer, a functorch transform or double backward must see, and all a small tensor needs."""
    r = fn(cast(x, compute))
    if grad is not None:
        r = r * grad  # grad is in x's dtype, which promotes to compute exactly: no cast of its own
    return cast(r, x.dtype)


def fused(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, compute: torch.dtype,
          grad: torch.Tensor | None = None, key: Any = None) -> torch.Tensor:
    """``fn(x)`` (times ``grad``) in ``compute`` dtype, returned in x's dtype (and x's memory layout): one compiled
    loop where :mod:`actlab.torch.compiled` can (``key`` names ``fn``; None: never compile), else :func:`chunked`;
    :func:`plain` under a trace and for a tensor too small to compile (the layout and chunk machinery would only
    add to its per-call cost)."""
    if compiled.tracing(x) or (grad is not None and compiled.tracing(grad)) or compiled.small(x.numel()):
        return plain(fn, x, compute, grad)
    if x.numel() == 0:
        return torch.empty_like(x)
    dense, restore = dense_order(x)
    if grad is not None:
        grad = grad.permute(restore[1]) if restore is not None else grad
    if key is not None and compiled.eligible(dense):
        if grad is None:
            out = compiled.run(lambda t: cast(fn(cast(t, compute)), t.dtype), (key, compute), dense.reshape(-1))
        else:
            out = compiled.run(lambda t, g: cast(fn(cast(t, compute)) * cast(g, compute), t.dtype), (key, compute),
                               dense.reshape(-1), grad.reshape(-1))
        if out is not None:
            return restore_order(out.view(dense.shape), restore)
    return restore_order(chunked(fn, dense, compute, grad), restore)


def dense_order(x: torch.Tensor) -> tuple[torch.Tensor, tuple[list[int], list[int]] | None]:
    """x permuted so that its memory is read in order (channels_last and other dense layouts keep their layout
    in the result, as torch's own elementwise ops do), with the permutation to undo; x made contiguous if it is not
    dense (a slice with gaps)."""
    if x.is_contiguous() or x.ndim < 2:
        return x, None
    order = sorted(range(x.ndim), key=lambda d: (-x.stride(d), d))
    xp = x.permute(order)
    if not xp.is_contiguous():
        return x.contiguous(), None
    inverse = [order.index(d) for d in range(x.ndim)]
    return xp, (inverse, order)


def restore_order(out: torch.Tensor, restore: tuple[list[int], list[int]] | None) -> torch.Tensor:
    return out if restore is None else out.permute(restore[0])


def chunked(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, compute: torch.dtype,
            grad: torch.Tensor | None = None) -> torch.Tensor:
    """``fn(x)`` (times ``grad`` if given) evaluated chunk by chunk in ``compute`` dtype, returned in x's dtype."""
    n = x.numel()
    if n <= 2 * CHUNK:  # one chunk: no buffer to fill, the composition's own result (grad mode is off in a pass)
        return plain(fn, x, compute, grad)
    out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    xf, of = x.reshape(-1), out.view(-1)
    gf = None if grad is None else grad.reshape(-1)
    with torch.no_grad():
        for i in range(0, n, CHUNK):
            r = fn(cast(xf[i:i + CHUNK], compute))
            if gf is not None:
                r = r.mul_(cast(gf[i:i + CHUNK], compute))  # r is fresh: multiply in place
            of[i:i + CHUNK].copy_(r)
    return out


class _Function(torch.autograd.Function):
    """A Function whose ``apply`` skips torch's binding of the call to ``forward``'s signature (inspect.signature
    on every call, most of the per-call cost on small tensors) when no torch.func transform is active: every
    caller here passes every argument positionally."""

    @classmethod
    def apply(cls, *args: Any) -> Any:
        if torch._C._are_functorch_transforms_active():
            return super().apply(*args)
        args = torch._functorch.utils.unwrap_dead_wrappers(args)  # as torch's own apply does
        return super(torch.autograd.Function, cls).apply(*args)


class Plain:
    """The two passes of :class:`Elementwise` as plain torch ops on the whole tensor: ``value(x) = f(x)`` and
    ``slope_times(x, g) = f'(x) * g``, in float64 for the exact mode (one rounding at the end), else in the input's
    precision (float32 for half-precision inputs). For tensors too small to compile (a call then costs the
    Function's bookkeeping and the kernel's ops, nothing more) and for tracers, which must see one composition.
    With grad mode on in the backward pass (``create_graph=True``) autograd records the derivative's ops."""

    __slots__ = ("fn", "derivative", "exact")

    def __init__(self, fn: Callable, derivative: Callable, exact: bool):
        self.fn, self.derivative, self.exact = fn, derivative, exact

    def value(self, x: torch.Tensor) -> torch.Tensor:
        return plain(self.fn, x, compute_dtype(x.dtype, self.exact))

    def slope_times(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return plain(self.derivative, x, compute_dtype(x.dtype, self.exact), g)


class Fused(Plain):
    """The passes for large tensors (:func:`fused`): one compiled loop each where :mod:`actlab.torch.compiled` can,
    else cache-sized chunks. ``key`` (hashable, naming the kernel and its parameters) lets them be compiled; None
    keeps them chunked. ``direct``: the forward is one torch op, run on the whole tensor. ``narrow``: a forward for
    inputs narrower than float64, used where its loop is compiled (:class:`actlab.kernels.torch.Kernel`)."""

    __slots__ = ("direct", "narrow", "_keys")

    def __init__(self, fn: Callable, derivative: Callable, exact: bool, key: Any = None, direct: bool = False,
                 narrow: Callable | None = None):
        super().__init__(fn, derivative, exact)
        self.direct, self.narrow = direct, narrow
        self._keys = (None, None, None) if key is None else ((key, "forward"), (key, "derivative"),
                                                              ((key, "narrow"), "forward"))

    def value(self, x: torch.Tensor) -> torch.Tensor:
        compute = compute_dtype(x.dtype, self.exact)
        if self.narrow is not None and x.dtype != torch.float64 and compiled.eligible(x):  # op by op it loses
            return fused(self.narrow, x, compute, key=self._keys[2])
        if self.direct and x.dtype == compute and not compiled.tracing(x):
            return self.fn(x)
        return fused(self.fn, x, compute, key=self._keys[0])

    def slope_times(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled():  # create_graph=True: a backward that autograd can differentiate again
            return super().slope_times(x, g)
        return fused(self.derivative, x, compute_dtype(x.dtype, self.exact), grad=g, key=self._keys[1])


class Elementwise(_Function):
    """y = f(x); dx = f'(x) * g (and the tangent likewise: y_t = f'(x) * x_t), the passes run by ``passes``
    (:class:`Plain` or :class:`Fused`)."""

    symbolic = staticmethod(lambda g, *args: _refuse_export())

    @staticmethod
    def forward(x: torch.Tensor, passes: Plain):
        return passes.value(x)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: torch.Tensor) -> None:
        x, ctx.passes = inputs
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor):
        (x,) = ctx.saved_tensors
        return ctx.passes.slope_times(x, g), None

    @staticmethod
    def jvp(ctx: Any, x_t: torch.Tensor, _):
        (x,) = ctx.saved_tensors
        return ctx.passes.slope_times(x, x_t)

    @staticmethod
    def vmap(info: Any, in_dims: tuple, x: torch.Tensor, passes: Plain):  # elementwise: any batch dimension
        return elementwise(x, passes), in_dims[0]


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


def _gated_jvp(gate: Callable, derivative: Callable, i: int, dim: int, compute: torch.dtype) -> Callable:
    def jvp(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        h, ht = halves(x.to(compute), dim), halves(t.to(compute), dim)
        return (derivative(h[i]) * ht[i] * h[1 - i] + gate(h[i]) * ht[1 - i]).to(x.dtype)

    return jvp


class Gated(_Function):
    """y = gate(h[i]) * h[1 - i] for the two halves h of x along ``dim`` (GLU: sigmoid on the second half; SwiGLU,
    ReGLU: silu, relu on the first). Saves only x (the naive composition also keeps gate(h[i]) and the half it
    multiplies: 1.5x the input). Each pass is one loop compiled by :mod:`actlab.torch.compiled`: call it where
    ``compiled.eligible(x)`` (elsewhere the composition of native ops is faster); ``key`` names the gate kernel.
    With ``create_graph=True`` or under a functorch transform the passes run as plain torch ops."""

    symbolic = staticmethod(lambda g, *args: _refuse_export())

    @staticmethod
    def forward(x: torch.Tensor, gate: Callable, derivative: Callable, i: int, dim: int, compute: torch.dtype,
                key: Any):
        halves(x, dim)  # an odd size is the caller's error: raise it here, not from inside the compiler
        fn = _gated_forward(gate, i, dim, compute)
        out = compiled.run(fn, (key, "gated", i, dim % x.ndim, compute), x)
        return fn(x) if out is None else out

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: torch.Tensor) -> None:
        x, *fns = inputs
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        ctx.fns = tuple(fns)

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor):
        (x,) = ctx.saved_tensors
        gate, derivative, i, dim, compute, key = ctx.fns
        fn = _gated_backward(gate, derivative, i, dim, compute)
        out = None if torch.is_grad_enabled() else compiled.run(fn, (key, "gated'", i, dim % x.ndim, compute), x, g)
        return (fn(x, g) if out is None else out), None, None, None, None, None, None

    @staticmethod
    def jvp(ctx: Any, x_t: torch.Tensor, *_):
        (x,) = ctx.saved_tensors
        gate, derivative, i, dim, compute, _key = ctx.fns
        return _gated_jvp(gate, derivative, i, dim, compute)(x, x_t)

    @staticmethod
    def vmap(info: Any, in_dims: tuple, x: torch.Tensor, gate, derivative, i, dim, compute, key):
        bdim = in_dims[0]
        if bdim is None:
            return gated(x, gate, derivative, i, dim, compute, key), None
        x = x.movedim(bdim, 0)  # the batch first: a non-negative dim of the example is one further in the batch
        return gated(x, gate, derivative, i, dim if dim < 0 else dim + 1, compute, key), 0


class BitMask(_Function):
    """f'(x) takes two values: save one bit per element, packed (:func:`pack_bits`). Eager, not compiled: Inductor's
    loops that store or load bool/uint8 elements (masks, bit packing) measured 3-20x slower than these passes."""

    symbolic = staticmethod(lambda g, *args: _refuse_export())

    @staticmethod
    def forward(x: torch.Tensor, forward: Callable, mask: Callable, slopes: tuple[float, float]):
        return forward(x)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: torch.Tensor) -> None:
        x, _, mask, slopes = inputs
        with torch.no_grad():
            packed = pack_bits(mask(x)) if slopes[0] != slopes[1] else x.new_empty(0, dtype=torch.uint8)
        ctx.save_for_backward(packed)
        ctx.save_for_forward(packed)
        ctx.shape, ctx.slopes = x.shape, slopes

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor):
        return BitMask._slope_times(ctx, g), None, None, None

    @staticmethod
    def jvp(ctx: Any, x_t: torch.Tensor, *_):
        return BitMask._slope_times(ctx, x_t)

    @staticmethod
    def _slope_times(ctx: Any, g: torch.Tensor) -> torch.Tensor:
        (packed,) = ctx.saved_tensors
        on, off = ctx.slopes
        if on == off:  # a constant derivative (the step function's 0, identity's c): nothing was saved
            return torch.zeros_like(g) if on == 0.0 else g * on
        # f' as 0/1 in g's dtype, then native kernels: torch.where on a bool mask is a slow path on CPU (5x these).
        m = unpack_ones(packed, _numel(ctx.shape)).view(ctx.shape).to(g.dtype)
        if off == 0.0:  # where(m, g, 0): 0 even where g is inf or nan, as torch's own relu backward
            d = torch.ops.aten.threshold_backward(g, m, 0.5)
            return d if on == 1.0 else d * on
        return g * m.mul(on - off).add(off)

    @staticmethod
    def vmap(info: Any, in_dims: tuple, x: torch.Tensor, *rest):
        return bitmask(x, *rest), in_dims[0]


class FewBit(_Function):
    """f'(x) approximated by a constant on each of 2^b intervals of x: saves the b-bit interval code of each
    element (:func:`pack_codes`) and multiplies by the interval's level in both the backward and the jvp."""

    symbolic = staticmethod(lambda g, *args: _refuse_export())

    @staticmethod
    def forward(x: torch.Tensor, forward: Callable, boundaries: torch.Tensor, levels: torch.Tensor, bits: int):
        return forward(x)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: torch.Tensor) -> None:
        x, _, boundaries, levels, bits = inputs
        with torch.no_grad():
            planes = pack_codes(torch.bucketize(x, boundaries.to(x.dtype)), bits)
        ctx.save_for_backward(planes)
        ctx.save_for_forward(planes)
        ctx.shape, ctx.levels = x.shape, levels

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor):
        return FewBit._slope_times(ctx, g), None, None, None, None

    @staticmethod
    def jvp(ctx: Any, x_t: torch.Tensor, *_):
        return FewBit._slope_times(ctx, x_t)

    @staticmethod
    def _slope_times(ctx: Any, g: torch.Tensor) -> torch.Tensor:
        (planes,) = ctx.saved_tensors
        codes = unpack_codes(planes, _numel(ctx.shape)).view(ctx.shape)
        return g * ctx.levels.to(device=g.device, dtype=g.dtype)[codes]

    @staticmethod
    def vmap(info: Any, in_dims: tuple, x: torch.Tensor, *rest):
        return fewbit(x, *rest), in_dims[0]


def _refuse_export() -> None:
    """The legacy ONNX exporter would inline a Function's traced passes, freezing its chunked buffers into constants
    (a graph with no input); these Functions have no ONNX form: the modules export plain ops instead."""
    raise RuntimeError("actlab.torch: its autograd.Functions have no ONNX form. Export the module "
                       "(actlab.torch.module) or the callable (actlab.torch.function): during export they run as "
                       "plain torch ops. Calling the Function directly (actlab.torch.autograd) cannot be exported.")


def _without_jvp(cls: type) -> type:
    """The Function without its ``jvp``: Dynamo refuses to trace a Function that defines one, so torch.compile gets
    this twin (the same passes; forward-mode AD is not something a compiled graph is asked for)."""
    return type(f"{cls.__name__}Traced", (cls,), {"jvp": staticmethod(torch.autograd.Function.jvp),
                                                  "__module__": cls.__module__, "__doc__": _without_jvp.__doc__})


def _applier(cls: type) -> Callable[..., torch.Tensor]:
    """``cls.apply``, or its jvp-free twin while Dynamo traces (torch.compile, torch.export)."""
    traced = _without_jvp(cls)

    def apply(*args: Any) -> torch.Tensor:
        return (traced if torch.compiler.is_compiling() else cls).apply(*args)

    apply.__name__ = apply.__qualname__ = cls.__name__.lower()
    return apply


elementwise, gated, bitmask, fewbit = (_applier(c) for c in (Elementwise, Gated, BitMask, FewBit))


def _numel(shape: torch.Size) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


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
