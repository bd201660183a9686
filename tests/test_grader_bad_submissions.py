"""The grader against the bad-submission bank of assignment 04 (bad.py, hostile.py: 60 entries),
graded in ONE call on 2 workers, in the sandbox.

Every entry must get its row, with the intended status, points and reason; no process and no
temporary folder of the run may be left. Limits are small (8 s per cell) so the suite stays fast.
"""
from __future__ import annotations

import csv
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from grader_cases import hostile
from grader_cases.bad import build
from mlpkit.grader.execute import Limits
from mlpkit.grader.report import csv_cell, feedback_name
from mlpkit.grader.runner import GradeFilesExist, grade_folder

LIMITS = Limits(cell_timeout=8.0, total_timeout=90.0, memory_mb=1536, file_mb=64)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class04")
    subs, out = base / "submissions", base / "out"
    subs.mkdir()
    expect = build(subs, out, subs)
    rows = grade_folder("04", subs, out, jobs=2, limits=LIMITS, seed=7, quiet=True)
    # the run's temporary folder (the kernels' folders are in it); other runs on the machine
    # have another pid in the name
    left = set(Path(tempfile.gettempdir()).glob(f"mlpkit-grade-{os.getpid()}-*"))
    timing = sorted(((r.elapsed, s) for s, r in rows.items()), reverse=True)
    print("slowest:", timing[:8])
    return expect, rows, subs, out, left


def test_at_least_25_bad_submissions(graded):
    expect, rows, *_ = graded
    assert len(expect) >= 60
    assert set(rows) == set(expect)


@pytest.mark.parametrize("student", [
    "solution", "untouched", "syntax_error_early", "exception_at_import", "infinite_loop",
    "ignores_interrupt",
    "infinite_recursion", "too_slow", "waits_on_stdin", "sys_exit", "os_exit", "killed_by_signal",
    "memory_bomb", "huge_output", "traceback_hidden", "deleted_function", "renamed_function",
    "name_reused", "cell_to_markdown", "duplicated_cells", "moved_cell", "wiped_metadata",
    "wrong_signature", "public_cases_only", "nan_outputs", "wrong_shapes", "monkeypatches",
    "corrupted_json", "nul_in_source", "nul_bytes_in_file", "empty_file", "not_a_notebook.png",
    "json_not_notebook", "old_format", "other_kernel", "writes_grader_dir", "detects_grading",
    # hostile.py (issue 13)
    "forges_row_json", "sabotages_other_jobs", "setsid_rewrites_grades", "reads_solutions",
    "sees_grader_folders", "uses_network", "kills_workers", "patches_array_equal",
    "children_memory", "many_processes", "fills_connection_folder", "exit_in_cell", "quit_in_cell", "sys_exit_in_function",
    "exit_in_function", "input_in_function", "reset_last_cell", "huge_stored_outputs",
    "symlink_to_solution", "dangling_symlink", "fifo_entry", "folder_without_notebook",
    ".dotfile", hostile.LATIN1_ID, *hostile.NO_ASCII, hostile.LONG_ID + "a", hostile.LONG_ID + "b",
    hostile.CSV_ID, "copy_a", "copy_b", "copy_c",
])
def test_row(graded, student):
    expect, rows, *_ = graded
    e, row = expect[student], rows[student]
    detail = json.dumps({k: row.to_dict()[k] for k in ("status", "total", "message", "checks")},
                        indent=1)
    assert row.status == e.status, detail
    assert row.total == pytest.approx(e.total), detail
    assert e.message in row.message, detail
    for cid, fragment in e.checks.items():
        assert fragment in row.checks[cid].message, detail
    assert sum(c.points for c in row.checks.values()) == pytest.approx(row.total)


