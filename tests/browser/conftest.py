"""Fixtures of the browser suite: one JupyterLab server and one Chromium page for the session.

The suite runs when it is asked for: ``make test-browser``, ``pytest tests/browser``
(or a file in it), or ``MLP_BROWSER_TESTS=1``. A plain ``pytest tests`` (``make
test-unit``) skips it, so that ``make test`` runs it once, as its own step.

Notebooks are served from copies in a temporary directory: running them in the
browser never touches the committed files. Screenshots, the server log and a
per-notebook summary go to ``artifacts/browser/`` (``$MLP_BROWSER_ARTIFACTS``).
"""
from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import labdriver  # noqa: E402
from labdriver import REPORTS, SELFTEST_REPORTS, browser_requested, copy_course  # noqa: E402

SKIP_REASON = ("browser suite: run it with `make test-browser` (or `pytest tests/browser`, "
               "or MLP_BROWSER_TESTS=1)")


def pytest_collection_modifyitems(config, items):
    """Outside ``make test-browser`` / ``pytest tests/browser``, skip (before any fixture starts)."""
    if browser_requested(config):
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


def artifacts_dir() -> Path:
    d = Path(os.environ.get("MLP_BROWSER_ARTIFACTS", ROOT / "artifacts" / "browser"))
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="session")
def artifacts():
    d = artifacts_dir()
    for old in list(d.glob("*.jpg")) + list(d.glob("*.png")):  # screenshots of this run only
        old.unlink()
    return d


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-root")
    copy_course(ROOT, root)
    return root


@pytest.fixture(scope="session")
def lab_server(request, lab_root, tmp_path_factory, artifacts):
    """``jupyter lab`` on 127.0.0.1, a free port, temporary dirs; stopped by pid whatever happens."""
    server = labdriver.LabServer(lab_root, home=tmp_path_factory.mktemp("lab-home"),
                                 log_path=artifacts / "jupyterlab.log")
    request.addfinalizer(server.stop)  # registered before start: a half-started server is stopped too
    atexit.register(server.stop)       # and if pytest exits before its finalizers run
    # SIGTERM (a CI time-out) becomes KeyboardInterrupt, so that pytest runs the finalizers
    if threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGTERM)

        def on_sigterm(signum, frame):
            raise KeyboardInterrupt("SIGTERM")
        signal.signal(signal.SIGTERM, on_sigterm)
        request.addfinalizer(lambda: signal.signal(signal.SIGTERM, previous))
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def chromium_path():
    path = labdriver.find_chromium()
    if not path:
        pytest.skip("chromium not found (apt-get install chromium, or set CHROMIUM=/path/to/it)")
    pytest.importorskip("playwright.sync_api",
                        reason="playwright is not installed (pip install -e '.[test]')")
    return path


def shot_name(rel: str) -> str:
    return rel.replace("/", "__").removesuffix(".ipynb") + ".png"


def _planned(session):
    """The notebooks the selected tests need, longest (roughly) first."""
    course, samples = [], []
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "course_notebook" in callspec.params:
            course.append(callspec.params["course_notebook"])
        marker = item.get_closest_marker("sample_notebook")
        if marker is not None:
            samples.append(marker.args[0])
    size = lambda rel: (ROOT / rel).stat().st_size  # noqa: E731
    main = sorted((r for r in course if not r.startswith("solutions/")), key=size, reverse=True)
    rest = sorted((r for r in course if r.startswith("solutions/")), key=size, reverse=True)
    return main, samples, rest


@pytest.fixture(scope="session")
def notebook_runs(request, chromium_path, lab_server, lab_root, artifacts, tmp_path_factory):
    """Every notebook the selected tests need, checked in JupyterLab by parallel browser workers.

    Workers: ``$MLP_BROWSER_WORKERS`` (default 2 on a machine with 2+ CPUs), each with
    its own Chromium page; tests then wait for their notebook's report.
    """
    workers = int(os.environ.get("MLP_BROWSER_WORKERS", "2" if (os.cpu_count() or 1) >= 2 else "1"))
    runs = labdriver.NotebookRuns(lab_server, chromium_path, tmp_path_factory.mktemp("chromium-home"),
                                  workers=max(1, workers))
    request.addfinalizer(runs.close)
    main, samples, rest = _planned(request.session)
    for rel in main:
        runs.submit(rel, lab_root / rel, artifacts / shot_name(rel))
    for name in samples:
        rel = f"selftest/{name}.ipynb"
        labdriver.make_sample_notebook(lab_root / rel, **labdriver.SELFTESTS[name])
        runs.submit(rel, lab_root / rel, artifacts / shot_name(rel))
    for rel in rest:
        runs.submit(rel, lab_root / rel, artifacts / shot_name(rel))
    return runs


def pytest_configure(config):
    config.addinivalue_line("markers", "sample_notebook(name): the test checks labdriver.SELFTESTS[name]")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not (REPORTS or SELFTEST_REPORTS):
        return
    lines = []
    if REPORTS:
        terminalreporter.section("JupyterLab in Chromium: one line per notebook")
        for rep in REPORTS:
            lines.append(("[FAIL] " if rep.problems else "[ok] ") + rep.summary())
            terminalreporter.write_line(lines[-1])
    if SELFTEST_REPORTS:
        terminalreporter.section("self-tests: widgets broken on purpose (these problems are expected)")
        for rep in SELFTEST_REPORTS:
            lines.append("[self-test] " + rep.summary())
            terminalreporter.write_line(lines[-1])
    terminalreporter.write_line(f"screenshots and server log: {artifacts_dir()}")
    try:
        (artifacts_dir() / "summary.txt").write_text("\n".join(lines) + "\n")
    except OSError:
        pass
