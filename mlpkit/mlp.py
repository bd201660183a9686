"""The multilayer perceptron: forward pass, backpropagation, minibatch SGD.

Notation (SYLLABUS.md, notebook 05): for layers ``l = 1..L``

* forward:  ``Z[l] = A[l-1] @ W[l].T + b[l]``,  ``A[l] = g(Z[l])``,  ``A[0] = X``
* output delta:  ``delta[L] = dJ/dZ[L] = (A[L] - Y) / m`` for every output type here
  (softmax + cross-entropy, sigmoid + binary cross-entropy, identity + squared error)
* delta recursion:  ``delta[l] = (delta[l+1] @ W[l+1]) * g'(Z[l])``
* gradients:  ``dW[l] = delta[l].T @ A[l-1]``,  ``db[l] = sum_i delta[l]_i``
* update (gradient descent):  ``W[l] -= lr * dW[l]``,  ``b[l] -= lr * db[l]``
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from . import activations
from ._validation import (check_binary_labels, check_class_labels, check_dtype, check_matrix,
                          check_positive, check_array)
from ._fast import MinibatchSGD
from .layers import Dense
from .losses import softmax
from .activations import sigmoid

__all__ = ["MLP", "TrainingDiverged", "OUTPUTS"]

#: Output types: output unit and the loss that goes with it.
OUTPUTS = {
    "softmax": "softmax output, cross-entropy loss, integer labels 0..K-1",
    "sigmoid": "sigmoid output, binary cross-entropy loss, labels 0/1",
    "identity": "linear output, half mean squared error, real targets",
}


class TrainingDiverged(FloatingPointError):
    """The training loss became NaN or inf; the weights were restored to the last finite state."""


def _auto_init(name: str) -> str:
    return "he" if name in ("relu", "leaky_relu", "elu") else "xavier"


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
        self.sizes = [int(n) for n in sizes]
        n_hidden = len(sizes) - 2
        if isinstance(hidden, str) or isinstance(hidden, activations.Activation):
            hidden = [hidden] * n_hidden
        hidden = list(hidden)
        if len(hidden) != n_hidden:
            raise ValueError(f"hidden: expected one activation name or {n_hidden} names "
                             f"(one per hidden layer), got {len(hidden)}: {hidden!r}")
        self.hidden = [activations.get(h).name for h in hidden]
        if output not in OUTPUTS:
            raise ValueError(f"output: expected one of {', '.join(OUTPUTS)}; got {output!r}")
        if output == "softmax" and self.sizes[-1] < 2:
            raise ValueError(f"sizes: a softmax output needs at least 2 units, got {self.sizes[-1]}; "
                             "for two classes use output='sigmoid' with 1 unit or softmax with 2")
        self.output = output
        self.dtype = check_dtype(dtype)
        if init != "auto" and init not in ("xavier", "he", "uniform"):
            raise ValueError(f"init: expected 'auto', 'xavier', 'he' or 'uniform'; got {init!r}")
        self.init = init
        self.seed = seed
        rng = np.random.default_rng(seed)
        names = self.hidden + [output]
        self.layers = [
            Dense(n_in, n_out, init=_auto_init(name) if init == "auto" else init, seed=rng,
                  dtype=self.dtype)
            for n_in, n_out, name in zip(self.sizes[:-1], self.sizes[1:], names)
        ]
        self._g = [activations.get(h) for h in self.hidden]
        self.history_: dict | None = None

    # ------------------------------------------------------------------ helpers
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

    def _check_y(self, y, m: int) -> np.ndarray:
        """Targets as the loss needs them: int labels, or float ``(m, K)`` for sigmoid/identity."""
        K = self.sizes[-1]
        if self.output == "softmax":
            return check_class_labels(y, K, m)
        if self.output == "sigmoid":
            Y = check_binary_labels(y, m, n_outputs=K)
        else:
            Y = check_array(y, "y")
            if K == 1 and Y.ndim == 2 and Y.shape[1] == 1:
                Y = Y[:, 0]
            want = (m,) if K == 1 else (m, K)
            if Y.shape != want:
                raise ValueError(f"y: expected targets of shape {want}, got {Y.shape}")
        return Y.reshape(m, K).astype(self.dtype, copy=False)

    # ------------------------------------------------------------------ forward
    def _forward(self, X: np.ndarray):
        """Return ``(Zs, As)``: pre-activations of every layer and ``As[0] = X``, hidden ``A[l]``."""
        As, Zs = [X], []
        A = X
        for l, layer in enumerate(self.layers):
            Z = A @ layer.W.T
            Z += layer.b
            Zs.append(Z)
            if l < len(self._g):
                A = self._g[l].f(Z)
                As.append(A)
        return Zs, As

    def _out(self, Z_L: np.ndarray) -> np.ndarray:
        if self.output == "softmax":
            return softmax(Z_L)
        if self.output == "sigmoid":
            return sigmoid(Z_L)
        return Z_L

    def _loss_and_delta(self, Z_L: np.ndarray, Y: np.ndarray, need_delta: bool = True):
        """Mean loss and ``delta[L] = dJ/dZ[L] = (A[L] - Y) / m`` from the logits ``Z_L``."""
        m = Z_L.shape[0]
        if self.output == "softmax":
            rows = np.arange(m)
            shifted = Z_L - Z_L.max(axis=1, keepdims=True)
            E = np.exp(shifted)
            s = E.sum(axis=1, keepdims=True)
            loss = float(np.sum(np.log(s[:, 0]) - shifted[rows, Y]) / m)
            if not need_delta:
                return loss, None
            E /= s
            E[rows, Y] -= 1
            E /= m
            return loss, E
        if self.output == "sigmoid":
            loss = float(np.sum(np.logaddexp(0, Z_L) - Y * Z_L) / m)
            return loss, ((sigmoid(Z_L) - Y) / m if need_delta else None)
        D = Z_L - Y
        loss = float(0.5 * np.sum(D * D) / m)
        return loss, (D / m if need_delta else None)

    def _n_correct(self, Z_L: np.ndarray, Y: np.ndarray) -> int:
        if self.output == "softmax":
            return int(np.sum(Z_L.argmax(axis=1) == Y))
        if self.output == "sigmoid":
            return int(np.sum(np.all((Z_L > 0) == (Y > 0.5), axis=1)))
        return 0

    # ------------------------------------------------------------------ backward
    def _backward(self, Zs, As, delta):
        """The four backprop equations; returns ``[(dW, db), ...]`` in layer order."""
        grads = [None] * len(self.layers)
        for l in range(len(self.layers) - 1, -1, -1):
            grads[l] = (delta.T @ As[l], delta.sum(axis=0))
            if l > 0:
                delta = (delta @ self.layers[l].W) * self._g[l - 1].df(Zs[l - 1])
        return grads

    # ------------------------------------------------------------------ public API
    def forward(self, X) -> np.ndarray:
        """Network output ``A[L]``, shape ``(m, sizes[-1])``."""
        Zs, _ = self._forward(self._check_X(X))
        return self._out(Zs[-1])

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities: ``(m, K)`` for softmax, ``P(y=1)`` of shape ``(m,)`` for one sigmoid unit."""
        if self.output == "identity":
            raise ValueError("predict_proba: this MLP has an identity (regression) output; use predict")
        A = self.forward(X)
        return A[:, 0] if A.shape[1] == 1 else A

    def predict(self, X) -> np.ndarray:
        """Class labels (softmax: argmax; sigmoid: ``a >= 0.5``) or regression outputs."""
        A = self.forward(X)
        if self.output == "softmax":
            return A.argmax(axis=1)
        if self.output == "sigmoid":
            P = (A >= 0.5).astype(np.int64)
            return P[:, 0] if P.shape[1] == 1 else P
        return A[:, 0] if A.shape[1] == 1 else A

    def score(self, X, y) -> float:
        """Accuracy for classifiers, ``R^2`` for the identity output."""
        X = self._check_X(X)
        if self.output == "identity":
            Y = self._check_y(y, X.shape[0])
            P = self.forward(X)
            return float(1 - np.sum((Y - P) ** 2) / np.sum((Y - Y.mean(axis=0)) ** 2))
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def loss(self, X, y) -> float:
        """Mean loss ``J`` over the rows of ``X``."""
        X = self._check_X(X)
        Y = self._check_y(y, X.shape[0])
        Zs, _ = self._forward(X)
        return self._loss_and_delta(Zs[-1], Y, need_delta=False)[0]

    def gradients(self, X, y) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(dW, db), ...]`` of the mean loss, matching ``[(layer.W, layer.b), ...]``."""
        X = self._check_X(X)
        Y = self._check_y(y, X.shape[0])
        Zs, As = self._forward(X)
        _, delta = self._loss_and_delta(Zs[-1], Y)
        return self._backward(Zs, As, delta)

    def fit(self, X, y, epochs: int = 10, batch_size: int = 32, lr: float = 0.1, seed: int = 0,
            X_val=None, y_val=None, verbose: bool = False,
            callback: Callable[[int, dict], None] | None = None) -> dict:
        """Minibatch stochastic gradient descent.

        Each epoch visits the rows in a fresh random order (``default_rng(seed)``)
        in batches of ``batch_size`` (the last may be smaller) and applies
        ``theta -= lr * grad J(batch)``.

        Returns the history ``{"loss": [...], "accuracy": [...]}``: per epoch, the
        mean over its minibatches of the loss and accuracy measured *before*
        each step (no extra pass over the data); plus ``"val_loss"`` and
        ``"val_accuracy"`` at the end of each epoch when ``X_val``, ``y_val`` are
        given. Accuracy is recorded for classifiers only.

        Raises ``TrainingDiverged`` when the loss becomes NaN or inf; the
        weights are then restored to those at the start of that epoch.

        The step is :meth:`mlpkit._fast.MinibatchSGD.step`: the arithmetic of
        :meth:`gradients` followed by the update, with every array allocated once
        per call of ``fit``. It trains a copy of the weights and writes them into
        the layers' own arrays (in place) at the end of each epoch, before
        ``callback`` runs; changes a callback makes are used by the next epoch.
        """
        X = self._check_X(X)
        m = X.shape[0]
        Y = self._check_y(y, m)
        epochs = check_positive(epochs, "epochs", integer=True)
        batch_size = check_positive(batch_size, "batch_size", integer=True)
        lr = check_positive(lr, "lr")
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val, y_val: pass both or neither")
        if X_val is not None:
            X_val = self._check_X(X_val)
            Y_val = self._check_y(y_val, X_val.shape[0])
        classify = self.output != "identity"
        history: dict[str, list] = {"loss": []}
        if classify:
            history["accuracy"] = []
        if X_val is not None:
            history["val_loss"] = []
            if classify:
                history["val_accuracy"] = []
        rng = np.random.default_rng(seed)
        self.history_ = history
        lr = self.dtype.type(lr)
        sgd = MinibatchSGD(self, X, Y, batch_size)  # the step and its buffers: mlpkit/_fast.py
        for epoch in range(epochs):
            sgd.start_epoch(rng.permutation(m))  # works on a copy of the weights until sgd.store()
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                try:
                    for start in range(0, m, batch_size):
                        sgd.step(start, lr)
                    loss, correct = sgd.end_epoch()  # each batch's measured before its update
                except BaseException:  # e.g. KeyboardInterrupt: keep the steps taken so far
                    sgd.store()
                    raise
            if not math.isfinite(loss):  # the model still holds the weights of the epoch's start
                raise TrainingDiverged(
                    f"training diverged: the loss became {loss} in epoch {epoch + 1} "
                    f"(lr={float(lr):g}); the weights were restored to the start of that epoch. "
                    "Try a smaller learning rate (lr), e.g. lr/10.")
            sgd.store()
            history["loss"].append(loss)
            if classify:
                history["accuracy"].append(correct / m)
            if X_val is not None:
                Zv, _ = self._forward(X_val)
                history["val_loss"].append(self._loss_and_delta(Zv[-1], Y_val, need_delta=False)[0])
                if classify:
                    history["val_accuracy"].append(self._n_correct(Zv[-1], Y_val) / X_val.shape[0])
            if verbose:
                line = f"epoch {epoch + 1:3d}  loss {history['loss'][-1]:.4f}"
                if classify:
                    line += f"  acc {history['accuracy'][-1]:.4f}"
                if X_val is not None:
                    line += f"  val_loss {history['val_loss'][-1]:.4f}"
                    if classify:
                        line += f"  val_acc {history['val_accuracy'][-1]:.4f}"
                print(line)
            if callback is not None:
                callback(epoch, history)
        return history
