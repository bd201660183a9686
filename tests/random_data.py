"""Random inputs and targets for each output type of an MLP (shared by the MLP and fit tests)."""
import numpy as np


def make_data(output: str, sizes, m: int, rng: np.random.Generator):
    """``X`` of shape ``(m, sizes[0])`` and targets for ``output``: class labels (softmax),
    0/1 labels of shape ``(m,)`` or ``(m, K)`` (sigmoid), reals (identity); ``K = sizes[-1]``."""
    X = rng.normal(size=(m, sizes[0]))
    K = sizes[-1]
    if output == "softmax":
        y = rng.integers(0, K, size=m)
    elif output == "sigmoid":
        y = rng.integers(0, 2, size=m) if K == 1 else rng.integers(0, 2, size=(m, K))
    else:
        y = rng.normal(size=m) if K == 1 else rng.normal(size=(m, K))
    return X, y
