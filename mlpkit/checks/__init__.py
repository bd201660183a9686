"""Public checks of the exercises: one module per assignment (``ex00`` ... ``ex07``).

In an exercise notebook, the cell after each graded function runs e.g.
``mlpkit.checks.ex04.check_forward(forward)``, which prints a pass, "not attempted
yet", or a specific diagnosis, and never raises. See ``diagnose`` for the
machinery; the grader (``mlpkit.grader``) reuses the same diagnoses on hidden inputs.
"""
from . import ex00, ex01, ex02, ex03, ex04, ex05, ex06, ex07
from .diagnose import NOT_ATTEMPTED, CheckResult

__all__ = ["ex00", "ex01", "ex02", "ex03", "ex04", "ex05", "ex06", "ex07", "CheckResult",
           "NOT_ATTEMPTED"]
