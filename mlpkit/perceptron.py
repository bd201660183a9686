"""Threshold logic units and Rosenblatt's perceptron (notebook 01)."""
from __future__ import annotations

import numpy as np

from ._validation import check_array, check_fitted, check_matrix, check_pm1_labels, check_positive

__all__ = ["threshold_unit", "add_bias", "Perceptron", "margin", "novikoff_bound"]


def threshold_unit(X, w, b: float) -> np.ndarray:
    """McCulloch-Pitts unit ``f(x) = 1 if w.x + b >= 0 else 0`` for every row of ``X``.

    ``w`` may be a scalar (the same weight on every input, as in
    ``and(u, v) = 1{u + v - 1.5 >= 0}``) or a vector of length ``n``.
    """
    X = check_array(X, "X", ndim=(1, 2))
    if X.ndim == 1:
        X = X[:, None]
    w = check_array(w, "w", ndim=(0, 1))
    if w.ndim == 1 and w.shape[0] != X.shape[1]:
        raise ValueError(f"w: expected a scalar or {X.shape[1]} weights (one per column of X), "
                         f"got shape {w.shape}")
    b = float(check_array(b, "b", ndim=0))
    return (X @ np.broadcast_to(w, X.shape[1:]) + b >= 0).astype(int)


def add_bias(X) -> np.ndarray:
    """The bias trick: append a constant 1 to every row, ``(m, n) -> (m, n + 1)``."""
    X = check_matrix(X, "X")
    return np.hstack([X, np.ones((X.shape[0], 1))])


def margin(X, y, w) -> float:
    """Geometric margin ``gamma = min_n y_n (w . x_n) / ||w||`` of augmented weights ``w``."""
    Xa = add_bias(X)
    y = check_pm1_labels(y, Xa.shape[0])
    w = _check_augmented(w, Xa.shape[1])
    return float(np.min(y * (Xa @ w)) / np.linalg.norm(w))


def _check_augmented(w, n: int) -> np.ndarray:
    """Augmented weights ``[w_1..w_(n-1), b]`` of shape ``(n,)``, not all zero."""
    w = check_array(w, "w", ndim=1)
    if w.shape[0] != n:
        raise ValueError(f"w: expected {n} augmented weights (one per feature, bias last), "
                         f"got shape {w.shape}")
    if not np.any(w):
        raise ValueError("w: all weights are zero, so there is no separating line and no margin")
    return w


def novikoff_bound(X, y, w) -> float:
    """Novikoff's bound ``(R / gamma)^2`` on the number of perceptron updates.

    ``R = max_n ||x_n||`` over the augmented inputs, ``gamma`` the margin of a
    separating ``w`` (any one: the bound holds for each, the best ``w`` gives the tightest).
    """
    R = np.max(np.linalg.norm(add_bias(X), axis=1))
    g = margin(X, y, w)
    if g <= 0:
        raise ValueError("w: does not separate the data (margin <= 0), so no bound applies")
    return float((R / g) ** 2)


class Perceptron:
    """Rosenblatt's perceptron ``f(x) = sign(w . x + b)``, labels ``-1/+1``.

    Learning (with the bias trick ``x -> [x, 1]``): start from ``w = 0``; sweep the
    examples in order; whenever ``y_n (w . x_n) <= 0`` add ``y_n x_n`` to ``w``.
    Stops after a sweep with no mistake (``converged_ = True``) or after
    ``max_epochs`` sweeps.

    Attributes after ``fit``: ``w_`` (augmented weights, bias last), ``coef_``,
    ``intercept_``, ``n_updates_``, ``converged_``, ``n_epochs_`` and ``updates_``,
    the list of ``(n, w after the update)`` for every update, for replaying.
    """

    def __init__(self, max_epochs: int = 100):
        self.max_epochs = check_positive(max_epochs, "max_epochs", integer=True)

    def fit(self, X, y) -> "Perceptron":
        """Learn ``w`` from ``X`` ``(m, n)`` and labels ``y`` ``(m,)`` in ``{-1, +1}``."""
        X = check_matrix(X, "X")
        y = check_pm1_labels(y, X.shape[0])
        Xa = add_bias(X)
        w = np.zeros(Xa.shape[1])
        self.updates_ = []
        self.converged_ = False
        for epoch in range(self.max_epochs):
            mistakes = 0
            for n in range(Xa.shape[0]):
                if y[n] * (w @ Xa[n]) <= 0:
                    w = w + y[n] * Xa[n]
                    mistakes += 1
                    self.updates_.append((n, w.copy()))
            if mistakes == 0:
                self.converged_ = True
                break
        self.n_epochs_ = epoch + 1
        self.n_updates_ = len(self.updates_)
        self.w_ = w
        self.coef_, self.intercept_ = w[:-1], float(w[-1])
        return self

    def decision_function(self, X) -> np.ndarray:
        """``w . x + b`` for every row of ``X`` ``(m, n)``; shape ``(m,)``."""
        check_fitted(self, "coef_")
        X = check_matrix(X, "X", n_features=self.coef_.shape[0])
        return X @ self.coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        """``+1`` where ``w . x + b > 0``, else ``-1`` (a point on the line counts as a mistake in training)."""
        return np.where(self.decision_function(X) > 0, 1, -1)

    def score(self, X, y) -> float:
        """Accuracy: the fraction of rows of ``X`` whose prediction equals ``y`` ``(m,)`` in ``{-1, +1}``."""
        check_fitted(self, "coef_")
        X = check_matrix(X, "X", n_features=self.coef_.shape[0])
        y = check_pm1_labels(y, X.shape[0])
        return float(np.mean(self.predict(X) == y))
