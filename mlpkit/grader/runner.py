"""Grade a folder of submissions in parallel and write the reports.

``mlpkit grade 04 submissions/ --out grades/`` writes, in ``grades/``:

* ``grades.csv``: one row per submission, always (student, file, status, total,
  max_total, one column of points per hidden check, message, sha256);
* ``grades.json``: the same with every check's message, the settings and the events;
* ``feedback/<student>.md``: what passed, what failed and why, the points.

The files are rewritten (atomically) after every graded submission, so an
interrupted run loses nothing and ``--resume`` continues it: rows whose file is
unchanged (same SHA-256, assignment and seed) are kept, the others graded. An
existing ``grades.json`` is never overwritten silently: without ``--resume`` or
``--force`` the command stops; ``--force`` keeps the old files as ``*.bak-<time>``.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from .hidden import get
from .kernel import STATUSES, Limits

__all__ = ["grade_folder", "collect_submissions", "cli_grade", "GradeFilesExist"]


class GradeFilesExist(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


def collect_submissions(folder: Path) -> list[tuple[str, Path]]:
    """``(student, path)`` for every submission: each file, or each sub-folder's notebook."""
    out, seen = [], set()
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            nbs = sorted(p for p in entry.glob("*.ipynb") if not p.name.startswith("."))
            path = nbs[0] if nbs else entry / "(no notebook)"
            student = entry.name
        elif entry.is_file():
            path = entry
            student = entry.name[:-6] if entry.name.endswith(".ipynb") else entry.name
        else:
            continue
        if student in seen:
            student = entry.name
        seen.add(student)
        out.append((student, path))
    return out


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@-]+", "_", name)[:120] or "_"


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


def _atomic_write(path: Path, text: str):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def feedback_text(row: dict, assignment) -> str:
    lines = [f"# Feedback: assignment {assignment.number} ({assignment.topic})", "",
             f"* student: {row['student']}", f"* file: {row['file']}",
             f"* points: **{row['total']:g} / {row['max_total']:g}**",
             f"* status: {row['status']}"]
    if row.get("message"):
        lines.append(f"* notes: {row['message']}")
    lines += ["", "| check | points | result |", "|---|---|---|"]
    descr = {c.id: c.description for c in assignment.checks}
    for cid, c in row["checks"].items():
        msg = str(c["message"]).replace("|", "\\|").replace("\n", " ")
        mark = "passed" if c["points"] >= c["max"] else msg
        lines.append(f"| {cid}: {descr.get(cid, '')} | {c['points']:g} / {c['max']:g} | {mark} |")
    lines += ["", "The hidden checks call your functions on new random inputs (seeded for you) and "
              "compare the results with the expected values. Run the public check cells in your "
              "notebook for a diagnosis you can iterate on."]
    return "\n".join(lines) + "\n"


def write_reports(out: Path, assignment, rows: dict, settings: dict):
    """Write grades.csv, grades.json and the feedback files from ``rows`` (student -> row)."""
    out.mkdir(parents=True, exist_ok=True)
    fb = out / "feedback"
    fb.mkdir(exist_ok=True)
    check_ids = [c.id for c in assignment.checks]
    ordered = [rows[s] for s in sorted(rows)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "file", "status", "total", "max_total", *check_ids, "message", "sha256"])
    for r in ordered:
        w.writerow([r["student"], r["file"], r["status"], f"{r['total']:g}", f"{r['max_total']:g}",
                    *[f"{r['checks'].get(c, {}).get('points', 0):g}" for c in check_ids],
                    r.get("message", ""), r.get("sha256", "")])
    doc = {"assignment": assignment.number, "topic": assignment.topic,
           "max_total": assignment.max_points,
           "checks": [{"id": c.id, "function": assignment.group(c.group).function,
                       "points": c.points, "description": c.description} for c in assignment.checks],
           "statuses": list(STATUSES), "settings": settings, "submissions": ordered}
    _atomic_write(out / "grades.json", json.dumps(doc, indent=1))
    _atomic_write(out / "grades.csv", buf.getvalue())
    for r in ordered:
        _atomic_write(fb / f"{_safe(r['student'])}.md", feedback_text(r, assignment))


