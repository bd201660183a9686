"""Build the student release of the course (``mlpkit release OUT_DIR``).

The instructor's copy (this repository) holds the solutions, the instructor documents, the
grader with its hidden checks, and public checks that compute expected values with reference
code. The student release holds what students need and nothing from which an exercise
solution can be recovered:

=====================================  =============================================
kept                                   changed or left out
=====================================  =============================================
``notebooks/`` (lectures, outputs)     references to ``solutions/`` reworded
``exercises/`` (regenerated)           ``solutions/``: left out
``mlpkit/`` (the course's library)     ``mlpkit/grader/`` left out (hidden checks, their
                                       inputs and points, the runner); ``safecall.py``
                                       (calling a function safely) stays
``mlpkit/checks/``                     the checks of *derived* quantities (see
                                       :data:`STORED`) compare with values stored at
                                       release time (:mod:`mlpkit.checks.stored`); their
                                       reference code is removed from the modules
README, LICENSE, Makefile,             README gets a note on top; ``docs/INSTRUCTORS.md``,
``pyproject.toml``, ``environment.yml``  ``tests/`` (they load the solutions), ``.ci/`` and
                                       ``benchmarks/`` left out
``tests/`` of the release              ``tests/release/`` of the instructor's copy: the
                                       public checks and the exercises, tested without
                                       solutions
=====================================  =============================================

What a student can still read (by design, documented in ``docs/INSTRUCTORS.md``): the
lecture notebooks and ``mlpkit`` itself implement the course's mathematics (e.g.
``mlpkit.losses.softmax``, ``MLP.gradients``), the hints end with the formulas, and the
stored values are the expected answers for the fixed public inputs only.
"""
from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import nbformat

from .assign import BEGIN, END, INSTRUCTOR_TAG, find_root, make_exercise

__all__ = ["STORED", "ReleaseError", "build_release", "stored_module_source", "TOP_FILES"]

#: Public checks replaced by stored values: module -> {check name: (graded function, hint or None)}.
STORED = {
    "ex01": {"check_update": ("perceptron_update", ("01", "perceptron_update"))},
    "ex02": {"check_loss": ("logistic_loss", None),
             "check_grad": ("logistic_grad", ("02", "logistic_grad")),
             "check_step": ("gd_step", None)},
    "ex03": {"check_forward": ("forward_221", None)},
    "ex04": {"check_forward": ("forward", None), "check_loss": ("bce_loss", None),
             "check_backward": ("backward", ("04", "backward"))},
    "ex05": {"check_forward": ("forward3", None),
             "check_backward": ("backward3", ("05", "backward3"))},
    "ex06": {"check_ce_grad": ("cross_entropy_grad", ("06", "cross_entropy_grad"))},
}

#: Top-level names removed from a check module in the release (the reference code of the
#: stored checks, what only it used, and the grader's table of error hints).
REMOVED = {
    "ex01": ["ref_update", "judge_update", "update_cases", "_check_update"],
    "ex02": ["ref_loss", "ref_grad", "ref_step", "judge_loss", "judge_grad", "judge_step",
             "loss_cases", "step_cases", "_check_grad", "check_loss", "check_step", "ERROR_HINTS"],
    "ex03": ["judge_forward", "forward_cases", "ERROR_HINTS"],
    "ex04": ["ref_forward", "ref_loss", "ref_backward", "loss_of_params", "make_case",
             "judge_forward", "judge_loss", "backward_shapes", "backward_error_hint", "_steps",
             "_upstream", "judge_backward", "fd_gradients", "WORKED", "forward_cases",
             "loss_cases", "backward_cases", "check_forward", "check_loss", "_check_backward", "ERROR_HINTS"],
    "ex05": ["ref_forward", "_onehot", "ref_backward", "loss_of_params", "make_case", "NAMES",
             "judge_forward", "backward_shapes", "backward_error_hint", "_signal_candidates",
             "judge_backward", "_layer_grads", "fd_gradients", "WORKED", "check_forward",
             "backward_cases", "_check_backward", "ERROR_HINTS"],
    "ex06": ["ref_ce_grad", "judge_ce_grad", "_check_ce_grad", "ERROR_HINTS"],
}

TOP_FILES = ("README.md", "LICENSE", "Makefile", "pyproject.toml", "environment.yml",
             ".gitignore")
NOTICE = ("> **Student release.** This copy of the course has the lecture notebooks, the "
          "exercises with their public checks and hints, and the `mlpkit` package. The "
          "solutions and the grader stay with your instructor. Set up and open the course with "
          "`make lab`; `make test` runs the tests of this copy.\n\n")


class ReleaseError(RuntimeError):
    """The release cannot be built (or would contain a solution)."""


