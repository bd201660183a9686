"""The training step behind ``MLP.fit``: minibatch SGD with no per-step allocation.

:meth:`MinibatchSGD.step` is the algorithm of notebook 05, one equation a line
(batch-major, ``m`` rows in the batch, layers ``l = 1..L``, lists indexed like the maths)::

    forward          Z[l] = A[l-1] @ W[l].T + b[l]      A[l] = g(Z[l])      A[0] = X[batch]
    output delta     delta[L] = (A[L] - Y) / m           (softmax + cross-entropy: A[L] = softmax(Z[L]))
    delta recursion  delta[l] = (delta[l+1] @ W[l+1]) * g'(Z[l])
    gradients        dW[l] = delta[l].T @ A[l-1]         db[l] = sum_i delta[l]_i
    update           theta -= lr * grad                  (every W[l] and b[l] at once)

These are the equations of ``MLP._forward``, ``MLP._loss_and_delta`` and
``MLP._backward``; the results agree with a loop built from those methods to
rounding (1e-12 in float64, ``tests/test_fit_fast.py``), and with a loop written
from the equations to 1e-10. A small network spends most of its time not in
arithmetic but in allocating arrays and in numpy's per-call overhead (about a
microsecond per call), so:

* every array a step needs is allocated once per ``fit`` and written with ``out=``;
* all weights and biases live in one vector ``theta`` (``W[l]``, ``b[l]`` are views
  of it), all gradients in one vector ``grad``: the update is one call, not two per layer;
* the learning rate is multiplied into ``delta[L]`` (a few numbers) instead of into
  ``grad`` (every parameter): as each ``delta[l]`` is linear in ``delta[L]``, the
  backward pass then yields ``lr * dW[l]`` and ``lr * db[l]`` directly;
* the shuffled rows of a batch are gathered once, straight into ``A[0]``
  (``X.take(rows, axis=0, out=..., mode="clip")``), the labels once per epoch;
* softmax + cross-entropy is fused (``SoftmaxCrossEntropy``), giving ``delta[L]`` without
  a one-hot matrix; the row max is read at the argmax (needed anyway for the accuracy)
  instead of reduced again, the row sums are one matrix-vector product; each row's loss
  terms and prediction go into arrays of the epoch, reduced (and the log taken) once
  per epoch, not per step;
* ``db[l] = ones @ delta[l]`` (one BLAS matrix-vector product, twice as fast as
  ``delta[l].sum(axis=0)`` at these sizes);
* ``sigmoid(z) = 1 / (1 + exp(-z))`` in four in-place passes (an overflow of ``exp``
  gives the right limit, 0); ``g'(Z)`` comes from what the forward pass kept (``A = sigmoid(Z)`` gives
  ``sigmoid'(Z) = A (1 - A)``), computed in place; ReLU overwrites ``Z`` with ``A``
  (``relu'(z) = [relu(z) > 0]`` needs only ``A``), as ``max(Z, zeros)``: numpy's maximum
  of two arrays is vectorised, its maximum with the scalar 0 is several times slower;
* the first layer's input gradient ``delta[0]`` is never computed (nothing uses it);
* ufuncs and their reductions called directly (``np.add.reduce(x)`` is ``np.sum``
  without its Python wrapper), and ``np.dot`` for the products: the same
  BLAS call as ``@`` with less overhead, and for a batch of one row, where ``@`` computes
  the outer product ``delta.T @ A`` without BLAS, several times faster (same values).

On wide layers the matrix products take nearly all the time; the rest is what this
module trims (``benchmarks/train_speed.py`` measures both).
"""
from __future__ import annotations

import numpy as np

from . import activations

__all__ = ["MinibatchSGD", "SoftmaxCrossEntropy"]


# ------------------------------------------------------------------ hidden units, in place
# forward(Z, A, T):      A = g(Z), written into A (T: scratch of Z's shape, all zeros
#                        until a unit writes it; Z is kept unless the unit is in_place,
#                        when A and Z are one array)
# backward(D, Z, A, T):  D *= g'(Z), in place: the "* g'(Z[l])" of the delta recursion

