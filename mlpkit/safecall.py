"""Calling a function safely and serialising what came back: the bottom of the checks and grader.

Used in two places, which is why it sits below both ``mlpkit.checks`` and
``mlpkit.grader`` and imports nothing but the standard library and numpy:

* in-process, by the public checks (``mlpkit.checks``) and by the grader's
  tests, through :func:`call`;
* inside the student's kernel during grading: the grader sends this file's
  *source* into the kernel (so patching ``mlpkit`` inside the notebook cannot
  change it), where :func:`run_group` calls the graded functions on the
  grader's inputs and publishes what they returned as one kernel message
  (``display_data`` of type :data:`RESULT_MIME`), encoded with :func:`encode`.

The grader decodes that message with :func:`decode`, which rebuilds plain
numbers, lists, tuples, dicts with string keys and numeric ndarrays only (never
an object array, never a pickle): whatever the kernel sent, decoding it cannot
run code. Every comparison with expected values happens in the grader's process.
"""
from __future__ import annotations

import base64
import json
import math
import warnings

import numpy as np

NUMERIC_KINDS = "biuf"
MAX_ARRAY_BYTES = 64 * 2**20
MAX_DEPTH = 6
ERROR_CHARS = 300
EXIT_ERROR = ("SystemExit: it calls sys.exit(), exit() or quit(), which stops the program; a "
              "function must return its result instead")
INPUT_ERROR = ("StdinNotImplementedError: it calls input(); a graded function cannot ask for input "
               "(nobody is there to type it): take the value as an argument")


class Unsupported:
    """A returned value of a kind the grader does not transport (its type name only)."""

    def __init__(self, what: str):
        self.what = str(what)[:200]

    def __repr__(self) -> str:
        return f"<{self.what}>"

    def __eq__(self, other) -> bool:
        return isinstance(other, Unsupported) and other.what == self.what


# ---------------------------------------------------------------- encoding
def encode(obj, depth: int = 0):
    """``obj`` as JSON-compatible data (see :func:`decode` for the inverse)."""
    if depth > MAX_DEPTH:
        return {"__unsupported__": "a structure nested too deeply"}
    if obj is None or isinstance(obj, (bool, str)):
        return obj if not isinstance(obj, str) else {"__str__": obj[:1000]}
    if isinstance(obj, int):
        return obj if abs(obj) < 2**62 else float(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if isinstance(obj, (np.ndarray, np.generic)):
        arr = np.asarray(obj)
        if arr.dtype.kind not in NUMERIC_KINDS:
            return {"__unsupported__": f"a numpy array of dtype {arr.dtype}"}
        if arr.nbytes > MAX_ARRAY_BYTES:
            return {"__unsupported__": f"an array of {arr.nbytes} bytes (too large)"}
        arr = np.ascontiguousarray(arr)
        return {"__nd__": 1, "scalar": isinstance(obj, np.generic), "dtype": arr.dtype.str,
                "shape": list(arr.shape), "data": base64.b64encode(arr.tobytes()).decode("ascii")}
    if isinstance(obj, (list, tuple)):
        if len(obj) > 10000:
            return {"__unsupported__": f"a {type(obj).__name__} of {len(obj)} items (too long)"}
        return {"__seq__": "tuple" if isinstance(obj, tuple) else "list",
                "items": [encode(x, depth + 1) for x in obj]}
    if isinstance(obj, dict) and all(isinstance(k, str) for k in obj) and len(obj) <= 1000:
        return {"__dict__": {k: encode(v, depth + 1) for k, v in obj.items()}}
    return {"__unsupported__": f"an object of type {type(obj).__name__}"}


def _decode_array(d):
    dt = np.dtype(str(d["dtype"]))
    if dt.kind not in NUMERIC_KINDS or dt.hasobject:
        raise ValueError(f"refusing dtype {dt}")
    shape = tuple(int(s) for s in d["shape"])
    if any(s < 0 for s in shape):
        raise ValueError("negative dimension")
    raw = base64.b64decode(str(d["data"]), validate=True)
    n = int(np.prod(shape, dtype=np.int64))
    if len(raw) != n * dt.itemsize:
        raise ValueError("array payload has the wrong length")
    arr = np.frombuffer(raw, dtype=dt).reshape(shape).copy()
    return arr[()] if d.get("scalar") else arr


def decode(data, depth: int = 0):
    """Inverse of :func:`encode`; raises ``ValueError`` on anything unexpected."""
    if depth > MAX_DEPTH + 2:
        raise ValueError("nested too deeply")
    if data is None or isinstance(data, (bool, int, float)):
        return data
    if isinstance(data, dict):
        if "__nd__" in data:
            return _decode_array(data)
        if "__seq__" in data:
            items = [decode(x, depth + 1) for x in data["items"]]
            return tuple(items) if data["__seq__"] == "tuple" else items
        if "__dict__" in data:
            return {str(k): decode(v, depth + 1) for k, v in data["__dict__"].items()}
        if "__float__" in data:
            return float(str(data["__float__"]))
        if "__str__" in data:
            return str(data["__str__"])
        if "__unsupported__" in data:
            return Unsupported(data["__unsupported__"])
    raise ValueError(f"unexpected element of type {type(data).__name__}")


# ---------------------------------------------------------------- calling
def _snapshot(x):
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, (list, tuple)):
        return type(x)(_snapshot(v) for v in x) if isinstance(x, tuple) else [_snapshot(v) for v in x]
    return x


