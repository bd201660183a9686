"""Drive the course in JupyterLab with Playwright and the system Chromium.

Two parts:

* :class:`LabServer` starts ``jupyter lab`` on 127.0.0.1 on a free port, with
  every Jupyter / IPython / matplotlib directory (and ``HOME``) pointing into
  a temporary directory, its own token, and a ``python3`` kernelspec that runs
  this interpreter (the venv's). :meth:`LabServer.stop` ends the server and
  its kernels by process id (SIGTERM to the process group, then SIGKILL).
* :func:`check_notebook` opens one notebook in a JupyterLab page (:class:`LabPage`,
  loaded once per session), waits for the kernel, runs all cells, waits until
  the kernel is idle, and checks that no cell (and no widget output) shows an
  error, that every widget explorer rendered a slider and an output, and that
  moving one slider of each explorer changes its output. It saves a screenshot
  and returns a :class:`Report` listing every problem found.

Nothing here is specific to one notebook: explorers are found in the page
(widget views in cell outputs) and in the notebook file (cells whose stored
outputs hold a widget view, or tagged cells that call an explorer, must render one).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

#: Set to abandon every wait in the page at once (the run is being stopped).
CANCEL = threading.Event()


class Cancelled(RuntimeError):
    """The run was stopped while a notebook was being checked."""


def _check_cancel():
    if CANCEL.is_set():
        raise Cancelled("the browser run was stopped")

#: Flags for Chromium on a machine with a closed network and no display (as root: no sandbox).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

#: Time limits, in seconds. Every wait polls for its condition and returns as soon as it holds:
#: a limit only decides how long a hung page or kernel may take before it is reported, so the
#: limits are generous. A machine with 2 cores running other work (the suite runs two notebooks
#: at once) is several times slower than an idle one; the suite is checked that way (README).
TIMEOUTS = {
    "server": 180,     # jupyter lab answers on its port
    "app": 180,        # JupyterLab loaded and restored in the page
    "open": 120,       # a notebook's model and first cell in the page
    "kernel": 180,     # its kernel started and idle
    "run": 600,        # Run All Cells done and the kernel idle again
    "render": 120,     # widget views rendered after their outputs arrived
    "change": 60,      # an explorer's output changed after its slider moved
    "slider": 10,      # a dragged slider's value updated in the page
    "api": 30,         # one REST call to the server
    "playwright": 120,  # default of every Playwright action (click, bounding box...)
}

# JupyterLab user settings: no network (news, update check), no autosave, no
# dialogs that could sit in front of the notebook, and no windowing: with
# windowingMode 'full' (or 'defer', 'contentVisibility') JupyterLab attaches or draws
# only the cells near the viewport, so a widget explorer far down a notebook may
# never render while the page is checked (seen on a loaded machine: "cell 37 ...
# none rendered"). 'none' attaches every cell, as a short notebook is shown.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"disclaimed": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "kernelShutdown": False, "windowingMode": "none"},
}
#: The windowing mode every opened notebook must report (checked: a setting JupyterLab
#: ignored would otherwise bring the flaky, partly rendered notebooks back silently).
WINDOWING_MODE = "none"


#: The folders copied into the server's root; notebooks in TESTED are checked.
COPIED = ("notebooks", "solutions", "exercises")
TESTED = ("notebooks", "solutions")
REPO = Path(__file__).resolve().parents[2]

#: One :class:`Report` per notebook checked in this session (printed at the end).
REPORTS: list = []
#: The same for the suite's own notebooks, broken on purpose (their problems are expected).
SELFTEST_REPORTS: list = []


def course_notebooks(repo: Path = REPO) -> list[str]:
    """Every .ipynb in notebooks/ and solutions/ now, as paths relative to the repository."""
    found = []
    for folder in TESTED:
        found += sorted(str(p.relative_to(repo)) for p in (repo / folder).glob("*.ipynb"))
    return found


def copy_course(repo: Path, dest: Path):
    """Copy the course folders to ``dest``: JupyterLab works on copies, never on committed files."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for folder in COPIED:
        if (repo / folder).is_dir():
            shutil.copytree(repo / folder, Path(dest) / folder, ignore=ignore)


def browser_requested(config) -> bool:
    """True for ``make test-browser``, ``pytest tests/browser[/...]`` or ``MLP_BROWSER_TESTS=1``."""
    if os.environ.get("MLP_BROWSER_TESTS", "") not in ("", "0"):
        return True
    here = Path(__file__).resolve().parent
    base = Path(config.invocation_params.dir)
    for arg in config.invocation_params.args:
        if not isinstance(arg, str) or arg.startswith("-"):
            continue
        p = (base / arg.split("::")[0]).resolve()
        if p == here or here in p.parents:
            return True
    return False


def browser_env(home: Path) -> dict:
    """Environment for Chromium: its HOME and XDG folders in ``home`` (it writes crash-report
    settings and a dconf cache there), never in the real home directory."""
    home = Path(home)
    for d in ("config", "cache", "data"):
        (home / d).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_DATA_HOME=str(home / "data"))
    return env


def find_chromium() -> str | None:
    """The system Chromium: ``$CHROMIUM`` if set, else ``chromium`` / ``chromium-browser`` on PATH."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env if Path(env).exists() else shutil.which(env)
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state, ppid, ...), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _descendants(pid: int) -> list[tuple[int, str]]:
    """Every descendant of ``pid`` as (pid, start time): kernels run in sessions of their own,
    so they are not in the server's process group. The start time identifies the process, so
    that a pid reused later by an unrelated process is never signalled."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = _proc_stat(int(entry.name))
            if st:
                parents.setdefault(int(st[1]), []).append((int(entry.name), st[19]))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child[0])
    return out


