"""Public checks of exercise 06: the softmax layer.

Graded functions (``exercises/06_softmax.ipynb``), all on a batch of logits ``Z`` ``(m, K)``
(one example per row) and integer labels ``y`` ``(m,)``:

* ``softmax(Z)``: row-wise, stable for logits like 1000;
* ``log_softmax(Z)``: ``Z - logsumexp(Z)`` row-wise, finite where softmax underflows;
* ``cross_entropy(Z, y)``: ``J = (1/m) sum_i -log softmax(z_i)[y_i]`` (a float);
* ``cross_entropy_grad(Z, y)``: ``dJ/dZ = (softmax(Z) - onehot(y)) / m``.
"""
from __future__ import annotations

import numpy as np

from ..losses import log_softmax as _logsm, softmax as _sm
from .diagnose import Failed, compare_array, compare_scalar, public_check
from .rootcause import run_cases, with_hint


def _onehot(y, K):
    Y = np.zeros((y.shape[0], K))
    Y[np.arange(y.shape[0]), y] = 1
    return Y


def ref_ce(Z, y):
    return float(-np.mean(_logsm(Z)[np.arange(Z.shape[0]), y]))


def ref_ce_grad(Z, y):
    return (_sm(Z) - _onehot(y, Z.shape[1])) / Z.shape[0]


def judge_softmax(args, got):
    (Z,) = args
    exp = _sm(Z)
    arr = got if isinstance(got, np.ndarray) else None
    if arr is not None and arr.shape == Z.shape and arr.dtype.kind == "f":
        if np.allclose(arr, _sm(Z, axis=0)):
            raise Failed("the columns sum to 1, not the rows: normalise along axis=1 (each "
                         "example is a row)")
        with np.errstate(all="ignore"):
            Eg = np.exp(Z - Z.max())
            glob = Eg / Eg.sum(axis=1, keepdims=True)
            Em = np.exp(Z - Z.min(axis=1, keepdims=True))
            mins = Em / Em.sum(axis=1, keepdims=True)
        if np.allclose(arr, Eg / Eg.sum()):
            raise Failed("the whole batch sums to 1: normalise each row separately "
                         "(sum(axis=1, keepdims=True))")
        if not np.all(np.isfinite(glob)) and np.array_equal(arr, glob, equal_nan=True):
            raise Failed("softmax gave nan for a row far below the largest logit of the batch: "
                         "you shifted by the max of the whole batch, so that row underflows to "
                         "0 / 0; shift each row by its own max")
        if not np.all(np.isfinite(mins)) and np.array_equal(arr, mins, equal_nan=True):
            raise Failed("softmax gave nan for large logits: shifting each row by its min still "
                         "leaves exponents above 709 that overflow; which shift keeps every "
                         "exponential at most 1?")
    if arr is not None and arr.shape == Z.shape and arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) and np.abs(Z).max() > 700:
            raise Failed("softmax gave nan or inf for large logits (|z| above about 709): exp "
                         "overflows; shift each row first (hint level 1 says by what)")
    compare_array("softmax(Z)", got, exp, rtol=1e-6, atol=1e-12, variants=[
        (1 / (1 + np.exp(-np.clip(Z, -700, 700))),
         "that is an elementwise sigmoid: the softmax normalises each row (the exponentials of "
         "a row divided by their sum)")])


def rows_error_hint(args, error: str) -> str:
    """Explain an exception of a row-wise function of Z with the shapes involved."""
    from .rootcause import shape_hint

    Z = args[0]
    m, K = Z.shape
    return shape_hint(error, {"Z": (m, K), "a row statistic without keepdims": (m,),
                              "a row statistic with keepdims=True": (m, 1)}, {"m": m, "K": K},
                      advice="a statistic of each row (its max, its sum) must be (m, 1) to "
                             "broadcast over the K columns: use keepdims=True")


def _overflows(Z) -> bool:
    """Whether exp of some logit overflows float64 (z above about 709.78)."""
    return bool(np.max(Z) > 709.0)


def judge_log_softmax(args, got):
    (Z,) = args
    exp = _logsm(Z)
    arr = got if isinstance(got, np.ndarray) else None
    if arr is not None and arr.shape == Z.shape and arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            bad = ~np.all(np.isfinite(arr), axis=1)
            if _overflows(Z[bad]) and np.max(Z[bad]) > 709.0:
                raise Failed("log_softmax gave nan or inf for a row with a large logit (above "
                             "about 709, exp overflows): the log-sum-exp needs the max shift "
                             "(hint level 1)")
            raise Failed("log_softmax gave -inf or nan where softmax underflows to 0: compute "
                         "Z - logsumexp(Z) (with the max subtracted) instead of log(softmax(Z))")
        if np.allclose(arr, Z - Z.max(axis=1, keepdims=True)) and not np.allclose(arr, exp):
            raise Failed("log_softmax subtracts only the max: subtract the whole logsumexp")
    mx = Z.max(axis=1, keepdims=True)
    compare_array("log_softmax(Z)", got, exp, rtol=1e-7, atol=1e-9, variants=[
        (exp + mx, "the log-sum-exp lost its max: after the shift, log sum e^z = max + log "
                   "sum e^(z - max)"),
        (exp - mx, "the max was subtracted outside the log-sum-exp but not inside the exp: "
                   "the shift must go into the exponentials"),
        (_logsm(Z, axis=0), "log_softmax was taken down the columns (over the batch): each row "
                            "is one example, use axis=1")])


