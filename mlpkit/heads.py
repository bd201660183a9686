"""Output heads: an output unit and the loss matched with it, as one object.

Each head takes the output layer's pre-activation (logits) ``Z = Z[L]`` of shape ``(m, K)``:

* ``activate(Z)``: the network's output ``A[L] = g(Z)``;
* ``loss(Z, Y)``: the mean loss ``J`` over the ``m`` rows;
* ``delta(Z, Y)``: ``delta[L] = dJ/dZ = (A[L] - Y) / m``, the same for all three matched
  pairs (notebooks 04-06): softmax + cross-entropy, sigmoid + binary cross-entropy,
  identity + half squared error;
* ``predict(A)``, ``n_correct(Z, Y)``, ``score(A, Y)``: labels, correct rows, accuracy
  (``R^2`` for the identity head);
* ``targets(y, m, K, dtype)``: ``y`` checked and shaped as ``loss`` and ``delta`` take it;
* ``chance_loss(Y)``: the loss of an output that knows nothing (``TrainingDiverged``'s scale);
* ``in_place(Y, B, K, dtype)``: the form the training step calls (:class:`BatchOutput`):
  ``lr * delta[L]`` of each batch with no allocation where it matters, recording each
  batch's loss and correct rows for the epoch.

The loss and delta are those of ``mlpkit/losses.py``; the softmax head's in-place form
fuses them (:class:`FusedSoftmaxCrossEntropy`).
"""
from __future__ import annotations

import numpy as np

from . import losses
from .activations import sigmoid
from ._validation import check_array, check_binary_labels, check_class_labels

__all__ = ["Head", "SoftmaxCrossEntropy", "SigmoidBinaryCrossEntropy", "IdentitySquaredError",
           "BatchOutput", "FusedSoftmaxCrossEntropy", "HEADS", "OUTPUTS", "get"]


class Head:
    """Base of the heads: the in-place form every head has (from ``loss``, ``delta``, ``n_correct``)."""

    name = ""
    description = ""
    classifier = True                   # predicts labels (accuracy) rather than real values
    min_outputs = 1                     # output units K it needs

    def in_place(self, Y: np.ndarray, B: int, K: int, dtype) -> "BatchOutput":
        """The training step's form of this head, for targets ``Y`` (as :meth:`targets` returns
        them), batches of up to ``B`` rows and ``K`` outputs of type ``dtype``."""
        return BatchOutput(self, Y)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class BatchOutput:
    """``lr * delta[L]`` of one batch after another, recording the epoch's loss and correct rows.

    :meth:`start_epoch` takes the epoch's row order, :meth:`delta` each batch's rows
    ``start:stop`` of that order, :meth:`end_epoch` returns ``(mean loss, n_correct)``.
    This generic form calls the head's ``loss``, ``delta`` and ``n_correct`` (they allocate).
    """

    def __init__(self, head: Head, Y: np.ndarray):
        self.head, self.Y = head, Y

    def start_epoch(self, order: np.ndarray) -> None:
        self.Y_epoch = self.Y[order]                           # targets in batch order, gathered once
        self.loss_sum, self.correct = 0.0, 0

    def delta(self, Z: np.ndarray, start: int, stop: int, lr) -> np.ndarray:
        """``lr * (A[L] - Y) / m`` for the batch of rows ``start:stop`` (``m`` rows) with logits ``Z``."""
        head, Y = self.head, self.Y_epoch[start:stop]
        self.loss_sum += head.loss(Z, Y) * Z.shape[0]
        self.correct += head.n_correct(Z, Y)
        D = head.delta(Z, Y)
        D *= lr
        return D

    def end_epoch(self) -> tuple[float, int]:
        return self.loss_sum / self.Y.shape[0], self.correct


