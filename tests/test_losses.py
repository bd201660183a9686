"""Losses and their gradients against finite differences; numerical stability."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

from mlpkit import losses as L
from mlpkit.gradcheck import numerical_gradient, relative_error

dims = st.tuples(st.integers(1, 6), st.integers(2, 5))


def fd(f, x):
    x = x.copy()
    return numerical_gradient(lambda: f(x), x)


@given(dims, st.integers(0, 2**31 - 1))
def test_mse_grad(mk, seed):
    m, k = mk
    rng = np.random.default_rng(seed)
    A, Y = rng.normal(size=(m, k)), rng.normal(size=(m, k))
    assert relative_error(L.mse_grad(A, Y), fd(lambda a: L.mse(a, Y), A)) < 1e-7


@given(dims, st.integers(0, 2**31 - 1))
def test_bce_grads(mk, seed):
    m, _ = mk
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(m, 1)) * 3
    y = rng.integers(0, 2, size=(m, 1)).astype(float)
    assert relative_error(L.binary_cross_entropy_with_logits_grad(Z, y),
                          fd(lambda z: L.binary_cross_entropy_with_logits(z, y), Z)) < 1e-7
    A = 1 / (1 + np.exp(-Z / 3))  # probabilities away from 0 and 1, where differences of log are exact enough
    assert relative_error(L.binary_cross_entropy_grad(A, y),
                          fd(lambda a: L.binary_cross_entropy(a, y), A)) < 1e-7
    # the probability form and the logit form are the same loss
    assert L.binary_cross_entropy(A, y) == pytest.approx(L.binary_cross_entropy_with_logits(Z / 3, y))


@given(dims, st.integers(0, 2**31 - 1))
def test_softmax_cross_entropy_grad(mk, seed):
    m, k = mk
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(m, k)) * 2
    y = rng.integers(0, k, size=m)
    g = L.softmax_cross_entropy_grad(Z, y)
    assert relative_error(g, fd(lambda z: L.softmax_cross_entropy(z, y), Z)) < 1e-7
    # the collapse to (a - y)/m
    np.testing.assert_allclose(g, (L.softmax(Z) - L.one_hot(y, k)) / m, atol=1e-15)
    # from probabilities, the same number
    assert L.cross_entropy(L.softmax(Z), y) == pytest.approx(L.softmax_cross_entropy(Z, y))


@given(st.integers(2, 6), st.integers(0, 2**31 - 1))
def test_softmax_jacobian_and_backward(k, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=k)
    J = L.softmax_jacobian(z)
    num = np.stack([fd(lambda v: L.softmax(v)[i], z) for i in range(k)])
    assert relative_error(J, num) < 1e-7
    a = L.softmax(z)
    np.testing.assert_allclose(J, np.diag(a) - np.outer(a, a))
    dA = rng.normal(size=k)
    np.testing.assert_allclose(L.softmax_backward(dA[None], a[None])[0], J.T @ dA, atol=1e-14)


@given(dims, st.integers(0, 2**31 - 1))
def test_log_softmax_grad_via_backward(mk, seed):
    m, k = mk
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(m, k))
    W = rng.normal(size=(m, k))
    # d/dZ sum(W * log_softmax(Z)) = W - softmax(Z) * sum(W, axis=1)
    ana = W - L.softmax(Z) * W.sum(axis=1, keepdims=True)
    assert relative_error(ana, fd(lambda z: np.sum(W * L.log_softmax(z)), Z)) < 1e-7


def test_softmax_stable_for_huge_logits():
    Z = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = L.softmax(Z)
        LS = L.log_softmax(Z)
        loss = L.softmax_cross_entropy(Z, np.array([0, 2]))
        bce = L.binary_cross_entropy_with_logits(np.array([1000.0, -1000.0]), np.array([0.0, 1.0]))
    np.testing.assert_allclose(A.sum(axis=1), 1.0)
    np.testing.assert_allclose(A[1], 1 / 3)
    assert np.all(np.isfinite(LS))
    assert loss == pytest.approx((np.log(1 + np.exp(1) + np.exp(-1)) + np.log(3)) / 2)
    assert bce == pytest.approx(1000.0)


def test_logsumexp_and_log_softmax_identities():
    z = np.array([0.5, -1.0, 2.0])
    assert L.logsumexp(z) == pytest.approx(np.log(np.exp(z).sum()))
    np.testing.assert_allclose(L.log_softmax(z), np.log(L.softmax(z)))
    # logsumexp is a smooth max
    assert max(z) <= L.logsumexp(z) <= max(z) + np.log(len(z))


def test_softmax_two_classes_is_the_logistic_sigmoid():
    z = np.linspace(-4, 4, 9)
    A = L.softmax(np.stack([np.zeros_like(z), z], axis=1))
    np.testing.assert_allclose(A[:, 1], 1 / (1 + np.exp(-z)))


def test_mse_value():
    assert L.mse(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])) == pytest.approx(2.5)
