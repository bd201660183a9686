"""Public checks of exercise 04: backpropagation in a two-layer network.

The network (``exercises/04_backprop_two_layer.ipynb``): ``X`` ``(m, n0)``,
``A1 = sigma(X W1^T + b1)`` ``(m, n1)``, ``A2 = sigma(A1 W2^T + b2)`` ``(m, n2)``, loss the
binary cross-entropy summed over the outputs and averaged over the batch.

Graded functions:

* ``forward(X, W1, b1, W2, b2)`` -> ``(A1, A2)``;
* ``bce_loss(A2, Y)`` -> ``J = -(1/m) sum [Y log A2 + (1 - Y) log(1 - A2)]`` (a float);
* ``backward(X, Y, A1, A2, W2)`` -> ``(dW1, db1, dW2, db2)``, the gradients of ``J``.
"""
from __future__ import annotations

import numpy as np

from ..activations import sigmoid as _sig
from ..gradcheck import numerical_gradient
from .diagnose import Failed, compare_array, compare_scalar, public_check, unpack
from .rootcause import infer_upstream, matches, run_cases, shape_hint, with_hint


def ref_forward(X, W1, b1, W2, b2):
    A1 = _sig(X @ W1.T + b1)
    return A1, _sig(A1 @ W2.T + b2)


def ref_loss(A2, Y):
    A2 = np.clip(A2, 1e-300, None)
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log1p(-np.minimum(A2, 1 - 1e-16)))
                 / A2.shape[0])


def ref_backward(X, Y, A1, A2, W2):
    m = X.shape[0]
    D2 = (A2 - Y) / m
    D1 = (D2 @ W2) * A1 * (1 - A1)
    return D1.T @ X, D1.sum(0), D2.T @ A1, D2.sum(0)


def loss_of_params(X, Y, W1, b1, W2, b2):
    Z1 = X @ W1.T + b1
    Z2 = _sig(Z1) @ W2.T + b2
    return float(np.sum(np.logaddexp(0, Z2) - Y * Z2) / X.shape[0])


