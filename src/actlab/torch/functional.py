"""``function(name, **params)``: any catalog activation as a callable on torch tensors.

Modes (chosen per call of :func:`function`, defaults per activation from the benchmark in docs/torch.md):

* ``exact=True``  - float32/float16/bfloat16 results within 1 ULP (gradients 2 ULP) of the exact value: the kernel
  runs in float64 and is rounded once (or the native kernel, where that one is already exact);
* ``exact=False`` - the torch.nn.functional kernel where torch has the activation, otherwise actlab's fused
  :class:`~actlab.torch.autograd.Elementwise` in the input's precision;
* ``exact=None``  - the activation's default: exact where exact fwd+bwd costs <= 1.2x native.

``memory`` picks what the backward pass keeps: ``"full"`` (the input), ``"bit"`` (one bit per element, piecewise-
linear activations only) or ``"fewbit"`` with ``bits=b`` (a b-bit code and a piecewise-constant f').
"""

from __future__ import annotations

import inspect
from functools import lru_cache, partial
from typing import Any, Callable

import torch

import actlab
from actlab.errors import ParameterError
from actlab.spec import ELEMENTWISE, Activation, BoundActivation
from actlab.torch import autograd as ag
from actlab.kernels.generated import torch_functions
from actlab.kernels.torch import KERNELS, Kernel

MEMORY = ("full", "bit", "fewbit")


def kernel_for(spec: Activation) -> Kernel | None:
    """The hand-written kernel of a spec (looked up by its name, then its aliases), or None."""
    for label in (spec.name, *spec.aliases):
        k = KERNELS.get(label)
        if k is not None:
            return k
    return None


