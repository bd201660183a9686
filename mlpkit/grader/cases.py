"""The hidden inputs of every assignment (00-07): one generator per call group.

A generator takes the student's ``rng`` (seeded per student, see
:func:`mlpkit.grader.spec.draw_seed`) and the assignment's context, and returns the list of
argument tuples the graded function is called with (:mod:`.assignments` says which function and
which checks judge the results).
"""
from __future__ import annotations

import numpy as np

from ..checks import ex02, ex04, ex05
from .spec import distinct_ints, draw_seed


# ------------------------------------------------------------------ 00
def shapes_cases(rng, ctx):
    out = []
    for n_layers in (1, 2, int(rng.integers(3, 5))):
        *sizes, m = distinct_ints(rng, n_layers + 2)
        out.append((sizes, m))
    return out


def dense_cases(rng, ctx):
    out = []
    # two layers with m, n_in, n_out all different, then a square one (m = n_in = n_out) where
    # W instead of W.T and b as a column give wrong numbers without an error
    for m, n_in, n_out in (distinct_ints(rng, 3, 2, 12), distinct_ints(rng, 3, 2, 12),
                           [int(rng.integers(2, 7))] * 3):
        out.append((rng.normal(size=(m, n_in)), rng.normal(size=(n_out, n_in)),
                    rng.normal(size=n_out)))
    return out


def ng_cases(rng, ctx):
    out = []
    m, n_in, n_out = distinct_ints(rng, 3, 2, 12)
    k = int(rng.integers(2, 7))
    # all different; a square X (m = n_in); a square W (n_in = n_out)
    for m, n_in, n_out in ((m, n_in, n_out), (k, k, n_out if n_out != k else k + 1),
                           (m, k, k)):
        out.append((rng.normal(size=(n_in, m)), rng.normal(size=(n_out, n_in)),
                    rng.normal(size=(n_out, 1))))
    return out


# ------------------------------------------------------------------ 01
def int_vec(rng, size):
    return rng.integers(-3, 4, size=size).astype(float)


def predict_cases(rng, ctx):
    out = []
    for k in range(3):
        n, m = int(rng.integers(2, 5)), int(rng.integers(5, 12))
        w, X = int_vec(rng, n), int_vec(rng, (m, n))
        b = float(rng.integers(-2, 3))
        X[0] = 0.0
        b0 = 0.0 if k == 0 else b  # the first case has a point exactly on the boundary
        out.append((w, b0, X))
    return out


def update_cases(kind):
    def cases(rng, ctx):
        out = []
        while len(out) < 4:
            n = int(rng.integers(2, 5))
            w, x = int_vec(rng, n), int_vec(rng, n)
            b, y = float(rng.integers(-2, 3)), int(rng.choice([-1, 1]))
            if kind == "boundary":
                b = -float(w @ x)
            s = y * (w @ x + b)
            if (kind == "mistake" and s < 0) or (kind == "correct" and s > 0) or kind == "boundary":
                out.append((w, b, x, y))
        return out
    return cases


# ------------------------------------------------------------------ 02
def sigmoid_cases(rng, ctx):
    z = rng.normal(scale=5, size=(3, 4))
    big = np.array([-1000.0, -745.5, -40.0, 0.0, 40.0, 745.5, 1000.0]) * rng.uniform(0.9, 1.0)
    return [(z,), (big,), (rng.normal(size=6),)]


def logit_cases(rng, ctx):
    return [ex02._data(draw_seed(rng), m=int(rng.integers(3, 9)), n=int(rng.integers(2, 5)))
            for _ in range(3)]


def step_cases(rng, ctx):
    return [(*c, float(rng.uniform(0.05, 1.0))) for c in logit_cases(rng, ctx)]


# ------------------------------------------------------------------ 03
def forward221_cases(rng, ctx):
    out = []
    for _ in range(3):
        m = int(rng.integers(3, 9))
        out.append((rng.normal(size=(m, 2)), rng.normal(size=(2, 2)), rng.normal(size=2),
                    rng.normal(size=(1, 2)), rng.normal(size=1)))
    return out


# ------------------------------------------------------------------ 04
def net04(rng):
    return ex04.make_case(draw_seed(rng), m=int(rng.integers(3, 9)), n0=int(rng.integers(2, 5)),
                          n1=int(rng.integers(2, 6)), n2=int(rng.integers(1, 3)))


def fwd04_cases(rng, ctx):
    return [net04(rng)[0] for _ in range(3)]


def loss04_cases(rng, ctx):
    return [(c[1][3], c[1][1]) for c in (net04(rng) for _ in range(3))]


def bwd04_cases(rng, ctx):
    return [net04(rng)[1] for _ in range(3)]


# ------------------------------------------------------------------ 05
def net05(rng):
    K = int(rng.integers(2, 5))
    return ex05.make_case(draw_seed(rng), m=int(rng.integers(K, 9)), n0=int(rng.integers(2, 5)),
                          n1=int(rng.integers(2, 6)), n2=int(rng.integers(2, 6)), K=K)


def fwd05_cases(rng, ctx):
    return [net05(rng)[0] for _ in range(3)]


def bwd05_cases(rng, ctx):
    return [net05(rng)[1] for _ in range(3)]


# ------------------------------------------------------------------ 06
def logits(rng, big=False):
    m, K = int(rng.integers(3, 9)), int(rng.integers(2, 7))
    Z = rng.normal(scale=3.0, size=(m, K))
    if big:
        Z[0] += 900.0
        Z[1, 0] = -900.0
    return Z, rng.integers(0, K, size=m)


def softmax_cases(rng, ctx):
    return [(logits(rng, big=b)[0],) for b in (False, True, True)]


def log_softmax_cases(rng, ctx):
    return [(logits(rng, big=b)[0],) for b in (False, True)]


def ce_cases(rng, ctx):
    return [logits(rng, b) for b in (0, 1, 0)]


# ------------------------------------------------------------------ 07
def digits_context():
    from ..data import digits_split

    X_train, X_test, y_train, y_test = digits_split()
    return {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test}


def mb_cases(rng, ctx):
    return [(int(rng.integers(20, 200)), int(rng.integers(3, 17)), draw_seed(rng)) for _ in range(3)]


def mb_seed_cases(rng, ctx):
    m, bs = int(rng.integers(20, 200)), int(rng.integers(3, 17))
    return [(m, bs, draw_seed(rng)) for _ in range(3)]


