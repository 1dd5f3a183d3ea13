"""Watch the activations of any PyTorch model while it trains, and say what the seeds would diagnose.

``Monitor(model)`` hooks every activation module (torch.nn's, timm's and HF transformers' activation classes,
actlab's modules, registered classes, and modules the user names) and keeps cheap running statistics per layer over
a sliding window of monitored batches:

* ``dead_fraction``: units whose derivative was zero for every sample of the window (no gradient can revive them);
* ``saturated_fraction``: elements with |f'(x)| below ``saturation_threshold``;
* ``zero_fraction``: exact zeros in the output (sparsity);
* ``mean`` and ``std`` of the output; ``grad_norm``: the L2 norm of the gradient at the layer's input.

Only per-unit booleans and scalars are kept, never whole activations. f'(x) is measured, not looked up: the hook
re-runs the (cheap) activation on a detached copy of its input under autograd, so it works for any elementwise
module, learnable ones included, and also inside ``torch.no_grad()``.
"""

from __future__ import annotations

import fnmatch
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable

import torch
from torch import nn

import actlab
from actlab.core import health
from actlab.errors import ParameterError
from actlab.torch.recognise import Recogniser, activation_name, find_gates

def find_activations(model: nn.Module, names: Iterable[str] = (),
                     recognise: Recogniser | None = None) -> list[tuple[str, nn.Module, str]]:
    """(qualified name, module, catalog name) of every activation module (see :mod:`actlab.torch.recognise`), plus
    the modules named in ``names``."""
    wanted = set(names)
    found = []
    for qualname, module in model.named_modules():
        if module is model and not qualname:
            qualname = type(model).__name__
        act = activation_name(module, recognise)
        if qualname in wanted:
            act = act or type(module).__name__.lower()
        if act is not None:
            found.append((qualname, module, act))
    missing = wanted - {q for q, _, _ in found}
    if missing:
        known = [q for q, _ in model.named_modules() if q]
        raise ParameterError(f"Monitor: no module named {sorted(missing)[0]!r} in the model. Modules: "
                             f"{', '.join(known[:20])}{', ...' if len(known) > 20 else ''}")
    return found


@dataclass
class _LayerStats:
    layer: str
    activation: str
    window: int
    gate: bool = False  # a sigmoid-like gate (squeeze-excite, gated unit): "dead" or "saturated" means other things
    active: deque = field(init=False)  # per monitored batch: bool tensor, one entry per unit (any sample active)
    saturated: deque = field(init=False)
    zeros: deque = field(init=False)
    means: deque = field(init=False)
    stds: deque = field(init=False)
    grad_norms: deque = field(init=False)
    history: list = field(default_factory=list)  # [step, dead, saturated, grad_norm] snapshots for the figure

    def __post_init__(self) -> None:
        for name in ("active", "saturated", "zeros", "means", "stds", "grad_norms"):
            setattr(self, name, deque(maxlen=self.window))

    def record_grad(self, norm: float) -> None:
        self.grad_norms.append(norm)
        if self.history:
            self.history[-1][3] = norm

    def summary(self) -> dict:
        def mean(values):
            return float(sum(values) / len(values)) if values else math.nan

        dead = math.nan
        if self.active:
            # A unit is dead if it was active in none of the window's batches; units may differ in count between
            # batches only if the model's width changes, which we do not support.
            ever = self.active[0].clone()
            for a in list(self.active)[1:]:
                ever |= a
            dead = 1.0 - float(ever.float().mean())
        return {
            "layer": self.layer,
            "activation": self.activation,
            "gate": self.gate,
            "dead_fraction": dead,
            "saturated_fraction": mean(self.saturated),
            "zero_fraction": mean(self.zeros),
            "mean": mean(self.means),
            "std": mean(self.stds),
            "grad_norm": mean(self.grad_norms),
            "batches": len(self.active),
        }


