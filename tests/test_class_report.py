"""The class report (grades/summary.md and summary.png), on small generated classes whose
mistakes are known: the counts, the pass rates and the links are asserted."""
from __future__ import annotations

import re
from urllib.parse import unquote
import shutil
from pathlib import Path

import nbformat
import pytest

from grader_cases.nbtools import load_namespace, solution_path, with_edit, read
from mlpkit.grader.assignments import get
from mlpkit.grader.judge import grade_in_process
from mlpkit.grader.rows import CheckScore, Row
from mlpkit.grader.runner import grade_folder
from mlpkit.grader.summary import common_diagnoses, diagnosis_key, section_for, write_summary
from wrong_bank.mistakes import MISTAKES

ROOT = Path(__file__).resolve().parent.parent
BY_ID = {mk.id: mk for mk in MISTAKES}

# the class: (student, mistakes they made)
CLASS_04 = [("ann", []), ("bob", []), ("cat", []),
            ("dan", ["04-backward-dZ2_sign"]), ("eve", ["04-backward-dZ2_sign"]),
            ("fay", ["04-backward-no_prime"]),
            ("gus", ["04-backward-dW1_columns_reversed", "04-bce_loss-sum"]),
            ("hal", ["04-bce_loss-sum"])]


def _row(student, assignment, mistakes, seed):
    ns = load_namespace(assignment.number, {BY_ID[i].old: BY_ID[i].new for i in mistakes})
    res = grade_in_process(assignment, {f: ns.get(f) for f in assignment.functions}, seed)
    checks = {cid: CheckScore(v["points"], v["max"], v["message"]) for cid, v in res.items()}
    total = sum(c.points for c in checks.values())
    status = "ok" if total == assignment.max_points else "fail"
    return Row(student=student, file=f"{student}.ipynb", status=status, total=total,
               max_total=assignment.max_points, checks=checks)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    a = get("04")
    rows = {s: _row(s, a, m, seed=k) for k, (s, m) in enumerate(CLASS_04)}
    out = tmp_path_factory.mktemp("grades")
    write_summary(out, a, rows, root=ROOT)
    return a, rows, out, (out / "summary.md").read_text()


def test_files_written(report):
    _, _, out, md = report
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert md.startswith("# Class report: assignment 04")
    assert "8 submission(s)" in md and "5 fail" in md and "3 ok" in md  # ann, bob, cat are right


def _table(md, title):
    part = md.split(f"## {title}")[1].split("\n## ")[0]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in part.splitlines()
            if line.startswith("| ") and not line.startswith("| check |")
            and not line.startswith("| students |")]


def test_pass_rate_per_check(report):
    _, _, _, md = report
    rates = {r[0]: r[2] for r in _table(md, "Pass rate per check")}
    # 8 students: the sign slip (2) costs dW2 and db2; no sigma' (1) dW1 and db1; the reversed
    # columns (1) dW1; the summed loss (2) the loss
    assert rates == {"forward_A1": "100 %", "forward_A2": "100 %", "loss": "75 %",
                     "dW2": "75 %", "db2": "75 %", "dW1": "75 %", "db1": "88 %"}


def test_most_frequent_diagnoses_with_counts(report):
    a, rows, _, md = report
    table = _table(md, "Most frequent diagnoses")

    def count(start):
        found = [(int(r[0]), r[2]) for r in table if r[1].startswith(start)]
        assert len(found) == 1, (start, table)
        return found[0]

    assert count("dW2 has the wrong sign") == (2, "dW2")
    assert count("db2 has the wrong sign") == (2, "db2")
    assert count("bce_loss is # times too large (# = batch size)") == (2, "loss")
    assert count("dW1 misses the sigma'(z1) = a1 (1 - a1) factor") == (1, "dW1")
    assert count("db1 misses the sigma'(z1) = a1 (1 - a1) factor") == (1, "db1")
    assert count("dW1 has its columns in reverse order") == (1, "dW1")
    assert len(table) == 6  # nothing else: no diagnosis of a step that was right
    assert [int(r[0]) for r in table] == sorted((int(r[0]) for r in table), reverse=True)


