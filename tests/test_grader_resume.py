"""A grading run killed with SIGKILL half-way keeps every finished row, leaves no worker or
kernel running, and --resume then gives the same rows as an uninterrupted run."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import nbformat
import psutil

from grader_cases.nbtools import exercise_path, read, solution_path, with_edit
from mlpkit.cli import main as cli_main

STABLE = "    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1.0, e) / (1.0 + e)"
NAIVE = "    return 1.0 / (1.0 + np.exp(-z))"


def _submissions(folder):
    sol = read(solution_path("02"))
    nbformat.write(sol, str(folder / "a_solution.ipynb"))
    nbformat.write(with_edit(sol, "def sigmoid(z):", STABLE, NAIVE), str(folder / "b_naive.ipynb"))
    nbformat.write(read(exercise_path("02")), str(folder / "c_untouched.ipynb"))
    nbformat.write(sol, str(folder / "d_copy.ipynb"))
    (folder / "e_notes.txt").write_text("not a notebook")


def _rows(out):
    doc = json.loads((out / "grades.json").read_text())
    return {r["student"]: (r["status"], r["total"], {k: c["points"] for k, c in r["checks"].items()},
                           r["similar_to"]) for r in doc["submissions"]}


def test_killed_run_resumed_gives_the_rows_of_a_whole_run(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    _submissions(subs)
    common = ["grade", "02", str(subs), "--jobs", "1", "--quiet", "--cell-timeout", "30"]
    assert cli_main(common + ["--out", str(tmp_path / "whole")]) == 0
    whole = _rows(tmp_path / "whole")

    part = tmp_path / "part"
    proc = subprocess.Popen([sys.executable, "-m", "mlpkit", *common, "--out", str(part)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, seen = time.monotonic() + 180, set()
    while time.monotonic() < deadline:
        try:
            seen |= {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
            if len(_rows(part)) >= 2:
                break
        except (FileNotFoundError, json.JSONDecodeError, psutil.Error):
            pass
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = _rows(part)
    assert 2 <= len(finished) < len(whole)                  # killed half-way, rows kept
    assert all(whole[s][:3] == r[:3] for s, r in finished.items())   # similar_to: at the end
    time.sleep(2.0)
    left = [p for p in seen if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
    assert seen and left == []                              # no worker, bwrap or kernel left

    assert cli_main(common + ["--out", str(part), "--resume"]) == 0
    assert _rows(part) == whole
