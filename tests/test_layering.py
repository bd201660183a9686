"""The package's layering: no module imports one above it.

Every import of every ``mlpkit`` module is parsed (ast: also imports inside functions, relative
imports), resolved to the module it loads, and compared with the order below. A module may import
modules of its own level or lower; an import that runs upward fails, and so does a module that is
not placed in the table (a new module gets its level deliberately).
"""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "mlpkit"

# Low to high. A name ending in ".*" covers a subpackage and all its modules.
ORDER = [
    ["mlpkit._validation", "mlpkit.init", "mlpkit.metrics"],
    ["mlpkit.data"],
    ["mlpkit.activations", "mlpkit.losses"],
    ["mlpkit.heads"],                                      # output heads (softmax + CE, ...)
    ["mlpkit.layers"],
    ["mlpkit.sgd", "mlpkit._fast"],                        # the training step (_fast: old name)
    ["mlpkit.mlp"],                                        # the model
    ["mlpkit.gradcheck", "mlpkit.perceptron", "mlpkit.logistic"],
    ["mlpkit.plot", "mlpkit.widgets.*", "mlpkit"],         # "mlpkit": the package's facade
    ["mlpkit.safecall", "mlpkit.hints"],                   # calling student code safely; hints
    ["mlpkit.checks.*"],                                   # public checks and their diagnoses
    ["mlpkit.grader.*"],
    ["mlpkit.assign", "mlpkit.release", "mlpkit.execute", "mlpkit.cli", "mlpkit.__main__"],
]


def level_of(module: str) -> int | None:
    for level, names in enumerate(ORDER):
        for name in names:
            if module == name or (name.endswith(".*") and (module == name[:-2]
                                                            or module.startswith(name[:-1]))):
                return level
    return None


def module_name(path: Path, root: Path) -> str:
    parts = ["mlpkit", *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str, root: Path) -> bool:
    rel = Path(*name.split(".")[1:]) if "." in name else Path()
    return (root / rel).with_suffix(".py").is_file() or (root / rel / "__init__.py").is_file()


def imports_of(path: Path, root: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every mlpkit module imported anywhere in ``path``."""
    me = module_name(path, root)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "mlpkit"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "mlpkit":
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.append((node.lineno, sub if _is_module(sub, root) else target))
    return found


def violations(root: Path) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        me = module_name(path, root)
        mine = level_of(me)
        if mine is None:
            out.append(f"{me} is not placed in tests/test_layering.py's ORDER")
            continue
        for line, target in imports_of(path, root):
            theirs = level_of(target)
            if theirs is None:
                out.append(f"{me}:{line} imports {target}, which is not placed in ORDER")
            elif theirs > mine:
                out.append(f"{me}:{line} imports {target}, a higher layer "
                           f"({mine} -> {theirs}: upward)")
    return out


def test_no_import_runs_upward():
    assert violations(ROOT) == []


def test_imports_are_found_inside_functions_and_relative(tmp_path):
    copy = tmp_path / "mlpkit"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "activations.py", "a", encoding="utf-8") as fh:
        fh.write("\n\ndef _planted():\n    from .grader import runner\n    return runner\n")
    with open(copy / "checks" / "diagnose.py", "a", encoding="utf-8") as fh:
        fh.write("\nimport mlpkit.grader.judge\n")
    with open(copy / "safecall.py", "a", encoding="utf-8") as fh:
        fh.write("\nfrom .checks import diagnose\n")
    found = violations(copy)
    assert any(v.startswith("mlpkit.activations:") and "mlpkit.grader.runner" in v for v in found)
    assert any(v.startswith("mlpkit.checks.diagnose:") and "mlpkit.grader.judge" in v
               for v in found)
    assert any(v.startswith("mlpkit.safecall:") and "mlpkit.checks.diagnose" in v for v in found)
    assert len(found) == 3, found


def test_a_module_not_in_the_table_fails(tmp_path):
    copy = tmp_path / "mlpkit"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "optimisers.py").write_text("from . import activations\n")
    assert violations(copy) == ["mlpkit.optimisers is not placed in tests/test_layering.py's ORDER"]


@pytest.mark.parametrize("module,expected", [
    ("mlpkit.grader.runner", "mlpkit.grader.*"), ("mlpkit.checks", "mlpkit.checks.*"),
    ("mlpkit", "mlpkit"), ("mlpkit.gradcheck", "mlpkit.gradcheck"),
])
def test_levels_of_packages_and_modules(module, expected):
    assert level_of(module) == next(i for i, names in enumerate(ORDER) if expected in names)
