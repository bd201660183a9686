"""Public checks of exercise 01: threshold units and the perceptron.

Graded functions (see ``exercises/01_perceptron.ipynb``):

* ``predict(w, b, X)``: ``+1`` where ``w . x + b > 0``, else ``-1``, shape ``(m,)``;
* ``perceptron_update(w, b, x, y)``: one step of the perceptron rule, returning
  new ``(w, b)``: ``(w + y x, b + y)`` when ``y (w . x + b) <= 0``, else unchanged;
* ``nand_weights()``: ``(w, b)`` such that the threshold unit
  ``1 if w . x + b >= 0 else 0`` computes NAND on ``{0, 1}^2``.
"""
from __future__ import annotations

import numpy as np

from .diagnose import Failed, compare_array, compare_scalar, public_check, unpack
from .rootcause import run_cases, with_hint

TRUTH = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
NAND = np.array([1, 1, 1, 0])


# ---------------------------------------------------------------- references
def ref_predict(w, b, X):
    return np.where(np.asarray(X, float) @ np.asarray(w, float) + b > 0, 1, -1)


def ref_update(w, b, x, y):
    w = np.asarray(w, float)
    if y * (w @ x + b) <= 0:
        return w + y * x, float(b + y)
    return w.copy(), float(b)


def threshold(X, w, b):
    return (np.asarray(X, float) @ np.asarray(w, float) + b >= 0).astype(int)


