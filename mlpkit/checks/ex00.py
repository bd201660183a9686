"""Public checks of exercise 00: shapes and notation.

Graded functions (``exercises/00_setup_and_notation.ipynb``), in the course notation
(``W`` is ``(n_out, n_in)``, a batch has one example per row):

* ``layer_shapes(sizes, m)``: for the network ``sizes[0] -> ... -> sizes[-1]`` and a batch of
  ``m`` examples, the list ``[(W shape, b shape, Z shape), ...]``, one triple per layer:
  ``((n_l, n_{l-1}), (n_l,), (m, n_l))``;
* ``dense_batch(A_prev, W, b)``: ``Z = A_prev @ W.T + b``, shape ``(m, n_out)``;
* ``ng_to_course(X_ng, W_ng, b_ng)``: Andrew Ng's layout (examples as columns, ``X_ng``
  ``(n_in, m)``, ``W_ng`` ``(n_out, n_in)``, ``b_ng`` ``(n_out, 1)``) translated to the course's
  ``(X, W, b)`` = ``(X_ng.T, W_ng, b_ng[:, 0])``, so that ``W_ng @ X_ng + b_ng`` is the course's
  ``Z.T``.
"""
from __future__ import annotations

import numpy as np

from ..activations import sigmoid as _sig
from ..safecall import Unsupported
from .diagnose import Failed, compare_array, describe, public_check, unpack
from .rootcause import run_cases


