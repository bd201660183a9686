"""gradcheck finds wrong gradients and points at the wrong entries."""
import numpy as np

import mlpkit
from mlpkit.gradcheck import gradcheck, numerical_gradient, relative_error


def test_numerical_gradient_of_a_quadratic():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.0])
    num = numerical_gradient(lambda: 0.5 * x @ A @ x, x)
    np.testing.assert_allclose(num, A @ x, atol=1e-9)
    np.testing.assert_array_equal(x, [0.5, -1.0])  # restored


def test_right_gradient_passes_wrong_one_fails_and_is_located():
    rng = np.random.default_rng(0)
    model = mlpkit.MLP([3, 4, 2], hidden="sigmoid", seed=0)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=5)
    (dW1, db1), (dW2, db2) = model.gradients(X, y)
    loss = lambda: model.loss(X, y)  # noqa: E731
    params = [model.layers[0].W, model.layers[0].b, model.layers[1].W, model.layers[1].b]
    good = gradcheck(loss, params, [dW1, db1, dW2, db2], names=["W1", "b1", "W2", "b2"])
    assert good.passed and good.max_error < 1e-8 and "passed" in str(good)
    bad_dW1 = dW1.copy()
    bad_dW1[2, 1] *= -1  # a sign error in one entry
    bad = gradcheck(loss, params, [bad_dW1, db1, dW2, db2], names=["W1", "b1", "W2", "b2"])
    assert not bad.passed and not bool(bad)
    assert bad.errors["W1"] > 1e-3 and bad.errors["W2"] < 1e-7
    assert bad.worst["W1"][0][0] == (2, 1)
    assert "FAIL W1" in str(bad) and "W1[2, 1]" in str(bad)


def test_float32_round_off_is_visible():
    """Why the course checks in float64: the same check in float32 is far less precise."""
    x64 = np.linspace(-1, 1, 5)
    x32 = x64.astype(np.float32)
    e64 = relative_error(numerical_gradient(lambda: float(np.sum(np.tanh(x64))), x64), 1 - np.tanh(x64) ** 2)
    e32 = relative_error(numerical_gradient(lambda: float(np.sum(np.tanh(x32))), x32, eps=1e-3),
                         1 - np.tanh(x64) ** 2)
    assert e64 < 1e-9 < 1e-6 < e32


def test_gradcheck_model_names_every_layer():
    model = mlpkit.MLP([2, 3, 3, 1], hidden=["tanh", "elu"], output="sigmoid", seed=2)
    X = np.random.default_rng(1).normal(size=(4, 2))
    res = mlpkit.gradcheck_model(model, X, np.array([0, 1, 1, 0]))
    assert list(res.errors) == ["W1", "b1", "W2", "b2", "W3", "b3"] and res.passed
