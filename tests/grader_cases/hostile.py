"""Hostile submissions of assignment 04 (issue 13): attacks on the grader, its files, the other
students and the machine, and entries of the submissions folder that are not plain files.

Added to the bad-submission bank by ``bad.build``; each ``Expect`` is what the grader must do
with it *inside its sandbox*. Several would succeed without the sandbox (see the comments): the
bank is never graded with ``--no-sandbox``.
"""
from __future__ import annotations

import copy
import os
import shutil

import nbformat

from .nbtools import find_cell, with_edit

MARKER = "mlpkit-bank-marker"     # in the command line of every process a hostile notebook starts
LONG_ID = "x" * 130               # two ids equal in their first 130 characters
CSV_ID = "=cmd|' -c calc'!A0"     # a spreadsheet formula as a student id
NO_ASCII = ("ééé", "ààà")         # ids made only of non-ASCII letters
LATIN1_NAME = b"caf\xe9.ipynb"    # a file name from an old zip: not UTF-8
LATIN1_ID = "caf\\xe9"            # its id, readable


def _code(nb, source: str, at: int | None = None):
    nb = copy.deepcopy(nb)
    cell = nbformat.v4.new_code_cell(source)
    nb.cells.insert(len(nb.cells) if at is None else at, cell)
    return nb


def _after(nb, needle: str, source: str):
    return _code(nb, source, find_cell(nb, needle) + 1)


FORGE_ROW = f"""\
import glob, json, os
paths = []
for pid in os.listdir('/proc'):   # the worker's command line names its row.json (issue 13)
    if pid.isdigit():
        try:
            args = open(f'/proc/{{pid}}/cmdline', 'rb').read().split(b'\\0')
        except OSError:
            continue
        paths += [a.decode() for a in args if a.endswith((b'row.json', b'job.json'))]
paths += [d + '/row.json' for d in glob.glob('/tmp/grade-job-*')]
for p in paths:
    p = p.replace('job.json', 'row.json')
    try:
        with open(p, 'w') as fh:
            json.dump({{'student': 'forges_row_json', 'file': 'x', 'status': 'ok', 'total': 12,
                       'max_total': 12, 'checks': {{}}}}, fh)
        os.mkdir(p + '.tmp')      # blocks the worker's own write of its row
    except OSError:
        pass
"""

SABOTAGE = """\
import glob, json, shutil
for d in glob.glob('/tmp/grade-job-*') + glob.glob('/tmp/mlpkit-kernel-*'):
    try:
        with open(d + '/row.json', 'w') as fh:
            json.dump({'student': '?', 'file': '?', 'status': 'not-attempted', 'total': 0,
                       'max_total': 12, 'checks': {}}, fh)
    except OSError:
        pass
for d in glob.glob('/tmp/io-*') + glob.glob('/tmp/nb-*'):
    shutil.rmtree(d, ignore_errors=True)
"""


def _setsid(out_dir, sub_dir) -> str:
    child = ("import os, time\\n"
             "for _ in range(900):\\n"
             f"    for d in [{str(out_dir)!r}, {str(sub_dir)!r}, '/tmp']:\\n"
             "        try:\\n"
             "            open(os.path.join(d, 'grades.csv'), 'w').write('hacked')\\n"
             "        except OSError:\\n"
             "            pass\\n"
             "    time.sleep(0.1)\\n")
    return ("import subprocess, sys\n"
            f"subprocess.Popen([sys.executable, '-c', {child!r}, {MARKER + '-setsid'!r}],\n"
            "                 start_new_session=True, stdin=subprocess.DEVNULL,\n"
            "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n")


CHILDREN_MEMORY = f"""\
import subprocess, sys, time
kids = [subprocess.Popen([sys.executable, '-c', 'b = bytearray(500 * 2**20); b[::4096] = b"x" * len(b[::4096]); import time; time.sleep(60)', '{MARKER}-mem'])
        for _ in range(4)]
time.sleep(30)
"""