class Monitor:
    """Per-layer activation statistics over a sliding window of batches; a context manager.

    >>> import torch, actlab.torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    >>> with actlab.torch.Monitor(net, every=1) as mon:
    ...     net(torch.randn(32, 4)).sum().backward()
    >>> [r["layer"] for r in mon.report()]
    ['1']

    Parameters: ``every`` monitors one batch in N (default 10: the forward calls of the model are counted; the
    overhead benchmark in benchmarks/monitor_overhead.py measures the cost of each setting); ``window`` is the
    number of monitored batches the statistics cover; ``modules`` names extra modules to watch (qualified names);
    ``unit_dim`` is the dimension that indexes units (1: features of (N, C) and channels of (N, C, ...));
    ``recognise(module) -> catalog name | None`` recognises more activation classes (see
    :func:`~actlab.torch.register_activation_class` for a lasting rule). Each report row says whether the layer is
    a ``gate`` (a sigmoid-like squeeze-excite or gating activation): the findings leave gates out.
    """

    def __init__(self, model: nn.Module, every: int = 10, window: int = 50, modules: Iterable[str] = (),
                 saturation_threshold: float = 0.01, dead_threshold: float = 0.0, unit_dim: int = 1,
                 recognise: Recogniser | None = None):
        if not isinstance(model, nn.Module):
            raise TypeError(f"Monitor watches a torch.nn.Module; got {type(model).__name__}")
        for pname, value, low in (("every", every, 1), ("window", window, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ParameterError(f"The {pname!r} parameter of Monitor must be an integer >= {low}. Got {value!r}.")
        if not saturation_threshold > 0:
            raise ParameterError(f"saturation_threshold must be > 0. Got {saturation_threshold!r}.")
        self.model = model
        self.every = every
        self.window = window
        self.saturation_threshold = float(saturation_threshold)
        self.dead_threshold = float(dead_threshold)
        self.unit_dim = unit_dim
        self._targets = find_activations(model, modules, recognise)
        if not self._targets:
            raise ParameterError("Monitor: the model has no activation modules to watch (functional activations "
                                 "such as F.relu are invisible to hooks: use nn.ReLU or actlab.torch.module, or name "
                                 "the modules to watch with modules=[...]).")
        gates = find_gates(model, self._targets)
        self._stats = {q: _LayerStats(q, act, window, q in gates) for q, _, act in self._targets}
        self._handles: list = []
        self._calls = 0
        self._step = 0

    # --- attaching ------------------------------------------------------------------------------------------------
    def attach(self) -> "Monitor":
        if self._handles:
            return self
        self._handles.append(self.model.register_forward_pre_hook(self._count_step))
        for qualname, module, _ in self._targets:
            self._handles.append(module.register_forward_pre_hook(self._make_hook(qualname, module)))
        return self

    def detach(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    @property
    def attached(self) -> bool:
        return bool(self._handles)

    def __enter__(self) -> "Monitor":
        return self.attach()

    def __exit__(self, *exc) -> None:
        self.detach()

    # --- hooks ----------------------------------------------------------------------------------------------------
    def _count_step(self, module, args) -> None:
        self._step = self._calls
        self._calls += 1

    def _make_hook(self, qualname: str, module: nn.Module) -> Callable:
        stats = self._stats[qualname]

        def hook(mod, args):
            if self._step % self.every or not args or not torch.is_tensor(args[0]):
                return
            x = args[0]
            if not x.is_floating_point():
                return
            self._measure(stats, mod, x)
            if x.requires_grad and torch.is_grad_enabled():
                # Registered before the module runs, so an in-place activation cannot hide the input's gradient.
                x.register_hook(lambda g: stats.record_grad(float(torch.linalg.vector_norm(g.float()))))

        return hook

    @torch.no_grad()
    def _measure(self, stats: _LayerStats, module: nn.Module, x: torch.Tensor) -> None:
        with torch.enable_grad():
            probe = x.detach().clone().requires_grad_(True)
            # forward(), not __call__: our own hooks must not fire again; the clone keeps in-place modules legal.
            y = module.forward(probe.clone())
            (slope,) = torch.autograd.grad(y.sum(), probe, allow_unused=True) if y.requires_grad else (None,)
        y = y.detach()
        if slope is None:
            slope = torch.zeros_like(probe)
        slope = slope.abs()
        dim = self.unit_dim if x.dim() > 1 else 0
        active = health.active_units(slope, dim, self.dead_threshold)
        stats.active.append(active.cpu())
        yf = y.float()
        std = yf.std() if yf.numel() > 1 else yf.new_zeros(())
        # One device-to-host transfer for all four scalars.
        saturated, zeros, mean, std = torch.stack(
            [health.saturated_fraction(slope, self.saturation_threshold).float(), health.zero_fraction(y).float(),
             yf.mean(), std]
        ).tolist()
        stats.saturated.append(saturated)
        stats.zeros.append(zeros)
        stats.means.append(mean)
        stats.stds.append(std)
        # The gradient of this batch arrives later, in the backward pass (record_grad fills it in).
        stats.history.append([self._step, stats.summary()["dead_fraction"], saturated, math.nan])

    # --- results --------------------------------------------------------------------------------------------------
    def report(self) -> list[dict]:
        """One dict per watched layer, in forward order: layer, activation, dead_fraction, saturated_fraction,
        zero_fraction, mean, std, grad_norm (nan where nothing was measured yet)."""
        return [self._stats[q].summary() for q, _, _ in self._targets]

    def warnings(self, dead: float = 0.3, saturated: float = 0.5, vanishing: float = 1000.0) -> list[str]:
        """Plain-language findings with the cure, as the seeds would give them."""
        from actlab.torch.diagnosis import findings

        return findings(self.report(), window=self.window, dead=dead, saturated=saturated, vanishing=vanishing)

    def table(self):
        """A rich Table of the report, for the terminal."""
        from rich.table import Table

        table = Table(title=f"actlab monitor — last {self.window} monitored batches (every {self.every})")
        for col in ("layer", "activation", "dead", "saturated", "zeros", "mean", "std", "grad norm"):
            table.add_column(col, justify="left" if col in ("layer", "activation") else "right")
        for r in self.report():
            table.add_row(r["layer"], r["activation"], _pct(r["dead_fraction"]), _pct(r["saturated_fraction"]),
                          _pct(r["zero_fraction"]), _num(r["mean"]), _num(r["std"]), _num(r["grad_norm"], "{:.3g}"))
        return table

    def plot(self, path=None):
        """Per-layer bars over time (dead, saturated, gradient norm); saved to ``path`` if given. Returns the figure."""
        from actlab.torch.diagnosis import plot_history

        return plot_history({q: self._stats[q].history for q, _, _ in self._targets},
                            {q: self._stats[q].activation for q, _, _ in self._targets}, path)


def _pct(v: float) -> str:
    return "-" if math.isnan(v) else f"{100 * v:.0f}%"


def _num(v: float, fmt: str = "{:.3f}") -> str:
    return "-" if math.isnan(v) else fmt.format(v)


def matches(where, qualname: str, module: nn.Module) -> bool:
    """Selection shared by replace_activations: None (all), a class or tuple of classes, a glob on the qualified
    name, a list of names/globs, or a callable(qualname, module) -> bool."""
    if where is None:
        return True
    if isinstance(where, type) or (isinstance(where, tuple) and all(isinstance(w, type) for w in where)):
        return isinstance(module, where)
    if isinstance(where, str):
        return fnmatch.fnmatchcase(qualname, where)
    if callable(where):
        return bool(where(qualname, module))
    if isinstance(where, (list, set, frozenset, tuple)):
        return any(matches(w, qualname, module) for w in where)
    raise TypeError("where must be None, a module class (or tuple of classes), a glob string, a list of those, or "
                    f"a callable(qualname, module); got {type(where).__name__}")
