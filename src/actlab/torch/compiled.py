"""One fused loop per pass: actlab's torch kernels compiled by TorchInductor, with the chunked kernels as fallback.

A kernel of :mod:`actlab.torch.kernels` is a composition of torch ops. Run op by op, every op reads and writes a
full-size temporary; :func:`run` instead traces the composition once (``make_fx``: the Python runs once, only the
aten ops are recorded, so any kernel - including a user formula walked from its SymPy tree - gives a plain graph)
and compiles the graph with ``torch.compile`` (Inductor: a vectorised C++ loop, OpenMP over the thread count on CPU;
a Triton kernel on GPU). The forward pass then reads x and writes f(x); the backward pass reads x and the incoming
gradient and writes f'(x) * g. The same code serves the float32 path and the exact one (float64 inside the loop,
rounded once on the store).

When: only for tensors of at least ``min_numel`` elements (default 2^16): compiling costs seconds the first time
(a cold Inductor cache ~10-40 s on two cores, a warm one ~1 s per kernel: Inductor keeps its compiled code on disk),
which small tensors never pay back (below ``min_numel`` the Function runs its passes as plain torch ops, skipping
this module's lookups: :func:`small`). Never inside someone else's tracing (``torch.compile``, ``jit.trace``, export,
fake tensors): there the chunked kernels are traced like any torch code. One compiled pair per (kernel,
parameters, dtypes, device, thread count): Inductor bakes the thread count into the loop.

Control with ``ACTLAB_TORCH_COMPILE=auto|always|off`` or :func:`configure`. Anything that fails (no C++ compiler, no
Triton, an op Inductor cannot lower) warns once and falls back to the chunked kernels of
:mod:`actlab.torch.autograd`: the results are the same, only slower.
"""

from __future__ import annotations

import os
import threading
import warnings
from typing import Any, Callable, Hashable

import torch

MODES = ("auto", "always", "off")
_settings: dict[str, Any] = {"mode": "auto", "min_numel": 1 << 16}
_env = os.environ.get("ACTLAB_TORCH_COMPILE", "").strip().lower()
if _env in MODES:
    _settings["mode"] = _env
elif _env:
    warnings.warn(f"ACTLAB_TORCH_COMPILE must be one of {', '.join(MODES)}; got {_env!r}. Using 'auto'.",
                  UserWarning, stacklevel=2)
_cache: dict[Hashable, Callable | None] = {}  # None: compiling failed, do not retry
_usable: dict[str, bool] = {}  # device type -> a compiler for it exists
_lock = threading.RLock()


def configure(*, mode: str | None = None, min_numel: int | None = None) -> dict[str, Any]:
    """Set when kernels are compiled; returns the settings in force before the call (to restore them).

    ``mode``: ``"auto"`` (tensors of at least ``min_numel`` elements, where a compiler exists), ``"always"`` (any
    size: tests use it) or ``"off"`` (always the chunked kernels).

    >>> import actlab.torch as at
    >>> old = at.configure_compile(mode="off")   # e.g. to time the chunked kernels
    >>> _ = at.configure_compile(**old)
    """
    before = dict(_settings)
    if mode is not None:
        if mode not in MODES:
            from actlab.errors import ParameterError

            raise ParameterError(f"compile mode must be one of {', '.join(map(repr, MODES))}; got {mode!r}")
        _settings["mode"] = mode
    if min_numel is not None:
        _settings["min_numel"] = int(min_numel)
    return before


def small(n: int) -> bool:
    """Whether a pass over ``n`` elements is too small to be compiled (fewer than ``min_numel``, in any mode but
    ``"always"``): it then runs as plain torch ops on the whole tensor, what the chunked kernels do at the default
    ``min_numel`` too (one chunk), without their layout and chunk bookkeeping."""
    return n < _settings["min_numel"] and _settings["mode"] != "always"


def _device_ok(device_type: str) -> bool:
    """A compiler Inductor can use for this device type: a C++ compiler on CPU, Triton on CUDA/XPU."""
    ok = _usable.get(device_type)
    if ok is None:
        try:
            if device_type == "cpu":
                from torch._inductor.cpp_builder import get_cpp_compiler

                ok = bool(get_cpp_compiler())
            elif device_type in ("cuda", "xpu"):
                from torch.utils._triton import has_triton

                ok = bool(has_triton())
            else:
                ok = False
        except Exception:  # noqa: BLE001 - any failure means: not here
            ok = False
        _usable[device_type] = ok
    return ok


