#!/usr/bin/env python
"""Where the time of one ``MLP.fit`` step goes: each part of ``MinibatchSGD.step`` timed alone.

    python benchmarks/step_parts.py                 # A float64 sigmoid and B float32 ReLU, 1 thread
    python benchmarks/step_parts.py --task A --dtype float32 --hidden relu --repeats 7

:func:`timed_step` is :meth:`mlpkit._fast.MinibatchSGD.step` with a clock read around
each part; it uses the step's own buffers, hidden units and fused softmax output, so
it computes the same weights (``tests/test_benchmark.py`` checks that, bit for bit).
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
from mlpkit._fast import MinibatchSGD  # noqa: E402

PARTS = ("matrix products", "hidden activations, forward", "softmax + cross-entropy delta",
         "activation derivatives, backward", "bias adds", "update theta -= grad",
         "db = ones @ delta", "row gather X.take(rows)")
TASKS = {  # name: (sizes, batch, lr, epochs per repeat), as train_speed.py trains them
    "A": (ts.A_SIZES, ts.A_BATCH, ts.A_LR, 3),
    "B": (ts.B_SIZES, ts.B_BATCH, ts.B_LR, 1),
}


def timed_step(sgd: MinibatchSGD, start: int, lr, spent: dict) -> None:
    """``sgd.step(start, lr)``, adding each part's seconds to ``spent[part]`` (softmax output)."""
    clock = time.perf_counter
    L, W, WT, b, dW, db, g = sgd.L, sgd.W, sgd.WT, sgd.b, sgd.dW, sgd.db, sgd.g
    stop = start + sgd.B
    rows = sgd.order[start:stop]
    m = rows.size
    A, Z, delta, T, ones = sgd.views(m)
    t0 = clock()
    sgd.X.take(rows, axis=0, out=A[0], mode="clip")
    t1 = clock()
    spent[PARTS[7]] += t1 - t0
    for l in range(1, L + 1):
        t0 = clock()
        np.dot(A[l - 1], WT[l], out=Z[l])
        t1 = clock()
        Z[l] += b[l]
        t2 = clock()
        spent[PARTS[0]] += t1 - t0
        spent[PARTS[4]] += t2 - t1
        if l < L:
            g[l].forward(Z[l], A[l], T[l])
            spent[PARTS[1]] += clock() - t2
    t0 = clock()
    delta[L] = sgd.output.delta(Z[L], sgd.flat[start:stop], lr / m,
                                sgd.s[start:stop], sgd.z_y[start:stop], sgd.pred[start:stop])
    spent[PARTS[2]] += clock() - t0
    for l in range(L, 0, -1):
        t0 = clock()
        np.dot(delta[l].T, A[l - 1], out=dW[l])
        t1 = clock()
        np.dot(ones, delta[l], out=db[l])
        t2 = clock()
        spent[PARTS[0]] += t1 - t0
        spent[PARTS[6]] += t2 - t1
        if l > 1:
            np.dot(delta[l], W[l], out=delta[l - 1])
            t3 = clock()
            g[l - 1].backward(delta[l - 1], Z[l - 1], A[l - 1], T[l - 1])
            spent[PARTS[0]] += t3 - t2
            spent[PARTS[3]] += clock() - t3
    t0 = clock()
    sgd.theta -= sgd.grad
    spent[PARTS[5]] += clock() - t0


def measure(task: str, dtype, hidden: str, repeats: int) -> dict:
    """``{part: best mean seconds per step}`` for ``task`` ("A" or "B")."""
    sizes, batch, lr, epochs = TASKS[task]
    X, y = (ts.digits_data(dtype) if task == "A" else ts.clusters_data(ts.B_TRAIN))[:2]
    model = mlpkit.MLP(sizes, hidden=hidden, seed=0, dtype=dtype)     # softmax output
    X, Y = model._check_X(X), model._check_y(y, X.shape[0])
    sgd = MinibatchSGD(model, X, Y, batch)
    rng, lr = np.random.default_rng(0), model.dtype.type(lr)
    best = dict.fromkeys(PARTS, np.inf)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(repeats):
            spent, steps = dict.fromkeys(PARTS, 0.0), 0
            for _ in range(epochs):
                sgd.start_epoch(rng.permutation(X.shape[0]))
                for start in range(0, X.shape[0], batch):
                    timed_step(sgd, start, lr, spent)
                    steps += 1
                sgd.end_epoch()
            for part in PARTS:
                best[part] = min(best[part], spent[part] / steps)
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