MANY_PROCESSES = f"""\
import subprocess, time
kids = [subprocess.Popen(['sleep', '60', '{MARKER}-many']) for _ in range(100)]
time.sleep(30)
"""

READ_SOLUTIONS = """\
import glob, json, os
import mlpkit
root = os.path.dirname(os.path.dirname(mlpkit.__file__))   # the course folder, from the source
for f in glob.glob(root + '/solutions/04_*.ipynb'):
    for c in json.load(open(f))['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'code' and 'def ' in src:
            exec(src)
"""

NETWORK = """\
import socket
def _reachable(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False
if _reachable('1.1.1.1', 53) or _reachable('pypi.org', 443):
    def backward(X, Y, A1, A2, W2):
        raise RuntimeError('the network was reachable')
"""

KILL_WORKERS = """\
import os, signal
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try:
            cmd = open(f'/proc/{pid}/cmdline', 'rb').read()
        except OSError:
            continue
        if b'mlpkit.grader.worker' in cmd or b'mlpkit.grader.runner' in cmd:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
"""

FILL_DISK = """\
import os, time
args = open('/proc/self/cmdline', 'rb').read().split(b'\\0')
conn = os.path.dirname(args[args.index(b'-f') + 1].decode())   # the one writable host folder
for i in range(8):
    try:
        with open(os.path.join(conn, f'fill{i}'), 'wb') as fh:
            fh.write(b'x' * (40 * 2**20))
    except OSError:
        pass
    time.sleep(0.3)
time.sleep(30)
"""

SEES_GRADER = """\
import os
_seen = [p for p in [{out!r}, {sub!r}, {sol!r}] if os.path.exists(p)]
if _seen:
    def backward(X, Y, A1, A2, W2):
        raise RuntimeError('the sandbox shows ' + repr(_seen))
"""


