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
from .diagnose import compare_array, public_check, unpack
from .rootcause import infer_upstream, matches, run_cases, shape_hint, with_hint


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
        Z1 = X @ V.T + bV
        compare_array("H1", H1, H1e, variants=[
            (Z1, "H1 is the pre-activation: apply the sigmoid"),
            (_sig(X @ V.T), "H1 misses the bias bV"),
            (np.maximum(0, Z1), "H1 uses ReLU: the hidden units of this network are sigmoids")])
        own1 = _own(H1, H1e.shape)
        if own1 is None or matches(own1, H1e) or not matches(H2, _sig(own1 @ W.T + bW)):
            # (root cause: an H2 right given a wrong H1 of the student's passes)
            compare_array("H2", H2, H2e, variants=[
                (H1e @ W.T + bW, "H2 is the pre-activation: apply the sigmoid"),
                (_sig(H1e @ W.T), "H2 misses the bias bW"),
                (np.maximum(0, H1e @ W.T + bW), "H2 uses ReLU: the hidden units of this network "
                                                "are sigmoids")])
    if part in ("all", "P"):
        own2 = _own(H2, H2e.shape)
        if own2 is not None and not matches(own2, H2e) and matches(P, _softmax(own2 @ U.T + bU)):
            return None  # right given the student's own H2 (its slip is charged to the hidden)
        O = H2e @ U.T + bU
        compare_array("P", P, Pe, variants=[
            (_softmax(H2e @ U.T), "P misses the bias bU"),
            (O, "P holds the logits: apply the softmax"),
            (_sig(O), "P applies a sigmoid to each output: the output layer is a softmax over "
                      "the K classes"),
            (_softmax(O, axis=0), "the softmax was taken down the columns (over the batch): "
                                  "normalise each row, axis=1")])


def backward_shapes(args) -> tuple[dict, dict]:
    """Names and shapes of the arrays of a ``backward3`` call and of its error signals."""
    X, y, H1, H2, P, W, U = args
    (m, n0), n1, n2, K = X.shape, H1.shape[1], H2.shape[1], P.shape[1]
    shapes = {"X": (m, n0), "H1": (m, n1), "H2": (m, n2), "P": (m, K), "W": W.shape,
              "U": U.shape, "W.T": W.T.shape, "U.T": U.T.shape, "delta_O = dJ/dO": (m, K),
              "delta2 = dJ/dZ2": (m, n2), "delta1 = dJ/dZ1": (m, n1)}
    return shapes, {"m": m, "n0": n0, "n1": n1, "n2": n2, "K": K}


def backward_error_hint(args, error: str) -> str:
    """Explain an exception of ``backward3`` with the shapes of the call."""
    shapes, dims = backward_shapes(args)
    return shape_hint(error, shapes, dims, advice="Going down one layer turns an error signal "
                      "(m, n_out) into one of shape (m, n_in) of the layer below: it takes a "
                      "matrix of shape (n_out, n_in); which of W and W.T has that shape?")


def _signal_candidates(D_up, Wt, H, *, first=False):
    """(name, D) of the error signal below a layer with weights ``Wt`` and input ``H``, from the
    error signal ``D_up`` above it: the chain rule first, then the known slips."""
    prime = H * (1 - H)
    out = [("reference", (D_up @ Wt) * prime), ("no sigma'", D_up @ Wt),
           ("sign", -(D_up @ Wt) * prime), ("sigma' of H", (D_up @ Wt) * _sig(H) * (1 - _sig(H)))]
    if Wt.shape[0] == Wt.shape[1]:
        out.append(("transposed", (D_up @ Wt.T) * prime))
    return out