def _alive(proc: tuple[int, str]) -> bool:
    """The very process (same pid, same start time) still runs and is not a zombie."""
    st = _proc_stat(proc[0])
    return st is not None and st[19] == proc[1] and st[0] != "Z"


def _die_with_parent():
    """A preexec_fn asking Linux to send SIGTERM to the child when its parent dies (else None)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl  # noqa: B018 - fails here, not in the child, if missing
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec():
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl: stop now
            os.kill(os.getpid(), signal.SIGTERM)
    return preexec


class LabServer:
    """``jupyter lab`` in a sandbox of temporary directories, serving ``root``."""

    def __init__(self, root: Path, home: Path, log_path: Path):
        self.root = Path(root)
        self.home = Path(home)
        self.log_path = Path(log_path)
        self.port = free_port()
        self.token = uuid.uuid4().hex
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ set-up
    def _prepare(self) -> dict:
        h = self.home
        dirs = {name: h / name for name in
                ("config", "data", "runtime", "settings", "workspaces", "ipython", "mpl", "cache")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        # 'python3' is this interpreter (the venv's), whatever else is installed
        spec = dirs["data"] / "kernels" / "python3"
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)", "language": "python",
            "metadata": {"debugger": True}}, indent=1))
        for rel, values in LAB_SETTINGS.items():
            p = dirs["settings"] / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(values))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "JPY_", "IPYTHON", "MPL", "XDG_"))}
        env.update({
            "HOME": str(h),
            "JUPYTER_CONFIG_DIR": str(dirs["config"]),
            "JUPYTER_DATA_DIR": str(dirs["data"]),
            # first on the data path (in a venv the env's own path comes before JUPYTER_DATA_DIR)
            "JUPYTER_PATH": str(dirs["data"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
            "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
            "IPYTHONDIR": str(dirs["ipython"]),
            "MPLCONFIGDIR": str(dirs["mpl"]),
            "XDG_CACHE_HOME": str(dirs["cache"]),
            "XDG_CONFIG_HOME": str(dirs["config"]),
            "XDG_DATA_HOME": str(dirs["data"]),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "PYTHONUNBUFFERED": "1",
        })
        self._dirs = dirs
        return env

    def command(self) -> list[str]:
        d = self._dirs
        cmd = [sys.executable, "-m", "jupyter", "lab",
               "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", f"--ServerApp.root_dir={self.root}",
               f"--IdentityProvider.token={self.token}",
               f"--LabApp.user_settings_dir={d['settings']}",
               f"--LabApp.workspaces_dir={d['workspaces']}",
               "--LabApp.expose_app_in_browser=True",
               "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly",
               "--KernelSpecManager.ensure_native_kernel=False",
               "--MappingKernelManager.cull_idle_timeout=0",
               "--ServerApp.terminals_enabled=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def start(self, timeout: float = TIMEOUTS["server"]) -> "LabServer":
        env = self._prepare()
        self._log = open(self.log_path, "w")
        # its own process group (stopped as a whole), and on Linux a SIGTERM when this
        # process dies, even by SIGKILL, so that no server outlives the test run
        self.proc = subprocess.Popen(self.command(), cwd=self.root, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=_die_with_parent())
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {self.proc.returncode}:\n"
                                   + self.log_tail())
            try:
                self.api("GET", "/api/status", timeout=5)
                return self
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n"
                                   + self.log_tail())
            time.sleep(0.25)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    # -------------------------------------------------------------- REST API
    def api(self, method: str, path: str, timeout: float = TIMEOUTS["api"], body=None,
            token: bool = True):
        headers = {"Authorization": f"token {self.token}"} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base_url + path, method=method, headers=headers, data=data)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self, path: str | None = None):
        """Shut down the sessions (and their kernels) of notebook ``path``, or all of them."""
        try:
            for s in self.api("GET", "/api/sessions"):
                if path is None or s.get("path") == path:
                    self.api("DELETE", f"/api/sessions/{s['id']}", timeout=60)
            if path is None:
                for k in self.api("GET", "/api/kernels"):
                    self.api("DELETE", f"/api/kernels/{k['id']}", timeout=60)
        except (urllib.error.URLError, OSError):
            pass

    # ------------------------------------------------------------- tear-down
    def stop(self, grace: float = 10.0) -> list[int]:
        """Stop the server and every process it started, by process id, whatever state it is in.

        Kernels are shut down through the API, the server's process group gets
        SIGTERM (then SIGKILL after ``grace`` seconds), and any descendant still
        running after that (kernels live in sessions of their own) gets SIGKILL.
        Safe to call twice. Returns the pids that had to be killed.
        """
        if self.proc is None:
            return []
        pid = self.proc.pid
        killed = []
        try:
            if self.proc.poll() is None:
                descendants = _descendants(pid)
                self.shutdown_kernels()
                try:
                    os.killpg(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    self.proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    killed.append(pid)
                    self.proc.wait(timeout=10)
                deadline = time.monotonic() + 5
                for child in descendants:
                    while _alive(child) and time.monotonic() < deadline:
                        time.sleep(0.1)
                    if _alive(child):
                        try:
                            os.kill(child[0], signal.SIGKILL)
                            killed.append(child[0])
                        except ProcessLookupError:
                            pass
        finally:
            if self._log:
                self._log.close()
                self._log = None
        return killed


# ---------------------------------------------------------------------------
# In the page

class NotebookProblem(AssertionError):
    """A notebook that does not work in JupyterLab; the message lists every problem."""


@dataclass
class Report:
    notebook: str
    problems: list[str] = field(default_factory=list)
    explorers: int = 0
    expected_explorers: int = 0
    cells: int = 0
    notes: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    screenshot: str | None = None

    def summary(self) -> str:
        t = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())
        return (f"{self.notebook}: {self.cells} code cells, {self.explorers} explorer(s) "
                f"({self.expected_explorers} expected from the file); {t}"
                + "".join(f"\n  note: {n}" for n in self.notes)
                + "".join(f"\n  PROBLEM: {p}" for p in self.problems))


#: A cell that displays an explorer: tagged nbval-ignore-output (the course's rule for widget
#: cells) and calling an explorer / interact function.
EXPLORER_CALL = re.compile(r"^(?!\s*(def|#)).*\b(explorer|interactive|interact)\s*\(", re.M)


def expected_explorer_cells(path: Path) -> dict[int, str]:
    """Cells that must render a widget explorer, by index (among all cells), with the reason.

    A cell qualifies when its stored outputs hold a widget view, or when it is
    tagged ``nbval-ignore-output`` and calls ``...explorer(...)`` / ``interactive(...)``.
    """
    nb = json.loads(Path(path).read_text())
    found = {}
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        if any(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", [])):
            found[i] = "the stored notebook shows a widget explorer here"
        elif ("nbval-ignore-output" in cell.get("metadata", {}).get("tags", [])
              and EXPLORER_CALL.search(src)):
            found[i] = "this cell displays an explorer"
    return found


# JavaScript run in the page. `window.jupyterapp` is exposed by --LabApp.expose_app_in_browser;
# the notebook under test is kept in `window.__mlpPanel` and its node is marked with
# the attribute data-mlp-under-test, so that every query stays inside it.
PANEL_SEL = "[data-mlp-under-test]"

JS_APP_READY = "() => !!(window.jupyterapp && window.__mlpRestored)"

JS_WATCH_RESTORED = """() => { const app = window.jupyterapp;
  if (app && !window.__mlpWatch) { window.__mlpWatch = true;
    app.restored.then(() => { window.__mlpRestored = true; }); }
  return !!app; }"""

JS_OPEN = """async ([path, readyMs]) => {
  const app = window.jupyterapp;
  app.shell.collapseLeft();
  const w = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  // the file is loaded; the kernel is waited for from Python (a dialog may ask for one)
  await Promise.race([w.context.ready, new Promise(r => setTimeout(r, readyMs))]);
  window.__mlpPanel = w;
  // count the kernel's busy spells: a slider move makes it busy at least once (its comm message)
  window.__mlpBusy = 0;
  w.sessionContext.statusChanged.connect((_, status) => {
    if (status === 'busy' && window.__mlpPanel === w) window.__mlpBusy += 1; });
  w.node.setAttribute('data-mlp-under-test', path);
  app.shell.activateById(w.id);
  const config = w.content.notebookConfig || {};
  return {id: w.id, windowingMode: config.windowingMode || null};
}"""

# Scroll the notebook under test to cell `index` (a cell JupyterLab has not drawn yet gets drawn).
JS_SCROLL_TO_CELL = """async (index) => {
  const nb = window.__mlpPanel.content;
  if (nb.scrollToItem) { await nb.scrollToItem(index, 'center'); }
  const cell = nb.widgets[index];
  if (cell && cell.node.isConnected) cell.node.scrollIntoView({block: 'center'});
  return true;
}"""

JS_CLOSE = """async () => {
  const w = window.__mlpPanel; window.__mlpPanel = null;
  if (!w || w.isDisposed) return;
  w.node.removeAttribute('data-mlp-under-test');
  w.context.model.dirty = false;   // never ask 'save changes?' (and never save: these are copies)
  w.dispose();
}"""

JS_KERNEL_STATE = """() => {
  const w = window.__mlpPanel;
  if (!w) return 'no-notebook';
  const dialog = document.querySelector('.jp-Dialog');
  if (dialog) return 'dialog: ' + dialog.innerText.replace(/\\s+/g, ' ').slice(0, 200);
  const sc = w.sessionContext;
  if (!sc.session || !sc.session.kernel) return 'no-kernel';
  return sc.session.kernel.status;
}"""

# Starts 'Run All Cells' and returns at once; window.__mlpRunDone is set when it has finished.
JS_RUN_ALL = """() => {
  const w = window.__mlpPanel;
  window.__mlpRunDone = null;
  window.jupyterapp.shell.activateById(w.id);
  window.jupyterapp.commands.execute('notebook:run-all-cells').then(
    ok => { window.__mlpRunDone = {ok: ok === undefined ? null : ok}; },
    err => { window.__mlpRunDone = {ok: false, error: String(err)}; });
  return true;
}"""

JS_RUN_DONE = """() => {
  if (window.__mlpRunDone) return window.__mlpRunDone;
  const stdin = window.__mlpPanel.node.querySelector('.jp-Stdin');
  if (stdin) return {ok: false, error: 'a cell waits for input(): ' + stdin.innerText.slice(0, 200)};
  return null;
}"""

# Everything the checks need from the notebook model and the DOM, cell by cell.
JS_CELLS = """(widgetMime) => {
  const w = window.__mlpPanel;
  const cells = [];
  w.content.widgets.forEach((cell, i) => {
    const m = cell.model;
    const c = {index: i, type: m.type, executionCount: null, errors: [], widgetViews: 0, domErrors: []};
    if (m.type === 'code') {
      c.executionCount = m.executionCount;
      for (let k = 0; k < m.outputs.length; k++) {
        const o = m.outputs.get(k).toJSON();
        if (o.output_type === 'error') c.errors.push(o.ename + ': ' + o.evalue);
        if (o.data && o.data[widgetMime]) c.widgetViews += 1;
      }
      const area = cell.node.querySelector('.jp-Cell-outputArea');
      if (area) {
        area.querySelectorAll('.jupyter-widgets-error-widget').forEach(el => {
          c.domErrors.push('widget failed to render: ' + el.textContent.trim().slice(0, 300));
        });
        area.querySelectorAll('.jp-Stdin').forEach(el => {
          c.domErrors.push('waits for input(): ' + el.textContent.trim().slice(0, 200));
        });
        // a traceback shown inside a widget output: a callback that raised
        area.querySelectorAll('.widget-output .jp-OutputArea-output').forEach(el => {
          const t = el.textContent;
          if (/Traceback \\(most recent call last\\)/.test(t)) {
            const lines = t.trim().split('\\n').map(s => s.trim()).filter(s => s);
            c.domErrors.push('traceback in a widget output: ' + lines[lines.length - 1]);
          }
        });
      }
    }
    cells.push(c);
  });
  return cells;
}"""

JS_OUTPUT_SIGNATURE = """el => {
  const outs = Array.from(el.querySelectorAll('.widget-output'));
  let s = '';
  for (const o of outs) {
    // images by their data, everything else by its text
    o.querySelectorAll('img').forEach(img => { s += '[img ' + img.src.length + ' ' + img.src.slice(-300) + ']'; });
    o.querySelectorAll('svg').forEach(svg => { s += '[svg ' + svg.outerHTML.length + ']'; });
    s += '|' + o.innerText;
  }
  return {outputs: outs.length, signature: s,
          nonEmpty: outs.some(o => o.querySelector('.jp-OutputArea-output') !== null)};
}"""


def _wait(page, js, predicate, timeout, poll=0.2):
    """Evaluate ``js`` in the page until ``predicate(value)``; return the value (or raise)."""
    deadline = time.monotonic() + timeout
    while True:
        _check_cancel()
        value = page.evaluate(js)
        if predicate(value):
            return value
        if isinstance(value, str) and value.startswith("dialog:"):
            raise RuntimeError(f"JupyterLab shows a dialog: {value[7:].strip()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s (last state: {value!r})")
        time.sleep(poll)


def _kernel_idle(page, timeout, settle=1.0):
    """Wait until the kernel has been idle for ``settle`` seconds (a callback may start just after)."""
    deadline = time.monotonic() + timeout
    stable_since = None
    while True:
        _check_cancel()
        state = page.evaluate(JS_KERNEL_STATE)
        now = time.monotonic()
        if state.startswith("dialog:"):
            raise RuntimeError(f"JupyterLab shows a dialog: {state[7:].strip()}")
        if state == "idle":
            stable_since = stable_since or now
            if now - stable_since >= settle:
                return
        else:
            stable_since = None
        if now > deadline:
            raise TimeoutError(f"kernel not idle after {timeout:.0f} s (state {state!r})")
        time.sleep(0.1)


class LabPage:
    """One browser page with JupyterLab loaded once; notebooks are opened and closed in it."""

    def __init__(self, page, server: LabServer):
        self.page = page
        self.server = server
        self.windowing_mode = None
        page.set_default_timeout(TIMEOUTS["playwright"] * 1000)
        self.console: list[str] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def ensure_app(self, timeout: float = TIMEOUTS["app"]):
        """Load JupyterLab (again, if a previous notebook left the page unusable)."""
        try:
            if self.page.evaluate(JS_APP_READY):
                return
        except Exception:
            pass
        self.page.goto(f"{self.server.base_url}/lab/workspaces/mlp-{uuid.uuid4().hex[:8]}"
                       f"?reset&token={self.server.token}", wait_until="domcontentloaded")
        self.page.wait_for_function(JS_WATCH_RESTORED, timeout=timeout * 1000)
        self.page.wait_for_function(JS_APP_READY, timeout=timeout * 1000)

    def open(self, rel_path: str, timeout: float = TIMEOUTS["open"]):
        self.ensure_app()
        opened = self.page.evaluate(JS_OPEN, [rel_path, timeout * 1000])
        self.windowing_mode = opened.get("windowingMode")
        self.page.locator(f"{PANEL_SEL} .jp-Cell").first.wait_for(timeout=timeout * 1000)

    def close(self, rel_path: str | None = None):
        """Close the notebook under test (never saved) and shut its kernel down."""
        try:
            self.page.evaluate(JS_CLOSE)
        except Exception:
            # the page is in a bad state: load it again for the next notebook
            try:
                self.page.goto("about:blank")
            except Exception:
                pass
        if rel_path is not None:
            self.server.shutdown_kernels(rel_path)

    def explorers(self):
        """Locators of the widget views that are outputs of cells (not widgets nested in widgets)."""
        return self.page.locator(f"{PANEL_SEL} .jp-Cell-outputArea > .jp-OutputArea-child > "
                                 ".jp-OutputArea-output:has(> .jupyter-widgets)")

    def screenshot(self, path: Path, part_height: int = 10000, max_parts: int = 6) -> list[Path]:
        """The whole notebook: the viewport grows to the notebook's height (PNG, or JPEG by suffix).

        A notebook taller than ``part_height`` pixels is captured in parts
        (``name.png``, ``name.part2.png``, ...). Returns the files written.
        """
        page = self.page
        path = Path(path)
        kind = "jpeg" if path.suffix.lower() in (".jpg", ".jpeg") else "png"
        opts = {"type": kind, **({"quality": 75} if kind == "jpeg" else {})}
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{path.stem}.part*{path.suffix}"):
            old.unlink()
        vp = page.viewport_size or {"width": 1280, "height": 900}
        scroller = f"document.querySelector('{PANEL_SEL} .jp-WindowedPanel-outer')"
        # scroll to `offset`; return where it went, the end of the last cell (without the blank
        # space JupyterLab adds after it) and the top of the scroller. Offscreen cells may have
        # estimated heights until they are drawn, so this is measured again at every part.
        js_scroll = f"""(offset) => {{ const n = {scroller};
            if (!n) return null;
            if (offset !== null) n.scrollTop = offset;
            const cells = n.querySelectorAll('.jp-Cell');
            const last = cells[cells.length - 1];
            const top = n.getBoundingClientRect().top;
            const end = last ? last.getBoundingClientRect().bottom - top + n.scrollTop : n.scrollHeight;
            return [n.scrollTop, Math.min(n.scrollHeight, end + 20), top]; }}"""
        written = []
        try:
            if not page.evaluate(js_scroll, None):
                page.screenshot(path=str(path), **opts)
                return [path]
            page.set_viewport_size({"width": vp["width"], "height": part_height + 200})
            time.sleep(0.5)
            offset = 0
            for k in range(max_parts):
                page.evaluate(js_scroll, offset)
                time.sleep(0.3)
                actual, total, top = page.evaluate(js_scroll, None)
                height = min(part_height, total - actual)
                if height <= 0:
                    break
                out = path if k == 0 else path.with_name(f"{path.stem}.part{k + 1}{path.suffix}")
                page.screenshot(path=str(out), clip={"x": 0, "y": 0, "width": vp["width"],
                                                     "height": int(top + height)}, **opts)
                written.append(out)
                offset = actual + part_height
                if offset >= total:
                    break
        finally:
            page.set_viewport_size(vp)
        return written


def _cell_index_of(handle) -> int:
    return handle.evaluate("""el => {
      const cell = el.closest('.jp-Cell');
      return Array.from(cell.parentElement.children)
                  .filter(c => c.classList.contains('jp-Cell')).indexOf(cell);
    }""")


def _usable_sliders(explorer):
    """The explorer's sliders that a student can move (noUiSlider handles, not disabled)."""
    sliders = explorer.locator(".widget-slider")
    usable = []
    for i in range(sliders.count()):
        s = sliders.nth(i)
        if s.locator(".noUi-handle").count() == 0:
            continue
        disabled = s.evaluate("el => el.querySelector('.noUi-target').hasAttribute('disabled')"
                              " || el.classList.contains('mod-disabled')")
        if not disabled and s.is_visible():
            usable.append(s)
    return usable