def make_case(seed, m=4, n0=3, n1=2, n2=1):
    """Random parameters and data; returns ``(params, (X, Y, A1, A2, W2))``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n0))
    Y = (rng.random((m, n2)) < 0.5).astype(float)
    W1, b1 = rng.normal(size=(n1, n0)), rng.normal(scale=0.5, size=n1)
    W2, b2 = rng.normal(size=(n2, n1)), rng.normal(scale=0.5, size=n2)
    A1, A2 = ref_forward(X, W1, b1, W2, b2)
    return (X, W1, b1, W2, b2), (X, Y, A1, A2, W2)


def judge_forward(args, got, part="all"):
    """``part``: all, A1 or A2. A2 is judged from the student's own A1 when it has the right
    shape (root cause: a slip in A1 costs A1's points only)."""
    X, W1, b1, W2, b2 = args
    A1e, A2e = ref_forward(X, W1, b1, W2, b2)
    A1, A2 = unpack("forward", got, 2, "(A1, A2)")
    if (A1e.shape != A2e.shape and matches(A1, A2e, 1e-9, 1e-12)
            and matches(A2, A1e, 1e-9, 1e-12)):
        raise Failed("forward returned (A2, A1): return the hidden activations first, (A1, A2)")
    if part in ("all", "A1"):
        Z1 = X @ W1.T + b1
        compare_array("A1", A1, A1e, variants=[
            (Z1, "A1 is the pre-activation Z1: apply the sigmoid, A1 = sigma(Z1)"),
            (_sig(X @ W1.T), "A1 misses the bias b1"),
            (np.maximum(0, Z1), "A1 uses ReLU: this network's hidden units are sigmoids"),
            (np.tanh(Z1), "A1 uses tanh: this network's hidden units are sigmoids")])
    if part in ("all", "A2"):
        own = _own(A1, A1e.shape)
        if own is not None and not matches(own, A1e) and matches(A2, _sig(own @ W2.T + b2)):
            return None  # right given the student's own A1 (its slip is charged to A1)
        Z2 = A1e @ W2.T + b2
        compare_array("A2", A2, A2e, variants=[
            (Z2, "A2 is the logit Z2: apply the output sigmoid"),
            (_sig((X @ W1.T + b1) @ W2.T + b2), "A2 was computed from Z1, not from A1 = sigma(Z1)"),
            (_sig(A1e @ W2.T), "A2 misses the bias b2")])


def _own(value, shape):
    """The student's value as a float array of ``shape``, or None."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except Exception:
        return None
    return arr if arr.shape == shape and np.all(np.isfinite(arr)) else None


def forward_error_hint(args, error: str) -> str:
    """Explain an exception of ``forward`` with the shapes of the call."""
    X, W1, b1, W2, b2 = args
    m = X.shape[0]
    return shape_hint(error, {"X": X.shape, "W1": W1.shape, "W1.T": W1.T.shape, "W2": W2.shape,
                              "W2.T": W2.T.shape, "A1": (m, W1.shape[0]), "A2": (m, W2.shape[0])},
                      {"m": m, "n0": X.shape[1], "n1": W1.shape[0], "n2": W2.shape[0]},
                      advice="W is (n_out, n_in): a batch (m, n_in) times W.T (n_in, n_out) gives "
                             "(m, n_out)")


def judge_loss(args, got):
    A2, Y = args
    m = A2.shape[0]
    exp = ref_loss(A2, Y)
    with np.errstate(all="ignore"):
        extra = [
            (float(-np.sum((1 - Y) * np.log(A2) + Y * np.log(1 - A2)) / m),
             "Y and 1 - Y are swapped: Y log A2 is the term of the examples with y = 1"),
            (float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(A2)) / m),
             "the second term must be (1 - Y) log(1 - A2): you took log(A2) twice"),
            (float(-np.sum(Y * np.log(A2)) / m),
             "only the Y log A2 term: the (1 - Y) log(1 - A2) term is missing"),
            (float(np.sum((A2 - Y) ** 2) / m), "this is the squared error: the task's loss is "
                                               "the binary cross-entropy"),
            (exp / np.log(10), "the loss uses log10: the cross-entropy uses the natural log")]
    compare_scalar("bce_loss", got, exp, batch=m, variants=extra + [
        (-exp, "the loss is negative: the cross-entropy has a minus sign in front"),
        (exp / A2.shape[1] if A2.shape[1] > 1 else np.nan,
         "the loss was averaged over the outputs too: average over the batch, sum over outputs")])


def backward_shapes(args) -> tuple[dict, dict]:
    """Names and shapes of the arrays of a ``backward`` call and of its error signals."""
    X, Y, A1, A2, W2 = args
    (m, n0), n1, n2 = X.shape, A1.shape[1], A2.shape[1]
    shapes = {"X": (m, n0), "Y": Y.shape, "A1": (m, n1), "A2": (m, n2), "W2": W2.shape,
              "delta2 = dJ/dZ2": (m, n2), "delta1 = dJ/dZ1": (m, n1), "dW1": (n1, n0),
              "dW2": (n2, n1)}
    return shapes, {"m": m, "n0": n0, "n1": n1, "n2": n2}


def backward_error_hint(args, error: str) -> str:
    """Explain an exception of ``backward`` with the shapes of the call."""
    shapes, dims = backward_shapes(args)
    return shape_hint(error, shapes, dims, advice="Each gradient has the shape of its parameter "
                      "and each error signal the shape of what it differentiates (hint level 2 "
                      "lists them)")


def _steps(X, A1, W2, dZ2):
    """``(dW2, db2, dZ1, dW1, db1)`` from an output error signal ``dZ2`` (the chain below it)."""
    dZ1 = (dZ2 @ W2) * A1 * (1 - A1)
    return dZ2.T @ A1, dZ2.sum(0), dZ1, dZ1.T @ X, dZ1.sum(0)


def _upstream(args, dW2, db2):
    """The student's dZ2, from their dW2 or db2 (the reference if neither explains it)."""
    X, Y, A1, A2, W2 = args
    m = X.shape[0]
    dZ2 = (A2 - Y) / m
    cands = [("reference", dZ2), ("sign", -dZ2), ("no 1/m", dZ2 * m), ("1/m twice", dZ2 / m),
             ("extra sigma'", dZ2 * A2 * (1 - A2))]
    found = infer_upstream(cands, dW2, db2, A1)
    return found if found is not None else ("reference", dZ2)


def judge_backward(args, got, part="all", fd=None):
    """``part`` is one of all, dW1, db1, dW2, db2; ``fd`` optional finite-difference gradients.

    Root cause: dW2 and db2 are judged against the reference; dW1 and db1 against the chain
    rule applied to the student's *own* dZ2 (recovered from their dW2 / db2), so a slip in
    dZ2 costs dW2 and db2 only, and the diagnosis of dW1 names a slip made in dW1's own steps.
    """
    X, Y, A1, A2, W2 = args
    m = X.shape[0]
    exp = fd if fd is not None else ref_backward(X, Y, A1, A2, W2)
    reference = "finite differences" if fd is not None else "the expected gradient"
    dW1, db1, dW2, db2 = unpack("backward", got, 4, "(dW1, db1, dW2, db2)")
    dZ2 = (A2 - Y) / m
    dZ2_mse = dZ2 * A2 * (1 - A2)
    if part in ("all", "dW2"):
        compare_array("dW2", dW2, exp[2], batch=m, weight=True, reference=reference, variants=[
            (-exp[2], "dW2 has the wrong sign: delta2 = dJ/dZ2 is a - y, not y - a (y - a is the "
                      "negative gradient, what notes add with +eta)"),
            (dZ2_mse.T @ A1, "dW2 has an extra sigma'(z2) = a2 (1 - a2) factor: with a sigmoid "
                             "output and cross-entropy, that factor cancels in dJ/dZ2"),
            (dZ2.T @ (A1 * (1 - A1)), "dW2 used sigma'(z1) instead of the activations A1: "
                                      "the input of layer 2 is A1")])
    if part in ("all", "db2"):
        compare_array("db2", db2, exp[3], batch=m, reference=reference, variants=[
            (-exp[3], "db2 has the wrong sign: delta2 = dJ/dZ2 is a - y, not y - a"),
            (dZ2_mse.sum(0), "db2 has an extra sigma'(z2) = a2 (1 - a2) factor: with a sigmoid "
                             "output and cross-entropy, that factor cancels in dJ/dZ2")])
    if part not in ("all", "dW1", "db1"):
        return None
    how, D = _upstream(args, dW2, db2)
    _, _, dZ1, dW1_e, db1_e = _steps(X, A1, W2, D)
    if how == "reference" and fd is not None:
        dW1_e, db1_e = exp[0], exp[1]
    ref_of = (reference if how == "reference"
              else "the gradient that follows from your own delta2")
    note = ("" if how == "reference" else
            " (judged from your own delta2, whose slip is charged to dW2 and db2)")
    noprime = D @ W2
    sigA = (D @ W2) * _sig(A1) * (1 - _sig(A1))
    db1_right = matches(db1, db1_e)
    if part in ("all", "dW1"):
        n0 = X.shape[1]
        variants = [
            (noprime.T @ X, "dW1 misses the sigma'(z1) = a1 (1 - a1) factor"),
            (sigA.T @ X, "dW1 applied sigma' to A1 instead of Z1: sigma'(z1) is a1 (1 - a1) in "
                         "terms of A1, not sigmoid_prime(A1)"),
            (-dW1_e, "dW1 has the wrong sign (delta2 is right: the sign flipped on the way down)")]
        if n0 > 1:
            variants.append((dZ1.T @ X[:, ::-1], "dW1 has its columns in reverse order: column k "
                             "of dW1 belongs to input k, the k-th column of X (db1 is right, so "
                             "delta1 is right; the slip is in the product with X)"))
        variants.append((dZ1.T @ A1 if A1.shape[1] == n0 else np.full(1, np.nan),
                         "dW1 used A1 where the layer's input X belongs"))
        hint = ("db1 is right, so your delta1 (and its sigma'(z1) factor) is right: the slip is in "
                "how dW1 combines delta1 with the layer's input X" if db1_right
                else "check delta1 = dJ/dZ1 and its sigma'(z1) factor") + note
        compare_array("dW1", dW1, dW1_e, batch=m, weight=True, reference=ref_of,
                      variants=variants, hint=hint)
    if part in ("all", "db1"):
        compare_array("db1", db1, db1_e, batch=m, reference=ref_of, variants=[
            (noprime.sum(0), "db1 misses the sigma'(z1) = a1 (1 - a1) factor"),
            (sigA.sum(0), "db1 applied sigma' to A1 instead of Z1: sigma'(z1) is a1 (1 - a1) "
                          "in terms of A1, not sigmoid_prime(A1)"),
            (-db1_e, "db1 has the wrong sign (delta2 is right: the sign flipped on the way down)")],
            hint="check delta1 = dJ/dZ1, the error signal of the hidden layer" + note)
    return None


def fd_gradients(params, Y):
    X, W1, b1, W2, b2 = [np.array(p, dtype=float) for p in params]
    f = lambda: loss_of_params(X, Y, W1, b1, W2, b2)  # noqa: E731
    return tuple(numerical_gradient(f, p) for p in (W1, b1, W2, b2))


WORKED = make_case(404, m=4, n0=3, n1=2, n2=1)


def forward_cases():
    return [(WORKED[0], True), (make_case(405, m=5, n0=2, n1=3, n2=2)[0], False)]


def loss_cases():
    _, (X, Y, A1, A2, W2) = WORKED
    _, (X2, Y2, A12, A22, W22) = make_case(406, m=6, n0=2, n1=3, n2=2)
    return [((A2, Y), True), ((A22, Y2), False)]


@public_check("forward")
def check_forward(forward):
    run_cases("forward", forward, forward_cases(), judge_forward, ("X", "W1", "b1", "W2", "b2"),
              error_hint=forward_error_hint)
    return "A1 = sigma(X W1^T + b1), A2 = sigma(A1 W2^T + b2)"


@public_check("bce_loss")
def check_loss(bce_loss):
    run_cases("bce_loss", bce_loss, loss_cases(), judge_loss, ("A2", "Y"))
    return "the mean binary cross-entropy"


def backward_cases():
    """The worked example, another net, and a case with m <= n1 + 1 (any slip in dZ2 can be
    recovered from dW2 and db2 there, so dW1 is judged from the student's own delta2)."""
    return [(WORKED, True), (make_case(407, m=5, n0=2, n1=3, n2=2), False),
            (make_case(408, m=3, n0=4, n1=5, n2=2), False)]


@public_check("backward")
def _check_backward(backward):
    cases = backward_cases()
    params_of = {id(args): params for (params, args), _ in cases}
    run_cases("backward", backward, [(args, shown) for (_, args), shown in cases],
              lambda args, value: judge_backward(args, value, fd=fd_gradients(params_of[id(args)], args[1])),
              ("X", "Y", "A1", "A2", "W2"), error_hint=backward_error_hint)
    return "dW1, db1, dW2, db2 agree with finite differences"


check_backward = with_hint(_check_backward, "04", "backward")


#: Explanations of exceptions, per graded function (also used by the grader's call groups).
ERROR_HINTS = {"forward": forward_error_hint, "backward": backward_error_hint}
