"""``get_act_layer``: timm-style look-up of an activation layer class from a name, a spec, a class or None."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from torch import nn

import actlab
from actlab.spec import Activation as Spec
from actlab.spec import BoundActivation
from actlab.torch.modules import module_class


def get_act_layer(layer: str | Spec | BoundActivation | type[nn.Module] | None) -> Callable[..., nn.Module]:
    """A callable that builds the activation module: call it with the parameters (``get_act_layer("elu")(alpha=2)``).

    * a name or alias (any case, '-' or '_'): actlab's module class for it; unknown names raise
      ``actlab.UnknownActivation`` with the closest matches;
    * a spec: its module class; a bound activation (``actlab.get("elu", alpha=2)``): the class with those values;
    * an ``nn.Module`` subclass: returned unchanged; ``None``: ``nn.Identity``.
    """
    if layer is None:
        return nn.Identity
    if isinstance(layer, type):
        if issubclass(layer, nn.Module):
            return layer
        raise TypeError(f"get_act_layer takes a name, a spec, an nn.Module subclass or None; got the class "
                        f"{layer.__name__}, which is not an nn.Module")
    if isinstance(layer, BoundActivation):
        return partial(module_class(layer.name), **layer.params)
    if isinstance(layer, Spec):
        if layer.source != "catalog":
            return partial(_user_module, layer)
        return module_class(layer.name)
    if isinstance(layer, str):
        return module_class(actlab.resolve(layer))
    raise TypeError(f"get_act_layer takes a name, a spec, an nn.Module subclass or None; got {layer!r} of type "
                    f"{type(layer).__name__}")


def _user_module(spec: Spec, **kwargs: Any) -> nn.Module:
    from actlab.torch.modules import Activation

    return Activation(spec, **kwargs)
