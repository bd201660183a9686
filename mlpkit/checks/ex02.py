"""Public checks of exercise 02: logistic regression.

Graded functions (``exercises/02_logistic_regression.ipynb``):

* ``sigmoid(z)``: elementwise ``1 / (1 + exp(-z))``, any shape, no nan for large ``|z|``;
* ``logistic_loss(w, b, X, y)``: mean cross-entropy ``J`` (a float);
* ``logistic_grad(w, b, X, y)``: ``(dw, db)`` with ``dw`` of shape ``(n,)`` and ``db`` a float;
* ``gd_step(w, b, X, y, lr)``: one vectorised gradient-descent step, new ``(w, b)``.
"""
from __future__ import annotations

import numpy as np

from ..activations import sigmoid as _sig
from .diagnose import Failed, compare_array, compare_scalar, public_check, unpack
from .rootcause import run_cases, with_hint


def ref_loss(w, b, X, y):
    z = X @ w + b
    return float(np.mean(np.logaddexp(0, z) - y * z))


def ref_grad(w, b, X, y):
    d = (_sig(X @ w + b) - y) / X.shape[0]
    return X.T @ d, float(d.sum())


def ref_step(w, b, X, y, lr):
    dw, db = ref_grad(w, b, X, y)
    return w - lr * dw, b - lr * db


def judge_sigmoid(args, got):
    (z,) = args
    z = np.asarray(z, dtype=float)
    exp = _sig(z)
    if z.ndim == 0:
        compare_scalar("sigmoid(z)", got, float(exp))
        return
    arr = np.asarray(got) if isinstance(got, np.ndarray) else None
    if arr is not None and arr.shape == z.shape and arr.dtype.kind == "f":
        if np.allclose(arr, np.tanh(z)) and not np.allclose(arr, exp):
            raise Failed("that is tanh (values in (-1, 1)); the logistic sigmoid is "
                         "1 / (1 + exp(-z)), values in (0, 1)")
        zero = np.flatnonzero(z.ravel() == 0)
        if zero.size and not np.isclose(arr.ravel()[zero[0]], 0.5):
            raise Failed(f"sigmoid(0) should be 0.5, got {arr.ravel()[zero[0]]:.6g}")
        bad = ~np.isfinite(arr)
        if bad.any():
            i = np.flatnonzero(bad.ravel())[0]
            side = "large positive" if z.ravel()[i] > 0 else "large negative"
            raise Failed(f"sigmoid gave {arr.ravel()[i]} for a {side} z (|z| above about 709): "
                         "exp(z) overflows for large |z|; write it as 1 / (1 + exp(-z)) or split "
                         "on the sign of z")
        if np.allclose(arr, 1 - exp):
            raise Failed("sigmoid is mirrored: it should be 1 / (1 + exp(-z)), not 1 / (1 + exp(z))")
        right = np.allclose(arr, exp, rtol=1e-7, atol=1e-12)
        if not right and np.allclose(arr, _sig(2 * z)):
            raise Failed("your function is sigma(2z): (1 + tanh(z)) / 2 squeezes twice as fast; "
                         "the logistic sigmoid is (1 + tanh(z / 2)) / 2")
        if not right and np.allclose(arr, _sig(np.abs(z))) and np.any(z < 0):
            raise Failed("sigmoid of a negative z is wrong: sigma(-z) = 1 - sigma(z); a stable "
                         "form with |z| needs the two cases z >= 0 and z < 0")
    compare_array("sigmoid(z)", got, exp, rtol=1e-7, atol=1e-12,
                  variants=[(np.tanh(z), "that is tanh (values in (-1, 1)); the logistic sigmoid "
                                         "is 1 / (1 + exp(-z)), values in (0, 1)")])


def sigmoid_error_hint(args, error: str) -> str:
    """Explain an exception of ``sigmoid``."""
    if "size-1 arrays" in error or "length-1 arrays" in error or "only 0-dimensional" in error:
        return "math.exp takes one number: use np.exp, which works elementwise on arrays"
    return ""


def judge_loss(args, got):
    w, b, X, y = args
    m = X.shape[0]
    z = X @ w + b
    swapped = float(np.mean((1 - y) * np.logaddexp(0, -z) + y * np.logaddexp(0, z)))
    a = _sig(z)
    with np.errstate(all="ignore"):
        extra = [
            (float(-np.mean(y * np.log(a) + (1 - y) * np.log(a))),
             "the second term must be (1 - y) log(1 - a): you took log(a) twice"),
            (ref_loss(w, 0.0, X, y) if b != 0 else np.nan, "the loss ignores the bias b: "
                                                            "z = X w + b"),
            (float(np.mean((a - y) ** 2)), "this is the squared error: the task's loss is the "
                                           "cross-entropy of a sigmoid output"),
            (float(-np.mean(y * np.log(a))), "only the y log a term: the (1 - y) log(1 - a) term "
                                             "(the examples with y = 0) is missing"),
            (ref_loss(w, b, X, y) / np.log(10), "the loss uses log10: the cross-entropy uses the "
                                                "natural log (np.log)")]
    compare_scalar("logistic_loss", got, ref_loss(w, b, X, y), batch=m, variants=extra + [
        (-ref_loss(w, b, X, y), "the loss is negative: J = -(1/m) sum [y log a + (1-y) log(1-a)] "
                                "has a minus sign in front"),
        (swapped, "y and 1 - y are swapped: y log a is the term for y = 1")])


