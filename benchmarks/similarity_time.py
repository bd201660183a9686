"""Time and scores of the grader's similarity step (mlpkit/grader/similarity.py).

    python benchmarks/similarity_time.py [--sizes 200 1000] [--assignment 04] [--pairwise 200]

1. **Scores** of assignments 04 and 07: disguised copies of the solution (renamed variables,
   reformatted, comments changed, functions reordered, all four) and hand-written independent
   implementations (tests/grader_cases/similar.py), against the solution and each other; and
   the mistake bank's one-edit variants (copies, NOT independent work). The default threshold
   is chosen from these numbers (docs/INSTRUCTORS.md).
2. **Time** for a synthetic class of N submissions: each student's notebook takes every graded
   function from one of the five implementations (solution + 4 independent), renames its
   variables, and adds a few random lines of its own (a print, an assert, an intermediate, a
   comment); one in ten is a renamed copy of another student's. Printed: fingerprinting, the
   whole step (as the grader runs it: candidates by shared fingerprints, then copydetect's
   score), the candidate pairs scored, the pairs flagged; and, for ``--pairwise`` submissions,
   the time of scoring every pair and the pairs the candidate step missed (must be 0),
   extrapolated to N pairs (n(n-1)/2 x the measured time per pair).
"""
from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from grader_cases import similar as S  # noqa: E402
from mlpkit.grader import similarity as sim  # noqa: E402

def handout(nn: str) -> str:
    """The boilerplate: all the handed-out code (as the grader takes it)."""
    return sim.code_text([(i, c.cell_type, c.source) for i, c in enumerate(S.exercise(nn).cells)])


def text(nb) -> str:
    """The code the grader compares: the handout's unchanged cells left out (code_text)."""
    return S.code_of(nb)


def scores(nn: str) -> None:
    bp = sim.boilerplate_of(handout(nn))
    fp = {"solution": sim.fingerprint(text(S.solution(nn)), bp)}
    for how in ("renamed", "reformatted", "recommented", "reordered", "all"):
        fp["copy:" + how] = sim.fingerprint(text(S.disguised(nn, how, seed=1)), bp)
    for name in S.INDEPENDENT[nn]:
        fp["indep:" + name] = sim.fingerprint(text(S.independent(nn, name)), bp)
    print(f"\nassignment {nn}: score against the solution (copydetect, larger of the two shares)")
    for k in fp:
        if k != "solution":
            print(f"  {k:24s} {sim._score(fp['solution'], fp[k]):.2f}")
    ind = [k for k in fp if k.startswith("indep:")]
    print("  independent vs independent: "
          + ", ".join(f"{a[6:]}/{b[6:]} {sim._score(fp[a], fp[b]):.2f}"
                      for a, b in itertools.combinations(ind, 2)))
    try:
        from wrong_bank.mistakes import MISTAKES
    except ImportError:
        return
    one_edit = [m for m in MISTAKES if m.nn == nn]
    if one_edit:
        vals = []
        for m in one_edit:
            nb = S.solution(nn)
            i = S._function_cell(nb, m.function)
            nb.cells[i].source = nb.cells[i].source.replace(m.old, m.new)
            vals.append(sim._score(fp["solution"], sim.fingerprint(text(nb), bp)))
        print(f"  mistake bank ({len(vals)} one-edit copies, not independent): "
              f"min {min(vals):.2f}, median {sorted(vals)[len(vals) // 2]:.2f}")


def timing(nn: str, n: int, pairwise: int) -> None:
    codes = S.synthetic_class(nn, n)
    given = handout(nn)
    t0 = time.perf_counter()
    bp = sim.boilerplate_of(given)
    fps = [sim.fingerprint(t, bp) for t in codes.values()]
    t_fp = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs = sim.similar_pairs(codes, given, sim.DEFAULT_THRESHOLD)
    t_step = time.perf_counter() - t0
    distinct = list({f.filtered_code: f for f in fps if f.token_coverage >= sim.MIN_OWN}.values())
    cand = len(sim._candidates(distinct, sim.DEFAULT_THRESHOLD))
    total = n * (n - 1) // 2
    print(f"\n{n} submissions of {nn} ({len(distinct)} distinct filtered codes): fingerprints "
          f"{t_fp:.1f} s; the whole step {t_step:.1f} s ({cand} candidate pairs of "
          f"{len(distinct) * (len(distinct) - 1) // 2} scored, {len(pairs)} pairs flagged at "
          f"{sim.DEFAULT_THRESHOLD})")
    if n <= pairwise:
        t0 = time.perf_counter()
        every, lowest = set(), 1.0
        for (a, fa), (b, fb) in itertools.combinations(zip(codes, fps), 2):
            if min(fa.token_coverage, fb.token_coverage) < sim.MIN_OWN:
                continue
            if sim._score(fa, fb) >= sim.DEFAULT_THRESHOLD:
                every.add((a, b))
                if fa.filtered_code != fb.filtered_code:
                    lowest = min(lowest, len(fa.hashes & fb.hashes)
                                 / min(len(fa.hashes), len(fb.hashes)))
        t_all = time.perf_counter() - t0
        per = t_all / total
        missed = every - {(p.a, p.b) for p in pairs}
        print(f"  every pair scored by copydetect: {t_all:.1f} s ({1e6 * per:.0f} us a pair; "
              f"{len(missed)} flagged pairs missed by the candidate step; the least a flagged pair "
              f"shares: {lowest:.2f} of the smaller fingerprint set, the candidate step needs "
              f"{sim.PREFILTER * sim.DEFAULT_THRESHOLD ** 2:.2f}); every pair of 1000 would take "
              f"{per * 1000 * 999 / 2:.0f} s, of 3000 {per * 3000 * 2999 / 2:.0f} s")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    p.add_argument("--assignment", default="04", choices=sorted(S.INDEPENDENT))
    p.add_argument("--pairwise", type=int, default=200,
                   help="also score every pair for classes up to this size")
    args = p.parse_args(argv)
    for nn in sorted(S.INDEPENDENT):
        scores(nn)
    for n in args.sizes:
        timing(args.assignment, n, args.pairwise)
    return 0


if __name__ == "__main__":
    sys.exit(main())
