"""`mlpkit grade` from the command line, and the strictness of what crosses the kernel boundary."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from grader_cases.nbtools import read, solution_path, with_edit
from mlpkit.cli import main as cli_main
from mlpkit.grader.report import feedback_name
from mlpkit import safecall

STABLE = "    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1.0, e) / (1.0 + e)"
NAIVE = "    return 1.0 / (1.0 + np.exp(-z))  # overflow RuntimeWarning for z = -1000"


def test_grade_command_end_to_end(tmp_path, capsys):
    import nbformat

    subs, out = tmp_path / "subs", tmp_path / "grades"
    subs.mkdir()
    nb = with_edit(read(solution_path("02")), "def sigmoid(z):", STABLE, NAIVE)
    nbformat.write(nb, str(subs / "naive.ipynb"))
    (subs / "notes.txt").write_text("not a notebook")
    args = ["grade", "02", str(subs), "--out", str(out), "--jobs", "2", "--cell-timeout", "20",
            "--total-timeout", "90"]
    assert cli_main(args) == 0
    captured = capsys.readouterr()
    assert "2/2 graded" in captured.err                        # the progress bar
    assert "1 not-a-notebook, 1 ok" in captured.out
    with open(out / "grades.csv", newline="") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    # the naive sigmoid warns (RuntimeWarning on stderr) but is right: full points
    assert rows["naive"]["status"] == "ok" and rows["naive"]["total"] == "10"
    assert rows["notes.txt"]["status"] == "not-a-notebook"
    assert (out / "feedback" / feedback_name("naive")).exists()

    assert cli_main(args) == 2                                  # never overwritten silently
    assert "--resume" in capsys.readouterr().err
    assert cli_main(args + ["--force"]) == 0
    assert list(out.glob("grades.csv.bak-*")) and list(out.glob("grades.json.bak-*"))
    assert json.loads((out / "grades.json").read_text())["submissions"][0]["student"] == "naive"


def test_list_checks(capsys):
    assert cli_main(["grade", "04", "--list-checks"]) == 0
    out = capsys.readouterr().out
    assert "12 points" in out and "dW1" in out and "backward" in out


@pytest.mark.parametrize("number", ["0", "00", "01", "02", "03", "04", "05", "06", "07"])
def test_list_checks_of_every_assignment(number, capsys):
    assert cli_main(["grade", number, "--list-checks"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"assignment {number.zfill(2)} (") and " points" in out


def test_grade_assignment_00_with_a_shape_error(tmp_path):
    """00 through a real kernel: a ValueError inside the student's function reaches the feedback
    with the explanation of which shapes did not line up (the hint is added by the grader)."""
    import nbformat

    subs, out = tmp_path / "subs", tmp_path / "grades"
    subs.mkdir()
    sol = read(solution_path("00"))
    nbformat.write(sol, str(subs / "right.ipynb"))
    bad = with_edit(sol, "def dense_batch(", "return A_prev @ W.T + b", "return A_prev @ W + b")
    nbformat.write(bad, str(subs / "no_transpose.ipynb"))
    assert cli_main(["grade", "00", str(subs), "--out", str(out), "--jobs", "2", "--quiet",
                     "--cell-timeout", "20", "--total-timeout", "90"]) == 0
    rows = {r["student"]: r for r in json.loads((out / "grades.json").read_text())["submissions"]}
    assert rows["right"]["status"] == "ok" and rows["right"]["total"] == 10
    wrong = rows["no_transpose"]
    assert wrong["status"] == "fail" and wrong["total"] == 6
    msg = wrong["checks"]["dense_batch"]["message"]
    assert "dense_batch raised ValueError" in msg and "so use A_prev @ W.T" in msg, msg
    assert "so use A_prev @ W.T" in (out / "feedback" / feedback_name("no_transpose")).read_text()


def test_unknown_assignment(capsys):
    assert cli_main(["grade", "99", "x", "--out", "y"]) == 2


@pytest.mark.parametrize("payload", [
    {"__nd__": 1, "dtype": "|O", "shape": [1], "data": ""},                # object array
    {"__nd__": 1, "dtype": "<f8", "shape": [2], "data": "AAAAAAAAAAA="},  # wrong length
    {"__nd__": 1, "dtype": "<f8", "shape": [-1], "data": ""},
    {"something": "else"},
    ["a list is fine", {"__pickle__": "gASV"}],
])
def test_decode_is_strict(payload):
    with pytest.raises(ValueError):
        safecall.decode(payload)


def test_encode_decode_round_trip():
    value = (np.arange(6, dtype=np.float32).reshape(2, 3), [1, 2.5, None, True], {"k": np.int64(3)},
             float("nan"), object())
    back = safecall.decode(json.loads(json.dumps(safecall.encode(value))))
    assert back[0].dtype == np.float32 and np.array_equal(back[0], value[0])
    assert back[1] == [1, 2.5, None, True] and back[2]["k"] == 3
    assert np.isnan(back[3]) and isinstance(back[4], safecall.Unsupported)


def test_call_reports_mutation_and_silences_warnings():
    def f(a):
        a += 1
        return np.exp(np.array([1000.0]))

    res = safecall.call(f, [np.zeros(2)])
    assert res["status"] == "ok" and res["mutated"] == [0] and np.isinf(res["value"][0])


def test_refuses_without_bwrap_unless_no_sandbox(tmp_path, monkeypatch, capsys):
    from mlpkit.grader import runner, sandbox

    monkeypatch.setattr(runner, "find_bwrap", lambda: None)
    monkeypatch.setattr(sandbox, "find_bwrap", lambda: None)
    subs, out = tmp_path / "subs", tmp_path / "grades"
    subs.mkdir()
    (subs / "notes.txt").write_text("not a notebook")
    args = ["grade", "04", str(subs), "--out", str(out), "--quiet"]
    assert cli_main(args) == 2
    err = capsys.readouterr().err
    assert "bubblewrap (bwrap) is not installed" in err and "--no-sandbox" in err
    assert not out.exists()
    assert cli_main(args + ["--no-sandbox"]) == 0
    captured = capsys.readouterr()
    assert "WITHOUT a sandbox" in captured.err and "WITHOUT a sandbox" in captured.out
    doc = json.loads((out / "grades.json").read_text())
    assert "WITHOUT a sandbox" in doc["settings"]["sandbox"]
    assert doc["submissions"][0]["status"] == "not-a-notebook"


def test_a_worker_killed_by_a_signal_is_a_crash_not_a_grader_error(tmp_path):
    import os
    import threading
    import time

    import nbformat
    import psutil

    from mlpkit.grader import local
    from mlpkit.grader.assignments import get
    from mlpkit.grader.execute import Limits

    nb = read(solution_path("02"))
    nb.cells.insert(1, nbformat.v4.new_code_cell("import time\ntime.sleep(60)"))
    nbformat.write(nb, str(tmp_path / "slow.ipynb"))
    job = {"path": str(tmp_path / "slow.ipynb"), "assignment": "02", "student": "slow", "seed": 0,
           "limits": {**Limits(cell_timeout=90).__dict__}, "sandbox": True, "hide": [],
           "tmp": str(tmp_path)}
    out = []
    t = threading.Thread(target=lambda: out.append(local.run_worker(job, get("02"), 120)))
    t.start()
    me, workers = psutil.Process(os.getpid()), []
    for _ in range(300):          # the worker: a child of the forkserver, with a kernel under it
        workers = [w for c in me.children() for w in c.children()
                   if w.name() != "bwrap" and w.children(recursive=True)]
        if workers:
            break
        time.sleep(0.1)
    assert workers
    for w in workers:
        w.kill()
    t.join(60)
    row = out[0]
    assert row.status == "crashed" and "killed by signal 9" in row.message and row.total == 0


def test_a_killed_forkserver_crashes_its_worker_and_the_next_one_starts(tmp_path):
    """A worker whose forkserver is killed dies with it ('crashed', no grader-error); the next
    submission gets a new forkserver."""
    import os
    import threading
    import time

    import nbformat
    import psutil

    from mlpkit.grader import local
    from mlpkit.grader.assignments import get
    from mlpkit.grader.execute import Limits

    nb = read(solution_path("02"))
    nbformat.write(nb, str(tmp_path / "good.ipynb"))
    nb.cells.insert(1, nbformat.v4.new_code_cell("import time\ntime.sleep(60)"))
    nbformat.write(nb, str(tmp_path / "slow.ipynb"))
    job = {"path": str(tmp_path / "slow.ipynb"), "assignment": "02", "student": "slow", "seed": 0,
           "limits": {**Limits(cell_timeout=90).__dict__}, "sandbox": True, "hide": [],
           "tmp": str(tmp_path), "runner_pid": os.getpid()}
    out = []
    t = threading.Thread(target=lambda: out.append(local.run_worker(job, get("02"), 120)))
    t.start()
    me, servers = psutil.Process(os.getpid()), []
    for _ in range(300):          # the forkserver: a child of this process, the worker under it
        servers = [c for c in me.children() if "forkserver" in " ".join(c.cmdline())
                   and any(w.children() for w in c.children())]
        if servers:
            break
        time.sleep(0.1)
    assert servers
    for s in servers:
        s.kill()
    t.join(60)
    row = out[0]
    assert row.status == "crashed" and "forkserver" in row.message and row.total == 0, row.message
    good = dict(job, path=str(tmp_path / "good.ipynb"), student="good")
    row = local.run_worker(good, get("02"), 120)
    assert row.status == "ok" and row.total == row.max_total, row.message
