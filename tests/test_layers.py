"""Dense and Activation layers: backward against finite differences."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from mlpkit import activations
from mlpkit.gradcheck import numerical_gradient, relative_error
from mlpkit.layers import Activation, Dense, dense_backward, dense_backward_into, dense_forward

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


@pytest.mark.parametrize("m", [1, 4])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dense_out_forms_write_the_same_values_into_the_given_arrays(m, dtype):
    """The training step's in-place calls: same numbers as the allocating forms, in the
    arrays passed (no new array), dA_prev skipped when None, db from ones or from a sum."""
    rng = np.random.default_rng(m)
    W, b = rng.normal(size=(2, 3)).astype(dtype), rng.normal(size=2).astype(dtype)
    A, G = rng.normal(size=(m, 3)).astype(dtype), rng.normal(size=(m, 2)).astype(dtype)
    Z, cache = dense_forward(A, W, b)
    np.testing.assert_allclose(Z, A.astype(np.float64) @ W.T + b, rtol=1e-6)   # and it is the equation
    out = np.full((m, 2), np.nan, dtype)
    Z2, cache2 = dense_forward(A, W, b, out=out)
    assert Z2 is out and cache2[0] is A and cache2[1] is W
    np.testing.assert_allclose(out, Z, rtol=1e-6)
    dA, dW, db = dense_backward(G, cache)
    for ones in (None, np.ones(m, dtype)):
        bufs = (np.full((m, 3), np.nan, dtype), np.full((2, 3), np.nan, dtype), np.full(2, np.nan, dtype))
        got = dense_backward_into(G, cache, bufs, ones)
        assert all(x is y for x, y in zip(got, bufs))
        for x, y in zip(bufs, (dA, dW, db)):
            np.testing.assert_allclose(x, y, rtol=1e-5)
    dW_only = np.empty((2, 3), dtype)
    assert dense_backward_into(G, cache, (None, dW_only, np.empty(2, dtype)))[0] is None
    np.testing.assert_allclose(dW_only, dW, rtol=1e-5)


@pytest.mark.parametrize("name", activations.NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activation_in_place_forms_match_f_and_df(name, dtype):
    """forward_into writes g(Z) and backward_into multiplies D by g'(Z), as f and df compute them."""
    rng = np.random.default_rng(0)
    g = activations.get(name)
    Z = (rng.normal(size=(5, 4)) * 3).astype(dtype)
    D = rng.normal(size=(5, 4)).astype(dtype)
    A, T = np.full_like(Z, np.nan), np.zeros_like(Z)
    Zc = Z.copy()
    g.forward_into(Zc, Zc if g.in_place else A, T)
    A = Zc if g.in_place else A
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(A, g.f(Z), rtol=tol, atol=tol)
    D2 = D.copy()
    g.backward_into(D2, Z, A, T)
    np.testing.assert_allclose(D2, D * g.df(Z), rtol=tol, atol=tol)


def test_dense_rejects_wrong_weight_shape():
    with pytest.raises(ValueError, match=r"W: expected shape \(2, 3\) = \(n_out, n_in\), got \(3, 2\)"):
        Dense(3, 2, W=np.zeros((3, 2)))