def _fresh(x):
    """A private copy of an input, so one call cannot change the next call's inputs."""
    return _snapshot(x)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except Exception:
        return False


def changed_inputs(before, after) -> list:
    """Positions of the arguments whose value differs between ``before`` and ``after``."""
    return [i for i, (a, b) in enumerate(zip(after, before)) if not _same(a, b)]


def call(fn, args, kwargs=None) -> dict:
    """Call ``fn(*args, **kwargs)`` on private copies of the inputs.

    Returns ``{"status": "ok" | "not-implemented" | "error" | "missing",
    "value": ..., "error": "TypeError: ...", "mutated": [argument positions changed in place],
    "after": the arguments as the call left them}``.
    Warnings are silenced: a grade never depends on them.
    """
    kwargs = dict(kwargs or {})
    if fn is None or not callable(fn):
        return {"status": "missing", "value": None, "error": "", "mutated": [], "after": list(args)}
    args = [_fresh(a) for a in args]
    before = [_snapshot(a) for a in args]
    out = {"status": "ok", "value": None, "error": "", "mutated": []}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                out["value"] = fn(*args, **kwargs)
    except NotImplementedError as exc:
        if type(exc).__name__ == "StdinNotImplementedError":  # input() where no one can answer
            out["status"], out["error"] = "error", INPUT_ERROR
        else:
            out["status"] = "not-implemented"
    except SystemExit:
        out["status"], out["error"] = "error", EXIT_ERROR
    except RecursionError:
        out["status"], out["error"] = "error", "RecursionError: maximum recursion depth exceeded"
    except Exception as exc:  # the student's bug, reported to the student
        out["status"] = "error"
        out["error"] = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
    out["mutated"] = changed_inputs(before, args)
    out["after"] = args
    return out


def _resolve(target: str):
    """``("module:Class.attr")`` -> (owner object, attribute name), or None."""
    import importlib

    try:
        module, path = target.split(":")
        owner = importlib.import_module(module)
        *parents, attr = path.split(".")
        for p in parents:
            owner = getattr(owner, p)
        getattr(owner, attr)
        return owner, attr
    except Exception:
        return None


