"""Activation functions ``g`` and their derivatives ``g'``, elementwise.

Each ``g(z)`` has a partner ``g_prime(z)`` = dg/dz evaluated at the same
pre-activation ``z``; both accept arrays of any shape and keep the dtype of a
float input. ``get(name)`` returns the pair as an :class:`Activation`.

At a kink, where ``g`` has no derivative, ``g_prime`` returns a fixed value, the
same as PyTorch's autograd (``tests/test_activations.py`` checks each one):

* ``relu_prime(0) = 0`` and ``leaky_relu_prime(0) = alpha``: the left-hand piece's slope;
* ``elu_prime(0) = alpha`` (``= 1`` for the default ``alpha = 1``, where both pieces agree);
* ``hard_tanh_prime(-1) = hard_tanh_prime(+1) = 0``: the slope 0 of the flat piece, which is
  the left-hand piece at -1 and the right-hand piece at +1.

In-place forms, for the training step (``mlpkit/sgd.py``; as scikit-learn's
``inplace_relu``...): ``relu``, ``sigmoid`` and ``tanh`` take ``out=`` (no allocation), and
``sigmoid_prime_from_output``, ``tanh_prime_from_output`` give the derivative from the
output ``a = g(z)`` that the forward pass kept. Each :class:`Activation` bundles them as
``forward_into(Z, A, T)`` (``A = g(Z)`` written into ``A``) and ``backward_into(D, Z, A, T)``
(``D *= g'(Z)`` in place, the Hadamard product of the delta recursion).
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

__all__ = [
    "sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime",
    "leaky_relu", "leaky_relu_prime", "elu", "elu_prime", "softplus", "softplus_prime",
    "hard_tanh", "hard_tanh_prime", "identity", "identity_prime",
    "sigmoid_prime_from_output", "tanh_prime_from_output",
    "Activation", "get", "NAMES",
]


def _float(z) -> np.ndarray:
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def sigmoid(z, out=None):
    """Logistic sigmoid ``sigma(z) = 1 / (1 + exp(-z))``, stable for any ``z``.

    Uses ``exp(-|z|)``, which never overflows: for ``z >= 0`` it is
    ``1 / (1 + e)`` and for ``z < 0`` the equal ``e / (1 + e)``.

    With ``out`` (a float array of ``z``'s shape, may be ``z`` itself) the value is written
    there as ``1 / (1 + exp(-z))`` in four in-place passes, half the time and no allocation;
    the same values to rounding. For ``z`` below about -709 (float64; -88 in float32)
    ``exp(-z)`` overflows to inf and ``1 / inf = 0`` is the correct limit: call it under
    ``np.errstate(over="ignore")``, as the training step does.
    """
    if out is not None:
        np.negative(z, out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)
    z = _float(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_prime_from_output(a, out=None):
    """``sigma'(z) = a (1 - a)`` from the output ``a = sigma(z)`` (into ``out`` if given)."""
    if out is None:
        return a * (1.0 - a)
    np.subtract(1.0, a, out=out)
    out *= a
    return out


def sigmoid_prime(z):
    """``sigma'(z) = sigma(z) (1 - sigma(z))``."""
    return sigmoid_prime_from_output(sigmoid(z))


def tanh(z, out=None):
    """Hyperbolic tangent (into ``out`` if given)."""
    return np.tanh(z, out=out) if out is not None else np.tanh(_float(z))


def tanh_prime_from_output(a, out=None):
    """``tanh'(z) = 1 - a**2`` from the output ``a = tanh(z)`` (into ``out`` if given)."""
    if out is None:
        return 1.0 - a * a
    np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


def tanh_prime(z):
    """``tanh'(z) = 1 - tanh(z)**2`` (not ``(1 - tanh z)**2``)."""
    return tanh_prime_from_output(np.tanh(_float(z)))


def relu(z, out=None, zeros=None):
    """Rectified linear unit ``max(0, z)``.

    With ``out`` (may be ``z`` itself) the value is written there; pass ``zeros``, an
    all-zero array of ``z``'s shape and dtype: numpy's maximum of two arrays is vectorised,
    its maximum with the scalar 0 is 3-10 times slower.
    """
    if out is not None:
        return np.maximum(z, 0 if zeros is None else zeros, out=out)
    z = _float(z)
    return np.maximum(z, 0).astype(z.dtype, copy=False)


def relu_prime(z):
    """``1`` where ``z > 0``, else ``0`` (``relu'(0) = 0``).

    The same from the output: ``relu(z) > 0`` exactly where ``z > 0``.
    """
    z = _float(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha: float = 0.01):
    """``z`` for ``z > 0``, ``alpha * z`` otherwise."""
    z = _float(z)
    return np.where(z > 0, z, alpha * z).astype(z.dtype, copy=False)


def leaky_relu_prime(z, alpha: float = 0.01):
    """``1`` for ``z > 0``, ``alpha`` otherwise (``alpha`` at the kink ``z = 0``)."""
    z = _float(z)
    return np.where(z > 0, 1.0, alpha).astype(z.dtype, copy=False)


def elu(z, alpha: float = 1.0):
    """Exponential linear unit: ``z`` for ``z > 0``, ``alpha (exp(z) - 1)`` otherwise."""
    z = _float(z)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))).astype(z.dtype, copy=False)