class _ReLU:
    in_place = True                                   # A[l] may share Z[l]'s memory: [a > 0] = [z > 0]

    @staticmethod
    def forward(Z, A, T):
        # relu(z) = max(z, 0), with T all zeros (allocated so, never written): numpy's
        # maximum of two arrays is vectorised, its maximum with a scalar 0 is 2-4x slower
        np.maximum(Z, T, out=A)

    @staticmethod
    def backward(D, Z, A, T):
        D *= A > 0                                    # relu'(z) = [z > 0] = [relu(z) > 0]


class _Sigmoid:
    @staticmethod
    def forward(Z, A, T):
        # sigmoid(z) = 1 / (1 + exp(-z)). For z below about -709 (float64; -88 in float32)
        # exp(-z) overflows to inf and 1 / inf = 0, the correct limit: fit runs the step
        # under np.errstate(over="ignore"). Four passes, half the time of the branch-free
        # stable form of activations.sigmoid (same values to rounding).
        np.negative(Z, out=A)
        np.exp(A, out=A)
        A += 1.0
        np.reciprocal(A, out=A)

    @staticmethod
    def backward(D, Z, A, T):
        np.subtract(1.0, A, out=T)                    # sigmoid'(z) = sigmoid(z) (1 - sigmoid(z))
        T *= A                                        #   with sigmoid(z) = A
        D *= T


class _Tanh:
    @staticmethod
    def forward(Z, A, T):
        np.tanh(Z, out=A)

    @staticmethod
    def backward(D, Z, A, T):
        np.multiply(A, A, out=T)                      # tanh'(z) = 1 - tanh(z)^2, tanh(z) = A
        np.subtract(1.0, T, out=T)
        D *= T


class _Library:
    """Any other activation: the library's own ``g`` and ``g'`` (they allocate; still exact)."""

    def __init__(self, name: str):
        self.g = activations.get(name)

    def forward(self, Z, A, T):
        np.copyto(A, self.g.f(Z))

    def backward(self, D, Z, A, T):
        D *= self.g.df(Z)


_IN_PLACE = {"relu": _ReLU, "sigmoid": _Sigmoid, "tanh": _Tanh}


def _unit(name: str):
    return _IN_PLACE[name]() if name in _IN_PLACE else _Library(name)


# ------------------------------------------------------------------ softmax + cross-entropy, fused

class SoftmaxCrossEntropy:
    """Softmax output + cross-entropy loss, fused: ``delta[L]`` from the logits, no one-hot matrix.

    Holds the scratch for batches of up to ``B`` rows and ``K`` classes.
    """

    def __init__(self, B: int, K: int, dtype):
        self.first = np.arange(B) * K                 # where each row starts in Z.ravel()
        self.at = np.empty(B, np.intp)
        self.c = np.empty((B, 1), dtype)              # one number per row (broadcasts over classes)
        self.ones = np.ones(K, dtype)                 # sum over classes = one matrix-vector product

    def delta(self, Z, flat, scale, s, z_y, pred):
        """``delta[L] = (softmax(Z) - onehot(y)) / m``, times ``scale * m``, written over ``Z``.

        ``Z``: logits ``(m, K)``; ``flat = first + y`` for the labels ``y``: where each row's
        true class sits in ``Z.ravel()``; ``scale = 1/m`` gives ``delta[L]`` (the step passes
        ``lr/m``). Writes, for the loss and accuracy, without reducing them (all ``(m,)``):
        ``s_i = sum_k exp(z_ik - max_k z_ik)`` and ``z_y_i = z_iy - max_k z_ik``, so that
        row ``i``'s loss ``-log softmax(z_i)_y`` is ``log s_i - z_y_i``; ``pred``, the
        predicted classes. Returns ``Z``.
        """
        m = Z.shape[0]
        at, c, c_ = self.at[:m], self.c[:m], self.c[:m, 0]
        Z.argmax(axis=1, out=pred)                    # predicted class, where each row's max is
        np.add(self.first[:m], pred, out=at)
        Z.take(at, out=c_, mode="clip")               # c_i = max_k z_ik (faster than a max-reduce)
        Z -= c                                        # shift by the row max: exp cannot overflow
        Z.take(flat, out=z_y, mode="clip")            # (shifted) logit of the true class
        E = np.exp(Z, out=Z)
        np.dot(E, self.ones, out=s)                   # s_i = sum_k exp(z_ik)
        np.divide(scale, s, out=c_)                   # c_i = scale / s_i
        E *= c                                        # A[L] = softmax(Z[L]) = exp(z_ik) / s_i, times scale
        E.reshape(-1)[flat] -= scale                  # A[L] - Y, Y = onehot(y), times scale
        return E                                      # = delta[L] = (A[L] - Y) / m, times lr


