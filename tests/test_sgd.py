"""MLP.fit's training step (mlpkit/sgd.py) against plain training loops written here.

Two references:

* ``plain_fit``: notebook 05's equations written out with the public activations and
  losses, allocating as it goes. The fast fit must match it to 1e-10 in float64.
* ``methods_fit``: a loop built from the model's public methods, ``MLP.gradients`` and
  ``MLP.loss`` on each batch. The step computes the same equations and rounds differently
  only where it saves time (lr multiplied into ``delta[L]``, ``sigmoid = 1 / (1 + exp(-z))``,
  ``db = ones @ delta``, the fused softmax + cross-entropy), so here the weights must agree
  to a few units in the last place (1e-12 in float64, 1e-5 in float32), the losses
  likewise and the accuracies exactly.

Both draw the batch order as ``fit`` does: ``default_rng(seed).permutation(n)`` per epoch,
batches of ``batch_size`` rows, the last one smaller.
"""
import numpy as np
import pytest

import mlpkit
from mlpkit import activations, heads, losses, sgd
import random_data

HIDDEN = ["relu", "sigmoid", "tanh", "elu", "softplus", "leaky_relu", "hard_tanh", "identity"]
OUTPUTS = [("softmax", 3), ("sigmoid", 1), ("sigmoid", 2), ("identity", 1), ("identity", 2)]


def make_data(output, K, m=53, n=4, seed=0):
    return random_data.make_data(output, [n, K], m, np.random.default_rng(seed))


def targets(output, y, K, dtype):
    """Labels for softmax; float ``(m, K)`` targets otherwise (as the heads' ``targets`` return them)."""
    if output == "softmax":
        return np.asarray(y, dtype=np.intp)
    return np.asarray(y, dtype=dtype).reshape(len(y), K)


def plain_fit(model, X, y, epochs, batch_size, lr, seed=0):
    """Minibatch SGD from the equations, on copies of ``model``'s weights; returns (Ws, bs, history)."""
    dt = model.dtype
    X = np.asarray(X, dtype=dt)
    m, K = X.shape[0], model.sizes[-1]
    Y = targets(model.output, y, K, dt)
    Ws = [layer.W.copy() for layer in model.layers]
    bs = [layer.b.copy() for layer in model.layers]
    gs = [activations.get(h) for h in model.hidden]
    lr = dt.type(lr)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "accuracy": []}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(epochs):
            order = rng.permutation(m)
            total, correct = 0.0, 0
            for start in range(0, m, batch_size):
                idx = order[start:start + batch_size]
                A, Yb, mb = X[idx], Y[idx], len(idx)
                As, Zs = [A], []
                for l in range(len(Ws)):                     # Z = A_prev W^T + b, A = g(Z)
                    Z = A @ Ws[l].T + bs[l]
                    Zs.append(Z)
                    if l < len(gs):
                        A = gs[l].f(Z)
                        As.append(A)
                Z = Zs[-1]
                if model.output == "softmax":               # delta_L = (A_L - Y) / m
                    loss = losses.softmax_cross_entropy(Z, Yb)
                    delta = losses.softmax_cross_entropy_grad(Z, Yb)
                    correct += int(np.sum(Z.argmax(axis=1) == Yb))
                elif model.output == "sigmoid":
                    loss = float(np.sum(np.logaddexp(0, Z) - Yb * Z) / mb)
                    delta = (activations.sigmoid(Z) - Yb) / mb
                    correct += int(np.sum(np.all((Z > 0) == (Yb > 0.5), axis=1)))
                else:
                    loss = float(0.5 * np.sum((Z - Yb) ** 2) / mb)
                    delta = (Z - Yb) / mb
                total += loss * mb
                grads = []
                for l in range(len(Ws) - 1, -1, -1):         # dW = delta^T A_prev, db = sum delta
                    grads.append((delta.T @ As[l], delta.sum(axis=0)))
                    if l > 0:                                 # delta_prev = (delta W) * g'(Z_prev)
                        delta = (delta @ Ws[l]) * gs[l - 1].df(Zs[l - 1])
                for l, (dW, db) in zip(range(len(Ws) - 1, -1, -1), grads):
                    Ws[l] = Ws[l] - lr * dW                   # theta -= lr * grad
                    bs[l] = bs[l] - lr * db
            history["loss"].append(total / m)
            history["accuracy"].append(correct / m)
    return Ws, bs, history


def n_correct(model, Xb, yb):
    """Rows whose prediction is right in every output."""
    P, Y = model.predict(Xb), np.asarray(yb)
    return int(np.sum(np.all((P == Y).reshape(len(Y), -1), axis=1)))


