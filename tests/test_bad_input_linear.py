"""Perceptron and LogisticRegression validate every public method's input as MLP.fit does.

Each bad input (column-vector, string, wrong-length and NaN labels, a wrong number of
features, a model used before fit) gives a ValueError naming the argument and the
expected shape or values; a column of labels ``(m, 1)`` is read as ``(m,)``, never
broadcast against ``(m,)`` predictions (which would give an ``(m, m)`` comparison).
"""
import numpy as np
import pytest

import mlpkit
from mlpkit import NotFittedError
from mlpkit.perceptron import add_bias, margin, novikoff_bound, threshold_unit

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3))
# a linear rule with 5 labels flipped: no model scores 1, so a wrong score is visible
Y01 = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 > 0).astype(int)
Y01[[0, 5, 11, 23, 31]] ^= 1
YPM = 2 * Y01 - 1
N = len(X)


def fitted_perceptron(y=YPM):
    return mlpkit.Perceptron(max_epochs=3).fit(X, y)  # 3 sweeps: not converged, accuracy < 1


def fitted_logistic(y=Y01):
    return mlpkit.LogisticRegression(lr=0.05, epochs=3).fit(X, y)


# (model factory, labels, methods that take (X, y), methods that take X)
MODELS = {
    "Perceptron": (fitted_perceptron, YPM, ["fit", "score"], ["predict", "decision_function"]),
    "LogisticRegression": (fitted_logistic, Y01, ["fit", "score", "loss"],
                           ["predict", "predict_proba", "decision_function"]),
}
XY_METHODS = [(name, meth) for name, (_, _, xy, _) in MODELS.items() for meth in xy]
X_METHODS = [(name, meth) for name, (_, _, _, xo) in MODELS.items() for meth in xo]


def call(name, meth, Xarg, yarg=None):
    make, _, xy, _ = MODELS[name]
    model = make()
    method = getattr(model, meth)
    return method(Xarg, yarg) if meth in xy else method(Xarg)


@pytest.mark.parametrize("name", MODELS)
def test_score_is_the_accuracy_of_predict(name):
    make, y, _, _ = MODELS[name]
    model = make()
    acc = model.score(X, y)
    by_hand = sum(int(p == t) for p, t in zip(model.predict(X).tolist(), y.tolist())) / N
    assert acc == pytest.approx(by_hand)
    assert 0.5 < acc < 1.0, "the test data should leave some mistakes after a short fit"


@pytest.mark.parametrize("name", MODELS)
def test_column_vector_labels_are_read_as_one_label_per_row(name):
    """score(X, y[:, None]) is the same accuracy, not the mean of an (m, m) broadcast."""
    make, y, _, _ = MODELS[name]
    model = make()
    assert model.score(X, y[:, None]) == model.score(X, y)
    broadcast = float(np.mean(model.predict(X) == y[:, None]))  # the trap being avoided
    assert broadcast != model.score(X, y)
    assert np.array_equal(make(y[:, None]).predict(X), model.predict(X))  # fit reads it the same
    if name == "LogisticRegression":
        assert model.loss(X, y[:, None]) == model.loss(X, y)


@pytest.mark.parametrize("name,meth", XY_METHODS)
def test_two_column_labels(name, meth):
    y = MODELS[name][1]
    with pytest.raises(ValueError, match=r"^y: expected labels of shape \(m,\), got shape \(40, 2\)"):
        call(name, meth, X, np.column_stack([y, y]))


@pytest.mark.parametrize("name,meth", XY_METHODS)
def test_string_labels(name, meth):
    y = MODELS[name][1].astype(str)
    want = "-1 or \\+1" if name == "Perceptron" else "0 or 1"
    with pytest.raises(ValueError, match=rf"^y: expected labels {want}, got dtype <U"):
        call(name, meth, X, y)


@pytest.mark.parametrize("name,meth", XY_METHODS)
def test_wrong_length_labels(name, meth):
    y = MODELS[name][1][:-3]
    with pytest.raises(ValueError, match=r"^y: expected 40 labels \(one per row of X\), got 37"):
        call(name, meth, X, y)


