"""Grade one submission: read it, run it in fresh kernels, judge what came back.

The steps (each in its own module):

1. **read** the file (:mod:`.submission`): not a notebook -> status ``not-a-notebook``;
2. **execute** it (:mod:`.execute`, on nbclient) in a fresh kernel, in a new temporary
   directory: a setup cell that records, after every cell, the last *callable* bound to each
   graded name; every code cell of the submission in order (errors do not stop the run); the
   harness (:mod:`mlpkit.safecall`, sent as source); one cell per call group that calls a graded
   function on the grader's inputs and sends the returned values back as a kernel message;
3. **judge** them in this process (:mod:`.judge`).

Ours is the policy when a kernel dies (``os._exit``, a signal, out of memory) or ignores the
interrupt of a timed-out cell: the whole notebook is run again in a new kernel without the cell
that killed it (at most ``MAX_RESTARTS`` times); a group call that killed the kernel is skipped
on the next run. A total limit bounds everything.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import safecall
from .cells import CELL_NOTES, GROUP, HARNESS, SETUP, harness_source
from .execute import START_TRIES, Kernel, KernelStart, Limits
from .judge import decode_results, score, status_of
from .rows import Event, Row
from .sandbox import Sandbox
from .spec import Assignment
from .submission import NotANotebook, code_digest, load_submission

MAX_RESTARTS = 3

__all__ = ["grade_submission", "MAX_RESTARTS"]

@dataclass
class _Run:
    """What grading one submission has gathered so far, across kernel restarts."""

    assignment: Assignment
    code_cells: list
    cases: dict
    limits: Limits
    deadline: float
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    events: list = field(default_factory=list)
    results: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    skip_cells: set = field(default_factory=set)
    skip_groups: set = field(default_factory=set)
    cell_notes: list = field(default_factory=list)
    crashed: bool = False
    timed_out: bool = False

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def crash(self, message: str, cell: int | None = None):
        self.crashed = True
        self.events.append(Event("crash", message, cell))


def _seed_for(base_seed: int, student: str, number: str) -> int:
    h = hashlib.sha256(f"{base_seed}:{number}:{student}".encode()).digest()
    return int.from_bytes(h[:8], "little") % (2**63)


def grade_submission(path: Path, assignment: Assignment, student: str, base_seed: int,
                     limits: Limits, context=None, start=None) -> Row:
    """Everything about one submission, as a :class:`Row`.

    ``start(work_dir) -> KernelStart`` says how kernels are started (default: in the bubblewrap
    sandbox, :meth:`KernelStart.sandboxed`; ``KernelStart.plain`` runs them unconfined).
    """
    t0 = time.monotonic()
    seed = _seed_for(base_seed, student, assignment.number)
    try:
        cells, notes = load_submission(path)
    except NotANotebook as exc:
        row = Row.failed(assignment, student, path.name, "not-a-notebook", str(exc), seed=seed)
        row.elapsed = round(time.monotonic() - t0, 2)
        return row
    context = assignment.context() if context is None else context
    cases = {g.id: g.cases(np.random.default_rng([seed, k]), context)
             for k, g in enumerate(assignment.groups)}
    run = _Run(assignment, [(n, src) for n, t, src in cells if t == "code"], cases, limits,
               t0 + limits.total_timeout)
    if start is None:
        sandbox = Sandbox.for_grading(tmp_mb=limits.file_mb)
        start = lambda d: KernelStart.sandboxed(sandbox, limits)  # noqa: E731
    work = tempfile.mkdtemp(prefix="nb-")
    try:
        _execute(run, start(work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    row = _row(run, student, path.name, seed, notes, context)
    row.code_sha256 = code_digest(cells)
    row.elapsed = round(time.monotonic() - t0, 2)
    return row


def _execute(run: _Run, start: KernelStart):
    """Run the notebook, then the calls, restarting after a cell or a call killed the kernel."""
    for attempt in range(MAX_RESTARTS + 1):
        outcome = _one_kernel(run, start)
        if outcome == "restart" or (outcome == "restart-after-call" and attempt < MAX_RESTARTS):
            continue
        break
    else:
        run.events.append(Event("crash", f"gave up after {MAX_RESTARTS} restarts"))
    if run.left() <= 0:
        run.timed_out = True
        run.events.append(Event("timeout", f"the total time limit of "
                                           f"{run.limits.total_timeout:g} s was reached"))


def _one_kernel(run: _Run, start: KernelStart) -> str:
    """One kernel's life: ``done``, ``stop``, ``restart`` or ``restart-after-call``."""
    try:
        kernel = Kernel(start, run.limits)
    except Exception as exc:
        run.crash(f"the kernel did not start in {START_TRIES} tries "
                  f"({type(exc).__name__}: {exc})"[:300])
        return "stop"
    try:
        setup = SETUP.format(token=run.token, names=tuple(run.assignment.functions))
        if kernel.run(setup, min(30, max(run.left(), 1)))[0] != "ok":
            run.crash("the grader's setup cell failed")
            return "stop"
        outcome = _run_cells(run, kernel)
        return _run_groups(run, kernel) if outcome == "done" else outcome
    finally:
        kernel.close()


