"""A course checked out under /tmp (CI may clone there) grades in the sandbox: the kernel's
private /tmp must not cover the read-only binds of the course's mlpkit/ or its environment."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from grader_cases.nbtools import read, solution_path
from mlpkit.grader.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
USES_MLPKIT = """\
_dense_batch = dense_batch
def dense_batch(A_prev, W, b):
    import mlpkit
    if not mlpkit.__file__.startswith("COURSE/"):
        raise ImportError(f"mlpkit from {mlpkit.__file__}, not from COURSE")
    return _dense_batch(A_prev, W, b)
"""


def test_binds_under_tmp_come_after_the_private_tmp(tmp_path):
    pkg = tmp_path / "course" / "mlpkit"
    pkg.mkdir(parents=True)
    argv = Sandbox(bwrap="bwrap", read_only=["/usr", str(pkg)]).argv(str(tmp_path))
    tmpfs = argv.index("/tmp", argv.index("--tmpfs"))
    binds = [i for i, a in enumerate(argv) if a == "--ro-bind" and argv[i + 1] == str(pkg)]
    assert binds and all(i > tmpfs for i in binds), argv


def test_a_course_copied_under_tmp_grades_in_the_sandbox(tmp_path):
    assert str(tmp_path.resolve()).startswith("/tmp/")
    course = tmp_path / "course"
    shutil.copytree(ROOT / "mlpkit", course / "mlpkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    nb = read(solution_path("00"))
    # a graded function that needs the course's mlpkit, from inside the sandbox
    nb.cells.append(nbformat.v4.new_code_cell(USES_MLPKIT.replace("COURSE", str(course))))
    nbformat.write(nb, str(subs / "student.ipynb"))
    env = dict(os.environ, PYTHONPATH=str(course))
    where = subprocess.run([sys.executable, "-c", "import mlpkit; print(mlpkit.__file__)"],
                           cwd=course, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip() == str(course / "mlpkit" / "__init__.py")  # the copy grades
    proc = subprocess.run([sys.executable, "-m", "mlpkit", "grade", "00", str(subs), "--out",
                           str(out), "--quiet", "--jobs", "1"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    row, = json.loads((out / "grades.json").read_text())["submissions"]
    assert "bubblewrap" in json.loads((out / "grades.json").read_text())["settings"]["sandbox"]
    assert row["status"] == "ok" and row["total"] == row["max_total"], row["checks"]