@pytest.mark.parametrize("name,meth", XY_METHODS)
def test_nan_labels(name, meth):
    y = MODELS[name][1].astype(float)
    y[7] = np.nan
    match = (r"^y: contains NaN \(first at index 7\); every label must be -1 or \+1"
             if name == "Perceptron" else r"^y: expected labels 0 or 1, got values \[0\.0, 1\.0, nan\]")
    with pytest.raises(ValueError, match=match):
        call(name, meth, X, y)


@pytest.mark.parametrize("name,meth", XY_METHODS)
def test_labels_of_the_other_convention(name, meth):
    if name == "Perceptron":
        bad, match = Y01, r"^y: expected labels -1 or \+1, got values \[0, 1\]: for 0/1 labels use 2 \* y - 1"
    else:
        bad, match = YPM, r"^y: expected labels 0 or 1, got values \[-1, 1\]: for \+-1 labels use"
    with pytest.raises(ValueError, match=match):
        call(name, meth, X, bad)


@pytest.mark.parametrize("name,meth", X_METHODS + [m for m in XY_METHODS if m[1] != "fit"])
def test_wrong_feature_count(name, meth):
    y = MODELS[name][1]
    with pytest.raises(ValueError, match=r"^X: expected shape \(m, 3\), got \(40, 2\)"):
        call(name, meth, X[:, :2], y)
    with pytest.raises(ValueError, match=r"^X: expected shape \(m, 3\), got \(3, 40\): did you pass X.T\?"):
        call(name, meth, np.zeros((3, 40)), y[:3])
    with pytest.raises(ValueError, match=r"^X: expected a 2-D array of shape \(m, 3\).*reshape\(1, -1\)"):
        call(name, meth, X[0], y[:1])


@pytest.mark.parametrize("name,meth", X_METHODS + XY_METHODS)
def test_nan_in_X(name, meth):
    Xbad = X.copy()
    Xbad[4, 1] = np.nan
    with pytest.raises(ValueError, match=r"^X: contains NaN or inf \(first at index \(4, 1\)\)"):
        call(name, meth, Xbad, MODELS[name][1])


@pytest.mark.parametrize("name,meth", X_METHODS + [m for m in XY_METHODS if m[1] != "fit"])
def test_used_before_fit(name, meth):
    make, y, xy, _ = MODELS[name]
    model = make().__class__()
    with pytest.raises(NotFittedError, match=rf"^{name}: not fitted yet .*call fit\(X, y\) before"):
        getattr(model, meth)(*((X, y) if meth in xy else (X,)))
    assert issubclass(NotFittedError, ValueError)


def test_perceptron_helpers():
    w = np.array([1.0, -2.0, 0.5, 0.3])
    assert margin(X, YPM, w) < 0  # 5 labels flipped: not separated
    assert margin(X, YPM[:, None], w) == margin(X, YPM, w)
    with pytest.raises(ValueError, match=r"^y: expected 40 labels"):
        margin(X, YPM[:10], w)
    with pytest.raises(ValueError, match=r"^w: expected 4 augmented weights \(one per feature, bias last\), "
                                         r"got shape \(3,\)"):
        margin(X, YPM, w[:3])
    with pytest.raises(ValueError, match=r"^w: all weights are zero"):
        novikoff_bound(X, YPM, np.zeros(4))
    with pytest.raises(ValueError, match=r"^X: expected a 2-D array"):
        add_bias(np.zeros(3))
    with pytest.raises(ValueError, match=r"^w: expected a scalar or 3 weights \(one per column of X\), "
                                         r"got shape \(2,\)"):
        threshold_unit(X, [1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match=r"^X: expected a numeric array"):
        threshold_unit([["a", "b"]], 1.0, 0.0)
    assert threshold_unit(np.array([[1, 1], [0, 1]]), 1, -1.5).tolist() == [1, 0]