def test_csv_json_and_feedback_have_one_entry_per_submission(graded):
    expect, rows, _, out, _ = graded
    with open(out / "grades.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert sorted(r["student"] for r in table) == sorted(csv_cell(s) for s in expect)
    by = {r["student"]: r for r in table}
    assert by["solution"]["status"] == "ok" and float(by["solution"]["total"]) == 12
    assert by["too_slow"]["dW1"] == "0" and by["too_slow"]["forward_A2"] == "2"
    assert by["writes_grader_dir"]["total"] == "12"           # not the 1000 it tried to write
    doc = json.loads((out / "grades.json").read_text())
    assert doc["assignment"] == "04" and doc["max_total"] == 12
    assert len(doc["submissions"]) == len(expect)
    for student in expect:
        text = (out / "feedback" / feedback_name(student)).read_text()
        assert f"* student: {student}" in text and "/ 12" in text


def test_existing_grades_are_not_overwritten_silently(graded):
    _, _, subs, out, _ = graded
    before = (out / "grades.csv").read_text()
    with pytest.raises(GradeFilesExist):
        grade_folder("04", subs, out, jobs=2, limits=LIMITS, seed=7, quiet=True)
    assert (out / "grades.csv").read_text() == before


def test_feedback_files_are_unique_for_any_id(graded):
    expect, rows, _, out, _ = graded
    files = sorted((out / "feedback").iterdir())
    assert len(files) == len(expect)
    for sid in (*hostile.NO_ASCII, hostile.LONG_ID + "a", hostile.LONG_ID + "b", hostile.CSV_ID,
                hostile.LATIN1_ID):
        assert f"* student: {sid}\n" in (out / "feedback" / feedback_name(sid)).read_text()


def test_csv_formula_ids_are_escaped(graded):
    _, rows, _, out, _ = graded
    text = (out / "grades.csv").read_text()
    assert "\n'=cmd|' -c calc'!A0," in text or "\n\"'=cmd|' -c calc'!A0\"," in text
    assert "\n=cmd" not in text and '\n"=cmd' not in text
    with open(out / "grades.csv", newline="") as fh:
        assert all(not r["student"].startswith(("=", "+", "-", "@")) for r in csv.DictReader(fh))
    assert rows[hostile.CSV_ID].student == hostile.CSV_ID          # grades.json keeps the id


def test_identical_submissions_are_flagged(graded):
    _, rows, _, out, _ = graded
    partners = {s: {p["student"]: p["score"] for p in rows[s].similar_to}
                for s in ("copy_a", "copy_b", "copy_c")}
    assert partners["copy_a"]["copy_b"] == partners["copy_a"]["copy_c"] == 1.0
    assert partners["copy_b"]["copy_c"] == 1.0
    # near-identical (the sign slip is invisible once names are normalised): the solution too
    assert partners["copy_a"]["solution"] == 1.0 and "copy_a" in {
        p["student"] for p in rows["solution"].similar_to}
    # notebooks left as handed out are never similar to each other
    for sid in (*hostile.NO_ASCII, hostile.CSV_ID, "untouched"):
        assert rows[sid].similar_to == [], sid
    with open(out / "grades.csv", newline="") as fh:
        by = {r["student"]: r for r in csv.DictReader(fh)}
    cell = by["copy_c"]["similar_to"].split("; ")
    assert "copy_a (1.00)" in cell and "copy_b (1.00)" in cell


def test_nothing_is_left_running_or_on_disk(graded):
    expect, rows, subs, out, left = graded
    time.sleep(1.0)
    alive = [p.info["pid"] for p in psutil.process_iter(["pid", "cmdline"])
             if any(hostile.MARKER in str(a) for a in (p.info["cmdline"] or []))]
    assert alive == []
    assert left == set()
    for d in (out, subs, Path(tempfile.gettempdir())):
        assert not (d / "grades.csv").exists() or (d / "grades.csv").read_text() != "hacked"


def test_resume_regrades_only_changed_files_without_duplicates(graded):
    expect, rows, subs, out, _ = graded
    # "writes_grader_dir" tried to drop files into the submissions and output folders: its
    # sandbox does not even see them
    assert not any((subs / n).exists() for n in ("zz_fake.ipynb", "grades.csv", "grades.json"))
    (subs / "empty_file.ipynb").write_text((subs / "solution.ipynb").read_text())
    again = grade_folder("04", subs, out, resume=True, jobs=2, limits=LIMITS, seed=7, quiet=True)
    with open(out / "grades.csv", newline="") as fh:
        students = [r["student"] for r in csv.DictReader(fh)]
    assert len(students) == len(set(students))
    assert set(students) == {csv_cell(s) for s in expect}
    assert again["empty_file"].status == "ok" and again["empty_file"].total == 12
    # kept, not re-run; similar_to is the whole class's, recomputed: empty_file is a copy now
    assert replace(again["too_slow"], similar_to=[]) == replace(rows["too_slow"], similar_to=[])
    assert "empty_file" in {p["student"] for p in again["solution"].similar_to}
    assert "empty_file" not in {p["student"] for p in rows["solution"].similar_to}
