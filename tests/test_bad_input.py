"""Every documented bad input raises a ValueError naming the argument, what was expected and what came."""
import numpy as np
import pytest

import mlpkit
from mlpkit import data

X4 = np.zeros((5, 4))


@pytest.fixture
def clf():
    return mlpkit.MLP([4, 3, 3], hidden="relu")


@pytest.mark.parametrize("sizes,msg", [
    ([4], r"sizes: expected a list of at least two positive integers"),
    ([4, 0, 3], r"sizes: .*got \[4, 0, 3\]"),
    ([4, 2.5, 3], r"sizes: "),
    ("43", r"sizes: "),
])
def test_bad_sizes(sizes, msg):
    with pytest.raises(ValueError, match=msg):
        mlpkit.MLP(sizes)


def test_bad_constructor_options():
    with pytest.raises(ValueError, match=r"activation: expected one of .*got 'rectifier'"):
        mlpkit.MLP([4, 3, 2], hidden="rectifier")
    with pytest.raises(ValueError, match=r"hidden: expected one activation name or 2 names"):
        mlpkit.MLP([4, 3, 3, 2], hidden=["relu"])
    with pytest.raises(ValueError, match=r"output: expected one of softmax, sigmoid, identity; got 'tanh'"):
        mlpkit.MLP([4, 3, 2], output="tanh")
    with pytest.raises(ValueError, match=r"softmax output needs at least 2 units"):
        mlpkit.MLP([4, 3, 1], output="softmax")
    with pytest.raises(ValueError, match=r"dtype: expected np.float32 or np.float64, got int64"):
        mlpkit.MLP([4, 3, 2], dtype=np.int64)
    with pytest.raises(ValueError, match=r"init: expected 'auto'"):
        mlpkit.MLP([4, 3, 2], init="zeros")


