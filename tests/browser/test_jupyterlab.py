"""The course as students use it: every notebook opened and run in JupyterLab, in Chromium.

For each notebook in notebooks/ and solutions/ (copied to a temporary server root):
open it, wait for the kernel, Run All, wait for idle; no cell may show an error
(also inside widget outputs), every widget explorer must render a slider and an
output, and moving one slider of each explorer must change its output. A
screenshot of each notebook is saved in artifacts/browser/.

The last tests run the same checks on small generated notebooks with widget
callbacks broken on purpose, to show the suite fails when a widget does not work.
"""
from __future__ import annotations

import sys
import urllib.error

import pytest

import labdriver
from labdriver import REPORTS, SELFTEST_REPORTS


def pytest_generate_tests(metafunc):
    # whatever notebooks exist when the suite runs
    if "course_notebook" in metafunc.fixturenames:
        nbs = labdriver.course_notebooks()
        metafunc.parametrize("course_notebook", nbs, ids=nbs)


def test_notebook_in_jupyterlab(course_notebook, notebook_runs):
    rep = notebook_runs.result(course_notebook)
    REPORTS.append(rep)
    if rep.problems:
        raise labdriver.NotebookProblem(rep.summary())


# ---------------------------------------------------------------------------
# The suite can fail: widgets broken on purpose are caught (labdriver.SELFTESTS)

@pytest.mark.sample_notebook("broken_callbacks")
def test_detects_broken_widget_callbacks(notebook_runs):
    """Five explorers: one works; one ignores its slider; one never hears its slider (it observes
    a misspelt trait); one raises when the slider moves; one applies its slider on a 'Train'
    click. Exactly the three broken ones are reported."""
    rep = notebook_runs.result("selftest/broken_callbacks.ipynb")
    SELFTEST_REPORTS.append(rep)
    problems = "\n".join(rep.problems)
    assert rep.explorers == 5, rep.summary()
    # explorer 1 (cell 2) works: nothing reported about it
    assert not any(p.startswith("cell 2") for p in rep.problems), rep.summary()
    # explorer 2 (cell 3): its callback draws the same figure whatever the slider says
    assert "cell 3, explorer 2: slider does not change output" in problems, rep.summary()
    # explorer 3 (cell 4): its callback is never called
    assert "cell 4, explorer 3: slider does not change output" in problems, rep.summary()
    # explorer 4 (cell 5): its callback raises; the traceback lands in the widget's output
    assert "cell 5: traceback in a widget output: ValueError: broken callback" in problems, \
        rep.summary()
    # explorer 5 (cell 6): works through its 'Train' button (not 'Clear'), which is noted
    assert any(n.startswith("cell 6, explorer 5") and "'Train'" in n for n in rep.notes), \
        rep.summary()
    assert len(rep.problems) == 3, rep.summary()
    assert rep.screenshot, rep.summary()


@pytest.mark.sample_notebook("cell_error")
def test_detects_cell_error_and_missing_explorer(notebook_runs):
    """A cell that raises stops Run All: the error and the explorer that never rendered are reported."""
    rep = notebook_runs.result("selftest/cell_error.ipynb")
    SELFTEST_REPORTS.append(rep)
    problems = "\n".join(rep.problems)
    assert "cell 2: error output: ZeroDivisionError" in problems, rep.summary()
    assert "cell 3: not executed by Run All" in problems, rep.summary()
    assert "cell 3: the stored notebook shows a widget explorer here, but none rendered" in problems, \
        rep.summary()


# ---------------------------------------------------------------------------
# The server: sandboxed, the venv's kernel, stopped by process id

def test_server_sandbox_kernel_and_stop(tmp_path):
    """Token required, 'python3' is this venv's interpreter, and stop() ends the server and its kernel."""
    (tmp_path / "root").mkdir()
    server = labdriver.LabServer(tmp_path / "root", home=tmp_path / "home", log_path=tmp_path / "lab.log")
    procs = []
    try:
        server.start()
        with pytest.raises(urllib.error.HTTPError) as denied:
            server.api("GET", "/api/kernels", token=False)
        assert denied.value.code == 403
        specs = server.api("GET", "/api/kernelspecs")
        assert specs["default"] == "python3"
        assert specs["kernelspecs"]["python3"]["spec"]["argv"][0] == sys.executable
        kernel = server.api("POST", "/api/kernels", body={"name": "python3"},
                            timeout=labdriver.TIMEOUTS["kernel"])
        procs = labdriver._descendants(server.proc.pid)
        assert procs, "the kernel process was not found under the server"
        assert kernel["id"] in {k["id"] for k in server.api("GET", "/api/kernels")}
    finally:
        server.stop()
    assert server.proc.poll() is not None, "the server still runs"
    assert not [p for p in procs if labdriver._alive(p)], "a kernel outlived the server"
    assert server.stop() == []  # a second stop is harmless
