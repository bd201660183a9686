"""Grading throughput on this machine and on a Dask LocalCluster, side by side in one run.

    python benchmarks/grade_dask.py [--assignment 04] [--copies 12] [--workers 2] [--rounds 2]

Grades N copies of an assignment's solution with ``--jobs W`` (local worker processes) and on a
``LocalCluster`` of W single-threaded workers (``--dask local:W``), alternating, ``--rounds``
times; prints submissions per minute for each, the per-task overhead of Dask (a trivial task's
round trip, and the difference in wall time per submission), and what that gives for N workers.
Needs the [cluster] extra (pip install -e '.[cluster]').
"""
from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _grade(number, subs, out, **kw):
    from mlpkit.grader.runner import grade_folder

    if "sandbox" in inspect.signature(grade_folder).parameters:
        kw.setdefault("sandbox", True)
    t0 = time.perf_counter()
    rows = grade_folder(number, subs, out, quiet=True, force=True, **kw)
    wall = time.perf_counter() - t0
    bad = {r.status for r in rows.values()} - {"ok"}
    if bad:
        raise SystemExit(f"a copy of the solution was graded {bad}: the machine is too loaded?")
    return wall, [r.elapsed for r in rows.values()]


def _round_trip(client, n: int = 50) -> float:
    """Median seconds for submitting a task that does nothing and getting its result."""
    def noop(x):
        return x

    times = []
    for i in range(n):
        t0 = time.perf_counter()
        client.submit(noop, i, pure=False).result()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--assignment", default="04")
    p.add_argument("--copies", type=int, default=12)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)

    from mlpkit.grader.cluster import DaskExecutor

    sol = next((ROOT / "solutions").glob(f"{args.assignment}_*.ipynb"))
    w, n = args.workers, args.copies
    local, dask, inside_local, inside_dask = [], [], [], []
    with tempfile.TemporaryDirectory() as d:
        subs = Path(d) / "subs"
        subs.mkdir()
        for i in range(n):
            (subs / f"s{i:03d}.ipynb").write_bytes(sol.read_bytes())
        t0 = time.perf_counter()
        executor = DaskExecutor(f"local:{w}")
        executor.connect()
        start = time.perf_counter() - t0
        try:
            trip = _round_trip(executor.client)
            for _ in range(args.rounds):
                wall, el = _grade(args.assignment, subs, Path(d) / "local", jobs=w)
                local.append(wall)
                inside_local += el
                wall, el = _grade(args.assignment, subs, Path(d) / "dask", executor=executor)
                dask.append(wall)
                inside_dask += el
        finally:
            executor.close()
    per_min = {k: 60 * n / statistics.median(v) for k, v in (("local", local), ("dask", dask))}
    per_sub = {k: w * statistics.median(v) / n for k, v in (("local", local), ("dask", dask))}
    overhead = per_sub["dask"] - per_sub["local"]
    print(f"assignment {args.assignment}: {n} copies of the solution, {w} local jobs vs a "
          f"LocalCluster of {w} workers, {args.rounds} rounds alternating")
    print(f"LocalCluster start: {start:.1f} s; trivial task round trip: {1000 * trip:.1f} ms "
          "(median of 50)")
    print(f"local : {per_min['local']:5.1f} submissions/min, {per_sub['local']:.2f} s per "
          f"submission per worker (wall), median {statistics.median(inside_local):.2f} s inside")
    print(f"dask  : {per_min['dask']:5.1f} submissions/min, {per_sub['dask']:.2f} s per "
          f"submission per worker (wall), median {statistics.median(inside_dask):.2f} s inside")
    print(f"dask / local throughput: {per_min['dask'] / per_min['local']:.2f}; Dask's overhead "
          f"per submission: {overhead:+.2f} s per worker")
    per_worker = 60 / per_sub["dask"]
    print(f"estimate: {per_worker:.0f} submissions/min per single-core worker like these; "
          + ", ".join(f"{k} workers ~{k * per_worker:.0f}/min ({3000 / (k * per_worker):.1f} min "
                      "for 3000)" for k in (8, 32, 128)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
