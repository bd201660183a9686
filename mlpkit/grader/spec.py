"""What an assignment's hidden checks are made of: call groups, checks, points.

A :class:`CallGroup` names one graded function and generates its inputs (random,
from a generator seeded per student); the kernel calls the function once per
input and sends back what it returned. A :class:`HiddenCheck` judges one call
group's returned values in the grader's process (``mlpkit.grader.judge``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

__all__ = ["CallGroup", "HiddenCheck", "Assignment", "draw_seed", "public_judge", "seed_dependent",
           "distinct_ints"]


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
    # judge_group(cases, values, context) -> None | (fraction, message): what only all the calls
    # together tell (e.g. that the result depends on the seed); raises Failed
    judge_group: Callable | None = None


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


def distinct_ints(rng, k, low=1, high=40) -> list:
    """``k`` distinct ints in ``[low, high)``: no accidental n_in = n_out = m, so a transposed
    shape never looks right."""
    import numpy as np

    return [int(v) for v in rng.choice(np.arange(low, high), size=k, replace=False)]


def draw_seed(rng) -> int:
    """A seed for a public check's case generator, drawn from the student's generator."""
    return int(rng.integers(2**31 - 1))


def public_judge(fn, **kw):
    """Adapt a public judge ``fn(args, value, **kw)`` to the hidden signature ``(args, value, ctx)``."""
    return lambda args, value, ctx: fn(args, value, **kw)


def seed_dependent(cases, values, ctx):
    """A group judge: calls that differ only in their last argument, the seed, must not all
    return the same value (a fixed order, e.g. reversed, ignores the seed)."""
    from ..checks.diagnose import Failed
    from ..safecall import encode

    if len(values) > 1 and all(encode(v) == encode(values[0]) for v in values[1:]):
        raise Failed(f"the same result for the seeds {', '.join(str(c[-1]) for c in cases)}: the "
                     "seed must change it (e.g. np.random.default_rng(seed).permutation(m))")
