"""``actlab.nn`` — a small, readable, fast NumPy network that trains with any activation of the catalog.

>>> import numpy as np, actlab.nn as nn
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(200, 2)); y = (X[:, 0] * X[:, 1] > 0).astype(int)
>>> model = nn.mlp(2, [16, 16], 2, activation="tanh", seed=0)
>>> history = nn.fit(model, X, y, nn.SoftmaxCrossEntropy(), nn.Adam(0.01), epochs=30, batch_size=32, seed=0)
>>> history.train_score[-1] > 0.9
True

Layers (:mod:`~actlab.nn.layers`), losses (:mod:`~actlab.nn.losses`), optimisers (:mod:`~actlab.nn.optim`),
initialisers (:mod:`~actlab.nn.init`), models (:mod:`~actlab.nn.model`), the training loop
(:mod:`~actlab.nn.train`), recording hooks (:mod:`~actlab.nn.recorder`) and scikit-learn estimators
(:mod:`~actlab.nn.estimators`, imported on first use).
"""

from actlab.nn.gradcheck import gradcheck
from actlab.nn.init import INITIALIZERS, auto_init, get_initializer
from actlab.nn.layers import NAC, NALU, NAU, NMU, Activation, CReLU, Dense, GLU, Layer, Maxout, PReLU, Softmax
from actlab.nn.losses import MSE, BinaryCrossEntropy, Loss, SoftmaxCrossEntropy, get_loss
from actlab.nn.model import Sequential, mlp
from actlab.nn.optim import SGD, Adam, Momentum, Optimizer, get_optimizer
from actlab.nn.recorder import LayerRecord, Recorder
from actlab.nn.train import History, evaluate, fit, minibatches, train_epoch

__all__ = [
    "Activation", "Adam", "BinaryCrossEntropy", "CReLU", "Dense", "GLU", "History", "INITIALIZERS", "Layer",
    "LayerRecord", "MLPClassifier", "MLPRegressor", "MSE", "Maxout", "Momentum", "NAC", "NALU", "NAU", "NMU",
    "Optimizer", "PReLU", "Recorder", "SGD", "Sequential", "Softmax", "SoftmaxCrossEntropy", "auto_init", "evaluate",
    "fit", "get_initializer", "get_loss", "get_optimizer", "gradcheck", "minibatches", "mlp", "train_epoch",
]


def __getattr__(name: str):
    # The estimators import scikit-learn (slow); load them only when asked for.
    if name in ("MLPClassifier", "MLPRegressor"):
        from actlab.nn import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'actlab.nn' has no attribute {name!r}")