def _slider_value(slider) -> str:
    return slider.evaluate("""el => {
      const r = el.querySelector('.widget-readout');
      const h = el.querySelector('.noUi-handle');
      return (r ? r.textContent.trim() : '') + '|' + (h ? h.getAttribute('aria-valuenow') : '');
    }""")


def _wait_for_value_change(slider, before: str, timeout: float) -> str:
    """The slider's value once it differs from ``before`` (or the same value after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while True:
        after = _slider_value(slider)
        if after != before or time.monotonic() > deadline:
            return after
        _check_cancel()
        time.sleep(0.1)


def move_slider(page, slider, timeout: float = TIMEOUTS["slider"]) -> tuple[str, str]:
    """Drag the handle of a slider to the other half of its track, as a student would.

    Falls back to the keyboard (focus the handle, press End or Home) if the drag
    did not change the value within ``timeout`` s. Returns (value before, value after).
    """
    before = _slider_value(slider)
    slider.scroll_into_view_if_needed()
    track = slider.locator(".noUi-target").first
    handle = slider.locator(".noUi-handle").first
    tb, hb = track.bounding_box(), handle.bounding_box()
    hx, hy = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
    frac = (hx - tb["x"]) / max(tb["width"], 1)
    target = tb["x"] + tb["width"] * (0.8 if frac < 0.5 else 0.2)
    page.mouse.move(hx, hy)
    page.mouse.down()
    for k in range(1, 6):
        page.mouse.move(hx + (target - hx) * k / 5, hy)
        time.sleep(0.03)
    page.mouse.up()
    after = _wait_for_value_change(slider, before, timeout)
    if after == before:
        handle.focus()
        page.keyboard.press("End" if frac < 0.5 else "Home")
        after = _wait_for_value_change(slider, before, timeout)
    return before, after


#: Labels of buttons that apply the controls (an explorer that trains on a click, say).
ACTION_LABEL = re.compile(r"\b(train|run|update|apply|fit|go|step|draw|plot|compute|redraw)\b", re.I)


def _action_button(explorer):
    """The explorer's first enabled push button labelled like an action ('Train', 'Run'...), or None.

    Toggle buttons (option pickers) and other buttons ('Clear', 'hand-set solution')
    are never used: clicking them would change the output without the slider.
    """
    buttons = explorer.locator("button.widget-button:not([disabled])")
    for i in range(buttons.count()):
        b = buttons.nth(i)
        if b.is_visible() and ACTION_LABEL.search(b.inner_text() or b.get_attribute("title") or ""):
            return b
    return None


def check_notebook(lab: LabPage, rel_path: str, source_path: Path, screenshot: Path,
                   run_timeout: float = TIMEOUTS["run"],
                   change_timeout: float = TIMEOUTS["change"]) -> Report:
    """Open ``rel_path`` (relative to the server root) in ``lab`` and run every check.

    Returns a :class:`Report`; ``report.problems`` is empty when the notebook works.
    """
    page = lab.page
    rep = Report(notebook=rel_path)
    t0 = time.monotonic()
    expected = expected_explorer_cells(source_path)
    rep.expected_explorers = len(expected)
    problems = rep.problems
    lab.console.clear()
    try:
        lab.open(rel_path)
        rep.timings["open"] = time.monotonic() - t0
        if lab.windowing_mode != WINDOWING_MODE:
            problems.append(f"JupyterLab's notebook windowingMode is {lab.windowing_mode!r}, not "
                            f"{WINDOWING_MODE!r}: cells far down may not be drawn, so explorers "
                            "there cannot be checked (see LAB_SETTINGS in labdriver.py)")
        _wait(page, JS_KERNEL_STATE, lambda s: s == "idle", timeout=TIMEOUTS["kernel"])
        rep.timings["kernel"] = time.monotonic() - t0 - rep.timings["open"]

        t1 = time.monotonic()
        page.evaluate(JS_RUN_ALL)
        done = _wait(page, JS_RUN_DONE, lambda v: v is not None, timeout=run_timeout)
        ok = done.get("ok")
        if done.get("error"):
            problems.append(f"'Run All Cells' failed: {done['error']}")
            try:  # the kernel may never be idle again (it waits for input): look at what is there
                _kernel_idle(page, timeout=5)
            except TimeoutError:
                pass
        else:
            _kernel_idle(page, timeout=run_timeout)
        # widget views render asynchronously after their output arrives
        _wait_for_explorers(lab, page.evaluate(JS_CELLS, WIDGET_MIME), expected)
        cells = page.evaluate(JS_CELLS, WIDGET_MIME)
        rep.timings["run"] = time.monotonic() - t1
        if ok is False and not done.get("error"):
            problems.append("'Run All Cells' reported a failure (a cell raised, so later cells did not run)")

        code = [c for c in cells if c["type"] == "code"]
        rep.cells = len(code)
        for c in code:
            for e in c["errors"]:
                problems.append(f"cell {c['index']}: error output: {e}")
            for e in c["domErrors"]:
                problems.append(f"cell {c['index']}: {e}")
            if c["executionCount"] is None:
                problems.append(f"cell {c['index']}: not executed by Run All")

        # ---- explorers: rendered, slider and output present, a slider moves the output
        t2 = time.monotonic()
        views = lab.explorers()
        rendered = {}
        for i in range(views.count()):
            rendered.setdefault(_cell_index_of(views.nth(i)), []).append(views.nth(i))
        for idx, why in expected.items():
            if idx not in rendered:
                problems.append(f"cell {idx}: {why}, but none rendered in JupyterLab")
        for c in code:
            if c["widgetViews"] and c["index"] not in rendered and c["index"] not in expected:
                problems.append(f"cell {c['index']}: {c['widgetViews']} widget view output(s), "
                                f"but nothing rendered")
        for idx, views_in_cell in sorted(rendered.items()):
            for explorer in views_in_cell:
                rep.explorers += 1
                _check_explorer(page, explorer, idx, rep, change_timeout)
        rep.timings["explorers"] = time.monotonic() - t2

        # errors that appeared while sliders moved (callbacks that raised)
        if rendered:
            for c in page.evaluate(JS_CELLS, WIDGET_MIME):
                for e in c["domErrors"]:
                    msg = f"cell {c['index']}: {e}"
                    if msg not in problems:
                        problems.append(msg)
    except Exception as exc:  # timeouts, a page that never loaded, a dialog...
        problems.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    finally:
        try:
            _check_cancel()
            t3 = time.monotonic()
            shots = lab.screenshot(screenshot)
            rep.screenshot = ", ".join(str(p) for p in shots)
            rep.timings["screenshot"] = time.monotonic() - t3
        except Exception as exc:  # a screenshot must never hide the real result
            rep.notes.append(f"screenshot failed: {type(exc).__name__}: {exc}")
    if problems and lab.console:
        rep.notes.append("browser console errors: " + " | ".join(lab.console[:5]))
    rep.timings["total"] = time.monotonic() - t0
    return rep


def _rendered_cells(lab: LabPage) -> set[int]:
    views = lab.explorers()
    return {_cell_index_of(views.nth(i)) for i in range(views.count())}


def _wait_for_explorers(lab: LabPage, cells: list[dict], expected: dict[int, str],
                        timeout: float = TIMEOUTS["render"]):
    """Wait until every cell whose output holds a widget view (in the live model), and every
    cell expected to show one, has a rendered explorer; or ``timeout`` s have passed.

    A cell still without one is scrolled into view (then waited for again), in case
    JupyterLab draws it only when it is seen. Returns at once when all are there.
    """
    page = lab.page
    want = {c["index"] for c in cells if c["widgetViews"]}
    # an expected cell that did not run (or raised) never renders: it is reported, not waited for
    ran = {c["index"] for c in cells if c["executionCount"] is not None and not c["errors"]}
    want |= {i for i in expected if i in ran}
    deadline = time.monotonic() + timeout
    scrolled = set()
    while True:
        _check_cancel()
        missing = want - _rendered_cells(lab)
        if not missing or time.monotonic() > deadline:
            break
        for idx in sorted(missing - scrolled)[:1]:
            page.evaluate(JS_SCROLL_TO_CELL, idx)
            scrolled.add(idx)
        time.sleep(0.25)
    if scrolled:
        page.evaluate(JS_SCROLL_TO_CELL, 0)


def _check_explorer(page, explorer, idx: int, rep: Report, change_timeout: float):
    problems = rep.problems
    where = f"cell {idx}, explorer {rep.explorers}"
    explorer.scroll_into_view_if_needed()
    sliders = explorer.locator(".widget-slider")
    info = explorer.evaluate(JS_OUTPUT_SIGNATURE)
    if sliders.count() == 0:
        problems.append(f"{where}: no slider rendered")
    if info["outputs"] == 0:
        problems.append(f"{where}: no output widget rendered")
    elif not info["nonEmpty"]:
        problems.append(f"{where}: the output widget is empty (nothing drawn before any slider moved)")
    usable = _usable_sliders(explorer)
    if sliders.count() and not usable:
        problems.append(f"{where}: no slider can be moved (all disabled or hidden)")
    if not usable or info["outputs"] == 0:
        return
    slider = usable[0]
    name = slider.evaluate("el => el.querySelector('.widget-label')?.textContent || ''")
    before_sig = info["signature"]
    busy = page.evaluate(JS_BUSY_COUNT)
    before, after = move_slider(page, slider)
    if before == after:
        problems.append(f"{where}: slider {name!r} did not move (value {before.split('|')[0]})")
        return
    moved = f"slider {name!r} moved {before.split('|')[0]} -> {after.split('|')[0]}"
    changed = _wait_for_change(page, explorer, before_sig, busy, change_timeout)
    if not changed:
        # explorers with an explicit action ('Train', 'Run'): the slider sets, the button applies
        button = _action_button(explorer)
        if button is not None:
            label = button.inner_text().strip()
            busy = page.evaluate(JS_BUSY_COUNT)
            button.click()
            changed = _wait_for_change(page, explorer, before_sig, busy, change_timeout)
            moved += f", then {label!r} clicked"
            if changed:
                rep.notes.append(f"{where}: {moved}: the output changed only after the click")
    if not changed:
        problems.append(f"{where}: slider does not change output ({moved}; the output was "
                        f"the same once the kernel was idle again)")


JS_BUSY_COUNT = "() => window.__mlpBusy || 0"


def _wait_for_change(page, explorer, before_sig, busy_before, timeout, quiet=5.0,
                     quiet_never_busy=20.0) -> bool:
    """Wait until the explorer's output differs from ``before_sig``.

    Gives up after ``timeout`` seconds, or earlier when nothing more can come:
    the kernel has been busy since the move (``busy_before`` is the busy count
    before it) and idle for ``quiet`` seconds since, or it has not been busy at
    all for ``quiet_never_busy`` seconds.
    """
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        _check_cancel()
        if explorer.evaluate(JS_OUTPUT_SIGNATURE)["signature"] != before_sig:
            # let the callback finish (clear_output(wait=True) swaps in the new figure)
            try:
                _kernel_idle(page, timeout=max(5.0, deadline - time.monotonic()))
            except TimeoutError:
                pass
            return explorer.evaluate(JS_OUTPUT_SIGNATURE)["signature"] != before_sig
        now = time.monotonic()
        if page.evaluate(JS_KERNEL_STATE) == "idle":
            idle_since = idle_since or now
            was_busy = page.evaluate(JS_BUSY_COUNT) > busy_before
            if now - idle_since >= (quiet if was_busy else quiet_never_busy):
                return False
        else:
            idle_since = None
        time.sleep(0.1)
    return False


# ---------------------------------------------------------------------------
# Several notebooks at once: worker threads, each with its own Playwright, Chromium and page

class NotebookRuns:
    """Check notebooks in ``workers`` browser pages at once, against one JupyterLab server.

    :meth:`submit` queues a notebook (the longest first is best); :meth:`result`
    waits for its :class:`Report`. Each worker thread has its own Playwright
    instance and Chromium (Playwright's sync API is per thread). :meth:`close`
    stops the workers and their browsers.
    """

    def __init__(self, server: LabServer, chromium: str, home: Path, workers: int = 2,
                 viewport=(1280, 900)):
        import queue
        import threading
        from concurrent.futures import Future

        self._Future = Future
        CANCEL.clear()
        self.server = server
        self.chromium = chromium
        self.home = Path(home)
        self.viewport = {"width": viewport[0], "height": viewport[1]}
        self.queue: "queue.Queue" = queue.Queue()
        self.futures: dict = {}
        self._lock = threading.Lock()
        self._alive = workers
        self._stop = threading.Event()
        self.threads = [threading.Thread(target=self._work, args=(i,), daemon=True,
                                         name=f"browser-worker-{i}") for i in range(workers)]
        for t in self.threads:
            t.start()

    def submit(self, rel_path: str, source: Path, screenshot: Path, **kwargs):
        with self._lock:
            if rel_path in self.futures:
                return self.futures[rel_path]
            fut = self._Future()
            self.futures[rel_path] = fut
            if self._alive == 0:
                fut.set_exception(RuntimeError("no browser worker is running"))
            else:
                self.queue.put((rel_path, Path(source), Path(screenshot), kwargs, fut))
        return fut

    def result(self, rel_path: str, timeout: float = 900) -> Report:
        return self.futures[rel_path].result(timeout=timeout)

    def _work(self, i: int):
        import queue

        pw = browser = None
        try:
            from playwright.sync_api import sync_playwright

            pw = sync_playwright().start()
            browser = pw.chromium.launch(executable_path=self.chromium, headless=True,
                                         args=CHROMIUM_ARGS, env=browser_env(self.home / f"w{i}"))
            lab = LabPage(browser.new_context(viewport=self.viewport).new_page(), self.server)
            lab.ensure_app()
            while not self._stop.is_set():
                try:
                    rel, source, shot, kwargs, fut = self.queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                if not fut.set_running_or_notify_cancel():
                    continue
                try:
                    fut.set_result(check_notebook(lab, rel, source, shot, **kwargs))
                except BaseException as exc:  # noqa: BLE001 - handed to the test that waits
                    fut.set_exception(exc)
                finally:
                    lab.close(rel)
        except BaseException as exc:  # noqa: BLE001 - the worker could not start
            self._fail_rest_if_last(exc)
            return
        finally:
            for closer in (browser.close if browser else None, pw.stop if pw else None):
                try:
                    if closer:
                        closer()
                except Exception:
                    pass
        self._fail_rest_if_last(RuntimeError("the browser workers were stopped"))

    def _fail_rest_if_last(self, exc: BaseException):
        import queue

        with self._lock:
            self._alive -= 1
            if self._alive > 0:
                return
            while True:
                try:
                    *_, fut = self.queue.get_nowait()
                except queue.Empty:
                    break
                if not fut.done():
                    fut.set_exception(RuntimeError(f"browser worker failed: {type(exc).__name__}: {exc}"))

    def close(self, timeout: float = 20):
        """Stop the workers: at once if notebooks are still being checked (an interrupted run)."""
        self._stop.set()
        if any(not f.done() for f in self.futures.values()):
            CANCEL.set()
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(timeout=max(0.1, deadline - time.monotonic()))


# ---------------------------------------------------------------------------
# Small notebooks for the suite's own tests (and for developing it)

SAMPLE_SETUP = """\
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np


def draw(n):
    x = np.linspace(0, 1, 50)
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.plot(x, x ** n)
    ax.set_title(f"y = x^{n}")
    plt.show()
"""

SAMPLE_EXPLORERS = {
    # a working explorer: interactive_output redraws on every move
    "ok": """\
slider = widgets.IntSlider(value=1, min=1, max=6, description="n")
out = widgets.interactive_output(draw, {"n": slider})
widgets.VBox([slider, out])
""",
    # broken callback: it ignores the slider's value (draws n = 1 whatever the slider says)
    "ignores_value": """\
slider = widgets.IntSlider(value=1, min=1, max=6, description="n")
out = widgets.interactive_output(lambda n: draw(1), {"n": slider})
widgets.VBox([slider, out])
""",
    # broken wiring: observes a trait that does not exist ('values'), so it never redraws
    "unwired": """\
slider = widgets.IntSlider(value=1, min=1, max=6, description="n")
out = widgets.Output()

def redraw(change=None):
    with out:
        out.clear_output(wait=True)
        draw(slider.value)

slider.observe(redraw, names="values")
redraw()
widgets.VBox([slider, out])
""",
    # works, with an action button: the slider sets a value, 'Train' redraws with it
    "button": """\
slider = widgets.IntSlider(value=1, min=1, max=6, description="n")
button = widgets.Button(description="Train")
clear = widgets.Button(description="Clear")
out = widgets.Output()

def train(_button=None):
    with out:
        out.clear_output(wait=True)
        draw(slider.value)

button.on_click(train)
train()
widgets.VBox([widgets.HBox([slider, clear, button]), out])
""",
    # broken callback: raises as soon as the slider moves
    "raises": """\
slider = widgets.IntSlider(value=1, min=1, max=6, description="n")

def update(n):
    if n != 1:
        raise ValueError(f"broken callback for n = {n}")
    draw(n)

out = widgets.interactive_output(update, {"n": slider})
widgets.VBox([slider, out])
""",
}


def make_sample_notebook(path: Path, explorers=("ok",), cell_error: bool = False,
                         with_stored_widget: bool = True) -> Path:
    """Write a tiny notebook with one IntSlider explorer per entry of ``explorers``.

    Each entry names a kind in :data:`SAMPLE_EXPLORERS` ("ok" works; the others
    are broken on purpose). ``cell_error`` adds a cell that raises before the
    explorers. ``with_stored_widget`` stores a widget-view output in each
    explorer cell, as a committed course notebook has.
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    if isinstance(explorers, str):
        explorers = (explorers,)
    cells = [new_markdown_cell("# Sample notebook for the browser suite"),
             new_code_cell(SAMPLE_SETUP)]
    if cell_error:
        cells.append(new_code_cell("1 / 0"))
    for kind in explorers:
        ex = new_code_cell(f"# explorer: {kind}\n" + SAMPLE_EXPLORERS[kind],
                           metadata={"tags": ["nbval-ignore-output"]})
        if with_stored_widget:
            ex.outputs = [new_output("execute_result", execution_count=None, data={
                "text/plain": "VBox(...)",
                WIDGET_MIME: {"version_major": 2, "version_minor": 0, "model_id": "0" * 32}})]
        cells.append(ex)
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


#: The suite's own test notebooks (``selftest/<name>.ipynb``): widgets broken on purpose.
SELFTESTS = {
    "broken_callbacks": dict(explorers=("ok", "ignores_value", "unwired", "raises", "button")),
    "cell_error": dict(explorers=("ok",), cell_error=True),
}
