"""Progressive hints (mlpkit.hints) and the derivation-first exercises that point to them."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from mlpkit import hints
from mlpkit.hints import HINTS, LEVELS, HintError, hint, hint_text

ROOT = Path(__file__).resolve().parent.parent
ALL = [(nn, name) for nn in sorted(HINTS) for name in HINTS[nn]]


@pytest.fixture(autouse=True)
def _fresh():
    hints.reset_hints()
    yield
    hints.reset_hints()


@pytest.mark.parametrize("nn,name", ALL, ids=[f"{nn}-{n}" for nn, n in ALL])
def test_every_hint_has_three_distinct_levels(nn, name):
    texts = HINTS[nn][name]
    assert len(texts) == len(LEVELS) == 3
    assert all(len(t) > 30 for t in texts)
    assert len(set(texts)) == 3


@pytest.mark.parametrize("nn,name", ALL, ids=[f"{nn}-{n}" for nn, n in ALL])
def test_each_call_reveals_the_next_level(nn, name, capsys):
    seen = []
    for _ in range(4):
        hint(nn, name)
        seen.append(capsys.readouterr().out)
    for level in (1, 2, 3):
        head = f"Hint {level}/3 for exercise {nn}, {name}: {LEVELS[level - 1]}"
        assert seen[level - 1].startswith(head), seen[level - 1]
        assert HINTS[nn][name][level - 1] in seen[level - 1]
    assert seen[3] == seen[2]  # after the last level, the formula again
    assert "again for the next level" in seen[0] and "the last level" in seen[2]


def test_levels_are_counted_per_hint_and_can_be_reset(capsys):
    hint("04", "backward")
    hint("06", "softmax")
    hint("04", "backward")
    out = capsys.readouterr().out
    assert "Hint 2/3 for exercise 04, backward" in out and "Hint 1/3 for exercise 06" in out
    hints.reset_hints()
    hint(4, "backward")  # an int works too
    assert "Hint 1/3 for exercise 04, backward" in capsys.readouterr().out


def test_level_can_be_asked_directly(capsys):
    hint("05", "backward3", level=3)
    assert "Hint 3/3" in capsys.readouterr().out
    hint("05", "backward3")  # stays at the formula
    assert "Hint 3/3" in capsys.readouterr().out


@pytest.mark.parametrize("args,fragment", [
    (("09", "backward"), "no hints for exercise '09': hints exist for exercises 01, 02"),
    (("04", "backwards"), "exercise 04 has no hint named 'backwards': its hints are 'backward'"),
    (("04", "forward"), "its hints are 'backward'"),
    (("x", "backward"), "no hints for exercise 'x'"),
])
def test_unknown_names_give_a_clear_error(args, fragment):
    with pytest.raises(HintError) as exc:
        hint(*args)
    assert fragment in str(exc.value)


@pytest.mark.parametrize("level", [0, 4, "2", True])
def test_bad_level_is_a_clear_error(level):
    with pytest.raises(HintError, match="level must be 1, 2 or 3"):
        hint_text("04", "backward", level)


def test_available_lists_the_calls():
    assert hints.available("04") == ['hint("04", "backward")']
    assert 'hint("06", "cross_entropy_grad")' in hints.available()
    with pytest.raises(HintError):
        hints.available("12")


# -------------------------------------------------------------- the exercises use them
EXERCISES = sorted((ROOT / "exercises").glob("0[1-7]_*.ipynb"))

# formulas of graded quantities that no exercise may print (they are in the hints only)
FORBIDDEN = {
    "01": [r"w \\leftarrow w \+ y", r"b \\leftarrow b \+ y", r"w = \(-1, -1\)"],
    "02": [r"X\^\\top \(a - y\)", r"X\^T \(a - y\)", r"a_i - y_i", r"= a - y"],
    "03": [r"\[\[1, -1\], \[-1, 1\]\]", r"\|x_1 - x_2\|"],
    "04": [r"A_2 - Y", r"\(A2 - Y\)", r"A_1 \\odot \(1 - A_1\)", r"delta_2\^\\top A_1",
           r"\\delta_2 W_2"],
    "05": [r"P - Y", r"P - onehot", r"\\delta_O U", r"H_2 \\odot \(1 - H_2\)", r"delta_O\^\\top H_2"],
    "06": [r"Z\.max", r"\\max \+ \\log", r"z_k - \\log", r"softmax\}\(Z\) - Y", r"softmax - one-hot",
           r"Z - \\max"],
    "07": [r"W \\leftarrow W - \\eta", r"W - lr \* dW"],
}


def _text(path):
    nb = nbformat.read(str(path), as_version=4)
    return nb, "\n".join(c.source for c in nb.cells if "hint(" not in c.source
                         or c.cell_type == "markdown")


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_exercise_asks_for_a_derivation_and_prints_no_graded_formula(path):
    nn = path.name[:2]
    nb, text = _text(path)
    derivations = [c for c in nb.cells if c.cell_type == "markdown"
                   and c.source.startswith("**Your derivation** (not graded")]
    assert derivations, f"{path.name} asks for no derivation"
    for c in derivations:
        call = re.search(r'hint\("(\d\d)", "(\w+)"\)', c.source)
        assert call and call.group(1) == nn and call.group(2) in HINTS[nn], c.source
    for pattern in FORBIDDEN[nn]:
        assert not re.search(pattern, text), f"{path.name} prints {pattern!r}"
    imports = [c for c in nb.cells if c.cell_type == "code" and "from mlpkit.hints import hint"
               in c.source]
    assert imports, f"{path.name} does not import hint"


def test_forbidden_patterns_can_fail():
    """The patterns match the formulas they guard (else the test above proves nothing)."""
    for nn, pats in FORBIDDEN.items():
        formulas = " ".join(HINTS[nn][n][2] for n in HINTS[nn])
        raw = {"01": r"w \leftarrow w + y x, b \leftarrow b + y, w = (-1, -1)",
               "02": r"X^\top (a - y) X^T (a - y) a_i - y_i = a - y",
               "03": r"[[1, -1], [-1, 1]] |x_1 - x_2|",
               "04": r"A_2 - Y (A2 - Y) A_1 \odot (1 - A_1) \delta_2^\top A_1 \delta_2 W_2",
               "05": r"P - Y P - onehot \delta_O U H_2 \odot (1 - H_2) \delta_O^\top H_2",
               "06": r"Z.max \max + \log z_k - \log \mathrm{softmax}(Z) - Y softmax - one-hot Z - \max",
               "07": r"W \leftarrow W - \eta W - lr * dW"}[nn]
        for p in pats:
            assert re.search(p, raw + " " + formulas), (nn, p)


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_exercises_do_not_link_to_solutions(path):
    assert "solutions/" not in path.read_text(encoding="utf-8")
