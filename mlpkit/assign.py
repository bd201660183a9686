"""Generate the exercise notebooks from their solutions (``mlpkit assign``).

The solutions in ``solutions/NN_<topic>.ipynb`` are the single source. In them:

* a solution block is the lines between a ``### BEGIN SOLUTION`` line and a
  ``### END SOLUTION`` line of a code cell; the exercise gets, at the marker's
  indentation, ``# YOUR CODE HERE`` followed by ``raise NotImplementedError``;
* a cell tagged ``instructor-only`` (cell metadata ``tags``) is dropped;
* outputs and execution counts are dropped; cell metadata keeps only ``tags``;
  notebook metadata keeps only the kernelspec and the language name.

The output is a pure function of the solution file, so ``mlpkit assign --check``
(and ``tests/test_assign_sync.py``) can tell when a committed exercise is stale.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

__all__ = ["BEGIN", "END", "STUB", "INSTRUCTOR_TAG", "AssignError", "strip_solution",
           "make_exercise", "exercise_text", "assign", "find_root"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError")
INSTRUCTOR_TAG = "instructor-only"
_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


class AssignError(ValueError):
    """A solution notebook whose markers cannot be processed."""


def strip_solution(source: str, where: str = "cell") -> str:
    """Replace every marked solution block of ``source`` by the stub."""
    out: list[str] = []
    inside = False
    for lineno, line in enumerate(source.split("\n"), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise AssignError(f"{where}, line {lineno}: nested {BEGIN}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + s for s in STUB)
        elif stripped == END:
            if not inside:
                raise AssignError(f"{where}, line {lineno}: {END} without {BEGIN}")
            inside = False
        elif BEGIN in line or END in line:
            raise AssignError(f"{where}, line {lineno}: a solution marker must be alone on its line")
        elif not inside:
            out.append(line)
    if inside:
        raise AssignError(f"{where}: {BEGIN} without {END}")
    return "\n".join(out)


def make_exercise(solution: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The exercise notebook generated from a solution notebook (a new object)."""
    nb = nbformat.v4.new_notebook()
    ks = solution.metadata.get("kernelspec")
    nb.metadata = {"kernelspec": dict(ks) if ks else {"display_name": "Python 3 (ipykernel)",
                                                       "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    n_blocks = 0
    for i, cell in enumerate(solution.cells):
        tags = list(cell.get("metadata", {}).get("tags", []))
        if INSTRUCTOR_TAG in tags:
            continue
        where = f"{name}, cell {i}"
        if cell.cell_type == "code":
            src = strip_solution(cell.source, where)
            n_blocks += cell.source.count(BEGIN)
            new = nbformat.v4.new_code_cell(src)
        elif cell.cell_type == "markdown":
            if BEGIN in cell.source or END in cell.source:
                raise AssignError(f"{where}: solution markers are only allowed in code cells")
            new = nbformat.v4.new_markdown_cell(cell.source)
        else:
            new = nbformat.v4.new_raw_cell(cell.source)
        if "id" in cell:
            new["id"] = cell["id"]
        new.metadata = {"tags": tags} if tags else {}
        nb.cells.append(new)
    if n_blocks == 0:
        raise AssignError(f"{name}: no {BEGIN} block: nothing for students to do")
    return nb


def exercise_text(solution_path: Path) -> str:
    """The exact text of the exercise generated from ``solution_path``."""
    sol = nbformat.read(str(solution_path), as_version=4)
    text = nbformat.writes(make_exercise(sol, solution_path.name), version=4)
    return text if text.endswith("\n") else text + "\n"


def find_root(start: Path | None = None) -> Path:
    """The course root: the nearest directory above ``start`` with ``solutions/``."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "solutions").is_dir() and (d / "mlpkit").is_dir():
            return d
    here = Path(__file__).resolve().parent.parent
    if (here / "solutions").is_dir():
        return here
    raise AssignError("cannot find the course root (a directory with solutions/ and mlpkit/)")


def assign(root: Path | None = None, check: bool = False, names=None, out=print) -> int:
    """Write ``exercises/*.ipynb`` from ``solutions/*.ipynb``; with ``check``, only compare.

    Returns the number of exercise notebooks that differ (written or stale).
    """
    root = Path(root) if root is not None else find_root()
    sol_dir, ex_dir = root / "solutions", root / "exercises"
    solutions = sorted(p for p in sol_dir.glob("*.ipynb") if _NAME.match(p.name))
    if names:
        solutions = [p for p in solutions if p.stem in names or p.stem[:2] in names]
    if not solutions:
        raise AssignError(f"no solution notebooks (NN_<topic>.ipynb) found in {sol_dir}")
    changed = 0
    for sol in solutions:
        target = ex_dir / sol.name
        text = exercise_text(sol)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            out(f"up to date   exercises/{sol.name}")
            continue
        changed += 1
        if check:
            why = "missing" if current is None else "differs from its solution"
            out(f"STALE        exercises/{sol.name} ({why}): run `mlpkit assign`")
        else:
            ex_dir.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
            out(f"wrote        exercises/{sol.name}")
    if not names:
        expected = {p.name for p in solutions}
        for extra in sorted(ex_dir.glob("*.ipynb")):
            if extra.name not in expected:
                out(f"note: exercises/{extra.name} has no solution in solutions/")
    return changed
