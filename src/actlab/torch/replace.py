"""Swap the activations of a model for actlab's, in place: try the cure the monitor suggests in one call."""

from __future__ import annotations

from typing import Any

from torch import nn

from actlab.torch.monitor import activation_name, matches


def replace_activations(model: nn.Module, activation: str, /, *, where: Any = None, **params: Any) -> int:
    """Replace every activation module of ``model`` (or those ``where`` selects) with actlab's ``activation``.

    ``where`` is None (all), a module class or tuple of classes (``nn.ReLU``), a glob on the qualified name
    (``"encoder.*"``), a list of those, or a callable ``(qualname, module) -> bool``. Each new module takes the
    device and dtype of the parameters or buffers it replaces (or of its parent). Returns how many were replaced.

    >>> import torch, actlab.torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Sequential(torch.nn.Tanh()))
    >>> actlab.torch.replace_activations(net, "gelu")
    2
    """
    from actlab.torch import module as make_module

    make_module(activation, **params)  # fail early, before touching the model, on a bad name or parameter
    # remove_duplicate=False: one nn.ReLU instance shared by several places is replaced at every place.
    targets = [
        (q, m)
        for q, m in model.named_modules(remove_duplicate=False)
        if q and activation_name(m) is not None and matches(where, q, m)
    ]
    for qualname, old in targets:
        parent_name, _, child = qualname.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        new = make_module(activation, **params)
        reference = next(iter(old.parameters()), None) or next(iter(old.buffers()), None)
        if reference is None:
            reference = next(iter(parent.parameters()), None)
        if reference is not None:
            new = new.to(device=reference.device, dtype=reference.dtype if reference.is_floating_point() else None)
        new.train(old.training)
        setattr(parent, child, new)  # also right for nn.Sequential / nn.ModuleList children named "0", "1", ...
    return len(targets)
