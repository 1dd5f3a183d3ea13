"""The scikit-learn estimators: scikit-learn's own estimator checks, pipelines, grid search, parity of behaviour."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from actlab.nn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# scikit-learn's peer test suite, with the settings scikit-learn tests its own MLPs with (max_iter=100).
@parametrize_with_checks([MLPClassifier(max_iter=100), MLPRegressor(max_iter=100),
                          MLPClassifier(max_iter=50, activation="gelu", solver="sgd", dtype="float64")])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_one_configuration_dict_builds_both_libraries_estimators():
    config = dict(hidden_layer_sizes=(16,), activation="tanh", solver="adam", alpha=1e-4, batch_size=32,
                  learning_rate_init=0.01, max_iter=60, random_state=0, tol=1e-4, n_iter_no_change=10,
                  early_stopping=False)
    X, y = _iris()
    ours, theirs = MLPClassifier(**config).fit(X, y), SkMLPClassifier(**config).fit(X, y)
    assert ours.score(X, y) > 0.95 and theirs.score(X, y) > 0.95
    assert abs(ours.loss_ - theirs.loss_) < 0.05
    assert set(SkMLPClassifier().get_params()) <= set(MLPClassifier().get_params())
    assert set(SkMLPRegressor().get_params()) <= set(MLPRegressor().get_params())


def test_any_catalog_activation_with_parameters():
    X, y = _iris()
    for name, params in (("leaky_relu", {"alpha": 0.1}), ("gelu", None), ("swiglu", None), ("elu", {"alpha": 0.5})):
        clf = MLPClassifier((12,), activation=name, activation_params=params, max_iter=200, learning_rate_init=0.01,
                            random_state=0)
        assert clf.fit(X, y).score(X, y) > 0.9, name
    clf = MLPClassifier((4,), activation="leaky_relu", activation_params={"alpha": 0.1}, max_iter=1, random_state=0)
    assert clf.fit(X, y).model_.layers[1].act.params == {"alpha": 0.1}


def test_unknown_activation_is_a_value_error_naming_the_closest_names():
    X, y = _iris()
    with pytest.raises(ValueError, match="Did you mean .*'gelu'"):
        MLPClassifier(activation="gleu").fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        MLPClassifier(activation="elu", activation_params={"alpha": -1.0}).fit(X, y)
    with pytest.raises(ValueError, match="lbfgs"):
        MLPClassifier(solver="lbfgs").fit(X, y)


def test_works_in_pipeline_and_grid_search():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPClassifier((8,), max_iter=150, random_state=0))
    grid = GridSearchCV(pipe, {"mlpclassifier__activation": ["relu", "mish", "softsign"],
                               "mlpclassifier__alpha": [1e-4, 1e-2]}, cv=3)
    grid.fit(X, y)
    assert grid.best_score_ > 0.85
    assert grid.best_params_["mlpclassifier__activation"] in ("relu", "mish", "softsign")


def test_regressor_fits_a_smooth_function_like_scikit_learn():
    X, y = make_regression(300, 4, noise=1.0, random_state=0)
    y = y / y.std()
    config = dict(hidden_layer_sizes=(32,), max_iter=200, random_state=0, learning_rate_init=0.01)
    ours, theirs = MLPRegressor(**config).fit(X, y), SkMLPRegressor(**config).fit(X, y)
    assert ours.score(X, y) > 0.98 and theirs.score(X, y) > 0.98
    assert ours.predict(X).dtype == np.float64


def test_early_stopping_keeps_the_best_validation_model():
    X, y = _iris()
    clf = MLPClassifier((16,), early_stopping=True, validation_fraction=0.2, max_iter=300, n_iter_no_change=5,
                        random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ < 300
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None


def test_tolerance_stops_training_like_scikit_learn():
    X, y = _iris()
    clf = MLPClassifier((16,), max_iter=2000, tol=1e-2, n_iter_no_change=3, random_state=0).fit(X, y)
    assert clf.n_iter_ < 2000 and len(clf.loss_curve_) == clf.n_iter_


def test_warm_start_and_partial_fit_continue_training():
    X, y = _iris()
    clf = MLPClassifier((8,), max_iter=5, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        first = clf.loss_
        clf.fit(X, y)
    assert len(clf.loss_curve_) == 10 and clf.loss_ < first
    inc = MLPClassifier((8,), random_state=0)
    for _ in range(3):
        inc.partial_fit(X, y, classes=np.unique(y))
    assert inc.n_iter_ == 1 and len(inc.loss_curve_) == 3 and inc.t_ == 3 * len(X)  # scikit-learn's counting


def test_multilabel_targets_use_binary_cross_entropy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    Y = np.c_[X[:, 0] > 0, X[:, 1] + X[:, 2] > 0].astype(int)
    clf = MLPClassifier((16,), max_iter=300, random_state=0).fit(X, Y)
    assert clf.predict(X).shape == (200, 2) and clf.score(X, Y) > 0.9
    assert clf.out_activation_ == "logistic"


def test_scikit_learn_errors_for_bad_input():
    X, y = _iris()
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(X)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPClassifier(max_iter=1).fit(X_nan, y)
    clf = MLPClassifier((4,), max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :3])


def test_pickled_estimator_predicts_the_same():
    X, y = _iris()
    clf = MLPClassifier((8,), max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))
