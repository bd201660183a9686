"""`mlpkit grade --dask`: a class graded on a LocalCluster of 2 worker processes.

Rows equal to a local run (except the time taken); a worker killed mid-run loses no row; a
submission that kills every worker grading it ends as `crashed` (KilledWorker) and the run goes
on; `--resume` after the client itself was killed. Limits and waits are generous, and every
wait is for a condition, so that a loaded machine only makes the tests slower.
"""
from __future__ import annotations

import copy
import inspect
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from grader_cases.bad import BACKWARD, IMPORTS, WRONG_SIGN, WRONG_SIGN_NEW, _insert
from grader_cases.nbtools import find_cell, read, solution_path, with_edit
from mlpkit.cli import main as cli_main
from mlpkit.grader import cluster
from mlpkit.grader.cluster import ClusterError, DaskExecutor, grade_task, grader_fingerprint
from mlpkit.grader.execute import Limits
from mlpkit.grader.runner import grade_folder

if os.environ.get("CI"):  # make test installs the [cluster] extra: in CI these tests must run
    import distributed
else:
    distributed = pytest.importorskip("distributed",
                                      reason=f"the [cluster] extra: {cluster.INSTALL_HINT}")

LIMITS = Limits(cell_timeout=8.0, total_timeout=120.0, memory_mb=1536)
ARGS = ["--cell-timeout", "8", "--total-timeout", "120", "--memory-mb", "1536"]
# the killer test must reach its worker: outside a sandbox (where the grader has one)
UNSANDBOXED = {"sandbox": False} if "sandbox" in inspect.signature(grade_folder).parameters else {}
UNSANDBOXED_ARGS = ["--no-sandbox"] if UNSANDBOXED else []

# A cell that kills the Dask worker process grading it: the first ancestor of the kernel started
# by multiprocessing that is not a forkserver process (kernel <- the grading worker, forked from
# <- the forkserver <- the Dask worker). Only a process started by multiprocessing (a Dask worker)
# is killed, never a local grader (a console script) that would sit in the same place.
KILL_DASK_WORKER = (
    "import os, signal\n"
    "def _parent(pid):\n"
    "    with open(f'/proc/{pid}/stat') as fh:\n"
    "        return int(fh.read().rsplit(')', 1)[1].split()[1])\n"
    "_p = os.getppid()\n"
    "while _p > 1:\n"
    "    with open(f'/proc/{_p}/cmdline', 'rb') as fh:\n"
    "        _cmd = fh.read()\n"
    "    if b'multiprocessing' in _cmd and b'forkserver' not in _cmd:\n"
    "        os.kill(_p, signal.SIGKILL)\n"
    "        break\n"
    "    _p = _parent(_p)\n")


def write_class(folder: Path, sleep: float = 0.0) -> dict:
    """Good, wrong, hanging, crashing, missing and not-a-notebook submissions of 04.

    ``sleep`` adds a cell sleeping that long to each notebook (time to kill something)."""
    folder.mkdir(parents=True, exist_ok=True)
    sol = read(solution_path("04"))
    if sleep:
        sol = _insert(sol, IMPORTS, f"import time\ntime.sleep({sleep})")
    nbs = {
        "good": sol,
        "wrong": with_edit(sol, BACKWARD, WRONG_SIGN, WRONG_SIGN_NEW),
        "hanging": _insert(sol, IMPORTS, "while True:\n    pass"),
        "crashing": _insert(sol, IMPORTS, "import os\nos._exit(0)"),
    }
    missing = copy.deepcopy(sol)
    del missing.cells[find_cell(missing, BACKWARD)]
    nbs["missing"] = missing
    for name, nb in nbs.items():
        nbformat.write(nb, str(folder / f"{name}.ipynb"))
    (folder / "notes.txt").write_text("not a notebook")
    (folder / "no_notebook").mkdir()
    return {"good": "ok", "wrong": "fail", "hanging": "timeout", "crashing": "crashed",
            "missing": "missing-function", "notes.txt": "not-a-notebook",
            "no_notebook": "not-a-notebook"}


