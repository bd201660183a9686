"""Whole-network gradients, training, prediction and dtypes of mlpkit.MLP."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import mlpkit
from mlpkit import activations
from mlpkit.gradcheck import gradcheck_model
from random_data import make_data

SMOOTH = ["sigmoid", "tanh", "softplus", "elu", "identity"]


@given(
    depth=st.integers(0, 3),
    widths=st.lists(st.integers(1, 5), min_size=5, max_size=5),
    output=st.sampled_from(["softmax", "sigmoid", "identity"]),
    hidden=st.lists(st.sampled_from(SMOOTH + ["relu", "leaky_relu", "hard_tanh"]), min_size=3, max_size=3),
    m=st.integers(1, 6),
    seed=st.integers(0, 10**6),
)
def test_gradients_match_finite_differences(depth, widths, output, hidden, m, seed):
    rng = np.random.default_rng(seed)
    K = max(2, widths[4]) if output == "softmax" else widths[4]
    sizes = [widths[0]] + widths[1:1 + depth] + [K]
    model = mlpkit.MLP(sizes, hidden=hidden[:depth], output=output, seed=seed)
    for layer in model.layers:  # non-zero biases so that every path is exercised
        layer.b[:] = rng.normal(size=layer.b.shape) * 0.5
    X, y = make_data(output, sizes, m, rng)
    # kinks (relu at 0, hard_tanh at +-1) break finite differences: reject the rare draws that sit on one
    A = X
    for layer, name in zip(model.layers, model.hidden):
        Z = A @ layer.W.T + layer.b
        kinks = {"relu": [0], "leaky_relu": [0], "hard_tanh": [-1, 1]}.get(name, [])
        assume(not any(np.min(np.abs(Z - k)) < 1e-4 for k in kinks))
        A = activations.get(name).f(Z)
    result = gradcheck_model(model, X, y)
    # relative error < 1e-7 per parameter, except vanishing gradients (|g| ~ 1e-5 through
    # chains of sigmoids) that finite differences can only confirm to 1e-10 absolutely
    assert result.passed, str(result)


@pytest.mark.parametrize("output,K", [("softmax", 3), ("sigmoid", 1), ("sigmoid", 2), ("identity", 1), ("identity", 3)])
def test_gradients_shapes_match_parameters(output, K):
    rng = np.random.default_rng(0)
    model = mlpkit.MLP([4, 5, 3, K], hidden=["tanh", "relu"], output=output)
    X, y = make_data(output, model.sizes, 7, rng)
    grads = model.gradients(X, y)
    assert len(grads) == len(model.layers) == 3
    for layer, (dW, db) in zip(model.layers, grads):
        assert dW.shape == layer.W.shape and db.shape == layer.b.shape
    assert np.isfinite(model.loss(X, y))


def test_loss_is_the_batch_mean():
    rng = np.random.default_rng(1)
    model = mlpkit.MLP([3, 4, 3], hidden="tanh")
    X, y = make_data("softmax", model.sizes, 6, rng)
    per_example = [model.loss(X[i:i + 1], y[i:i + 1]) for i in range(6)]
    assert model.loss(X, y) == pytest.approx(np.mean(per_example))
    manual = mlpkit.losses.softmax_cross_entropy(
        np.tanh(X @ model.layers[0].W.T + model.layers[0].b) @ model.layers[1].W.T + model.layers[1].b, y)
    assert model.loss(X, y) == pytest.approx(manual)


def test_float32_forward_and_training():
    Xtr, Xte, ytr, yte = mlpkit.data.digits_split()
    model = mlpkit.MLP([64, 32, 10], hidden="relu", dtype=np.float32, seed=0)
    assert all(p.dtype == np.float32 for p in model.params)
    model.fit(Xtr, ytr, epochs=5, batch_size=32, lr=0.1)
    assert all(p.dtype == np.float32 for p in model.params)
    assert model.predict_proba(Xte).dtype == np.float32
    assert model.score(Xte, yte) > 0.9
    # float32 and float64 runs from the same seed stay close
    m64 = mlpkit.MLP([64, 32, 10], hidden="relu", dtype=np.float64, seed=0)
    m64.fit(Xtr, ytr, epochs=5, batch_size=32, lr=0.1)
    assert np.max(np.abs(m64.layers[0].W - model.layers[0].W)) < 1e-3


def test_fit_on_digits_reaches_97_percent():
    Xtr, Xte, ytr, yte = mlpkit.data.digits_split()
    model = mlpkit.MLP([64, 128, 10], hidden="relu", seed=0)
    history = model.fit(Xtr, ytr, epochs=40, batch_size=32, lr=0.1, seed=0)
    assert len(history["loss"]) == 40 and len(history["accuracy"]) == 40
    assert history["loss"][-1] < history["loss"][0] / 10
    acc = model.score(Xte, yte)
    assert acc >= 0.97, f"test accuracy {acc:.3f}"


def test_fit_is_reproducible_and_seeded():
    X, y = mlpkit.data.spirals(30, 3, seed=0)
    h1 = mlpkit.MLP([2, 8, 3], hidden="tanh", seed=3).fit(X, y, epochs=3, batch_size=8, lr=0.5, seed=7)
    h2 = mlpkit.MLP([2, 8, 3], hidden="tanh", seed=3).fit(X, y, epochs=3, batch_size=8, lr=0.5, seed=7)
    h3 = mlpkit.MLP([2, 8, 3], hidden="tanh", seed=3).fit(X, y, epochs=3, batch_size=8, lr=0.5, seed=8)
    assert h1 == h2
    assert h1["loss"] != h3["loss"]


def test_fit_step_is_plain_sgd():
    """One full-batch epoch equals one gradient-descent step theta -= lr * grad J."""
    X, y = mlpkit.data.moons(40, seed=0)
    model = mlpkit.MLP([2, 5, 1], hidden="tanh", output="sigmoid", seed=0)
    grads = model.gradients(X, y)
    expected = [(l.W - 0.3 * dW, l.b - 0.3 * db) for l, (dW, db) in zip(model.layers, grads)]
    model.fit(X, y, epochs=1, batch_size=len(X), lr=0.3)
    for layer, (W, b) in zip(model.layers, expected):
        np.testing.assert_allclose(layer.W, W, atol=1e-14)
        np.testing.assert_allclose(layer.b, b, atol=1e-14)


def test_history_with_validation_and_regression():
    X, y = mlpkit.data.moons(100, seed=1)
    model = mlpkit.MLP([2, 8, 1], hidden="tanh", output="sigmoid")
    h = model.fit(X, y, epochs=4, lr=0.5, X_val=X[:20], y_val=y[:20])
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(0 <= a <= 1 for a in h["accuracy"] + h["val_accuracy"])
    rng = np.random.default_rng(0)
    Xr = rng.uniform(-1, 1, size=(64, 1))
    yr = np.sin(3 * Xr[:, 0])
    reg = mlpkit.MLP([1, 16, 1], hidden="tanh", output="identity", seed=0)
    hr = reg.fit(Xr, yr, epochs=200, batch_size=16, lr=0.1)
    assert set(hr) == {"loss"}
    assert hr["loss"][-1] < hr["loss"][0]
    assert reg.predict(Xr).shape == (64,)
    assert reg.score(Xr, yr) > 0.8


def test_predict_shapes_and_values():
    X, y = mlpkit.data.blobs(60, 3, seed=0)
    sm = mlpkit.MLP([2, 6, 3], hidden="relu")
    assert sm.predict_proba(X).shape == (60, 3)
    np.testing.assert_allclose(sm.predict_proba(X).sum(axis=1), 1.0)
    np.testing.assert_array_equal(sm.predict(X), sm.predict_proba(X).argmax(axis=1))
    sg = mlpkit.MLP([2, 6, 1], hidden="relu", output="sigmoid")
    p = sg.predict_proba(X)
    assert p.shape == (60,) and np.all((p > 0) & (p < 1))
    np.testing.assert_array_equal(sg.predict(X), (p >= 0.5).astype(int))
    with pytest.raises(ValueError, match="identity"):
        mlpkit.MLP([2, 3, 1], output="identity").predict_proba(X)


def test_per_layer_hidden_and_init_schemes():
    m = mlpkit.MLP([4, 8, 8, 2], hidden=["relu", "tanh"], init="auto", seed=0)
    assert m.hidden == ["relu", "tanh"]
    # He for the ReLU layer: std sqrt(2/4); Xavier uniform for tanh: bound sqrt(6/16)
    assert np.abs(m.layers[1].W).max() <= np.sqrt(6 / 16)
    u = mlpkit.MLP([4, 8, 2], init="uniform")
    assert np.abs(u.layers[0].W).max() <= 0.05
    assert all(np.all(l.b == 0) for l in m.layers)


def test_divergence_raises_and_restores_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    model = mlpkit.MLP([3, 8, 1], hidden="identity", output="identity", seed=0)
    before = [p.copy() for p in model.params]
    with pytest.raises(mlpkit.TrainingDiverged, match=r"loss became (nan|inf).*smaller learning rate"):
        model.fit(X * 100, y * 100, epochs=1, batch_size=8, lr=10.0)
    for p, q in zip(model.params, before):  # one epoch: restored to the weights before fit
        np.testing.assert_array_equal(p, q)
    with pytest.raises(mlpkit.TrainingDiverged, match=r"epoch"):
        model.fit(X * 100, y * 100, epochs=5, batch_size=64, lr=1.0)
    assert all(np.all(np.isfinite(p)) for p in model.params)


def test_every_hidden_activation_trains():
    X, y = mlpkit.data.moons(200, noise=0.1, seed=0)
    for name in activations.NAMES:
        model = mlpkit.MLP([2, 16, 2], hidden=name, seed=0)
        model.fit(X, y, epochs=60, batch_size=16, lr=0.3)
        assert model.score(X, y) > 0.85, name


@pytest.mark.parametrize("hidden", ["sigmoid", "relu"])
def test_a_loss_that_explodes_without_nan_raises(hidden):
    """lr=1e6 on a softmax digits model: the loss stays finite (about 4e6 with sigmoid units)
    but exceeds 1000 log(10), so fit stops as it does on NaN, with the weights restored."""
    Xtr, _, ytr, _ = mlpkit.data.digits_split()
    model = mlpkit.MLP([64, 32, 10], hidden=hidden, seed=0)
    before = [p.copy() for p in model.params]
    with pytest.raises(mlpkit.TrainingDiverged,
                       match=r"loss became [0-9.e+]+ \(more than 1000 times 2\.303, the loss's scale\) "
                             r"in epoch 1 \(lr=1e\+06\).*smaller learning rate"):
        model.fit(Xtr, ytr, epochs=3, lr=1e6)
    for p, q in zip(model.params, before):
        np.testing.assert_array_equal(p, q)


def test_the_divergence_bound_is_what_stops_it(monkeypatch):
    """With the bound lifted the same run trains on, to a finite loss far above log(10)."""
    Xtr, _, ytr, _ = mlpkit.data.digits_split()
    monkeypatch.setattr(mlpkit.sgd, "DIVERGENCE_FACTOR", 1e300)
    history = mlpkit.MLP([64, 32, 10], seed=0).fit(Xtr, ytr, epochs=1, lr=1e6)
    assert 1e3 * np.log(10) < history["loss"][0] < np.inf


def test_a_later_epoch_growing_past_1000_times_the_first_raises():
    """Regression: the scale is the first epoch's loss when it is above the chance level
    1/2 mean y^2 (here about 0.5), so a loss that grows 1e6-fold but stays finite stops fit."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    model = mlpkit.MLP([3, 8, 1], hidden="identity", output="identity", seed=0)
    snapshots = []

    def grow(epoch, history):                 # after epoch 1: outputs 1000 times larger
        model.layers[-1].W[:] *= 1e3
        snapshots.append([p.copy() for p in model.params])
    with pytest.raises(mlpkit.TrainingDiverged, match=r"more than 1000 times [0-9.]+, the loss's scale\) in epoch 2"):
        model.fit(X, y, epochs=3, batch_size=64, lr=1e-9, callback=grow)
    assert len(model.history_["loss"]) == 1 and model.history_["loss"][0] > 1.0
    for p, q in zip(model.params, snapshots[0]):          # restored to the start of epoch 2
        np.testing.assert_array_equal(p, q)
