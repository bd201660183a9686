"""Tests of the student release (copied to its tests/ by ``mlpkit release``).

They need no solution: every public check reports an untouched stub as "not attempted yet",
answers a wrong function with a diagnosis without raising, the hints open, and every exercise
runs from top to bottom as handed out.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import mlpkit
from mlpkit import checks
from mlpkit.hints import HINTS, hint

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
CALL = re.compile(r"mlpkit\.checks\.(ex\d\d)\.(check_\w+)\((\w+)\)$")


def _check_calls():
    out = []
    for path in EXERCISES:
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            m = CALL.match(cell.source.strip()) if cell.cell_type == "code" else None
            if m:
                out.append((path.stem[:2], m.group(1), m.group(2), m.group(3)))
    return out


CHECK_CALLS = _check_calls()


def test_this_is_a_student_copy():
    assert not (ROOT / "solutions").exists()
    assert (Path(mlpkit.__file__).parent / "checks" / "stored_values.json").exists()
    assert len(CHECK_CALLS) >= 20


@pytest.mark.parametrize("nn,module,check,fname", CHECK_CALLS,
                         ids=[f"{c[0]}-{c[3]}" for c in CHECK_CALLS])
def test_stub_is_not_attempted(nn, module, check, fname, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError

    fn = getattr(getattr(checks, module), check)
    result = fn.run(stub)
    assert result.not_attempted and not result.passed
    fn(stub)
    assert capsys.readouterr().out.splitlines()[0] == f"{fname}: not attempted yet"


@pytest.mark.parametrize("nn,module,check,fname", CHECK_CALLS,
                         ids=[f"{c[0]}-{c[3]}" for c in CHECK_CALLS])
@pytest.mark.parametrize("wrong", [lambda *a: None, lambda *a: 1.5, lambda *a: 1 / 0,
                                   lambda *a: (np.zeros((2, 2)),) * 6],
                         ids=["none", "number", "raises", "zeros"])
def test_wrong_answers_get_a_diagnosis_and_never_raise(nn, module, check, fname, wrong):
    fn = getattr(getattr(checks, module), check)
    result = fn.run(wrong)
    assert not result.passed and not result.not_attempted
    assert result.message and "could not check" not in result.message, result.message


@pytest.mark.parametrize("nn,name", [(nn, n) for nn in sorted(HINTS) for n in HINTS[nn]])
def test_hints_open(nn, name, capsys):
    hint(nn, name)
    assert capsys.readouterr().out.startswith(f"Hint 1/3 for exercise {nn}, {name}")


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_exercise_runs_to_the_end_as_handed_out(path):
    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    n = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert all(o.output_type != "error" for o in cell.outputs), cell.source
        if CALL.match(cell.source.strip()):
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert text.splitlines()[0].endswith(": not attempted yet"), text
            n += 1
    assert n >= 2