def _own(value, shape):
    """The student's value as a float array of ``shape``, or None."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except Exception:
        return None
    return arr if arr.shape == shape and np.all(np.isfinite(arr)) else None


def forward_error_hint(args, error: str) -> str:
    """Explain an exception of ``forward3`` with the shapes of the call."""
    X, V, bV, W, bW, U, bU = args
    m = X.shape[0]
    return shape_hint(error, {"X": X.shape, "V": V.shape, "V.T": V.T.shape, "W": W.shape,
                              "W.T": W.T.shape, "U": U.shape, "U.T": U.T.shape,
                              "H1": (m, V.shape[0]), "H2": (m, W.shape[0]), "P": (m, U.shape[0])},
                      {"m": m, "n0": X.shape[1], "n1": V.shape[0], "n2": W.shape[0],
                       "K": U.shape[0]},
                      advice="a weight matrix is (n_out, n_in): a batch (m, n_in) times its "
                             "transpose (n_in, n_out) gives (m, n_out)")


def judge_backward(args, got, part="all", fd=None):
    """``part``: all, U (dU, dbU), W (dW, dbW) or V (dV, dbV).

    Root cause: dU, dbU against the reference; dW, dbW against the chain rule applied to the
    student's own dO (recovered from their dU, dbU); dV, dbV from the student's own d2. A slip
    costs the points of the layer where it happens only.
    """
    X, y, H1, H2, P, W, U = args
    m = X.shape[0]
    exp = fd if fd is not None else ref_backward(X, y, H1, H2, P, W, U)
    reference = "finite differences" if fd is not None else "the expected gradient"
    vals = unpack("backward3", got, 6, "(dV, dbV, dW, dbW, dU, dbU)")
    dV, dbV, dW, dbW, dU, dbU = vals
    dO = (P - _onehot(y, P.shape[1])) / m
    sign_msg = ("{} has the wrong sign: (y - a) is the negative gradient (what the notes add "
                "with +eta); the gradient of J is a - y")
    sm_prime = ("{} has an extra factor P (1 - P): the output is a softmax, not elementwise "
                "sigmoids; with cross-entropy its Jacobian collapses (hint level 1)")
    if part in ("all", "U"):
        compare_array("dU", dU, exp[4], batch=m, weight=True, reference=reference, variants=[
            (-exp[4], sign_msg.format("dU")), ((dO * P * (1 - P)).T @ H2, sm_prime.format("dU")),
            (dO.T @ (H2 * (1 - H2)), "dU used sigma'(z2) instead of the activations H2: the "
                                     "input of the output layer is H2"),
            ((dO.T @ H2).T if dO.shape[1] == H2.shape[1] else np.full(1, np.nan),
             "dU is transposed: it has the shape of U, (K, n2), one row per output unit "
             "(here K = n2, so numpy raised no error)")])
        compare_array("dbU", dbU, exp[5], batch=m, reference=reference, variants=[
            (-exp[5], sign_msg.format("dbU")), ((dO * P * (1 - P)).sum(0), sm_prime.format("dbU"))])
    if part not in ("all", "W", "V"):
        return None
    cands = [("reference", dO), ("sign", -dO), ("no 1/m", dO * m), ("1/m twice", dO / m),
             ("softmax prime", dO * P * (1 - P))]
    how_O, D_O = infer_upstream(cands, dU, dbU, H2) or ("reference", dO)
    below2 = _signal_candidates(D_O, U, H2)
    note2 = "" if how_O == "reference" else (" (judged from your own delta_O, whose slip is charged "
                                             "to dU and dbU)")
    if part in ("all", "W"):
        _layer_grads("dW", "dbW", dW, dbW, below2, H1, m, note2,
                     exp[2:4] if (fd is not None and how_O == "reference") else None, reference,
                     "second", "h2", "U")
    if part not in ("all", "V"):
        return None
    how_2, D_2 = infer_upstream(below2, dW, dbW, H1) or ("reference", below2[0][1])
    below1 = _signal_candidates(D_2, W, H1)
    note1 = "" if how_2 == "reference" and how_O == "reference" else (
        " (judged from your own delta2, whose slip is charged to the layers above)")
    _layer_grads("dV", "dbV", dV, dbV, below1, X, m, note1,
                 exp[0:2] if (fd is not None and how_2 == "reference" and how_O == "reference")
                 else None, reference, "first", "h1", "W")
    return None


def _layer_grads(nW, nb, gW, gb, cands, A_in, m, note, exact, reference, which, h, Wname):
    """Judge one hidden layer's (dW, db) given the candidates of its error signal."""
    D = cands[0][1]
    eW, eb = (D.T @ A_in, D.sum(0)) if exact is None else exact
    ref = reference if not note else "the gradient that follows from your own upstream signal"
    msgs = {"no sigma'": f"misses the sigma'(z) = {h} (1 - {h}) factor of the {which} hidden layer",
            "sign": "has the wrong sign (the layer above is right: the sign flipped on the way "
                    "down)",
            "sigma' of H": f"applied sigma' to {h.upper()} instead of z: sigma'(z) is {h} (1 - {h}) "
                           "in terms of the activations, not sigmoid_prime of them",
            "transposed": f"multiplied the error signal by {Wname}.T on the way down: the shapes "
                          f"only fit because {Wname} is square here; going down takes {Wname} "
                          "itself"}
    wvar = [(Dv.T @ A_in, f"{nW} {msgs[k]}") for k, Dv in cands[1:]]
    if D.shape[1] == A_in.shape[1]:
        wvar.append(((D.T @ A_in).T, f"{nW} is transposed: it has the shape of its weight "
                                     "matrix, (n_out, n_in), one row per unit (the layer is "
                                     "square here, so numpy raised no error)"))
    bvar = [(Dv.sum(0), f"{nb} {msgs[k]}") for k, Dv in cands[1:]]
    b_right = matches(gb, eb)
    compare_array(nW, gW, eW, batch=m, weight=True, reference=ref, variants=wvar,
                  hint=(f"{nb} is right, so the error signal is right: the slip is in how {nW} "
                        "combines it with the layer's input" if b_right else
                        f"check the error signal of the {which} hidden layer") + note)
    compare_array(nb, gb, eb, batch=m, reference=ref, variants=bvar,
                  hint=f"check the error signal of the {which} hidden layer{note}")