def elu_prime(z, alpha: float = 1.0):
    """``1`` for ``z > 0``, ``alpha exp(z)`` otherwise (``alpha`` at ``z = 0``)."""
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
    """``1`` for ``-1 < z < 1``, else ``0`` (``0`` at the corners ``z = -1`` and ``z = +1``)."""
    z = _float(z)
    return ((z > -1) & (z < 1)).astype(z.dtype)


def identity(z):
    """``g(z) = z`` (a linear output unit)."""
    return _float(z)


def identity_prime(z):
    """``1`` everywhere."""
    return np.ones_like(_float(z))


# ------------------------------------------------------------------ in place, for the training step
# forward_into(Z, A, T):      A = g(Z), written into A. T: scratch of Z's shape, all zeros
#                             until a backward_into writes it (relu reads it as its zeros).
# backward_into(D, Z, A, T):  D *= g'(Z) in place, from A = g(Z) where g' allows it.
# When ``in_place``, A and Z may be one array (g' needs only A).

def _relu_backward_into(D, Z, A, T):
    D *= A > 0                                  # relu'(z) = [z > 0] = [relu(z) > 0]


def _sigmoid_forward_into(Z, A, T):
    sigmoid(Z, out=A)


def _sigmoid_backward_into(D, Z, A, T):
    D *= sigmoid_prime_from_output(A, out=T)


def _tanh_forward_into(Z, A, T):
    tanh(Z, out=A)


def _tanh_backward_into(D, Z, A, T):
    D *= tanh_prime_from_output(A, out=T)


def _forward_into(f: Callable) -> Callable:
    def forward_into(Z, A, T):                  # any other g: its own function (allocates)
        np.copyto(A, f(Z))
    return forward_into


def _backward_into(df: Callable) -> Callable:
    def backward_into(D, Z, A, T):
        D *= df(Z)
    return backward_into


class Activation(NamedTuple):
    """An activation's name, function ``f`` and derivative ``df`` (both of ``z``), and the
    in-place forms the training step calls (see the module docstring)."""

    name: str
    f: Callable
    df: Callable
    forward_into: Callable
    backward_into: Callable
    in_place: bool = False


def _activation(name: str, f: Callable, df: Callable, forward_into=None, backward_into=None,
                in_place: bool = False) -> Activation:
    return Activation(name, f, df, forward_into or _forward_into(f),
                      backward_into or _backward_into(df), in_place)


_TABLE = {
    "sigmoid": _activation("sigmoid", sigmoid, sigmoid_prime,
                           _sigmoid_forward_into, _sigmoid_backward_into),
    "tanh": _activation("tanh", tanh, tanh_prime, _tanh_forward_into, _tanh_backward_into),
    "relu": _activation("relu", relu, relu_prime, relu, _relu_backward_into,  # relu(Z, A, T): T is
                        in_place=True),                                         # all zeros for relu
    "leaky_relu": _activation("leaky_relu", leaky_relu, leaky_relu_prime),
    "elu": _activation("elu", elu, elu_prime),
    "softplus": _activation("softplus", softplus, softplus_prime),
    "hard_tanh": _activation("hard_tanh", hard_tanh, hard_tanh_prime),
    "identity": _activation("identity", identity, identity_prime),
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