def without_time(rows: dict, drop=()) -> dict:
    out = {}
    for student, row in rows.items():
        d = row.to_dict() if hasattr(row, "to_dict") else dict(row)
        for key in ("elapsed", *drop):
            d.pop(key, None)
        out[student] = d
    return out


def json_rows(out: Path) -> dict:
    try:
        doc = json.loads((out / "grades.json").read_text())
    except (OSError, ValueError):
        return {}
    return {r["student"]: r for r in doc["submissions"]}


def wait_for(condition, timeout: float, what: str, step: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(step)
    pytest.fail(f"waited {timeout:g} s for {what}")


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    expect = write_class(base / "subs")
    rows = grade_folder("04", base / "subs", base / "local", jobs=2, limits=LIMITS, seed=3,
                        quiet=True)
    return base, expect, rows


def test_dask_rows_equal_a_local_run(local_run):
    base, expect, local = local_run
    assert {s: r.status for s, r in local.items()} == expect
    executor = DaskExecutor("local:2")
    try:
        rows = grade_folder("04", base / "subs", base / "dask", limits=LIMITS, seed=3, quiet=True,
                            executor=executor)
        assert len(executor.client.nthreads()) == 2
    finally:
        executor.close()
    assert without_time(rows) == without_time(local)
    assert without_time(json_rows(base / "dask")) == without_time(json_rows(base / "local"))
    # the files carry no timing: byte for byte the same
    assert (base / "dask" / "grades.csv").read_bytes() == (base / "local" / "grades.csv").read_bytes()
    for fb in (base / "local" / "feedback").iterdir():
        assert (base / "dask" / "feedback" / fb.name).read_text() == fb.read_text()


def _alive(p) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _worker_grading_for(client, seconds: float):
    """``(address, pid, processes)`` of a Dask worker whose kernel has run ``seconds``."""
    if client is None:
        return None
    for address, pid in client.run(os.getpid).items():
        try:
            kids = psutil.Process(pid).children(recursive=True)
        except psutil.NoSuchProcess:
            continue
        try:
            kernels = [k for k in kids if "ipykernel" in " ".join(k.cmdline())]
        except psutil.NoSuchProcess:
            continue
        if any(time.time() - k.create_time() > seconds for k in kernels):
            return address, pid, kids
    return None


def test_a_worker_killed_mid_run_loses_no_row(tmp_path):
    """The worker is killed 3 s into a kernel that sleeps 20 s: its task is graded again
    elsewhere, and its grading process and kernel end at once (not 17 s later, orphaned)."""
    limits = Limits(cell_timeout=60.0, total_timeout=200.0, memory_mb=1536)
    sol = _insert(read(solution_path("04")), IMPORTS, "import time\ntime.sleep(20)")
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(2):
        nbformat.write(sol, str(subs / f"good{i}.ipynb"))
        nbformat.write(with_edit(sol, BACKWARD, WRONG_SIGN, WRONG_SIGN_NEW),
                       str(subs / f"wrong{i}.ipynb"))
    executor = DaskExecutor("local:2")
    killed = []

    def killer():
        address, pid, grading = wait_for(lambda: _worker_grading_for(executor.client, 3.0), 300,
                                         "a kernel 3 s into a submission")
        os.kill(pid, signal.SIGKILL)
        t0 = time.monotonic()
        while any(_alive(p) for p in grading) and time.monotonic() - t0 < 30:
            time.sleep(0.1)
        killed.append((pid, grading, time.monotonic() - t0))

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        rows = grade_folder("04", subs, tmp_path / "out", limits=limits, seed=3, quiet=True,
                            executor=executor)
        thread.join(60)
        # the nanny starts a new worker process in place of the killed one
        wait_for(lambda: len(executor.client.nthreads()) == 2, 120, "the worker to come back")
        pids = executor.client.run(os.getpid).values()
    finally:
        executor.close()
    assert killed, "the killer thread found no worker to kill"
    (pid, grading, ended_after), = killed
    assert pid not in pids
    assert len(grading) >= 2, grading                  # the grading worker and its kernel
    assert ended_after < 8, f"orphaned grading processes lived {ended_after:.1f} s on"
    assert set(rows) == {"good0", "good1", "wrong0", "wrong1"}
    assert all(r.status == ("ok" if s.startswith("good") else "fail") for s, r in rows.items()), \
        {s: (r.status, r.message) for s, r in rows.items()}
    assert len(json_rows(tmp_path / "out")) == 4


def test_a_submission_that_kills_its_workers_is_crashed_and_the_run_goes_on(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    sol = read(solution_path("04"))
    nbformat.write(sol, str(subs / "good.ipynb"))
    nbformat.write(_insert(sol, IMPORTS, KILL_DASK_WORKER), str(subs / "killer.ipynb"))
    nbformat.write(with_edit(sol, BACKWARD, WRONG_SIGN, WRONG_SIGN_NEW), str(subs / "wrong.ipynb"))
    executor = DaskExecutor("local:2", allowed_failures=1)   # 2 tries, 2 workers killed
    try:
        rows = grade_folder("04", subs, tmp_path / "out", limits=LIMITS, seed=3, quiet=True,
                            executor=executor, **UNSANDBOXED)
    finally:
        executor.close()
    killer = rows["killer"]
    assert killer.status == "crashed" and killer.total == 0, killer.message
    assert "KilledWorker" in killer.message and "2 tries" in killer.message
    assert rows["good"].status == "ok" and rows["good"].total == 12
    assert rows["wrong"].status == "fail"
    assert json_rows(tmp_path / "out")["killer"]["status"] == "crashed"


CLI = [sys.executable, "-c", "import sys; from mlpkit.cli import main; sys.exit(main(sys.argv[1:]))"]


def test_resume_after_the_client_is_killed(tmp_path, local_run):
    base, expect, local = local_run
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    for entry in (base / "subs").iterdir():              # the class graded locally above ...
        target = subs / entry.name
        target.mkdir() if entry.is_dir() else target.write_bytes(entry.read_bytes())
    for i in range(3):                                   # ... and more: time to kill the run
        (subs / f"good{i}.ipynb").write_bytes((subs / "good.ipynb").read_bytes())
    total = len(expect) + 3
    cmd = CLI + ["grade", "04", str(subs), "--out", str(out), "--dask", "local:2", "--seed", "3",
                 *ARGS, *UNSANDBOXED_ARGS]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for(lambda: len(json_rows(out)) >= 2 or proc.poll() is not None, 300,
                 "two rows in grades.json")
        os.killpg(proc.pid, signal.SIGKILL)              # the client, its scheduler and workers
    finally:
        proc.wait(60)
    before = json_rows(out)
    assert 2 <= len(before) < total, f"the run was not interrupted half-way: {len(before)} rows"

    resumed = subprocess.run(cmd + ["--resume", "--quiet"], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    after = json_rows(out)
    assert set(after) == set(expect) | {"good0", "good1", "good2"}
    for student, row in before.items():                 # kept, not graded again (same time)
        assert {k: v for k, v in after[student].items() if k != "similar_to"} == \
            {k: v for k, v in row.items() if k != "similar_to"}
    # the same rows as the local run of the same files (which lists, where the grader finds
    # similar submissions, no copies: the copies here are the only difference)
    assert (without_time({s: after[s] for s in expect}, drop=("similar_to",))
            == without_time(local, drop=("similar_to",)))
    assert all(after[f"good{i}"]["status"] == "ok" for i in range(3))


def test_an_executor_on_a_client_of_your_own_leaves_it_open(tmp_path):
    """The Python way (Dask Gateway, KubeCluster): DaskExecutor(client)."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "notes.txt").write_text("not a notebook")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as lc, distributed.Client(lc) as client:
        executor = DaskExecutor(client)
        rows = grade_folder("04", subs, tmp_path / "out", limits=LIMITS, quiet=True,
                            executor=executor)
        executor.close()
        assert client.status == "running"
        assert client.submit(len, "abc").result() == 3
    assert rows["notes.txt"].status == "not-a-notebook"
    assert "not valid JSON" in rows["notes.txt"].message


def test_the_benchmark_runs_and_reports_what_the_docs_quote():
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "grade_dask.py"
    run = subprocess.run([sys.executable, str(script), "--copies", "2", "--rounds", "1"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    for fragment in ("trivial task round trip", "local :", "dask  :", "submissions/min",
                     "dask / local throughput", "32 workers"):
        assert fragment in run.stdout, run.stdout


# -- without a cluster ----------------------------------------------------------------------------

def test_grade_task_grades_bytes_like_the_local_worker(local_run, tmp_path):
    base, _, local = local_run
    data = (base / "subs" / "wrong.ipynb").read_bytes()
    import hashlib

    job = {"path": "/nowhere/on/this/worker.ipynb", "assignment": "04", "student": "wrong",
           "seed": 3, "limits": LIMITS.__dict__, "file": "wrong.ipynb",
           "sha256": hashlib.sha256(data).hexdigest()}
    row = grade_task(job, data, 300, grader_fingerprint())
    expected = local["wrong"].to_dict()
    for d in (row, expected):   # similar_to: the class's, filled by the runner at the end
        d.pop("elapsed"), d.pop("sha256"), d.pop("similar_to")
    assert row == expected
    with pytest.raises(RuntimeError, match="different mlpkit code"):
        grade_task(job, data, 300, "0" * 16)
    with pytest.raises(RuntimeError, match="arrived changed"):
        grade_task(job, data + b" ", 300, grader_fingerprint())


@pytest.mark.parametrize("address, fragment", [
    ("local:0", "N >= 1"), ("local:two", "N >= 1"), ("nonsense", "scheduler address"),
    ("/no/such/scheduler.json", "no such scheduler file"),
])
def test_bad_addresses_are_refused_clearly(address, fragment, tmp_path, capsys):
    with pytest.raises(ClusterError, match=fragment):
        DaskExecutor(address)
    (tmp_path / "subs").mkdir()
    assert cli_main(["grade", "04", str(tmp_path / "subs"), "--out", str(tmp_path / "o"),
                     "--dask", address]) == 2
    assert fragment in capsys.readouterr().err


def test_without_distributed_the_error_says_what_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)     # import distributed -> ImportError
    with pytest.raises(ClusterError, match=r"pip install -e '\.\[cluster\]'"):
        DaskExecutor("local:2")
    (tmp_path / "subs").mkdir()
    assert cli_main(["grade", "04", str(tmp_path / "subs"), "--out", str(tmp_path / "o"),
                     "--dask", "local:2"]) == 2
    assert "pip install -e '.[cluster]'" in capsys.readouterr().err


def test_sandboxed_jobs_need_bubblewrap_on_every_worker():
    infos = {"tcp://a:1": {"host": "node1", "bwrap": "/usr/bin/bwrap"},
             "tcp://b:1": {"host": "node2", "bwrap": None}}
    cluster.check_sandbox(infos, [{"student": "x"}])                  # no sandbox asked for
    cluster.check_sandbox(infos, [{"student": "x", "sandbox": False}])
    with pytest.raises(ClusterError, match="missing on these Dask worker hosts: node2;"):
        cluster.check_sandbox(infos, [{"student": "x", "sandbox": True}])


def test_jobs_and_dask_together_are_refused(tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    assert cli_main(["grade", "04", str(tmp_path / "subs"), "--out", str(tmp_path / "o"),
                     "--dask", "local:2", "--jobs", "3"]) == 2
    assert "--jobs is for a local run" in capsys.readouterr().err
