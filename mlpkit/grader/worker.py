"""The grading worker: one fresh process per submission.

The runner forks each worker from a multiprocessing *forkserver* that has imported
this module once (so a worker starts in milliseconds, not the second nbclient and
nbformat take to import), and calls :func:`run_job` in it: a misbehaving
submission can only take down its own worker. The job names the file, the
assignment, the student, the seed, the limits and the sandbox; the worker grades
it (:func:`mlpkit.grader.grade.grade_submission`) and sends the row back over a
pipe: no job folder, no file a kernel could forge or block.
``python -m mlpkit.grader.worker < JOB > ROW`` does the same from a shell.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

# nbclient imports nbformat, which imports jsonschema, whose optional IRI format checker imports
# rfc3987_syntax, which compiles a grammar at import: 1.7 s of every worker's start, measured. The
# grader never validates an IRI; with the module marked absent, jsonschema skips that one format.
sys.modules.setdefault("rfc3987_syntax", None)

from .assignments import get  # noqa: E402
from .execute import KernelStart, Limits  # noqa: E402
from .grade import grade_submission  # noqa: E402
from .sandbox import Sandbox  # noqa: E402


def kernel_start(job: dict, limits: Limits):
    """``work_dir -> KernelStart``: in a bwrap sandbox unless the job says ``"sandbox": false``."""
    if not job.get("sandbox", True):
        return lambda work: KernelStart.plain(work, limits)
    sandbox = Sandbox.for_grading(hide=job.get("hide", []), tmp_mb=limits.file_mb)
    return lambda work: KernelStart.sandboxed(sandbox, limits)


def die_with_runner(parent: int | None):
    """Linux: SIGKILL this worker when its parent (the runner's forkserver, which exits with the
    runner) dies: a run killed half-way leaves no worker, and its kernel dies with it
    (``bwrap --die-with-parent``)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        return
    if parent is not None and os.getppid() != parent:  # the runner died before the prctl
        os._exit(1)


def grade_job(job: dict) -> dict:
    if job.get("tmp"):  # the run's temporary folder: the runner removes it, whatever happens
        tempfile.tempdir = job["tmp"]
    limits = Limits(**job["limits"])
    row = grade_submission(Path(job["path"]), get(job["assignment"]), job["student"],
                           int(job["seed"]), limits, start=kernel_start(job, limits))
    return row.to_dict()


def run_job(job: dict, conn) -> None:
    """In a fresh worker process: grade ``job``; send ``b"R" + row JSON`` over ``conn`` (or
    ``b"E" + the traceback`` when the grader itself failed)."""
    parent = os.getppid()
    os.setsid()  # Ctrl-C in the terminal goes to the runner, which stops the run
    die_with_runner(parent)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # nbclient's log lines are not the instructor's business
        os.dup2(null, fd)
    try:
        conn.send_bytes(b"R" + json.dumps(grade_job(job)).encode())
    except BaseException:
        import traceback

        conn.send_bytes(b"E" + traceback.format_exc()[-2000:].encode("utf-8", "replace"))
        os._exit(1)
    conn.close()


def main() -> int:
    job = json.loads(sys.stdin.read())
    sys.stdout.write(json.dumps(grade_job(job)) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
