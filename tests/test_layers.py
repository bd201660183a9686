"""Dense and Activation layers: backward against finite differences."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from mlpkit import activations
from mlpkit.gradcheck import numerical_gradient, relative_error
from mlpkit.layers import Activation, Dense, dense_backward, dense_forward

sizes = st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6), st.integers(0, 10**6))


@given(sizes)
def test_dense_backward(s):
    m, n_in, n_out, seed = s
    rng = np.random.default_rng(seed)
    layer = Dense(n_in, n_out, seed=seed)
    assert layer.W.shape == (n_out, n_in) and layer.b.shape == (n_out,)
    layer.b[:] = rng.normal(size=n_out)
    A = rng.normal(size=(m, n_in))
    G = rng.normal(size=(m, n_out))  # upstream gradient of J = sum(G * Z)
    Z, cache = layer.forward(A)
    np.testing.assert_allclose(Z, A @ layer.W.T + layer.b)
    dA, dW, db = layer.backward(G, cache)
    J = lambda: float(np.sum(G * layer.forward(A)[0]))  # noqa: E731
    assert relative_error(dW, numerical_gradient(J, layer.W)) < 1e-7
    assert relative_error(db, numerical_gradient(J, layer.b)) < 1e-7
    assert relative_error(dA, numerical_gradient(J, A)) < 1e-7
    assert dA.shape == A.shape and dW.shape == layer.W.shape and db.shape == layer.b.shape


@pytest.mark.parametrize("name", activations.NAMES)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 10**6))
def test_activation_backward(name, m, n, seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(m, n)) * 2
    Z = np.where(np.abs(Z) < 1e-3, 0.5, Z)
    Z = np.where(np.abs(np.abs(Z) - 1) < 1e-3, 1.5, Z)  # hard_tanh's corners
    G = rng.normal(size=(m, n))
    layer = Activation(name)
    A, cache = layer.forward(Z)
    dZ = layer.backward(G, cache)
    num = numerical_gradient(lambda: float(np.sum(G * layer.forward(Z)[0])), Z)
    assert relative_error(dZ, num) < 1e-7


def test_functional_and_class_forms_agree():
    rng = np.random.default_rng(0)
    layer = Dense(3, 2, seed=1)
    A = rng.normal(size=(4, 3))
    Z1, c1 = layer.forward(A)
    Z2, c2 = dense_forward(A, layer.W, layer.b)
    np.testing.assert_array_equal(Z1, Z2)
    G = rng.normal(size=(4, 2))
    for x, y in zip(layer.backward(G, c1), dense_backward(G, c2)):
        np.testing.assert_array_equal(x, y)


def test_dense_rejects_wrong_weight_shape():
    with pytest.raises(ValueError, match=r"W: expected shape \(2, 3\) = \(n_out, n_in\), got \(3, 2\)"):
        Dense(3, 2, W=np.zeros((3, 2)))
