"""Figures used across the notebooks: decision regions, learning curves, digits, confusion matrix.

Every function draws on the given ``ax`` (or a new one) and returns it; the
caller ends the cell with ``plt.show()``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["decision_regions", "learning_curves", "digit_images", "confusion_matrix"]


def _axes(ax, figsize=(4.5, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def decision_regions(predict: Callable | object, X, y, ax=None, resolution: int = 200,
                     padding: float = 0.5, title: str | None = None, cmap: str = "coolwarm"):
    """Colour the plane by ``predict`` and scatter the labelled points ``(X, y)``.

    ``predict`` is a function of an ``(n, 2)`` array or an object with ``.predict``.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X: expected 2-D points of shape (m, 2), got {X.shape}")
    fn = predict.predict if hasattr(predict, "predict") else predict
    ax = _axes(ax)
    x0min, x1min = X.min(axis=0) - padding
    x0max, x1max = X.max(axis=0) + padding
    g0, g1 = np.meshgrid(np.linspace(x0min, x0max, resolution), np.linspace(x1min, x1max, resolution))
    grid = np.c_[g0.ravel(), g1.ravel()]
    Z = np.asarray(fn(grid)).reshape(g0.shape)
    classes = np.unique(np.r_[np.unique(y), np.unique(Z)])
    ax.contourf(g0, g1, Z, levels=np.r_[classes - 0.5, classes[-1] + 0.5], cmap=cmap, alpha=0.3)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, edgecolors="k", s=25,
               vmin=classes.min(), vmax=classes.max())
    ax.set_xlim(x0min, x0max)
    ax.set_ylim(x1min, x1max)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def learning_curves(history: dict, axes=None, title: str | None = None):
    """Loss (left) and accuracy (right, when recorded) per epoch from ``MLP.fit``'s history."""
    import matplotlib.pyplot as plt

    has_acc = "accuracy" in history
    if axes is None:
        _, axes = plt.subplots(1, 2 if has_acc else 1, figsize=(9 if has_acc else 4.5, 3.5))
    axes = np.atleast_1d(axes)
    epochs = np.arange(1, len(history["loss"]) + 1)
    axes[0].plot(epochs, history["loss"], label="train")
    if "val_loss" in history:
        axes[0].plot(epochs, history["val_loss"], label="validation")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("loss")
    axes[0].legend()
    if has_acc and len(axes) > 1:
        axes[1].plot(epochs, history["accuracy"], label="train")
        if "val_accuracy" in history:
            axes[1].plot(epochs, history["val_accuracy"], label="validation")
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("accuracy")
        axes[1].legend()
    if title:
        axes[0].figure.suptitle(title)
    return axes


def digit_images(X, y_true=None, y_pred=None, n: int = 20, ncols: int = 10, shape=(8, 8)):
    """Draw the first ``n`` rows of ``X`` as images, titled ``true`` or ``true->pred``."""
    import matplotlib.pyplot as plt

    X = np.asarray(X)
    n = min(n, X.shape[0])
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.3 * nrows), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(X[k].reshape(shape), cmap="gray_r", interpolation="nearest")
        if y_true is not None:
            label = str(y_true[k]) if y_pred is None else f"{y_true[k]}\u2192{y_pred[k]}"
            ax.set_title(label, fontsize=9,
                         color="k" if y_pred is None or y_pred[k] == y_true[k] else "C3")
    return axes


def confusion_matrix(C, ax=None, labels=None, title: str | None = None):
    """Heat map of a confusion matrix with the counts written in the cells."""
    C = np.asarray(C)
    ax = _axes(ax, figsize=(5, 4.5))
    ax.imshow(C, cmap="Blues")
    K = C.shape[0]
    labels = list(range(K)) if labels is None else labels
    ax.set_xticks(range(K), labels)
    ax.set_yticks(range(K), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    thresh = C.max() / 2 if C.size else 0
    for i in range(K):
        for j in range(K):
            ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if C[i, j] > thresh else "black")
    if title:
        ax.set_title(title)
    return ax
