"""Grade one submission: parse it, run it in a fresh limited kernel, judge the results.

Run as ``python -m mlpkit.grader.kernel JOB.json RESULT.json`` by the runner (one
process per submission, so a misbehaving submission can only take down its
own worker). The steps:

1. **Parse** the file without trusting it: empty, not UTF-8, not JSON, JSON but
   not a notebook -> status ``not-a-notebook``. Old formats (nbformat 3) are
   converted; the kernel name in the file is ignored (always ``python3``);
   stored outputs are ignored.
2. **Execute**, in a new temporary directory, a fresh IPython kernel with a
   clean environment (no variable tells it that it is being graded), an
   address-space cap (``RLIMIT_AS``), a file-size cap, stdout/stderr thrown
   away, and no stdin. Cells: a setup cell that records, after every cell, the
   last *callable* bound to each graded name; every code cell of the
   submission in order (errors do not stop the run); the harness
   (``mlpkit.grader.harness``, sent as source); one cell per call group that
   calls a graded function on the grader's inputs and writes the returned
   values to a JSON file.
   Per-cell limit: the kernel is interrupted, then killed if it does not
   stop. A kernel that dies (``os._exit``, a signal, out of memory) is
   restarted and the whole notebook re-run without the cell that killed it (at
   most ``MAX_RESTARTS`` times); one that dies before running anything is
   started again (``START_TRIES``). A total limit bounds everything.
3. **Judge** in this process: the returned values are decoded strictly (numbers
   and numeric arrays only) and compared with values computed here, so nothing
   the notebook does to numpy, mlpkit or the checks inside its kernel changes a
   grade. Outputs, stderr and warnings are never read.
"""
from __future__ import annotations

import json
import os
import queue
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import harness
from .hidden import Assignment, get, judge_check

MAX_RESTARTS = 3
# A kernel that dies before it has run anything says nothing about the submission (seen:
# "Kernel died before replying to kernel_info" once in ~40 kernels started side by side,
# likely two processes picking the same free port); it is started again, at most this often.
START_TRIES = 3
MAX_FILE_BYTES = 50 * 2**20
MAX_RESULT_BYTES = 256 * 2**20

# Status of a submission, most severe first (the row shows the most severe that applies).
STATUSES = ("not-a-notebook", "crashed", "timeout", "missing-function", "not-attempted", "fail", "ok")


@dataclass
class Limits:
    cell_timeout: float = 60.0
    total_timeout: float = 600.0
    memory_mb: int = 2048
    file_mb: int = 512
    startup_timeout: float = 60.0


class NotANotebook(Exception):
    pass


# ---------------------------------------------------------------- parsing
def load_submission(path: Path):
    """``(cells, notes)``: ``cells`` a list of ``(number, cell_type, source)``, 1-based numbers."""
    notes = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NotANotebook(f"cannot read the file ({exc.strerror or exc})")
    if not raw.strip():
        raise NotANotebook("the file is empty")
    if len(raw) > MAX_FILE_BYTES:
        raise NotANotebook(f"the file is {len(raw) // 2**20} MB, more than {MAX_FILE_BYTES // 2**20} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotANotebook(f"not UTF-8 text (byte {exc.start}): not a notebook (.ipynb) file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotANotebook(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}): "
                           "the notebook file is corrupted or not a notebook")
    if not isinstance(data, dict) or not ("cells" in data or "worksheets" in data):
        raise NotANotebook("valid JSON but not a Jupyter notebook (no cells)")
    major = data.get("nbformat")
    if isinstance(major, int) and major < 4:
        try:
            import nbformat

            data = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
            notes.append(f"old notebook format (nbformat {major}) converted to version 4")
        except Exception as exc:
            raise NotANotebook(f"old notebook format (nbformat {major}) that cannot be converted "
                               f"({type(exc).__name__})")
    kname = ((data.get("metadata") or {}).get("kernelspec") or {}).get("name")
    if isinstance(kname, str) and kname != "python3":
        notes.append(f"kernel {kname!r} in the file ignored: graded with python3")
    cells_in = data.get("cells")
    if not isinstance(cells_in, list):
        raise NotANotebook("the notebook's 'cells' is not a list")
    cells = []
    for i, c in enumerate(cells_in, start=1):
        if not isinstance(c, dict):
            continue
        src = c.get("source", "")
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        if not isinstance(src, str):
            src = ""
        cells.append((i, str(c.get("cell_type", "")), src))
    if not any(t == "code" for _, t, _ in cells):
        raise NotANotebook("the notebook has no code cell")
    return cells, notes


