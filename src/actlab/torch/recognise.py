"""Which modules of a model are activations, and which of those are gates.

:func:`activation_name` maps a module to the catalog name of the elementwise activation it computes: actlab's own
modules; torch.nn's activation classes (by their class name, which the registry resolves); the classes of timm and
HF transformers listed in :data:`KNOWN_CLASSES` (matched by qualified name along the class's MRO, so neither library
is imported here); and classes the user registers with :func:`register_activation_class` or recognises with a
per-call hook.

:func:`find_gates` tells which of them are *gates*: a sigmoid-like activation (every output in [0, 1]) whose output
multiplies another tensor, as in squeeze-excite blocks (``x * sigmoid(fc(pool(x)))``) and gated units. Swapping a
gate for an unbounded activation changes what the model means, so :func:`~actlab.torch.replace_activations` leaves
gates alone unless asked (``gates=True``). The test is structural: the parent module's forward is traced with
``torch.fx`` (its children as leaves) and the activation's output is followed to a multiplication; an activation that
ends an ``nn.Sequential`` is followed from the Sequential. Where the parent cannot be traced (data-dependent control
flow), the names decide: an attribute called like a gate, or a parent class named like a squeeze-excite/gating block.
"""

from __future__ import annotations

import operator
import re
from functools import lru_cache
from typing import Callable, Union

import torch
from torch import nn

import actlab
from actlab.errors import ParameterError, UnknownActivation

# Qualified class name -> catalog name. Each class computes exactly the catalog activation (checked against the
# installed libraries by tests/test_torch_models.py).
KNOWN_CLASSES: dict[str, str] = {
    # timm.layers.activations: plain definitions; activations_me: memory-efficient autograd versions
    "timm.layers.activations.Swish": "silu",
    "timm.layers.activations.Mish": "mish",
    "timm.layers.activations.Sigmoid": "sigmoid",
    "timm.layers.activations.Tanh": "tanh",
    "timm.layers.activations.HardSwish": "hard_swish",
    "timm.layers.activations.HardSigmoid": "hard_sigmoid",
    "timm.layers.activations.HardMish": "hard_mish",
    "timm.layers.activations.GELU": "gelu",
    "timm.layers.activations.GELUTanh": "gelu_tanh",
    "timm.layers.activations.QuickGELU": "quick_gelu",
    "timm.layers.activations_me.SwishMe": "silu",
    "timm.layers.activations_me.MishMe": "mish",
    "timm.layers.activations_me.HardSigmoidMe": "hard_sigmoid",
    "timm.layers.activations_me.HardSwishMe": "hard_swish",
    "timm.layers.activations_me.HardMishMe": "hard_mish",
    # transformers.activations (ACT2CLS); Clipped/Laplace/ReLUSquared/XIELU have no catalog twin, Linear is identity
    "transformers.activations.GELUActivation": "gelu",
    "transformers.activations.NewGELUActivation": "gelu_tanh",
    "transformers.activations.FastGELUActivation": "gelu_tanh",
    "transformers.activations.AccurateGELUActivation": "gelu_tanh",
    "transformers.activations.GELUTanh": "gelu_tanh",
    "transformers.activations.PytorchGELUTanh": "gelu_tanh",
    "transformers.activations.QuickGELUActivation": "quick_gelu",
    "transformers.activations.SiLUActivation": "silu",
    "transformers.activations.MishActivation": "mish",
}

# A recogniser: module -> catalog name, or None for "not an activation".
Recogniser = Callable[[nn.Module], Union[str, None]]
_USER: dict[str, str | Recogniser] = {}

# torch.nn class names that look like catalog names but are not activations.
_NOT_ACTIVATIONS = {"Linear", "Identity", "Bilinear", "LazyLinear"}


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def register_activation_class(cls: type | str, name: str | Recogniser) -> None:
    """Recognise the module class ``cls`` (a class or its qualified name ``"pkg.module.Class"``) as the catalog
    activation ``name``, or let ``name(module)`` decide per instance (return a catalog name or None). Subclasses are
    recognised too. Used by :func:`~actlab.torch.replace_activations` and :class:`~actlab.torch.Monitor`.

    >>> import torch, actlab.torch as at
    >>> class MySwish(torch.nn.Module):
    ...     def forward(self, x):
    ...         return x * torch.sigmoid(x)
    >>> at.register_activation_class(MySwish, "silu")
    >>> at.replace_activations(torch.nn.Sequential(MySwish()), "mish").by_class
    {'MySwish': 1}
    """
    key = _qualified(cls) if isinstance(cls, type) else cls
    if not isinstance(key, str) or "." not in key:
        raise ParameterError(f"register_activation_class takes a module class or its qualified name "
                             f"('package.module.Class'); got {cls!r}")
    if not callable(name):
        name = _elementwise(actlab.resolve(name))
    _USER[key] = name


def _elementwise(name: str) -> str:
    if actlab.spec(name).kind != "elementwise":
        raise ParameterError(f"{name} is a {actlab.spec(name).kind} activation; only elementwise activation modules "
                             f"are recognised and replaced")
    return name


