"""scikit-learn estimators on the NumPy network: ``MLPClassifier`` and ``MLPRegressor`` with any catalog activation.

They take scikit-learn's constructor parameters (so one configuration dict builds either library's estimator) plus
``activation_params`` (e.g. ``{"alpha": 0.1}`` for leaky_relu), ``init`` and ``dtype``; they follow scikit-learn's
training loop (the same losses, L2 term, Adam/SGD updates, learning-rate schedules, tolerance and early stopping
rules), so the numbers are comparable. Differences: only the stochastic solvers ('adam', 'sgd'; not 'lbfgs'), only
dense input, training in float32 by default (``dtype="float64"`` for scikit-learn's precision). Predictions are
computed in float64 from the learned weights.

>>> from sklearn.datasets import make_classification
>>> from actlab.nn import MLPClassifier
>>> X, y = make_classification(200, 5, random_state=0)
>>> clf = MLPClassifier((16,), activation="gelu", learning_rate_init=0.01, max_iter=1000, random_state=0).fit(X, y)
>>> clf.score(X, y) > 0.9
True
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

import actlab
from actlab.nn.layers import Dense
from actlab.nn.losses import MSE, BinaryCrossEntropy, SoftmaxCrossEntropy
from actlab.nn.model import mlp
from actlab.nn.optim import SGD, Adam
from actlab.nn.train import train_epoch

_SOLVERS = ("adam", "sgd")
_SCHEDULES = ("constant", "invscaling", "adaptive")


def _number(est, name, low, high=math.inf, low_open=False, high_open=False, integer=False):
    value = getattr(est, name)
    kind = numbers.Integral if integer else numbers.Real
    ok = isinstance(value, kind) and not isinstance(value, bool) and math.isfinite(float(value))
    if ok:
        v = float(value)
        ok = (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if not ok:
        what = "an int" if integer else "a float"
        left, right = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"The {name!r} parameter of {type(est).__name__} must be {what} in {left}{low:g}, "
                         f"{high:g}{right}. Got {value!r} instead.")


class _BaseMLP(BaseEstimator):
    """The training loop both estimators share (scikit-learn's ``_fit_stochastic``, on an actlab network)."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam", alpha=0.0001,
                 batch_size="auto", learning_rate="constant", learning_rate_init=0.001, power_t=0.5, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, max_fun=15000, activation_params=None, init="sklearn",
                 dtype="float32"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.activation_params = activation_params
        self.init = init
        self.dtype = dtype

    # --- validation -----------------------------------------------------------------------------------------------
    def _validate_params(self):
        name = type(self).__name__
        if self.solver == "lbfgs":
            raise ValueError(f"solver='lbfgs' is not available in actlab's {name}: it trains with the stochastic "
                             f"solvers 'adam' and 'sgd'. Got solver='lbfgs'.")
        if self.solver not in _SOLVERS:
            raise ValueError(f"The 'solver' parameter of {name} must be one of {_SOLVERS}. Got {self.solver!r}.")
        if self.learning_rate not in _SCHEDULES:
            raise ValueError(f"The 'learning_rate' parameter of {name} must be one of {_SCHEDULES}. "
                             f"Got {self.learning_rate!r}.")
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if not hasattr(sizes, "__iter__") else list(sizes)
        if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers. Got {self.hidden_layer_sizes!r}.")
        _number(self, "alpha", 0.0)
        _number(self, "learning_rate_init", 0.0, low_open=True)
        _number(self, "power_t", 0.0)
        _number(self, "max_iter", 1, integer=True)
        _number(self, "tol", 0.0)
        _number(self, "momentum", 0.0, 1.0)
        _number(self, "validation_fraction", 0.0, 1.0, low_open=True, high_open=True)
        _number(self, "beta_1", 0.0, 1.0, high_open=True)
        _number(self, "beta_2", 0.0, 1.0, high_open=True)
        _number(self, "epsilon", 0.0, low_open=True)
        _number(self, "n_iter_no_change", 1, integer=True)
        if self.batch_size != "auto":
            _number(self, "batch_size", 1, integer=True)
        if str(self.dtype) not in ("float32", "float64") and self.dtype not in (np.float32, np.float64):
            raise ValueError(f"The 'dtype' parameter of {name} must be 'float32' or 'float64'. Got {self.dtype!r}.")
        if self.activation_params is not None and not isinstance(self.activation_params, dict):
            raise ValueError(f"activation_params must be a dict of the activation's parameters or None. "
                             f"Got {self.activation_params!r}.")
        # An unknown name raises actlab.UnknownActivation (a ValueError) naming the closest catalog entries.
        act = actlab.get(self.activation, **(self.activation_params or {}))
        return sizes, act

    # --- the network ----------------------------------------------------------------------------------------------
    def _build(self, n_in, n_out, sizes, act, rng):
        dtype = np.dtype(self.dtype)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        sklearn_init = isinstance(self.init, str) and self.init == "sklearn"
        model = mlp(n_in, sizes, n_out, activation=act, init="glorot_uniform" if sklearn_init else self.init,
                    dtype=dtype, seed=seed)
        if sklearn_init:
            # scikit-learn's Glorot-uniform: bound sqrt(6 / (fan_in + fan_out)) (sqrt(2 / ...) for the logistic),
            # for the weights and the biases alike.
            factor = 2.0 if act.name == "sigmoid" else 6.0
            for layer in model.layers:
                if isinstance(layer, Dense):
                    bound = math.sqrt(factor / (layer.n_in + layer.n_out))
                    layer.params["W"][...] = rng.uniform(-bound, bound, layer.params["W"].shape)
                    layer.params["b"][...] = rng.uniform(-bound, bound, layer.params["b"].shape)
        return model

    def _make_optimizer(self):
        if self.solver == "adam":
            return Adam(self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon)
        return SGD(self.learning_rate_init, self.momentum, self.nesterovs_momentum and self.momentum > 0)

    def _sync_attributes(self):
        dense = [layer for layer in self.model_.layers if isinstance(layer, Dense)]
        self.coefs_ = [layer.params["W"] for layer in dense]
        self.intercepts_ = [layer.params["b"] for layer in dense]
        # Predictions in float64: more precise, and the same whatever the batch (scikit-learn checks that).
        self._predict_model = self.model_.astype(np.float64)

    def _fit(self, X, y, incremental=False):
        sizes, act = self._validate_params()
        first_pass = not hasattr(self, "model_") or (not self.warm_start and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        n_samples, n_features = X.shape
        rng = check_random_state(self.random_state)
        if first_pass:
            self.n_outputs_ = Y.shape[1]
            self.n_layers_ = len(sizes) + 2
            self.model_ = self._build(n_features, Y.shape[1], sizes, act, rng)
            self.n_iter_ = 0
            self.t_ = 0
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.validation_scores_ = None
                self.best_validation_score_ = None
                self.best_loss_ = np.inf
            self._best_state = self.model_.state()
        elif Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} outputs but the fitted model has {self.n_outputs_}.")
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        self._train(X, Y.astype(self.model_.dtype), rng, incremental)
        if not all(np.isfinite(p).all() for p in self.model_.parameters()):
            raise ValueError("Solver produced non-finite parameter weights. The input data may contain large values "
                             "and need to be preprocessed.")
        self._sync_attributes()
        return self

    def _train(self, X, Y, rng, incremental):
        loss = self._loss()
        model, opt = self.model_, self._optimizer
        X_val = Y_val = None
        if self.early_stopping:
            stratify = Y if is_classifier(self) and self.n_outputs_ == 1 else None
            X, X_val, Y, Y_val = train_test_split(X, Y, random_state=rng, test_size=self.validation_fraction,
                                                  stratify=stratify)
            if X_val.shape[0] < 2:
                raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of "
                                 "your dataset.")
        n = X.shape[0]
        batch_size = min(200, n) if self.batch_size == "auto" else self.batch_size
        if batch_size > n:
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to be clipped")
        batch_size = int(np.clip(batch_size, 1, n))
        X = np.ascontiguousarray(X, dtype=model.dtype)
        shuffle_rng = np.random.default_rng(rng.randint(np.iinfo(np.int32).max)) if self.shuffle else None
        self.n_iter_ = 0  # per call, as scikit-learn counts it (partial_fit: 1); loss_curve_ keeps the whole story
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for _ in range(self.max_iter):
                value, _score = train_epoch(model, X, Y, loss, opt, batch_size, shuffle_rng, l2=float(self.alpha))
                self.n_iter_ += 1
                self.loss_ = value
                self.t_ += n
                self.loss_curve_.append(value)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {value:.8f}")
                if not math.isfinite(value):
                    break  # diverged: _fit reports the non-finite weights like scikit-learn
                self._update_no_improvement_count(X_val, Y_val)
                if self.solver == "sgd" and self.learning_rate == "invscaling":
                    opt.lr = self.learning_rate_init / (self.t_ + 1) ** self.power_t
                if self._no_improvement_count > self.n_iter_no_change:
                    what = "Validation score" if self.early_stopping else "Training loss"
                    if self.solver == "sgd" and self.learning_rate == "adaptive" and opt.lr > 1e-6:
                        opt.lr /= 5.0  # scikit-learn's adaptive schedule: divide by 5 instead of stopping
                        self._no_improvement_count = 0
                        if self.verbose:
                            print(f"{what} did not improve. Setting learning rate to {opt.lr:f}")
                    else:
                        if self.verbose:
                            print(f"{what} did not improve more than tol={self.tol:f} for "
                                  f"{self.n_iter_no_change} consecutive epochs. Stopping.")
                        break
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                                  "optimization hasn't converged yet.", ConvergenceWarning)
        if self.early_stopping:
            model.load_state(self._best_state)

    def _update_no_improvement_count(self, X_val, Y_val):
        if self.early_stopping:
            score = self._val_score(X_val, Y_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_state = self.model_.state()
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, self.loss_curve_[-1])

    def _raw(self, X):
        """The network's output (logits or values) in float64, after scikit-learn's input checks."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        with np.errstate(over="ignore", invalid="ignore"):
            return self._predict_model.predict(X)

    def fit(self, X, y):
        """Fit the network to X (n_samples, n_features) and y; returns self."""
        return self._fit(X, y, incremental=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        return tags


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier with any actlab activation; scikit-learn's parameters and behaviour.

    Softmax cross-entropy on the logits for multi-class targets, binary cross-entropy from logits for binary and
    multi-label targets. Extra parameters: ``activation_params`` (dict), ``init`` ("sklearn" — scikit-learn's
    Glorot-uniform weights and biases —, or an actlab initialiser name such as "he_normal", with zero biases) and
    ``dtype`` ("float32" or "float64", the training precision).
    """

    def _loss(self):
        return SoftmaxCrossEntropy() if self._label_binarizer.y_type_ == "multiclass" else BinaryCrossEntropy()

    @property
    def out_activation_(self):
        check_is_fitted(self)
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, multi_output=True, dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError("warm_start can only be used where `y` has the same classes as in the previous "
                                     f"call to fit. Previously got {self.classes_}, `y` has {classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. "
                                 f"'y' has {classes}.")
        return X, self._label_binarizer.transform(y).astype(np.float64)

    def _val_score(self, X, Y):
        out = self._loss().predict(self.model_.predict(X))
        if self.n_outputs_ == 1:
            out = out.ravel()
            Y = Y.ravel()
        return accuracy_score(self._label_binarizer.inverse_transform(Y),
                              self._label_binarizer.inverse_transform(out))

    def predict_proba(self, X):
        """Class probabilities, columns ordered as ``classes_``."""
        raw = self._raw(X)
        p = self._loss().predict(raw)
        if self.n_outputs_ == 1:
            p = p.ravel()
            return np.vstack([1 - p, p]).T
        return p

    def predict_log_proba(self, X):
        p = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(p, out=p)

    def predict(self, X):
        """Class labels (an indicator matrix for multi-label targets)."""
        raw = self._raw(X)
        p = self._loss().predict(raw)
        if self.n_outputs_ == 1:
            p = p.ravel()
        return self._label_binarizer.inverse_transform(p)

    def partial_fit(self, X, y, classes=None):
        """One epoch over (X, y); ``classes`` is required on the first call."""
        if self.solver not in _SOLVERS:
            raise AttributeError(f"partial_fit is only available for stochastic optimizers. {self.solver} is not "
                                 "stochastic.")
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor with any actlab activation; scikit-learn's parameters and behaviour.

    Loss: half the mean squared error (scikit-learn's ``squared_error``), identity output. Extra parameters as for
    :class:`MLPClassifier`.
    """

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant", learning_rate_init=0.001, power_t=0.5,
                 max_iter=200, shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000, activation_params=None,
                 init="sklearn", dtype="float32"):
        super().__init__(hidden_layer_sizes, activation, solver=solver, alpha=alpha, batch_size=batch_size,
                         learning_rate=learning_rate, learning_rate_init=learning_rate_init, power_t=power_t,
                         max_iter=max_iter, shuffle=shuffle, random_state=random_state, tol=tol, verbose=verbose,
                         warm_start=warm_start, momentum=momentum, nesterovs_momentum=nesterovs_momentum,
                         early_stopping=early_stopping, validation_fraction=validation_fraction, beta_1=beta_1,
                         beta_2=beta_2, epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun,
                         activation_params=activation_params, init=init, dtype=dtype)
        self.loss = loss

    def _validate_params(self):
        if self.loss != "squared_error":
            raise ValueError(f"The 'loss' parameter of MLPRegressor must be 'squared_error' in actlab. "
                             f"Got {self.loss!r}.")
        return super()._validate_params()

    def _loss(self):
        return MSE(half=True)

    @property
    def out_activation_(self):
        check_is_fitted(self)
        return "identity"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=(np.float64, np.float32),
                             reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _val_score(self, X, Y):
        return r2_score(Y, self.model_.predict(X))

    def predict(self, X):
        """Predicted values, (n_samples,) or (n_samples, n_outputs)."""
        out = self._raw(X)
        return out.ravel() if out.shape[1] == 1 else out

    def partial_fit(self, X, y):
        """One epoch over (X, y)."""
        if self.solver not in _SOLVERS:
            raise AttributeError(f"partial_fit is only available for stochastic optimizers. {self.solver} is not "
                                 "stochastic.")
        return self._fit(X, y, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
