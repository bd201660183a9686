"""Writing the results: ``grades.csv``, ``grades.json`` and one feedback file per student."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path

from .rows import STATUSES, Row

__all__ = ["write_reports", "feedback_text", "feedback_name", "csv_cell", "mark_identical",
           "mark_similar", "similar_text"]


def feedback_name(student: str) -> str:
    """The feedback file's name for a student id: readable, and unique for every id (a hash of
    the whole id is appended: ids made of non-ASCII letters or equal in their first 80
    characters, or differing only in case, never share a file)."""
    stem = re.sub(r"[^A-Za-z0-9_.@-]+", "_", student)[:80].lstrip(".") or "_"
    return f"{stem}-{hashlib.sha256(student.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}.md"


def csv_cell(text) -> str:
    """A text cell, defused for spreadsheets (OWASP CSV injection: a leading = + - @ tab or
    carriage return makes a formula; a quote is put in front)."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def mark_identical(rows: dict, exclude=()) -> list:
    """Pairs ``(a, b, 1.0)`` of students whose code is identical (digests in ``exclude``, the
    handed-out code, never count): what is flagged with ``--similarity-threshold off``."""
    groups: dict = {}
    for r in rows.values():
        if r.code_sha256 and r.code_sha256 not in exclude:
            groups.setdefault(r.code_sha256, []).append(r.student)
    return [(a, b, 1.0) for g in groups.values() for n, a in enumerate(sorted(g))
            for b in sorted(g)[n + 1:]]


def mark_similar(rows: dict, pairs) -> None:
    """Fill each row's ``similar_to`` from ``pairs`` ``(a, b, score)``: the other students,
    best score first, as ``{"student": ..., "score": ...}``."""
    found: dict = {s: {} for s in rows}
    for a, b, score in pairs:
        for me, other in ((a, b), (b, a)):
            if me in found:
                found[me][other] = max(score, found[me].get(other, 0.0))
    for s, r in rows.items():
        r.similar_to = [{"student": o, "score": round(v, 2)}
                        for o, v in sorted(found[s].items(), key=lambda kv: (-kv[1], kv[0]))]


def similar_text(similar_to: list) -> str:
    """``bob (0.93); carol (1.00)``: the CSV cell of ``similar_to``."""
    return "; ".join(f"{s['student']} ({s['score']:.2f})" for s in similar_to)


def _atomic_write(path: Path, text: str):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def feedback_text(row: Row, assignment) -> str:
    lines = [f"# Feedback: assignment {assignment.number} ({assignment.topic})", "",
             f"* student: {row.student}", f"* file: {row.file}",
             f"* points: **{row.total:g} / {row.max_total:g}**",
             f"* status: {row.status}"]
    if row.message:
        lines.append(f"* notes: {row.message}")
    lines += ["", "| check | points | result |", "|---|---|---|"]
    descr = {c.id: c.description for c in assignment.checks}
    for cid, c in row.checks.items():
        msg = str(c.message).replace("|", "\\|").replace("\n", " ")
        mark = "passed" if c.points >= c.max else msg
        lines.append(f"| {cid}: {descr.get(cid, '')} | {c.points:g} / {c.max:g} | {mark} |")
    lines += ["", "The hidden checks call your functions on new random inputs (seeded for you) and "
              "compare the results with the expected values. Run the public check cells in your "
              "notebook for a diagnosis you can iterate on."]
    return "\n".join(lines) + "\n"


def _csv_text(assignment, ordered: list) -> str:
    check_ids = [c.id for c in assignment.checks]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "file", "status", "total", "max_total", *check_ids, "message",
                "similar_to", "feedback", "sha256"])
    for r in ordered:
        points = [f"{r.checks[c].points:g}" if c in r.checks else "0" for c in check_ids]
        w.writerow([csv_cell(r.student), csv_cell(r.file), r.status, f"{r.total:g}",
                    f"{r.max_total:g}", *points, csv_cell(r.message),
                    csv_cell(similar_text(r.similar_to)), feedback_name(r.student), r.sha256])
    return buf.getvalue()


def write_reports(out: Path, assignment, rows: dict, settings: dict):
    """Write grades.csv, grades.json and the feedback files from ``rows`` (student -> Row);
    ``similar_to`` as the rows hold it (filled at the end of a run: :func:`mark_similar`)."""
    out.mkdir(parents=True, exist_ok=True)
    fb = out / "feedback"
    fb.mkdir(exist_ok=True)
    ordered = [rows[s] for s in sorted(rows)]
    doc = {"assignment": assignment.number, "topic": assignment.topic,
           "max_total": assignment.max_points,
           "checks": [{"id": c.id, "function": assignment.group(c.group).function,
                       "points": c.points, "description": c.description} for c in assignment.checks],
           "statuses": list(STATUSES), "settings": settings,
           "submissions": [r.to_dict() for r in ordered]}
    _atomic_write(out / "grades.json", json.dumps(doc, indent=1))
    _atomic_write(out / "grades.csv", _csv_text(assignment, ordered))
    for r in ordered:
        _atomic_write(fb / feedback_name(r.student), feedback_text(r, assignment))
