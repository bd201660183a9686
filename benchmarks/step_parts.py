#!/usr/bin/env python
"""Where the time of one ``MLP.fit`` step goes: each part of ``MinibatchSGD.step`` timed alone.

    python benchmarks/step_parts.py                 # A float64 sigmoid and B float32 ReLU, 1 thread
    python benchmarks/step_parts.py --task A --dtype float32 --hidden relu --repeats 7

:class:`PartTimer` is the ``timer`` hook of :class:`mlpkit.sgd.MinibatchSGD`: the real
step calls it at the end of each part (``mlpkit.sgd.PARTS``) and it adds the time since
its previous call to that part, so what is timed is the step ``MLP.fit`` runs, not a copy
(``tests/test_benchmark.py`` checks that the weights come out the same, bit for bit).
Each part's time is its mean per step over whole epochs, the best over the repeats;
reading the clock adds about 0.1 us to each part. The tasks are those of
``train_speed.py`` (A: digits 64-128-64-10, batch 32; B: 60,000 x 784 clusters,
784-256-128-10, batch 128). numpy's BLAS runs on one thread (threadpoolctl, this
process only) unless ``--threads auto``. The table in ``benchmarks/README.md``
("Where a step's time goes") comes from this script.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_speed as ts  # noqa: E402  (also makes mlpkit importable from a checkout)
from threadpoolctl import threadpool_limits  # noqa: E402

import mlpkit  # noqa: E402
from mlpkit.sgd import PARTS  # noqa: E402

TASKS = {  # name: (sizes, batch, lr, epochs per repeat), as train_speed.py trains them
    "A": (ts.A_SIZES, ts.A_BATCH, ts.A_LR, 3),
    "B": (ts.B_SIZES, ts.B_BATCH, ts.B_LR, 1),
}


class PartTimer:
    """The step's timer hook: ``spent[part]`` sums the seconds of each part, ``steps`` counts steps."""

    def __init__(self):
        self.spent, self.steps, self.last = dict.fromkeys(PARTS, 0.0), 0, 0.0

    def __call__(self, part) -> None:
        now = time.perf_counter()
        if part is None:                     # a step starts
            self.steps += 1
        else:
            self.spent[part] += now - self.last
        self.last = now


def measure(task: str, dtype, hidden: str, repeats: int) -> dict:
    """``{part: best mean seconds per step}`` for ``task`` ("A" or "B")."""
    sizes, batch, lr, epochs = TASKS[task]
    X, y = (ts.digits_data(dtype) if task == "A" else ts.clusters_data(ts.B_TRAIN))[:2]
    model = mlpkit.MLP(sizes, hidden=hidden, seed=0, dtype=dtype)     # softmax output
    sgd = model.minibatch_sgd(X, y, batch)
    rng, lr = np.random.default_rng(0), model.dtype.type(lr)
    best = dict.fromkeys(PARTS, np.inf)
    for _ in range(repeats):
        sgd.timer = timer = PartTimer()
        for _ in range(epochs):
            sgd.epoch(rng.permutation(X.shape[0]), lr)
        for part in PARTS:
            best[part] = min(best[part], timer.spent[part] / timer.steps)
    return best


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--task", choices=["A", "B"], action="append",
                   help="A and/or B (default: both, A float64 sigmoid, B float32 relu)")
    p.add_argument("--dtype", choices=["float32", "float64"], default=None)
    p.add_argument("--hidden", choices=["sigmoid", "relu", "tanh"], default=None)
    p.add_argument("--repeats", type=int, default=5, help="repeats (best kept per part)")
    p.add_argument("--threads", default="1", help="BLAS threads: a number, or 'auto' (numpy's default)")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error(f"--repeats: expected a positive number, got {args.repeats}")
    if args.threads != "auto" and not (args.threads.isdigit() and int(args.threads) > 0):
        p.error(f"--threads: expected a positive number or 'auto', got {args.threads!r}")
    defaults = {"A": ("float64", "sigmoid"), "B": ("float32", "relu")}
    configs = [(t, args.dtype or defaults[t][0], args.hidden or defaults[t][1])
               for t in (args.task or ["A", "B"])]
    limit = None if args.threads == "auto" else int(args.threads)
    results = []
    with threadpool_limits(limit):
        for task, dtype, hidden in configs:
            print(f"measuring task {task} {dtype} {hidden} ({args.repeats} repeats)...",
                  file=sys.stderr, flush=True)
            results.append(measure(task, np.dtype(dtype), hidden, args.repeats))
    heads = [f"{t} {d} {h}" for t, d, h in configs]
    print(f"microseconds per step, threads: {args.threads}")
    print("| part of a step | " + " | ".join(heads) + " |")
    print("|---" * (len(heads) + 1) + "|")
    for part in (*PARTS, "total"):
        cells = [sum(r.values()) if part == "total" else r[part] for r in results]
        print(f"| {part} | " + " | ".join(f"{1e6 * c:.0f} us" for c in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