# ------------------------------------------------------------------ softmax + cross-entropy
class SoftmaxCrossEntropy(Head):
    """Softmax output, cross-entropy loss, integer labels ``0..K-1``."""

    name = "softmax"
    min_outputs = 2
    description = "softmax output, cross-entropy loss, integer labels 0..K-1"

    def activate(self, Z):
        return losses.softmax(Z)

    def loss(self, Z, y) -> float:
        return losses.softmax_cross_entropy(Z, y)

    def delta(self, Z, y):
        return losses.softmax_cross_entropy_grad(Z, y)

    def predict(self, A):
        return A.argmax(axis=1)

    def n_correct(self, Z, y) -> int:
        return int(np.count_nonzero(Z.argmax(axis=1) == y))

    def score(self, A, y) -> float:
        return float(np.mean(self.predict(A) == y))

    def targets(self, y, m: int, K: int, dtype) -> np.ndarray:
        return check_class_labels(y, K, m)

    def chance_loss(self, y, K: int) -> float:
        return float(np.log(K))                                  # uniform probabilities 1/K

    def in_place(self, y, B: int, K: int, dtype) -> "FusedSoftmaxCrossEntropy":
        return FusedSoftmaxCrossEntropy(y, B, K, dtype)


class FusedSoftmaxCrossEntropy:
    """The softmax head's in-place form: ``delta[L]`` written over the logits, no one-hot matrix.

    Per batch it computes ``softmax(Z) - onehot(y)`` (times ``lr/m``) in place, and keeps
    for each row of the epoch, without reducing them: ``s_i = sum_k exp(z_ik - max_k z_ik)``
    and ``z_y_i = z_iy - max_k z_ik``, so that row ``i``'s loss ``-log softmax(z_i)_y`` is
    ``log s_i - z_y_i`` (the log taken and the sum reduced once per epoch), and the
    predicted class. The row max is read at the argmax (needed anyway for the accuracy)
    instead of reduced again; the row sums are one matrix-vector product.
    """

    def __init__(self, y: np.ndarray, B: int, K: int, dtype):
        n = y.shape[0]
        self.y, self.B, self.K = y, B, K
        self.first = np.arange(B) * K                         # where each row starts in Z.ravel()
        self.at = np.empty(B, np.intp)
        self.c = np.empty((B, 1), dtype)                      # one number per row (broadcasts over classes)
        self.ones = np.ones(K, dtype)                         # sum over classes = one mat-vec product
        self.s, self.z_y = np.empty(n, dtype), np.empty(n, dtype)   # per row of the epoch, in
        self.pred = np.empty(n, np.intp)                      # batch order: loss = log s - z_y, prediction

    def start_epoch(self, order: np.ndarray) -> None:
        self.y_epoch = self.y[order]                           # labels in batch order, gathered once
        # where each row's true class sits in its batch's Z.ravel()
        self.flat = np.arange(order.size) % self.B * self.K + self.y_epoch

    def delta(self, Z: np.ndarray, start: int, stop: int, lr) -> np.ndarray:
        """``lr * (softmax(Z) - onehot(y)) / m``, written over ``Z`` ``(m, K)``; returns ``Z``."""
        m = Z.shape[0]
        scale = lr / m
        flat, s, z_y, pred = (self.flat[start:stop], self.s[start:stop], self.z_y[start:stop],
                              self.pred[start:stop])
        at, c, c_ = self.at[:m], self.c[:m], self.c[:m, 0]
        Z.argmax(axis=1, out=pred)                            # predicted class, where each row's max is
        np.add(self.first[:m], pred, out=at)
        Z.take(at, out=c_, mode="clip")                       # c_i = max_k z_ik (faster than a max-reduce)
        Z -= c                                                # shift by the row max: exp cannot overflow
        Z.take(flat, out=z_y, mode="clip")                    # (shifted) logit of the true class
        E = np.exp(Z, out=Z)
        np.dot(E, self.ones, out=s)                           # s_i = sum_k exp(z_ik)
        np.divide(scale, s, out=c_)                           # c_i = scale / s_i
        E *= c                                                # A[L] = softmax(Z[L]) = exp(z_ik) / s_i, times scale
        E.reshape(-1)[flat] -= scale                          # A[L] - Y, Y = onehot(y), times scale
        return E                                              # = lr * delta[L] = lr (A[L] - Y) / m

    def end_epoch(self) -> tuple[float, int]:
        losses_ = np.log(self.s, out=self.s)                  # loss_i = log s_i - z_y_i
        losses_ -= self.z_y
        return (float(np.add.reduce(losses_) / losses_.size),
                int(np.count_nonzero(self.pred == self.y_epoch)))