def activation_name(module: nn.Module, recognise: Recogniser | None = None) -> str | None:
    """The catalog name of the elementwise activation ``module`` computes, or None if it is not one."""
    if recognise is not None:
        name = recognise(module)
        if name is not None:
            return actlab.resolve(name)
    cls = type(module)
    if cls.__module__.startswith("actlab"):
        for attr in ("activation_name", "name"):
            name = getattr(module, attr, None)
            if isinstance(name, str):
                return actlab.resolve(name)
    spec = getattr(module, "spec", None)
    if isinstance(spec, actlab.Activation):
        return spec.name
    for klass in cls.__mro__:
        key = _qualified(klass)
        found = _USER.get(key)
        if found is not None:
            return found(module) if callable(found) else found
        if key in KNOWN_CLASSES:
            return KNOWN_CLASSES[key]
    return _torch_nn_name(module)


def _torch_nn_name(module: nn.Module) -> str | None:
    cls = type(module)
    if not cls.__module__.startswith("torch.nn") or cls.__name__ in _NOT_ACTIVATIONS:
        return None
    try:
        name = actlab.resolve(cls.__name__)
    except UnknownActivation:
        return None
    if actlab.spec(name).kind != "elementwise":
        return None
    if name == "gelu" and getattr(module, "approximate", "none") == "tanh":
        return "gelu_tanh"
    return name


def find_activations(model: nn.Module, recognise: Recogniser | None = None,
                     remove_duplicate: bool = True) -> list[tuple[str, nn.Module, str]]:
    """(qualified name, module, catalog name) of every activation module of ``model`` (the root excluded)."""
    found = []
    for qualname, module in model.named_modules(remove_duplicate=remove_duplicate):
        if not qualname:
            continue
        name = activation_name(module, recognise)
        if name is not None:
            found.append((qualname, module, name))
    return found


@lru_cache(maxsize=None)
def sigmoid_like(name: str) -> bool:
    """Whether every output of the catalog activation lies in [0, 1] (on a wide grid, its default parameters):
    what a gate must keep."""
    import numpy as np

    if name not in actlab.names():  # a module the user names for the Monitor ("square"): not a catalog activation
        return False
    x = np.concatenate([np.linspace(-60.0, 60.0, 4001), [-1e6, 1e6]])
    with np.errstate(all="ignore"):
        y = np.asarray(actlab.get(name)(x), dtype=np.float64)
    y = y[np.isfinite(y)]
    return y.size > 0 and float(y.min()) >= 0.0 and float(y.max()) <= 1.0


_GATE_ATTR = re.compile(r"gate|gating|scale_act", re.IGNORECASE)
_GATE_BLOCK = re.compile(r"squeeze|excit|^se[A-Z_]|SE(Module|Layer|Block)?$|gate|gating|attention", re.IGNORECASE)
_MULTIPLY = {operator.mul, operator.imul, torch.mul, torch.Tensor.mul, torch.Tensor.mul_, "mul", "mul_"}


def find_gates(model: nn.Module, activations: list[tuple[str, nn.Module, str]]) -> set[str]:
    """The qualified names, among ``activations``, of sigmoid-like activations used as gates (see the module doc)."""
    modules = dict(model.named_modules(remove_duplicate=False))
    traced: dict[str, dict[str, bool] | None] = {}
    gates = set()
    for qualname, _, name in activations:
        if sigmoid_like(name) and _is_gate(modules, qualname, traced):
            gates.add(qualname)
    return gates


def _is_gate(modules: dict[str, nn.Module], qualname: str, traced: dict) -> bool:
    parent_name, _, child = qualname.rpartition(".")
    parent = modules.get(parent_name)
    if parent is None:
        return False
    if isinstance(parent, nn.Sequential) and parent_name:  # the Sequential's output is the activation's
        if child == list(parent._modules)[-1]:
            return _is_gate(modules, parent_name, traced)
        return False
    if parent_name not in traced:
        traced[parent_name] = _multiplied_children(parent)
    uses = traced[parent_name]
    if uses is not None:
        return uses.get(child, False)
    return bool(_GATE_ATTR.search(child) or _GATE_BLOCK.search(type(parent).__name__))


class _ChildrenAsLeaves(torch.fx.Tracer):
    def __init__(self, root: nn.Module):
        super().__init__()
        self.root_module = root

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return m is not self.root_module


def _multiplied_children(parent: nn.Module) -> dict[str, bool] | None:
    """For each child called in ``parent.forward``: whether its output is multiplied by something; None when the
    forward cannot be traced symbolically."""
    try:
        graph = _ChildrenAsLeaves(parent).trace(parent)
    except Exception:  # noqa: BLE001 - data-dependent control flow, unsupported ops: fall back to names
        return None
    result: dict[str, bool] = {}
    for node in graph.nodes:
        if node.op != "call_module":
            continue
        child = str(node.target).split(".")[0]
        multiplied = any(user.op in ("call_function", "call_method") and user.target in _MULTIPLY
                         and any(isinstance(a, torch.fx.Node) and a is not node for a in user.args)
                         for user in node.users)
        result[child] = result.get(child, False) or multiplied
    return result
