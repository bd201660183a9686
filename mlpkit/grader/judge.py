"""Judging, in the grader's process: decoding what a kernel sent back, points and status.

The results of a call group arrive as text (a kernel message); they are decoded
strictly (:func:`decode_results`: numbers and numeric arrays only, the right
number of results) and compared with values computed here, with the public
checks' diagnoses. Nothing the notebook does to numpy, mlpkit or the checks
inside its kernel changes a verdict.
"""
from __future__ import annotations

import json

import numpy as np

from .. import safecall
from ..checks.diagnose import Failed, NotAttempted, diagnose_call
from .rows import CheckScore
from .spec import Assignment, CallGroup, HiddenCheck

MAX_RESULT_CHARS = 256 * 2**20

__all__ = ["judge_check", "decode_results", "score", "status_of", "grade_in_process"]


def judge_check(check: HiddenCheck, group: CallGroup, cases, results, context):
    """``(fraction, message)`` of one check, from the decoded call results of its group.

    ``results`` is ``None`` when the group's calls never completed (timeout, crash).
    """
    if results is None or len(results) != len(cases):
        return 0.0, "no result: the call did not finish (see the status)"
    worst = 1.0
    note = ""
    for args, res in zip(cases, results):
        try:
            hint = (None if group.error_hint is None
                    else (lambda err, _a=args: group.error_hint(_a, err)))
            diagnose_call(group.function, res, group.arg_names, hint)
            used = [t for t in res.get("forbidden", ()) if t in group.forbid]
            if used:
                return 0.0, group.forbid[used[0]]
            out = check.judge(args, res["value"], context)
        except NotAttempted:
            return 0.0, f"{group.function}: not attempted yet"
        except Failed as exc:
            return 0.0, str(exc)
        except Exception as exc:  # the value was too odd to judge: no points, say so
            return 0.0, f"could not judge the returned value ({type(exc).__name__}: {exc})"
        if out is not None:
            frac, msg = out
            if frac < worst:
                worst, note = frac, msg
            elif not note:
                note = msg
    if check.judge_group is not None:
        try:
            out = check.judge_group(cases, [r["value"] for r in results], context)
        except Failed as exc:
            return 0.0, str(exc)
        except Exception as exc:
            return 0.0, f"could not judge the returned values ({type(exc).__name__}: {exc})"
        if out is not None and out[0] < worst:
            worst, note = out
    return worst, note or "passed"


def decode_results(texts: list, sent: list):
    """``(results, note)``: the decoded call results of one group, or ``None`` and why not.

    ``sent`` are the arguments as the kernel received them (decoded); which of them a call changed
    is decided here, from the arguments the kernel sent back, never from the kernel's word.
    """
    if not texts:
        return None, "no result: the call did not finish (see the status)"
    try:
        if len(texts[-1]) > MAX_RESULT_CHARS:
            raise ValueError("too large")
        results = [safecall.decode_call(r) for r in json.loads(texts[-1])["results"]]
        if len(results) != len(sent):
            raise ValueError("wrong number of results")
        for res, args in zip(results, sent):
            if res["after"] is None or len(res["after"]) != len(args):
                raise ValueError("the arguments after the call were not sent back")
            res["mutated"] = safecall.changed_inputs(list(args), res["after"])
        return results, ""
    except Exception as exc:
        return None, f"the values returned could not be read ({type(exc).__name__}: {exc})"[:300]


def status_of(crashed: bool, timed_out: bool, missing: set, not_attempted: int, failed: int,
              n: int) -> str:
    """The most severe status that applies (see ``rows.STATUSES``)."""
    if crashed:
        return "crashed"
    if timed_out:
        return "timeout"
    if missing:
        return "missing-function"
    if not_attempted == n:
        return "not-attempted"
    return "fail" if failed else "ok"


def score(assignment: Assignment, cases: dict, results: dict, notes: dict, context) -> tuple:
    """``(checks, missing, not_attempted, failed)`` from the decoded results of every group.

    ``checks`` maps each check id to its :class:`CheckScore`; ``missing`` the graded functions
    never found.
    """
    checks, missing, not_attempted, failed = {}, set(), 0, 0
    for c in assignment.checks:
        g = assignment.group(c.group)
        res = results.get(g.id)
        if res is None:
            frac, msg = 0.0, notes.get(g.id, "not run (see the status)")
        else:
            frac, msg = judge_check(c, g, cases[g.id], res, context)
            if any(r["status"] == "missing" for r in res):
                missing.add(g.function)
                msg = (f"no function named {g.function} was found (deleted, renamed, or its cell "
                       "turned into Markdown?)")
        if msg.endswith("not attempted yet"):
            not_attempted += 1
        failed += frac < 1
        checks[c.id] = CheckScore(round(float(frac) * c.points, 4), c.points, msg)
    return checks, missing, not_attempted, failed


def grade_in_process(assignment: Assignment, functions: dict, seed: int, context=None) -> dict:
    """The hidden checks of ``functions`` (name -> callable) called in THIS process.

    The same inputs, serialisation round trip and judges as a kernel run, without
    the kernel: for tests (mutation tests) and for instructors trying a check.
    Returns ``{check_id: {"points", "max", "message"}}``.
    """
    context = assignment.context() if context is None else context
    cases, results, notes = {}, {}, {}
    for k, g in enumerate(assignment.groups):
        cases[g.id] = g.cases(np.random.default_rng([seed, k]), context)
        sent = safecall.decode(safecall.encode(list(cases[g.id])))
        fn = functions.get(g.function)
        calls = [safecall.call_spied(fn, list(a), g.forbid) for a in sent]
        wire = json.dumps({"results": [safecall.encode_call(c, with_inputs=True) for c in calls]})
        results[g.id], notes[g.id] = decode_results([wire], sent)
    checks = score(assignment, cases, results, notes, context)[0]
    return {cid: {"points": c.points, "max": c.max, "message": c.message}
            for cid, c in checks.items()}
