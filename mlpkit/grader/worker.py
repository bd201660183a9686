"""The grading worker: ``python -m mlpkit.grader.worker < JOB > ROW``.

The runner starts one worker process per submission, so a misbehaving
submission can only take down its own worker. The job (JSON on stdin) names the
file, the assignment, the student, the seed, the limits and the sandbox; the
worker grades it (:func:`mlpkit.grader.grade.grade_submission`) and prints the
row as JSON on stdout: no job folder, no file a kernel could forge or block.
"""
from __future__ import annotations

import json
import os
import sys
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
    """Linux: SIGKILL this worker when the runner dies (a run killed half-way leaves no worker:
    its kernel dies with it, ``bwrap --die-with-parent``)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        return
    if parent is not None and os.getppid() != parent:  # the runner died before the prctl
        os._exit(1)


def main() -> int:
    job = json.loads(sys.stdin.read())
    die_with_runner(job.get("runner_pid"))
    limits = Limits(**job["limits"])
    row = grade_submission(Path(job["path"]), get(job["assignment"]), job["student"],
                           int(job["seed"]), limits, start=kernel_start(job, limits))
    sys.stdout.write(json.dumps(row.to_dict()) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
