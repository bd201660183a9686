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


def die_with_runner(parent: int | None, runner_pid: int | None = None):
    """Linux: SIGKILL this worker when its parent (the forkserver, which exits with the process
    that started it: the runner, or the Dask worker process) dies: a run killed half-way leaves no
    worker, and its kernel dies with it (``bwrap --die-with-parent``). ``runner_pid`` (the job's
    ``"runner_pid"``: that process) must still be alive once the signal is armed."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        return
    if parent is not None and os.getppid() != parent:  # the forkserver died before the prctl
        os._exit(1)
    if runner_pid is not None and not _alive(int(runner_pid)):  # the runner died before it
        os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: it exists
        return True
    return True


def _close_forkserver_alive_fd() -> None:
    """The forkserver gives each process it forks a copy of its client's end of the pipe whose
    EOF tells it that its client (the runner, or the Dask worker process) died; while a worker
    kept it open, the forkserver would not exit and the worker, which dies with the forkserver,
    would grade on, orphaned, until its notebook ended."""
    try:
        from multiprocessing import forkserver

        server = forkserver._forkserver
        if server._forkserver_alive_fd is not None:
            os.close(server._forkserver_alive_fd)
            server._forkserver_alive_fd = None
    except Exception:
        pass


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
    _close_forkserver_alive_fd()
    os.setsid()  # Ctrl-C in the terminal goes to the runner, which stops the run
    die_with_runner(parent, job.get("runner_pid"))
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
