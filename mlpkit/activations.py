"""Activation functions ``g`` and their derivatives ``g'``, elementwise.

Each ``g(z)`` has a partner ``g_prime(z)`` = dg/dz evaluated at the same
pre-activation ``z``; both accept arrays of any shape and keep the dtype of a
float input. ``get(name)`` returns the pair as an :class:`Activation`.

At a kink (relu, leaky_relu, hard_tanh at their corners) the derivative takes
the value of the left-hand piece, as PyTorch does.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

__all__ = [
    "sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime",
    "leaky_relu", "leaky_relu_prime", "elu", "elu_prime", "softplus", "softplus_prime",
    "hard_tanh", "hard_tanh_prime", "identity", "identity_prime",
    "Activation", "get", "NAMES",
]


def _float(z) -> np.ndarray:
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def sigmoid(z):
    """Logistic sigmoid ``sigma(z) = 1 / (1 + exp(-z))``, stable for any ``z``.

    Uses ``exp(-|z|)``, which never overflows: for ``z >= 0`` it is
    ``1 / (1 + e)`` and for ``z < 0`` the equal ``e / (1 + e)``.
    """
    z = _float(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_prime(z):
    """``sigma'(z) = sigma(z) (1 - sigma(z))``."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent."""
    return np.tanh(_float(z))


def tanh_prime(z):
    """``tanh'(z) = 1 - tanh(z)**2`` (not ``(1 - tanh z)**2``)."""
    t = np.tanh(_float(z))
    return 1.0 - t * t


def relu(z):
    """Rectified linear unit ``max(0, z)``."""
    z = _float(z)
    return np.maximum(z, 0).astype(z.dtype, copy=False)


def relu_prime(z):
    """``1`` where ``z > 0``, else ``0``."""
    z = _float(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha: float = 0.01):
    """``z`` for ``z > 0``, ``alpha * z`` otherwise."""
    z = _float(z)
    return np.where(z > 0, z, alpha * z).astype(z.dtype, copy=False)


def leaky_relu_prime(z, alpha: float = 0.01):
    """``1`` for ``z > 0``, ``alpha`` otherwise."""
    z = _float(z)
    return np.where(z > 0, 1.0, alpha).astype(z.dtype, copy=False)


def elu(z, alpha: float = 1.0):
    """Exponential linear unit: ``z`` for ``z > 0``, ``alpha (exp(z) - 1)`` otherwise."""
    z = _float(z)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))).astype(z.dtype, copy=False)


def elu_prime(z, alpha: float = 1.0):
    """``1`` for ``z > 0``, ``alpha exp(z)`` otherwise."""
    z = _float(z)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0))).astype(z.dtype, copy=False)


def softplus(z):
    """``log(1 + exp(z))``, computed as ``logaddexp(0, z)`` so it never overflows."""
    z = _float(z)
    return np.logaddexp(np.zeros((), z.dtype), z)


def softplus_prime(z):
    """``softplus'(z) = sigma(z)``."""
    return sigmoid(z)


def hard_tanh(z):
    """``clip(z, -1, 1)``."""
    z = _float(z)
    return np.clip(z, -1, 1)


def hard_tanh_prime(z):
    """``1`` for ``-1 < z < 1``, else ``0``."""
    z = _float(z)
    return ((z > -1) & (z < 1)).astype(z.dtype)


def identity(z):
    """``g(z) = z`` (a linear output unit)."""
    return _float(z)


def identity_prime(z):
    """``1`` everywhere."""
    return np.ones_like(_float(z))


class Activation(NamedTuple):
    """An activation's name, function ``f`` and derivative ``df`` (both of ``z``)."""

    name: str
    f: Callable
    df: Callable


_TABLE = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime),
    "tanh": Activation("tanh", tanh, tanh_prime),
    "relu": Activation("relu", relu, relu_prime),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_prime),
    "elu": Activation("elu", elu, elu_prime),
    "softplus": Activation("softplus", softplus, softplus_prime),
    "hard_tanh": Activation("hard_tanh", hard_tanh, hard_tanh_prime),
    "identity": Activation("identity", identity, identity_prime),
}

#: Names accepted by :func:`get` and by ``MLP(hidden=...)``.
NAMES = tuple(_TABLE)


def get(name: str | Activation) -> Activation:
    """Look up an activation by name (``"sigmoid"``, ``"relu"``, ...)."""
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str) or name not in _TABLE:
        raise ValueError(f"activation: expected one of {', '.join(NAMES)}; got {name!r}")
    return _TABLE[name]
