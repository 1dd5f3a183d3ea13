"""The training loop: seeded mini-batches, one optimiser step per batch, a History per epoch, divergence detection.

Same seed, same data, same model -> the same numbers, bit for bit: the only randomness is the batch order, drawn
from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from actlab.errors import ParameterError
from actlab.nn.layers import _positive_int
from actlab.nn.losses import Loss, get_loss
from actlab.nn.model import Sequential
from actlab.nn.optim import Optimizer, get_optimizer


@dataclass
class History:
    """Per-epoch record of a training run.

    ``loss`` is the mean training loss over the epoch's mini-batches (as scikit-learn's ``loss_curve_``),
    ``train_score`` the accuracy (classification) or R^2 (regression) of the predictions made on those batches
    during the epoch (no extra pass over the data), ``val_loss`` / ``val_score`` the same on the validation set at
    the end of the epoch (empty without one), ``time`` the wall-clock seconds since the start at each epoch's end.
    ``diverged`` is True when a loss became NaN or inf; training stopped there.
    """

    loss: list[float] = field(default_factory=list)
    train_score: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_score: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    diverged: bool = False
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        return len(self.loss)

    @property
    def wall_time(self) -> float:
        return self.time[-1] if self.time else 0.0

    @property
    def final_loss(self) -> float:
        return self.loss[-1] if self.loss else math.nan

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["epochs"] = self.epochs
        return d


def minibatches(n: int, batch_size: int, rng: np.random.Generator | None = None) -> Iterator[slice | np.ndarray]:
    """Index sets covering range(n) in batches of ``batch_size`` (the last may be smaller); shuffled with ``rng``."""
    if rng is None:
        for start in range(0, n, batch_size):
            yield slice(start, min(start + batch_size, n))
    else:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start:start + batch_size]


def train_epoch(model: Sequential, X: np.ndarray, Y: np.ndarray, loss: Loss, optimizer: Optimizer,
                batch_size: int, rng: np.random.Generator | None, l2: float = 0.0) -> tuple[float, float]:
    """One pass over (X, Y) in mini-batches; returns (mean loss, running train score).

    ``Y`` must already be in the loss's target form (``loss.target``). ``l2`` adds ``l2 / (2 n_batch) * sum(W^2)``
    to each batch's loss for the weights, as scikit-learn's ``alpha`` does. The loss is NaN if a batch diverged.
    """
    n = X.shape[0]
    if rng is not None:  # one shuffled copy per epoch; the batches are then contiguous views (cheap slicing)
        order = rng.permutation(n)
        X, Y = X[order], Y[order]
    params, grads = model.parameters(), model.gradients()
    decayed = [(p, g) for p, g, d in zip(params, grads, model.decayed()) if d] if l2 else []
    params, grads = [model.flat_params], [model.flat_grads]  # one step on the whole buffer (Sequential._flatten)
    total, stats = 0.0, None
    for start in range(0, n, batch_size):
        Xb, Yb = X[start:start + batch_size], Y[start:start + batch_size]
        nb = Xb.shape[0]
        out = model.forward(Xb, training=True)
        value, grad = loss.value_and_grad(out, Yb)
        s = loss.score_stats(out, Yb)
        stats = s if stats is None else stats + s
        model.backward(grad, input_grad=False)
        if decayed:
            for p, g in decayed:
                value += 0.5 * l2 * float(np.vdot(p, p)) / nb
                g += (l2 / nb) * p
        if not math.isfinite(value):
            return math.nan, math.nan
        optimizer.step(params, grads)
        total += value * nb
    return total / n, loss.score_from_stats(stats)


def evaluate(model: Sequential, X: np.ndarray, Y: np.ndarray, loss: Loss) -> tuple[float, float]:
    """(loss, score) of the model on (X, Y), Y in the loss's target form, in inference mode."""
    out = model.forward(X, training=False)
    value, _ = loss.value_and_grad(out, Y)
    return value, loss.score_from_stats(loss.score_stats(out, Y))


def _prepare(model: Sequential, X: Any, y: Any, loss: Loss, what: str) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=model.dtype)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2:
        raise ParameterError(f"{what} must be a 2-D array (samples x features). Got shape {X.shape}.")
    y = np.asarray(y)
    if y.shape[0] != X.shape[0]:
        raise ParameterError(f"{what} has {X.shape[0]} samples but its targets have {y.shape[0]}.")
    n_out = model.forward(X[:1], training=False).shape[1]
    return np.ascontiguousarray(X), loss.target(y, n_out, model.dtype)


def fit(model: Sequential, X: Any, y: Any, loss: str | Loss = "mse", optimizer: str | Optimizer = "adam",
        epochs: int = 10, batch_size: int = 32, seed: int = 0, X_val: Any = None, y_val: Any = None,
        callback: Callable[[int, History, Sequential], Any] | None = None, *, shuffle: bool = True,
        l2: float = 0.0, progress: bool = False) -> History:
    """Train ``model`` on (X, y) with mini-batches; returns the :class:`History`.

    ``loss``: a Loss or a name ("mse", "binary_cross_entropy", "softmax_cross_entropy"); ``optimizer``: an
    Optimizer or a name (default settings). ``callback(epoch, history, model)`` runs after every epoch; returning
    True stops training (``history.stopped_early``). A NaN or inf loss stops training with ``history.diverged``
    set — it never raises. ``progress`` shows a progress bar on stderr.

    >>> import numpy as np, actlab.nn as nn
    >>> X = np.linspace(-1, 1, 64).reshape(-1, 1); y = X[:, 0] ** 2
    >>> h = nn.fit(nn.mlp(1, 16, 1, "tanh"), X, y, "mse", nn.Adam(0.01), epochs=5, batch_size=16)
    >>> h.epochs, h.diverged
    (5, False)
    """
    loss = get_loss(loss)
    optimizer = get_optimizer(optimizer)
    epochs = _positive_int(epochs, "epochs")
    batch_size = _positive_int(batch_size, "batch_size")
    if not (isinstance(l2, (int, float)) and math.isfinite(l2) and l2 >= 0):
        raise ParameterError(f"l2 must be a finite float >= 0. Got {l2!r}.")
    X, Y = _prepare(model, X, y, loss, "X")
    has_val = X_val is not None
    if has_val:
        if y_val is None:
            raise ParameterError("X_val was given without y_val")
        X_val, Y_val = _prepare(model, X_val, y_val, loss, "X_val")
    rng = np.random.default_rng(seed) if shuffle else None
    history = History()
    bar = _progress(progress, epochs)
    start = time.perf_counter()
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is reported, not warned
            for epoch in range(epochs):
                value, score = train_epoch(model, X, Y, loss, optimizer, batch_size, rng, l2)
                history.loss.append(value)
                history.train_score.append(score)
                if not math.isfinite(value):
                    history.diverged = True
                    history.time.append(time.perf_counter() - start)
                    break
                if has_val:
                    val_loss, val_score = evaluate(model, X_val, Y_val, loss)
                    history.val_loss.append(val_loss)
                    history.val_score.append(val_score)
                history.time.append(time.perf_counter() - start)
                if bar is not None:
                    bar[0].update(bar[1], advance=1, description=f"loss {value:.4g}")
                if callback is not None and callback(epoch, history, model):
                    history.stopped_early = True
                    break
    finally:
        if bar is not None:
            bar[0].stop()
    return history


def _progress(enabled: bool, total: int):
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import Progress

    prog = Progress(console=Console(stderr=True), transient=True)
    task = prog.add_task("training", total=total)
    prog.start()
    return prog, task
