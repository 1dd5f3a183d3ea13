"""Dead, saturated and sparse units: the one definition that nn.Recorder, torch's Monitor, compare's probe and the
experiments all measure with.

Inputs are the activation's slopes f'(z) (or its outputs, for sparsity) for a batch, samples first. They may be
NumPy arrays or torch tensors: only operators, ``.any``/``.sum`` and ``.shape`` are used, so the torch monitor
measures on the device without a copy.

* a unit is **dead** when |f'(z)| <= ``dead_below`` for every sample: no gradient reaches its weights, so no step
  of gradient descent can revive it (a ReLU whose pre-activation is negative on all inputs);
* an entry is **saturated** when |f'(z)| < ``saturated_below``: the unit passes (almost) no gradient for that sample
  (sigmoid and tanh far from 0, a switched-off ReLU);
* an output is **sparse** when it is exactly 0.
"""

from __future__ import annotations

import math
from typing import Any

DEAD_BELOW = 0.0
SATURATED_BELOW = 1e-2


def _size(a: Any) -> int:
    return math.prod(a.shape)


def active_units(slopes: Any, unit_axis: int = 1, dead_below: float = DEAD_BELOW) -> Any:
    """Per unit (along ``unit_axis``; a dense layer's units are axis 1, a conv layer's channels too): True where
    |f'(z)| > ``dead_below`` for at least one sample. Units never active over a window of batches are dead."""
    live = abs(slopes) > dead_below
    axis = unit_axis % live.ndim
    for other in reversed(range(live.ndim)):
        if other != axis:
            live = live.any(other)
    return live


def dead_fraction(slopes: Any, unit_axis: int = 1, dead_below: float = DEAD_BELOW) -> float:
    """The fraction of units that are dead on this batch (see :func:`active_units`)."""
    active = active_units(slopes, unit_axis, dead_below)
    return (_size(active) - int(active.sum())) / _size(active)


def saturated(slopes: Any, saturated_below: float = SATURATED_BELOW) -> Any:
    """Per entry: True where |f'(z)| < ``saturated_below``."""
    return abs(slopes) < saturated_below


def saturated_fraction(slopes: Any, saturated_below: float = SATURATED_BELOW) -> Any:
    """The fraction of (sample, unit) entries that are saturated (a 0-d tensor for torch input)."""
    return saturated(slopes, saturated_below).sum() / _size(slopes)


def zero_fraction(outputs: Any) -> Any:
    """The fraction of exact zeros among the outputs: how sparse the representation is (a 0-d tensor for torch)."""
    return (outputs == 0).sum() / _size(outputs)