def tracing(x: torch.Tensor) -> bool:
    """Whether someone traces the ops on ``x`` (torch.compile, jit.trace, make_fx/export, fake tensors, torch.func's
    transforms, ONNX export): they should see one plain composition, neither our compiled code nor a loop over
    chunks."""
    # Dynamo folds is_compiling() to True: it must come first, before the C-level tests it cannot trace. The others
    # are the C functions behind torch.jit.is_tracing() and _get_current_dispatch_mode(): this runs several times per
    # call, and on small tensors their Python wrappers were a fifth of the call.
    if torch.compiler.is_compiling() or type(x) is not torch.Tensor:
        return True
    return (torch._C._is_tracing() or torch._C._functorch.is_functorch_wrapped_tensor(x)  # jit.trace; torch.func
            or torch._C._len_torch_dispatch_stack() > 0)  # make_fx, FlopCounterMode, ...


def eligible(x: torch.Tensor) -> bool:
    """Whether :func:`run` would compile for ``x`` (mode and size, device, and nobody else tracing)."""
    mode = _settings["mode"]
    if mode == "off" or tracing(x):  # (first: under jit.trace, numel() is a traced value)
        return False
    n = x.numel()
    return n > 0 and (mode == "always" or n >= _settings["min_numel"]) and _device_ok(x.device.type)


def run(fn: Callable[..., Any], key: Hashable, *args: torch.Tensor) -> Any:
    """``fn(*args)`` by one compiled loop, or None (not eligible, or compiling failed: the caller then runs its
    chunked kernel). ``fn`` is a pure composition of torch ops; ``key`` names it (the kernel, its parameters, the
    pass): equal keys share the compiled code. The args' dtypes, ranks and device, and the thread count, are added to
    the key here; their sizes are symbolic (one compiled loop for every size)."""
    x = args[0]
    if key is None or not eligible(x):
        return None
    full = (key, tuple((a.dtype, a.ndim) for a in args), x.device.type, torch.get_num_threads())
    compiled = _cache.get(full, False)
    if compiled is None:
        return None
    with torch.no_grad():
        if compiled is False:
            with _lock:
                compiled = _cache.get(full, False)
                if compiled is False:
                    compiled, out = _compile(fn, args)
                    _cache[full] = compiled
                    return out
            if compiled is None:
                return None
        try:
            return compiled(*args)
        except Exception as exc:  # noqa: BLE001 - a failed recompile (new strides, say): fall back from now on
            _cache[full] = None
            _warn(exc)
            return None


def _expm1(x: torch.Tensor) -> torch.Tensor:
    """exp(x) - 1 without cancellation (Kahan): the rounding errors of u - 1 and log(u) cancel in their ratio."""
    u = torch.exp(x)
    um1 = u - 1.0
    kahan = um1 * x / torch.log(u)
    return torch.where(u == 1.0, x, torch.where(um1 == -1.0, um1, torch.where(torch.isinf(u), u, kahan)))


def _atanh(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * torch.log1p(2.0 * x / (1.0 - x))  # no cancellation near 0, exact limits at +-1


# Inductor's vectorised C++ writes expm1 as exp(x) - 1 and atanh as log((1+x)/(1-x))/2, which lose every digit near
# 0 (ELU's 1.7e7 ULP at x = -1.7e-18, measured): the traced graphs decompose them into accurate compositions first.
_ACCURATE = {torch.ops.aten.expm1.default: _expm1, torch.ops.aten.atanh.default: _atanh}


def _compile(fn: Callable, args: tuple[torch.Tensor, ...]) -> tuple[Callable | None, Any]:
    """The compiled ``fn`` and its result on ``args`` (Inductor compiles on the first call), or (None, None)."""
    from torch.fx.experimental.proxy_tensor import make_fx

    try:
        # Symbolic shapes (the graph holds for every size); tracing runs on fake copies, not on the data.
        graph = make_fx(fn, decomposition_table=_ACCURATE, tracing_mode="symbolic")(*args)
        compiled = torch.compile(graph, dynamic=True, fullgraph=True)
        return compiled, compiled(*args)
    except Exception as exc:  # noqa: BLE001 - whatever Inductor raises, the chunked kernel still works
        _warn(exc)
        return None, None


def _warn(exc: Exception) -> None:
    warnings.warn(f"actlab.torch: compiling a fused kernel failed ({type(exc).__name__}: {exc}); using the chunked "
                  f"torch kernels (same results, slower). Set ACTLAB_TORCH_COMPILE=off to skip trying.", UserWarning,
                  stacklevel=5)


def cache_info() -> dict[str, int]:
    """How many compiled kernels are cached and how many failed (for tests and the benchmark)."""
    return {"compiled": sum(v is not None for v in _cache.values()), "failed": sum(v is None for v in _cache.values())}
