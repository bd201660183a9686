"""One row of the grade table: what happened to one submission, as dataclasses.

A :class:`Row` is built whole by the grader (never a dict patched afterwards);
it crosses from the worker process to the runner as JSON (:meth:`Row.to_dict`,
:meth:`Row.from_dict`) and is written to ``grades.json`` the same way.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Status of a submission, most severe first (the row shows the most severe that applies).
STATUSES = ("not-a-notebook", "refused-symlink", "crashed", "timeout", "missing-function", "not-attempted", "fail", "ok")
#: The status of a row whose grading worker failed (a bug of the grader, not of the submission).
GRADER_ERROR = "grader-error"

__all__ = ["STATUSES", "GRADER_ERROR", "CheckScore", "Event", "Row"]


@dataclass
class CheckScore:
    """Points of one hidden check and the diagnosis shown to the student."""

    points: float
    max: float
    message: str


@dataclass
class Event:
    """Something that happened while running the notebook: a ``timeout`` or a ``crash``."""

    kind: str
    message: str
    cell: int | None = None


@dataclass
class Row:
    """Everything about one graded submission (see docs/INSTRUCTORS.md for the statuses)."""

    student: str
    file: str
    status: str
    total: float
    max_total: float
    message: str = ""
    checks: dict = field(default_factory=dict)      # check id -> CheckScore
    events: list = field(default_factory=list)      # Event, in the order they happened
    notes: list = field(default_factory=list)       # str: old format converted, ...
    seed: int | None = None
    elapsed: float = 0.0
    sha256: str = ""
    code_sha256: str = ""                           # of the code cells only (see submission.py)
    similar_to: list = field(default_factory=list)  # {"student", "score"}: similar code (similarity.py)

    @classmethod
    def failed(cls, assignment, student: str, file: str, status: str, message: str,
               **kw) -> "Row":
        """A row with no points: every check says why it was not graded."""
        checks = {c.id: CheckScore(0.0, c.points, f"not graded: {message}")
                  for c in assignment.checks}
        return cls(student=student, file=file, status=status, total=0.0,
                   max_total=assignment.max_points, message=message, checks=checks, **kw)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Row":
        d = dict(d)
        d["checks"] = {k: CheckScore(**v) for k, v in d.get("checks", {}).items()}
        d["events"] = [Event(**e) for e in d.get("events", [])]
        # grades.json before the scores: a list of names, all identical code (score 1)
        d["similar_to"] = [s if isinstance(s, dict) else {"student": str(s), "score": 1.0}
                           for s in d.get("similar_to", [])]
        return cls(**d)
