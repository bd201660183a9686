"""What the bubblewrap sandbox adds per submission, measured side by side in one run.

    python benchmarks/sandbox_overhead.py [--rounds 5]

Alternates plain and sandboxed kernels, each: start, run a cell importing numpy and mlpkit,
close (what a sandboxed submission does more than a plain one: bwrap, IPC sockets, a
message-based interrupt). Then grades an assignment's solution both ways (grade_submission in
this process, so without the worker's start). Prints the medians and the difference.
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
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--assignment", default="04")
    args = p.parse_args(argv)
    from mlpkit.grader.assignments import get
    from mlpkit.grader.execute import Kernel, KernelStart, Limits
    from mlpkit.grader.grade import grade_submission
    from mlpkit.grader.sandbox import Sandbox

    limits = Limits()
    sandbox = Sandbox.for_grading()
    starts = {"plain": lambda d: KernelStart.plain(d, limits),
              "sandboxed": lambda d: KernelStart.sandboxed(sandbox, limits)}
    kernel_t = {k: [] for k in starts}
    grade_t = {k: [] for k in starts}
    a = get(args.assignment)
    context = a.context()
    sol = next((ROOT / "solutions").glob(f"{a.number}_*.ipynb"))
    for _ in range(args.rounds):
        for name, make in starts.items():
            with tempfile.TemporaryDirectory() as d:
                t0 = time.perf_counter()
                k = Kernel(make(d), limits)
                status, _ = k.run("import numpy, mlpkit", 60)
                k.close()
                kernel_t[name].append(time.perf_counter() - t0)
                assert status == "ok", status
            t0 = time.perf_counter()
            row = grade_submission(sol, a, "s", 0, limits, context=context, start=make)
            grade_t[name].append(time.perf_counter() - t0)
            assert row.status == "ok", row.message
    for label, t in (("kernel start + import + close", kernel_t),
                     (f"grading {sol.name}", grade_t)):
        plain, boxed = statistics.median(t["plain"]), statistics.median(t["sandboxed"])
        print(f"{label:<42s} plain {plain:5.2f} s  sandboxed {boxed:5.2f} s  "
              f"added {boxed - plain:+.2f} s  ratio {boxed / plain:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