def judge_grad(args, got, part="all"):
    w, b, X, y = args
    m = X.shape[0]
    dw_e, db_e = ref_grad(w, b, X, y)
    dw, db = unpack("logistic_grad", got, 2, "(dw, db)")
    a = _sig(X @ w + b)
    if part in ("all", "dw"):
        compare_array("dw", dw, dw_e, batch=m, variants=[
            ((X.T @ (y - a)) / m, "dw has the wrong sign: dL/dz = a - y, not y - a"),
            (X.T @ ((a - y) * a * (1 - a)) / m,
             "dw has an extra sigma'(z) factor: the cross-entropy's derivative cancels it"),
            (X.T @ (_sig(X @ w) - y) / m if b != 0 else np.full(1, np.nan),
             "dw ignores the bias b: a = sigma(X w + b)")],
            hint='see hint("02", "logistic_grad")')
    if part in ("all", "db"):
        compare_scalar("db", db, db_e, batch=m, hint='see hint("02", "logistic_grad")', variants=[
            (float(np.sum(_sig(X @ w) - y) / m) if b != 0 else np.nan,
             "db ignores the bias b: a = sigma(X w + b)"),
            (-db_e, "db has the wrong sign: the gradient of the loss, not its negative")])


def grad_error_hint(args, error: str) -> str:
    """Explain an exception of ``logistic_grad`` / ``gd_step`` with the shapes of the call."""
    from .rootcause import shape_hint

    w, b, X, y = args[:4]
    m, n = X.shape
    return shape_hint(error, {"X": X.shape, "w": w.shape, "y": y.shape, "a - y": (m,),
                              "X.T": (n, m)}, {"m": m, "n": n},
                      advice="dw has the shape of w: which product of X and an (m,) vector "
                             "gives an (n,) vector?")


def judge_step(args, got, part="all"):
    w, b, X, y, lr = args
    m = X.shape[0]
    w_e, b_e = ref_step(w, b, X, y, lr)
    dw, db = ref_grad(w, b, X, y)
    new_w, new_b = unpack("gd_step", got, 2, "(new_w, new_b)")
    compare_array("new w", new_w, w_e, variants=[
        (w + lr * dw, "w moved up the gradient: gradient descent subtracts, w - lr * dw"),
        (w - lr * dw * m, "new w used the summed gradient (no 1/m): the loss is a mean"),
        (w - dw, "the learning rate lr is missing: w - lr * dw"),
        (w - lr * dw / m, "new w used the gradient divided by m twice: the gradient of the mean "
                          "loss has the 1/m once"),
        (w - dw / lr, "w moved by dw / lr: the step is lr times the gradient")])
    compare_scalar("new b", new_b, b_e, variants=[(b + lr * db, "b moved up the gradient: use "
                                                                "b - lr * db"),
                                                  (b, "b was not updated")])


def _data(seed, m=5, n=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (rng.random(m) < 0.5).astype(float)
    y[0], y[1] = 0.0, 1.0
    return rng.normal(size=n), float(rng.normal()), X, y


def sigmoid_cases():
    return [((np.array([0.0, 2.0, -2.0]),), True),
            ((np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0]),), True),
            ((np.random.default_rng(202).normal(scale=4, size=(3, 4)),), False)]


def loss_cases():
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0], [2.0, 1.0]])
    shown = ((np.array([0.5, -0.25]), 0.1, X, np.array([1.0, 0.0, 0.0, 1.0])), True)
    return [shown, (_data(203), False)]


def step_cases():
    w, b, X, y = loss_cases()[0][0]
    return [((w, b, X, y, 0.3), True), ((*_data(204), 0.1), False)]


@public_check("sigmoid")
def check_sigmoid(sigmoid):
    run_cases("sigmoid", sigmoid, sigmoid_cases(), judge_sigmoid, ("z",),
              error_hint=sigmoid_error_hint)
    return "right values, also for |z| = 1000"


@public_check("logistic_loss")
def check_loss(logistic_loss):
    run_cases("logistic_loss", logistic_loss, loss_cases(), judge_loss, ("w", "b", "X", "y"))
    return "the mean cross-entropy over the batch"


@public_check("logistic_grad")
def _check_grad(logistic_grad):
    run_cases("logistic_grad", logistic_grad, loss_cases(), judge_grad, ("w", "b", "X", "y"),
              error_hint=grad_error_hint)
    return "dw and db agree with the derivative of the mean loss"


@public_check("gd_step")
def check_step(gd_step):
    run_cases("gd_step", gd_step, step_cases(), judge_step, ("w", "b", "X", "y", "lr"),
              error_hint=grad_error_hint)
    return "one step of w <- w - lr dw, b <- b - lr db"


check_grad = with_hint(_check_grad, "02", "logistic_grad")


#: Explanations of exceptions, per graded function (also used by the grader's call groups).
ERROR_HINTS = {"sigmoid": sigmoid_error_hint, "logistic_grad": grad_error_hint,
                "gd_step": grad_error_hint}