# ---------------------------------------------------------------- the kernel
def kernel_env(home: str) -> dict:
    """A clean environment: nothing in it says "grading"."""
    env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"), "HOME": home,
           "LANG": os.environ.get("LANG", "C.UTF-8"), "IPYTHONDIR": os.path.join(home, ".ipython"),
           "MPLBACKEND": "Agg", "TMPDIR": home}
    mpl = os.environ.get("MPLCONFIGDIR") or os.path.join(os.path.expanduser("~"), ".config",
                                                          "matplotlib")
    env["MPLCONFIGDIR"] = mpl  # the font cache is shared (building one takes seconds)
    for k, v in os.environ.items():  # thread settings of the machine, unchanged; the install
        if k.startswith(("OMP_", "OPENBLAS_", "MKL_", "VECLIB_", "LC_")) or k in (
                "PYTHONPATH", "LD_LIBRARY_PATH", "SYSTEMROOT", "VIRTUAL_ENV"):
            env[k] = v
    return env


def _limit(memory_mb: int, file_mb: int):
    def preexec():  # runs in the kernel process before exec (POSIX)
        try:
            import resource

            mem = int(memory_mb) * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
            fsz = int(file_mb) * 2**20
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsz, fsz))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        except Exception:
            pass
    return preexec


class Kernel:
    """A fresh kernel in ``cwd``: ``run(code, timeout)`` -> ok | error | timeout | dead."""

    def __init__(self, cwd: str, limits: Limits):
        for attempt in range(1, START_TRIES + 1):
            try:
                self._start(cwd, limits)
                return
            except Exception:
                self.close()
                if attempt == START_TRIES:
                    raise

    def _start(self, cwd: str, limits: Limits):
        from jupyter_client import KernelManager

        self.km = KernelManager(kernel_name="python3")
        kw = dict(cwd=cwd, env=kernel_env(cwd), stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL)
        if os.name == "posix":
            kw["preexec_fn"] = _limit(limits.memory_mb, limits.file_mb)
        self.km.start_kernel(**kw)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=limits.startup_timeout)

    def _drain(self):
        try:
            while True:
                self.kc.get_iopub_msg(timeout=0)
        except queue.Empty:
            pass
        except Exception:
            pass

    def _wait(self, msg_id: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            try:
                msg = self.kc.get_shell_msg(timeout=min(0.5, left))
            except queue.Empty:
                self._drain()
                if not self.km.is_alive():
                    return "dead"
                continue
            except Exception:
                if not self.km.is_alive():
                    return "dead"
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                self._drain()
                status = msg.get("content", {}).get("status")
                return "ok" if status == "ok" else "error"

    def run(self, code: str, timeout: float) -> str:
        if not self.km.is_alive():
            return "dead"
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        out = self._wait(msg_id, timeout)
        if out == "timeout":
            try:
                self.km.interrupt_kernel()
            except Exception:
                pass
            after = self._wait(msg_id, 5.0)
            if after in ("timeout", "dead"):
                return "timeout-killed" if after == "timeout" else "dead"
        return out

    def close(self):  # also after a failed start: kc (or km) may not exist yet
        try:
            self.kc.stop_channels()
        except Exception:
            pass
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:
            pass


SETUP = '''\
def _mlpkit_setup_{token}():
    import os, sys
    ip = get_ipython()
    names = {names!r}
    record = {{}}
    def snapshot(*args, **kwargs):
        ns = ip.user_ns
        for n in names:
            v = ns.get(n)
            if callable(v) and not isinstance(v, type):
                record[n] = v
    ip.events.register("post_run_cell", snapshot)
    try:  # tracebacks are never read; formatting 3000 frames of a recursion takes seconds
        ip.InteractiveTB.set_mode(mode="Minimal")
    except Exception:
        pass
    sink = open(os.devnull, "w")
    sys.stdout = sink
    sys.stderr = sink
    return record
_mlpkit_record_{token} = _mlpkit_setup_{token}()
del _mlpkit_setup_{token}
'''

HARNESS = '''\
import types as _t_{token}
_mlpkit_h_{token} = _t_{token}.ModuleType("_mlpkit_harness_{token}")
exec({source!r}, _mlpkit_h_{token}.__dict__)
del _t_{token}
'''

GROUP = '''\
_mlpkit_h_{token}.run_group(globals().get("_mlpkit_record_{token}", {{}}), globals(), {names!r}, \
{function!r}, {in_path!r}, {out_path!r})
'''


def _seed_for(base_seed: int, student: str, number: str) -> int:
    import hashlib

    h = hashlib.sha256(f"{base_seed}:{number}:{student}".encode()).digest()
    return int.from_bytes(h[:8], "little") % (2**63)


def grade_submission(path: Path, assignment: Assignment, student: str, base_seed: int,
                     limits: Limits, context=None) -> dict:
    """Everything about one submission, as a JSON-compatible dict (see ``runner``)."""
    t0 = time.monotonic()
    seed = _seed_for(base_seed, student, assignment.number)
    row = {"student": student, "file": path.name, "seed": seed, "events": [], "notes": [],
           "checks": {}, "status": None, "message": ""}
    max_pts = assignment.max_points
    try:
        cells, notes = load_submission(path)
    except NotANotebook as exc:
        row.update(status="not-a-notebook", message=str(exc), total=0.0, max_total=max_pts)
        for c in assignment.checks:
            row["checks"][c.id] = {"points": 0.0, "max": c.points, "message": "not graded: " + str(exc)}
        row["elapsed"] = round(time.monotonic() - t0, 2)
        return row
    row["notes"] = notes
    context = assignment.context() if context is None else context
    rng_cases = {g.id: g.cases(np.random.default_rng([seed, k]), context)
                 for k, g in enumerate(assignment.groups)}
    token = secrets.token_hex(8)
    work = Path(tempfile.mkdtemp(prefix="nb-"))
    io_dir = Path(tempfile.mkdtemp(prefix=f"io-{token[:6]}-"))
    names = assignment.functions
    code_cells = [(n, src) for n, t, src in cells if t == "code"]
    group_results: dict = {}
    group_notes: dict = {}
    skip_cells: set = set()
    skip_groups: set = set()
    total_deadline = t0 + limits.total_timeout
    events = row["events"]
    crashed = timed_out = False
    try:
        for attempt in range(MAX_RESTARTS + 1):
            for f in io_dir.glob("out-*.json"):
                f.unlink()
            restart_needed = False
            kernel = None
            try:
                kernel = Kernel(str(work), limits)
            except Exception as exc:
                events.append({"kind": "crash", "message": f"the kernel did not start in {START_TRIES} tries ({type(exc).__name__}: {exc})"[:300]})
                crashed = True
                break
            try:
                def left():
                    return total_deadline - time.monotonic()

                status = kernel.run(SETUP.format(token=token, names=tuple(names)), min(30, max(left(), 1)))
                if status != "ok":
                    events.append({"kind": "crash", "message": "the grader's setup cell failed"})
                    crashed = True
                    break
                stop = False
                for number, src in code_cells:
                    if number in skip_cells:
                        continue
                    if left() <= 0:
                        stop = True
                        break
                    st = kernel.run(src, min(limits.cell_timeout, left()))
                    if st in ("timeout", "timeout-killed"):
                        if left() <= 0:
                            stop = True
                            break
                        timed_out = True
                        events.append({"kind": "timeout", "cell": number, "message":
                                       f"cell {number} ran longer than {limits.cell_timeout:g} s and was "
                                       + ("interrupted" if st == "timeout" else "killed")})
                        if st == "timeout-killed":
                            skip_cells.add(number)
                            restart_needed = True
                            break
                    elif st == "dead":
                        crashed = True
                        events.append({"kind": "crash", "cell": number, "message":
                                       f"the kernel died in cell {number} (os._exit, a signal or the "
                                       f"memory limit of {limits.memory_mb} MB?); that cell was skipped "
                                       "and the notebook re-run without it"})
                        skip_cells.add(number)
                        restart_needed = True
                        break
                if restart_needed:
                    continue
                if stop:
                    break
                if kernel.run(HARNESS.format(token=token, source=_harness_source()), 30) != "ok":
                    events.append({"kind": "crash", "message": "the grader's harness could not be "
                                   "loaded in the kernel (the notebook broke the Python runtime?)"})
                for k, g in enumerate(assignment.groups):
                    if g.id in skip_groups or g.id in group_results:
                        continue
                    if left() <= 0:
                        stop = True
                        break
                    in_path = io_dir / f"in-{token}-{k}.json"
                    out_path = io_dir / f"out-{token}-{k}.json"
                    in_path.write_text(json.dumps(harness.encode(list(rng_cases[g.id]))))
                    st = kernel.run(GROUP.format(token=token, names=tuple(names), function=g.function,
                                                 in_path=str(in_path), out_path=str(out_path)),
                                    min(limits.cell_timeout, left()))
                    if st == "ok" and out_path.exists():
                        group_results[g.id] = _read_results(out_path, len(rng_cases[g.id]), group_notes, g.id)
                    elif st in ("timeout", "timeout-killed"):
                        timed_out = True
                        msg = (f"calling {g.function} on the hidden inputs took longer than "
                               f"{limits.cell_timeout:g} s")
                        events.append({"kind": "timeout", "message": msg})
                        for g2 in assignment.groups:
                            if g2.function == g.function:
                                skip_groups.add(g2.id)
                                group_notes[g2.id] = msg
                        if st == "timeout-killed":
                            restart_needed = True
                            break
                    elif st == "dead":
                        crashed = True
                        msg = f"calling {g.function} on the hidden inputs killed the kernel"
                        events.append({"kind": "crash", "message": msg})
                        skip_groups.add(g.id)
                        group_notes[g.id] = msg
                        restart_needed = True
                        break
                    else:
                        group_notes[g.id] = ("the grader's call of " + g.function + " did not complete "
                                             "(the notebook may have broken the Python runtime)")
                        group_results[g.id] = None
                if restart_needed and attempt < MAX_RESTARTS:
                    continue
                break
            finally:
                kernel.close()
        else:
            events.append({"kind": "crash", "message": f"gave up after {MAX_RESTARTS} restarts"})
        if time.monotonic() >= total_deadline:
            timed_out = True
            events.append({"kind": "timeout", "message": f"the total time limit of "
                                                         f"{limits.total_timeout:g} s was reached"})
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(io_dir, ignore_errors=True)

    # ---- judge, in this process
    total = 0.0
    missing = set()
    not_attempted = 0
    failed = 0
    for c in assignment.checks:
        g = assignment.group(c.group)
        res = group_results.get(g.id)
        if res is None:
            frac, msg = 0.0, group_notes.get(g.id, "not run (see the status)")
        else:
            frac, msg = judge_check(c, g, rng_cases[g.id], res, context)
            if any(r["status"] == "missing" for r in res):
                missing.add(g.function)
                msg = (f"no function named {g.function} was found (deleted, renamed, or its cell "
                       "turned into Markdown?)")
        pts = round(float(frac) * c.points, 4)
        total += pts
        if msg.endswith("not attempted yet"):
            not_attempted += 1
        if frac < 1:
            failed += 1
        row["checks"][c.id] = {"points": pts, "max": c.points, "message": msg}
    row["total"] = round(total, 4)
    row["max_total"] = max_pts
    n = len(assignment.checks)
    if crashed:
        status = "crashed"
    elif timed_out:
        status = "timeout"
    elif missing:
        status = "missing-function"
    elif not_attempted == n:
        status = "not-attempted"
    elif failed:
        status = "fail"
    else:
        status = "ok"
    parts = [e["message"] for e in events]
    if missing:
        parts.append("missing: " + ", ".join(sorted(missing)))
    if status in ("fail", "ok", "not-attempted", "missing-function"):
        parts.append(f"{n - failed} of {n} checks passed")
    row["status"] = status
    row["message"] = "; ".join(parts + notes)
    row["elapsed"] = round(time.monotonic() - t0, 2)
    return row


def grade_in_process(assignment: Assignment, functions: dict, seed: int, context=None) -> dict:
    """The hidden checks of ``functions`` (name -> callable) called in THIS process.

    The same inputs, serialisation round trip and judges as a kernel run, without
    the kernel: for tests (mutation tests) and for instructors trying a check.
    Returns ``{check_id: {"points", "max", "message"}}``.
    """
    context = assignment.context() if context is None else context
    out = {}
    results = {}
    cases = {}
    for k, g in enumerate(assignment.groups):
        cases[g.id] = g.cases(np.random.default_rng([seed, k]), context)
        wire = json.dumps({"results": [harness.encode_call(harness.call(functions.get(g.function),
                                                                        list(a)))
                                       for a in harness.decode(harness.encode(list(cases[g.id])))]})
        results[g.id] = [harness.decode_call(r) for r in json.loads(wire)["results"]]
    for c in assignment.checks:
        g = assignment.group(c.group)
        frac, msg = judge_check(c, g, cases[g.id], results[g.id], context)
        out[c.id] = {"points": round(frac * c.points, 4), "max": c.points, "message": msg}
    return out


_SOURCE_CACHE: list = []


def _harness_source() -> str:
    if not _SOURCE_CACHE:
        _SOURCE_CACHE.append(Path(harness.__file__).read_text(encoding="utf-8"))
    return _SOURCE_CACHE[0]


def _read_results(path: Path, n_cases: int, notes: dict, gid: str):
    try:
        if path.stat().st_size > MAX_RESULT_BYTES:
            raise ValueError("too large")
        data = json.loads(path.read_text(encoding="utf-8"))
        results = [harness.decode_call(r) for r in data["results"]]
        if len(results) != n_cases:
            raise ValueError("wrong number of results")
        return results
    except Exception as exc:
        notes[gid] = f"the values returned could not be read ({type(exc).__name__}: {exc})"[:300]
        return None


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    limits = Limits(**job["limits"])
    row = grade_submission(Path(job["path"]), get(job["assignment"]), job["student"],
                           int(job["seed"]), limits)
    tmp = Path(argv[1] + ".tmp")
    tmp.write_text(json.dumps(row), encoding="utf-8")
    os.replace(tmp, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
