"""Early stopping on the validation score with the best epoch restored: the backends' shared bookkeeping.

A protocol run (``patience`` in its configuration) scores its validation split after every epoch, keeps a copy of
the weights of its best epoch so far, and stops when ``patience`` epochs in a row have not improved on it; the
weights of the best epoch are then restored, so the network that is measured (and, in an evaluation run, scored on
the test split once) is the one validation chose. A diverged run (NaN/inf loss) keeps its best finite epoch.
"""

from __future__ import annotations

import math
from typing import Any, Callable


WINDOW = 10  # epochs in the trailing mean that judges "best"
DECAY_FACTOR = 0.3  # about half a decade: the step of the learning-rate grid


class BestEpoch:
    """Tracks the best (trailing-mean) validation score; ``update`` says when to stop.

    >>> b = BestEpoch(patience=2, window=1)
    >>> [b.update(s, lambda: s) for s in (0.5, 0.7, 0.6, 0.65)]
    [False, False, False, True]
    >>> b.epoch, b.score, b.state
    (2, 0.7, 0.7)
    """

    def __init__(self, patience: int | None, window: int = WINDOW):
        self.patience = patience
        self.window = window
        self.score = -math.inf  # the restored epoch's own validation score
        self.epoch = 0  # 1-based; 0 until a finite score was seen
        self.state: Any = None
        self._best_mean = -math.inf
        self._recent: list[float] = []
        self._seen = 0

    def update(self, score: float | None, snapshot: Callable[[], Any]) -> bool:
        """Record one epoch's validation ``score`` (``snapshot()`` copies the weights, called on improvement only);
        True when training should stop."""
        self._seen += 1
        if score is not None and math.isfinite(score):
            self._recent = (self._recent + [score])[-self.window:]
            mean = sum(self._recent) / len(self._recent)
            if mean > self._best_mean:
                self._best_mean, self.score, self.epoch, self.state = mean, score, self._seen, snapshot()
        return self.patience is not None and self.stalled >= self.patience

    @property
    def stalled(self) -> int:
        """Epochs since the best one (all epochs seen, before a finite score)."""
        return self._seen - self.epoch


class PlateauDecay:
    """A run's learning rate epoch by epoch: ``lr``, multiplied by ``factor`` each time ``patience`` more epochs
    have passed without a better validation score (as :class:`BestEpoch` judges it); ``patience=None`` keeps it
    constant. ``replay``, the rates a validation run used, makes a refit (which has no validation split) train
    with the same schedule epoch by epoch. ``used`` lists the rate of every epoch started.

    >>> best, decay = BestEpoch(None, window=1), PlateauDecay(0.1, patience=2)
    >>> for s in (0.5, 0.7, 0.6, 0.6, 0.6, 0.6):
    ...     _ = decay.next_rate(); _ = best.update(s, lambda: None); decay.observe(best)
    >>> [round(r, 4) for r in decay.used], round(decay.next_rate(), 4)
    ([0.1, 0.1, 0.1, 0.1, 0.03, 0.03], 0.009)
    """

    def __init__(self, lr: float, patience: int | None = None, factor: float = DECAY_FACTOR,
                 replay: list[float] | None = None):
        self.lr = lr
        self.patience = patience
        self.factor = factor
        self.replay = list(replay or [])
        self.used: list[float] = []

    def next_rate(self) -> float:
        """The rate of the epoch about to start (recorded in ``used``)."""
        i = len(self.used)
        rate = self.replay[i] if i < len(self.replay) else self.lr
        self.used.append(rate)
        return rate

    def set_next_rate(self, optimizer) -> None:
        """Start an epoch of a torch optimiser: :meth:`next_rate` on each of its parameter groups."""
        rate = self.next_rate()
        for group in optimizer.param_groups:
            group["lr"] = rate

    def observe(self, best: BestEpoch) -> None:
        """After the epoch's ``best.update``: cut the rate when the run has stalled another ``patience`` epochs."""
        if self.patience and best.stalled and best.stalled % self.patience == 0:
            self.lr *= self.factor


def restored(scores: list[float | None], window: int = WINDOW) -> tuple[int, float | None]:
    """``(epoch, score)`` that :class:`BestEpoch` restores on a validation curve (1-based epoch; (0, None) for a
    curve without a finite score): the same rule at any budget, which is what the budget-sensitivity block replays.

    >>> restored([0.5, 0.9, 0.6, 0.7, 0.7, 0.7], window=3)  # trailing means .5 .7 .67 .73 .67 .7: epoch 4 leads
    (4, 0.7)
    """
    best = BestEpoch(None, window)
    for s in scores:
        best.update(s, lambda: None)
    return best.epoch, (best.score if best.epoch else None)


def lr_schedule(config: dict[str, Any]) -> PlateauDecay:
    """The schedule of a run configuration: its ``lr``, its ``lr_decay`` ([patience, factor], absent: constant)
    and, in a refit, the ``lr_replay`` of its validation run."""
    return PlateauDecay(config["lr"], *(config.get("lr_decay") or ()), replay=config.get("lr_replay"))
