"""Static checks of the committed notebooks (no kernel): what nbval relies on, and what students see."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def cells(path, kind="code"):
    nb = json.loads(path.read_text())
    return nb, [c for c in nb["cells"] if c["cell_type"] == kind]


def test_there_are_eight_numbered_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(8)]


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_with_outputs_from_a_clean_run(path):
    nb, code = cells(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in code if "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "re-run top to bottom in a fresh kernel"
    for c in code:
        for out in c.get("outputs", []):
            assert out["output_type"] != "error", f"stored error: {out.get('ename')}"
            if out["output_type"] == "stream":
                assert out["name"] != "stderr", f"stderr output: {''.join(out['text'])[:200]}"
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            assert "Warning" not in text, text[:200]
            assert "np.float64(" not in text and "np.float32(" not in text, text[:200]
            assert not re.search(r"<matplotlib\.\w+\.\w+ at 0x", text), text[:200]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_structure_objectives_summary_errata_and_exercise(path):
    _, md = cells(path, "markdown")
    text = "\n".join("".join(c["source"]) for c in md)
    assert re.search(r"objective", text, re.I), "learning objectives"
    assert re.search(r"summary", text, re.I), "a summary"
    assert re.search(r"errata and pitfalls", text, re.I), "an 'Errata and pitfalls' box"
    for ref in set(re.findall(r"(?:exercises|solutions)/\d\d_\w+\.ipynb", text)):
        assert (ROOT / ref).exists(), f"{path.name} points to {ref}, which does not exist"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_cells_are_tagged_for_nbval(path):
    _, code = cells(path)
    for c in code:
        shows_widget = any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                           for o in c.get("outputs", []))
        if shows_widget:
            assert "nbval-ignore-output" in c.get("metadata", {}).get("tags", []), "".join(c["source"])[:120]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_exercises_have_no_outputs_and_a_solution_twin(path):
    _, code = cells(path)
    assert all(not c.get("outputs") for c in code)
    assert (ROOT / "solutions" / path.name).exists()
