"""Early stopping on the validation score with the best epoch restored: the backends' shared bookkeeping.

A protocol run (``patience`` in its configuration) scores its validation split after every epoch, keeps a copy of
the weights of its best epoch so far, and stops when ``patience`` epochs in a row have not improved on it; the
weights of the best epoch are then restored, so the network that is measured (and, in an evaluation run, scored on
the test split once) is the one validation chose. A diverged run (NaN/inf loss) keeps its best finite epoch.
"""

from __future__ import annotations

import math
from typing import Any, Callable


class BestEpoch:
    """Tracks the best validation score; ``update`` says when to stop.

    >>> b = BestEpoch(patience=2)
    >>> [b.update(s, lambda: s) for s in (0.5, 0.7, 0.6, 0.65)]
    [False, False, False, True]
    >>> b.epoch, b.score, b.state
    (2, 0.7, 0.7)
    """

    def __init__(self, patience: int | None):
        self.patience = patience
        self.score = -math.inf
        self.epoch = 0  # 1-based; 0 until a finite score was seen
        self.state: Any = None
        self._seen = 0

    def update(self, score: float | None, snapshot: Callable[[], Any]) -> bool:
        """Record one epoch's validation ``score`` (``snapshot()`` copies the weights, called on improvement only);
        True when training should stop."""
        self._seen += 1
        if score is not None and math.isfinite(score) and score > self.score:
            self.score, self.epoch, self.state = score, self._seen, snapshot()
        return self.patience is not None and self._seen - self.epoch >= self.patience
