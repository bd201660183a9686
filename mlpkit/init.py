"""Weight initialisation schemes for a ``(n_out, n_in)`` weight matrix."""
from __future__ import annotations

import numpy as np

__all__ = ["small_uniform", "xavier", "he", "initialise", "SCHEMES"]


def small_uniform(n_out: int, n_in: int, rng: np.random.Generator, scale: float = 0.05) -> np.ndarray:
    """Uniform in ``[-scale, scale]`` (Mitchell's ``[-0.05, 0.05]``)."""
    return rng.uniform(-scale, scale, size=(n_out, n_in))


def xavier(n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot/Xavier uniform: ``U(-r, r)``, ``r = sqrt(6 / (n_in + n_out))``; for sigmoid/tanh."""
    r = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-r, r, size=(n_out, n_in))


def he(n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    """He normal: ``N(0, 2 / n_in)``; for ReLU-like units."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))


SCHEMES = {"uniform": small_uniform, "xavier": xavier, "he": he}


def initialise(scheme: str, n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    """Weights of shape ``(n_out, n_in)`` drawn with the named scheme."""
    if scheme not in SCHEMES:
        raise ValueError(f"init: expected one of {', '.join(SCHEMES)} or 'auto'; got {scheme!r}")
    return SCHEMES[scheme](n_out, n_in, rng)
