"""Grade a folder of submissions in parallel: ``mlpkit grade NN SUBMISSIONS --out OUT``.

``OUT`` receives (see :mod:`.report`):

* ``grades.csv``: one row per submission, always (student, file, status, total,
  max_total, one column of points per hidden check, message, sha256);
* ``grades.json``: the same with every check's message, the settings and the events;
* ``feedback/<id>-<hash>.md``: what passed, what failed and why, the points;
* ``summary.md`` and ``summary.png``: the class report (:mod:`.summary`), once per run.

Each submission is graded by its own fresh worker process (:mod:`.worker`). The files
are rewritten (atomically) after every graded submission, so an interrupted run
loses nothing and ``--resume`` continues it: rows whose file is unchanged (same
SHA-256, assignment and seed) are kept, the others graded. An existing
``grades.json`` is never overwritten silently: without ``--resume`` or
``--force`` the command stops; ``--force`` keeps the old files as ``*.bak-<time>``.

Where the jobs run is an *executor*: ``executor(jobs, assignment, timeout)`` yields
``(job, row)`` as rows finish. The default (:func:`local_executor`, :mod:`.local`) runs
the workers on this machine, forked from a forkserver, from a thread pool; ``--dask`` uses
:mod:`.cluster`. Both grade each job with the same function (:func:`.local.run_worker`).
Only this process writes the output folder.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

from .assignments import get
from .cluster import ClusterError
from .execute import Limits
from .local import local_executor
from .report import write_reports
from .rows import GRADER_ERROR, STATUSES, Row
from .sandbox import SandboxUnavailable, find_bwrap
from .similarity import (DEFAULT_THRESHOLD, EXPLAIN, MAX_CHARS, SimilarityUnavailable, flag,
                         pairs_of, require)
from .submission import collect_submissions, readable, sha256_of
from .summary import write_summary

LIMITS_ENFORCED = ("no cgroup: memory_mb is an address-space limit per process (RLIMIT_AS) and a "
                   "limit on the resident memory of the kernel's whole process tree, checked with "
                   "the process count (max_processes) every 0.2 s; file_mb is RLIMIT_FSIZE")
NO_SANDBOX_WARNING = ("WARNING: grading WITHOUT a sandbox (--no-sandbox): every notebook runs as "
                      "your user and can read and write your files, including these grades")

#: How many similar pairs the command prints (summary.md lists more, grades.csv all).
SHOWN = 30

__all__ = ["grade_folder", "collect_submissions", "cli_grade", "GradeFilesExist", "local_executor"]


class GradeFilesExist(RuntimeError):
    pass


class Progress:
    def __init__(self, total: int, quiet: bool = False, stream=None):
        self.total, self.done, self.quiet = total, 0, quiet
        self.stream = stream or sys.stderr
        self.t0 = time.monotonic()
        self.lock = threading.Lock()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.show()

    def show(self, last: str = ""):
        if self.quiet:
            return
        n = 30
        filled = int(n * self.done / max(self.total, 1))
        el = int(time.monotonic() - self.t0)
        line = (f"[{'#' * filled}{'.' * (n - filled)}] {self.done}/{self.total} graded, "
                f"{el // 60:02d}:{el % 60:02d}" + (f"  {last}" if last else ""))
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def step(self, last: str):
        with self.lock:
            self.done += 1
            self.show(last)


def _previous_rows(out: Path, assignment, seed: int, resume: bool, force: bool) -> dict:
    """The rows kept from an earlier run (``--resume``), after refusing to overwrite silently."""
    existing = out / "grades.json"
    if not (existing.exists() or (out / "grades.csv").exists()):
        return {}
    if not (resume or force):
        raise GradeFilesExist(f"{out} already holds grade files: pass --resume to keep the "
                              "rows of unchanged submissions and grade the rest, or --force to "
                              "re-grade everything (the old files are kept as *.bak-<time>)")
    if force:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for name in ("grades.json", "grades.csv", "feedback"):
            p = out / name
            if p.exists():
                p.rename(out / f"{name}.bak-{stamp}")
        return {}
    try:
        old = json.loads(existing.read_text(encoding="utf-8"))
        rows = [Row.from_dict(r) for r in old.get("submissions", [])]
    except Exception as exc:
        raise GradeFilesExist(f"cannot resume: {existing} is unreadable ({exc}); use --force")
    if old.get("assignment") != assignment.number or old.get("settings", {}).get("seed") != seed:
        raise GradeFilesExist(f"cannot resume: {existing} is for assignment "
                              f"{old.get('assignment')} with seed "
                              f"{old.get('settings', {}).get('seed')}; use --force")
    return {r.student: r for r in rows}


def _to_grade(submissions: Path, rows: dict, assignment) -> list:
    """``(student, path, sha256)`` of every submission not already graded with the same file.

    Entries refused outright (symbolic links, FIFOs, folders without a notebook) get their row
    in ``rows`` here.
    """
    todo = []
    for e in collect_submissions(submissions):
        if e.refused:
            rows[e.student] = Row.failed(assignment, e.student, readable(e.path.name), e.refused,
                                         e.reason)
            continue
        digest = sha256_of(e.path)
        prev = rows.get(e.student)
        if prev and prev.sha256 == digest and digest and prev.status != GRADER_ERROR:
            continue
        todo.append((e.student, e.path, digest))
    return todo


def _hidden_paths(submissions: Path, out: Path) -> list:
    """What a sandboxed kernel must not see even where it lies under a folder it may read."""
    course = Path(__file__).resolve().parents[2]
    return [str(p.resolve()) for p in (submissions, out, course / "solutions", course / "tests")]


def grade_folder(number: str, submissions: Path, out: Path, *, resume: bool = False,
                 force: bool = False, jobs: int | None = None, limits: Limits | None = None,
                 seed: int = 0, quiet: bool = False, stream=None, sandbox: bool = True,
                 executor=None, similarity_threshold: float | None = DEFAULT_THRESHOLD) -> dict:
    """Grade every submission in ``submissions``; returns the rows (student -> :class:`Row`).

    ``executor`` runs the jobs (default: :func:`local_executor` with ``jobs`` processes).
    ``sandbox=False`` runs the kernels unconfined (unsafe; warned about in the output and in
    ``grades.json``); with ``sandbox=True`` a missing bwrap raises :class:`SandboxUnavailable`.
    At the end, ``similar_to`` is filled (:func:`.similarity.flag`): pairs scoring at least
    ``similarity_threshold`` (``None``: identical code only; without copydetect installed:
    :class:`SimilarityUnavailable`, before anything is graded).
    """
    assignment = get(number)
    limits = limits or Limits()
    submissions, out = Path(submissions), Path(out)
    if not submissions.is_dir():
        raise FileNotFoundError(f"submissions folder {submissions} does not exist")
    if sandbox and find_bwrap() is None:
        from .sandbox import Sandbox

        Sandbox.for_grading()  # raises SandboxUnavailable with the explanation
    if similarity_threshold is not None:
        require()  # raises SimilarityUnavailable with the explanation
    settings = {"seed": seed, "limits": asdict(limits),
                "sandbox": "bubblewrap" if sandbox else NO_SANDBOX_WARNING,
                "limits_enforced": LIMITS_ENFORCED,
                "similarity": {"threshold": similarity_threshold or "off (identical code only)",
                               "measure": "copydetect fingerprints, names normalised, handed-out "
                                          f"code removed, first {MAX_CHARS} characters of code"}}
    if not sandbox:
        print(NO_SANDBOX_WARNING, file=stream or sys.stderr)
    rows = _previous_rows(out, assignment, seed, resume, force)
    todo = _to_grade(submissions, rows, assignment)
    progress = Progress(len(todo), quiet=quiet, stream=stream)
    lock = threading.Lock()
    if not todo:
        return _finish(out, submissions, assignment, rows, settings, similarity_threshold)

    def job_of(student, path, digest):
        return {"path": str(path.resolve()), "assignment": assignment.number, "student": student,
                "seed": seed, "limits": asdict(limits), "file": path.name, "sha256": digest,
                "sandbox": sandbox, "runner_pid": os.getpid(),
                "hide": _hidden_paths(submissions, out)}

    run = executor or local_executor(jobs)
    for job, row in run([job_of(*t) for t in todo], assignment, limits.total_timeout + 120):
        row.student, row.file, row.sha256 = job["student"], readable(job["file"]), job["sha256"]
        with lock:
            rows[row.student] = row
            write_reports(out, assignment, rows, settings)
        progress.step(f"{row.student}: {row.status} {row.total:g}/{row.max_total:g}")
    return _finish(out, submissions, assignment, rows, settings, similarity_threshold)


def _finish(out, submissions, assignment, rows, settings, threshold) -> dict:
    """Similar submissions over the whole class (resumed rows too), then the files and the
    class report, once per run."""
    flag(rows, submissions, assignment, threshold)
    write_reports(out, assignment, rows, settings)
    write_summary(out, assignment, rows)
    return rows


def cli_grade(args) -> int:
    try:
        assignment = get(args.assignment)
    except KeyError as exc:
        print(f"mlpkit grade: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.list_checks:
        print(f"assignment {assignment.number} ({assignment.topic}), {assignment.max_points:g} points")
        for c in assignment.checks:
            print(f"  {c.id:<20s} {c.points:>4g}  {assignment.group(c.group).function}: {c.description}")
        return 0
    if not args.submissions or not args.out:
        print("mlpkit grade: give SUBMISSIONS_DIR and --out OUT_DIR", file=sys.stderr)
        return 2
    limits = Limits(cell_timeout=args.cell_timeout, total_timeout=args.total_timeout,
                    memory_mb=args.memory_mb)
    executor = None
    try:
        if getattr(args, "dask", None):
            if args.jobs is not None:
                raise ClusterError("--jobs is for a local run; with --dask the cluster's workers "
                                   "grade (use --dask local:N for N processes here)")
            from .cluster import DaskExecutor

            executor = DaskExecutor(args.dask)
        rows = grade_folder(args.assignment, Path(args.submissions), Path(args.out),
                            resume=args.resume, force=args.force, jobs=args.jobs, limits=limits,
                            seed=args.seed, quiet=args.quiet, executor=executor,
                            sandbox=not args.no_sandbox,
                            similarity_threshold=getattr(args, "similarity_threshold",
                                                         DEFAULT_THRESHOLD))
    except (GradeFilesExist, FileNotFoundError, ClusterError, SandboxUnavailable,
            SimilarityUnavailable) as exc:
        print(f"mlpkit grade: {exc}", file=sys.stderr)
        return 2
    finally:
        if executor is not None:
            executor.close()
    counts: dict = {}
    for r in rows.values():
        counts[r.status] = counts.get(r.status, 0) + 1
    summary = ", ".join(f"{counts[s]} {s}" for s in STATUSES + (GRADER_ERROR,) if s in counts)
    print(f"graded {len(rows)} submission(s) of assignment {assignment.number}: {summary}")
    pairs = pairs_of(rows.values())
    if pairs:
        print(f"similar code, {EXPLAIN}; column similar_to:")
        for a, b, score in pairs[:SHOWN]:
            print(f"  {score:.2f}  {a}  ~  {b}")
        if len(pairs) > SHOWN:
            print(f"  ... and {len(pairs) - SHOWN} more pairs: summary.md, column similar_to")
    print(f"wrote {Path(args.out) / 'grades.csv'}, grades.json, feedback/ and the class report "
          "summary.md (with summary.png)")
    if args.no_sandbox:
        print(NO_SANDBOX_WARNING)
    return 0
