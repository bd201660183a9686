"""Layers with a ``forward`` that returns a cache and a ``backward`` that consumes it.

Shapes (batch-major, SYLLABUS.md):

* ``A_prev``: ``(m, n_in)``, ``W``: ``(n_out, n_in)``, ``b``: ``(n_out,)``
* ``Z = A_prev @ W.T + b``: ``(m, n_out)``; ``A = g(Z)``: ``(m, n_out)``
* ``dZ = dJ/dZ``: ``(m, n_out)`` (the batch of error signals ``delta``)

``dense_forward(..., out=)`` and ``dense_backward_into`` write into preallocated arrays:
the training step (``mlpkit/sgd.py``) calls them so, with no allocation per step.
"""
from __future__ import annotations

import numpy as np

from . import activations
from .init import initialise

__all__ = ["dense_forward", "dense_backward", "dense_backward_into", "activation_forward",
           "activation_backward",
           "Dense", "Activation"]


def dense_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, out: np.ndarray | None = None):
    """``z = W a + b`` for every row: ``Z = A_prev @ W.T + b``.

    Returns ``(Z, cache)`` with ``cache = (A_prev, W)``. With ``out`` (``(m, n_out)``,
    ``W``'s dtype) ``Z`` is written there, by ``np.dot``: the same BLAS product as ``@``,
    with less overhead.
    """
    if out is None:
        Z = A_prev @ W.T
    else:
        Z = np.dot(A_prev, W.T, out=out)
    Z += b
    return Z, (A_prev, W)


def dense_backward(dZ: np.ndarray, cache):
    """Backward of :func:`dense_forward`.

    ``dW = dZ.T @ A_prev`` (``(n_out, n_in)``, sums over the batch: ``dZ``
    already holds the ``1/m``), ``db = sum_i dZ_i`` (``(n_out,)``) and
    ``dA_prev = dZ @ W`` (``(m, n_in)``, i.e. ``W^T delta`` per example).
    Returns ``(dA_prev, dW, db)``.
    """
    A_prev, W = cache
    dW = dZ.T @ A_prev
    db = dZ.sum(axis=0)
    dA_prev = dZ @ W
    return dA_prev, dW, db


def dense_backward_into(dZ: np.ndarray, cache, out, ones: np.ndarray | None = None):
    """:func:`dense_backward` written into preallocated arrays ``out = (dA_prev, dW, db)``.

    ``dA_prev`` may be ``None`` (not computed: nothing uses the first layer's). ``ones``,
    ``m`` ones, makes ``db = ones @ dZ`` one BLAS matrix-vector product, twice as fast as
    a sum at these sizes; ``np.dot`` computes ``dZ.T @ A_prev`` with BLAS even for one row
    (``@`` does not, several times slower), the same values. Returns ``out``.
    (A function of its own, not an ``out=`` of ``dense_backward``: notebook 04 prints that
    one's source.)
    """
    A_prev, W = cache
    dA_prev, dW, db = out
    np.dot(dZ.T, A_prev, out=dW)
    if ones is None:
        np.add.reduce(dZ, axis=0, out=db)
    else:
        np.dot(ones, dZ, out=db)
    if dA_prev is not None:
        np.dot(dZ, W, out=dA_prev)
    return out


def activation_forward(Z: np.ndarray, name: str = "sigmoid"):
    """``A = g(Z)``; returns ``(A, cache)`` with ``cache = (Z, name)``."""
    return activations.get(name).f(Z), (Z, name)


def activation_backward(dA: np.ndarray, cache):
    """``dZ = dA * g'(Z)`` (elementwise; the Hadamard product of the backprop equations)."""
    Z, name = cache
    return dA * activations.get(name).df(Z)


class Dense:
    """Fully connected layer ``z = W a + b`` with ``W`` of shape ``(n_out, n_in)``.

    After ``backward`` the gradients are also kept in ``.dW`` and ``.db``.
    """

    def __init__(self, n_in: int, n_out: int, *, init: str = "xavier", seed=0,
                 dtype=np.float64, W: np.ndarray | None = None, b: np.ndarray | None = None):
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.W = (np.asarray(W, dtype=dtype).copy() if W is not None
                  else initialise(init, n_out, n_in, rng).astype(dtype))
        self.b = np.asarray(b, dtype=dtype).copy() if b is not None else np.zeros(n_out, dtype=dtype)
        if self.W.shape != (n_out, n_in):
            raise ValueError(f"W: expected shape ({n_out}, {n_in}) = (n_out, n_in), got {self.W.shape}")
        if self.b.shape != (n_out,):
            raise ValueError(f"b: expected shape ({n_out},), got {self.b.shape}")
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    @property
    def n_in(self) -> int:
        return self.W.shape[1]

    @property
    def n_out(self) -> int:
        return self.W.shape[0]

    def forward(self, A_prev: np.ndarray):
        """``Z = A_prev @ W.T + b``: ``(m, n_in) -> (m, n_out)``; returns ``(Z, cache)``."""
        return dense_forward(A_prev, self.W, self.b)

    def backward(self, dZ: np.ndarray, cache):
        """``(m, n_out) -> (m, n_in)``; returns ``(dA_prev, dW, db)``."""
        dA_prev, self.dW, self.db = dense_backward(dZ, cache)
        return dA_prev, self.dW, self.db

    def __repr__(self) -> str:
        return f"Dense(n_in={self.n_in}, n_out={self.n_out}, dtype={self.W.dtype})"


class Activation:
    """Elementwise activation layer ``a = g(z)`` (no parameters)."""

    def __init__(self, name: str = "sigmoid"):
        self.name = activations.get(name).name

    def forward(self, Z: np.ndarray):
        """``(m, n) -> (m, n)``; returns ``(A, cache)``."""
        return activation_forward(Z, self.name)

    def backward(self, dA: np.ndarray, cache):
        """``dZ = dA * g'(Z)``: ``(m, n) -> (m, n)``."""
        return activation_backward(dA, cache)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"
