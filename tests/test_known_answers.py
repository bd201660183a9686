"""Known answers the course relies on."""
import numpy as np
import pytest

import mlpkit
from mlpkit import data
from mlpkit.perceptron import Perceptron, add_bias, novikoff_bound, threshold_unit

TRUTH = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def test_threshold_units_and_or_not_nand():
    np.testing.assert_array_equal(threshold_unit(TRUTH, 1, -1.5), [0, 0, 0, 1])   # AND
    np.testing.assert_array_equal(threshold_unit(TRUTH, 1, -0.5), [0, 1, 1, 1])   # OR
    np.testing.assert_array_equal(threshold_unit(np.array([0, 1]), -1, 0.5), [1, 0])  # NOT
    np.testing.assert_array_equal(threshold_unit(TRUTH, -1, 1.5), [1, 1, 1, 0])   # NAND
    for gate in ["AND", "OR", "NAND"]:
        X, y = data.logic_gate(gate)
        np.testing.assert_array_equal(X, TRUTH)
        assert y.tolist() == data.GATES[gate]


def test_computation_graph_example():
    """f = (x + y) z at (-2, 5, -4): the course's worked answer df/dx = df/dy = z = -4,
    df/dz = x + y = 3, from finite differences (the values are the notes', not computed here)."""
    v = np.array([-2.0, 5.0, -4.0])
    num = mlpkit.numerical_gradient(lambda: (v[0] + v[1]) * v[2], v)
    np.testing.assert_allclose(num, [-4.0, -4.0, 3.0], atol=1e-8)
    np.testing.assert_array_equal(v, [-2.0, 5.0, -4.0])      # the point is restored


def test_hand_set_relu_network_solves_xor():
    X, y = data.logic_gate("XOR")
    W = np.array([[1.0, 1.0], [1.0, 1.0]])
    c = np.array([0.0, -1.0])
    w = np.array([1.0, -2.0])
    H = np.maximum(0, X @ W + c)
    np.testing.assert_array_equal(H, [[0, 0], [1, 0], [1, 0], [2, 1]])
    np.testing.assert_array_equal(H @ w, y)
    # the same network in the course's layout (W is (n_out, n_in)) through mlpkit.MLP
    model = mlpkit.MLP([2, 2, 1], hidden="relu", output="identity")
    model.layers[0].W[:] = W.T
    model.layers[0].b[:] = c
    model.layers[1].W[:] = w[None, :]
    model.layers[1].b[:] = 0.0
    np.testing.assert_array_equal(model.predict(X), y)
    assert model.loss(X, y) == 0.0


def test_normal_equations_on_xor_give_w0_b_half():
    X, y = data.logic_gate("XOR")
    Xa = add_bias(X)
    theta = np.linalg.solve(Xa.T @ Xa, Xa.T @ y)
    np.testing.assert_allclose(theta, [0.0, 0.0, 0.5], atol=1e-12)
    J = np.mean((y - Xa @ theta) ** 2)
    assert J == pytest.approx(0.25)


def test_perceptron_converges_on_separable_data_within_novikoff():
    for seed in range(5):
        X, y01, w_star = data.linearly_separable(60, margin=0.15, seed=seed)
        y = 2 * y01 - 1
        p = Perceptron(max_epochs=1000).fit(X, y)
        assert p.converged_
        np.testing.assert_array_equal(p.predict(X), y)
        assert 0 < p.n_updates_ <= novikoff_bound(X, y, w_star)


def test_perceptron_does_not_converge_on_xor():
    X, y = data.logic_gate("XOR", pm1=True)
    p = Perceptron(max_epochs=50).fit(X, y)
    assert not p.converged_
    assert p.n_epochs_ == 50
    assert np.mean(p.predict(X) == y) < 1.0
    # it cycles: some weight vector comes back
    ws = [tuple(w) for _, w in p.updates_]
    assert len(set(ws)) < len(ws)


def test_perceptron_rule_by_hand_on_and():
    X, y = data.logic_gate("AND", pm1=True)
    p = Perceptron().fit(X, y)
    w = np.zeros(3)
    count = 0
    changed = True
    Xa = add_bias(X)
    while changed:
        changed = False
        for xn, yn in zip(Xa, y):
            if yn * (w @ xn) <= 0:
                w = w + yn * xn
                count += 1
                changed = True
    np.testing.assert_array_equal(p.w_, w)
    assert p.n_updates_ == count


def test_logistic_regression_gradients_and_loop_agree():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(float)
    w, b = rng.normal(size=3), 0.3
    J, dw, db = mlpkit.logistic.logistic_loss_and_grad(w, b, X, y)
    J2, dw2, db2 = mlpkit.logistic.logistic_loss_and_grad_loop(w, b, X, y)
    assert J == pytest.approx(J2) and db == pytest.approx(db2)
    np.testing.assert_allclose(dw, dw2)
    num_w = mlpkit.numerical_gradient(lambda: mlpkit.logistic.logistic_loss_and_grad(w, b, X, y)[0], w)
    assert mlpkit.relative_error(dw, num_w) < 1e-7
    model = mlpkit.LogisticRegression(lr=0.5, epochs=200).fit(X, y)
    assert model.history_[-1] < model.history_[0]
    assert np.mean(model.predict(X) == y) > 0.9
