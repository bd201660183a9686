"""Loss functions averaged over a batch, and their gradients.

Convention (SYLLABUS.md): a batch is ``m`` rows; every loss is the mean over the
batch ``J = (1/m) sum_i L_i``, so every gradient carries the factor ``1/m``.
Gradients are taken with respect to the first argument (the network's output
``A`` or its logits ``Z``).
"""
from __future__ import annotations

import numpy as np

from .activations import sigmoid

__all__ = [
    "mse", "mse_grad",
    "binary_cross_entropy", "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
    "logsumexp", "softmax", "log_softmax", "softmax_jacobian", "softmax_backward",
    "one_hot", "cross_entropy", "softmax_cross_entropy", "softmax_cross_entropy_grad",
]


def _batch_size(A: np.ndarray) -> int:
    return A.shape[0] if A.ndim else 1


# ---------------------------------------------------------------- squared error
def mse(A, Y) -> float:
    """Half mean squared error ``J = (1/m) sum_i 1/2 ||a_i - y_i||^2``.

    The 1/2 cancels the 2 of the derivative (Mitchell's ``E_d``), so
    ``dJ/dA = (A - Y) / m``. ``A`` and ``Y`` have the same shape, ``(m,)`` or
    ``(m, K)``.
    """
    A, Y = np.asarray(A), np.asarray(Y)
    d = A - Y
    return float(0.5 * np.sum(d * d) / _batch_size(A))


def mse_grad(A, Y) -> np.ndarray:
    """``dJ/dA = (A - Y) / m`` for :func:`mse`."""
    A, Y = np.asarray(A), np.asarray(Y)
    return (A - Y) / _batch_size(A)


# ---------------------------------------------------------------- binary cross-entropy
def binary_cross_entropy(A, y, eps: float = 1e-12) -> float:
    """``J = -(1/m) sum_i [y_i log a_i + (1 - y_i) log(1 - a_i)]`` from probabilities.

    Probabilities are clipped to ``[eps, 1 - eps]``; prefer
    :func:`binary_cross_entropy_with_logits`, which needs no clipping.
    """
    A, y = np.asarray(A, dtype=float), np.asarray(y, dtype=float)
    A = np.clip(A, eps, 1 - eps)
    return float(-np.sum(y * np.log(A) + (1 - y) * np.log1p(-A)) / _batch_size(A))


def binary_cross_entropy_grad(A, y) -> np.ndarray:
    """``dJ/da_i = (1/m) (-y_i / a_i + (1 - y_i) / (1 - a_i))``."""
    A, y = np.asarray(A, dtype=float), np.asarray(y, dtype=float)
    return (-y / A + (1 - y) / (1 - A)) / _batch_size(A)


def binary_cross_entropy_with_logits(Z, y) -> float:
    """Binary cross-entropy of ``sigma(Z)``, computed from the logits ``Z``.

    ``L = log(1 + exp(z)) - y z`` (the same as ``-y log sigma(z) - (1-y) log(1 - sigma(z))``),
    evaluated with ``logaddexp`` so that no ``|z|`` overflows.
    """
    Z, y = np.asarray(Z), np.asarray(y)
    return float(np.sum(np.logaddexp(0, Z) - y * Z) / _batch_size(Z))


def binary_cross_entropy_with_logits_grad(Z, y) -> np.ndarray:
    """``dJ/dz_i = (sigma(z_i) - y_i) / m``."""
    Z, y = np.asarray(Z), np.asarray(y)
    return (sigmoid(Z) - y) / _batch_size(Z)


# ---------------------------------------------------------------- softmax
def logsumexp(Z, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """``log sum_j exp(z_j)`` computed as ``max + log sum exp(z - max)``."""
    Z = np.asarray(Z)
    zmax = np.max(Z, axis=axis, keepdims=True)
    out = zmax + np.log(np.sum(np.exp(Z - zmax), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(Z, axis: int = -1) -> np.ndarray:
    """``a_k = exp(z_k) / sum_j exp(z_j)`` along ``axis``, after subtracting the max.

    Subtracting ``max_j z_j`` changes nothing mathematically and keeps every
    ``exp`` in ``(0, 1]``, so large logits cannot overflow.
    """
    Z = np.asarray(Z)
    E = np.exp(Z - np.max(Z, axis=axis, keepdims=True))
    E /= np.sum(E, axis=axis, keepdims=True)
    return E


def log_softmax(Z, axis: int = -1) -> np.ndarray:
    """``log softmax(z)_k = z_k - logsumexp(z)``, exact even where softmax underflows."""
    Z = np.asarray(Z)
    return Z - logsumexp(Z, axis=axis, keepdims=True)


def softmax_jacobian(z) -> np.ndarray:
    """Jacobian ``da_i/dz_j = a_i (delta_ij - a_j)`` of the softmax of one vector ``z``."""
    a = softmax(np.asarray(z, dtype=float).ravel())
    return np.diag(a) - np.outer(a, a)


def softmax_backward(dA, A) -> np.ndarray:
    """Vector-Jacobian product: ``dZ = A * (dA - sum_j dA_j A_j)``, row by row."""
    dA, A = np.asarray(dA), np.asarray(A)
    return A * (dA - np.sum(dA * A, axis=-1, keepdims=True))


def one_hot(y, n_classes: int, dtype=np.float64) -> np.ndarray:
    """Integer labels ``(m,)`` to a one-hot matrix ``(m, n_classes)``."""
    y = np.asarray(y)
    Y = np.zeros((y.shape[0], n_classes), dtype=dtype)
    Y[np.arange(y.shape[0]), y] = 1
    return Y


def cross_entropy(A, y, eps: float = 1e-12) -> float:
    """``J = -(1/m) sum_i log a_{i, y_i}`` from probabilities ``A`` ``(m, K)`` and labels ``(m,)``."""
    A, y = np.asarray(A), np.asarray(y)
    return float(-np.sum(np.log(np.maximum(A[np.arange(A.shape[0]), y], eps))) / A.shape[0])


def softmax_cross_entropy(Z, y) -> float:
    """Cross-entropy of ``softmax(Z)`` with integer labels, from the logits.

    ``J = (1/m) sum_i [logsumexp(z_i) - z_{i, y_i}]``, computed from the shifted logits
    ``z - max_k z_k`` as ``log sum_k exp(z_k - max) - (z_y - max)``: no ``exp`` overflows.
    """
    Z, y = np.asarray(Z), np.asarray(y)
    m = Z.shape[0]
    shifted = Z - Z.max(axis=1, keepdims=True)
    return float(np.sum(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(m), y]) / m)


def softmax_cross_entropy_grad(Z, y) -> np.ndarray:
    """``dJ/dZ = (softmax(Z) - onehot(y)) / m``: the output delta ``a - y``, averaged."""
    Z, y = np.asarray(Z), np.asarray(y)
    m = Z.shape[0]
    G = softmax(Z)
    G[np.arange(m), y] -= 1
    G /= m
    return G
