"""Swap the activations of a model for actlab's, in place: try the cure the monitor suggests in one call."""

from __future__ import annotations

from collections import Counter
from typing import Any

from torch import nn

from actlab.torch.monitor import matches
from actlab.torch.recognise import Recogniser, find_activations, find_gates


class Replaced(int):
    """How many modules :func:`replace_activations` replaced (an ``int``: compare and add it like one), and which.

    ``modules``: {qualified name: class name} of the replaced modules; ``by_class``: {class name: count};
    ``gates``: {qualified name: class name} of the gates left alone (``gates=False``)."""

    modules: dict[str, str]
    gates: dict[str, str]

    def __new__(cls, modules: dict[str, str], gates: dict[str, str]) -> "Replaced":
        self = super().__new__(cls, len(modules))
        self.modules, self.gates = modules, gates
        return self

    @property
    def by_class(self) -> dict[str, int]:
        return dict(Counter(self.modules.values()))

    @property
    def gates_by_class(self) -> dict[str, int]:
        return dict(Counter(self.gates.values()))

    def __repr__(self) -> str:
        parts = ", ".join(f"{n} {c}" for c, n in self.by_class.items()) or "nothing"
        kept = f"; gates left alone: {', '.join(f'{n} {c}' for c, n in self.gates_by_class.items())}" \
            if self.gates else ""
        return f"{int(self)} replaced ({parts}{kept})"

    def __reduce__(self):
        return Replaced, (self.modules, self.gates)


def replace_activations(model: nn.Module, activation: str, /, *, where: Any = None, gates: bool = False,
                        recognise: Recogniser | None = None, **params: Any) -> Replaced:
    """Replace every activation module of ``model`` (or those ``where`` selects) with actlab's ``activation``.

    Activation modules are torch.nn's, timm's, HF transformers', actlab's, and classes registered with
    :func:`~actlab.torch.register_activation_class`; ``recognise(module) -> catalog name | None`` adds a per-call
    rule. Gates (a sigmoid-like activation whose output multiplies a tensor: squeeze-excite, gated units; see
    :mod:`actlab.torch.recognise`) are left alone unless ``gates=True``.

    ``where`` is None (all), a module class or tuple of classes (``nn.ReLU``), a glob on the qualified name
    (``"encoder.*"``), a list of those, or a callable ``(qualname, module) -> bool``. Each new module takes the
    device and dtype of the parameters or buffers it replaces (or of its parent), and ``inplace=True`` where the
    module it replaces was in place and actlab's activation honours it. Returns a :class:`Replaced`: the count, with
    ``.by_class`` and ``.gates`` saying what was replaced and what was left alone.

    >>> import torch, actlab.torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Sequential(torch.nn.Tanh()))
    >>> done = actlab.torch.replace_activations(net, "gelu")
    >>> done == 2, done.by_class
    (True, {'ReLU': 1, 'Tanh': 1})
    """
    from actlab.torch import module as make_module

    make_module(activation, **params)  # fail early, before touching the model, on a bad name or parameter
    # remove_duplicate=False: one nn.ReLU instance shared by several places is replaced at every place.
    found = find_activations(model, recognise, remove_duplicate=False)
    skipped = set() if gates else find_gates(model, found)
    targets = [(q, m) for q, m, _ in found if q not in skipped and matches(where, q, m)]
    in_place = _in_place_params(activation, params, make_module)
    for qualname, old in targets:
        parent_name, _, child = qualname.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        # inplace where the old module worked in place (torch's ResNet ReLUs): the model was built for it, and an
        # out-of-place swap costs an allocation and a pass per call.
        new = make_module(activation, **(in_place if getattr(old, "inplace", False) is True else params))
        reference = next(iter(old.parameters()), None) or next(iter(old.buffers()), None)
        if reference is None:
            reference = next(iter(parent.parameters()), None)
        if reference is not None:
            new = new.to(device=reference.device, dtype=reference.dtype if reference.is_floating_point() else None)
        new.train(old.training)
        setattr(parent, child, new)  # also right for nn.Sequential / nn.ModuleList children named "0", "1", ...
    gate_modules = {q: type(m).__name__ for q, m, _ in found if q in skipped and matches(where, q, m)}
    return Replaced({q: type(m).__name__ for q, m in targets}, gate_modules)


def _in_place_params(activation: str, params: dict, make_module) -> dict:
    """``params`` with inplace=True if actlab's activation honours it in this mode (else ``params``)."""
    if "inplace" in params:
        return params
    try:
        make_module(activation, inplace=True, **params)
    except Exception:  # noqa: BLE001 - not in place in this mode (an exact kernel, a memory mode): out of place
        return params
    return {**params, "inplace": True}
