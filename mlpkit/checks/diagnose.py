"""Shared machinery of the public checks: calling safely, comparing, diagnosing.

Every check function ``check_xxx(fn)`` of ``mlpkit.checks.exNN``:

* calls the student's ``fn`` on fixed cases (the worked example shown in the
  notebook) and on one extra seeded input, each time on private copies of the
  inputs, with warnings silenced;
* prints one line: ``xxx: passed (...)``, ``xxx: not attempted yet`` or
  ``xxx: FAILED: <diagnosis>``, where the diagnosis names the likely mistake;
* never raises, so the exercise notebook always runs to the end;
* returns ``None`` (so nothing else is displayed); ``check_xxx.run(fn)``
  returns the :class:`CheckResult` without printing (used by the tests).

The diagnosis helpers (:func:`diagnose_call`, :func:`compare_array`, ...) are
pure functions of the inputs and what ``fn`` returned; the grader reuses them
on the values a submission returned in its own kernel, so a student sees the
same messages in the notebook and in the feedback file.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..safecall import Unsupported

__all__ = ["CheckResult", "NOT_ATTEMPTED", "public_check", "diagnose_call", "compare_array",
           "compare_scalar", "fmt", "where"]

#: The message of a check whose function still raises ``NotImplementedError``.
NOT_ATTEMPTED = "not attempted yet"


@dataclass
class CheckResult:
    """Outcome of one check: ``passed``, the ``message`` printed, ``not_attempted``."""

    name: str
    passed: bool
    message: str
    not_attempted: bool = False

    def __bool__(self) -> bool:
        return self.passed

    def line(self) -> str:
        if self.passed:
            return f"{self.name}: passed ({self.message})" if self.message else f"{self.name}: passed"
        if self.not_attempted:
            return f"{self.name}: {NOT_ATTEMPTED}"
        return f"{self.name}: FAILED: {self.message}"


class NotAttempted(Exception):
    """Raised inside a check body when the student's function is still a stub."""


class Failed(Exception):
    """Raised inside a check body with the diagnosis as its message."""


def fmt(x) -> str:
    """A short, stable rendering of a number or small array for messages."""
    if isinstance(x, Unsupported):
        return repr(x)
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return "nan" if x != x else f"{x:.6g}"
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return fmt(x[()])
        if x.size <= 8:
            with np.printoptions(precision=4, suppress=True):
                return np.array2string(x, separator=", ").replace("\n", "")
        return f"an array of shape {x.shape}"
    if isinstance(x, (list, tuple)) and len(x) <= 8:
        return "(" + ", ".join(fmt(v) for v in x) + ("," if len(x) == 1 else "") + ")" \
            if isinstance(x, tuple) else "[" + ", ".join(fmt(v) for v in x) + "]"
    return type(x).__name__


def where(label: str, idx) -> str:
    idx = tuple(int(i) for i in np.atleast_1d(idx)) if not isinstance(idx, tuple) else idx
    return f"{label}[{', '.join(str(i) for i in idx)}]" if idx else label


def describe(x) -> str:
    if x is None:
        return "None"
    if isinstance(x, Unsupported):
        return x.what
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"a {type(x).__name__}"


def diagnose_call(fname: str, result: dict, arg_names=(), error_hint=None) -> None:
    """Raise :class:`NotAttempted` or :class:`Failed` for a call that did not return normally.

    ``error_hint(error_text) -> str``, if given, explains an exception (e.g. which shapes
    did not line up); its text is appended to the "raised ..." diagnosis.
    """
    status = result["status"]
    if status == "not-implemented":
        raise NotAttempted()
    if status == "missing":
        raise Failed(f"no function named {fname} was found")
    if status == "error":
        hint = ""
        if error_hint is not None:
            try:
                hint = error_hint(str(result["error"])) or ""
            except Exception:  # a hint must never turn a diagnosis into a crash
                hint = ""
        raise Failed(f"{fname} raised {result['error']}" if not hint
                     else f"{fname} raised {str(result['error']).rstrip()} ({hint})")
    if result["mutated"]:
        i = result["mutated"][0]
        name = arg_names[i] if i < len(arg_names) else f"argument {i + 1}"
        raise Failed(f"{fname} changed its input {name} in place: the caller's array must not "
                     f"change; work on a copy (write {name} = {name} + ..., not {name} += ...)")


