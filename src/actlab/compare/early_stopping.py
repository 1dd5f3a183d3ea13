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
        return self.patience is not None and self._seen - self.epoch >= self.patience


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