def fd_gradients(params, y):
    ps = [np.array(p, dtype=float) for p in params]
    X = ps[0]
    f = lambda: loss_of_params(X, y, *ps[1:])  # noqa: E731
    return tuple(numerical_gradient(f, p) for p in ps[1:])


WORKED = make_case(505)


@public_check("forward3")
def check_forward(forward3):
    cases = [(WORKED[0], True), (make_case(506, m=4, n0=2, n1=3, n2=2, K=4)[0], False)]
    run_cases("forward3", forward3, cases, judge_forward, ("X", "V", "bV", "W", "bW", "U", "bU"),
              error_hint=forward_error_hint)
    return "H1, H2 and the softmax probabilities P"


def backward_cases():
    """The worked example, a net with n1 != n2 (a W.T slip raises), a square one (it does not),
    and one with m <= n1 + 1 and m <= n2 + 1 (upstream slips are recovered exactly)."""
    return [(WORKED, True), (make_case(507, m=6, n0=2, n1=3, n2=4, K=4), False),
            (make_case(508, m=5, n0=3, n1=3, n2=3, K=3), False),
            (make_case(509, m=3, n0=2, n1=4, n2=5, K=3), False)]


@public_check("backward3")
def _check_backward(backward3):
    cases = backward_cases()
    params_of = {id(args): params for (params, args), _ in cases}
    run_cases("backward3", backward3, [(args, shown) for (_, args), shown in cases],
              lambda args, value: judge_backward(args, value, fd=fd_gradients(params_of[id(args)], args[1])),
              ("X", "y", "H1", "H2", "P", "W", "U"), error_hint=backward_error_hint)
    return "all six gradients agree with finite differences"


check_backward = with_hint(_check_backward, "05", "backward3")


#: Explanations of exceptions, per graded function (also used by the grader's call groups).
ERROR_HINTS = {"forward3": forward_error_hint, "backward3": backward_error_hint}