def test_each_diagnosis_links_to_a_section_that_exists(report):
    a, _, _, md = report
    nb = ROOT / "notebooks" / f"{a.topic}.ipynb"
    heads = ["#" + re.sub(r"\s+", "-", re.sub(r"[`*_$]", "", h).strip()) for h in
             (line.lstrip("#").strip() for c in read(nb).cells if c.cell_type == "markdown"
              for line in c.source.split("\n") if re.match(r"^#{1,4}\s", line))]
    for row in _table(md, "Most frequent diagnoses"):
        link = re.search(r"\]\(([^)]+)\)", row[3])
        assert link, row
        target, _, anchor = link.group(1).partition("#")
        assert target.endswith("notebooks/04_backprop_two_layer.ipynb")
        assert "#" + unquote(anchor) in heads, (anchor, row)
    # the sign slip is taught where the output error signal is derived, the sigma' slip with
    # the sigmoid's derivative
    rows = _table(md, "Most frequent diagnoses")
    where = {start: next(r[3] for r in rows if r[1].startswith(start))
             for start in ("dW2 has the wrong sign", "dW1 misses the sigma'")}
    assert re.search(r"cross-entropy|output", where["dW2 has the wrong sign"], re.I)
    assert "derivative" in where["dW1 misses the sigma'"]


def test_links_follow_the_topic():
    nb = ROOT / "notebooks" / "04_backprop_two_layer.ipynb"
    head_prime, _ = section_for(nb, "dW1 misses the sigma'(z1) = a1 (1 - a1) factor")
    assert head_prime and re.search(r"sigmoid|deriv|backprop", head_prime, re.I), head_prime
    nb6 = ROOT / "notebooks" / "06_softmax.ipynb"
    head_stable, _ = section_for(nb6, "softmax gave nan or inf for large logits: exp overflows")
    assert head_stable and re.search(r"stab|overflow", head_stable, re.I), head_stable


def test_numbers_do_not_split_a_diagnosis():
    assert diagnosis_key("bce_loss is 4 times too large (4 = batch size)") == \
        diagnosis_key("bce_loss is 7 times too large (7 = batch size)")
    assert diagnosis_key("dW1[0, 2] = 0.25, expected -1.5e-3") == "dW1[...] = #, expected #"
    assert diagnosis_key("misses a1 (1 - a1), the 1/m") == "misses a1 (1 - a1), the 1/m"
    rows = [Row("a", "a", "fail", 0, 1, checks={"x": CheckScore(0, 1, "got 3"),
                                                "y": CheckScore(0, 1, "got 4")})]
    assert common_diagnoses(rows, None) == [("got #", 1, ["x", "y"], "got 3")]  # once per student


def test_every_grading_run_writes_the_report(tmp_path):
    """End to end: grade_folder on a tiny class in real kernels writes summary.md/.png."""
    subs = tmp_path / "subs"
    subs.mkdir()
    nb = read(Path(str(solution_path("04")).replace("solutions", "exercises")))
    sol = read(solution_path("04"))
    nbformat.write(sol, str(subs / "ok.ipynb"))
    mk = BY_ID["04-backward-dZ2_sign"]
    nbformat.write(with_edit(sol, "def backward(", mk.old, mk.new), str(subs / "sign.ipynb"))
    nbformat.write(nb, str(subs / "untouched.ipynb"))
    out = tmp_path / "grades"
    grade_folder("04", subs, out, jobs=2, quiet=True)
    md = (out / "summary.md").read_text()
    assert "3 submission(s)" in md and (out / "summary.png").exists()
    table = _table(md, "Most frequent diagnoses")
    counts = {r[1].split(":")[0]: int(r[0]) for r in table}
    assert counts["dW2 has the wrong sign"] == 1
    assert counts["backward"] == counts["forward"] == counts["bce_loss"] == 1  # not attempted yet
    # a second run (resume, nothing new) rewrites it
    (out / "summary.md").unlink()
    grade_folder("04", subs, out, resume=True, quiet=True)
    assert (out / "summary.md").exists()
    shutil.rmtree(out)
