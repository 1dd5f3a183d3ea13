"""The transformer's task: character-level language modelling on a text that ships with Python.

The text is the English prose of CPython's ``pydoc_data.topics`` (the help topics of the ``help()`` system: about
465,000 characters in CPython 3.12), its topics joined in sorted order. Characters map to ids over the text's own
alphabet. It is split into contiguous blocks: the first 90% for training, the next 5% for validation, the last 5% for
test, so no window of the test text is ever seen in training. The split does not depend on any seed.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

TRAIN_SHARE, VAL_SHARE = 0.90, 0.05


@dataclasses.dataclass(frozen=True)
class TextData:
    """A tokenised text in the shape the runner expects of a dataset: ``X_train``/``X_test`` are id arrays (the
    test block is sealed like any test split), ``X_val`` the validation block, ``n_classes`` the alphabet size."""

    name: str
    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray | None
    alphabet: str
    y_train: None = None
    y_test: None = None
    task: str = "lm"
    meta: dict = dataclasses.field(default_factory=dict)

    @property
    def n_classes(self) -> int:
        return len(self.alphabet)


def pydoc_topics_text() -> str:
    from pydoc_data.topics import topics

    return "".join(topics[k] for k in sorted(topics))


def load_text(name: str) -> TextData:
    """The text data set ``name`` (only ``pydoc_topics`` ships), tokenised and split."""
    if name != "pydoc_topics":
        raise ValueError(f"Unknown text {name!r}; the language-model text is 'pydoc_topics'.")
    text = pydoc_topics_text()
    alphabet = "".join(sorted(set(text)))
    lookup = {c: i for i, c in enumerate(alphabet)}
    ids = np.fromiter((lookup[c] for c in text), dtype=np.int64, count=len(text))
    a, b = int(len(ids) * TRAIN_SHARE), int(len(ids) * (TRAIN_SHARE + VAL_SHARE))
    meta = {"characters": len(text), "sha256": hashlib.sha256(text.encode()).hexdigest()[:16],
            "train_chars": a, "val_chars": b - a, "test_chars": len(ids) - b}
    return TextData(name, ids[:a], ids[a:b], ids[b:], alphabet, meta=meta)
