"""Logistic regression from scratch, as a computation graph (notebook 02).

Per example: ``z = w . x + b``, ``a = sigma(z)``,
``L = -[y log a + (1 - y) log(1 - a)]``; backward: ``dL/da = -y/a + (1-y)/(1-a)``,
``dL/dz = a - y``, ``dL/dw = (a - y) x``, ``dL/db = a - y``.
"""
from __future__ import annotations

import numpy as np

from ._validation import check_binary_labels, check_fitted, check_matrix, check_positive
from .activations import sigmoid

__all__ = ["logistic_loss_and_grad", "logistic_loss_and_grad_loop", "LogisticRegression"]


def logistic_loss_and_grad(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray):
    """Vectorised mean loss ``J`` and its gradients ``(J, dw, db)``.

    ``X`` is ``(m, n)``, ``y`` ``(m,)`` in ``{0, 1}``, ``w`` ``(n,)``. The loss is
    computed from ``z`` as ``logaddexp(0, z) - y z`` so it never takes ``log 0``.
    """
    m = X.shape[0]
    z = X @ w + b
    J = float(np.sum(np.logaddexp(0, z) - y * z) / m)
    dz = (sigmoid(z) - y) / m
    return J, X.T @ dz, float(dz.sum())


def logistic_loss_and_grad_loop(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray):
    """The same as :func:`logistic_loss_and_grad`, one example at a time (for the speed comparison)."""
    m, n = X.shape
    J, dw, db = 0.0, np.zeros(n), 0.0
    for i in range(m):
        z = b
        for j in range(n):
            z += w[j] * X[i, j]
        a = 1.0 / (1.0 + np.exp(-z)) if z >= 0 else np.exp(z) / (1.0 + np.exp(z))
        J += np.logaddexp(0, z) - y[i] * z
        dz = a - y[i]
        for j in range(n):
            dw[j] += X[i, j] * dz
        db += dz
    return float(J / m), dw / m, float(db / m)


class LogisticRegression:
    """Binary logistic regression trained by (minibatch) gradient descent.

    ``batch_size=None`` is batch gradient descent, ``1`` stochastic, anything
    else minibatch. ``history_`` holds the full-data loss after each epoch.
    """

    def __init__(self, lr: float = 0.1, epochs: int = 100, batch_size: int | None = None,
                 seed: int = 0):
        self.lr = check_positive(lr, "lr")
        self.epochs = check_positive(epochs, "epochs", integer=True)
        self.batch_size = None if batch_size is None else check_positive(batch_size, "batch_size", integer=True)
        self.seed = seed

    def fit(self, X, y) -> "LogisticRegression":
        """Learn ``w_``, ``b_`` from ``X`` ``(m, n)`` and labels ``y`` ``(m,)`` in ``{0, 1}``."""
        X = check_matrix(X, "X")
        y = check_binary_labels(y, X.shape[0])
        m, n = X.shape
        rng = np.random.default_rng(self.seed)
        self.w_, self.b_ = np.zeros(n), 0.0
        bs = m if self.batch_size is None else self.batch_size
        self.history_ = []
        for _ in range(self.epochs):
            order = rng.permutation(m) if bs < m else np.arange(m)
            for start in range(0, m, bs):
                idx = order[start:start + bs]
                _, dw, db = logistic_loss_and_grad(self.w_, self.b_, X[idx], y[idx])
                self.w_ -= self.lr * dw
                self.b_ -= self.lr * db
            self.history_.append(logistic_loss_and_grad(self.w_, self.b_, X, y)[0])
        return self

    def _check_X(self, X) -> np.ndarray:
        check_fitted(self, "w_")
        return check_matrix(X, "X", n_features=self.w_.shape[0])

    def decision_function(self, X) -> np.ndarray:
        """``z = w . x + b`` for every row of ``X`` ``(m, n)``; shape ``(m,)``."""
        return self._check_X(X) @ self.w_ + self.b_

    def predict_proba(self, X) -> np.ndarray:
        """``P(y = 1 | x) = sigma(w . x + b)``, shape ``(m,)``."""
        return sigmoid(self.decision_function(X))

    def predict(self, X) -> np.ndarray:
        """Class ``1`` where ``P(y = 1 | x) >= 0.5`` (``z >= 0``), else ``0``; shape ``(m,)``."""
        return (self.decision_function(X) >= 0).astype(int)

    def score(self, X, y) -> float:
        """Accuracy: the fraction of rows of ``X`` whose prediction equals ``y`` ``(m,)`` in ``{0, 1}``."""
        X = self._check_X(X)
        y = check_binary_labels(y, X.shape[0])
        return float(np.mean(self.predict(X) == y))

    def loss(self, X, y) -> float:
        """Mean cross-entropy ``J`` over the rows of ``X``, labels ``y`` ``(m,)`` in ``{0, 1}``."""
        X = self._check_X(X)
        return logistic_loss_and_grad(self.w_, self.b_, X, check_binary_labels(y, X.shape[0]))[0]