# ------------------------------------------------------------------ the step

class MinibatchSGD:
    """Minibatch SGD on ``model`` over the validated ``(X, Y)``: the buffers of one ``fit`` call.

    Per epoch: :meth:`start_epoch` (the row order; copies the model's weights into
    ``theta``), :meth:`step` for each batch start ``0, B, 2B, ...``, :meth:`end_epoch`
    (the epoch's loss and accuracy), then :meth:`store` (copies ``theta`` back into the
    model). Until ``store`` the
    model's own arrays are untouched, so a failed epoch leaves the weights as they
    were at its start.
    """

    def __init__(self, model, X: np.ndarray, Y: np.ndarray, batch_size: int):
        self.model, self.X, self.Y = model, X, Y
        self.B = B = min(batch_size, X.shape[0])
        self.L = L = len(model.layers)
        dt, n = model.dtype, model.sizes                       # n[l]: units in layer l
        # theta = [W1, b1, W2, b2, ...] flattened, grad alike; W[l], b[l], dW[l], db[l] view them
        self.theta = np.empty(model.n_params, dt)
        self.grad = np.empty(model.n_params, dt)
        self.W, self.b, self.dW, self.db = [None], [None], [None], [None]
        self.WT = [None]                                       # W[l].T, a view made once
        at = 0
        for l in range(1, L + 1):
            size = n[l] * n[l - 1]
            self.W.append(self.theta[at:at + size].reshape(n[l], n[l - 1]))
            self.WT.append(self.W[l].T)
            self.dW.append(self.grad[at:at + size].reshape(n[l], n[l - 1]))
            at += size
            self.b.append(self.theta[at:at + n[l]])
            self.db.append(self.grad[at:at + n[l]])
            at += n[l]
        self.g = [None] + [_unit(name) for name in model.hidden]      # g[l], l = 1..L-1
        self.softmax = model.output == "softmax"
        # buffers for B rows: A[l] (l = 0..L-1), Z[l] (l = 1..L), delta[l] and scratch T[l]
        # (l = 1..L-1); delta[L] is set by the output layer (for softmax it overwrites Z[L])
        self._Z = [None] + [np.empty((B, n[l]), dt) for l in range(1, L + 1)]
        self._A = [np.empty((B, n[0]), dt)] + [   # ReLU layers work in place (less memory traffic)
            self._Z[l] if getattr(self.g[l], "in_place", False) else np.empty((B, n[l]), dt)
            for l in range(1, L)]
        self._D = [None] + [np.empty((B, n[l]), dt) for l in range(1, L)] + [None]
        self._T = [None] + [np.zeros((B, n[l]), dt) for l in range(1, L)]
        self._ones = np.ones(B, dt)                            # db[l] = ones @ delta[l]
        if self.softmax:    # per row of the epoch, in batch order: loss = log s - z_y, prediction
            self.output = SoftmaxCrossEntropy(B, n[L], dt)
            self.s, self.z_y = np.empty(X.shape[0], dt), np.empty(X.shape[0], dt)
            self.pred = np.empty(X.shape[0], np.intp)
        self._views: dict[int, tuple] = {}

    def views(self, m: int):
        """The first ``m`` rows of every buffer (contiguous; made once per batch length)."""
        if m not in self._views:
            rows = lambda bufs: [None if a is None else a[:m] for a in bufs]  # noqa: E731
            self._views[m] = (rows(self._A), rows(self._Z), rows(self._D), rows(self._T),
                              self._ones[:m])
        return self._views[m]

    def start_epoch(self, order: np.ndarray) -> None:
        """Train on the rows in the order ``order`` (a permutation of ``0..n-1``), from the
        model's current weights."""
        for l, layer in enumerate(self.model.layers, start=1):
            np.copyto(self.W[l], layer.W)
            np.copyto(self.b[l], layer.b)
        self.order = order
        self.Y_epoch = self.Y[order]                          # labels in batch order, gathered once
        self.loss_sum, self.n_correct = 0.0, 0                # (outputs other than softmax)
        if self.softmax:                  # where each row's true class sits in its batch's Z.ravel()
            self.flat = np.arange(order.size) % self.B * self.model.sizes[-1] + self.Y_epoch

    def store(self) -> None:
        """Copy the trained weights into the model's own arrays (in place)."""
        for l, layer in enumerate(self.model.layers, start=1):
            np.copyto(layer.W, self.W[l])
            np.copyto(layer.b, self.b[l])

    def end_epoch(self) -> tuple[float, int]:
        """``(loss, n_correct)`` of the epoch: the mean loss over its rows and the number
        classified correctly, each measured in its batch before that batch's update
        (``n_correct`` is 0 for a regression output)."""
        if self.softmax:
            losses = np.log(self.s, out=self.s)               # loss_i = log s_i - z_y_i
            losses -= self.z_y
            return (float(np.add.reduce(losses) / losses.size),
                    int(np.count_nonzero(self.pred == self.Y_epoch)))
        return self.loss_sum / self.X.shape[0], self.n_correct

    def step(self, start: int, lr) -> None:
        """One SGD step on rows ``order[start:start + B]``, recording its loss and accuracy
        (before the update) for :meth:`end_epoch`."""
        L, W, WT, b, dW, db, g = self.L, self.W, self.WT, self.b, self.dW, self.db, self.g
        stop = start + self.B
        rows = self.order[start:stop]
        m = rows.size
        A, Z, delta, T, ones = self.views(m)

        # forward pass
        self.X.take(rows, axis=0, out=A[0], mode="clip")         # A[0] = X[batch]
        for l in range(1, L + 1):
            np.dot(A[l - 1], WT[l], out=Z[l])                    # Z[l] = A[l-1] @ W[l].T
            Z[l] += b[l]                                         #        + b[l]
            if l < L:
                g[l].forward(Z[l], A[l], T[l])                   # A[l] = g(Z[l])

        # output delta (recording the batch's loss and accuracy), times lr: every delta[l]
        # below, being linear in delta[L], then carries the factor lr, and so do dW[l], db[l]
        if self.softmax:
            delta[L] = self.output.delta(                          # lr (A[L] - Y) / m
                Z[L], self.flat[start:stop], lr / m,
                self.s[start:stop], self.z_y[start:stop], self.pred[start:stop])
        else:
            model, y = self.model, self.Y_epoch[start:stop]
            loss, delta[L] = model._loss_and_delta(Z[L], y)      # (A[L] - Y) / m
            self.loss_sum += loss * m
            self.n_correct += model._n_correct(Z[L], y)
            delta[L] *= lr

        # backward pass: gradients (times lr) and delta recursion, last layer first
        for l in range(L, 0, -1):
            np.dot(delta[l].T, A[l - 1], out=dW[l])              # dW[l] = delta[l].T @ A[l-1]
            np.dot(ones, delta[l], out=db[l])                    # db[l] = sum_i delta[l]_i
            if l > 1:
                np.dot(delta[l], W[l], out=delta[l - 1])         # delta[l-1] = (delta[l] @ W[l])
                g[l - 1].backward(delta[l - 1], Z[l - 1], A[l - 1], T[l - 1])   # * g'(Z[l-1])

        # update: theta -= lr * grad (grad already holds lr * grad)
        self.theta -= self.grad