def _node_names(node) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def stored_module_source(path: Path, module: str) -> str:
    """The release's source of check module ``module``: the instructor's source without the
    :data:`REMOVED` definitions, plus the stored checks of :data:`STORED`."""
    src = path.read_text(encoding="utf-8")
    required = set(REMOVED.get(module, ()))
    if not required:
        return src
    removed = required | set(STORED[module])
    tree = ast.parse(src)
    lines = src.split("\n")
    drop = []
    found = set()
    for node in tree.body:
        names = _node_names(node)
        if names and set(names) <= removed:
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            drop.append((start - 1, node.end_lineno))
            found |= set(names)
    if not required <= found:
        raise ReleaseError(f"{module}: cannot find {sorted(required - found)} to remove")
    for a, b in sorted(drop, reverse=True):
        del lines[a:b]
    body = "\n".join(lines)
    body = re.sub(r"\n{3,}", "\n\n\n", body).rstrip() + "\n"
    extra = ["", "", "# ---- stored checks (mlpkit release): values recorded from the instructor's "
             "reference", "from .stored import stored_check  # noqa: E402", ""]
    for check, (fname, hint) in STORED[module].items():
        h = f", hint={hint!r}" if hint else ""
        extra.append(f"{check} = stored_check({f'{module}.{check}'!r}, {fname!r}{h})")
    text = body + "\n".join(extra) + "\n"
    try:
        compile(text, f"<release {module}>", "exec")
    except SyntaxError as exc:
        raise ReleaseError(f"{module}: the release source does not compile: {exc}") from None
    return text


def _solution_functions(root: Path, nn: str) -> dict:
    """The functions defined by the solution notebook ``nn`` (its defining cells, executed)."""
    path = next((root / "solutions").glob(f"{nn}_*.ipynb"))
    nb = nbformat.read(str(path), as_version=4)
    ns: dict = {"__name__": f"solution_{nn}"}
    for cell in nb.cells:
        if cell.cell_type == "code" and ("def " in cell.source or cell.source.startswith("import")) \
                and "try:" not in cell.source:
            exec(compile(cell.source, f"<{path.name}>", "exec"), ns)
    return ns


def _record_all(root: Path) -> dict:
    import importlib

    from .checks.stored import record

    values = {}
    for module, checks in STORED.items():
        mod = importlib.import_module(f"mlpkit.checks.{module}")
        ns = _solution_functions(root, module[2:])
        for check, (fname, _) in checks.items():
            values[f"{module}.{check}"] = record(mod, getattr(mod, check), ns[fname])
    return values


def _reword_solutions(text: str) -> str:
    text = re.sub(r"`solutions/\d\d_[a-z0-9_]+\.ipynb`", "your instructor's solved copy", text)
    return text.replace("`solutions/`", "`solutions/` (instructor's copy only)")


def _copy_notebook(src: Path, dst: Path) -> None:
    nb = nbformat.read(str(src), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _reword_solutions(cell.source)
    nbformat.write(nb, str(dst))


def build_release(out_dir, root: Path | None = None, force: bool = False, out=print) -> Path:
    """Write the student release into ``out_dir`` (which must not exist, or be empty; with
    ``force``, an existing release there is replaced). Returns its path."""
    root = Path(root) if root is not None else find_root()
    out_dir = Path(out_dir).resolve()
    if out_dir == root.resolve() or root.resolve() in out_dir.parents and \
            out_dir.relative_to(root.resolve()).parts[0] in ("mlpkit", "solutions", "exercises",
                                                            "notebooks", "tests", "docs"):
        raise ReleaseError(f"OUT_DIR {out_dir} is inside the course's own folders: choose a "
                           "folder outside the repository (e.g. ../mlp-course-student)")
    if out_dir.exists() and any(out_dir.iterdir()):
        if not force:
            raise ReleaseError(f"{out_dir} exists and is not empty: choose a new folder, or pass "
                               "--force to replace a previous release there")
        if not (out_dir / "mlpkit" / "checks" / "stored_values.json").exists():
            raise ReleaseError(f"{out_dir} is not empty and does not look like a previous "
                               "release: refusing to delete it; choose a new folder")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    # top-level files
    for name in TOP_FILES:
        if (root / name).exists():
            shutil.copy2(root / name, out_dir / name)
    pyproject = out_dir / "pyproject.toml"
    if pyproject.exists():  # the stored values are package data (for a non-editable install)
        pyproject.write_text(pyproject.read_text(encoding="utf-8").rstrip() + "\n\n"
                             "[tool.setuptools.package-data]\n\"mlpkit.checks\" = [\"*.json\"]\n",
                             encoding="utf-8")
    readme = out_dir / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        text = re.sub(r"\n## For instructors\n.*?(?=\n## )", "\n## For instructors\n\nThe "
                      "solutions, the grader and the instructor's guide are in the instructor's "
                      "copy of the course, not in this student release.\n", text, flags=re.S)
        readme.write_text(NOTICE + _reword_solutions(text), encoding="utf-8")

    # notebooks, exercises (generated afresh from the solutions: never a solution block)
    (out_dir / "notebooks").mkdir()
    for nb in sorted((root / "notebooks").glob("*.ipynb")):
        _copy_notebook(nb, out_dir / "notebooks" / nb.name)
    for extra in (root / "notebooks").iterdir():
        if extra.is_file() and extra.suffix != ".ipynb":
            shutil.copy2(extra, out_dir / "notebooks" / extra.name)
    (out_dir / "exercises").mkdir()
    for sol in sorted((root / "solutions").glob("[0-9][0-9]_*.ipynb")):
        ex = make_exercise(nbformat.read(str(sol), as_version=4), sol.name)
        for cell in ex.cells:
            if cell.cell_type == "markdown":
                cell.source = _reword_solutions(cell.source)
        nbformat.write(ex, str(out_dir / "exercises" / sol.name))

    # the package, without the grader and with stored public checks
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "grader")
    shutil.copytree(root / "mlpkit", out_dir / "mlpkit", ignore=ignore)
    (out_dir / "mlpkit" / "release.py").unlink()
    (out_dir / "mlpkit" / "assign.py").unlink()
    (out_dir / "mlpkit" / "execute.py").unlink()  # a maintainers' tool; it uses the grader
    values = _record_all(root)
    (out_dir / "mlpkit" / "checks" / "stored_values.json").write_text(
        json.dumps(values, sort_keys=True), encoding="utf-8")
    for module in STORED:
        path = out_dir / "mlpkit" / "checks" / f"{module}.py"
        path.write_text(stored_module_source(root / "mlpkit" / "checks" / f"{module}.py", module),
                        encoding="utf-8")

    # the release's own tests
    tests = out_dir / "tests"
    shutil.copytree(root / "tests" / "release", tests, ignore=ignore)
    for name in ("conftest.py", "nbval_sanitize.cfg"):
        shutil.copy2(root / "tests" / name, tests / name)
    if (root / "tests" / "browser").is_dir():  # make test runs them when Chromium is installed
        shutil.copytree(root / "tests" / "browser", tests / "browser", ignore=ignore)

    problems = find_solutions(out_dir, root)
    if problems:
        raise ReleaseError("the release would contain solutions: " + "; ".join(problems[:5]))
    out(f"wrote the student release to {out_dir}")
    return out_dir


def solution_lines(root: Path) -> dict[str, set[str]]:
    """Per solution notebook, the statements of its solution blocks (whitespace removed),
    those long enough to identify a solution (``return w + y * x, b + y``, not ``m = X.shape[0]``)."""
    out: dict[str, set[str]] = {}
    for sol in sorted((root / "solutions").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(str(sol), as_version=4)
        lines: set[str] = set()
        for cell in nb.cells:
            if cell.cell_type != "code" or BEGIN not in cell.source:
                continue
            inside = False
            for line in cell.source.split("\n"):
                s = line.strip()
                if s == BEGIN:
                    inside = True
                elif s == END:
                    inside = False
                elif inside and not s.startswith("#"):
                    key = re.sub(r"\s+", "", re.sub(r"^return\s+", "", s))
                    if len(key) >= 16 and re.search(r"[-+*/@]", key) and "shape" not in key:
                        lines.add(key)
        exercise = root / "exercises" / sol.name
        if exercise.exists():  # what the exercise itself prints is no leak (e.g. 00's Z = ...)
            shown = re.sub(r"\s+", "", exercise.read_text(encoding="utf-8").replace("\\n", "\n"))
            lines = {k for k in lines if k not in shown}
        out[sol.name] = lines
    return out


def find_solutions(out_dir: Path, root: Path) -> list[str]:
    """What in ``out_dir`` gives a solution away (empty when nothing does).

    Looks for: a ``solutions/`` folder, the instructor documents, solution markers, cells
    tagged instructor-only, the grader's hidden checks, the reference functions of the stored
    checks, and any statement of a solution block in the exercises or the checks.
    """
    out_dir = Path(out_dir)
    problems = []
    if (out_dir / "solutions").exists():
        problems.append("a solutions/ folder")
    if (out_dir / "docs" / "INSTRUCTORS.md").exists():
        problems.append("docs/INSTRUCTORS.md")
    grader = out_dir / "mlpkit" / "grader"
    if grader.exists():
        problems.append(f"the grader (mlpkit/grader: {sorted(p.name for p in grader.iterdir())})")
    lines = solution_lines(root)
    for path in sorted(out_dir.rglob("*")):
        if not path.is_file() or path.suffix not in (".py", ".ipynb", ".md", ".json", ".cfg",
                                                       ".toml", ".txt"):
            continue
        rel = path.relative_to(out_dir).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        if BEGIN in text or END in text:
            problems.append(f"{rel}: a solution marker")
        if f'"{INSTRUCTOR_TAG}"' in text and path.suffix == ".ipynb":
            problems.append(f"{rel}: an instructor-only cell")
        if rel.startswith("mlpkit/checks/") and path.suffix == ".py":
            module = path.stem
            for name in REMOVED.get(module, ()):
                if name.startswith(("ref_", "judge_", "_steps", "_upstream", "fd_")) and \
                        re.search(rf"^(def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*=",
                                  text, re.M):
                    problems.append(f"{rel}: the reference code {name}")
        if rel.startswith(("exercises/", "mlpkit/checks/")) and rel != "mlpkit/checks/stored_values.json":
            flat = re.sub(r"\s+", "", text.replace("\\n", "\n"))
            for sol, keys in lines.items():
                for key in keys:
                    if key in flat:
                        problems.append(f"{rel}: the solution line {key!r} of {sol}")
    return problems
