"""Hooks that record what happens inside the activation layers: the numbers behind dying ReLUs, saturation and
vanishing gradients.

>>> import numpy as np, actlab.nn as nn
>>> model = nn.mlp(3, [8, 8], 2, "relu", seed=0)
>>> with nn.Recorder(model) as rec:
...     out = model.forward(np.ones((5, 3)))
...     _ = model.backward(np.ones_like(out))
>>> [r.pre.shape for r in rec.records], len(rec.dead_fraction())
([(5, 8), (5, 8)], 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from actlab.core import health
from actlab.nn.model import Sequential


@dataclass
class LayerRecord:
    """What one activation layer saw in the last recorded pass.

    ``pre`` the pre-activations Z, ``out`` the outputs f(Z), ``grad_out`` dL/d(out) arriving from above,
    ``grad_pre`` dL/dZ passed below (``None`` until a backward pass ran).
    """

    index: int
    layer: object
    pre: np.ndarray | None = None
    out: np.ndarray | None = None
    grad_out: np.ndarray | None = None
    grad_pre: np.ndarray | None = None
    name: str = ""
    extra: dict = field(default_factory=dict)

    def local_derivative(self) -> np.ndarray | None:
        """f'(Z) for elementwise activation layers (None for softmax, GLU, CReLU, maxout)."""
        fn = getattr(self.layer, "local_derivative", None)
        if fn is None or self.pre is None or getattr(self.layer, "elementwise", True) is False:
            return None
        return fn(self.pre)


class Recorder:
    """Records each activation layer's pre-activations, outputs and gradients while attached to a model.

    Attaches on construction (or use it as a context manager, which detaches at the end); every forward and
    backward pass overwrites the record of the previous one, so after ``nn.fit`` it holds the last mini-batch. For
    a measurement on chosen data, run ``model.forward(X)`` (and ``model.backward(...)``) while it is attached.
    ``copy=True`` stores copies (safe if a layer reuses its buffers).
    """

    def __init__(self, model: Sequential, copy: bool = True):
        self.model = model
        self.copy = copy
        self.records = [LayerRecord(i, layer, name=_layer_name(layer))
                        for i, layer in enumerate(model.layers) if getattr(layer, "records", False)]
        self._by_index = {r.index: r for r in self.records}
        self.attached = False
        self.attach()

    def attach(self) -> "Recorder":
        if not self.attached:
            self.model.add_hook(self)
            self.attached = True
        return self

    def remove(self) -> None:
        self.model.remove_hook(self)
        self.attached = False

    def __enter__(self) -> "Recorder":
        return self.attach()

    def __exit__(self, *exc) -> None:
        self.remove()

    def _keep(self, a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else (a.copy() if self.copy else a)

    # --- the hook interface Sequential calls --------------------------------------------------------------------
    def on_forward(self, i, layer, inp, out) -> None:
        rec = self._by_index.get(i)
        if rec is not None:
            rec.pre, rec.out = self._keep(inp), self._keep(out)
            rec.grad_out = rec.grad_pre = None

    def on_backward(self, i, layer, grad_out, grad_in) -> None:
        rec = self._by_index.get(i)
        if rec is not None:
            rec.grad_out, rec.grad_pre = self._keep(grad_out), self._keep(grad_in)

    # --- summaries ----------------------------------------------------------------------------------------------
    def dead_fraction(self) -> list[float]:
        """Per layer, the fraction of units whose derivative is 0 for every sample of the recorded batch (a dead
        ReLU passes no gradient at all). NaN for layers without an elementwise derivative."""
        out = []
        for rec in self.records:
            d = rec.local_derivative()
            out.append(health.dead_fraction(d, unit_axis=1) if d is not None else float("nan"))
        return out

    def saturation(self, tol: float = 1e-2) -> list[float]:
        """Per layer, the fraction of (sample, unit) entries where |f'(z)| < tol (saturated or switched off)."""
        out = []
        for rec in self.records:
            d = rec.local_derivative()
            out.append(float(health.saturated_fraction(d, tol)) if d is not None else float("nan"))
        return out

    def zero_fraction(self) -> list[float]:
        """Per layer, the fraction of exact zeros in the outputs (sparsity of the representation)."""
        return [float(health.zero_fraction(rec.out)) if rec.out is not None else float("nan") for rec in self.records]

    def grad_norms(self) -> list[float]:
        """Per layer, the L2 norm of dL/dZ (the delta flowing through the layer) — shrinking towards the input
        when gradients vanish. NaN before a backward pass."""
        return [float(np.linalg.norm(rec.grad_pre)) if rec.grad_pre is not None else float("nan")
                for rec in self.records]

    def weight_grad_norms(self) -> list[float]:
        """The L2 norm of the gradient of every Dense-like layer's weight matrix, input side first."""
        return [float(np.linalg.norm(layer.grads["W"])) for layer in self.model.layers if "W" in layer.grads]

    def summary(self) -> list[dict]:
        """One dict per activation layer with all of the above (JSON-ready)."""
        rows = []
        for rec, dead, sat, zero, g in zip(self.records, self.dead_fraction(), self.saturation(),
                                           self.zero_fraction(), self.grad_norms()):
            rows.append({"index": rec.index, "name": rec.name, "dead_fraction": dead, "saturation": sat,
                         "zero_fraction": zero, "grad_norm": g,
                         "pre_mean": float(np.mean(rec.pre)) if rec.pre is not None else float("nan"),
                         "pre_std": float(np.std(rec.pre)) if rec.pre is not None else float("nan")})
        return rows


def _layer_name(layer) -> str:
    act = getattr(layer, "act", None)
    return act.name if act is not None else type(layer).__name__.lower()