def _as_array(label: str, got, expected: np.ndarray):
    if got is None:
        raise Failed(f"{label} is None: did you forget to return it?")
    if isinstance(got, Unsupported):
        raise Failed(f"{label} is {got.what}: expected a numpy array of shape {expected.shape}")
    if isinstance(got, (list, tuple)) and any(isinstance(v, (list, tuple, np.ndarray)) for v in got) \
            and expected.ndim < 2:
        raise Failed(f"{label} is a {type(got).__name__} of arrays: expected one array of shape "
                     f"{expected.shape}")
    try:
        arr = np.asarray(got)
    except Exception:
        raise Failed(f"{label} is {describe(got)}: expected a numpy array of shape {expected.shape}")
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise Failed(f"{label} is {describe(got)}: expected a numeric array of shape {expected.shape}")
    return arr


def compare_array(label: str, got, expected, *, rtol: float = 1e-6, atol: float = 1e-8,
                  batch: int | None = None, weight: bool = False, variants=(), hint: str = "",
                  reference: str = "the expected value", integer: bool = False,
                  nan_hint: str = "") -> None:
    """Raise :class:`Failed` with a specific diagnosis unless ``got`` matches ``expected``.

    ``variants`` is a list of ``(wrong_value, message)`` for known mistakes;
    ``batch`` enables the 1/m diagnoses; ``weight`` the W-is-(n_out, n_in) one;
    ``hint`` is appended to generic "wrong values" messages; ``integer`` asks
    for exact equality (labels).
    """
    expected = np.asarray(expected)
    arr = _as_array(label, got, expected)
    suffix = f": {hint}" if hint else ""
    if arr.shape != expected.shape:
        if arr.ndim == 2 and arr.shape == expected.shape[::-1]:
            ok = np.allclose(arr.T, expected, rtol=rtol, atol=atol)
            if weight:
                raise Failed(f"{label} has shape {arr.shape}, expected {expected.shape}: W is "
                             f"(n_out, n_in)" + ("" if ok else " (and the values differ too)"))
            raise Failed(f"{label} has shape {arr.shape}, expected {expected.shape}"
                         + (": it is transposed" if ok else ""))
        if arr.size == expected.size and arr.size > 0:
            same = np.allclose(arr.reshape(expected.shape), expected, rtol=rtol, atol=atol)
            raise Failed(f"{label} has shape {arr.shape}, expected {expected.shape}"
                         + (": the values are right, only the shape is not (reshape or drop the "
                            "extra axis)" if same else ""))
        if arr.ndim == expected.ndim + 1 and batch and arr.shape[0] == batch \
                and arr.shape[1:] == expected.shape:
            raise Failed(f"{label} has shape {arr.shape}, expected {expected.shape}: sum (or "
                         "average) over the batch axis 0")
        raise Failed(f"{label} has shape {arr.shape}, expected {expected.shape}")
    if integer:
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise Failed(f"{label} contains nan or inf")
        bad = np.argwhere(arr != expected)
        for v, msg in variants:
            if np.array_equal(arr, np.asarray(v)):
                raise Failed(msg)
        if bad.size:
            i = tuple(bad[0])
            raise Failed(f"{where(label, i)} should be {fmt(expected[i])}, got {fmt(arr[i])}{suffix}")
        return
    if arr.dtype.kind in "biu" and expected.dtype.kind == "f":
        if not np.allclose(arr, expected, rtol=rtol, atol=atol):
            raise Failed(f"{label} has integer dtype {arr.dtype}: expected floats (did an integer "
                         "array get updated in place, or did you round?)")
    a = arr.astype(np.float64)
    e = expected.astype(np.float64)
    finite_e = np.isfinite(e)
    if not np.all(np.isfinite(a)[finite_e]):
        i = tuple(np.argwhere(~np.isfinite(a) & finite_e)[0])
        raise Failed(f"{where(label, i)} is {fmt(a[i])}, expected {fmt(e[i])}"
                     + (f": {nan_hint}" if nan_hint else ": look for an overflow or a division by 0"))
    if np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
        return
    for v, msg in variants:
        v = np.asarray(v, dtype=np.float64)
        if v.shape == a.shape and np.allclose(a, v, rtol=max(rtol, 1e-6), atol=atol):
            raise Failed(msg)
    ee = float(np.sum(e * e))
    if ee > 0 and a.size > 1 or (a.size == 1 and ee > 0):
        r = float(np.sum(a * e) / ee)
        if np.allclose(a, r * e, rtol=1e-6, atol=atol * 10) and abs(r - 1) > 1e-6:
            if batch and batch > 1 and np.isclose(r, 1.0 / batch):
                raise Failed(f"{label} is off by a factor of {batch} = batch size (too small): did "
                             "you average over the batch twice?")
            if batch and batch > 1 and np.isclose(r, batch):
                raise Failed(f"{label} is {batch} times too large ({batch} = batch size): the loss "
                             "is a mean over the batch, so the gradient needs the 1/m")
            if np.isclose(r, -1.0):
                raise Failed(f"{label} has the wrong sign{suffix or ': check the order of a - y'}")
            if abs(r) > 1e-12:
                raise Failed(f"{label} is off by a constant factor {r:.4g}{suffix}")
    bad = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    idx = [tuple(int(j) for j in i) for i in np.argwhere(bad)]
    if 0 < len(idx) <= 3 and len(idx) < a.size:
        parts = ", ".join(where(label, i) for i in idx)
        i = idx[0]
        raise Failed(f"{label} differs from {reference} in {parts} only (at {where(label, i)}: got "
                     f"{fmt(a[i])}, expected {fmt(e[i])}){suffix}")
    i = idx[0] if idx else ()
    raise Failed(f"{label} is wrong: {where(label, i)} = {fmt(a[i])}, expected {fmt(e[i])}"
                 f" ({len(idx)} of {a.size} entries differ){suffix}")