# ---------------------------------------------------------------- references
def ref_layer_shapes(sizes, m):
    m = int(m)
    return [((int(n_out), int(n_in)), (int(n_out),), (m, int(n_out)))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def ref_dense(A_prev, W, b):
    return A_prev @ W.T + b


def ref_ng_to_course(X_ng, W_ng, b_ng):
    return X_ng.T, W_ng, b_ng[:, 0]


# ---------------------------------------------------------------- layer_shapes
def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _as_shape(label: str, v, expected: tuple) -> tuple:
    """``v`` as a tuple of ints, or a diagnosis of why it is not a shape."""
    if _is_int(v):
        return_like = f"({int(v)},)" if len(expected) == 1 else str(expected)
        raise Failed(f"{label} is the number {int(v)}, not a shape: a shape is a tuple such as "
                     f"{return_like} (a 1-tuple needs its comma: ({int(v)}) is just the number "
                     f"{int(v)})")
    if isinstance(v, np.ndarray):
        if v.ndim == 1 and v.dtype.kind in "iu":
            return tuple(int(x) for x in v)
        raise Failed(f"{label} is {describe(v)}: return the shape of the array (a tuple of "
                     f"ints such as {expected}), not an array")
    if isinstance(v, (list, tuple)):
        if all(_is_int(x) for x in v):
            return tuple(int(x) for x in v)
        if any(isinstance(x, (float, np.floating)) for x in v):
            raise Failed(f"{label} is {tuple(float(x) for x in v)}: the entries of a shape are "
                         "ints (use // or int(), not /)")
    if v is None:
        raise Failed(f"{label} is None: did you forget to return it?")
    what = repr(v)[:60] if isinstance(v, (list, tuple)) else describe(v)
    raise Failed(f"{label} is {what}: expected a shape, a tuple of ints such as {expected}")


def _mentions_input(entry, n0: int, m: int) -> bool:
    """Whether a returned triple looks like shapes of the input layer (n_out = sizes[0])."""
    if not isinstance(entry, (list, tuple)):
        return False
    for v in entry:
        t = tuple(v) if isinstance(v, (list, tuple)) else (v,) if _is_int(v) else ()
        if t in ((n0,), (n0, n0), (m, n0)) or (len(t) == 2 and t[0] == n0 and t != (n0, m)):
            return True
    return False


def _layers(got, sizes, m):
    """The returned list as ``[(W shape, b shape, Z shape), ...]`` tuples, or a diagnosis."""
    exp = ref_layer_shapes(sizes, m)
    L = len(exp)
    if got is None:
        raise Failed("layer_shapes returned None: did you forget to return the list?")
    if isinstance(got, Unsupported) or not isinstance(got, (list, tuple)):
        raise Failed(f"layer_shapes returned {describe(got)}: expected a list with one "
                     "(W shape, b shape, Z shape) triple per layer")
    if len(got) != L:
        sizes_txt = "[" + ", ".join(str(int(s)) for s in sizes) + "]"
        if (len(got) == 3 and L != 3 and all(isinstance(x, (list, tuple)) and len(x) == L
                                              for x in got)):
            raise Failed("layer_shapes returned three lists (all W shapes, all b shapes, all Z "
                         "shapes): return one (W shape, b shape, Z shape) triple per layer "
                         "(zip them)")
        layers = f"{L} layer{'s' if L != 1 else ''}"
        if len(got) == L + 1 and _mentions_input(got[0], int(sizes[0]), int(m)):
            raise Failed(f"layer_shapes returned {len(got)} entries, expected {L}: sizes = "
                         f"{sizes_txt} has {layers} with weights; the input a^(0) = x is not a "
                         "layer (it has no W, b or Z)")
        raise Failed(f"layer_shapes returned {len(got)} entries, expected {L}: one per layer, "
                     f"sizes = {sizes_txt} has {layers}")
    out = []
    for l, entry in enumerate(got, start=1):
        if not isinstance(entry, (list, tuple)) or len(entry) != 3:
            what = repr(entry)[:60] if isinstance(entry, (list, tuple)) else describe(entry)
            raise Failed(f"entry {l - 1} (layer {l}) is {what}: expected a triple "
                         "(W shape, b shape, Z shape)")
        out.append(tuple(entry))
    return exp, out


def _judge_W(l, got, exp, sizes, m):
    n_out, n_in = exp
    label = f"the W shape of layer {l}"
    s = _as_shape(label, got, exp)
    if s == exp:
        return
    if s == (n_in, n_out):
        raise Failed(f"{label} is {s}, expected {exp}: W is (n_out, n_in), row j holds the "
                     "weights into unit j (that is why Z = A_prev @ W.T)")
    if s == (n_out, n_in + 1):
        raise Failed(f"{label} is {s}, expected {exp}: in the course the bias is a separate "
                     "vector b, not an extra column of W")
    if s == (n_in,) or s == (n_out,):
        raise Failed(f"{label} is {s}, expected {exp}: W is a matrix (n_out, n_in), one weight "
                     "per pair (unit of this layer, unit of the previous one)")
    others = [(k + 1, e[0]) for k, e in enumerate(ref_layer_shapes(sizes, m)) if k + 1 != l]
    for k, e in others:
        if s in (e, e[::-1]):
            raise Failed(f"{label} is {s}, expected {exp}: that is the shape of layer {k}'s W; "
                         f"layer {l} maps sizes[{l - 1}] = {n_in} inputs to sizes[{l}] = {n_out} "
                         "units")
    raise Failed(f"{label} is {s}, expected {exp} = (n_out, n_in) = (sizes[{l}], sizes[{l - 1}])")


def _judge_b(l, got, exp, n_in, m):
    (n_out,) = exp
    label = f"the b shape of layer {l}"
    s = _as_shape(label, got, exp)
    if s == exp:
        return
    if s == (n_out, 1):
        raise Failed(f"{label} is {s}, expected {exp}: in code b is 1-D, one bias per unit, added "
                     "to every row of the batch; the column (n_out, 1) is the maths (and Ng's "
                     "layout), and in batch code it would broadcast along the wrong axis")
    if s == (1, n_out):
        raise Failed(f"{label} is {s}, expected {exp}: keep b 1-D, (n_out,)")
    if s == (m, n_out):
        raise Failed(f"{label} is {s}, expected {exp}: all the examples share the same bias: "
                     "one per unit, (n_out,)")
    if s == (n_in,):
        raise Failed(f"{label} is {s}, expected {exp}: one bias per unit of this layer "
                     f"(n_out = {n_out}), not per input")
    raise Failed(f"{label} is {s}, expected {exp}: one bias per unit, (n_out,)")


def _judge_Z(l, got, exp, n_in):
    m, n_out = exp
    label = f"the Z shape of layer {l}"
    s = _as_shape(label, got, exp)
    if s == exp:
        return
    if s == (n_out, m):
        raise Failed(f"{label} is {s}, expected {exp}: batches are rows, Z = A_prev @ W.T is "
                     "(m, n_out); (n_out, m) is Ng's layout, one example per column")
    if s == (n_out,) or s == (n_out, 1):
        raise Failed(f"{label} is {s}, expected {exp}: Z holds the whole batch, one row per "
                     f"example: (m, n_out) with m = {m}")
    if s == (m, n_in):
        raise Failed(f"{label} is {s}, expected {exp}: Z has one column per unit of this layer "
                     f"(n_out = {n_out}); n_in = {n_in} is the width of its input A_prev")
    raise Failed(f"{label} is {s}, expected {exp} = (m, n_out)")


def judge_layer_shapes(args, got, part="all"):
    """``part``: all, W, b or Z (the hidden checks grade the three separately)."""
    sizes, m = args
    exp, entries = _layers(got, sizes, m)
    for l, ((eW, eb, eZ), (gW, gb, gZ)) in enumerate(zip(exp, entries), start=1):
        n_in = int(sizes[l - 1])
        if part in ("all", "W"):
            _judge_W(l, gW, eW, sizes, m)
        if part in ("all", "b"):
            _judge_b(l, gb, eb, n_in, int(m))
        if part in ("all", "Z"):
            _judge_Z(l, gZ, eZ, n_in)


# ---------------------------------------------------------------- dense_batch
def dense_error_hint(args, error: str) -> str:
    """Explain the exception of a ``dense_batch`` (shapes that do not line up)."""
    A_prev, W, b = args
    m, n_in = A_prev.shape
    n_out = W.shape[0]
    if "matmul" in error or "not aligned" in error or "core dimension" in error:
        return (f"the shapes do not line up: A_prev is (m, n_in) = {A_prev.shape} and W is "
                f"(n_out, n_in) = {W.shape}, so use A_prev @ W.T: {A_prev.shape} @ {W.T.shape} "
                f"-> {(m, n_out)}")
    if "broadcast" in error and (f"({n_out},1)" in error or f"({n_out}, 1)" in error):
        return (f"b is (n_out,) = {b.shape} and is added to every row of A_prev @ W.T, shape "
                f"{(m, n_out)}: do not reshape b into a column (n_out, 1)")
    if "broadcast" in error:
        return (f"Z = A_prev @ W.T + b is a matrix product (@, not *) of {A_prev.shape} and "
                f"{W.T.shape}, then b {b.shape} added to every row")
    return ""


def judge_dense(args, got):
    A_prev, W, b = args
    exp = ref_dense(A_prev, W, b)
    m, n_out = exp.shape
    if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], np.ndarray):
        raise Failed("dense_batch returned a tuple: return Z alone (mlpkit.dense_forward also "
                     "returns a cache, this function does not)")
    if isinstance(got, np.ndarray) and got.ndim == 2 and got.shape == (n_out, m):
        if m != n_out:
            tail = (" (your values are Z.T: one example per column, Ng's layout)"
                    if np.allclose(got.T, exp) else "")
            raise Failed(f"Z has shape {got.shape}, expected {exp.shape}: batches are rows, use "
                         f"A_prev @ W.T{tail}")
        if not np.allclose(got, exp) and np.allclose(got.T, exp):
            raise Failed("Z is transposed (you returned Z.T, one example per column): batches "
                         "are rows, use A_prev @ W.T")
    variants = [(_sig(exp), "Z is the pre-activation: apply no activation function in "
                            "dense_batch (A = g(Z) comes after)")]
    if np.any(b != 0):
        variants.append((A_prev @ W.T, "Z misses the bias b: Z = A_prev @ W.T + b"))
        variants.append((A_prev @ W.T - b, "b was subtracted: Z = A_prev @ W.T + b"))
    if W.shape[0] == W.shape[1]:
        msg = ("used W instead of W.T: W is (n_out, n_in), so Z = A_prev @ W.T (with a square W "
               "the mistake raises no error, only gives wrong numbers)")
        variants.append((A_prev @ W + b, msg))
        if m == n_out:
            variants.append((A_prev @ W + b[:, None], msg))
    if m == n_out and n_out > 1:
        variants.append((A_prev @ W.T + b[:, None],
                         "b was added as a column (b[:, None] or b.reshape(-1, 1)): that adds "
                         "b_i to example i (row i); b is (n_out,), one bias per unit, added to "
                         "every row as it is (here m = n_out, so numpy raised no error)"))
    compare_array("Z", got, exp, variants=variants,
                  hint="Z = A_prev @ W.T + b, one row per example")


