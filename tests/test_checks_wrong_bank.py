"""The public checks: every solution passes, every known-wrong implementation fails with its
specific diagnosis, and a stub reports "not attempted yet". All in-process (fast)."""
from __future__ import annotations

import numpy as np
import pytest

from grader_cases.nbtools import load_namespace
from mlpkit.checks import NOT_ATTEMPTED, ex02, ex04
from wrong_bank import BANK
from wrong_bank.public_checks import CHECKS  # graded function name -> its public check

PAIRS = [(nn, name) for nn, d in CHECKS.items() for name in d]


@pytest.fixture(scope="module")
def namespaces():
    return {nn: load_namespace(nn) for nn in CHECKS}


@pytest.mark.parametrize("nn,name", PAIRS, ids=[f"{nn}-{n}" for nn, n in PAIRS])
def test_solution_passes(namespaces, nn, name):
    result = CHECKS[nn][name].run(namespaces[nn][name])
    assert result.passed, result.message


@pytest.mark.parametrize("nn,name", PAIRS, ids=[f"{nn}-{n}" for nn, n in PAIRS])
def test_stub_is_not_attempted(nn, name, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError

    result = CHECKS[nn][name].run(stub)
    assert not result.passed and result.not_attempted
    CHECKS[nn][name](stub)  # the printing form never raises
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == f"{name}: {NOT_ATTEMPTED}"
    # a check whose function has hints says so (the rest print one line)
    assert lines[1:] == ([] if not hasattr(CHECKS[nn][name], "hint") else
                         [f"  stuck? {CHECKS[nn][name].hint} (after `from mlpkit.hints import "
                          "hint`) shows a hint; call it again for the next level"])


@pytest.mark.parametrize("entry", BANK, ids=[e[0] for e in BANK])
def test_wrong_implementation_is_diagnosed(entry):
    _, check, fn, fragment = entry
    result = check.run(fn)
    assert not result.passed, f"{entry[0]} passed its check"
    assert fragment in result.message, result.message


def test_bank_covers_every_graded_function():
    covered = {e[1] for e in BANK}
    missing = [f"{nn}-{name}" for nn, name in PAIRS if CHECKS[nn][name] not in covered]
    assert not missing


@pytest.mark.parametrize("fn,fragment", [
    (lambda *a: None, "forward returned None"),
    (lambda *a: 1 / 0, "forward raised ZeroDivisionError"),
    (lambda *a: (np.array(["a"]), np.array(["b"])), "expected a numeric array"),
    (lambda *a: (a[0] @ a[1].T + a[2], None), "A1 is the pre-activation"),
])
def test_odd_return_values_never_raise(fn, fragment):
    result = ex04.check_forward.run(fn)
    assert not result.passed and fragment in result.message, result.message


def test_naive_sigmoid_with_overflow_warning_passes():
    def naive(z):
        return 1.0 / (1.0 + np.exp(-z))   # overflows (RuntimeWarning) for z = -1000, still right

    assert ex02.check_sigmoid.run(naive).passed


def test_issue_examples_verbatim():
    msgs = {e[0]: e[1].run(e[2]).message for e in BANK}
    assert "sigmoid(0) should be 0.5, got 0" in msgs["sigmoid_step"]
    assert "dW1 has shape (3, 2), expected (2, 3): W is (n_out, n_in)" in msgs["backward_transposed"]
    assert ("dW2 is off by a factor of 4 = batch size (too small): did you average over the batch "
            "twice?") in msgs["backward_double_mean"]
    assert "differs from finite differences in dW1[0, 1] only" in msgs["backward_one_entry"]
