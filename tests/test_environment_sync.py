"""environment.yml (conda/Binder) and pyproject.toml (pip) list the same packages and bounds."""
import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
# pip and conda name a few packages differently
CONDA_NAMES = {}


def _split(req: str):
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    name = m.group(1).lower().replace("_", "-")
    spec = m.group(2).replace(" ", "")
    return CONDA_NAMES.get(name, name), spec


# extras whose packages environment.yml installs with pip (no conda-forge package)
PIP_EXTRAS = ("grader",)


def pyproject_requirements():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"]) + list(meta["optional-dependencies"]["test"])
    return dict(_split(r) for r in reqs), meta["requires-python"]


def pyproject_pip_requirements():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = meta["optional-dependencies"]
    return dict(_split(r) for x in PIP_EXTRAS for r in extras[x])


def environment_pip_requirements():
    """The packages of environment.yml's ``pip:`` block (not ``-e .``)."""
    deps, in_pip = {}, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if re.match(r"^  - pip:\s*$", line):
            in_pip = True
            continue
        text = line.strip()
        if in_pip and text and not text.startswith("#") and not line.startswith("      "):
            break
        m = re.match(r"^      - ([^-#][^#]*?)\s*$", line)
        if in_pip and m:
            name, spec = _split(m.group(1))
            deps[name] = spec
    return deps


def environment_requirements():
    deps, python = {}, None
    lines = (ROOT / "environment.yml").read_text().splitlines()
    in_deps = False
    for line in lines:
        if re.match(r"^dependencies:\s*$", line):
            in_deps = True
            continue
        if in_deps and re.match(r"^\S", line):
            break
        m = re.match(r"^  - ([^:#]+?)\s*$", line)  # top-level list items only (not the pip: block)
        if in_deps and m:
            name, spec = _split(m.group(1))
            if name == "python":
                python = spec
            elif name != "pip":
                deps[name] = spec
    return deps, python


def test_same_packages_and_bounds():
    py, py_python = pyproject_requirements()
    env, env_python = environment_requirements()
    assert env, "no dependencies parsed from environment.yml"
    missing_in_env = sorted(set(py) - set(env))
    missing_in_py = sorted(set(env) - set(py))
    assert not missing_in_env, f"in pyproject.toml but not environment.yml: {missing_in_env}"
    assert not missing_in_py, f"in environment.yml but not pyproject.toml: {missing_in_py}"
    differ = {n: (py[n], env[n]) for n in py if py[n] != env[n]}
    assert not differ, f"version ranges differ (pyproject, environment.yml): {differ}"
    assert env_python == py_python, f"python: environment.yml {env_python}, pyproject {py_python}"


def test_pip_block_lists_the_pip_only_extras():
    """Packages without a conda-forge build (copydetect) come from PyPI in environment.yml's
    ``pip:`` block, with the bounds of their pyproject extra."""
    py, env = pyproject_pip_requirements(), environment_pip_requirements()
    assert py, "no [grader] extra parsed from pyproject.toml"
    assert env == py, f"environment.yml pip: {env}, pyproject extras {PIP_EXTRAS}: {py}"


def test_pip_parser_notices_a_difference(tmp_path, monkeypatch):
    text = (ROOT / "environment.yml").read_text().replace("copydetect>=0.5,<0.6", "copydetect")
    (tmp_path / "environment.yml").write_text(text)
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="copydetect"):
        test_pip_block_lists_the_pip_only_extras()


def test_parser_notices_a_difference(tmp_path, monkeypatch):
    """The check can fail: a package dropped from environment.yml is reported."""
    text = (ROOT / "environment.yml").read_text().replace("  - scikit-learn>=1.3\n", "")
    fake = tmp_path / "environment.yml"
    fake.write_text(text)
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="scikit-learn"):
        test_same_packages_and_bounds()
