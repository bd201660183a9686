"""The multilayer perceptron, built from its layers: forward pass, backpropagation, minibatch SGD.

Notation (SYLLABUS.md, notebook 05): for layers ``l = 1..L``

* forward:  ``Z[l] = A[l-1] @ W[l].T + b[l]``,  ``A[l] = g(Z[l])``,  ``A[0] = X``  (``layers.py``)
* output delta:  ``delta[L] = dJ/dZ[L] = (A[L] - Y) / m`` for every output head here
  (softmax + cross-entropy, sigmoid + binary cross-entropy, identity + squared error: ``heads.py``)
* delta recursion:  ``delta[l] = (delta[l+1] @ W[l+1]) * g'(Z[l])``  (``layers.py``)
* gradients:  ``dW[l] = delta[l].T @ A[l-1]``,  ``db[l] = sum_i delta[l]_i``
* update (gradient descent):  ``W[l] -= lr * dW[l]``,  ``b[l] -= lr * db[l]`` (``sgd.py``)
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from . import activations, heads
from ._validation import check_dtype, check_matrix, check_positive
from .heads import OUTPUTS
from .layers import Dense, activation_backward, activation_forward, dense_backward, dense_forward
from .sgd import DIVERGENCE_FACTOR, MinibatchSGD, TrainingDiverged

__all__ = ["MLP", "TrainingDiverged", "OUTPUTS", "DIVERGENCE_FACTOR"]
RELU_LIKE = ("relu", "leaky_relu", "elu")            # init="auto" gives them He, the others Xavier


class MLP:
    """A fully connected network ``sizes[0] -> ... -> sizes[-1]``.

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, input first: ``[64, 128, 10]`` is one hidden layer of 128.
    hidden : str or sequence of str
        Hidden activation, one name for all hidden layers or one per hidden layer
        (see ``mlpkit.activations.NAMES``).
    output : {"softmax", "sigmoid", "identity"}
        Output unit and loss (see ``OUTPUTS``).
    seed : int
        Seed of the weight initialisation.
    dtype : np.float32 or np.float64
    init : {"auto", "xavier", "he", "uniform"}
        ``"auto"`` uses He for ReLU-like layers and Xavier otherwise; biases start at 0.
    """

    def __init__(self, sizes: Sequence[int], hidden: str | Sequence[str] = "sigmoid",
                 output: str = "softmax", seed: int = 0, dtype=np.float64, init: str = "auto"):
        sizes = list(sizes) if not isinstance(sizes, (str, bytes)) else None
        if (sizes is None or len(sizes) < 2
                or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1
                           for n in sizes)):
            raise ValueError("sizes: expected a list of at least two positive integers such as "
                             f"[64, 32, 10] (input, hidden..., output); got {sizes!r}")
        self.sizes, n_hidden = [int(n) for n in sizes], len(sizes) - 2
        hidden = [hidden] * n_hidden if isinstance(hidden, (str, activations.Activation)) else list(hidden)
        if len(hidden) != n_hidden:
            raise ValueError(f"hidden: expected one activation name or {n_hidden} names "
                             f"(one per hidden layer), got {len(hidden)}: {hidden!r}")
        self.hidden = [activations.get(h).name for h in hidden]
        self.head = heads.get(output)
        if self.sizes[-1] < self.head.min_outputs:
            raise ValueError(f"sizes: a softmax output needs at least 2 units, got {self.sizes[-1]}; "
                             "for two classes use output='sigmoid' with 1 unit or softmax with 2")
        self.output, self.dtype = output, check_dtype(dtype)
        if init != "auto" and init not in ("xavier", "he", "uniform"):
            raise ValueError(f"init: expected 'auto', 'xavier', 'he' or 'uniform'; got {init!r}")
        self.init, self.seed = init, seed
        rng = np.random.default_rng(seed)
        self.layers = [Dense(n_in, n_out, seed=rng, dtype=self.dtype,  # the layers l = 1..L
                             init=init if init != "auto" else "he" if name in RELU_LIKE else "xavier")
                       for n_in, n_out, name in zip(self.sizes[:-1], self.sizes[1:], self.hidden + [output])]
        self.g = [activations.get(h) for h in self.hidden]           # their activations, l = 1..L-1
        self.history_: dict | None = None

    def __repr__(self) -> str:
        return (f"MLP(sizes={self.sizes}, hidden={self.hidden}, output={self.output!r}, "
                f"dtype={self.dtype.name})")

    @property
    def params(self) -> list[np.ndarray]:
        """``[W1, b1, W2, b2, ...]``: the arrays themselves (not copies)."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.params)

    def _check_X(self, X) -> np.ndarray:
        return check_matrix(X, "X", n_features=self.sizes[0], dtype=self.dtype)

    def _check_Xy(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        """``X`` and the targets as the head takes them (labels, or float ``(m, K)``)."""
        X = self._check_X(X)
        return X, self.head.targets(y, X.shape[0], self.sizes[-1], self.dtype)

    def _logits(self, X: np.ndarray):
        """``Z[L]`` and the caches of every layer, in order (Dense, Activation, Dense, ...)."""
        caches, A = [], X
        for l, layer in enumerate(self.layers):
            Z, cache = dense_forward(A, layer.W, layer.b)           # Z[l] = A[l-1] @ W[l].T + b[l]
            caches.append(cache)
            if l < len(self.hidden):
                A, cache = activation_forward(Z, self.hidden[l])     # A[l] = g(Z[l])
                caches.append(cache)
        return Z, caches

    def forward(self, X) -> np.ndarray:
        """Network output ``A[L]``, shape ``(m, sizes[-1])``."""
        return self.head.activate(self._logits(self._check_X(X))[0])

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities: ``(m, K)`` for softmax, ``P(y=1)`` of shape ``(m,)`` for one sigmoid unit."""
        if not self.head.classifier:
            raise ValueError("predict_proba: this MLP has an identity (regression) output; use predict")
        A = self.forward(X)
        return A[:, 0] if A.shape[1] == 1 else A

    def predict(self, X) -> np.ndarray:
        """Class labels (softmax: argmax; sigmoid: ``a >= 0.5``) or regression outputs."""
        return self.head.predict(self.forward(X))

    def score(self, X, y) -> float:
        """Accuracy for classifiers, ``R^2`` for the identity output."""
        X, Y = self._check_Xy(X, y)
        return self.head.score(self.forward(X), Y)

    def loss(self, X, y) -> float:
        """Mean loss ``J`` over the rows of ``X``."""
        X, Y = self._check_Xy(X, y)
        return self.head.loss(self._logits(X)[0], Y)

    def gradients(self, X, y) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(dW, db), ...]`` of the mean loss, matching ``[(layer.W, layer.b), ...]``:
        backpropagation through the layers' caches, last layer first."""
        X, Y = self._check_Xy(X, y)
        Z, caches = self._logits(X)
        delta = self.head.delta(Z, Y)                                 # delta[L] = (A[L] - Y) / m
        grads = []
        for l in range(len(self.layers) - 1, -1, -1):
            dA, dW, db = dense_backward(delta, caches.pop())           # dW[l], db[l], delta[l] @ W[l]
            grads.append((dW, db))
            if l > 0:
                delta = activation_backward(dA, caches.pop())           # * g'(Z[l-1])
        return grads[::-1]

    def minibatch_sgd(self, X, y, batch_size: int, timer=None) -> MinibatchSGD:
        """The training step of :meth:`fit` and its buffers, for ``X`` and ``y`` (validated),
        on this model's layers, hidden activations and head (``mlpkit/sgd.py``)."""
        return MinibatchSGD(self.layers, self.g, self.head, *self._check_Xy(X, y), batch_size, timer)

    def fit(self, X, y, epochs: int = 10, batch_size: int = 32, lr: float = 0.1, seed: int = 0,
            X_val=None, y_val=None, verbose: bool = False,
            callback: Callable[[int, dict], None] | None = None) -> dict:
        """Minibatch stochastic gradient descent.

        Each epoch visits the rows in a fresh random order (``default_rng(seed)``)
        in batches of ``batch_size`` (the last may be smaller) and applies
        ``theta -= lr * grad J(batch)``.

        Returns the history ``{"loss": [...], "accuracy": [...]}``: per epoch, the mean over
        its minibatches of the loss and accuracy measured *before* each step (no extra pass
        over the data); plus ``"val_loss"`` and ``"val_accuracy"`` at the end of each epoch
        when ``X_val``, ``y_val`` are given. Accuracy is recorded for classifiers only.

        Raises ``TrainingDiverged``, the weights restored to those at the start of the
        epoch, when an epoch's loss is NaN or inf, or above ``DIVERGENCE_FACTOR`` (1000)
        times its scale (:meth:`mlpkit.sgd.MinibatchSGD.epoch`; for softmax ``log K``).

        The step is :meth:`mlpkit.sgd.MinibatchSGD.step`: the arithmetic of :meth:`gradients`
        followed by the update, every array allocated once per ``fit``. It trains a copy of
        the weights and writes them into the layers' own arrays (in place) at the end of each
        epoch, before ``callback`` runs; changes a callback makes are used by the next epoch.
        """
        sgd = self.minibatch_sgd(X, y, check_positive(batch_size, "batch_size", integer=True))
        epochs = check_positive(epochs, "epochs", integer=True)
        lr = self.dtype.type(check_positive(lr, "lr"))
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val, y_val: pass both or neither")
        X_val, Y_val = self._check_Xy(X_val, y_val) if X_val is not None else (None, None)
        classify, m = self.head.classifier, sgd.X.shape[0]
        keys = [k for k in ("loss", "accuracy", "val_loss", "val_accuracy")
                if (classify or "acc" not in k) and (X_val is not None or "val" not in k)]
        self.history_ = history = {key: [] for key in keys}
        rng = np.random.default_rng(seed)
        for epoch in range(epochs):
            loss, correct = sgd.epoch(rng.permutation(m), lr)  # stores the weights, or raises
            row = {"loss": loss, "accuracy": correct / m}
            if X_val is not None:
                Zv = self._logits(X_val)[0]
                row.update(val_loss=self.head.loss(Zv, Y_val),
                           val_accuracy=self.head.n_correct(Zv, Y_val) / X_val.shape[0])
            for key in keys:
                history[key].append(row[key])
            if verbose:
                print(f"epoch {epoch + 1:3d}  " + "  ".join(f"{k.replace('accuracy', 'acc')} {row[k]:.4f}" for k in keys))
            if callback is not None:
                callback(epoch, history)
        return history
