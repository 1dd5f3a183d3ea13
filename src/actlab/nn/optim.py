"""Optimisers: SGD, momentum / Nesterov, Adam — in place, on lists of parameter and gradient arrays.

``opt.step(params, grads)`` updates every array of ``params`` in place; the state (velocities, moments) is created
on the first step with the parameters' dtype, so float32 models stay float32. The update rules are scikit-learn's
(``sklearn.neural_network._stochastic_optimizers``), so the estimators and the benchmark compare like with like.
"""

from __future__ import annotations

import difflib
import math
from typing import Sequence

import numpy as np

from actlab.errors import ParameterError


def _check(value: float, name: str, low: float, high: float = math.inf, *, low_open: bool = False,
           high_open: bool = False) -> float:
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    v = float(value) if ok else math.nan
    ok = ok and math.isfinite(v) and (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if not ok:
        left, right = ("(" if low_open else "["), (")" if high_open else "]")
        raise ParameterError(f"{name} must be a finite float in {left}{low:g}, {high:g}{right}. Got {value!r}.")
    return v


class Optimizer:
    """Base class. ``lr`` may be changed between steps (learning-rate schedules do)."""

    def __init__(self, lr: float):
        self.lr = _check(lr, "the learning rate lr", 0.0, low_open=True)
        self.t = 0  # steps taken

    def reset(self) -> None:
        """Forget the state (moments, velocities, step count)."""
        self.t = 0

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_") and k != "t")
        return f"{type(self).__name__}({fields})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum:

    v <- momentum v - lr g;  p <- p + v             (classical momentum, Polyak 1964)
    p <- p + momentum v - lr g, after updating v    (Nesterov, Sutskever et al. 2013)
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(lr)
        self.momentum = _check(momentum, "momentum", 0.0, 1.0, high_open=True)
        self.nesterov = bool(nesterov)
        self._v: list[np.ndarray] | None = None
        self._tmp: list[np.ndarray] | None = None

    def reset(self) -> None:
        super().reset()
        self._v = self._tmp = None

    def step(self, params, grads):
        self.t += 1
        if self.momentum == 0.0:
            for p, g in zip(params, grads):
                p -= self.lr * g
            return
        if self._v is None:
            self._v = [np.zeros_like(p) for p in params]
            self._tmp = [np.empty_like(p) for p in params]
        for p, g, v, tmp in zip(params, grads, self._v, self._tmp):
            v *= self.momentum
            np.multiply(g, self.lr, out=tmp)
            v -= tmp
            if self.nesterov:
                p += self.momentum * v
                p -= tmp
            else:
                p += v


class Momentum(SGD):
    """SGD with momentum 0.9 by default (``nesterov=True`` for Nesterov's accelerated gradient)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9, nesterov: bool = False):
        super().__init__(lr, momentum, nesterov)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
    p <- p - lr sqrt(1-b2^t) / (1-b1^t) * m / (sqrt(v) + eps)."""

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = _check(beta1, "beta1", 0.0, 1.0, high_open=True)
        self.beta2 = _check(beta2, "beta2", 0.0, 1.0, high_open=True)
        self.eps = _check(eps, "eps", 0.0, low_open=True)
        self._m: list[np.ndarray] | None = None

    def reset(self) -> None:
        super().reset()
        self._m = None

    def step(self, params, grads):
        if self._m is None:
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
            self._tmp = [np.empty_like(p) for p in params]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        lr_t = self.lr * math.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        for p, g, m, v, tmp in zip(params, grads, self._m, self._v, self._tmp):
            m *= b1
            np.multiply(g, 1.0 - b1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= lr_t
            p -= tmp


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def get_optimizer(optimizer: str | Optimizer, **kwargs) -> Optimizer:
    """An Optimizer from an instance or a name ("sgd", "momentum", "nesterov", "adam") and its settings."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    key = str(optimizer).strip().lower()
    if key == "nesterov":
        return Momentum(nesterov=True, **kwargs)
    if key not in OPTIMIZERS:
        close = difflib.get_close_matches(key, [*OPTIMIZERS, "nesterov"], n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ParameterError(f"Unknown optimizer {optimizer!r}.{hint} Expected one of: sgd, momentum, nesterov, adam.")
    return OPTIMIZERS[key](**kwargs)