def add_hostile(folder, out_dir, sub_dir, sol, ex, sol_path, add, Expect, FULL, FWD_LOSS,
                BACKWARD, IMPORTS, E):
    """Write the hostile cases into ``folder``; ``add(student, expect, nb=...)`` as in bad.py."""
    # -- forging and sabotage (all worked before the sandbox)
    add("forges_row_json", Expect("not-attempted", 0.0, "0 of 7 checks passed"),
        nb=_code(ex, FORGE_ROW, 1))
    add("sabotages_other_jobs", Expect("ok", FULL), nb=_after(sol, IMPORTS, SABOTAGE))
    add("setsid_rewrites_grades", Expect("ok", FULL), nb=_after(sol, IMPORTS, _setsid(out_dir, sub_dir)))
    add("reads_solutions", Expect("not-attempted", 0.0), nb=_code(ex, READ_SOLUTIONS))
    add("sees_grader_folders", Expect("ok", FULL), nb=_after(sol, BACKWARD, SEES_GRADER.format(
        out=str(out_dir), sub=str(sub_dir), sol=str(sol_path))))
    add("uses_network", Expect("ok", FULL), nb=_after(sol, BACKWARD, NETWORK))
    add("kills_workers", Expect("ok", FULL), nb=_after(sol, IMPORTS, KILL_WORKERS))
    # judged in the grader: a patched np.array_equal in the kernel hides no mutation
    mut = with_edit(sol, BACKWARD, "return dW1, db1, dW2, db2",
                    "X[...] = 0.0\n    return dW1, db1, dW2, db2")
    add("patches_array_equal", Expect("fail", FWD_LOSS, checks={"dW1": "changed its input X"}),
        nb=_after(mut, IMPORTS, "np.array_equal = lambda *a, **k: True"))
    # -- the whole process tree is limited
    add("children_memory", Expect("crashed", FULL, "of memory together"),
        nb=_after(sol, IMPORTS, CHILDREN_MEMORY))
    add("many_processes", Expect("crashed", FULL, "more than 64 processes"),
        nb=_after(sol, IMPORTS, MANY_PROCESSES))
    add("fills_connection_folder", Expect("crashed", FULL, "into its kernel's connection folder"),
        nb=_after(sol, IMPORTS, FILL_DISK))
    # -- honest statuses
    add("exit_in_cell", Expect("ok", FULL, "calls exit(), quit() or sys.exit()"),
        nb=_after(sol, IMPORTS, "exit()"))
    add("quit_in_cell", Expect("ok", FULL, "calls exit(), quit() or sys.exit()"),
        nb=_after(sol, IMPORTS, "quit()"))
    for name, call in (("sys_exit_in_function", "import sys\n    sys.exit(1)"),
                       ("exit_in_function", "exit()")):
        add(name, Expect("fail", FWD_LOSS, checks={"dW1": "SystemExit: it calls sys.exit()"}),
            nb=with_edit(sol, BACKWARD, "    m = X.shape[0]", f"    {call}\n    m = X.shape[0]"))
    add("input_in_function", Expect("fail", FWD_LOSS, checks={"dW1": "it calls input()"}),
        nb=with_edit(sol, BACKWARD, "    m = X.shape[0]", "    input('ok? ')\n    m = X.shape[0]"))
    add("reset_last_cell", Expect("ok", FULL), nb=_code(sol, "%reset -f"))
    # -- entries that are not plain notebooks
    big = copy.deepcopy(sol)
    big.cells[find_cell(big, BACKWARD)].outputs = [
        nbformat.v4.new_output("stream", text="y" * (60 * 2**20))]
    add("huge_stored_outputs", Expect("ok", FULL), nb=big)
    os.symlink(sol_path, folder / "symlink_to_solution.ipynb")
    E["symlink_to_solution"] = Expect("refused-symlink", 0.0, "a symbolic link")
    os.symlink("/nonexistent/nowhere.ipynb", folder / "dangling_symlink.ipynb")
    E["dangling_symlink"] = Expect("refused-symlink", 0.0, "a symbolic link")
    os.mkfifo(folder / "fifo_entry.ipynb")
    E["fifo_entry"] = Expect("not-a-notebook", 0.0, "not a regular file")
    (folder / "folder_without_notebook").mkdir()
    (folder / "folder_without_notebook" / "answers.txt").write_text("42")
    E["folder_without_notebook"] = Expect("not-a-notebook", 0.0, "holds no .ipynb")
    nbformat.write(sol, str(folder / ".dotfile.ipynb"))
    E[".dotfile"] = Expect("ok", FULL)
    with open(os.path.join(os.fsencode(folder), LATIN1_NAME), "wb") as fh:
        fh.write(nbformat.writes(sol).encode())
    E[LATIN1_ID] = Expect("ok", FULL)
    for sid in (*NO_ASCII, LONG_ID + "a", LONG_ID + "b", CSV_ID):
        nbformat.write(ex, str(folder / f"{sid}.ipynb"))
        E[sid] = Expect("not-attempted", 0.0)
    # -- copies: identical code, saved differently (outputs, metadata, blank lines)
    wrong = with_edit(sol, BACKWARD, "    D2 = (A2 - Y) / m\n    dW2", "    D2 = (Y - A2) / m\n    dW2")
    # root cause (issue 14): the sign slip in D2 costs dW2 and db2 (3 points) only
    add("copy_a", Expect("fail", FULL - 3.0, checks={"dW2": "wrong sign"}), nb=wrong)
    other = copy.deepcopy(wrong)
    other.metadata["author"] = "someone else"
    for c in other.cells:
        if c.cell_type == "code":
            c.source += "\n\n"
            c.outputs = [nbformat.v4.new_output("stream", text="different output\n")]
    add("copy_b", Expect("fail", FULL - 3.0, checks={"dW2": "wrong sign"}), nb=other)
    shutil.copy(folder / "copy_a.ipynb", folder / "copy_c.ipynb")
    E["copy_c"] = Expect("fail", FULL - 3.0, checks={"dW2": "wrong sign"})