@lru_cache(maxsize=None)
def _accepts(fn: Callable) -> frozenset[str]:
    try:
        return frozenset(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return frozenset()


def _call(fn: Callable, x: torch.Tensor, params: dict[str, Any]) -> torch.Tensor:
    return fn(x, **params) if params else fn(x)


def _bind(fn: Callable | None, params: dict[str, Any]) -> Callable | None:
    """``fn`` with ``params`` bound: ``_bind(fn, p)(x) == fn(x, **p)``, no Python frame of its own per call."""
    return partial(fn, **params) if fn is not None and params else fn


def check_input(x: Any, name: str) -> torch.Tensor:
    """Raise a clear TypeError for what is not a floating tensor."""
    if not torch.is_tensor(x):
        raise TypeError(f"actlab.torch {name} takes a torch.Tensor; got {type(x).__name__}. "
                        f"Convert with torch.as_tensor(x, dtype=torch.float32).")
    if not x.is_floating_point():
        raise TypeError(f"actlab.torch {name} takes a floating-point tensor (float16, bfloat16, float32 or float64); "
                        f"got dtype {x.dtype}. Convert with x.float().")
    return x


def check_device(x: torch.Tensor, tensors: dict[str, torch.Tensor], name: str) -> None:
    for pname, t in tensors.items():
        if torch.is_tensor(t) and t.device != x.device:
            raise RuntimeError(f"actlab.torch {name}: the input is on {x.device} but the parameter {pname!r} is on "
                               f"{t.device}. Move the module with .to({str(x.device)!r}).")


class TorchActivation:
    """A catalog activation bound to parameter values and a mode, callable on tensors (see :func:`function`)."""

    def __init__(self, name: str | Activation | BoundActivation, *, exact: bool | None = None,
                 memory: str | None = None, bits: int | None = None, inplace: bool = False, dim: int = -1,
                 **params: Any):
        self.bound = actlab.get(name, **params)
        self.spec = self.bound.spec
        self.name = self.spec.name
        self.params = dict(self.bound.params)
        self.kernel = kernel_for(self.spec)
        self.dim = int(dim)
        if exact not in (None, True, False):
            raise ParameterError(f"exact must be True, False or None (the activation's default); got {exact!r}")
        self.elementwise = self.spec.kind == ELEMENTWISE
        if self.kernel is None:
            if not self.elementwise:
                raise ParameterError(f"{self.name} is a {self.spec.kind} activation without a torch kernel")
            forward, derivative = torch_functions(self.spec)  # from the formula: user and formula-only entries
            self.kernel = Kernel(name=self.name, forward=forward, derivative=derivative)
        k = self.kernel
        self.exact = (k.exact_default or k.native_exact) if exact is None else exact
        self.memory, self.bits = self._resolve_memory(memory, bits)
        if inplace and not self._inplace_ok():
            raise ParameterError(
                f"inplace=True is honoured only where torch's native kernel for the activation takes it, in the "
                f"native mode (exact=False, or the default where it is native) with memory='full'; {self.name} "
                f"with exact={self.exact}, memory={self.memory!r} cannot. Activations that take it: "
                f"{', '.join(n for n, kk in KERNELS.items() if kk.inplace)}.")
        self.inplace = bool(inplace)
        # the kernel's call arguments: the spec's parameter values (the kernel functions take the same names)
        self._kparams = {key: v for key, v in self.params.items()}
        if not self.elementwise:
            self._kparams["dim"] = self.dim
        p, k = self._kparams, self.kernel
        # Built once: torch.jit.trace checks that two traces record the same function objects.
        self._fwd, self._der, self._mask = _bind(k.forward, p), _bind(k.derivative, p), _bind(k.mask, p)
        # The kernel and its parameter values name the compiled code (actlab.torch.compiled): instances share it.
        self._key: tuple | None = (k, tuple(sorted(p.items())))
        try:
            hash(self._key)
        except TypeError:  # an unhashable parameter value: never compiled, always chunked
            self._key = None
        self._fewbit = None
        if self.memory == "fewbit":
            from actlab.torch.fewbit import quantizer

            bounds, levels = quantizer(self.name, tuple(sorted(self.params.items())), self.bits)
            self._fewbit = (torch.as_tensor(bounds), torch.as_tensor(levels))
        self._run = self._path()

    # --- mode resolution --------------------------------------------------------------------------------------
    def _resolve_memory(self, memory: str | None, bits: int | None) -> tuple[str, int | None]:
        k = self.kernel
        if memory is None:
            memory = "bit" if (k.bit_default and k.mask is not None and bits is None) else "full"
            if bits is not None:
                memory = "fewbit"
        if memory not in MEMORY:
            raise ParameterError(f"memory must be one of {', '.join(map(repr, MEMORY))}; got {memory!r}")
        if memory != "full" and not self.elementwise:
            raise ParameterError(f"memory={memory!r} is for elementwise activations; {self.name} is "
                                 f"{self.spec.kind}")
        if memory == "bit" and k.mask is None:
            bitable = ", ".join(n for n, kk in KERNELS.items() if kk.mask is not None)
            raise ParameterError(f"memory='bit' needs a piecewise-linear activation (its derivative takes two values: "
                                 f"{bitable}); {self.name} is not. Use memory='fewbit', bits=4 for an approximate "
                                 f"derivative in 4 bits per element.")
        if memory == "fewbit":
            bits = 4 if bits is None else bits
            if isinstance(bits, bool) or not isinstance(bits, int) or not 1 <= bits <= 8:
                raise ParameterError(f"bits must be an integer in 1..8 for memory='fewbit'; got {bits!r}")
        elif bits is not None:
            raise ParameterError(f"bits={bits!r} is only used with memory='fewbit'; got memory={memory!r}")
        if memory != "full" and self.spec.random:
            raise ParameterError(f"{self.name} draws random slopes in training: use memory='full'")
        return memory, bits

    def _inplace_ok(self) -> bool:
        k = self.kernel
        native_mode = not self.exact or k.native_exact
        return k.inplace and k.native is not None and native_mode and self.memory == "full"

    @property
    def mode(self) -> str:
        """'native', 'exact', 'fused' (actlab's autograd.Function in the input's precision) or 'composed' (torch
        ops under autograd: the non-elementwise kinds without a Function), plus the memory."""
        k = self.kernel
        if self.exact and not k.native_exact:
            base = "exact"
        elif k.native is not None:
            base = "native"
        else:
            base = "fused" if self.elementwise or k.gate is not None else "composed"
        return base if self.memory == "full" else f"{base}+{self.memory}" + (f"{self.bits}" if self.bits else "")

    def __repr__(self) -> str:
        args = [repr(self.name), *(f"{k}={v!r}" for k, v in self.params.items()), f"mode={self.mode!r}"]
        return f"actlab.torch.function({', '.join(args)})"

    # --- evaluation -------------------------------------------------------------------------------------------
    def __call__(self, x: torch.Tensor, *, training: bool = False, **tensor_params: torch.Tensor) -> torch.Tensor:
        """Apply to ``x``. ``tensor_params`` override parameters with tensors (the modules' nn.Parameters);
        ``training`` matters for random activations (RReLU)."""
        check_input(x, self.name)
        traced = ag.compiled.tracing(x)
        if traced and _serialising():
            return self._serialisable(x, training, tensor_params)
        if tensor_params:
            check_device(x, tensor_params, self.name)
            return self._with_tensors(x, tensor_params)
        if self.spec.random and training:
            p = self._kparams
            return torch.nn.functional.rrelu(x, p.get("lower", 1 / 8), p.get("upper", 1 / 3), True, self.inplace)
        return self._run(x, traced)

    def _path(self) -> Callable[[torch.Tensor, bool], torch.Tensor]:
        """What a call runs (given x and whether someone traces it), chosen once from the kind, the mode and the
        memory: a call on a small tensor then pays for little more than the kernel's ops. (No closure holds ``self``,
        which a deep copy would not replace; the vector kinds' bound method it does.)"""
        k, p = self.kernel, self._kparams
        if not self.elementwise:
            return self._vector
        native = _bind(k.native, p) if k.native is not None and (not self.exact or k.native_exact) else None
        if self.memory == "full" and native is not None:
            fn = _bind(k.native, {**p, "inplace": True}) if self.inplace else native
            return lambda x, traced: fn(x)
        if self.memory == "full":  # actlab's Function: plain passes below the size that compiles (and for a
            # tracer, which the fused ones would give plain ops too), fused ones above
            small = ag.Plain(self._fwd, self._der, self.exact)
            large = ag.Fused(self._fwd, self._der, self.exact, self._key, k.direct_forward,
                             _bind(k.forward_narrow, p))
            return lambda x, traced: ag.elementwise(x, small if traced or ag.compiled.small(x.numel()) else large)
        # The bit / few-bit modes' forward: native where torch has it (and it is accurate enough).
        fwd, exact, key = self._fwd, self.exact, None if self._key is None else (self._key, "forward")
        forward = native or (lambda t: ag.fused(fwd, t, ag.compute_dtype(t.dtype, exact), key=key))
        if self.memory == "bit":
            mask, slopes = self._mask, _call_slopes(k, p)
            return lambda x, traced: ag.bitmask(x, forward, mask, slopes)
        (bounds, levels), bits = self._fewbit, self.bits
        return lambda x, traced: ag.fewbit(x, forward, bounds.to(x.device), levels, bits)

    def _serialisable(self, x: torch.Tensor, training: bool, tensor_params: dict[str, torch.Tensor]) -> torch.Tensor:
        """The forward as plain torch ops in x's dtype, for a graph that leaves Python (ONNX export, TorchScript's
        tracer): no autograd.Function, whose passes the legacy exporter would freeze into a constant. The exact mode
        exports its float32-faithful form (torch's native kernel where it has one, else actlab's kernel in the
        input's precision): onnxruntime has no float64 kernels for several of the ops exact mode uses, and the
        graph's consumer computes in its own precision anyway (docs/torch.md)."""
        with _PortableOps():
            return self._plain_forward(x, training, tensor_params)

    def _plain_forward(self, x: torch.Tensor, training: bool, tensor_params: dict[str, torch.Tensor]) -> torch.Tensor:
        k, p = self.kernel, self._kparams
        if tensor_params:
            if self.name == "prelu":
                return torch.nn.functional.prelu(x, next(iter(tensor_params.values())).to(x.dtype))
            return _call(k.forward, x, {**p, **tensor_params})
        if self.spec.random and training:
            return torch.nn.functional.rrelu(x, p.get("lower", 1 / 8), p.get("upper", 1 / 3), True)
        if k.native is not None:
            return _call(k.native, x, p)
        return _call(k.forward, x, p)

    def _vector(self, x: torch.Tensor, traced: bool = False) -> torch.Tensor:
        k, p = self.kernel, self._kparams
        gated = k.gate is not None and (self.exact or k.native is None) and self._key is not None
        if gated and ag.compiled.eligible(x):  # actlab's Gated Function: one compiled loop per pass, saves only x
            name, i = k.gate
            gate = KERNELS[name]
            fwd, der, key = gate.forward, gate.derivative, (gate, name)
            if not self.exact and k.gate_fast is not None:
                (fwd, der), key = k.gate_fast, (k, "gate_fast")
            return ag.gated(x, fwd, der, i, self.dim, ag.compute_dtype(x.dtype, self.exact), key)
        if self.exact and x.dtype != torch.float64:
            return _call(k.forward, x.double(), p).to(x.dtype)
        if k.native is not None:
            return _call(k.native, x, p)
        return _call(k.forward, x, p)

    def _with_tensors(self, x: torch.Tensor, tensor_params: dict[str, torch.Tensor]) -> torch.Tensor:
        """Learnable parameters: the kernel composed by autograd, which also yields their gradients."""
        k = self.kernel
        if self.name == "prelu":
            (weight,) = tensor_params.values()
            return torch.nn.functional.prelu(x, weight.to(x.dtype))
        p = {**self._kparams, **tensor_params}
        if self.exact and x.dtype != torch.float64:
            p = {key: (v.double() if torch.is_tensor(v) else v) for key, v in p.items()}
            return _call(k.forward, x.double(), p).to(x.dtype)
        return _call(k.forward, x, p)


class _PortableOps(torch.overrides.TorchFunctionMode):
    """Torch ops that ONNX has no operator for, written with ones it has, while a graph is exported: ``hypot(a, b)
    = m * sqrt(1 + (n/m)^2)`` with m, n the larger and smaller magnitude (no overflow; a few ULP)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.hypot or func is torch.Tensor.hypot:
            a, b = (torch.abs(torch.as_tensor(t)) for t in (*args, *kwargs.values()))
            big, small = torch.maximum(a, b), torch.minimum(a, b)
            ratio = small / torch.where(big == 0, torch.ones_like(big), big)
            return torch.where(torch.isinf(big), big, big * torch.sqrt(1.0 + ratio * ratio))
        return func(*args, **kwargs)


def _serialising() -> bool:
    """ONNX export (both exporters) or TorchScript tracing: the graph is to be saved, not run here."""
    return torch.jit.is_tracing() or torch.onnx.is_in_onnx_export()


def _call_slopes(k: Kernel, p: dict[str, Any]) -> tuple[float, float]:
    on, off = k.slopes(**p) if p else k.slopes()
    return float(on), float(off)


def function(name: str | Activation | BoundActivation, *, exact: bool | None = None, memory: str | None = None,
             bits: int | None = None, inplace: bool = False, dim: int = -1, **params: Any) -> TorchActivation:
    """The activation ``name`` with ``params`` bound, as a callable on torch tensors.

    >>> import torch, actlab.torch as at
    >>> f = at.function("leaky_relu", alpha=0.1)
    >>> f(torch.tensor([-2.0, 3.0]))
    tensor([-0.2000,  3.0000])
    """
    return TorchActivation(name, exact=exact, memory=memory, bits=bits, inplace=inplace, dim=dim, **params)
