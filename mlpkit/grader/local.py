"""Grading on this machine: one fresh worker process per submission.

Each worker is forked from a multiprocessing *forkserver* that imported
:mod:`mlpkit.grader.worker` once (a spawned interpreter where there is none, e.g. Windows);
it grades one job (:func:`mlpkit.grader.worker.run_job`) and sends its row back over a pipe.
:func:`run_worker` is what every executor runs per submission: :func:`local_executor` from a
thread pool here, :func:`mlpkit.grader.cluster.grade_task` on a Dask worker.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .rows import GRADER_ERROR, Row
from .submission import readable

__all__ = ["local_executor", "run_worker", "remove_stale_run_folders"]

RUN_PREFIX = "mlpkit-grade-"
STALE_AFTER = 3600.0  # s without a change before a dead run's folder is removed


_CONTEXT: list = []
_DAEMON_FLAG = threading.Lock()


def _context():
    """A multiprocessing context whose forkserver has imported the worker's modules once."""
    if not _CONTEXT:
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["mlpkit.grader.worker"])
        else:  # Windows: a fresh interpreter per worker
            ctx = multiprocessing.get_context("spawn")
        _CONTEXT.append(ctx)
    return _CONTEXT[0]


def _start(proc) -> None:
    """``proc.start()``, also in a daemonic process: a Dask worker process is one (Dask's
    default), and multiprocessing refuses children there lest a daemon leave orphans. Ours cannot
    outlive it: a grading worker dies with its forkserver (PR_SET_PDEATHSIG), which exits with
    this process; and it is itself a daemon, terminated when this process exits normally."""
    me = multiprocessing.current_process()
    if not me.daemon:
        proc.start()
        return
    with _DAEMON_FLAG:  # the flag multiprocessing checks, lowered for this one start
        me._config["daemon"] = False
        try:
            proc.start()
        finally:
            me._config["daemon"] = True


def run_worker(job: dict, assignment, timeout: float) -> Row:
    """One submission graded by a fresh worker process; a row whatever happened to it."""
    from .worker import run_job

    student, file = job["student"], readable(Path(job["path"]).name)
    ctx = _context()
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=run_job, args=(job, send), name="mlpkit-grade-worker")
    _start(proc)
    send.close()
    data = b""
    try:
        if recv.poll(timeout):
            data = recv.recv_bytes()
    except (EOFError, OSError):
        pass
    recv.close()
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
        if not data:
            return Row.failed(assignment, student, file, "timeout",
                              f"grading took longer than {timeout:g} s and was stopped")
    if data.startswith(b"R"):
        return Row.from_dict(json.loads(data[1:].decode("utf-8")))
    if proc.exitcode is not None and proc.exitcode < 0:  # a signal: not a bug of the grader
        return Row.failed(assignment, student, file, "crashed", f"the grading worker was "
                          f"killed by signal {-proc.exitcode} (out of memory?)")
    if not data and proc.exitcode == 255 and ctx.get_start_method() == "forkserver":
        # the forkserver could not report the exit status: it was killed, and the worker with it
        return Row.failed(assignment, student, file, "crashed", "the grading worker was killed "
                          "with the process that started it (its forkserver)")
    err = data[1:].decode("utf-8", "replace").strip()[-300:]
    return Row.failed(assignment, student, file, GRADER_ERROR, f"the grading worker failed "
                      f"(exit code {proc.exitcode}): {err}")


def local_executor(jobs: int | None = None):
    """The executor grading on this machine: ``jobs`` worker processes at a time, each forked
    from the forkserver (:func:`run_worker`). Every temporary file of a run (the kernels'
    folders) lies in one ``mlpkit-grade-<pid>-*`` folder, removed at the end even when a worker
    was killed; the folders of runs that were killed themselves are removed by the next run
    (:func:`remove_stale_run_folders`)."""
    def run(job_list: list, assignment, timeout: float):
        remove_stale_run_folders()
        run_tmp = tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-")
        try:
            with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
                futures = {pool.submit(run_worker, dict(job, tmp=run_tmp), assignment, timeout):
                           job for job in job_list}
                for fut in as_completed(futures):
                    yield futures[fut], fut.result()
        finally:
            shutil.rmtree(run_tmp, ignore_errors=True)
    return run


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, somebody else's
        return True
    return True


def remove_stale_run_folders(tmp: str | None = None, now: float | None = None) -> list[str]:
    """Remove the temporary folders of runs that were killed (``kill -9``): a folder
    ``mlpkit-grade-<pid>-*`` of this user whose process is gone and that has not changed for
    ``STALE_AFTER`` s (a run elsewhere, in another pid namespace sharing this folder, changes
    its folder with every submission). Returns the folders removed."""
    tmp, now = tmp or tempfile.gettempdir(), time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(tmp))
    except OSError:
        return removed
    for entry in entries:
        pid = entry.name[len(RUN_PREFIX):].partition("-")[0]
        if not (entry.name.startswith(RUN_PREFIX) and pid.isdigit()):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if (not entry.is_dir(follow_symlinks=False) or st.st_uid != getattr(os, "getuid", lambda: st.st_uid)()
                or now - st.st_mtime < STALE_AFTER or _pid_alive(int(pid))):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed
