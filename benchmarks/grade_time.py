"""Time `mlpkit grade` per submission: N copies of an assignment's solution, graded one at a time.

    python benchmarks/grade_time.py [--assignment 04] [--copies 6] [--no-sandbox]

Prints the median and mean wall time per submission (from the rows' ``elapsed``: parse, kernel
start, cells, hidden calls, judging) and the whole run's time divided by the copies (adds the
worker process start). Compare two versions side by side by running it with each on PYTHONPATH.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--assignment", default="04")
    p.add_argument("--copies", type=int, default=6)
    p.add_argument("--no-sandbox", action="store_true", help="grade without bubblewrap")
    args = p.parse_args(argv)

    import mlpkit
    from mlpkit.grader import runner

    sol = next((ROOT / "solutions").glob(f"{args.assignment}_*.ipynb"))
    kw = {}
    if args.no_sandbox and "sandbox" in runner.grade_folder.__code__.co_varnames:
        kw["sandbox"] = False
    with tempfile.TemporaryDirectory() as d:
        subs = Path(d) / "subs"
        subs.mkdir()
        for i in range(args.copies):
            (subs / f"s{i}.ipynb").write_bytes(sol.read_bytes())
        t0 = time.perf_counter()
        rows = runner.grade_folder(args.assignment, subs, Path(d) / "out", jobs=1, quiet=True, **kw)
        wall = time.perf_counter() - t0
    def get(r, k):
        return r[k] if isinstance(r, dict) else getattr(r, k)
    el = [get(r, "elapsed") for r in rows.values()]
    st = {get(r, "status") for r in rows.values()}
    print(f"mlpkit from {Path(mlpkit.__file__).parent}; assignment {args.assignment}, "
          f"{args.copies} copies, statuses {sorted(st)}")
    print(f"per submission: median {statistics.median(el):.2f} s, mean {statistics.mean(el):.2f} s "
          f"(in the worker); wall per submission {wall / args.copies:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
