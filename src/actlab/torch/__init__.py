"""actlab's PyTorch adapter: every catalog activation as a function or a module, exact and fast.

Imported only on request (``import actlab`` never imports torch)::

    >>> import torch, actlab.torch as at
    >>> at.module("gelu", exact=True)
    Gelu(mode='exact')

``function(name, **params)`` and ``module(name, **params)`` take ``exact`` (1 ULP forward / 2 ULP gradient in
float32), ``memory`` ("full", "bit" for piecewise-linear activations, "fewbit" with ``bits``) and ``inplace``
(where torch's native kernel honours it). ``get_act_layer`` looks up a layer class timm-style. actlab's own
autograd Functions run each pass as one loop compiled by TorchInductor for large tensors (``configure_compile``;
chunked torch kernels otherwise). See docs/torch.md.
"""

from __future__ import annotations

try:
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without torch
    raise ImportError("actlab.torch needs PyTorch: pip install 'actlab[torch]'") from exc

from actlab.torch.arithmetic import NAU, NMU  # noqa: F401 -- Madsen & Johansen's arithmetic units
from actlab.torch.autograd import saved_bytes
from actlab.torch.compiled import configure as configure_compile
from actlab.torch.functional import TorchActivation, function
from actlab.torch.lookup import get_act_layer
from actlab.torch.modules import Activation, module, module_class

__all__ = ["Activation", "Monitor", "TorchActivation", "configure_compile", "function", "get_act_layer", "module",
           "module_class", "register_activation_class", "replace_activations", "saved_bytes"]

# Parts that live in their own modules and load on first use (the monitor pulls in more than most users need).
_LAZY = {"Monitor": "actlab.torch.monitor", "replace_activations": "actlab.torch.replace",
         "register_activation_class": "actlab.torch.recognise"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'actlab.torch' has no attribute {name!r}")