def judge_ce(args, got):
    Z, y = args
    m = Z.shape[0]
    exp = ref_ce(Z, y)
    lp = _logsm(Z)
    try:
        g = float(np.asarray(got, dtype=np.float64).reshape(()))
    except Exception:
        g = 0.0
    if not np.isfinite(g) and _overflows(Z):
        raise Failed("cross_entropy is nan or inf for a batch with a large logit (above about "
                     "709, exp overflows): compute it from a stable log-softmax (the max shift, "
                     "task 2)")
    compare_scalar("cross_entropy", got, exp, batch=m, variants=[
        (float(-np.mean(lp)), "the loss averaged log p over all classes: use only the log "
                               "probability of the true class y_i"),
        (float(np.mean(lp[np.arange(m), y])), "the loss has the wrong sign: J = -(1/m) sum log "
                                              "p[i, y_i] is positive"),
        (float(-np.mean(lp[np.arange(m), y])) / Z.shape[1] if Z.shape[1] != m else np.nan,
         "the loss was divided by the number of classes K as well"),
        (float(-np.mean(lp[:, y])), "lp[:, y] takes every row for every label (an (m, m) "
                                    "block): take one entry per row, the true class y_i"),
        (float(-np.mean(np.exp(lp[np.arange(m), y]))), "the loss averaged the probabilities "
                                                       "p[i, y_i]: it is the mean of -log p")])


def judge_ce_grad(args, got):
    Z, y = args
    m = Z.shape[0]
    exp = ref_ce_grad(Z, y)
    compare_array("cross_entropy_grad", got, exp, batch=m, variants=[
        (_sm(Z) / m, "the gradient misses the derivative of the -z_y term: the true class "
                     "gets a -1 (one-hot of y)"),
        ((_onehot(y, Z.shape[1]) - _sm(Z)) / m, "the gradient has the wrong sign: you returned "
                                                "minus dJ/dZ (the direction of steepest descent)"),
        ((_sm(Z) - _onehot(y, Z.shape[1])) * _sm(Z) * (1 - _sm(Z)) / m,
         "the gradient has an extra factor softmax (1 - softmax): with cross-entropy the softmax "
         "Jacobian collapses, no elementwise sigma' is left"),
        ((_sm(Z) - np.isin(np.arange(Z.shape[1]), y)[None, :]) / m,
         "the -1 went into whole columns (G[:, y] -= 1): only one entry per row, G[i, y_i]"),
        ((Z - _onehot(y, Z.shape[1])) / m, "the gradient used the logits Z where softmax(Z) "
                                           "belongs")])


def _random_Z(seed, m, K, scale=3.0):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=scale, size=(m, K)), rng.integers(0, K, size=m)


def softmax_cases():
    Z1 = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    Z2 = np.array([[1000.0, 0.0, -1000.0], [-5.0, 800.0, 801.0]])
    Z3 = np.array([[900.0, 899.0, 901.0], [1.0, 2.0, 0.5]])  # a row far below the batch's max
    return [((Z1,), True), ((Z2,), True), ((Z3,), True), ((_random_Z(606, 4, 5)[0],), False)]


def log_softmax_cases():
    Z1 = np.array([[1.0, 2.0, 3.0], [0.0, -1000.0, 0.0]])
    return [((Z1,), True), ((_random_Z(607, 3, 4, scale=400)[0],), False)]


def ce_cases():
    Z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1000.0, 0.0, -3.0], [0.0, 0.0, 0.0]])
    y = np.array([0, 1, 1, 2])
    return [((Z, y), True), (_random_Z(608, 5, 3), False)]


@public_check("softmax")
def _check_softmax(softmax):
    run_cases("softmax", softmax, softmax_cases(), judge_softmax, ("Z",),
              error_hint=rows_error_hint)
    return "rows sum to 1, no overflow for logits of 1000"


@public_check("log_softmax")
def _check_log_softmax(log_softmax):
    run_cases("log_softmax", log_softmax, log_softmax_cases(), judge_log_softmax, ("Z",),
              error_hint=rows_error_hint)
    return "finite where softmax underflows"


@public_check("cross_entropy")
def check_ce(cross_entropy):
    run_cases("cross_entropy", cross_entropy, ce_cases(), judge_ce, ("Z", "y"))
    return "the mean of -log p[i, y_i], stable for large logits"


@public_check("cross_entropy_grad")
def _check_ce_grad(cross_entropy_grad):
    run_cases("cross_entropy_grad", cross_entropy_grad, ce_cases(), judge_ce_grad, ("Z", "y"))
    return "dJ/dZ = (softmax(Z) - onehot(y)) / m"


check_softmax = with_hint(_check_softmax, "06", "softmax")
check_log_softmax = with_hint(_check_log_softmax, "06", "log_softmax")
check_ce_grad = with_hint(_check_ce_grad, "06", "cross_entropy_grad")


#: Explanations of exceptions, per graded function (also used by the grader's call groups).
ERROR_HINTS = {"softmax": rows_error_hint, "log_softmax": rows_error_hint}