def test_wrong_shapes(clf):
    y = np.zeros(5, dtype=int)
    with pytest.raises(ValueError, match=r"X: expected shape \(m, 4\), got \(5, 3\)"):
        clf.fit(np.zeros((5, 3)), y)
    with pytest.raises(ValueError, match=r"X: expected shape \(m, 4\), got \(4, 5\): did you pass X.T\?"):
        clf.fit(np.zeros((4, 5)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"X: expected a 2-D array of shape \(m, 4\).*reshape\(1, -1\)"):
        clf.predict(np.zeros(4))
    with pytest.raises(ValueError, match=r"X: expected a 2-D array .*got shape \(2, 2, 4\)"):
        clf.predict(np.zeros((2, 2, 4)))
    with pytest.raises(ValueError, match=r"y: expected 5 labels \(one per row of X\), got 4"):
        clf.fit(X4, np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"y: expected integer class labels of shape \(m,\), got a 2-D array .*one-hot"):
        clf.loss(X4, np.eye(3)[[0, 1, 2, 0, 1]])
    with pytest.raises(ValueError, match=r"X: expected at least one example"):
        clf.predict(np.zeros((0, 4)))


def test_labels_out_of_range_or_wrong_kind(clf):
    with pytest.raises(ValueError, match=r"y: expected class labels in 0..2, got values from 0 to 3"):
        clf.fit(X4, np.array([0, 1, 2, 3, 0]))
    with pytest.raises(ValueError, match=r"y: expected class labels in 0..2, got values from -1"):
        clf.loss(X4, np.array([0, -1, 2, 1, 0]))
    with pytest.raises(ValueError, match=r"y: expected integer class labels 0..2, got non-integer"):
        clf.loss(X4, np.array([0, 1.5, 2, 1, 0]))
    with pytest.raises(ValueError, match=r"y: expected integer class labels 0..2, got dtype <U\d+"):
        clf.loss(X4, np.array(list("abcab")))
    sig = mlpkit.MLP([4, 3, 1], output="sigmoid")
    with pytest.raises(ValueError, match=r"y: expected labels 0 or 1, got values \[-1, 1\]: for \+-1 labels use"):
        sig.fit(X4, np.array([-1, 1, 1, -1, 1]))
    with pytest.raises(ValueError, match=r"y: expected labels -1 or \+1, got values \[0, 1\]: for 0/1 labels use 2 \* y - 1"):
        mlpkit.Perceptron().fit(X4, np.array([0, 1, 1, 0, 1]))
    reg = mlpkit.MLP([4, 3, 2], output="identity")
    with pytest.raises(ValueError, match=r"y: expected targets of shape \(5, 2\), got \(5,\)"):
        reg.fit(X4, np.zeros(5))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_inputs(clf, bad):
    X = np.zeros((5, 4))
    X[2, 1] = bad
    with pytest.raises(ValueError, match=r"X: contains NaN or inf \(first at index \(2, 1\)\)"):
        clf.fit(X, np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"X: contains NaN or inf"):
        clf.predict(X)
    reg = mlpkit.MLP([4, 3, 1], output="identity")
    with pytest.raises(ValueError, match=r"y: contains NaN or inf"):
        reg.fit(np.zeros((5, 4)), np.array([0, 1, bad, 0, 1.0]))


@pytest.mark.parametrize("where", [0, 2**20 - 1, 2**20, 3 * 2**20 + 5, -1])   # chunk edges, last
@pytest.mark.parametrize("bad", [np.nan, -np.inf])
def test_nan_in_a_large_array_is_found_in_any_chunk(where, bad):
    # arrays above a million values are checked in chunks (no temporary as large as X)
    X = np.ones((2**22 + 7) // 8 * 8, np.float32).reshape(-1, 8)
    X.reshape(-1)[where] = bad
    want = np.unravel_index(np.arange(X.size)[where], X.shape)
    clf = mlpkit.MLP([8, 3], dtype=np.float32)
    with pytest.raises(ValueError, match=rf"X: contains NaN or inf \(first at index \({want[0]}, {want[1]}\)\)"):
        clf.predict(X)
    with pytest.raises(ValueError, match=r"X: contains NaN or inf"):
        clf.predict(np.asfortranarray(X))              # not C-contiguous: checked in one piece
    X.reshape(-1)[where] = 0
    assert clf.predict(X).shape == (X.shape[0],)      # and a clean array passes


def test_non_numeric_input(clf):
    with pytest.raises(ValueError, match=r"X: expected a numeric array"):
        clf.predict([["a", "b", "c", "d"]])
    with pytest.raises(ValueError, match=r"X: expected a numeric array"):
        clf.predict([[1, 2], [3]])


@pytest.mark.parametrize("kwargs,msg", [
    ({"lr": 0}, r"lr: expected a positive finite number, got 0"),
    ({"lr": -0.1}, r"lr: expected a positive finite number, got -0.1"),
    ({"lr": float("nan")}, r"lr: expected a positive finite number, got nan"),
    ({"lr": "0.1"}, r"lr: expected a positive number, got str '0.1'"),
    ({"batch_size": 0}, r"batch_size: expected a positive integer, got 0"),
    ({"batch_size": -5}, r"batch_size: expected a positive integer, got -5"),
    ({"batch_size": 3.5}, r"batch_size: expected a positive integer, got float 3.5"),
    ({"epochs": 0}, r"epochs: expected a positive integer, got 0"),
    ({"epochs": True}, r"epochs: expected a positive integer, got bool True"),
])
def test_bad_hyper_parameters(clf, kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        clf.fit(X4, np.zeros(5, dtype=int), **kwargs)


def test_other_edges():
    with pytest.raises(ValueError, match=r"lr: expected a positive"):
        mlpkit.LogisticRegression(lr=-1)
    with pytest.raises(ValueError, match=r"batch_size: expected a positive integer"):
        mlpkit.LogisticRegression(batch_size=0)
    with pytest.raises(ValueError, match=r"name: expected one of AND, OR"):
        data.logic_gate("IMPLIES")
    with pytest.raises(ValueError, match=r"test_size: expected a fraction in \(0, 1\), got 1.5"):
        data.train_test_split(X4, np.zeros(5), test_size=1.5)
    with pytest.raises(ValueError, match=r"X_val, y_val: pass both or neither"):
        mlpkit.MLP([4, 3, 2]).fit(X4, np.zeros(5, dtype=int), X_val=X4)
    with pytest.raises(ValueError, match=r"grads: gradient for p0 has shape \(2,\), expected \(3,\)"):
        mlpkit.gradcheck(lambda: 0.0, [np.zeros(3)], [np.zeros(2)])


# ------------------------------------------------------------------ every public MLP method checks its input
LABEL_METHODS = ["fit", "score", "loss", "gradients"]
X_METHODS = LABEL_METHODS + ["predict", "predict_proba", "forward"]


def call(model, method, X, y):
    fn = getattr(model, method)
    return fn(X, y) if method in LABEL_METHODS else fn(X)


@pytest.mark.parametrize("method", LABEL_METHODS)
def test_class_labels_are_checked_by_every_method(clf, method):
    X, y = np.random.default_rng(0).normal(size=(5, 4)), np.array([0, 1, 2, 0, 1])
    with pytest.raises(ValueError, match=r"y: expected integer class labels of shape \(m,\), got shape \(5, 1\)"):
        call(clf, method, X, y[:, None])                  # a column: would broadcast to (5, 5)
    with pytest.raises(ValueError, match=r"y: expected integer class labels 0..2, got dtype <U\d+"):
        call(clf, method, X, y.astype(str))
    with pytest.raises(ValueError, match=r"y: expected 5 labels \(one per row of X\), got 4"):
        call(clf, method, X, y[:4])
    with pytest.raises(ValueError, match=r"y: contains NaN or inf \(first at index 2\); expected integer"):
        call(clf, method, X, np.array([0, 1, np.nan, 0, 1]))


@pytest.mark.parametrize("method", LABEL_METHODS)
def test_binary_labels_and_targets_are_checked_by_every_method(method):
    X = np.random.default_rng(0).normal(size=(5, 4))
    sig, reg = mlpkit.MLP([4, 3, 1], output="sigmoid"), mlpkit.MLP([4, 3, 1], output="identity")
    y, t = np.array([0, 1, 1, 0, 1]), np.array([0.5, -1.0, 2.0, 0.0, 1.0])
    for model, good, msgs in (
            (sig, y, [r"y: expected labels 0 or 1, got dtype <U\d+", r"y: expected 5 labels \(one per row of X\), got 4",
                      r"y: expected labels 0 or 1, got values \[0.0, 1.0, nan\]"]),
            (reg, t, [r"y: expected a numeric array, got an array of shape \(5,\) and dtype <U",
                      r"y: expected targets of shape \(5,\), got \(4,\)", r"y: contains NaN or inf"])):
        for bad, msg in zip((good.astype(str), good[:4], np.where(np.arange(5) == 2, np.nan, good)), msgs):
            with pytest.raises(ValueError, match=msg):
                call(model, method, X, bad)
        if method != "fit":              # one output: a column (m, 1) is the same targets, not a broadcast
            column, flat = call(model, method, X, good[:, None]), call(model, method, X, good)
            if method == "gradients":
                column, flat = [np.concatenate([g.ravel() for gs in r for g in gs]) for r in (column, flat)]
            np.testing.assert_array_equal(column, flat)
        with pytest.raises(ValueError, match=r"y: expected .*shape"):
            call(model, method, X, np.stack([good, good], axis=1))      # two columns for one output


def test_score_of_a_column_of_labels_is_an_error_not_a_wrong_accuracy():
    """The issue's case: score(X, y[:, None]) gave 0.100 where the accuracy was 0.883."""
    Xtr, Xte, ytr, yte = data.digits_split()
    model = mlpkit.MLP([64, 16, 10], hidden="relu", seed=0)
    model.fit(Xtr, ytr, epochs=3)
    assert model.score(Xte, yte) > 0.5
    with pytest.raises(ValueError, match=r"y: expected integer class labels of shape \(m,\), got shape \(\d+, 1\)"):
        model.score(Xte, yte[:, None])


@pytest.mark.parametrize("method", X_METHODS)
def test_X_is_checked_by_every_method(clf, method):
    y = np.zeros(5, dtype=int)
    bad_X = {r"X: expected shape \(m, 4\), got \(5, 3\)": np.zeros((5, 3)),
             r"X: contains NaN or inf \(first at index \(0, 1\)\)": np.where(np.eye(5, 4, 1) == 1, np.nan, 0),
             r"X: expected a numeric array": np.full((5, 4), "a"),
             r"X: expected a 2-D array of shape \(m, 4\).*reshape\(1, -1\)": np.zeros(4)}
    for msg, X in bad_X.items():
        with pytest.raises(ValueError, match=msg):
            call(clf, method, X, y)