def call_spied(fn, args, targets=()) -> dict:
    """:func:`call`, with every callable of ``targets`` (``"module:Class.attr"``) replaced
    during the call by a wrapper that records its use; the result gets ``"forbidden"``, the
    targets that were called. (A reference saved before the call escapes the spy.)"""
    used, saved = [], []
    for t in targets:
        found = _resolve(t)
        if found is None:
            continue
        owner, attr = found
        orig = owner.__dict__.get(attr, getattr(owner, attr))

        def spy(*a, _t=t, _orig=getattr(owner, attr), **k):
            if _t not in used:
                used.append(_t)
            return _orig(*a, **k)

        saved.append((owner, attr, orig))
        setattr(owner, attr, spy)
    try:
        out = call(fn, args)
    finally:
        for owner, attr, orig in reversed(saved):
            setattr(owner, attr, orig)
    out["forbidden"] = list(used)
    return out


def encode_call(result: dict, with_inputs: bool = False) -> dict:
    """A :func:`call` result as JSON-compatible data; ``with_inputs``: also the arguments as the
    call left them (so the grader, not the kernel, tells whether they were changed)."""
    out = {"status": str(result["status"]), "value": encode(result["value"]),
           "error": str(result["error"])[:ERROR_CHARS],
           "mutated": [int(i) for i in result["mutated"]],
           "forbidden": [str(t)[:200] for t in result.get("forbidden", [])][:8]}
    if with_inputs:
        out["after"] = encode(list(result["after"]))
    return out


def decode_call(data) -> dict:
    """Inverse of :func:`encode_call`, strict (``"after"`` is ``None`` when not sent)."""
    if not isinstance(data, dict):
        raise ValueError("a call result must be an object")
    status = data.get("status")
    if status not in ("ok", "not-implemented", "error", "missing"):
        raise ValueError(f"unknown call status {status!r}")
    mutated = data.get("mutated", [])
    if not (isinstance(mutated, list) and all(isinstance(i, int) for i in mutated)):
        raise ValueError("bad 'mutated' field")
    forbidden = data.get("forbidden", [])
    if not (isinstance(forbidden, list) and all(isinstance(t, str) for t in forbidden)):
        raise ValueError("bad 'forbidden' field")
    after = decode(data["after"]) if "after" in data else None
    if after is not None and not isinstance(after, list):
        raise ValueError("bad 'after' field")
    return {"status": status, "value": decode(data.get("value")),
            "error": str(data.get("error", ""))[:ERROR_CHARS], "mutated": mutated,
            "forbidden": forbidden[:8], "after": after}


# ---------------------------------------------------------------- in the kernel
#: The MIME type of the one ``display_data`` message that carries a call group's results.
RESULT_MIME = "text/x-mlpkit-call-results"


def run_group(holder, user_ns, names, function, cases_text, forbid=()) -> None:
    """Inside the student's kernel: call ``function`` on every case of ``cases_text``.

    ``holder.record`` maps each graded name to the last callable bound to it at the end
    of any cell (see ``mlpkit.grader.grade``); the graded names are re-bound to
    those functions first, so a name reused later for something else (a result,
    a plot) does not break the functions that call it; names the last cells removed
    (``%reset``) are put back from ``holder.namespace``. Publishes the results once,
    at the end, as a ``display_data`` message; no message means "did not finish".
    """
    from IPython.core.interactiveshell import InteractiveShell

    record = getattr(holder, "record", None)
    record = record if isinstance(record, dict) else {}
    saved = getattr(holder, "namespace", None)
    for k, v in (saved.items() if isinstance(saved, dict) else ()):
        user_ns.setdefault(k, v)
    for n in names:
        if n in record:
            user_ns[n] = record[n]
    fn = record.get(function)
    if fn is None:
        cand = user_ns.get(function)
        fn = cand if callable(cand) and not isinstance(cand, type) else None
    cases = decode(json.loads(cases_text))
    results = [encode_call(call_spied(fn, list(args), forbid), with_inputs=True)
               for args in cases]
    text = json.dumps({"function": function, "results": results})
    InteractiveShell.instance().display_pub.publish(data={RESULT_MIME: text}, metadata={})