# ---------------------------------------------------------------- ng_to_course
def judge_ng(args, got, part="all"):
    """``part``: all, X, W or b."""
    X_ng, W_ng, b_ng = args
    eX, eW, eb = ref_ng_to_course(X_ng, W_ng, b_ng)
    X, W, b = unpack("ng_to_course", got, 3, "(X, W, b)")
    if part in ("all", "X"):
        if isinstance(X, np.ndarray) and X.shape == X_ng.shape and np.allclose(X, X_ng) \
                and not (X.shape == eX.shape and np.allclose(X, eX)):
            raise Failed(f"X is Ng's X unchanged, shape {X.shape} = (n_in, m): Ng stores one "
                         "example per column, the course one per row: X = X_ng.T, shape "
                         f"(m, n_in) = {eX.shape}")
        if isinstance(X, np.ndarray) and X.shape == eX.shape and X_ng.shape[0] != X_ng.shape[1] \
                and np.allclose(X, X_ng.reshape(eX.shape)) and not np.allclose(X, eX):
            raise Failed(f"X is X_ng reshaped to {eX.shape}, not transposed: reshape keeps the "
                         "order of the numbers in memory and mixes the examples; use X_ng.T")
        compare_array("X", X, eX, hint="X = X_ng.T, one example per row")
    if part in ("all", "W"):
        if isinstance(W, np.ndarray) and W.shape == W_ng.T.shape and np.allclose(W, W_ng.T) \
                and not (W.shape == eW.shape and np.allclose(W, eW)):
            raise Failed(f"W was transposed (shape {W.shape}): Ng's W^[l] is (n^[l], n^[l-1]) = "
                         f"(n_out, n_in) = {W_ng.shape}, the same as the course's W; only the "
                         "data X and the bias b change layout")
        compare_array("W", W, eW, weight=True, hint="W = W_ng, unchanged")
    if part in ("all", "b"):
        if isinstance(b, np.ndarray) and b.shape != eb.shape and b.size == eb.size:
            if b.shape == b_ng.shape:
                raise Failed(f"b has shape {b.shape}, expected {eb.shape}: the course's b is "
                             "1-D, one bias per unit (b_ng[:, 0] or b_ng.ravel()); a column "
                             "(n_out, 1) broadcasts along the wrong axis in A_prev @ W.T + b")
            raise Failed(f"b has shape {b.shape}, expected {eb.shape}: make it 1-D "
                         "(b_ng[:, 0] or b_ng.ravel())")
        compare_array("b", b, eb, hint="b = b_ng[:, 0]")


