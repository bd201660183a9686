"""Public checks of exercise 07: a minibatch training loop on the digits.

Graded functions (``exercises/07_mlp_digits.ipynb``):

* ``minibatches(m, batch_size, seed)``: a list of index arrays, a fresh random order of
  ``0..m-1`` cut into consecutive batches of ``batch_size`` (the last may be smaller);
* ``train_mlp(X, y, seed)``: train an MLP (ReLU hidden layers, softmax output) by minibatch
  gradient descent and return its parameters ``[(W1, b1), (W2, b2), ...]``; the network must
  reach at least :data:`TARGET` test accuracy on ``mlpkit.data.digits_split()``.
"""
from __future__ import annotations

import numpy as np

from .diagnose import Failed, public_check
from .rootcause import run_cases, with_hint

#: The stated accuracy target on the digits test split.
TARGET = 0.95
#: Half the points of the accuracy check from this accuracy on.
PARTIAL = 0.90


def judge_minibatches(args, got, part="all"):
    m, batch_size, seed = args
    if got is None:
        raise Failed("minibatches returned None: did you forget to return the list?")
    if isinstance(got, np.ndarray) and got.ndim == 2:
        got = list(got)
    if not isinstance(got, (list, tuple)):
        raise Failed(f"minibatches must return a list of index arrays, got a {type(got).__name__}")
    batches = []
    for i, b in enumerate(got):
        a = np.asarray(b) if not isinstance(b, (str, bytes)) else np.array([])
        if a.ndim != 1 or (a.size and a.dtype.kind not in "iu"):
            raise Failed(f"batch {i} is not a 1-D array of integer indices (got shape {a.shape}, "
                         f"dtype {a.dtype})")
        batches.append(a.astype(np.int64))
    allidx = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
    if part in ("all", "cover"):
        if allidx.size != m or not np.array_equal(np.sort(allidx), np.arange(m)):
            missing = np.setdiff1d(np.arange(m), allidx)
            dup = allidx.size - np.unique(allidx).size
            raise Failed(f"the batches must contain every index 0..m-1 exactly once: "
                         f"{missing.size} missing, {dup} repeated")
    if part in ("all", "sizes"):
        sizes = [len(b) for b in batches]
        want = [batch_size] * (m // batch_size) + ([m % batch_size] if m % batch_size else [])
        if sizes != want:
            raise Failed(f"your batch sizes start {sizes[:4]}{'...' if len(sizes) > 4 else ''}: "
                         "the batches must be consecutive slices of batch_size indices, the last "
                         "one may be smaller")
    if part in ("all", "shuffled") and m >= 8:
        if np.array_equal(allidx, np.arange(allidx.size)):
            raise Failed("the indices are in order 0, 1, 2, ...: shuffle them with "
                         "np.random.default_rng(seed).permutation(m)")


def relu_softmax_predict(params, X):
    A = X
    for l, (W, b) in enumerate(params):
        Z = A @ W.T + b
        A = np.maximum(Z, 0) if l < len(params) - 1 else Z
    return A.argmax(axis=1)


def parse_params(got, n_in=64, n_out=10):
    if not isinstance(got, (list, tuple)) or not got:
        raise Failed("train_mlp must return a list of (W, b) pairs, one per layer, got "
                     f"{type(got).__name__}")
    params = []
    prev = n_in
    for l, pair in enumerate(got, start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise Failed(f"layer {l}: expected a pair (W, b)")
        try:
            W, b = np.asarray(pair[0], dtype=np.float64), np.asarray(pair[1], dtype=np.float64)
        except Exception:
            raise Failed(f"layer {l}: W and b must be numeric arrays")
        if W.ndim != 2 or W.shape[1] != prev:
            raise Failed(f"layer {l}: W{l} has shape {W.shape}, expected ({W.shape[0] if W.ndim == 2 else 'n'}, "
                         f"{prev}): W is (n_out, n_in)")
        if b.shape != (W.shape[0],):
            raise Failed(f"layer {l}: b{l} has shape {b.shape}, expected ({W.shape[0]},)")
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            raise Failed(f"layer {l}: the weights contain nan or inf (training diverged: lower lr)")
        params.append((W, b))
        prev = W.shape[0]
    if prev != n_out:
        raise Failed(f"the last layer has {prev} outputs, expected {n_out} (one per digit)")
    return params


def accuracy_score(got, X_test, y_test) -> float:
    params = parse_params(got, X_test.shape[1])
    return float(np.mean(relu_softmax_predict(params, X_test) == y_test))


def judge_train(got, X_test, y_test):
    """Score fraction and message for the trained parameters.

    The message states the public target only: how partial credit is computed below it is
    the instructor's business (docs/INSTRUCTORS.md) and never shown to students.
    """
    acc = accuracy_score(got, X_test, y_test)
    if acc >= TARGET:
        return 1.0, f"test accuracy {acc:.3f} reaches the target {TARGET}"
    hint = ("train longer or tune lr" if acc >= PARTIAL else
            "check the direction of the update, the learning rate and the number of epochs")
    if acc >= PARTIAL:
        return 0.5, f"test accuracy {acc:.3f} is below the target {TARGET}: {hint}"
    raise Failed(f"test accuracy {acc:.3f} is below the target {TARGET}: {hint}")


class FitSpy:
    """Context manager: replaces ``MLP.fit`` by a wrapper that records every call.

    ``spy.called`` tells whether the code run inside called ``MLP.fit`` (on any model),
    whatever name it reached it by (``model.fit``, ``mlpkit.MLP.fit(model, ...)``, a
    subclass that inherits it).
    """

    def __enter__(self):
        from ..mlp import MLP

        self._cls, self._orig, self.called = MLP, MLP.__dict__["fit"], 0
        spy = self

        def fit(model, *args, **kwargs):
            spy.called += 1
            return spy._orig(model, *args, **kwargs)

        MLP.fit = fit
        return self

    def __exit__(self, *exc):
        self._cls.fit = self._orig
        return False


FIT_USED = ("train_mlp called MLP.fit (model.fit): the task is to write the training loop "
            "yourself, with model.gradients and your own update")


def minibatch_cases():
    return [((10, 4, 0), True), ((37, 8, 1), True), ((64, 64, 2), True), ((1438, 32, 3), False)]


@public_check("minibatches")
def _check_minibatches(minibatches):
    run_cases("minibatches", minibatches, minibatch_cases(), judge_minibatches,
              ("m", "batch_size", "seed"))
    return "every index once, batches of batch_size, shuffled"


@public_check("train_mlp")
def _check_train(train_mlp):
    from ..data import digits_split
    from ..safecall import call
    from .diagnose import diagnose_call

    X_train, X_test, y_train, y_test = digits_split()
    with FitSpy() as spy:
        res = call(train_mlp, (X_train, y_train, 0))
    diagnose_call("train_mlp", res, ("X", "y", "seed"))
    if spy.called:
        raise Failed(FIT_USED)
    score, msg = judge_train(res["value"], X_test, y_test)
    if score < 1:
        raise Failed(msg)
    return f"test accuracy at least {TARGET} on the digits test split, with your own loop"


check_minibatches = with_hint(_check_minibatches, "07", "minibatches")
check_train = with_hint(_check_train, "07", "train_mlp")
