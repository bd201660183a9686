"""The training step behind ``MLP.fit``: minibatch SGD with no per-step allocation.

:meth:`MinibatchSGD.step` is the algorithm of notebook 05, one equation a line, built
from the in-place forms of the functions the model itself uses:

    forward          Z[l] = A[l-1] @ W[l].T + b[l]       layers.dense_forward(..., out=Z[l])
                     A[l] = g(Z[l])      A[0] = X[batch] Activation.forward_into (activations.py)
    output delta     delta[L] = (A[L] - Y) / m           the head's in-place form (heads.py)
    gradients        dW[l] = delta[l].T @ A[l-1]         layers.dense_backward_into
                     db[l] = sum_i delta[l]_i
    delta recursion  delta[l] = (delta[l+1] @ W[l+1]) * g'(Z[l])
                                                         dense_backward_into, then Activation.backward_into
    update           theta -= lr * grad                  (every W[l] and b[l] at once)

The results agree with ``MLP.gradients`` applied batch by batch to rounding (1e-12 in
float64, ``tests/test_sgd.py``), and with a loop written from the equations to 1e-10.
A small network spends most of its time not in arithmetic but in allocating arrays and
in numpy's per-call overhead (about a microsecond per call), so:

* every array a step needs is allocated once per ``fit`` and written with ``out=``;
* all weights and biases live in one vector ``theta`` (``W[l]``, ``b[l]`` are views
  of it), all gradients in one vector ``grad``: the update is one call, not two per layer;
* the learning rate is multiplied into ``delta[L]`` (a few numbers) instead of into
  ``grad`` (every parameter): as each ``delta[l]`` is linear in ``delta[L]``, the
  backward pass then yields ``lr * dW[l]`` and ``lr * db[l]`` directly;
* the shuffled rows of a batch are gathered once, straight into ``A[0]``
  (``X.take(rows, axis=0, out=..., mode="clip")``), the targets once per epoch;
* softmax + cross-entropy is fused (``heads.FusedSoftmaxCrossEntropy``): ``delta[L]``
  without a one-hot matrix, each row's loss terms kept and reduced once per epoch;
* ``db[l] = ones @ delta[l]`` (one BLAS matrix-vector product, twice as fast as
  ``delta[l].sum(axis=0)`` at these sizes);
* ``sigmoid(z) = 1 / (1 + exp(-z))`` in four in-place passes (an overflow of ``exp``
  gives the right limit, 0); ``g'(Z)`` comes from what the forward pass kept (``A = sigmoid(Z)`` gives
  ``sigmoid'(Z) = A (1 - A)``), computed in place; ReLU overwrites ``Z`` with ``A``
  (``relu'(z) = [relu(z) > 0]`` needs only ``A``), as ``max(Z, zeros)``: numpy's maximum
  of two arrays is vectorised, its maximum with the scalar 0 is several times slower;
* the first layer's input gradient ``delta[0]`` is never computed (nothing uses it);
* ``np.dot`` for the products: the same BLAS call as ``@`` with less overhead, and for a
  batch of one row, where ``@`` computes the outer product ``delta.T @ A`` without BLAS,
  several times faster (same values).

On wide layers the matrix products take nearly all the time; the rest is what this
module trims (``benchmarks/train_speed.py`` measures both). ``benchmarks/step_parts.py``
times each part of the real step through its ``timer`` hook.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from .layers import dense_backward_into, dense_forward

__all__ = ["MinibatchSGD", "TrainingDiverged", "DIVERGENCE_FACTOR", "PARTS"]

#: An epoch whose loss exceeds this many times the loss's scale (see :meth:`MinibatchSGD.epoch`)
#: raises :class:`TrainingDiverged`.
DIVERGENCE_FACTOR = 1e3


class TrainingDiverged(FloatingPointError):
    """The training loss became NaN or inf, or grew past ``DIVERGENCE_FACTOR`` times its scale;
    the weights were restored to those at the start of that epoch."""

#: The parts of a step, in the order :meth:`MinibatchSGD.step` reports them to its timer.
PARTS = ("row gather X.take(rows)", "dense forward: A @ W.T + b", "hidden activations, forward",
         "output delta (softmax + cross-entropy)", "dense backward: dW, db, delta @ W",
         "activation derivatives, backward", "update theta -= grad")
GATHER, DENSE_FORWARD, ACTIVATION_FORWARD, OUTPUT_DELTA, DENSE_BACKWARD, ACTIVATION_BACKWARD, UPDATE = PARTS


class MinibatchSGD:
    """Minibatch SGD on the layers ``layers`` (objects with arrays ``W``, ``b``), hidden
    activations ``g`` (:class:`mlpkit.activations.Activation`, one per hidden layer) and
    output head ``head`` (``mlpkit.heads``), over the validated ``(X, Y)``: the buffers of one
    ``fit`` call.

    :meth:`epoch` runs one epoch: :meth:`start_epoch` (the row order; copies the layers' weights into
    ``theta``), :meth:`step` for each batch start ``0, B, 2B, ...``, :meth:`end_epoch`
    (the epoch's loss and accuracy), then :meth:`store` (copies ``theta`` back into the
    layers). Until ``store`` the layers' own arrays are untouched, so a failed epoch
    leaves the weights as they were at its start.

    ``timer``: ``None``, or a callable the step calls with ``None`` when it starts and with
    the name of each part (``PARTS``) when that part ends (``benchmarks/step_parts.py``).
    """

    def __init__(self, layers: Sequence, g: Sequence, head, X: np.ndarray, Y: np.ndarray,
                 batch_size: int, timer: Callable[[str | None], None] | None = None):
        self.layers, self.X, self.timer = list(layers), X, timer
        self.B = B = min(batch_size, X.shape[0])
        self.L = L = len(self.layers)
        dt = self.layers[0].W.dtype
        n = [self.layers[0].W.shape[1]] + [layer.W.shape[0] for layer in self.layers]  # units per layer
        # theta = [W1, b1, W2, b2, ...] flattened, grad alike; W[l], b[l], dW[l], db[l] view them
        n_params = sum(layer.W.size + layer.b.size for layer in self.layers)
        self.theta, self.grad = np.empty(n_params, dt), np.empty(n_params, dt)
        self.W, self.b, self.dW, self.db = [None], [None], [None], [None]
        at = 0
        for l in range(1, L + 1):
            size = n[l] * n[l - 1]
            self.W.append(self.theta[at:at + size].reshape(n[l], n[l - 1]))
            self.dW.append(self.grad[at:at + size].reshape(n[l], n[l - 1]))
            at += size
            self.b.append(self.theta[at:at + n[l]])
            self.db.append(self.grad[at:at + n[l]])
            at += n[l]
        self.g = [None] + list(g)                                      # g[l], l = 1..L-1
        self.output = head.in_place(Y, B, n[L], dt)                    # lr * delta[L] of a batch
        self.loss_scale, self.epochs_done = head.chance_loss(Y, n[L]), 0
        # buffers for B rows: A[l] (l = 0..L-1), Z[l] (l = 1..L), delta[l] and scratch T[l]
        # (l = 1..L-1); delta[L] is set by the output head (for softmax it overwrites Z[L])
        self._Z = [None] + [np.empty((B, n[l]), dt) for l in range(1, L + 1)]
        self._A = [np.empty((B, n[0]), dt)] + [   # ReLU layers work in place (less memory traffic)
            self._Z[l] if self.g[l].in_place else np.empty((B, n[l]), dt) for l in range(1, L)]
        self._D = [None] + [np.empty((B, n[l]), dt) for l in range(1, L)] + [None]
        self._T = [None] + [np.zeros((B, n[l]), dt) for l in range(1, L)]
        self._ones = np.ones(B, dt)                                    # db[l] = ones @ delta[l]
        self._views: dict[int, tuple] = {}

    def views(self, m: int):
        """The first ``m`` rows of every buffer (contiguous; made once per batch length), the
        layers' caches ``(A[l-1], W[l])`` and the outputs ``(delta[l-1], dW[l], db[l])`` of
        their backward (``delta[0]`` is not computed)."""
        if m not in self._views:
            rows = lambda bufs: [None if a is None else a[:m] for a in bufs]  # noqa: E731
            A, Z, D, T = rows(self._A), rows(self._Z), rows(self._D), rows(self._T)
            caches = [None] + [(A[l - 1], self.W[l]) for l in range(1, self.L + 1)]
            grads = [None] + [(D[l - 1], self.dW[l], self.db[l]) for l in range(1, self.L + 1)]
            self._views[m] = (A, Z, D, T, self._ones[:m], caches, grads)
        return self._views[m]

    def start_epoch(self, order: np.ndarray) -> None:
        """Train on the rows in the order ``order`` (a permutation of ``0..n-1``), from the
        layers' current weights."""
        for l, layer in enumerate(self.layers, start=1):
            np.copyto(self.W[l], layer.W)
            np.copyto(self.b[l], layer.b)
        self.order = order
        self.output.start_epoch(order)

    def store(self) -> None:
        """Copy the trained weights into the layers' own arrays (in place)."""
        for l, layer in enumerate(self.layers, start=1):
            np.copyto(layer.W, self.W[l])
            np.copyto(layer.b, self.b[l])

    def epoch(self, order: np.ndarray, lr) -> tuple[float, int]:
        """One epoch over the rows in the order ``order``; returns :meth:`end_epoch`'s
        ``(loss, n_correct)`` after storing the weights (:meth:`store`).

        Raises :class:`TrainingDiverged` without storing them (the layers keep the weights
        of the epoch's start) when the loss is NaN or inf, or above ``DIVERGENCE_FACTOR``
        times its scale: the head's ``chance_loss``, the loss of an output that knows
        nothing (softmax ``log K``, sigmoid ``K log 2``, identity ``1/2 mean ||y||^2`` and
        at least 1), or the first epoch's loss if larger (for the later epochs). On any
        other exception (e.g. KeyboardInterrupt) the steps taken so far are stored.
        """
        self.start_epoch(order)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            try:
                for start in range(0, order.size, self.B):
                    self.step(start, lr)
                loss, correct = self.end_epoch()     # each batch's measured before its update
            except BaseException:
                self.store()
                raise
        if not math.isfinite(loss) or loss > DIVERGENCE_FACTOR * self.loss_scale:
            grew = "" if not math.isfinite(loss) else (
                f" (more than {DIVERGENCE_FACTOR:g} times {self.loss_scale:.4g}, the loss's scale)")
            self.epochs_done += 1
            raise TrainingDiverged(
                f"training diverged: the loss became {loss:.4g}{grew} in epoch {self.epochs_done} "
                f"(lr={float(lr):g}); the weights were restored to the start of that epoch. "
                "Try a smaller learning rate (lr), e.g. lr/10.")
        if self.epochs_done == 0:
            self.loss_scale = max(self.loss_scale, loss)
        self.epochs_done += 1
        self.store()
        return loss, correct

    def end_epoch(self) -> tuple[float, int]:
        """``(loss, n_correct)`` of the epoch: the mean loss over its rows and the number
        classified correctly, each measured in its batch before that batch's update
        (``n_correct`` is 0 for a regression output)."""
        return self.output.end_epoch()

    def step(self, start: int, lr) -> None:
        """One SGD step on rows ``order[start:start + B]``, recording its loss and accuracy
        (before the update) for :meth:`end_epoch`."""
        tick = self.timer
        if tick is not None:
            tick(None)
        L, W, b, g, forward, backward = self.L, self.W, self.b, self.g, dense_forward, dense_backward_into
        stop = start + self.B
        rows = self.order[start:stop]
        A, Z, delta, T, ones, caches, grads = self.views(rows.size)

        # forward pass
        self.X.take(rows, axis=0, out=A[0], mode="clip")         # A[0] = X[batch]
        if tick is not None:
            tick(GATHER)
        for l in range(1, L + 1):
            forward(A[l - 1], W[l], b[l], Z[l])                  # Z[l] = A[l-1] @ W[l].T + b[l]
            if tick is not None:
                tick(DENSE_FORWARD)
            if l < L:
                g[l].forward_into(Z[l], A[l], T[l])              # A[l] = g(Z[l])
                if tick is not None:
                    tick(ACTIVATION_FORWARD)

        # output delta (recording the batch's loss and accuracy), times lr: every delta[l]
        # below, being linear in delta[L], then carries the factor lr, and so do dW[l], db[l]
        delta[L] = self.output.delta(Z[L], start, stop, lr)      # lr (A[L] - Y) / m
        if tick is not None:
            tick(OUTPUT_DELTA)

        # backward pass: gradients (times lr) and delta recursion, last layer first
        for l in range(L, 0, -1):
            # dW[l] = delta[l].T @ A[l-1], db[l] = sum_i delta[l]_i, delta[l-1] = delta[l] @ W[l]
            backward(delta[l], caches[l], grads[l], ones)
            if tick is not None:
                tick(DENSE_BACKWARD)
            if l > 1:
                g[l - 1].backward_into(delta[l - 1], Z[l - 1], A[l - 1], T[l - 1])  # * g'(Z[l-1])
                if tick is not None:
                    tick(ACTIVATION_BACKWARD)

        # update: theta -= lr * grad (grad already holds lr * grad)
        self.theta -= self.grad
        if tick is not None:
            tick(UPDATE)
