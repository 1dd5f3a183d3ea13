"""``module(name, **params)``: any catalog activation as a ``torch.nn.Module``.

One generic :class:`Activation` module stores the hyper-parameters and calls the functional; learnable parameters
(those the spec marks ``learnable``: PReLU's alpha, Swish's beta, Snake's alpha) are ``nn.Parameter`` of shape
``(num_parameters,)``, one per channel along dim 1 when ``num_parameters > 1`` (as ``torch.nn.PReLU`` does).
:func:`module_class` gives each activation its own subclass (``actlab.torch.module_class("silu")().__class__.__name__
== "Silu"``), so ``get_act_layer`` can hand out classes the way timm does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import torch
from torch import nn

import actlab
from actlab.errors import ParameterError
from actlab.spec import Activation as Spec
from actlab.spec import BoundActivation
from actlab.torch.functional import TorchActivation


class Activation(nn.Module):
    """A catalog activation as a module. ``Activation("elu", alpha=0.5)``; see :func:`actlab.torch.function` for
    ``exact``, ``memory``, ``bits``, ``inplace`` and ``dim``."""

    def __init__(self, name: str | Spec | BoundActivation, *, exact: bool | None = None, memory: str | None = None,
                 bits: int | None = None, inplace: bool = False, dim: int = -1, num_parameters: int = 1,
                 **params: Any):
        super().__init__()
        self._settings = dict(exact=exact, memory=memory, bits=bits, inplace=inplace, dim=dim)
        self.fn = TorchActivation(name, **self._settings, **params)
        self.spec = self.fn.spec
        self.name = self.activation_name = self.fn.name
        self.inplace = self.fn.inplace
        learnable = [p for p in self.spec.params if p.learnable]
        if learnable and self.fn.memory != "full":
            raise ParameterError(
                f"memory={self.fn.memory!r} cannot apply to {self.name}'s learnable parameter(s) "
                f"{', '.join(p.name for p in learnable)}: their gradient needs the full input, which the "
                f"{self.fn.memory} mode does not keep. Use memory='full' for the learnable module, or fix the value "
                f"with actlab.torch.function({self.name!r}, memory={self.fn.memory!r}, "
                f"{learnable[0].name}={self.fn.params[learnable[0].name]!r}).")
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) or num_parameters < 1:
            raise ParameterError(f"num_parameters must be an integer >= 1; got {num_parameters!r}")
        if num_parameters != 1 and not learnable:
            raise ParameterError(f"num_parameters={num_parameters} is for activations with learnable parameters; "
                                 f"{self.name} has none")
        self.num_parameters = num_parameters
        self._learnable = tuple(p.name for p in learnable)
        for p in learnable:
            self.register_parameter(p.name, nn.Parameter(torch.full((num_parameters,), float(self.fn.params[p.name]))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self._learnable:
            return self.fn(x, training=self.training)
        tensors = {}
        for pname in self._learnable:
            # The parameter in the input's dtype (float16 in, float16 out, as torch.nn.PReLU), and with no shape of
            # its own when it is one value: a 0-dim input stays 0-dim.
            w = getattr(self, pname).to(x.dtype)
            if self.num_parameters == 1 and self.name != "prelu":
                w = w.reshape(())
            elif self.num_parameters > 1 and self.name != "prelu":
                if x.ndim < 2 or x.shape[1] != self.num_parameters:
                    raise ValueError(f"{self.name} has num_parameters={self.num_parameters}, one per channel along "
                                     f"dim 1; got an input of shape {tuple(x.shape)}")
                w = w.view(1, -1, *([1] * (x.ndim - 2)))
            tensors[pname] = w
        return self.fn(x, training=self.training, **tensors)

    def extra_repr(self) -> str:
        fixed = [] if type(self).__dict__.get("activation_name") else [repr(self.name)]  # the generic class: name it
        fixed += [f"{k}={v:g}" if isinstance(v, float) else f"{k}={v!r}"
                 for k, v in self.fn.params.items() if k not in self._learnable]
        if self._learnable:
            fixed.append(f"num_parameters={self.num_parameters}")
        if self.spec.kind != "elementwise":
            fixed.append(f"dim={self.fn.dim}")
        if self.inplace:
            fixed.append("inplace=True")
        # learnable parameters go through torch's PReLU kernel or the autograd composition of the kernel
        mode = self.fn.mode if not self._learnable else ("native" if self.name == "prelu" else "composed")
        fixed.append(f"mode={mode!r}")
        return ", ".join(fixed)

    # The functional holds kernels (plain functions); rebuild it rather than pickle it (torch.save(model)).
    def __prepare_scriptable__(self) -> nn.Module:
        """What ``torch.jit.script`` compiles in place of this module (it asks every submodule): actlab's kernels are
        Python functions TorchScript cannot compile, so the module is traced on an example input, which records
        its forward as plain torch ops (as for ONNX export: the exact mode's float32-faithful form). Elementwise
        kernels trace shape-generic; their constants take the example's dtype (the parameters', else the default
        dtype)."""
        import warnings

        dtype = next((p.dtype for p in self.parameters()), torch.get_default_dtype())
        k = int(self.fn.params.get("k", 2))
        width = self.num_parameters if self.num_parameters > 1 else (12 if 12 % k == 0 else 2 * k)
        example = torch.linspace(-3.0, 3.0, 2 * width, dtype=dtype).reshape(2, width)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's and the deprecation notes: the trace is checked in tests
            return torch.jit.trace(self, example, check_trace=False)

    # A user formula's spec holds generated functions: it travels as its formula and is re-defined on loading.
    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["fn"] = None
        state["_fn_params"] = dict(self.fn.params)
        if self.spec.source != "catalog":
            state["spec"] = _UserFormula(self.spec.name, self.spec.formula,
                                         {p.name: p.default for p in self.spec.params})
        return state

    def __setstate__(self, state: dict) -> None:
        params = state.pop("_fn_params")
        if isinstance(state.get("spec"), _UserFormula):
            state["spec"] = state["spec"].spec()
        self.__dict__.update(state)
        self.fn = TorchActivation(self.spec if self.spec.source != "catalog" else self.name, **self._settings,
                                  **params)


@dataclass(frozen=True)
class _UserFormula:
    """A user activation as pickled: its name, formula and parameter defaults."""

    name: str
    formula: str
    defaults: dict

    def spec(self) -> Spec:
        """The registered spec of that name if it has this formula, else the formula defined again (registered, as
        in the process that saved it). A different formula under the name is an error, not silently replaced."""
        try:
            current = actlab.spec(self.name)
        except actlab.UnknownActivation:
            actlab.define(self.name, self.formula, check=False, **self.defaults)
            return actlab.spec(self.name)
        if current.source != "catalog" and current.formula == self.formula:
            return current
        raise ParameterError(f"cannot load the module of the user activation {self.name!r} (formula "
                             f"{self.formula!r}): that name now means {current.formula!r} in this process. "
                             f"Remove it first with actlab.undefine({self.name!r}) or load in a fresh process.")


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


@lru_cache(maxsize=None)
def module_class(name: str) -> type[Activation]:
    """A subclass of :class:`Activation` bound to one activation: ``module_class("elu")(alpha=0.5)``."""
    canonical = actlab.resolve(name)

    def __init__(self, **kwargs: Any) -> None:
        Activation.__init__(self, canonical, **kwargs)

    def __reduce__(self):  # pickles as the generic class: the subclass is made on the fly
        return _rebuild, (canonical, self._settings, dict(self.fn.params), self.num_parameters, self.state_dict(),
                          self.training)

    return type(_class_name(canonical), (Activation,), {"__init__": __init__, "__reduce__": __reduce__,
                                                         "__module__": __name__, "activation_name": canonical})


def _rebuild(name, settings, params, num_parameters, state, training=True):
    m = module_class(name)(num_parameters=num_parameters, **settings, **{
        k: v for k, v in params.items() if k not in state})
    m.load_state_dict(state)
    return m.train(training)  # eval() survives pickling (RReLU draws slopes only in training)


def module(name: str | Spec | BoundActivation, **kwargs: Any) -> Activation:
    """The activation ``name`` as an ``nn.Module``.

    >>> import torch, actlab.torch as at
    >>> m = at.module("prelu", num_parameters=3)
    >>> m
    Prelu(num_parameters=3, mode='native')
    >>> sum(p.numel() for p in m.parameters())
    3
    """
    if isinstance(name, BoundActivation):
        kwargs = {**name.params, **kwargs}
        name = name.spec
    spec = actlab.spec(name)
    if spec.source != "catalog":  # user formulas may be re-defined: do not cache a class per name
        return Activation(spec, **kwargs)
    return module_class(spec.name)(**kwargs)
