"""The mistake bank (tests/wrong_bank/mistakes.py): every plausible mistake gets its specific
diagnosis from the public check and from the grader, and costs exactly the points of the
step where it happens (in-process grading: same inputs, serialisation and judges as a kernel)."""
from __future__ import annotations

from collections import Counter

import pytest

from grader_cases.nbtools import load_namespace, read, solution_path
from mlpkit.grader.assignments import ASSIGNMENTS, get
from mlpkit.grader.judge import grade_in_process
from wrong_bank.mistakes import GRADER_PENDING, ISSUE_TABLE, MISTAKES
from wrong_bank.public_checks import CHECKS

IDS = [mk.id for mk in MISTAKES]
CONTEXT: dict = {}


def _namespace(mk):
    cells = [c.source for c in read(solution_path(mk.nn)).cells
             if c.cell_type == "code" and f"def {mk.function}(" in c.source]
    assert len(cells) == 1 and cells[0].count(mk.old) == 1, (mk.id, "edit not found once")
    ns = load_namespace(mk.nn, {mk.old: mk.new})
    return ns


def test_at_least_eight_mistakes_per_graded_function():
    count = Counter((mk.nn, mk.function) for mk in MISTAKES)
    graded = {(nn, f) for nn, a in ASSIGNMENTS.items() for f in a.functions}
    assert set(count) == graded
    assert {k: n for k, n in count.items() if n < 8} == {}
    assert len(IDS) == len(set(IDS))
    assert set(ISSUE_TABLE) <= set(IDS)


@pytest.mark.parametrize("mk", MISTAKES, ids=IDS)
def test_public_check_diagnosis(mk):
    ns = _namespace(mk)
    result = CHECKS[mk.nn][mk.function].run(ns[mk.function])
    assert not result.passed and not result.not_attempted, f"{mk.id} passed its public check"
    assert mk.public in result.message, result.message
    assert "hard-coded" not in result.message  # none of these ignores its inputs


@pytest.mark.parametrize("mk", [mk for mk in MISTAKES if mk.id not in GRADER_PENDING],
                         ids=[i for i in IDS if i not in GRADER_PENDING])
def test_grader_diagnosis_and_points(mk):
    ns = _namespace(mk)
    a = get(mk.nn)
    if mk.nn not in CONTEXT:
        CONTEXT[mk.nn] = a.context()
    res = grade_in_process(a, {f: ns.get(f) for f in a.functions}, 11, CONTEXT[mk.nn])
    failed = {k for k, v in res.items() if v["points"] < v["max"]}
    assert failed == set(mk.lost), {k: v["message"] for k, v in res.items()}
    lost = sum(v["max"] - v["points"] for v in res.values())
    assert lost == pytest.approx(sum(c.points for c in a.checks if c.id in mk.lost))
    own = [c.id for c in a.checks if c.id in mk.lost and c.group in
           {g.id for g in a.groups if g.function == mk.function}]
    for cid in own:
        assert mk.grader_fragment in res[cid]["message"], (cid, res[cid]["message"])
        assert "hard-coded" not in res[cid]["message"]


def test_issue_table_exact_diagnoses():
    """The planted mistakes of issue 14, with the message and the points they must get."""
    by_id = {mk.id: mk for mk in MISTAKES}

    def public(i):
        mk = by_id[i]
        return CHECKS[mk.nn][mk.function].run(_namespace(mk)[mk.function]).message

    assert public("04-backward-dZ2_sign").startswith("dW2 has the wrong sign")
    assert public("04-backward-dW1_columns_reversed").startswith(
        "dW1 has its columns in reverse order")
    assert "sigma'" not in public("04-backward-dW1_columns_reversed").split("(db1 is right")[0]
    msg = public("05-backward3-W_transposed_down")
    assert msg.startswith("backward3 raised ValueError") and "delta2 = dJ/dZ2 (" in msg \
        and "W (" in msg, msg
    assert public("05-backward3-no_prime_h1").startswith(
        "dV misses the sigma'(z) = h1 (1 - h1) factor of the first hidden layer")
    assert public("05-backward3-softmax_prime").startswith("dU has an extra factor P (1 - P)")
    assert public("06-log_softmax-no_shift").startswith(
        "log_softmax gave nan or inf for a row with a large logit")
    # 04's sign slip costs dW2 and db2: 3 of 12 points, not 7
    mk = by_id["04-backward-dZ2_sign"]
    a = get("04")
    res = grade_in_process(a, {f: _namespace(mk).get(f) for f in a.functions}, 11, a.context())
    assert sum(v["max"] - v["points"] for v in res.values()) == 3