# ---------------------------------------------------------------- judges
def judge_predict(args, got):
    w, b, X = args
    exp = ref_predict(w, b, X)
    arr = np.asarray(got) if isinstance(got, np.ndarray) else got
    if isinstance(arr, np.ndarray) and arr.shape == exp.shape and arr.dtype.kind in "biuf":
        z = X @ w + b
        vals = set(np.unique(arr).tolist())
        if vals <= {0, 1} and np.array_equal(arr, (exp + 1) // 2):
            raise Failed("predict returns 0/1: the perceptron's labels are -1/+1")
        if np.any(z == 0) and np.array_equal(arr[z != 0], exp[z != 0]) and not np.array_equal(arr, exp):
            i = int(np.flatnonzero((z == 0) & (arr != exp))[0])
            raise Failed(f"predict gives {arr[i]:g} for a point on the boundary (w . x + b = 0): "
                         "the convention is -1 there (np.sign returns 0; use np.where(z > 0, 1, -1))")
        if np.array_equal(arr, -exp):
            raise Failed("predict has the labels swapped: +1 is for w . x + b > 0")
        right = np.array_equal(arr, exp)
        ign = b != 0 and not right and np.array_equal(arr, ref_predict(w, 0.0, X))
        sub = b != 0 and not right and np.array_equal(arr, ref_predict(w, -b, X))
        if ign or sub:
            how = ("does not add the bias b" if ign and sub else
                   "ignores the bias b" if ign else "subtracts the bias b")
            raise Failed(f"predict {how}: the boundary is w . x + b = 0")
    compare_array("predict(w, b, X)", got, exp, integer=True)


def judge_update(args, got, part="all"):
    w, b, x, y = args
    exp_w, exp_b = ref_update(w, b, x, y)
    new_w, new_b = unpack("perceptron_update", got, 2, "(new_w, new_b)")
    mistake = y * (np.dot(w, x) + b) <= 0
    variants_w = []
    if mistake:
        ignored = (w + x, "the update added x to w for a y = -1 example: the rule adds y * x, "
                          "which moves w away from x (did you drop the label y, or flip the "
                          "sign?)")
        variants_w = ([ignored] if y == -1 else []) + [
                      (w - y * x, "the update moved w away from the example: the rule adds "
                                  "y * x (w + y x), not w - y x"),
                      (w, "w did not change although the example is misclassified "
                          "(y (w . x + b) <= 0 is a mistake, including = 0 on the boundary)"),
                      (w + x, "the update added x instead of y * x: for a y = -1 example w "
                              "must move away from x")]
    else:
        variants_w = [(w + y * x, "the example is already classified correctly "
                                  "(y (w . x + b) > 0): the perceptron changes nothing then")]
    if mistake and isinstance(new_w, np.ndarray) and new_w.shape == w.shape and np.any(x != 0):
        step = (new_w - w) / np.where(x != 0, y * x, 1)
        c = step[x != 0]
        if np.allclose(c, c[0]) and not np.isclose(c[0], 1) and not np.isclose(c[0], 0) \
                and not np.isclose(c[0], -1):
            raise Failed(f"the update added {c[0]:g} y x: the perceptron adds y x itself (no "
                         "learning rate; scaling w does not change its predictions anyway)")
    compare_array("new w", new_w, exp_w, variants=variants_w)
    compare_scalar("new b", new_b, exp_b,
                   variants=[(b, "w was updated but b was not: the bias is updated like a weight "
                                 "with input 1 (b + y)")] if mistake else
                   [(b + y, "the example is classified correctly: b must not change")])


def judge_nand(args, got):
    w, b = unpack("nand_weights()", got, 2, "(w, b)")
    try:
        w = np.asarray(w, dtype=float)
        b = float(np.asarray(b, dtype=float).reshape(()))
    except Exception:
        raise Failed("nand_weights() must return (w, b): w an array of 2 weights and b a number")
    if w.shape != (2,):
        raise Failed(f"w has shape {w.shape}, expected (2,): one weight per input")
    out = threshold(TRUTH, w, b)
    if np.array_equal(out, 1 - NAND):
        raise Failed("your unit computes AND (1 only for (1, 1)): NAND is NOT AND, so negate "
                     "both w and b")
    for row, o, e in zip(TRUTH.astype(int), out, NAND):
        if o != e:
            raise Failed(f"nand({row[0]}, {row[1]}) should be {e}, got {o} with w = "
                         f"[{w[0]:g}, {w[1]:g}], b = {b:g} (unit: 1 if w . x + b >= 0)")


# ---------------------------------------------------------------- public cases
def predict_cases():
    rng = np.random.default_rng(101)
    shown = ((np.array([1.0, -1.0]), 0.5, np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 1.5]])), True)
    w = rng.normal(size=3)
    X = rng.normal(size=(6, 3))
    X[2] = 0.0  # exactly on the boundary when b = 0
    # the AND unit on the truth table: a bias that decides the answer
    and_case = ((np.array([1.0, 1.0]), -1.5, np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0],
                                                       [1.0, 1.0]])), False)
    return [shown, ((w, 0.0, X), False), and_case]


def update_cases():
    return [((np.array([0.0, 0.0]), 0.0, np.array([1.0, 2.0]), 1), True),
            ((np.array([1.0, 1.0]), 0.5, np.array([1.0, 2.0]), -1), True),
            ((np.array([1.0, -1.0]), 0.0, np.array([3.0, 1.0]), 1), True),
            ((np.array([0.5, -2.0, 1.0]), -0.25, np.array([1.0, 1.0, -1.0]), -1), False),
            ((np.array([0.5, -2.0, 1.0]), 0.0, np.array([-2.0, 0.0, 1.0]), 1), False)]


@public_check("predict")
def check_predict(predict):
    run_cases("predict", predict, predict_cases(), judge_predict, ("w", "b", "X"))
    return "w . x + b > 0 gives +1, else -1"


@public_check("perceptron_update")
def _check_update(perceptron_update):
    run_cases("perceptron_update", perceptron_update, update_cases(), judge_update,
              ("w", "b", "x", "y"))
    return "mistakes (including the boundary) update w and b, correct examples do not"


@public_check("nand_weights")
def _check_nand(nand_weights):
    run_cases("nand_weights", nand_weights, [((), True)], judge_nand)
    return "the unit computes NAND on all four inputs"


check_update = with_hint(_check_update, "01", "perceptron_update")


check_nand = with_hint(_check_nand, "01", "nand_weights")
