"""Data sets are seeded and shaped as documented; plots draw what they say."""
import numpy as np
import pytest

import mlpkit
from mlpkit import data, metrics, plot


@pytest.mark.parametrize("make", [
    lambda s: data.blobs(90, 3, seed=s), lambda s: data.moons(80, seed=s),
    lambda s: data.spirals(30, 3, seed=s), lambda s: data.linearly_separable(50, seed=s)[:2],
])
def test_generators_are_seeded(make):
    X1, y1 = make(0)
    X2, y2 = make(0)
    X3, _ = make(1)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert X1.ndim == 2 and X1.shape[1] == 2 and y1.shape == (X1.shape[0],)
    assert y1.dtype.kind == "i" and y1.min() == 0


def test_linearly_separable_respects_its_margin():
    X, y, w = data.linearly_separable(200, margin=0.2, seed=3)
    s = X @ w[:2] + w[2]
    assert np.all((s > 0) == (y == 1)) and np.min(np.abs(s)) >= 0.2


def test_digits_and_split():
    X, y = data.digits()
    assert X.shape == (1797, 64) and y.shape == (1797,) and 0 <= X.min() and X.max() <= 1
    Xtr, Xte, ytr, yte = data.digits_split()
    assert Xtr.shape[0] + Xte.shape[0] == 1797 and Xte.shape[0] == 359
    # stratified: every class is in the test set in proportion
    assert np.all(np.abs(np.bincount(yte) / len(yte) - np.bincount(y) / len(y)) < 0.01)
    # train and test are disjoint
    rows = {r.tobytes() for r in Xtr}
    assert sum(r.tobytes() in rows for r in Xte) < 5  # digits has a few duplicate images
    Xtr2 = data.digits_split()[0]
    np.testing.assert_array_equal(Xtr, Xtr2)


def test_digits_are_scikit_learns():
    from sklearn.datasets import load_digits

    d = load_digits()
    X, y = data.digits(scale=False)
    np.testing.assert_array_equal(X, d.data)
    np.testing.assert_array_equal(y, d.target)


def test_gates():
    X, y = data.logic_gate("xor", pm1=True)
    assert y.tolist() == [-1, 1, 1, -1]


def test_metrics():
    assert metrics.accuracy([0, 1, 2, 2], [0, 1, 1, 2]) == 0.75
    C = metrics.confusion_matrix([0, 1, 2, 2], [0, 1, 1, 2], 3)
    np.testing.assert_array_equal(C, [[1, 0, 0], [0, 1, 0], [0, 1, 1]])


def test_plots_draw():
    X, y = data.blobs(60, 3, seed=0)
    model = mlpkit.MLP([2, 8, 3], hidden="tanh")
    model.fit(X, y, epochs=3)
    ax = plot.decision_regions(model, X, y, resolution=50, title="regions")
    assert ax.get_title() == "regions" and len(ax.collections) >= 2
    axes = plot.learning_curves(model.history_)
    assert len(axes) == 2 and len(axes[0].lines) == 1 and len(axes[0].lines[0].get_xdata()) == 3
    axes = plot.digit_images(data.digits()[0][:12], np.arange(12), np.arange(12) % 3, n=12, ncols=6)
    assert axes.shape == (2, 6) and axes[0, 1].get_title() == "1\u21921"
    ax = plot.confusion_matrix(np.array([[3, 1], [0, 4]]))
    assert len(ax.texts) == 4 and ax.texts[1].get_text() == "1"
    with pytest.raises(ValueError, match=r"X: expected 2-D points of shape \(m, 2\)"):
        plot.decision_regions(model, np.zeros((3, 3)), [0, 1, 2])