# ------------------------------------------------------------------ sigmoid + binary cross-entropy
class SigmoidBinaryCrossEntropy(Head):
    """Sigmoid output(s), binary cross-entropy loss, labels 0/1 (``(m,)`` or ``(m, K)``)."""

    name = "sigmoid"
    description = "sigmoid output, binary cross-entropy loss, labels 0/1"

    def activate(self, Z):
        return sigmoid(Z)

    def loss(self, Z, Y) -> float:
        return losses.binary_cross_entropy_with_logits(Z, Y)

    def delta(self, Z, Y):
        return losses.binary_cross_entropy_with_logits_grad(Z, Y)

    def predict(self, A):
        P = (A >= 0.5).astype(np.int64)
        return P[:, 0] if P.shape[1] == 1 else P

    def n_correct(self, Z, Y) -> int:
        """Rows with every output on the right side (``z > 0`` is ``a > 1/2``)."""
        return int(np.sum(np.all((Z > 0) == (Y > 0.5), axis=1)))

    def score(self, A, Y) -> float:
        """The fraction of right 0/1 outputs (of all ``m K``)."""
        return float(np.mean((A >= 0.5) == (Y > 0.5)))

    def targets(self, y, m: int, K: int, dtype) -> np.ndarray:
        return check_binary_labels(y, m, n_outputs=K).reshape(m, K).astype(dtype, copy=False)

    def chance_loss(self, Y, K: int) -> float:
        return float(K * np.log(2.0))                           # probability 1/2 for every output


# ------------------------------------------------------------------ identity + half squared error
class IdentitySquaredError(Head):
    """Linear output, half mean squared error, real targets."""

    name = "identity"
    description = "linear output, half mean squared error, real targets"
    classifier = False

    def activate(self, Z):
        return Z

    def loss(self, Z, Y) -> float:
        return losses.mse(Z, Y)

    def delta(self, Z, Y):
        return losses.mse_grad(Z, Y)

    def predict(self, A):
        return A[:, 0] if A.shape[1] == 1 else A

    def n_correct(self, Z, Y) -> int:
        return 0

    def score(self, A, Y) -> float:
        """``R^2 = 1 - sum (y - a)^2 / sum (y - mean y)^2``."""
        return float(1 - np.sum((Y - A) ** 2) / np.sum((Y - Y.mean(axis=0)) ** 2))

    def targets(self, y, m: int, K: int, dtype) -> np.ndarray:
        Y = check_array(y, "y")
        if K == 1 and Y.ndim == 2 and Y.shape[1] == 1:
            Y = Y[:, 0]
        want = (m,) if K == 1 else (m, K)
        if Y.shape != want:
            raise ValueError(f"y: expected targets of shape {want}, got {Y.shape}")
        return Y.reshape(m, K).astype(dtype, copy=False)

    def chance_loss(self, Y, K: int) -> float:
        """The loss of the output 0, ``1/2 mean ||y||^2`` (at least 1: targets near 0 give no scale)."""
        return max(losses.mse(np.zeros_like(Y), Y), 1.0)


HEADS: dict[str, Head] = {h.name: h for h in (SoftmaxCrossEntropy(), SigmoidBinaryCrossEntropy(),
                                              IdentitySquaredError())}

#: Output types: output unit and the loss that goes with it.
OUTPUTS = {name: head.description for name, head in HEADS.items()}


def get(name: str) -> Head:
    """The head named ``name`` (``"softmax"``, ``"sigmoid"`` or ``"identity"``)."""
    if name not in HEADS:
        raise ValueError(f"output: expected one of {', '.join(HEADS)}; got {name!r}")
    return HEADS[name]
