"""The set-up a student and a maintainer go through: `make lab`, `make test`, `pip install -e .`.

* `make lab` installs the course only (`pip install -e .`, no test tools), starts JupyterLab on
  PORT (else JUPYTER_PORT, else 8888), headless and as root when it has to, and prints nothing
  but Jupyter's own output, whose URL is the one the server really listens on;
* `make test` and its parts add the test extras, and every pytest run says why tests were skipped;
* `pip install -e .` prints no warning.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="`make` is not installed")


def dry_run(*targets, tmp_path, env_extra=None, venv=None):
    """The commands `make -n TARGETS` would run, with a venv that does not exist yet (``tmp_path``)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PORT", "JUPYTER_PORT", "DISPLAY", "WAYLAND_DISPLAY", "MAKEFLAGS", "MFLAGS")}
    env.update(env_extra or {})
    out = subprocess.run([MAKE, "-n", "--no-print-directory", *targets,
                          f"VENV={venv or tmp_path / 'venv'}", "CHROMIUM=/usr/bin/true"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def pip_installs(lines):
    """What each `pip install` installs (its last argument), leaving out pip's own upgrade."""
    found = [line.split("pip install", 1)[1].split()[-1] for line in lines if "-m pip install" in line]
    return [what for what in found if not re.match(r"^'?pip\b", what)]


def lab_command(lines):
    found = [line for line in lines if re.search(r"-m jupyter lab\b", line)]
    assert len(found) == 1, lines
    return found[0]


@needs_make
def test_lab_installs_what_students_need_and_nothing_more(tmp_path):
    lines = dry_run("lab", tmp_path=tmp_path)
    assert pip_installs(lines) == ["."], lines
    assert any(re.search(r"pip install .*-e \.$", line) for line in lines), lines
    assert not any("[test]" in line for line in lines), lines


@needs_make
@pytest.mark.parametrize("target", ["test-unit", "test-notebooks", "test-browser"])
def test_test_targets_add_the_test_extras(tmp_path, target):
    lines = dry_run(target, tmp_path=tmp_path)
    assert pip_installs(lines) == [".", "'.[test,cluster,grader]'"], lines
    # with the course already installed, only the extras are added
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".mlp-course-installed").touch()
    assert pip_installs(dry_run(target, tmp_path=tmp_path, venv=venv)) == [
        "'.[test,cluster,grader]'"]


@needs_make
def test_every_pytest_run_says_why_tests_were_skipped(tmp_path):
    lines = [line for line in dry_run("test-unit", "test-notebooks", "test-browser", tmp_path=tmp_path)
             if "-m pytest" in line]
    assert len(lines) == 3, lines
    for line in lines:
        assert re.search(r"-m pytest\b.*\s-rs\b", line), line


@needs_make
@pytest.mark.parametrize("env,port", [({}, "8888"), ({"JUPYTER_PORT": "9123"}, "9123"),
                                      ({"PORT": "9200", "JUPYTER_PORT": "9123"}, "9200")])
def test_lab_port(tmp_path, env, port):
    cmd = lab_command(dry_run("lab", tmp_path=tmp_path, env_extra=env))
    assert re.findall(r"--port=(\S+)", cmd) == [port], cmd


@needs_make
def test_lab_headless_and_root_flags(tmp_path):
    cmd = lab_command(dry_run("lab", tmp_path=tmp_path))
    assert "--no-browser" in cmd.split()  # no DISPLAY in dry_run's environment
    assert ("--allow-root" in cmd.split()) == (os.geteuid() == 0)
    cmd = lab_command(dry_run("lab", tmp_path=tmp_path, env_extra={"DISPLAY": ":0"}))
    assert "--no-browser" not in cmd.split()


def _jupyter_env(tmp_path):
    """Every Jupyter / IPython directory in ``tmp_path``: nothing of the user's is read or written."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "JPY_", "IPYTHON", "XDG_", "MAKE", "MFLAGS"))
           and k not in ("PORT", "DISPLAY", "WAYLAND_DISPLAY")}
    for d in ("config", "data", "runtime", "settings", "workspaces", "ipython", "home"):
        (tmp_path / d).mkdir()
    env.update(HOME=str(tmp_path / "home"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
               IPYTHONDIR=str(tmp_path / "ipython"), JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1")
    return env


@needs_make
@pytest.mark.skipif(not Path(sys.prefix, "bin", "jupyter").exists(),
                    reason="JupyterLab is not installed in this interpreter's environment")
def test_make_lab_prints_the_url_it_really_serves_when_the_port_is_busy(tmp_path):
    """`make lab` with its port taken: the only URL printed is Jupyter's, on the port it moved to.

    Runs the real target (set-up skipped: `-o` the install stamp) in this environment.
    """
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    cmd = [MAKE, "--no-print-directory", "-o", str(Path(sys.prefix) / ".mlp-course-installed"),
           "lab", f"VENV={sys.prefix}", f"JUPYTER_PORT={port}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_jupyter_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    lines, url = [], None
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180  # JupyterLab starts in seconds; a loaded machine is slow
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            found = [m for line in list(lines)
                     for m in re.finditer(r"http://127\.0\.0\.1:(\d+)/lab\?token=(\w+)", line)]
            if found:
                url = found[0]
        assert url is not None, "no URL printed:\n" + "".join(lines)
        assert int(url.group(1)) != port, "Jupyter cannot listen on the busy port"
        status = urllib.request.urlopen(
            f"http://127.0.0.1:{url.group(1)}/api/status?token={url.group(2)}", timeout=60)
        assert status.status == 200
        time.sleep(1)  # the rest of the start-up banner
        printed = "".join(lines)
        # every URL printed is a real one: this port and this token, no '...' placeholder
        for m in re.finditer(r"https?://[^\s]+/lab\S*", printed):
            assert m.group(0).endswith(f":{url.group(1)}/lab?token={url.group(2)}"), printed
        assert "token=..." not in printed and f":{port}/lab" not in printed, printed
    finally:
        busy.close()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_editable_install_prints_no_warning(tmp_path):
    """`pip install -e .` of the course (its build: metadata, licence, editable wheel) warns about nothing.

    Installed with --no-deps into a throw-away venv, from a copy of the package files.
    """
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "mlpkit", src / "mlpkit", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True, timeout=120)
    out = subprocess.run([sys.executable, "-m", "pip", "--python", str(target / "bin" / "python"),
                          "install", "--no-deps", "--no-input", "-e", str(src)],
                         capture_output=True, text=True, timeout=600)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    # pip's own notes about this machine's index configuration are not about the course
    machine = re.compile(r"^WARNING: Location '.*' is ignored|^WARNING: Retrying|^WARNING: The index url")
    warnings = [line for line in text.splitlines()
                if re.search(r"warn", line, re.I) and not machine.search(line)]
    assert not warnings, text
    assert "Successfully installed mlp-course" in text
