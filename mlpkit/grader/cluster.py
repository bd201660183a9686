"""Grading on a Dask cluster: ``mlpkit grade NN SUBMISSIONS --out OUT --dask ADDRESS``.

``ADDRESS`` is a scheduler (``tcp://host:8786``), a scheduler file (``*.json``, as written by
``dask scheduler --scheduler-file``), or ``local:N`` for a :class:`~distributed.LocalCluster`
of N single-threaded worker processes on this machine. ``distributed`` is an optional extra
(``pip install -e '.[cluster]'``); nothing here imports it until ``--dask`` is used.

The workers share no folder with this machine:

* the client (this process) reads each submission once and sends its bytes with the task,
  with their SHA-256; :func:`grade_task` writes them into a private temporary folder on the
  worker and runs the same worker process, with the same limits, as a local run
  (:func:`mlpkit.grader.local.run_worker`); the row comes back as a dict;
* only the client writes the output folder (the runner journals each row as it arrives).

A worker that dies while grading: the scheduler gives its tasks to other workers, up to its
``allowed-failures`` (default 3) times; then the task fails with ``KilledWorker`` and the
submission's row is ``crashed`` with that reason. A task that raises (a worker whose ``mlpkit``
differs, a full disk) is retried ``retries`` times, then gets a ``grader-error`` row.
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import socket
import sys
import tempfile
import uuid
from pathlib import Path

from .rows import GRADER_ERROR, Row

__all__ = ["DaskExecutor", "ClusterError", "grade_task", "grader_fingerprint", "check_sandbox",
           "INSTALL_HINT"]

INSTALL_HINT = "pip install -e '.[cluster]'"
#: Tasks submitted ahead of the workers: at least this many, or 4 per worker thread.
WINDOW_MIN = 64
#: Seconds to wait for a first worker (an adaptive or batch-queued cluster may start with none).
WAIT_FOR_WORKERS = 600.0


class ClusterError(RuntimeError):
    """``--dask`` cannot go on: the message says what was wrong and what to do."""


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError("--dask needs Dask's `distributed` package, an optional extra of the "
                           f"course: run {INSTALL_HINT} in the course folder (or pip install "
                           "distributed); students never need it") from None
    return distributed


@functools.lru_cache(maxsize=None)
def grader_fingerprint() -> str:
    """A hash of every ``mlpkit`` source file: client and workers must grade with the same code."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def worker_info() -> dict:
    """What the client checks on every worker before grading (run there by ``client.run``)."""
    return {"fingerprint": grader_fingerprint(), "host": socket.gethostname(),
            "python": sys.version.split()[0], "mlpkit": str(Path(__file__).resolve().parents[1]),
            "bwrap": shutil.which("bwrap")}


def check_sandbox(infos: dict, jobs: list):
    """ClusterError when the jobs ask for a sandbox and some worker has no bubblewrap."""
    if not any(j.get("sandbox") for j in jobs):
        return
    missing = sorted({i["host"] for i in infos.values() if not i.get("bwrap")})
    if missing:
        raise ClusterError("bubblewrap (bwrap) is missing on these Dask worker hosts: "
                           + ", ".join(missing) + "; install it there (apt-get install "
                           "bubblewrap), or grade UNSAFELY with --no-sandbox")


def grade_task(job: dict, data: bytes | None, timeout: float, fingerprint: str) -> dict:
    """One submission graded on a Dask worker, exactly as locally; returns the row as a dict.

    ``data`` is the submitted file's bytes (``None``: the client could not read it, graded as a
    missing file). They are written under their file name into a private temporary folder,
    which the worker process grades (with :func:`mlpkit.grader.local.run_worker`, as a local run
    does) and which is removed afterwards, with the kernels' folders.
    """
    if grader_fingerprint() != fingerprint:
        raise RuntimeError(f"this worker ({socket.gethostname()}) has different mlpkit code "
                           f"({grader_fingerprint()}, the client has {fingerprint}): install the "
                           "same version of the course on every worker")
    if data is not None and hashlib.sha256(data).hexdigest() != job["sha256"]:
        raise RuntimeError("the submission's bytes arrived changed (SHA-256 differs)")
    from .assignments import get
    from .local import run_worker

    with tempfile.TemporaryDirectory(prefix="grade-sub-", dir=_scratch()) as d:
        sub = Path(d) / "submission"
        sub.mkdir()
        path = sub / job["file"]
        if data is not None:
            path.write_bytes(data)
        # the kernels' folders go into d too (removed with it); the process whose death ends the
        # grading is this Dask worker process, not the client's runner
        local = dict(job, path=str(path), hide=[*job.get("hide", []), str(sub)], tmp=d,
                     runner_pid=os.getpid())
        return run_worker(local, get(job["assignment"]), timeout).to_dict()


def _scratch() -> str | None:
    """The Dask worker's own folder: what a killed worker leaves there, Dask removes."""
    try:
        from distributed import get_worker

        return get_worker().local_directory
    except Exception:
        return None


def _parse(address: str) -> tuple[str, object]:
    """``("local", n)``, ``("file", path)`` or ``("address", address)``; ClusterError if bad."""
    if address.startswith("local:"):
        n = address[len("local:"):]
        if not n.isdigit() or int(n) < 1:
            raise ClusterError(f"--dask {address}: give local:N with N >= 1 worker processes, "
                               "e.g. --dask local:4")
        return "local", int(n)
    if address.endswith(".json"):
        if not Path(address).is_file():
            raise ClusterError(f"--dask {address}: no such scheduler file (written by "
                               "`dask scheduler --scheduler-file FILE`)")
        return "file", address
    if ":" not in address:
        raise ClusterError(f"--dask {address!r}: give a scheduler address (tcp://host:8786), a "
                           "scheduler file (*.json) or local:N")
    return "address", address