# ---------------------------------------------------------------- public cases
def _rng_case(seed, m, n_in, n_out):
    rng = np.random.default_rng(seed)
    return (np.round(rng.normal(size=(m, n_in)), 2), np.round(rng.normal(size=(n_out, n_in)), 2),
            np.round(rng.normal(size=n_out), 2))


def shapes_cases():
    return [(([3, 4, 2], 5), True), (([784, 128, 64, 10], 32), False), (([2, 1], 7), False)]


def dense_cases():
    # the worked example (m, n_in, n_out) = (5, 3, 4); then a square layer (m = n_in = n_out = 4)
    # where W instead of W.T and b as a column raise no error; then a single output unit
    return [(_rng_case(0, 5, 3, 4), True), (_rng_case(1, 4, 4, 4), True),
            (_rng_case(2, 6, 2, 1), False)]


def ng_cases():
    out = []
    for seed, (m, n_in, n_out), shown in [(3, (5, 3, 4), True), (4, (3, 3, 3), False),
                                          (5, (2, 4, 1), False)]:
        X, W, b = _rng_case(seed, m, n_in, n_out)
        out.append(((X.T.copy(), W, b.reshape(-1, 1)), shown))
    return out


@public_check("layer_shapes")
def check_layer_shapes(layer_shapes):
    run_cases("layer_shapes", layer_shapes, shapes_cases(), judge_layer_shapes, ("sizes", "m"))
    return "W (n_out, n_in), b (n_out,), Z (m, n_out) for every layer"


@public_check("dense_batch")
def check_dense_batch(dense_batch):
    run_cases("dense_batch", dense_batch, dense_cases(), judge_dense, ("A_prev", "W", "b"),
              error_hint=dense_error_hint)
    return "Z = A_prev @ W.T + b, one row per example"


@public_check("ng_to_course")
def check_ng_to_course(ng_to_course):
    run_cases("ng_to_course", ng_to_course, ng_cases(), judge_ng, ("X_ng", "W_ng", "b_ng"))
    return "X = X_ng.T, W = W_ng, b = b_ng[:, 0]"
