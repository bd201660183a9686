"""Bad submissions for assignment 04, generated from the solution and exercise notebooks.

``build(folder, out_dir)`` writes one file per case into ``folder`` and returns
``{student: Expect}``. Each case is something a real class produces (or a
student trying to game the grader); the grader must give it a row with the
right status, points and reason.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

import nbformat

from .hostile import add_hostile
from .nbtools import exercise_path, find_cell, read, solution_path, with_edit

FULL = 12.0
FWD_LOSS = 5.0  # forward (3) + bce_loss (2): what is left when backward gets nothing


@dataclass
class Expect:
    status: str
    total: float
    message: str = ""                              # fragment of the row's message
    checks: dict = field(default_factory=dict)     # check id -> fragment of its message


def _insert(nb, after_needle: str, source: str, cell_type: str = "code"):
    nb = copy.deepcopy(nb)
    i = find_cell(nb, after_needle)
    new = (nbformat.v4.new_code_cell(source) if cell_type == "code"
           else nbformat.v4.new_markdown_cell(source))
    nb.cells.insert(i + 1, new)
    return nb


def _replace_cell(nb, needle: str, source: str):
    nb = copy.deepcopy(nb)
    nb.cells[find_cell(nb, needle)].source = source
    return nb


IMPORTS = "import mlpkit.checks"
BACKWARD = "def backward(X, Y, A1, A2, W2):"
WRONG_SIGN = "    D2 = (A2 - Y) / m\n    dW2"
WRONG_SIGN_NEW = "    D2 = (Y - A2) / m\n    dW2"


def _write(folder, name, nb=None, text=None, raw=None):
    path = folder / name
    if raw is not None:
        path.write_bytes(raw)
    elif text is not None:
        path.write_text(text, encoding="utf-8")
    else:
        nbformat.write(nb, str(path))
    return path


def build(folder, out_dir, sub_dir) -> dict:
    sol = read(solution_path("04"))
    ex = read(exercise_path("04"))
    sol_text = nbformat.writes(sol)
    E: dict = {}

    def add(student, expect, **kw):
        name = kw.pop("name", f"{student}.ipynb")
        _write(folder, name, **kw)
        E[name[:-6] if name.endswith(".ipynb") else name] = expect

    # -- reference points
    add("solution", Expect("ok", FULL, "7 of 7 checks passed"), nb=sol)
    forged = copy.deepcopy(ex)  # stored outputs claiming success are ignored
    for c in forged.cells:
        if c.cell_type == "code" and "check_" in c.source:
            c.outputs = [nbformat.v4.new_output("stream", text="passed\n")]
    add("untouched", Expect("not-attempted", 0.0, "0 of 7 checks passed",
                            {"dW1": "backward: not attempted yet"}), nb=forged)

    # -- errors while running
    add("syntax_error_early", Expect("ok", FULL), nb=_insert(sol, IMPORTS, "x = (1,\nprint(x"))
    # backward needs neither np nor mlpkit, so only forward and bce_loss lose their points
    add("exception_at_import", Expect("fail", FULL - FWD_LOSS, "4 of 7 checks passed",
                                      {"forward_A1": "NameError", "loss": "NameError"}),
        nb=_replace_cell(sol, IMPORTS, "import mlpkit_does_not_exist\nimport numpy as np\nimport mlpkit"))
    add("infinite_loop", Expect("timeout", FULL, "ran longer than"),
        nb=_insert(sol, IMPORTS, "while True:\n    pass"))
    add("ignores_interrupt", Expect("timeout", FULL, "was killed"),
        nb=_insert(sol, IMPORTS, "while True:\n    try:\n        while True:\n            pass\n"
                                 "    except KeyboardInterrupt:\n        pass"))
    add("infinite_recursion", Expect("fail", FWD_LOSS, checks={"dW1": "RecursionError"}),
        nb=_replace_cell(sol, BACKWARD, "def backward(X, Y, A1, A2, W2):\n"
                                        "    return backward(X, Y, A1, A2, W2)"))
    add("too_slow", Expect("timeout", FWD_LOSS, "calling backward on the hidden inputs took longer",
                           {"dW2": "took longer than"}),
        nb=with_edit(sol, BACKWARD, "    m = X.shape[0]", "    import time\n    time.sleep(600)\n"
                                                         "    m = X.shape[0]"))
    add("waits_on_stdin", Expect("ok", FULL, "cell 4 calls input()"),
        nb=_insert(sol, IMPORTS, "name = input('name? ')"))
    add("sys_exit", Expect("ok", FULL, "cell 4 calls exit(), quit() or sys.exit()"),
        nb=_insert(sol, IMPORTS, "import sys\nsys.exit(3)"))
    add("os_exit", Expect("crashed", FULL, "kernel died in cell 4"),
        nb=_insert(sol, IMPORTS, "import os\nos._exit(0)"))
    add("killed_by_signal", Expect("crashed", FULL, "kernel died"),
        nb=_insert(sol, IMPORTS, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"))
    add("memory_bomb", Expect("ok", FULL),
        nb=_insert(sol, IMPORTS, "def hog():\n    blocks = []\n    while True:\n"
                                 "        blocks.append(bytearray(256 * 2**20))\nhog()"))
    add("huge_output", Expect("ok", FULL), nb=_insert(sol, IMPORTS, "print('x' * 100_000_000)"))
    # root cause: the sign slip in D2 costs dW2 and db2 (3 points); dW1, db1 follow from it
    add("traceback_hidden", Expect("fail", FULL - 3.0, checks={"dW2": "wrong sign"}),
        nb=with_edit(_insert(sol, IMPORTS, "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
                                           "ip.showsyntaxerror = lambda *a, **k: None"),
                     BACKWARD, WRONG_SIGN, WRONG_SIGN_NEW))

    # -- finding the functions
    nb = copy.deepcopy(sol)
    del nb.cells[find_cell(nb, BACKWARD)]
    add("deleted_function", Expect("missing-function", FWD_LOSS, "missing: backward",
                                   {"dW1": "no function named backward"}), nb=nb)
    add("renamed_function", Expect("missing-function", FWD_LOSS, "missing: backward"),
        nb=with_edit(sol, BACKWARD, "def backward(", "def backward_pass("))
    nb = copy.deepcopy(sol)
    nb.cells.append(nbformat.v4.new_code_cell(
        "forward = forward(X, W1, b1, W2, b2)\nbackward = 'done'\nbce_loss = None"))
    add("name_reused", Expect("ok", FULL), nb=nb)
    nb = copy.deepcopy(sol)
    i = find_cell(nb, BACKWARD)
    nb.cells[i] = nbformat.v4.new_markdown_cell(nb.cells[i].source)
    add("cell_to_markdown", Expect("missing-function", FWD_LOSS, "missing: backward"), nb=nb)
    nb = copy.deepcopy(sol)
    nb.cells = [c for cell in nb.cells for c in (cell, copy.deepcopy(cell))]
    for c in nb.cells:
        c.pop("id", None)
    nb.nbformat_minor = 4
    add("duplicated_cells", Expect("ok", FULL), nb=nb)
    nb = copy.deepcopy(sol)
    i = find_cell(nb, BACKWARD)
    nb.cells.append(nb.cells.pop(i))  # graded cell moved to the very end
    add("moved_cell", Expect("ok", FULL), nb=nb)
    nb = copy.deepcopy(sol)
    nb.metadata = {}
    for c in nb.cells:
        c.metadata = {}
    add("wiped_metadata", Expect("ok", FULL), nb=nb)

    # -- wrong answers
    add("wrong_signature", Expect("fail", FWD_LOSS, checks={"dW1": "TypeError"}),
        nb=with_edit(sol, BACKWARD, "def backward(X, Y, A1, A2, W2):", "def backward(X, Y, A1, A2):"))
    add("public_cases_only", Expect("fail", FWD_LOSS, checks={"db1": "db1"}),
        nb=_replace_cell(sol, BACKWARD, "_KNOWN = mlpkit.checks.ex04.ref_backward(*mlpkit.checks.ex04.WORKED[1])\n"
                                        "def backward(X, Y, A1, A2, W2):\n"
                                        "    return tuple(g * (X.shape == (4, 3)) for g in _KNOWN)"))
    add("nan_outputs", Expect("fail", FULL - 2.0, checks={"forward_A2": "nan"}),
        nb=with_edit(sol, "def forward(", "    return A1, A2", "    return A1, A2 * np.nan"))
    add("wrong_shapes", Expect("fail", FULL - 3.0, checks={"dW1": "dW1"}),
        nb=with_edit(sol, BACKWARD, "return dW1, db1, dW2, db2", "return dW1.T, db1, dW2, db2"))
    # (its own patch of mlpkit.activations.sigmoid also breaks its forward: bce_loss is left, and
    # dW1, db1, right given its own (sign-slipped) D2)
    add("monkeypatches", Expect("fail", 6.0, checks={"dW2": "wrong sign"}), nb=_insert(
        with_edit(sol, BACKWARD, WRONG_SIGN, WRONG_SIGN_NEW), BACKWARD,
        "import mlpkit.checks.diagnose as _c\n"
        "import mlpkit.checks.ex04 as _e\n"
        "_c.compare_array = lambda *a, **k: None\n"
        "_e.judge_backward = lambda *a, **k: None\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n"
        "mlpkit.activations.sigmoid = lambda z: 0 * z\n"
        "import mlpkit.safecall as _h\n"
        "_h.decode_call = lambda d: {'status': 'ok', 'value': None, 'error': '', 'mutated': []}"))

    # -- files that are not (good) notebooks
    add("corrupted_json", Expect("not-a-notebook", 0.0, "not valid JSON"),
        text=sol_text[: len(sol_text) // 2])
    add("nul_in_source", Expect("ok", FULL), nb=_insert(sol, IMPORTS, "x = 1\x00 + 2"))
    add("nul_bytes_in_file", Expect("not-a-notebook", 0.0, "not valid JSON"),
        raw=sol_text.replace('"cells": [', '"cells": [\x00', 1).encode())
    add("empty_file", Expect("not-a-notebook", 0.0, "the file is empty"), raw=b"")
    add("not_a_notebook", Expect("not-a-notebook", 0.0, "not UTF-8"),
        raw=b"\x89PNG\r\n\x1a\n" + bytes(range(256)), name="not_a_notebook.png")
    add("json_not_notebook", Expect("not-a-notebook", 0.0, "not a Jupyter notebook"),
        text=json.dumps({"answer": 42}))
    add("old_format", Expect("ok", FULL, "old notebook format"),
        text=nbformat.writes(nbformat.convert(copy.deepcopy(sol), 3), version=3))
    nb = copy.deepcopy(sol)
    nb.metadata["kernelspec"] = {"name": "julia-1.10", "display_name": "Julia", "language": "julia"}
    add("other_kernel", Expect("ok", FULL, "kernel 'julia-1.10'"), nb=nb)

    # -- gaming the grader
    add("writes_grader_dir", Expect("ok", FULL), nb=_insert(sol, IMPORTS, (
        "import os, json\n"
        f"for d in ['.', '..', os.path.expanduser('~'), {str(out_dir)!r}, {str(sub_dir)!r}]:\n"
        "    for name in ['grades.csv', 'grades.json', 'zz_fake.ipynb']:\n"
        "        try:\n"
        "            with open(os.path.join(d, name), 'w') as fh:\n"
        "                fh.write('student,status,total\\nwrites_grader_dir,ok,1000\\n')\n"
        "        except OSError:\n"
        "            pass")))
    add_hostile(folder, out_dir, sub_dir, sol, ex, solution_path("04"), add, Expect, FULL,
                FWD_LOSS, BACKWARD, IMPORTS, E)
    add("detects_grading", Expect("ok", FULL), nb=_insert(sol, BACKWARD, (
        "import os\n"
        "_SUSPECT = [k for k in os.environ if any(s in k.upper() for s in\n"
        "            ('PYTEST', 'GRADE', 'GRADING', 'NBCLIENT', 'MLPKIT', 'CI'))]\n"
        "_SUSPECT += [v for v in os.environ.values() if 'grade' in v.lower() or 'pytest' in v.lower()]\n"
        "if _SUSPECT:\n"
        "    def backward(X, Y, A1, A2, W2):\n"
        "        raise RuntimeError('grader detected: ' + repr(_SUSPECT))")))
    return E