def methods_fit(model, X, y, epochs, batch_size, lr, seed=0):
    """SGD from the model's public methods (``gradients``, ``loss``), on ``model`` itself;
    returns its history."""
    X, y = np.asarray(X, dtype=model.dtype), np.asarray(y)
    m = X.shape[0]
    lr = model.dtype.type(lr)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "accuracy": []}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(epochs):
            order = rng.permutation(m)
            total, correct = 0.0, 0
            for start in range(0, m, batch_size):
                idx = order[start:start + batch_size]
                Xb, yb = X[idx], y[idx]
                total += model.loss(Xb, yb) * len(idx)
                correct += n_correct(model, Xb, yb)
                for layer, (dW, db) in zip(model.layers, model.gradients(Xb, yb)):
                    layer.W -= lr * dW
                    layer.b -= lr * db
            history["loss"].append(total / m)
            history["accuracy"].append(correct / m)
    return history


def pair(sizes, hidden, output, dtype=np.float64, seed=3):
    return (mlpkit.MLP(sizes, hidden=hidden, output=output, seed=seed, dtype=dtype),
            mlpkit.MLP(sizes, hidden=hidden, output=output, seed=seed, dtype=dtype))


def max_abs_diff(Ws, bs, model):
    return max(max(np.max(np.abs(W - l.W)), np.max(np.abs(b - l.b)))
               for W, b, l in zip(Ws, bs, model.layers))


ROUNDING = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 1e-5}


def check_history(h, ref, output, tol):
    np.testing.assert_allclose(h["loss"], ref["loss"], rtol=tol, atol=tol)
    if output == "identity":
        assert "accuracy" not in h
    else:
        assert h["accuracy"] == ref["accuracy"]


# ------------------------------------------------------------------ float64: matches the equations
@pytest.mark.parametrize("output,K", OUTPUTS)
@pytest.mark.parametrize("hidden", [["relu"], ["sigmoid", "tanh"], ["elu", "softplus"],
                                    ["leaky_relu", "hard_tanh", "identity"], []])
@pytest.mark.parametrize("batch_size", [1, 8, 53, 100])   # 53 rows: 8 leaves a last batch of 5
def test_float64_matches_plain_loop(output, K, hidden, batch_size):
    X, y = make_data(output, K)
    sizes = [4] + [5] * len(hidden) + [K]
    fast, ref = pair(sizes, hidden, output)
    h = fast.fit(X, y, epochs=3, batch_size=batch_size, lr=0.05, seed=7)
    Ws, bs, href = plain_fit(ref, X, y, epochs=3, batch_size=batch_size, lr=0.05, seed=7)
    assert max_abs_diff(Ws, bs, fast) < 1e-10
    check_history(h, href, output, 1e-10)
    # the weights did move: the comparison is not between two untouched models
    assert max_abs_diff(Ws, bs, ref) > 1e-3


@pytest.mark.parametrize("output,K", OUTPUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batch_size", [1, 7, 32, 200])
def test_same_results_as_before(output, K, dtype, batch_size):
    """The loop built from MLP's own methods, to rounding (float64 and float32)."""
    X, y = make_data(output, K, m=101, n=6, seed=1)
    for hidden in (["relu", "sigmoid"], ["tanh", "elu"], ["softplus", "leaky_relu", "hard_tanh"]):
        sizes = [6] + [7] * len(hidden) + [K]
        fast, ref = pair(sizes, hidden, output, dtype=dtype)
        h = fast.fit(X, y, epochs=2, batch_size=batch_size, lr=0.1, seed=2)
        href = methods_fit(ref, X, y, epochs=2, batch_size=batch_size, lr=0.1, seed=2)
        tol = ROUNDING[np.dtype(dtype)]
        for p, q in zip(fast.params, ref.params):
            np.testing.assert_allclose(p, q, rtol=tol, atol=tol)
        check_history(h, href, output, tol)


def test_digits_network_matches_plain_loop():
    """The benchmark's task A network, 3 epochs, both hidden units, float64."""
    Xtr, _, ytr, _ = mlpkit.data.digits_split()
    for hidden in ("sigmoid", "relu"):
        fast, ref = pair([64, 128, 64, 10], hidden, "softmax", seed=0)
        h = fast.fit(Xtr, ytr, epochs=3, batch_size=32, lr=0.1)     # 1438 rows: last batch of 30
        Ws, bs, href = plain_fit(ref, Xtr, ytr, epochs=3, batch_size=32, lr=0.1)
        assert max_abs_diff(Ws, bs, fast) < 1e-10
        check_history(h, href, "softmax", 1e-10)
        before = mlpkit.MLP([64, 128, 64, 10], hidden=hidden, seed=0)
        check_history(h, methods_fit(before, Xtr, ytr, epochs=3, batch_size=32, lr=0.1),
                      "softmax", 1e-12)
        for p, q in zip(fast.params, before.params):
            np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-12)


