"""Public checks of exercise 03: XOR.

Graded functions (``exercises/03_xor.ipynb``):

* ``xor_relu_weights()``: ``(W, c, w, b)`` of ``f(x) = w . relu(W x + c) + b`` with ``W``
  ``(2, 2)`` (row j = weights into hidden unit j), ``c`` ``(2,)`` **zero** (no hidden bias,
  so the lecture's network is not an answer), ``w`` ``(2,)``, ``b`` a number, such that ``f``
  is exactly XOR on ``{0, 1}^2``;
* ``forward_221(X, W1, b1, W2, b2)``: the 2-2-1 sigmoid network, probabilities ``(m,)``;
* ``train_xor(seed)``: trained ``(W1, b1, W2, b2)`` of that network classifying all four
  XOR points correctly (``p > 0.5`` exactly for the 1s).
"""
from __future__ import annotations

import numpy as np

from ..activations import sigmoid as _sig
from .diagnose import Failed, compare_array, public_check, unpack
from .rootcause import run_cases, with_hint

TRUTH = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR = np.array([0, 1, 1, 0])
SHAPES_221 = [("W1", (2, 2)), ("b1", (2,)), ("W2", (1, 2)), ("b2", (1,))]


def ref_forward(X, W1, b1, W2, b2):
    A1 = _sig(X @ W1.T + b1)
    return _sig(A1 @ W2.T + b2)[:, 0]


def relu_net(X, W, c, w, b):
    return np.maximum(0.0, X @ W.T + c) @ w + b


def _params(label, got, shapes):
    names = "(" + ", ".join(n for n, _ in shapes) + ")"
    items = unpack(label, got, len(shapes), names)
    out = []
    for (name, shape), v in zip(shapes, items):
        try:
            a = np.asarray(v, dtype=float)
        except Exception:
            raise Failed(f"{name} must be a numeric array of shape {shape}")
        if a.shape != shape:
            if a.size == int(np.prod(shape)) and name != "W1" and name != "W":
                a = a.reshape(shape)
            else:
                raise Failed(f"{name} has shape {a.shape}, expected {shape}"
                             + (": W is (n_out, n_in)" if name.startswith("W") else ""))
        if not np.all(np.isfinite(a)):
            raise Failed(f"{name} contains nan or inf")
        out.append(a)
    return out


def judge_relu_weights(args, got):
    """XOR exactly, with no hidden bias (c = 0): not the network of notebook 03."""
    W, c, w, b = _params("xor_relu_weights()", got, [("W", (2, 2)), ("c", (2,)), ("w", (2,)),
                                                     ("b", ())])
    f = relu_net(TRUTH, W, c, w, float(b))
    for row, fi, e in zip(TRUTH.astype(int), f, XOR):
        if not np.isclose(fi, e, atol=1e-9):
            raise Failed(f"f({row[0]}, {row[1]}) should be {e}, got {fi:.6g} (f(x) = w . relu(W x "
                         "+ c) + b with the weights you returned)")
    if np.any(c != 0):
        raise Failed(f"f is XOR, but the hidden bias c = [{c[0]:g}, {c[1]:g}] is not zero: this "
                     "task asks for a network without hidden bias (c = 0), different from the "
                     "one in the lecture")


def judge_forward(args, got):
    X, W1, b1, W2, b2 = args
    exp = ref_forward(X, W1, b1, W2, b2)
    A1 = _sig(X @ W1.T + b1)
    compare_array("forward_221(X, ...)", got, exp, variants=[
        (_sig(_sig(X @ W1 + b1) @ W2.T + b2)[:, 0],
         "the hidden layer used X @ W1, but W1 is (n_out, n_in): use X @ W1.T"),
        ((A1 @ W2.T + b2)[:, 0], "the output is the logit W2 a1 + b2: apply the sigmoid to it"),
        (_sig(_sig(X @ W1.T) @ W2.T + b2)[:, 0],
         "the hidden bias b1 is missing"),
        (_sig(A1 @ W2.T)[:, 0], "the output bias b2 is missing"),
        (_sig(np.maximum(0, X @ W1.T + b1) @ W2.T + b2)[:, 0],
         "the hidden layer uses ReLU: this network's hidden units are sigmoids")])


def forward_error_hint(args, error: str) -> str:
    """Explain an exception of ``forward_221`` with the shapes of the call."""
    from .rootcause import shape_hint

    X, W1, b1, W2, b2 = args
    m = X.shape[0]
    return shape_hint(error, {"X": X.shape, "W1": W1.shape, "W2": W2.shape, "W2.T": W2.T.shape,
                              "a1 (batch)": (m, 2), "p": (m,)}, {"m": m},
                      advice="W is (n_out, n_in): a batch (m, n_in) times W.T (n_in, n_out) gives "
                             "(m, n_out)")


def judge_train(args, got):
    W1, b1, W2, b2 = _params("train_xor(seed)", got, SHAPES_221)
    p = ref_forward(TRUTH, W1, b1, W2, b2)
    wrong = [i for i in range(4) if (p[i] > 0.5) != bool(XOR[i])]
    if wrong:
        i = wrong[0]
        x = TRUTH[i].astype(int)
        raise Failed(f"the trained network gets {len(wrong)} of the 4 XOR points wrong, e.g. "
                     f"p(y=1 | x=({x[0]}, {x[1]})) = {p[i]:.3f} but xor = {XOR[i]}: train longer, "
                     "raise the learning rate, or restart from another initialisation when stuck")


def forward_cases():
    rng = np.random.default_rng(303)
    W1 = np.array([[1.0, -2.0], [0.5, 1.5]])
    shown = ((TRUTH.copy(), W1, np.array([0.1, -0.3]), np.array([[2.0, -1.0]]), np.array([0.25])),
             True)
    other = ((rng.normal(size=(5, 2)), rng.normal(size=(2, 2)), rng.normal(size=2),
              rng.normal(size=(1, 2)), rng.normal(size=1)), False)
    return [shown, other]


@public_check("xor_relu_weights")
def _check_relu_weights(xor_relu_weights):
    run_cases("xor_relu_weights", xor_relu_weights, [((), True)], judge_relu_weights)
    return "f(x) is exactly XOR on the four points"


@public_check("forward_221")
def check_forward(forward_221):
    run_cases("forward_221", forward_221, forward_cases(), judge_forward,
              ("X", "W1", "b1", "W2", "b2"), error_hint=forward_error_hint)
    return "p = sigma(W2 sigma(W1 x + b1) + b2) for every row"


@public_check("train_xor")
def _check_train(train_xor):
    run_cases("train_xor", train_xor, [((0,), True), ((1,), True)], judge_train, ("seed",))
    return "all four XOR points classified correctly (seeds 0 and 1)"


check_relu_weights = with_hint(_check_relu_weights, "03", "xor_relu_weights")


check_train = with_hint(_check_train, "03", "train_xor")


#: Explanations of exceptions, per graded function (also used by the grader's call groups).
ERROR_HINTS = {"forward_221": forward_error_hint}
