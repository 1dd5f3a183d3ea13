"""Weight initialisers: Glorot/Xavier, He/Kaiming, LeCun, zeros, and the rule that picks one for an activation.

Each initialiser draws a ``(fan_in, fan_out)`` matrix from a seeded ``numpy.random.Generator``:

* Glorot/Xavier (Glorot & Bengio 2010): Var(W) = 2 / (fan_in + fan_out), for tanh-like activations;
* He/Kaiming (He et al. 2015): Var(W) = 2 / fan_in, for ReLU-like activations (half the units are off);
* LeCun (LeCun et al. 1998): Var(W) = 1 / fan_in, what SELU's self-normalisation assumes.

The uniform forms use the bound sqrt(3 Var); the normal forms use the standard deviation sqrt(Var).
"""

from __future__ import annotations

import difflib
import math
from typing import Callable

import numpy as np

from actlab.errors import ParameterError


def _variance(kind: str, fan_in: int, fan_out: int) -> float:
    if kind == "glorot":
        return 2.0 / (fan_in + fan_out)
    if kind == "he":
        return 2.0 / fan_in
    return 1.0 / fan_in  # lecun


def _uniform(kind: str) -> Callable[..., np.ndarray]:
    def draw(rng: np.random.Generator, fan_in: int, fan_out: int, dtype=np.float32) -> np.ndarray:
        bound = math.sqrt(3.0 * _variance(kind, fan_in, fan_out))
        return rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype)

    draw.__name__ = f"{kind}_uniform"
    return draw


def _normal(kind: str) -> Callable[..., np.ndarray]:
    def draw(rng: np.random.Generator, fan_in: int, fan_out: int, dtype=np.float32) -> np.ndarray:
        return rng.normal(0.0, math.sqrt(_variance(kind, fan_in, fan_out)), (fan_in, fan_out)).astype(dtype)

    draw.__name__ = f"{kind}_normal"
    return draw


def zeros(rng: np.random.Generator, fan_in: int, fan_out: int, dtype=np.float32) -> np.ndarray:
    """All zeros: every unit computes the same thing, so only for output layers or tests."""
    return np.zeros((fan_in, fan_out), dtype=dtype)


INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "glorot_uniform": _uniform("glorot"),
    "glorot_normal": _normal("glorot"),
    "he_uniform": _uniform("he"),
    "he_normal": _normal("he"),
    "lecun_uniform": _uniform("lecun"),
    "lecun_normal": _normal("lecun"),
    "zeros": zeros,
}
_ALIASES = {
    "xavier_uniform": "glorot_uniform",
    "xavier_normal": "glorot_normal",
    "kaiming_uniform": "he_uniform",
    "kaiming_normal": "he_normal",
    "glorot": "glorot_uniform",
    "xavier": "glorot_uniform",
    "he": "he_normal",
    "kaiming": "he_normal",
    "lecun": "lecun_normal",
    "zero": "zeros",
}


def auto_init(activation) -> str:
    """The initialiser that suits an activation (a BoundActivation or None for a linear layer).

    Self-normalising activations (SELU) need LeCun normal; bounded ones (sigmoid, tanh, hard-tanh, ...) Glorot
    uniform; unbounded ones (the ReLU family, ELU, GELU, Swish, ...) He normal, whose variance 2/fan_in compensates
    for the half of the inputs that they (nearly) switch off.
    """
    if activation is None:
        return "glorot_uniform"
    props = activation.properties
    if props["self_normalizing"]:
        return "lecun_normal"
    if props["bounded"]:
        return "glorot_uniform"
    return "he_normal"


def get_initializer(name: str | Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """The initialiser called ``name`` (a callable ``(rng, fan_in, fan_out, dtype)`` is returned unchanged)."""
    if callable(name):
        return name
    key = str(name).strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in INITIALIZERS:
        choices = [*INITIALIZERS, *_ALIASES]
        close = difflib.get_close_matches(key, choices, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ParameterError(
            f"Unknown initialiser {name!r}.{hint} Expected one of: {', '.join(INITIALIZERS)} or 'auto'."
        )
    return INITIALIZERS[key]


def bias_vector(bias_init: float | str, rng: np.random.Generator, fan_in: int, fan_out: int, dtype) -> np.ndarray:
    """The initial bias: a constant (0; a small positive value such as 0.1 keeps ReLU units alive at the start, as
    the seeds suggest) or "uniform", scikit-learn's choice of U(-b, b) with the Glorot bound b."""
    if isinstance(bias_init, str):
        if bias_init.strip().lower() != "uniform":
            raise ParameterError(f"bias_init must be a finite number or 'uniform'. Got {bias_init!r}.")
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, fan_out).astype(dtype)
    if isinstance(bias_init, bool) or not isinstance(bias_init, (int, float, np.floating, np.integer)):
        raise ParameterError(f"bias_init must be a finite number or 'uniform'. Got {bias_init!r}.")
    if not math.isfinite(float(bias_init)):
        raise ParameterError(f"bias_init must be a finite number or 'uniform'. Got {bias_init!r}.")
    return np.full(fan_out, float(bias_init), dtype=dtype)
