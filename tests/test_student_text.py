"""What students read: no seed-file names, no internal modules, no bare "confirmed: True" evidence.

The course's source notes are for its authors only (README, "Sources"): a student-facing cell
describes them by content and quotes the formula it discusses, never a file name such as
``000_*`` or ``003_ab66...``. Internal modules (``mlpkit/_fast.py``, ``mlpkit._validation``)
are speed engineering and plumbing, documented in README and benchmarks/, not in a lesson.
An erratum's evidence is numbers (the slip's value, a finite difference, the corrected value),
not a line that prints ``True``.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STUDENT_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb"))

# 000_* ... 004_*, or such a prefix followed by a file id (hex digits), not part of a longer word/number
SEED_FILE = re.compile(r"(?<![\w.])00[0-4]_(?:\*|[0-9a-f]{4,})", re.I)
# an internal module of mlpkit: _fast, mlpkit._anything, mlpkit/_anything
INTERNAL = re.compile(r"(?<![\w.])_fast\b|mlpkit[./]_[a-z]")
# evidence that is only a truth value: "confirmed numerically: True", "verified = True", ...
BARE_TRUTH = re.compile(r"\b(?:confirmed|verified)(?: numerically)?\s*[:=]\s*(?:True|False)\b", re.I)

def _param(path):
    return pytest.param(path, id=f"{path.parent.name}/{path.name}")


def _texts(path):
    """(where, kind, text) for every cell source and every text output of the notebook."""
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        yield f"cell {i}", cell["cell_type"], "".join(cell["source"])
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            if text:
                yield f"cell {i} output", "output", text


def _hits(path, pattern, kinds):
    found = []
    for where, kind, text in _texts(path):
        if kind in kinds:
            for line in text.splitlines():
                if pattern.search(line):
                    found.append(f"{where}: {line.strip()[:120]}")
    return found


@pytest.mark.parametrize("path", [_param(p) for p in STUDENT_NOTEBOOKS])
def test_no_seed_file_names(path):
    hits = _hits(path, SEED_FILE, {"markdown", "code", "raw", "output"})
    assert not hits, ("describe the notes by content (e.g. 'notes that derive a three-layer sigmoid "
                      "network with weights V, W, U'), not by file name:\n" + "\n".join(hits))


@pytest.mark.parametrize("path", [_param(p) for p in STUDENT_NOTEBOOKS])
def test_no_internal_modules(path):
    hits = _hits(path, INTERNAL, {"markdown", "code", "raw", "output"})
    assert not hits, "internal modules belong in README/benchmarks, not in a lesson:\n" + "\n".join(hits)


@pytest.mark.parametrize("path", [_param(p) for p in STUDENT_NOTEBOOKS])
def test_evidence_is_numbers_not_true(path):
    hits = _hits(path, BARE_TRUTH, {"markdown", "output"})
    assert not hits, ("show the slip's value, the finite difference and the corrected value, not a "
                      "truth value:\n" + "\n".join(hits))


def test_the_patterns_catch_what_they_should():
    # the test must be able to fail: each pattern on lines it must and must not flag
    assert SEED_FILE.search("the `000_*` notes") and SEED_FILE.search("see 003_ab66c30fb2aa00ec.txt")
    assert SEED_FILE.search("(004_*: logistic model)")
    assert not SEED_FILE.search("notebooks/00_setup_and_notation.ipynb")
    assert not SEED_FILE.search("n = 1000_000") and not SEED_FILE.search("x_000_abc")
    assert INTERNAL.search("`mlpkit/_fast.py` fuses the update") and INTERNAL.search("from mlpkit._validation import x")
    assert INTERNAL.search("the _fast module")
    assert not INTERNAL.search("t_fast = 3") and not INTERNAL.search("mlpkit.perceptron")
    assert BARE_TRUTH.search("erratum 3: correction confirmed numerically: True")
    assert BARE_TRUTH.search("verified = False")
    assert not BARE_TRUTH.search("slip 0.104, finite difference -0.104, corrected -0.104")