class DaskExecutor:
    """The runner's executor on a Dask cluster, connected on first use; :meth:`close` ends it.

    ``address``: as for ``--dask``, or a :class:`distributed.Client` of your own (then used
    as it is and left open), e.g. from Dask Gateway or ``KubeCluster.get_client()``.

    ``retries``: how often a task that raised is tried again. ``allowed_failures``: for
    ``local:N`` only, the scheduler's limit on worker deaths per task (an existing cluster keeps
    its own setting, ``distributed.scheduler.allowed-failures``).
    """

    def __init__(self, address, *, retries: int = 2, allowed_failures: int | None = None,
                 stream=None):
        self.distributed = _distributed()
        self.client = self.cluster = None
        self.infos: dict = {}
        if isinstance(address, str):
            self.kind, self.target = _parse(address)
        else:  # a Client made by the caller (Dask Gateway, KubeCluster...): used, never closed
            self.kind, self.target, address = "client", address, "the client's scheduler"
        self.address, self.retries, self.allowed_failures = address, retries, allowed_failures
        self.stream = stream or sys.stderr

    def connect(self):
        if self.client is not None:
            return self.client
        d = self.distributed
        if self.kind == "client":
            self.client = self.target
        elif self.kind == "local":
            import dask

            # one task per worker at a time: a worker killed by a submission takes no other
            # task with it (the scheduler counts a death against every task it had given it)
            cfg = {"distributed.scheduler.worker-saturation": 1.0}
            if self.allowed_failures is not None:
                cfg["distributed.scheduler.allowed-failures"] = self.allowed_failures
            with dask.config.set(cfg):
                self.cluster = d.LocalCluster(n_workers=self.target, threads_per_worker=1,
                                              processes=True, dashboard_address=None)
            self.client = d.Client(self.cluster)
        else:
            try:
                self.client = (d.Client(scheduler_file=self.target) if self.kind == "file"
                               else d.Client(self.target, timeout=60))
            except OSError as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {self.address}: {exc}")
        self._check_workers()
        return self.client

    def _check_workers(self):
        try:
            self.client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
        except Exception:
            raise ClusterError(f"no Dask worker joined the scheduler at {self.address} within "
                               f"{WAIT_FOR_WORKERS:g} s: start some (see docs/INSTRUCTORS.md)")
        try:
            infos = self.client.run(worker_info)
        except Exception as exc:
            raise ClusterError(f"a Dask worker cannot run the grader ({type(exc).__name__}: "
                               f"{exc}): install the course (pip install -e .) on every worker")
        self.infos = infos
        bad = [f"{a} ({i['host']}: {i['mlpkit']})" for a, i in infos.items()
               if i["fingerprint"] != grader_fingerprint()]
        if bad:
            raise ClusterError("these Dask workers have different mlpkit code than this machine: "
                               + ", ".join(bad) + "; install the same version everywhere")
        threads = self.client.nthreads()
        if self.kind != "local" and any(n > 1 for n in threads.values()):
            print("mlpkit grade: note: some Dask workers run several threads; a submission that "
                  "kills its worker also counts against the tasks next to it (use one thread per "
                  "worker process, see docs/INSTRUCTORS.md)", file=self.stream)

    def _window(self) -> int:
        return max(WINDOW_MIN, 4 * sum(self.client.nthreads().values()))

    def _submit(self, job: dict, timeout: float):
        try:
            data = Path(job["path"]).read_bytes()
        except OSError:
            data = None                   # the worker grades a missing file: not-a-notebook
        if data is not None:
            job = dict(job, sha256=hashlib.sha256(data).hexdigest())  # what is really graded
        fut = self.client.submit(grade_task, job, data, timeout, grader_fingerprint(),
                                 key=f"grade-{uuid.uuid4().hex}", retries=self.retries, pure=False)
        return job, fut

    def __call__(self, jobs: list, assignment, timeout: float):
        """``(job, row)`` for every job, as rows arrive."""
        client = self.connect()
        check_sandbox(self.infos, jobs)
        pending, live = iter(jobs), {}
        done = self.distributed.as_completed()

        def top_up():
            while len(live) < self._window():
                job = next(pending, None)
                if job is None:
                    return
                job, fut = self._submit(job, timeout)
                live[fut.key] = (job, fut)
                done.add(fut)

        top_up()
        try:
            for fut in done:
                job, _ = live.pop(fut.key)
                row = self._row(fut, job, assignment)
                fut.release()
                top_up()
                yield job, row
        finally:
            if live:
                client.cancel([f for _, f in live.values()])

    def _row(self, fut, job: dict, assignment) -> Row:
        if fut.status == "finished":
            return Row.from_dict(fut.result())
        if fut.status != "error":
            raise ClusterError(f"the Dask cluster at {self.address} lost the task of "
                               f"{job['student']} ({fut.status}); the rows graded so far are "
                               "saved: run the same command again with --resume")
        exc = fut.exception()
        if isinstance(exc, self.distributed.KilledWorker):
            return Row.failed(assignment, job["student"], job["file"], "crashed",
                              f"every Dask worker that graded it died ({getattr(exc, 'allowed_failures', 0) + 1} "
                              "tries, KilledWorker): the notebook most likely kills the process "
                              "grading it; it was not graded")
        return Row.failed(assignment, job["student"], job["file"], GRADER_ERROR,
                          f"grading on the Dask cluster failed: {type(exc).__name__}: "
                          f"{str(exc)[:300]}")

    def close(self):
        if self.kind == "client":
            self.client = None
            return
        for thing in (self.client, self.cluster):
            if thing is not None:
                try:
                    thing.close()
                except Exception:
                    pass
        self.client = self.cluster = None