def test_the_comparison_can_fail():
    """A change far below visible precision (lr one part in 1e6, or one batch order) is detected."""
    X, y = make_data("softmax", 3)
    fast, ref = pair([4, 5, 3], ["tanh"], "softmax")
    fast.fit(X, y, epochs=3, batch_size=8, lr=0.2, seed=7)
    Ws, bs, _ = plain_fit(ref, X, y, epochs=3, batch_size=8, lr=0.2 * (1 + 1e-6), seed=7)
    assert max_abs_diff(Ws, bs, fast) > 1e-10
    Ws, bs, _ = plain_fit(ref, X, y, epochs=3, batch_size=8, lr=0.2, seed=8)
    assert max_abs_diff(Ws, bs, fast) > 1e-3


def test_history_holds_plain_python_floats():
    """Notebooks print history values: they must stay floats, not numpy scalars (np.float64(...))."""
    for output, K in OUTPUTS:
        X, y = make_data(output, K)
        for dtype in (np.float64, np.float32):
            model = mlpkit.MLP([4, 5, K], hidden="relu", output=output, dtype=dtype)
            h = model.fit(X, y, epochs=2, batch_size=8, X_val=X[:9], y_val=y[:9])
            for key, values in h.items():
                assert all(type(v) is float for v in values), (output, dtype, key, values)


# ------------------------------------------------------------------ float32
@pytest.mark.parametrize("output,K", OUTPUTS)
def test_float32_stays_close(output, K):
    X, y = make_data(output, K, m=64)
    f32 = mlpkit.MLP([4, 8, 6, K], hidden=["relu", "tanh"], output=output, seed=0, dtype=np.float32)
    f64 = mlpkit.MLP([4, 8, 6, K], hidden=["relu", "tanh"], output=output, seed=0, dtype=np.float64)
    h32 = f32.fit(X, y, epochs=5, batch_size=16, lr=0.1)
    h64 = f64.fit(X, y, epochs=5, batch_size=16, lr=0.1)
    assert all(p.dtype == np.float32 for p in f32.params)
    for p, q in zip(f32.params, f64.params):
        np.testing.assert_allclose(p, q, atol=1e-4)
    np.testing.assert_allclose(h32["loss"], h64["loss"], rtol=1e-4)
    Ws, bs, _ = plain_fit(mlpkit.MLP([4, 8, 6, K], hidden=["relu", "tanh"], output=output, seed=0,
                                     dtype=np.float32), X, y, epochs=5, batch_size=16, lr=0.1)
    assert max_abs_diff(Ws, bs, f32) < 1e-5


# ------------------------------------------------------------------ behaviour around the step
def test_weights_are_updated_in_place_and_callbacks_see_them():
    X, y = make_data("softmax", 3)
    model = mlpkit.MLP([4, 5, 3], hidden="relu", seed=0)
    arrays = model.params
    before = [p.copy() for p in arrays]
    seen = []
    model.fit(X, y, epochs=2, batch_size=8, lr=0.2,
              callback=lambda epoch, h: seen.append(model.layers[0].W.copy()))
    assert all(p is q for p, q in zip(model.params, arrays))       # the same arrays, updated
    assert not np.array_equal(arrays[0], before[0])
    np.testing.assert_array_equal(seen[-1], model.layers[0].W)
    assert not np.array_equal(seen[0], seen[1])


def test_changes_made_by_a_callback_are_used_by_the_next_epoch():
    X, y = make_data("softmax", 3)
    fast, ref = pair([4, 5, 3], ["relu"], "softmax")

    def zero_biases(epoch, history, model=fast):
        for layer in model.layers:
            layer.b[:] = 0
    fast.fit(X, y, epochs=3, batch_size=8, lr=0.2, seed=7, callback=zero_biases)
    orders = np.random.default_rng(7)               # reference: epoch by epoch, the same row orders
    for _ in range(3):
        perm = orders.permutation(len(X))
        ref_epoch(ref, X[perm], y[perm], batch_size=8, lr=0.2)
        for layer in ref.layers:
            layer.b[:] = 0
    for p, q in zip(fast.params, ref.params):                # equal to rounding (see ROUNDING)
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-12)
    assert all(np.all(layer.b == 0) for layer in fast.layers)


def ref_epoch(model, X, y, batch_size, lr):
    """One epoch of methods_fit over the rows in their given order, on ``model`` itself."""
    lr = model.dtype.type(lr)
    for start in range(0, len(X), batch_size):
        grads = model.gradients(X[start:start + batch_size], y[start:start + batch_size])
        for layer, (dW, db) in zip(model.layers, grads):
            layer.W -= lr * dW
            layer.b -= lr * db


def test_divergence_in_a_later_epoch_restores_that_epochs_start():
    X, y = make_data("identity", 1, m=64)
    model = mlpkit.MLP([4, 8, 1], hidden="identity", output="identity", seed=0)
    snapshots, seen = [], []

    def blow_up(epoch, history):              # after epoch 1: weights so large that epoch 2 fails
        seen.append(epoch)
        for p in model.params:
            p *= 1e200
        snapshots.append([p.copy() for p in model.params])
    with pytest.raises(mlpkit.TrainingDiverged, match=r"loss became (nan|inf) in epoch 2 "):
        model.fit(X, y, epochs=3, batch_size=8, lr=0.01, callback=blow_up)
    assert seen == [0] and len(model.history_["loss"]) == 1
    for p, q in zip(model.params, snapshots[0]):    # the weights epoch 2 started from
        np.testing.assert_array_equal(p, q)


def test_keyboard_interrupt_keeps_the_steps_taken(monkeypatch):
    X, y = make_data("softmax", 3)
    fast, ref = pair([4, 5, 3], ["tanh"], "softmax")
    real_step, calls = sgd.MinibatchSGD.step, []

    def step(self, start, lr):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(start)
        return real_step(self, start, lr)
    monkeypatch.setattr(sgd.MinibatchSGD, "step", step)
    with pytest.raises(KeyboardInterrupt):
        fast.fit(X, y, epochs=2, batch_size=8, lr=0.2, seed=7)
    perm = np.random.default_rng(7).permutation(len(X))
    ref_epoch(ref, X[perm[:24]], y[perm[:24]], batch_size=8, lr=0.2)   # the 3 steps taken
    for p, q in zip(fast.params, ref.params):      # (one step more or less moves them by ~1e-2)
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-12)


def test_replaced_weight_arrays_are_used():
    X, y = make_data("softmax", 3)
    fast, ref = pair([4, 5, 3], ["relu"], "softmax")
    rng = np.random.default_rng(5)
    for model in (fast, ref):
        model.layers[0].W = rng.normal(size=(5, 4)) if model is fast else fast.layers[0].W.copy()
    fast.fit(X, y, epochs=2, batch_size=8, lr=0.2)
    Ws, bs, _ = plain_fit(ref, X, y, epochs=2, batch_size=8, lr=0.2)
    assert max_abs_diff(Ws, bs, fast) < 1e-10


def test_batch_larger_than_data_and_single_rows():
    X, y = make_data("softmax", 3, m=5)
    for batch_size in (1, 5, 6, 1000):
        fast, ref = pair([4, 5, 3], ["sigmoid"], "softmax")
        fast.fit(X, y, epochs=2, batch_size=batch_size, lr=0.3)
        Ws, bs, _ = plain_fit(ref, X, y, epochs=2, batch_size=batch_size, lr=0.3)
        assert max_abs_diff(Ws, bs, fast) < 1e-12


@pytest.mark.parametrize("B", [6, 8])                 # the batch, and a last batch shorter than B
def test_fused_softmax_delta_matches_the_losses_module(B):
    """The softmax head's in-place form gives losses.py's delta, loss and predictions."""
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(6, 4)) * 30
    y = rng.integers(0, 4, size=6)
    grad = losses.softmax_cross_entropy_grad(Z, y)
    for lr in (1.0, 0.3):                                          # delta[L], and lr * delta[L]
        fused = heads.get("softmax").in_place(y, B, 4, np.float64)
        fused.start_epoch(np.arange(6))
        delta = fused.delta(Z.copy(), 0, 6, lr)
        np.testing.assert_allclose(delta, lr * grad, rtol=0, atol=1e-16)
        loss, correct = fused.end_epoch()
        assert loss == pytest.approx(losses.softmax_cross_entropy(Z, y), rel=1e-14)
        assert correct == np.sum(Z.argmax(axis=1) == y)


@pytest.mark.parametrize("output,K", OUTPUTS)
def test_every_head_has_one_delta(output, K):
    """Each head's delta is (A - Y) / m from its own activate, and its in-place form gives lr times it."""
    rng = np.random.default_rng(1)
    X, y = make_data(output, K, m=7)
    head = heads.get(output)
    Z = rng.normal(size=(7, K)) * 3
    Y = head.targets(y, 7, K, np.float64)
    onehot = losses.one_hot(Y, K) if output == "softmax" else Y
    np.testing.assert_allclose(head.delta(Z, Y), (head.activate(Z) - onehot) / 7, atol=1e-15)
    batch = head.in_place(Y, 7, K, np.float64)
    batch.start_epoch(np.arange(7))
    np.testing.assert_allclose(batch.delta(Z.copy(), 0, 7, 0.5), 0.5 * head.delta(Z, Y), atol=1e-15)
    assert batch.end_epoch()[0] == pytest.approx(head.loss(Z, Y), rel=1e-12)
