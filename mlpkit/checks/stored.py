"""Public checks that compare with stored expected values (the student release).

In the instructor's copy a public check computes the expected values with reference code
(``mlpkit.checks.exNN``): that code *is* the solution of the derived quantities. The student
release (``mlpkit release``) replaces those checks by :func:`stored_check`, which judges the
student's function on the same fixed public inputs against values recorded at release time
(:func:`record`): the expected value of every compared quantity, the known wrong values with
their diagnoses, and the comparison settings. Nothing in the release computes a graded
quantity. The generic diagnoses (shapes, transposes, a sign, a factor of the batch size, one
wrong entry, exceptions explained with the shapes of the call) still work; a diagnosis that
needs the reference applied to the student's own values (the root cause of a backward pass)
is given by the grader only.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..safecall import call, decode, encode
from .diagnose import Failed, compare_array, compare_scalar, public_check, unpack
from .rootcause import run_cases, shape_hint, with_hint

__all__ = ["record", "stored_check", "STORE"]

#: The file (next to this module) holding the recorded values, written by ``mlpkit release``.
STORE = "stored_values.json"


# ------------------------------------------------------------------ recording (release time)
def record(module, check, solution) -> dict:
    """Run ``check`` (a public check of ``module``) on ``solution`` and record what it compares.

    ``module.run_cases``, ``module.compare_array``, ``module.compare_scalar`` and
    ``module.unpack`` are replaced for the duration by recorders: every case the check runs,
    every comparison its judge makes (label, which part of the returned value, expected value,
    variants, settings) and every unpacking. Raises ``ValueError`` when a compared value cannot
    be located in what ``solution`` returned (the check cannot be stored then).
    """
    out = {"fname": None, "arg_names": [], "cases": []}
    saved = {k: getattr(module, k) for k in ("run_cases", "compare_array", "compare_scalar",
                                             "unpack") if hasattr(module, k)}
    current: dict = {}

    def locate(piece, value):
        if piece is value:
            return []
        if isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                if piece is v:
                    return [i]
        raise ValueError(f"{out['fname']}: a compared value is not a part of the returned value")

    def rec_compare(kind):
        def compare(label, got, expected, **kw):
            variants = [(encode(v), str(msg)) for v, msg in kw.pop("variants", ())]
            current["parts"].append({"kind": kind, "label": label,
                                     "path": locate(got, current["value"]),
                                     "expected": encode(expected), "variants": variants,
                                     "kw": {k: encode(v) for k, v in kw.items()}})
        return compare

    def rec_unpack(label, got, n, names):
        current["unpack"] = [label, n, names]
        return saved["unpack"](label, got, n, names)

    def rec_run_cases(fname, fn, cases, judge, arg_names=(), error_hint=None):
        out["fname"], out["arg_names"] = fname, list(arg_names)
        for args, shown in cases:
            res = call(fn, args)
            if res["status"] != "ok":
                raise ValueError(f"{fname}: the solution raised {res.get('error')}")
            current.clear()
            current.update(value=res["value"], parts=[], unpack=None)
            judge(args, res["value"])
            out["cases"].append({"args": encode(tuple(args)), "shown": bool(shown),
                                 "unpack": current["unpack"], "parts": current["parts"]})

    try:
        module.run_cases = rec_run_cases
        module.compare_array = rec_compare("array")
        module.compare_scalar = rec_compare("scalar")
        if "unpack" in saved:
            module.unpack = rec_unpack
        result = check.run(solution)
    finally:
        for k, v in saved.items():
            setattr(module, k, v)
    if not result.passed:
        raise ValueError(f"{out['fname']}: the solution does not pass its check: {result.message}")
    if not out["cases"] or not all(c["parts"] for c in out["cases"]):
        raise ValueError(f"{out['fname']}: the check compared nothing that can be stored")
    out["note"] = result.message
    return out


# ------------------------------------------------------------------ judging (in the release)
def _load(key: str) -> dict:
    path = Path(__file__).with_name(STORE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} is missing: this copy of the course is broken; "
                                "download the student release again") from None
    return data[key]


def _part(value, path):
    for i in path:
        value = value[i]
    return value


def _judge_case(case):
    def judge(args, value):
        if case["unpack"]:
            label, n, names = case["unpack"]
            value = unpack(label, value, n, names)
            _check_order(label, value, names, case["parts"])
        for p in case["parts"]:
            got = _part(value, p["path"])
            kw = {k: decode(v) for k, v in p["kw"].items()}
            variants = [(decode(v), msg) for v, msg in p["variants"]]
            if p["kind"] == "array":
                compare_array(p["label"], got, decode(p["expected"]), variants=variants, **kw)
            else:
                compare_scalar(p["label"], got, decode(p["expected"]), variants=variants, **kw)
    return judge


def _check_order(label, value, names, parts) -> None:
    """A diagnosis for outputs returned in another order (each found at another position)."""
    import numpy as np

    for p in parts:
        if len(p["path"]) != 1:
            continue
        i, expected = p["path"][0], np.asarray(decode(p["expected"]))
        try:
            here = np.asarray(value[i], dtype=float)
            if here.shape == expected.shape and np.allclose(here, expected):
                continue
            for j, other in enumerate(value):
                o = np.asarray(other, dtype=float)
                if j != i and o.shape == expected.shape and np.allclose(o, expected):
                    raise Failed(f"{label} returned its values in another order: {p['label']} is "
                                 f"at position {j + 1}, expected at position {i + 1} of {names}")
        except Failed:
            raise
        except Exception:
            continue


def stored_check(key: str, name: str, hint: tuple[str, str] | None = None):
    """The public check ``name`` judged against the values stored under ``key``."""

    @public_check(name)
    def check(fn):
        data = _load(key)
        cases = [(tuple(decode(c["args"])), c["shown"]) for c in data["cases"]]
        names = data["arg_names"]

        def error_hint(args, error):
            shapes = {n: getattr(a, "shape") for n, a in zip(names, args) if hasattr(a, "shape")}
            return shape_hint(error, shapes, {})

        judges = {id(args): _judge_case(case) for (args, _), case in zip(cases, data["cases"])}
        run_cases(data["fname"], fn, cases, lambda args, value: judges[id(args)](args, value),
                  names, error_hint=error_hint)
        return data.get("note", "")

    return with_hint(check, *hint) if hint else check

