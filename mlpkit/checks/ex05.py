"""Public checks of exercise 05: the three-layer V, W, U network with a softmax output.

``H1 = sigma(X V^T + bV)``, ``H2 = sigma(H1 W^T + bW)``, ``P = softmax(H2 U^T + bU)``,
``J = -(1/m) sum_i log P[i, y_i]`` with integer labels ``y``.

Graded functions (``exercises/05_backprop_three_layer.ipynb``):

* ``forward3(X, V, bV, W, bW, U, bU)`` -> ``(H1, H2, P)``;
* ``backward3(X, y, H1, H2, P, W, U)`` -> ``(dV, dbV, dW, dbW, dU, dbU)``.
"""
from __future__ import annotations

import numpy as np

from ..activations import sigmoid as _sig
from ..gradcheck import numerical_gradient
from ..losses import softmax as _softmax
from .diagnose import compare_array, public_check, run_cases, unpack


def ref_forward(X, V, bV, W, bW, U, bU):
    H1 = _sig(X @ V.T + bV)
    H2 = _sig(H1 @ W.T + bW)
    return H1, H2, _softmax(H2 @ U.T + bU)


def _onehot(y, K):
    Y = np.zeros((y.shape[0], K))
    Y[np.arange(y.shape[0]), y] = 1
    return Y


def ref_backward(X, y, H1, H2, P, W, U, *, prime=True, sign=1.0):
    m = X.shape[0]
    dO = sign * (P - _onehot(y, P.shape[1])) / m
    dH2 = (dO @ U) * (H2 * (1 - H2) if prime else 1.0)
    dH1 = (dH2 @ W) * H1 * (1 - H1)
    return dH1.T @ X, dH1.sum(0), dH2.T @ H1, dH2.sum(0), dO.T @ H2, dO.sum(0)


def loss_of_params(X, y, V, bV, W, bW, U, bU):
    O = _sig(_sig(X @ V.T + bV) @ W.T + bW) @ U.T + bU
    mx = O.max(axis=1, keepdims=True)
    lse = mx[:, 0] + np.log(np.exp(O - mx).sum(axis=1))
    return float(np.mean(lse - O[np.arange(X.shape[0]), y]))


def make_case(seed, m=5, n0=3, n1=4, n2=3, K=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n0))
    y = rng.integers(0, K, size=m)
    y[:K] = np.arange(K)[:min(K, m)] if m >= K else y[:K]
    V, bV = rng.normal(size=(n1, n0)), rng.normal(scale=0.5, size=n1)
    W, bW = rng.normal(size=(n2, n1)), rng.normal(scale=0.5, size=n2)
    U, bU = rng.normal(size=(K, n2)), rng.normal(scale=0.5, size=K)
    H1, H2, P = ref_forward(X, V, bV, W, bW, U, bU)
    return (X, V, bV, W, bW, U, bU), (X, y, H1, H2, P, W, U)


NAMES = ("dV", "dbV", "dW", "dbW", "dU", "dbU")


def judge_forward(args, got, part="all"):
    X, V, bV, W, bW, U, bU = args
    H1e, H2e, Pe = ref_forward(X, V, bV, W, bW, U, bU)
    H1, H2, P = unpack("forward3", got, 3, "(H1, H2, P)")
    if part in ("all", "hidden"):
        compare_array("H1", H1, H1e, variants=[(X @ V.T + bV, "H1 is the pre-activation: apply "
                                                               "the sigmoid")])
        compare_array("H2", H2, H2e, variants=[(H1e @ W.T + bW, "H2 is the pre-activation: apply "
                                                                 "the sigmoid")])
    if part in ("all", "P"):
        O = H2e @ U.T + bU
        compare_array("P", P, Pe, variants=[
            (O, "P holds the logits: apply the softmax"),
            (_sig(O), "P applies a sigmoid to each output: the output layer is a softmax over "
                      "the K classes"),
            (_softmax(O, axis=0), "the softmax was taken down the columns (over the batch): "
                                  "normalise each row, axis=1")])


def judge_backward(args, got, part="all", fd=None):
    """``part``: all, U (dU, dbU), W (dW, dbW) or V (dV, dbV)."""
    X, y, H1, H2, P, W, U = args
    m = X.shape[0]
    exp = fd if fd is not None else ref_backward(X, y, H1, H2, P, W, U)
    reference = "finite differences" if fd is not None else "the expected gradient"
    vals = unpack("backward3", got, 6, "(dV, dbV, dW, dbW, dU, dbU)")
    neg = ref_backward(X, y, H1, H2, P, W, U, sign=-1.0)
    noprime = ref_backward(X, y, H1, H2, P, W, U, prime=False)
    sign_msg = ("{} has the wrong sign: (y - a) is the negative gradient (what the notes add "
                "with +eta); the gradient of J is a - y")
    groups = {"U": (4, 5), "W": (2, 3), "V": (0, 1)}
    for g in ("U", "W", "V"):
        if part not in ("all", g):
            continue
        for k in groups[g]:
            name = NAMES[k]
            variants = [(neg[k], sign_msg.format(name))]
            if k < 4:
                variants.append((noprime[k], f"{name} misses the sigma'(z) = h2 (1 - h2) factor "
                                             "of the second hidden layer"))
            compare_array(name, vals[k], exp[k], batch=m, weight=name in ("dV", "dW", "dU"),
                          reference=reference, variants=variants)


def fd_gradients(params, y):
    ps = [np.array(p, dtype=float) for p in params]
    X = ps[0]
    f = lambda: loss_of_params(X, y, *ps[1:])  # noqa: E731
    return tuple(numerical_gradient(f, p) for p in ps[1:])


WORKED = make_case(505)


@public_check("forward3")
def check_forward(forward3):
    cases = [(WORKED[0], True), (make_case(506, m=4, n0=2, n1=3, n2=2, K=4)[0], False)]
    run_cases("forward3", forward3, cases, judge_forward, ("X", "V", "bV", "W", "bW", "U", "bU"))
    return "H1, H2 and the softmax probabilities P"


@public_check("backward3")
def check_backward(backward3):
    cases = [(WORKED, True), (make_case(507, m=6, n0=2, n1=3, n2=4, K=4), False)]
    params_of = {id(args): params for (params, args), _ in cases}
    run_cases("backward3", backward3, [(args, shown) for (_, args), shown in cases],
              lambda args, value: judge_backward(args, value, fd=fd_gradients(params_of[id(args)], args[1])),
              ("X", "y", "H1", "H2", "P", "W", "U"))
    return "all six gradients agree with finite differences"
