"""Root-cause feedback for the public checks (and the grader, which reuses the judges).

Three ideas, cs231n style:

* **one step at a time**: a chain of computations (a backward pass) is judged step by
  step, each step against the reference *given the student's own upstream value*
  (:func:`infer_upstream` recovers it from what the student returned), so a slip is
  reported, and costs points, where it happens and not again in everything downstream;
* **exceptions explained with shapes**: :func:`shape_hint` turns a numpy shape error into
  a sentence naming the arrays of the call (and the intermediate quantities) with those
  shapes or sizes;
* **no false accusation**: :func:`run_cases` says "hard-coded" only when the function
  returned the same value for two inputs whose answers differ (it ignores its inputs).

It also adds the pointer to the progressive hints (:func:`with_hint`).
"""
from __future__ import annotations

import functools
import re

import numpy as np

from ..safecall import call
from ..hints import has_hint, hint_call
from .diagnose import Failed, diagnose_call

__all__ = ["run_cases", "shape_hint", "infer_upstream", "matches", "with_hint", "same_value"]


# ------------------------------------------------------------------ no false accusations
def same_value(a, b) -> bool:
    """Whether two returned values are identical (numbers and arrays compared exactly)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    try:
        xa, xb = np.asarray(a), np.asarray(b)
        if xa.dtype == object or xb.dtype == object:
            return False
        return xa.shape == xb.shape and bool(np.array_equal(xa, xb, equal_nan=xa.dtype.kind == "f"
                                                            and xb.dtype.kind == "f"))
    except Exception:
        return False


def run_cases(fname: str, fn, cases, judge, arg_names=(), error_hint=None):
    """Call ``fn`` on each ``(args, shown)`` case and ``judge(args, value)``.

    The first failure is reported with its own diagnosis. It is called hard-coding only
    when ``fn`` returned exactly the value it returned for a case that passed: the same
    answer for two inputs whose answers differ means the function ignores its inputs.
    """
    passed_values = []
    for args, shown in cases:
        res = call(fn, args)
        try:
            hint = None if error_hint is None else functools.partial(error_hint, args)
            diagnose_call(fname, res, arg_names, hint)
            judge(args, res["value"])
        except Failed as exc:
            if res.get("status") == "ok" and any(same_value(res["value"], v)
                                                 for v in passed_values):
                raise Failed(f"{fname} returned the same value for two different inputs whose "
                             "answers differ: it ignores its inputs (are the answers "
                             "hard-coded?)")
            raise
        passed_values.append(res["value"])
    return None


# ------------------------------------------------------------------ shape errors
_SHAPE = re.compile(r"\((\d+(?:\s*,\s*\d+)*)\s*,?\s*\)")
_SIZES = re.compile(r"size (\d+) is different from (\d+)")
_ALIGNED = re.compile(r"(\d+) \(dim \d+\) != (\d+) \(dim \d+\)")


def _fmt_shape(s) -> str:
    return "(" + ", ".join(str(int(v)) for v in s) + ("," if len(s) == 1 else "") + ")"


def shape_hint(error: str, shapes: dict, dims: dict, advice: str = "") -> str:
    """A sentence naming the arrays whose shapes (or sizes) appear in a numpy shape error.

    ``shapes``: name -> shape of every array of the call and of the intermediate
    quantities (e.g. ``{"X": (6, 2), "delta2 = dJ/dZ2": (6, 4)}``); ``dims``: symbol -> size
    (e.g. ``{"m": 6, "n1": 3}``). Returns ``""`` when the error is not about shapes.
    """
    if not any(k in error for k in ("broadcast", "matmul", "not aligned", "core dimension",
                                    "shape", "size")):
        return ""
    parts = []
    seen = set()
    for grp in _SHAPE.findall(error):
        s = tuple(int(v) for v in grp.split(","))
        if s in seen or len(s) > 4:
            continue
        seen.add(s)
        names = [n for n, sh in shapes.items() if tuple(sh) == s]
        if names:
            parts.append(f"{_fmt_shape(s)} is the shape of {' and '.join(names)}")
    sizes = _SIZES.findall(error) or _ALIGNED.findall(error)
    for a, b in sizes[:1]:
        named = []
        for v in (int(a), int(b)):
            syms = [k for k, d in dims.items() if d == v]
            named.append(f"{v} = {' = '.join(syms)}" if syms else str(v))
        parts.append(f"the sizes that do not match are {named[0]} and {named[1]}")
    if not parts and not advice:
        return ""
    listing = ", ".join(f"{n} {_fmt_shape(s)}" for n, s in shapes.items())
    text = "; ".join(parts)
    return ((text + "; " if text else "") + f"in this call {listing}"
            + (f". {advice}" if advice else ""))


# ------------------------------------------------------------------ upstream values
def matches(got, expected, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Whether a returned value equals ``expected`` (same shape, close values)."""
    try:
        a = np.asarray(got, dtype=np.float64)
    except Exception:
        return False
    e = np.asarray(expected, dtype=np.float64)
    return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=atol))


def infer_upstream(candidates, dW, db, A_in):
    """The student's error signal ``D`` of a dense layer, from its returned ``(dW, db)``.

    ``candidates`` is a list of ``(name, D)`` (the reference first, then the known slips);
    the first ``D`` that explains ``dW = D^T A_in`` or ``db = sum_i D[i]`` is returned as
    ``(name, D)``. When none does and ``D`` is determined by ``(dW, db)`` (``m <= n_in + 1``
    and full rank), it is recovered by least squares. ``None`` if nothing explains them.
    """
    for name, D in candidates:
        if matches(dW, D.T @ A_in) or matches(db, D.sum(axis=0)):
            return name, D
    try:
        dW = np.asarray(dW, dtype=np.float64)
        db = np.asarray(db, dtype=np.float64)
        m, n_in = A_in.shape
        D0 = candidates[0][1]
        if dW.shape != (D0.shape[1], n_in) or db.shape != (D0.shape[1],) or m > n_in + 1:
            return None
        M = np.vstack([A_in.T, np.ones((1, m))])  # (n_in + 1, m)
        if np.linalg.matrix_rank(M) < m:
            return None
        rhs = np.vstack([dW.T, db[None, :]])  # (n_in + 1, n_out)
        D, *_ = np.linalg.lstsq(M, rhs, rcond=None)
        if np.allclose(M @ D, rhs, rtol=1e-6, atol=1e-9):
            return "recovered", D
    except Exception:
        return None
    return None


# ------------------------------------------------------------------ hints
def with_hint(check, exercise: str, name: str):
    """``check`` (a public check) that also says, when it does not pass, which hint exists."""
    if not has_hint(exercise, name):
        raise ValueError(f"no hint {exercise}/{name}")
    call_text = hint_call(exercise, name)

    @functools.wraps(check)
    def printing(fn) -> None:
        result = check.run(fn)
        line = result.line()
        if not result.passed:
            line += (f"\n  stuck? {call_text} (after `from mlpkit.hints import hint`) shows a "
                     "hint; call it again for the next level")
        print(line)

    printing.run = check.run
    printing.hint = call_text
    return printing