def _run_worker(job: dict, timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="grade-job-") as d:
        jp, rp = Path(d) / "job.json", Path(d) / "row.json"
        jp.write_text(json.dumps(job), encoding="utf-8")
        cmd = [sys.executable, "-m", "mlpkit.grader.kernel", str(jp), str(rp)]
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=timeout, start_new_session=True)
            err = proc.stderr.decode("utf-8", "replace")[-500:]
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "message": f"grading took longer than {timeout:g} s and "
                                                    "was stopped"}
        if rp.exists():
            try:
                return json.loads(rp.read_text(encoding="utf-8"))
            except Exception:
                pass
        return {"status": "grader-error", "message": f"the grading worker failed (exit code "
                                                    f"{proc.returncode}): {err.strip()[-300:]}"}


def _fill(row: dict, assignment, student: str, path: Path) -> dict:
    """Make sure a row has every field, whatever happened."""
    row.setdefault("student", student)
    row.setdefault("file", path.name)
    row.setdefault("total", 0.0)
    row.setdefault("max_total", assignment.max_points)
    row.setdefault("events", [])
    row.setdefault("notes", [])
    checks = row.setdefault("checks", {})
    for c in assignment.checks:
        checks.setdefault(c.id, {"points": 0.0, "max": c.points,
                                 "message": f"not graded: {row.get('message', '')}"})
    return row


def grade_folder(number: str, submissions: Path, out: Path, *, resume: bool = False,
                 force: bool = False, jobs: int | None = None, limits: Limits | None = None,
                 seed: int = 0, quiet: bool = False, stream=None) -> dict:
    """Grade every submission in ``submissions``; returns the rows (student -> row)."""
    assignment = get(number)
    limits = limits or Limits()
    submissions, out = Path(submissions), Path(out)
    if not submissions.is_dir():
        raise FileNotFoundError(f"submissions folder {submissions} does not exist")
    settings = {"seed": seed, "limits": asdict(limits)}
    existing = out / "grades.json"
    rows: dict = {}
    if existing.exists() or (out / "grades.csv").exists():
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
        else:
            try:
                old = json.loads(existing.read_text(encoding="utf-8"))
            except Exception as exc:
                raise GradeFilesExist(f"cannot resume: {existing} is unreadable ({exc}); use --force")
            if old.get("assignment") != assignment.number or old.get("settings", {}).get("seed") != seed:
                raise GradeFilesExist(f"cannot resume: {existing} is for assignment "
                                      f"{old.get('assignment')} with seed "
                                      f"{old.get('settings', {}).get('seed')}; use --force")
            rows = {r["student"]: r for r in old.get("submissions", [])}
    todo = []
    for student, path in collect_submissions(submissions):
        digest = _sha256(path) if path.is_file() else ""
        prev = rows.get(student)
        if prev and prev.get("sha256") == digest and digest and prev.get("status") != "grader-error":
            continue
        todo.append((student, path, digest))
    jobs = max(1, jobs or os.cpu_count() or 1)
    progress = Progress(len(todo), quiet=quiet, stream=stream)
    lock = threading.Lock()
    if not todo:
        write_reports(out, assignment, rows, settings)
        return rows

    def one(student, path, digest):
        job = {"path": str(path.resolve()), "assignment": assignment.number, "student": student,
               "seed": seed, "limits": asdict(limits)}
        row = _run_worker(job, limits.total_timeout + 120)
        row = _fill(row, assignment, student, path)
        row["sha256"] = digest
        return student, row

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one, *t) for t in todo]
        for fut in as_completed(futures):
            student, row = fut.result()
            with lock:
                rows[student] = row
                write_reports(out, assignment, rows, settings)
            progress.step(f"{student}: {row['status']} {row['total']:g}/{row['max_total']:g}")
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
    try:
        rows = grade_folder(args.assignment, Path(args.submissions), Path(args.out),
                            resume=args.resume, force=args.force, jobs=args.jobs, limits=limits,
                            seed=args.seed, quiet=args.quiet)
    except (GradeFilesExist, FileNotFoundError) as exc:
        print(f"mlpkit grade: {exc}", file=sys.stderr)
        return 2
    counts: dict = {}
    for r in rows.values():
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    summary = ", ".join(f"{counts[s]} {s}" for s in STATUSES + ("grader-error",) if s in counts)
    print(f"graded {len(rows)} submission(s) of assignment {assignment.number}: {summary}")
    print(f"wrote {Path(args.out) / 'grades.csv'}, grades.json and feedback/")
    return 0