def compare_scalar(label: str, got, expected: float, *, rtol: float = 1e-6, atol: float = 1e-9,
                   batch: int | None = None, variants=(), hint: str = "") -> None:
    """Like :func:`compare_array` for a number (a float, a 0-d array or a size-1 array)."""
    if got is None:
        raise Failed(f"{label} is None: did you forget to return it?")
    if isinstance(got, Unsupported):
        raise Failed(f"{label} is {got.what}: expected a number")
    try:
        arr = np.asarray(got, dtype=np.float64)
    except Exception:
        raise Failed(f"{label} is {describe(got)}: expected a number")
    if arr.size != 1:
        raise Failed(f"{label} has shape {arr.shape}: expected a single number (sum or average "
                     "over the batch?)")
    g = float(arr.reshape(()))
    if g != g:
        raise Failed(f"{label} is nan, expected {fmt(expected)}: look for log(0) or an overflow")
    if np.isclose(g, expected, rtol=rtol, atol=atol):
        return
    for v, msg in variants:
        if np.isclose(g, v, rtol=1e-6, atol=atol):
            raise Failed(msg)
    if expected != 0:
        r = g / expected
        if batch and batch > 1 and np.isclose(r, batch, rtol=1e-6):
            raise Failed(f"{label} is {batch} times too large ({batch} = batch size): it should be "
                         "the mean over the batch, not the sum (the 1/m is missing)")
        if batch and batch > 1 and np.isclose(r, 1 / batch, rtol=1e-6):
            raise Failed(f"{label} is off by a factor of {batch} = batch size (too small): did you "
                         "average over the batch twice?")
        if np.isclose(r, -1.0):
            raise Failed(f"{label} has the wrong sign: got {fmt(g)}, expected {fmt(expected)}"
                         f"{': ' + hint if hint else ''}")
    raise Failed(f"{label} should be {fmt(expected)}, got {fmt(g)}{': ' + hint if hint else ''}")


def unpack(label: str, got, n: int, names: str):
    """``got`` as a tuple of ``n`` items, or a diagnosis."""
    if isinstance(got, (list, tuple)) and len(got) == n:
        return tuple(got)
    if isinstance(got, (list, tuple)):
        raise Failed(f"{label} returned {len(got)} values, expected {n}: {names}")
    raise Failed(f"{label} returned {describe(got)}, expected a tuple of {n} values: {names}")


def public_check(name: str):
    """Decorator turning ``body(fn) -> str | None`` into a printing, never-raising check.

    ``body`` raises :class:`NotAttempted` / :class:`Failed` (usually through the
    helpers above) or returns a short pass note.
    """

    def deco(body):
        def run(fn) -> CheckResult:
            try:
                note = body(fn)
            except NotAttempted:
                return CheckResult(name, False, NOT_ATTEMPTED, not_attempted=True)
            except Failed as exc:
                return CheckResult(name, False, str(exc))
            except Exception as exc:  # a value so odd that the check itself tripped on it
                return CheckResult(name, False, f"could not check the returned value "
                                                f"({type(exc).__name__}: {exc})")
            return CheckResult(name, True, note or "")

        @functools.wraps(body)
        def printing(fn) -> None:
            print(run(fn).line())

        printing.run = run
        return printing

    return deco