def _run_cells(run: _Run, kernel: Kernel) -> str:
    """The submission's code cells in order: ``done``, ``stop`` (out of time) or ``restart``."""
    cell_timeout = run.limits.cell_timeout
    for number, src in run.code_cells:
        if number in run.skip_cells:
            continue
        if run.left() <= 0:
            return "stop"
        status, _ = kernel.run(src, min(cell_timeout, run.left()))
        if status in ("timeout", "timeout-killed"):
            if run.left() <= 0:
                return "stop"
            run.timed_out = True
            how = "interrupted" if status == "timeout" else "killed"
            run.events.append(Event("timeout", f"cell {number} ran longer than {cell_timeout:g} s "
                                               f"and was {how}", number))
            if status == "timeout-killed":
                run.skip_cells.add(number)
                return "restart"
        elif status == "error" and kernel.error_name in CELL_NOTES:
            note = CELL_NOTES[kernel.error_name].format(n=number)
            if note not in run.cell_notes:
                run.cell_notes.append(note)
        elif status == "dead":
            why = kernel.death or (f"os._exit, a signal or the memory limit of "
                                   f"{run.limits.memory_mb} MB?")
            run.crash(f"the kernel died in cell {number} ({why}); that cell was skipped and the "
                      "notebook re-run without it", number)
            run.skip_cells.add(number)
            return "restart"
    return "done"


def _run_groups(run: _Run, kernel: Kernel) -> str:
    """The harness, then each call group not done yet: ``done``, ``stop`` or ``restart-after-call``."""
    harness = HARNESS.format(token=run.token, source=harness_source())
    if kernel.run(harness, 30)[0] != "ok":
        run.events.append(Event("crash", "the grader's harness could not be loaded in the kernel "
                                         "(the notebook broke the Python runtime?)"))
    for g in run.assignment.groups:
        if g.id in run.skip_groups or g.id in run.results:
            continue
        if run.left() <= 0:
            return "stop"
        outcome = _call_group(run, kernel, g)
        if outcome != "next":
            return outcome
    return "done"


def _call_group(run: _Run, kernel: Kernel, g) -> str:
    """Call one group's function on its cases: ``next`` or ``restart-after-call``."""
    timeout = run.limits.cell_timeout
    wire = safecall.encode(list(run.cases[g.id]))
    code = GROUP.format(token=run.token, names=tuple(run.assignment.functions), function=g.function,
                        cases=json.dumps(wire), forbid=tuple(g.forbid))
    status, texts = kernel.run(code, min(timeout, run.left()))
    if status == "ok" and texts:
        run.results[g.id], note = decode_results(texts, safecall.decode(wire))
        if note:
            run.notes[g.id] = note
    elif status in ("timeout", "timeout-killed"):
        run.timed_out = True
        msg = f"calling {g.function} on the hidden inputs took longer than {timeout:g} s"
        run.events.append(Event("timeout", msg))
        for g2 in run.assignment.groups:
            if g2.function == g.function:
                run.skip_groups.add(g2.id)
                run.notes[g2.id] = msg
        return "restart-after-call" if status == "timeout-killed" else "next"
    elif status == "dead":
        msg = f"calling {g.function} on the hidden inputs killed the kernel"
        msg += f" ({kernel.death})" if kernel.death else ""
        run.crash(msg)
        run.skip_groups.add(g.id)
        run.notes[g.id] = msg
        return "restart-after-call"
    else:
        run.notes[g.id] = (f"the grader's call of {g.function} did not complete (the notebook may "
                           "have broken the Python runtime)")
        run.results[g.id] = None
    return "next"


def _row(run: _Run, student: str, file: str, seed: int, notes: list, context) -> Row:
    a = run.assignment
    checks, missing, not_attempted, failed = score(a, run.cases, run.results, run.notes, context)
    n = len(a.checks)
    status = status_of(run.crashed, run.timed_out, missing, not_attempted, failed, n)
    parts = [e.message for e in run.events]
    if missing:
        parts.append("missing: " + ", ".join(sorted(missing)))
    if status in ("fail", "ok", "not-attempted", "missing-function"):
        parts.append(f"{n - failed} of {n} checks passed")
    total = round(sum(c.points for c in checks.values()), 4)
    return Row(student=student, file=file, status=status, total=total, max_total=a.max_points,
               message="; ".join(parts + run.cell_notes + notes), checks=checks, events=run.events,
               notes=run.cell_notes + notes,
               seed=seed)
