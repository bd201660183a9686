"""Exercises are generated from the solutions (`mlpkit assign`): committed copies must match,
the generator must do what it promises, and every exercise must run to the end as handed out."""
from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from grader_cases.nbtools import ROOT, TOPICS
from mlpkit.assign import BEGIN, END, AssignError, assign, exercise_text, make_exercise, strip_solution
from mlpkit.cli import main as cli_main

SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def test_every_topic_has_a_solution_and_an_exercise():
    assert [p.stem for p in SOLUTIONS] == sorted(TOPICS.values())
    for p in SOLUTIONS:
        assert (ROOT / "exercises" / p.name).exists(), f"exercises/{p.name} missing: run mlpkit assign"


@pytest.mark.parametrize("sol", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_committed_exercise_matches_generated(sol):
    committed = (ROOT / "exercises" / sol.name).read_text(encoding="utf-8")
    assert committed == exercise_text(sol), (
        f"exercises/{sol.name} differs from what `mlpkit assign` generates from "
        f"solutions/{sol.name}: run `mlpkit assign` and commit the result")


def test_cli_check_mode_passes_on_the_repo(capsys):
    assert cli_main(["assign", "--check", "--root", str(ROOT)]) == 0


def test_cli_check_mode_fails_on_a_stale_exercise(tmp_path, capsys):
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    (tmp_path / "mlpkit").mkdir()
    ex = tmp_path / "exercises" / SOLUTIONS[0].name
    ex.write_text(ex.read_text().replace("YOUR CODE HERE", "YOUR CODE THERE", 1))
    assert cli_main(["assign", "--check", "--root", str(tmp_path)]) == 1
    assert "STALE" in capsys.readouterr().out
    assert cli_main(["assign", "--root", str(tmp_path)]) == 0           # regenerate
    assert cli_main(["assign", "--check", "--root", str(tmp_path)]) == 0


def test_strip_solution_keeps_indentation_and_code_outside():
    src = f"def f(x):\n    y = 1\n    {BEGIN}\n    return x + y\n    {END}\n\nprint(f)"
    assert strip_solution(src) == ("def f(x):\n    y = 1\n    # YOUR CODE HERE\n"
                                   "    raise NotImplementedError\n\nprint(f)")


@pytest.mark.parametrize("src", [f"{BEGIN}\nx", f"x\n{END}", f"{BEGIN}\n{BEGIN}\n{END}",
                                 f"x = 1  {BEGIN}"])
def test_strip_solution_rejects_bad_markers(src):
    with pytest.raises(AssignError):
        strip_solution(src)


@pytest.mark.parametrize("sol", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_exercise_has_no_solution_no_outputs_no_instructor_cells(sol):
    solution = nbformat.read(str(sol), as_version=4)
    ex = make_exercise(solution, sol.name)
    text = nbformat.writes(ex)
    assert BEGIN not in text and END not in text
    assert "Instructor notes" in nbformat.writes(solution) and "Instructor notes" not in text
    for cell in ex.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert set(cell.metadata) <= {"tags"}
    n_stubs = sum(c.source.count("raise NotImplementedError") for c in ex.cells
                  if c.cell_type == "code")
    assert n_stubs == sum(c.source.count(BEGIN) for c in solution.cells) >= 2
    assert ex.metadata["kernelspec"]["name"] == "python3"


def _run(path: Path):
    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return nb


def test_exercises_run_to_the_end_and_report_not_attempted():
    """Each exercise, as handed out, executes without an error; every check says so."""
    paths = [ROOT / "exercises" / p.name for p in SOLUTIONS]
    with ThreadPoolExecutor(2) as pool:
        notebooks = list(pool.map(_run, paths))
    for path, nb in zip(paths, notebooks):
        n_checks = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            assert all(o.output_type != "error" for o in cell.outputs), (path.name, cell.source)
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert "stderr" not in [o.get("name") for o in cell.outputs], (path.name, text)
            if re.match(r"mlpkit\.checks\.ex\d\d\.check_\w+\(\w+\)$", cell.source.strip()):
                n_checks += 1
                assert text.strip().splitlines()[0].endswith(": not attempted yet"), (path.name, text)
        assert n_checks >= 2, path.name
