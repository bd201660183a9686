"""Load the solution functions of a notebook in-process, and edit notebooks for bad submissions."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
TOPICS = {
    "00": "00_setup_and_notation", "01": "01_perceptron", "02": "02_logistic_regression",
    "03": "03_xor", "04": "04_backprop_two_layer", "05": "05_backprop_three_layer", "06": "06_softmax",
    "07": "07_mlp_digits",
}


def solution_path(nn: str) -> Path:
    return ROOT / "solutions" / f"{TOPICS[nn]}.ipynb"


def exercise_path(nn: str) -> Path:
    return ROOT / "exercises" / f"{TOPICS[nn]}.ipynb"


def read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def definition_cells(nb):
    """Code cells that import or define things (not checks, not the demo loops)."""
    return [c for c in nb.cells if c.cell_type == "code"
            and ("def " in c.source or c.source.startswith("import")) and "try:" not in c.source]


def load_namespace(nn: str, replace: dict[str, str] | None = None) -> dict:
    """Execute the defining cells of solution ``nn``; ``replace`` maps old -> new source text."""
    ns: dict = {"__name__": f"solution_{nn}"}
    for cell in definition_cells(read(solution_path(nn))):
        src = cell.source
        for old, new in (replace or {}).items():
            src = src.replace(old, new)
        exec(compile(src, f"<solution {nn}>", "exec"), ns)
    return ns


def find_cell(nb, needle: str) -> int:
    """Index of the first cell whose source contains ``needle``."""
    for i, c in enumerate(nb.cells):
        if needle in c.source:
            return i
    raise KeyError(needle)


def with_edit(nb, needle: str, old: str, new: str):
    """A copy of ``nb`` where ``old`` becomes ``new`` in the first cell containing ``needle``."""
    nb = copy.deepcopy(nb)
    i = find_cell(nb, needle)
    assert old in nb.cells[i].source, (old, nb.cells[i].source)
    nb.cells[i].source = nb.cells[i].source.replace(old, new)
    return nb
