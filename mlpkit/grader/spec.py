"""What an assignment's hidden checks are made of: call groups, checks, points.

A :class:`CallGroup` names one graded function and generates its inputs (random,
from a generator seeded per student); the kernel calls the function once per
input and sends back what it returned. A :class:`HiddenCheck` judges one call
group's returned values in the grader's process (``mlpkit.grader.judge``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

__all__ = ["CallGroup", "HiddenCheck", "Assignment", "draw_seed", "public_judge"]


@dataclass
class CallGroup:
    """``function`` called on each argument tuple of ``cases(rng, context)``.

    ``error_hint(args, error_text) -> str``, optional, explains an exception the
    function raised (the same hint as the public check's). ``forbid`` maps a callable the
    graded function must not use (``"module:Class.attr"``, e.g. ``"mlpkit.mlp:MLP.fit"``) to
    the diagnosis given when a call used it (spied on in the kernel during the call only:
    a deterrent, see docs/INSTRUCTORS.md).
    """

    id: str
    function: str
    arg_names: tuple
    cases: Callable
    error_hint: Callable | None = None
    forbid: dict = field(default_factory=dict)


@dataclass
class HiddenCheck:
    id: str
    group: str
    points: float
    description: str
    judge: Callable  # judge(args, value, context) -> None | (fraction, message); raises Failed


@dataclass
class Assignment:
    number: str
    topic: str
    groups: list
    checks: list
    context: Callable = field(default=lambda: {})
    #: function name -> ``error_hint`` for its call groups that have none (the public checks')
    hints: dict = field(default_factory=dict)

    def __post_init__(self):
        for g in self.groups:
            if g.error_hint is None:
                g.error_hint = self.hints.get(g.function)

    @property
    def functions(self) -> list:
        seen = []
        for g in self.groups:
            if g.function not in seen:
                seen.append(g.function)
        return seen

    @property
    def max_points(self) -> float:
        return float(sum(c.points for c in self.checks))

    def group(self, gid: str) -> CallGroup:
        return next(g for g in self.groups if g.id == gid)


def draw_seed(rng) -> int:
    """A seed for a public check's case generator, drawn from the student's generator."""
    return int(rng.integers(2**31 - 1))


def public_judge(fn, **kw):
    """Adapt a public judge ``fn(args, value, **kw)`` to the hidden signature ``(args, value, ctx)``."""
    return lambda args, value, ctx: fn(args, value, **kw)
