"""Losses on the network's raw output, in stable forms, each with its gradient and the score it implies.

The classification losses take *logits*: fusing the output non-linearity into the loss is what makes them stable
(no log of a sigmoid that rounded to 0) and gives the famous output delta ``y_hat - y``.

Conventions: ``value`` is a mean over the samples (summed over the outputs for the cross-entropies, averaged over
them for MSE); ``gradient`` is dL/d(output) of that mean. Targets: class labels (n,) or one-hot (n, C) for
softmax cross-entropy; 0/1 of the output's shape for binary cross-entropy; values for MSE.
"""

from __future__ import annotations

import difflib

import numpy as np

from actlab.errors import ParameterError

_sigmoid_cache = None


def _sigmoid(z: np.ndarray) -> np.ndarray:
    global _sigmoid_cache
    if _sigmoid_cache is None:  # the catalog's overflow-free sigmoid
        import actlab

        _sigmoid_cache = actlab.get("sigmoid")
    return _sigmoid_cache(z)


def _as_2d(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, 1) if a.ndim == 1 else a


class Loss:
    """Base class: ``loss(output, y)`` is the value; ``value_and_grad`` returns both in one pass."""

    name = "loss"
    task = "regression"

    def target(self, y: np.ndarray, n_outputs: int, dtype) -> np.ndarray:
        """``y`` in the form ``value_and_grad`` uses, converted once before training."""
        return _as_2d(np.asarray(y, dtype=dtype))

    def value_and_grad(self, output: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        raise NotImplementedError

    def __call__(self, output: np.ndarray, y: np.ndarray) -> float:
        return self.value(output, y)

    def value(self, output: np.ndarray, y: np.ndarray) -> float:
        output = _as_2d(np.asarray(output))
        return self.value_and_grad(output, self.target(y, output.shape[1], output.dtype))[0]

    def gradient(self, output: np.ndarray, y: np.ndarray) -> np.ndarray:
        output = _as_2d(np.asarray(output))
        return self.value_and_grad(output, self.target(y, output.shape[1], output.dtype))[1]

    def predict(self, output: np.ndarray) -> np.ndarray:
        """The model's prediction from its output: values, or class probabilities."""
        return output

    # Training scores accumulate over the mini-batches of an epoch (no extra pass over the data).
    def score_stats(self, output: np.ndarray, Y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def score_from_stats(self, stats: np.ndarray) -> float:
        raise NotImplementedError

    def score(self, output: np.ndarray, y: np.ndarray) -> float:
        """Accuracy for the classification losses, R^2 for MSE."""
        output = _as_2d(np.asarray(output))
        return self.score_from_stats(self.score_stats(output, self.target(y, output.shape[1], output.dtype)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSE(Loss):
    """Mean squared error, mean((y_hat - y)^2); gradient 2 (y_hat - y) / size.

    With an identity output unit this *is* the ``y_hat - y`` shortcut (times 2 / size). ``half=True`` halves the
    loss, as scikit-learn's squared_error does, so the gradient is exactly (y_hat - y) / size. Score: R^2,
    averaged over the outputs.
    """

    name = "mse"

    def __init__(self, half: bool = False):
        self.half = bool(half)

    def value_and_grad(self, output, Y):
        diff = output - Y
        value = float(np.vdot(diff, diff)) / diff.size
        if self.half:
            value *= 0.5
        diff *= (1.0 if self.half else 2.0) / diff.size
        return value, diff

    def __repr__(self) -> str:
        return "MSE(half=True)" if self.half else "MSE()"

    def score_stats(self, output, Y):
        Y64 = Y.astype(np.float64)
        diff = output.astype(np.float64) - Y64
        return np.stack([np.full(Y.shape[1], Y.shape[0], dtype=np.float64), (diff * diff).sum(0), Y64.sum(0),
                         (Y64 * Y64).sum(0)])

    def score_from_stats(self, stats):
        n, sse, sy, syy = stats
        sst = syy - sy * sy / n
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0), np.where(sse == 0, 1.0, 0.0))
        return float(np.mean(r2))


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy from logits z (one or several independent labels per sample):

    L = mean over samples of sum over outputs of [log(1 + e^z) - y z], with log(1 + e^z) = logaddexp(0, z), which
    never overflows. Gradient: sigmoid(z) - y — the ``y_hat - y`` shortcut of a sigmoid output with cross-entropy:
    the sigmoid's derivative s(1 - s) cancels against the loss's 1 / (s(1 - s)). Score: accuracy (exact match).
    """

    name = "binary_cross_entropy"
    task = "classification"

    def value_and_grad(self, output, Y):
        n = output.shape[0]
        value = float(np.sum(np.logaddexp(0, output) - Y * output)) / n
        grad = _sigmoid(output)
        grad -= Y
        grad *= 1.0 / n
        return value, grad

    def predict(self, output):
        return _sigmoid(output)

    def score_stats(self, output, Y):
        hit = np.all((output > 0) == (Y > 0.5), axis=1)
        return np.array([hit.sum(), hit.size], dtype=np.float64)

    def score_from_stats(self, stats):
        return float(stats[0] / stats[1])


class SoftmaxCrossEntropy(Loss):
    """Softmax cross-entropy from logits z over C classes:

    L = mean over samples of [logsumexp(z) - z_y], with logsumexp(z) = m + log(sum(exp(z - m))), m = max(z), so
    no exp overflows. Gradient: softmax(z) - onehot(y) — the ``y_hat - y`` shortcut of a softmax output with
    cross-entropy (the softmax Jacobian and the log's 1/p cancel). Score: accuracy.
    """

    name = "softmax_cross_entropy"
    task = "classification"

    def target(self, y, n_outputs, dtype):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == n_outputs:
            return y.astype(dtype, copy=False)
        labels = y.reshape(-1)
        if labels.dtype.kind == "f":
            if not np.all(labels == np.round(labels)):
                raise ParameterError("softmax cross-entropy needs integer class labels 0..C-1 or one-hot rows. "
                                     f"Got non-integer labels such as {labels[labels != np.round(labels)][0]!r}.")
        labels = labels.astype(np.int64)
        if labels.size and (labels.min() < 0 or labels.max() >= n_outputs):
            raise ParameterError(f"class labels must lie in 0..{n_outputs - 1} for {n_outputs} outputs. "
                                 f"Got labels from {labels.min()} to {labels.max()}.")
        onehot = np.zeros((labels.size, n_outputs), dtype=dtype)
        onehot[np.arange(labels.size), labels] = 1
        return onehot

    def value_and_grad(self, output, Y):
        n = output.shape[0]
        m = output.max(axis=1, keepdims=True)
        e = output - m
        np.exp(e, out=e)
        s = e.sum(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(s[:, 0])
        value = float(np.sum(lse) - np.vdot(Y, output)) / n
        e /= s  # softmax(z)
        e -= Y
        e *= 1.0 / n
        return value, e

    def predict(self, output):
        m = output.max(axis=1, keepdims=True)
        e = np.exp(output - m)
        return e / e.sum(axis=1, keepdims=True)

    def score_stats(self, output, Y):
        hit = output.argmax(axis=1) == Y.argmax(axis=1)
        return np.array([hit.sum(), hit.size], dtype=np.float64)

    def score_from_stats(self, stats):
        return float(stats[0] / stats[1])


LOSSES = {
    "mse": MSE,
    "binary_cross_entropy": BinaryCrossEntropy,
    "softmax_cross_entropy": SoftmaxCrossEntropy,
}
_ALIASES = {
    "squared_error": "mse",
    "mean_squared_error": "mse",
    "bce": "binary_cross_entropy",
    "log_loss": "softmax_cross_entropy",
    "cross_entropy": "softmax_cross_entropy",
    "ce": "softmax_cross_entropy",
}


def get_loss(loss: str | Loss) -> Loss:
    """A Loss instance from an instance or a name ("mse", "bce", "cross_entropy", ...)."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, type) and issubclass(loss, Loss):
        return loss()
    key = str(loss).strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in LOSSES:
        close = difflib.get_close_matches(key, [*LOSSES, *_ALIASES], n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ParameterError(f"Unknown loss {loss!r}.{hint} Expected one of: {', '.join(LOSSES)}.")
    return LOSSES[key]()
