"""The kernels layer: how each declared activation is computed.

* :mod:`.numpy_exact`, :mod:`.numpy_float32` - the hand-written NumPy kernels, float64 exact and float32 fast,
  registered by name with ``exact(name, ...)`` and ``float32(name, ...)``; the kernels themselves are in
  :mod:`.numpy`, one module per family (an activation's float32 kernel beside its float64 one: they share constants);
* :mod:`.generated` - kernels generated from the formula, for declarations nobody wrote a kernel for;
* :mod:`.codegen`, :mod:`.stable`, :mod:`.primitives` - the SymPy -> NumPy / PyTorch / mpmath compiler and the
  stable rewrites it relies on (user formulas use them too);
* :mod:`.torch` - the hand-written PyTorch kernels (imported by ``actlab.torch`` only: torch stays optional).

:func:`bind` is the registry's binder: the hand-written kernels registered for a name if there are any, the
generated ones otherwise.
"""

from __future__ import annotations

import dataclasses

from actlab.core.errors import RegistrationError
from actlab.core.spec import ELEMENTWISE, Activation
from actlab.kernels import numpy as _numpy  # noqa: F401  (registers the hand-written kernels)
from actlab.kernels.generated import formula_kernels
from actlab.kernels.numpy_exact import EXACT
from actlab.kernels.numpy_float32 import FLOAT32

__all__ = ["bind", "EXACT", "FLOAT32"]


def bind(spec: Activation) -> Activation:
    """``spec`` with its kernels attached. A spec that brings its own forward (``actlab.define``) keeps it."""
    if spec.forward is not None:
        return spec
    hand = EXACT.get(spec.name)
    if hand is not None:
        fields = {"forward": hand.forward, "derivative": hand.derivative, "vjp": hand.vjp,
                  "derivative_from_output": spec.derivative_from_output or hand.derivative_from_output}
    elif spec.kind == ELEMENTWISE:
        forward, derivative = formula_kernels(spec.formula, tuple(p.name for p in spec.params))
        fields = {"forward": forward, "derivative": derivative}
    else:
        raise RegistrationError(
            f"{spec.name!r} is a {spec.kind} activation: formulas give elementwise kernels only, so it needs a "
            f"hand-written one (actlab.kernels.numpy_exact.exact({spec.name!r}, forward=..., vjp=...)).")
    fast = FLOAT32.get(spec.name)
    if fast is not None:
        fields.update(forward32=fast.forward, derivative32=fast.derivative)
    return dataclasses.replace(spec, **fields)
