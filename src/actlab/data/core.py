"""The Dataset record and the named loaders."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

from actlab.errors import DataError


@dataclass(frozen=True)
class Dataset:
    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str  # "classification" or "regression"
    n_classes: int = 0  # 0 for regression
    feature_names: tuple[str, ...] = ()
    # Regression targets are standardised; (mean, std) turns predictions back into the original units.
    target_scale: tuple[float, float] = (0.0, 1.0)
    classes: tuple = ()
    description: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.n_classes if self.task == "classification" else 1

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, {self.task}, train={self.X_train.shape}, test={self.X_test.shape}"
                + (f", classes={self.n_classes})" if self.n_classes else ")"))


def standardise(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)  # constant columns stay constant (zero) instead of dividing by 0
    return (X_train - mean) / std, (X_test - mean) / std


def split(X: np.ndarray, y: np.ndarray, test_size: float, seed: int, stratify: bool) -> tuple[np.ndarray, ...]:
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y if stratify else None)


def make_dataset(name, X_train, y_train, X_test, y_test, task, feature_names=(), classes=None, description="",
                 meta=None) -> Dataset:
    """Standardise, cast to float64/int64 and pack a split into a Dataset."""
    X_train, X_test = standardise(np.asarray(X_train, np.float64), np.asarray(X_test, np.float64))
    if task == "classification":
        y_train = np.asarray(y_train).astype(np.int64)
        y_test = np.asarray(y_test).astype(np.int64)
        n_classes = int(max(y_train.max(), y_test.max())) + 1
        scale = (0.0, 1.0)
        classes = tuple(range(n_classes)) if classes is None else tuple(classes)
    else:
        y_train = np.asarray(y_train, np.float64)
        y_test = np.asarray(y_test, np.float64)
        mu, sd = float(y_train.mean()), float(y_train.std()) or 1.0
        y_train, y_test = (y_train - mu) / sd, (y_test - mu) / sd
        n_classes, scale, classes = 0, (mu, sd), ()
    names = tuple(feature_names) or tuple(f"x{i}" for i in range(X_train.shape[1]))
    for arr in (X_train, X_test, y_train, y_test):  # loaders are cached: nobody may change a shared array
        arr.setflags(write=False)
    return Dataset(name, X_train, y_train, X_test, y_test, task, n_classes, names, scale, classes, description,
                   dict(meta or {}))


# --- the named data sets -------------------------------------------------------------------------------------------

def _mnist1d(seed: int) -> Dataset:
    # Generated locally from templates in about a second; the canonical split (4000 train / 1000 test) is fixed by
    # MNIST-1D's own seed, so every actlab run sees the same data. Never its download path.
    X_train, y_train, X_test, y_test = _mnist1d_arrays()
    return make_dataset("mnist1d", X_train, y_train, X_test, y_test, "classification",
                        description="MNIST-1D (Greydanus 2020): 10 classes of 1-D patterns, 40 features, generated "
                                    "offline; logistic regression scores ~32%, an MLP ~60%+.")


@lru_cache(maxsize=1)
def _mnist1d_arrays():
    from mnist1d.data import get_dataset_args, make_dataset as make_mnist1d

    data = make_mnist1d(get_dataset_args())
    return data["x"], data["y"], data["x_test"], data["y_test"]


def _sklearn(loader: str, task: str, description: str) -> Callable[[int], Dataset]:
    def load_it(seed: int) -> Dataset:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader)()
        X_train, X_test, y_train, y_test = split(bunch.data, bunch.target, 0.25, seed, task == "classification")
        name = loader.removeprefix("load_")
        return make_dataset(name, X_train, y_train, X_test, y_test, task,
                            feature_names=tuple(map(str, getattr(bunch, "feature_names", ()))),
                            description=description)

    return load_it


def _synthetic(kind: str) -> Callable[[int], Dataset]:
    def load_it(seed: int) -> Dataset:
        from actlab.data import synthetic

        X, y = getattr(synthetic, kind)(n=1000, seed=seed)
        X_train, X_test, y_train, y_test = split(X, y, 0.25, seed, True)
        return make_dataset(kind, X_train, y_train, X_test, y_test, "classification", feature_names=("x1", "x2"),
                            description=synthetic.DESCRIPTIONS[kind])

    return load_it


def _boston(seed: int) -> Dataset:
    from actlab.data.boston import boston_rm_medv

    rm, medv = boston_rm_medv()
    X_train, X_test, y_train, y_test = split(rm[:, None], medv, 0.25, seed, False)
    return make_dataset("boston", X_train, y_train, X_test, y_test, "regression", feature_names=("RM",),
                        description="Boston housing, RM -> MEDV only (seed 004's worked example).")


LOADERS: dict[str, Callable[[int], Dataset]] = {
    "mnist1d": _mnist1d,
    "digits": _sklearn("load_digits", "classification", "8x8 handwritten digits (scikit-learn), 10 classes."),
    "iris": _sklearn("load_iris", "classification", "Fisher's iris (scikit-learn), 3 classes, 4 features."),
    "wine": _sklearn("load_wine", "classification", "Wine recognition (scikit-learn), 3 classes, 13 features."),
    "breast_cancer": _sklearn("load_breast_cancer", "classification",
                              "Wisconsin breast cancer (scikit-learn), 2 classes, 30 features."),
    "diabetes": _sklearn("load_diabetes", "regression", "Diabetes progression (scikit-learn), 10 features."),
    "boston": _boston,
    "xor": _synthetic("xor"),
    "spirals": _synthetic("spirals"),
    "moons": _synthetic("moons"),
}


def names() -> list[str]:
    return list(LOADERS)


def load(name: str, seed: int = 0) -> Dataset:
    """Load a named data set; ``seed`` drives the train/test split and the noise of synthetic sets.

    >>> load("iris").X_train.shape
    (112, 4)
    """
    key = name.strip().lower().replace("-", "_")
    if key not in LOADERS:
        close = difflib.get_close_matches(key, LOADERS, n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise DataError(f"Unknown dataset {name!r}.{hint} Available: {', '.join(LOADERS)}; or a CSV via --data.")
    return _cached(key, int(seed))


@lru_cache(maxsize=64)
def _cached(key: str, seed: int) -> Dataset:
    return LOADERS[key](seed)
