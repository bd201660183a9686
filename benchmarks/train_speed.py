#!/usr/bin/env python
"""Training speed of small MLPs on the CPU: mlpkit against PyTorch and scikit-learn.

    make bench                    # full run, writes benchmarks/RESULTS.md
    make bench ARGS=--quick       # or `make bench-quick`: under a minute, prints only
    python benchmarks/train_speed.py --help

Every implementation trains the *same* network from the *same* initial weights
(mlpkit's, copied into the others) on the *same* batches in the same order
(``default_rng(0).permutation`` per epoch, as ``MLP.fit(seed=0)`` draws them) with
plain SGD, constant learning rate, no momentum, no weight decay:

* mlpkit: ``MLP(...).fit(X, y, epochs, batch_size, lr)`` -- the whole public call,
  input validation and its history (loss and accuracy of every batch) included;
* PyTorch CPU: ``nn.Sequential`` of ``nn.Linear`` and activations, ``nn.CrossEntropyLoss``,
  ``optim.SGD(lr)``; the usual loop (``zero_grad``, forward, loss, ``backward``, ``step``),
  rows gathered with ``X[idx]``, no per-batch metrics; as many threads as numpy's BLAS;
* scikit-learn: ``MLPClassifier(solver="sgd", momentum=0, nesterovs_momentum=False,
  alpha=0, learning_rate="constant", early_stopping=False, shuffle=False, tol=0)``
  fed one epoch at a time with ``partial_fit(X[order], y[order])``, which reproduces
  the batch order exactly. What differs, as far as scikit-learn allows: it validates
  its input on every call (every epoch), one-hot encodes the labels, clips the
  probabilities in its loss and still adds ``alpha/2 * ||W||^2`` (0 here) to every
  batch's loss; its rounding differs from mlpkit's and PyTorch's, so equal accuracy
  is expected, equal weights are not. A second row, "own shuffle", times a single
  ``fit(shuffle=True)`` (its own batch order, so its accuracy may differ slightly);
  the ratio to scikit-learn uses the faster of the two rows;
* GEMMs alone: only the step's matrix products (forward ``A @ W.T``, ``dW = delta.T @ A``,
  ``delta @ W``) on the same shapes, in numpy with preallocated outputs: the speed limit
  of any numpy implementation on this BLAS; "at 80% of this" means mlpkit trains at 80%
  of that speed.

Implementations alternate within each repeat and each one's best time over the
repeats is kept, so that a busy machine hurts all of them alike. "best s" is
wall-clock time of the whole training, samples/s = epochs * n / best s; "CPU s" is
the process's CPU time over the same span (all threads summed).

Threads: by default everything runs twice, with numpy's default number of BLAS
threads (PyTorch set to the same) and with one thread (numpy limited with
threadpoolctl in this process only, ``torch.set_num_threads(1)``); ``--quick`` uses
one thread only; ``--threads`` chooses. With one thread the CPU time does not count
waiting for a core, so it is the steadiest measure on a machine shared with other
work; with two, PyTorch's OpenMP threads can make it many times slower there.
The library, its tests and CI never change thread counts or BLAS variables;
``--unset-blas-env`` re-runs this script alone without OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE (some machines set them for old OpenBLAS builds; they can select
a slower kernel for a current numpy). The header names the kernel numpy runs.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

try:
    import mlpkit
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import mlpkit
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

try:
    import torch
except ImportError:  # the benchmark runs without PyTorch and says so
    torch = None

try:
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
except ImportError:
    sklearn = None

BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
UNSET_NOTE = "MLPKIT_BENCH_UNSET_BLAS_ENV"


# ------------------------------------------------------------------ tasks
# the networks and hyper-parameters of tasks A and B (step_parts.py times the same)
A_SIZES, A_BATCH, A_LR = [64, 128, 64, 10], 32, 0.1
B_SIZES, B_BATCH, B_LR, B_TRAIN = [784, 256, 128, 10], 128, 0.05, 60_000


@dataclass
class Task:
    name: str
    sizes: list
    hidden: str
    dtype: type
    batch: int
    epochs: int
    lr: float
    Xtr: np.ndarray
    ytr: np.ndarray
    Xte: np.ndarray
    yte: np.ndarray
    results: dict = field(default_factory=dict)   # impl -> (best seconds, test accuracy)

    @property
    def n(self) -> int:
        return self.Xtr.shape[0]

    def label(self) -> str:
        return f"{np.dtype(self.dtype).name} {self.hidden}"

    def init_weights(self):
        model = mlpkit.MLP(self.sizes, hidden=self.hidden, seed=0, dtype=self.dtype)
        return [(layer.W.copy(), layer.b.copy()) for layer in model.layers]


def digits_data(dtype):
    Xtr, Xte, ytr, yte = mlpkit.data.digits_split()
    return Xtr.astype(dtype), ytr, Xte.astype(dtype), yte


def clusters_data(n_train: int, n_test: int = 10_000, d: int = 784, k: int = 10, seed: int = 0):
    """``n_train + n_test`` points from ``k`` Gaussian clusters in ``d`` dimensions (float32)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((k, d), dtype=np.float32) * np.float32(0.15)
    n = n_train + n_test
    y = rng.integers(0, k, size=n)
    X = rng.standard_normal((n, d), dtype=np.float32)
    X += centres[y]
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


# ------------------------------------------------------------------ implementations
# Each runner times its training only (not building the model) and returns
# ((wall seconds, CPU seconds of the process), test accuracy).
def clock():
    return time.perf_counter(), time.process_time()


def elapsed(t0):
    return time.perf_counter() - t0[0], time.process_time() - t0[1]


def run_mlpkit(t: Task):
    model = mlpkit.MLP(t.sizes, hidden=t.hidden, seed=0, dtype=t.dtype)
    t0 = clock()
    model.fit(t.Xtr, t.ytr, epochs=t.epochs, batch_size=t.batch, lr=t.lr, seed=0)
    times = elapsed(t0)
    return times, model.score(t.Xte, t.yte)


def torch_net(t: Task):
    tdt = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[np.dtype(t.dtype)]
    act = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh}[t.hidden]
    mods = []
    for i, (W, b) in enumerate(t.init_weights()):
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=tdt)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if i < len(t.sizes) - 2:
            mods.append(act())
    return torch.nn.Sequential(*mods)


def run_torch(t: Task):
    net = torch_net(t)
    opt = torch.optim.SGD(net.parameters(), lr=t.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(t.Xtr), torch.from_numpy(t.ytr.astype(np.int64))
    n, B = t.n, t.batch
    rng = np.random.default_rng(0)
    t0 = clock()
    for _ in range(t.epochs):
        order = torch.from_numpy(rng.permutation(n))
        for start in range(0, n, B):
            idx = order[start:start + B]
            opt.zero_grad()
            loss = loss_fn(net(X[idx]), y[idx])
            loss.backward()
            opt.step()
    times = elapsed(t0)
    with torch.no_grad():
        acc = (net(torch.from_numpy(t.Xte)).argmax(1).numpy() == t.yte).mean()
    return times, float(acc)


def sklearn_model(t: Task, shuffle: bool, max_iter: int):
    act = {"relu": "relu", "sigmoid": "logistic", "tanh": "tanh"}[t.hidden]
    clf = MLPClassifier(hidden_layer_sizes=tuple(t.sizes[1:-1]), activation=act, solver="sgd",
                        alpha=0.0, batch_size=t.batch, learning_rate="constant",
                        learning_rate_init=t.lr, momentum=0.0, nesterovs_momentum=False,
                        early_stopping=False, shuffle=shuffle, tol=0.0, n_iter_no_change=10**9,
                        max_iter=1, warm_start=True, random_state=0)
    # build the model on a few rows (all classes present), then load mlpkit's initial weights
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # "did not converge", "batch_size clipped"
        first = np.concatenate([np.flatnonzero(t.ytr == c)[:1] for c in np.unique(t.ytr)])
        clf.fit(t.Xtr[first], t.ytr[first])
    for i, (W, b) in enumerate(t.init_weights()):
        clf.coefs_[i][...] = W.T
        clf.intercepts_[i][...] = b
    clf.set_params(max_iter=max_iter)
    return clf


def run_sklearn_same_order(t: Task):
    clf = sklearn_model(t, shuffle=False, max_iter=1)
    rng = np.random.default_rng(0)
    t0 = clock()
    for _ in range(t.epochs):
        order = rng.permutation(t.n)
        clf.partial_fit(t.Xtr[order], t.ytr[order])
    times = elapsed(t0)
    return times, clf.score(t.Xte, t.yte)


def run_sklearn_own_shuffle(t: Task):
    clf = sklearn_model(t, shuffle=True, max_iter=t.epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = clock()
        clf.fit(t.Xtr, t.ytr)
        times = elapsed(t0)
    return times, clf.score(t.Xte, t.yte)


def run_gemm_only(t: Task):
    """Only the matrix products of every step, on the same shapes, numpy, preallocated.

    ``np.dot``, as mlpkit's step calls it: for a batch of one row, ``np.matmul`` of the
    outer product ``delta.T @ A`` does not go to BLAS and is several times slower."""
    dt, n, B, L = np.dtype(t.dtype), t.sizes, min(t.batch, t.n), len(t.sizes) - 1
    rng = np.random.default_rng(1)
    W = [None] + [rng.standard_normal((n[l], n[l - 1])).astype(dt) * 0.05 for l in range(1, L + 1)]
    dW = [None] + [np.empty_like(w) for w in W[1:]]
    A = [rng.standard_normal((B, n[l])).astype(dt) for l in range(L)]
    Z = [None] + [np.empty((B, n[l]), dt) for l in range(1, L + 1)]
    D = [None] + [rng.standard_normal((B, n[l])).astype(dt) * 0.01 for l in range(1, L + 1)]
    sizes = [min(B, t.n - s) for s in range(0, t.n, t.batch)]
    views = {m: ([a[:m] for a in A], [None] + [z[:m] for z in Z[1:]], [None] + [d[:m] for d in D[1:]])
             for m in set(sizes)}
    t0 = clock()
    for _ in range(t.epochs):
        for m in sizes:
            Av, Zv, Dv = views[m]
            for l in range(1, L + 1):                 # the same calls as MinibatchSGD.step
                np.dot(Av[l - 1], W[l].T, out=Zv[l])
            for l in range(L, 0, -1):
                np.dot(Dv[l].T, Av[l - 1], out=dW[l])
                if l > 1:
                    np.dot(Dv[l], W[l], out=Dv[l - 1])
    return elapsed(t0), float("nan")


IMPLS = {
    "mlpkit": run_mlpkit,
    "PyTorch": run_torch,
    "sklearn": run_sklearn_same_order,
    "sklearn (own shuffle)": run_sklearn_own_shuffle,
    "GEMMs alone": run_gemm_only,
}


def available(names):
    out = []
    for name in names:
        if name == "PyTorch" and torch is None:
            continue
        if name.startswith("sklearn") and sklearn is None:
            continue
        out.append(name)
    return out


def measure(tasks, impls, repeats, log):
    """Alternate implementations (and tasks) within each repeat; keep each one's best time."""
    first = tasks[0]
    if first.n * first.epochs <= 50_000:            # one untimed warm-up run of each implementation
        for impl in impls:
            IMPLS[impl](first)
    for r in range(repeats):
        for task in tasks:
            order = impls[r % len(impls):] + impls[:r % len(impls)]
            for impl in order:
                (wall, cpu), acc = IMPLS[impl](task)
                best = task.results.get(impl)
                if best is None:
                    task.results[impl] = [wall, cpu, acc]
                else:                                      # best wall and best CPU time, each
                    best[0], best[1] = min(best[0], wall), min(best[1], cpu)
        log(f"  repeat {r + 1}/{repeats} done ({time.perf_counter() - START:.0f} s)")


# ------------------------------------------------------------------ reporting
def fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


HEAD = ["implementation", "best s", "samples/s", "test acc", "mlpkit faster by", "CPU s", "by CPU time"]


def table_rows(task: Task):
    """One row per implementation; speed-ups are (its time) / (mlpkit's time), wall and CPU.

    For "GEMMs alone" the speed-up column gives mlpkit's fraction of that speed instead.
    """
    mk_wall, mk_cpu = task.results["mlpkit"][:2]
    rows = []
    for impl, (wall, cpu, acc) in task.results.items():
        if impl == "mlpkit":
            rel = rel_cpu = ""
        elif impl == "GEMMs alone":
            rel, rel_cpu = f"at {100 * wall / mk_wall:.0f}% of this", f"{100 * cpu / mk_cpu:.0f}%"
        else:
            rel, rel_cpu = f"{wall / mk_wall:.2f}x", f"{cpu / mk_cpu:.2f}x"
        accs = "" if np.isnan(acc) else f"{100 * acc:.1f}%"
        rows.append((impl, f"{wall:.3f}", fmt_rate(task.epochs * task.n / wall), accs, rel,
                     f"{cpu:.3f}", rel_cpu))
    return rows


def ratio(task: Task, impl_names, col=0):
    """(fastest of ``impl_names``'s best time) / (mlpkit's best time): wall (col 0) or CPU (1)."""
    secs = [task.results[i][col] for i in impl_names if i in task.results]
    return (min(secs) / task.results["mlpkit"][col]) if secs else None


def ceiling(task: Task) -> str:
    """PyTorch's time / the GEMMs' alone: the largest speed-up over PyTorch any numpy
    implementation of the step could show here (its matrix products cannot be skipped)."""
    if "PyTorch" not in task.results:
        return "-"
    return f"{task.results['PyTorch'][0] / task.results['GEMMs alone'][0]:.2f}x"


def acc_gap(task: Task, impl_names):
    mk = task.results["mlpkit"][2]
    accs = [task.results[i][2] for i in impl_names if i in task.results]
    return max(abs(a - mk) for a in accs) * 100 if accs else None


def header_lines(args):
    info = threadpool_info()
    def owner(path):                       # .../site-packages/numpy.libs/libscipy_openblas64_...
        parent = os.path.basename(os.path.dirname(path or ""))
        return parent.split(".")[0] if parent.endswith(".libs") else parent
    blas = [f"{d.get('internal_api')} {d.get('version')} ({owner(d.get('filepath'))}'s) "
            f"kernel={d.get('architecture')} threads={d.get('num_threads')}"
            for d in sorted(info, key=lambda d: "numpy" not in (d.get("filepath") or ""))
            if d.get("user_api") == "blas"]
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    env = ", ".join(f"{k}={os.environ[k]}" for k in BLAS_ENV if k in os.environ) or "not set"
    lines = [
        f"date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}; mode: "
        f"{'--quick' if args.quick else 'full'}; repeats: {args.repeats} (best kept)",
        f"machine: {cpu}, {os.cpu_count()} cores; load average at start "
        f"{os.getloadavg()[0]:.1f} (cores shared: expect noise)",
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"torch {torch.__version__ if torch else 'not installed'}, "
        f"scikit-learn {sklearn.__version__ if sklearn else 'not installed'}",
        f"BLAS (threadpoolctl): {'; '.join(blas) or 'unknown'}",
        f"torch: {torch.get_num_threads()} threads, BLAS "
        f"{'MKL' if torch.backends.mkl.is_available() else 'other'}" if torch else
        "torch: PyTorch is not installed: its rows are skipped",
        f"{', '.join(BLAS_ENV)}: {env}",
    ]
    if os.environ.get(UNSET_NOTE):
        lines.append(f"NOTE: this run unset {os.environ[UNSET_NOTE]} in its own process "
                     "(--unset-blas-env)")
    return lines


def print_table(title, head, rows, out):
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    out(title)
    out("  " + "  ".join(str(h).ljust(w) for h, w in zip(head, widths)))
    for row in rows:
        out("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    out("")


def md_table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


# ------------------------------------------------------------------ scaling
def scaling_tasks(args, Xb, yb):
    """Throughput against batch size and hidden width, float32, 784-w-w/2-10 ReLU, one epoch."""
    batches = [1, 8, 128, 1024] if args.quick else [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
    widths = [64, 256, 1024] if args.quick else [64, 128, 256, 512, 1024]
    budget = 1.5e9 if args.quick else 1.5e10          # flops of one measurement
    runs = [("batch", bs, B_SIZES, bs) for bs in batches]
    runs += [("width", w, [784, w, w // 2, 10], 128) for w in widths]
    tasks = []
    for kind, value, sizes, bs in runs:
        flops = 6 * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))     # forward + backward
        n = int(np.clip(budget / flops, 512, Xb.shape[0]))
        if bs < 16:                                   # per-step overhead dominates: fewer steps
            n = min(n, (300 if args.quick else 600) * bs)
        t = Task(f"{kind}={value}", sizes, "relu", np.float32, bs, 1, B_LR,
                 Xb[:n], yb[:n], Xb[:256], yb[:256])
        t.kind, t.value = kind, value
        tasks.append(t)
    return tasks


# ------------------------------------------------------------------ main
START = time.perf_counter()


def parse_threads(spec: str, auto: int):
    out = []
    for item in spec.split(","):
        item = item.strip()
        if item == "auto":
            out.append((auto, f"{auto} (numpy's BLAS default; PyTorch set to the same)"))
        else:
            n = int(item)
            out.append((n, f"{n} (numpy's BLAS limited with threadpoolctl in this process; "
                           f"torch.set_num_threads({n}))"))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="smaller runs, under a minute")
    p.add_argument("--repeats", type=int, default=None, help="repeats per measurement (best kept)")
    p.add_argument("--tasks", default="A,B,scaling", help="comma-separated subset of A,B,scaling")
    p.add_argument("--threads", default=None,
                   help="thread settings to measure, e.g. 'auto,1' (default: 'auto,1'; '1' with "
                        "--quick, steadier on a shared machine); 'auto' = numpy's BLAS default")
    p.add_argument("--markdown", default=None, help="also write the tables to this Markdown file")
    p.add_argument("--unset-blas-env", action="store_true",
                   help=f"re-run in a child process without {' and '.join(BLAS_ENV)} (labelled)")
    args = p.parse_args(argv)
    if args.unset_blas_env and any(k in os.environ for k in BLAS_ENV):
        import subprocess
        env = {k: v for k, v in os.environ.items() if k not in BLAS_ENV}
        env[UNSET_NOTE] = ", ".join(f"{k}={os.environ[k]}" for k in BLAS_ENV if k in os.environ)
        argv2 = [a for a in (sys.argv[1:] if argv is None else argv) if a != "--unset-blas-env"]
        return subprocess.call([sys.executable, os.path.abspath(__file__), *argv2], env=env)
    args.repeats = args.repeats or (2 if args.quick else 5)
    wanted = set(args.tasks.split(","))
    auto = max((d.get("num_threads", 1) for d in threadpool_info() if d.get("user_api") == "blas"),
               default=1)
    settings = parse_threads(args.threads or ("1" if args.quick else "auto,1"), auto)

    md: list[str] = []

    def out(s=""):
        print(s, flush=True)

    def log(s):
        print(s, file=sys.stderr, flush=True)

    out("mlpkit training-speed benchmark (benchmarks/train_speed.py)")
    for line in header_lines(args):
        out("  " + line)
    out()
    md += ["# Training speed: mlpkit vs PyTorch vs scikit-learn", "",
           "Written by `make bench` (`benchmarks/train_speed.py`); the script's docstring says what "
           "each row times. Same network, same initial weights, same batches in the same order, "
           "plain SGD; best of several repeats, implementations alternating.", "",
           "```"] + header_lines(args) + ["```", "", "<!-- summary -->", ""]
    if torch is None:
        out("PyTorch is not installed: the PyTorch rows are skipped (make torch installs it).")
        md += ["PyTorch is not installed: the PyTorch rows are skipped.", ""]
    if sklearn is None:
        out("scikit-learn is not installed: the scikit-learn rows are skipped.")

    head = HEAD
    impls = available(["mlpkit", "PyTorch", "sklearn", "sklearn (own shuffle)", "GEMMs alone"])
    Xb = yb = Xbt = ybt = None
    if "B" in wanted or "scaling" in wanted:
        n_train = 8_000 if args.quick else B_TRAIN
        Xb, yb, Xbt, ybt = clusters_data(n_train, n_test=2_000 if args.quick else 10_000)
    goals = []

    summary = []          # one line per (threads, task, configuration)

    def section(title, tasks, n_threads):
        out(title)
        md.extend([f"### {title}", ""])
        for t in tasks:
            rows = table_rows(t)
            print_table(f"[{t.label()}]", head, rows, out)
            md.extend([f"**{t.label()}**", ""] + md_table(head, rows) + [""])
            r_t = ratio(t, ["PyTorch"])
            r_s = ratio(t, ["sklearn", "sklearn (own shuffle)"])
            accs = "/".join(f"{100 * t.results[i][2]:.1f}" for i in ("mlpkit", "PyTorch", "sklearn")
                            if i in t.results)
            summary.append([str(n_threads), t.name, t.label(),
                            fmt_rate(t.epochs * t.n / t.results["mlpkit"][0]),
                            "-" if r_t is None else f"{r_t:.2f}x",
                            "-" if r_s is None else f"{r_s:.2f}x",
                            f"{100 * ratio(t, ['GEMMs alone']):.0f}%", ceiling(t), accs])

    for n_threads, label in settings:
        out(f"=== threads: {label}")
        md.extend([f"## Threads: {label}", ""])
        with threadpool_limits(limits=n_threads):
            if torch is not None:
                torch.set_num_threads(n_threads)
            tag = f"[{n_threads} thread{'s' if n_threads > 1 else ''}]"
            if "A" in wanted:
                epochs = 3 if args.quick else 30
                tasks = []
                for dt in (np.float32, np.float64):
                    Xtr, ytr, Xte, yte = digits_data(dt)
                    for hidden in ("sigmoid", "relu"):
                        tasks.append(Task("A", A_SIZES, hidden, dt, A_BATCH, epochs, A_LR,
                                          Xtr, ytr, Xte, yte))
                log(f"task A, threads {n_threads}: {len(tasks)} configurations x {len(impls)} "
                    f"implementations x {args.repeats} repeats")
                measure(tasks, impls, args.repeats, log)
                section(f"Task A: digits ({tasks[0].n} train / {tasks[0].Xte.shape[0]} test), "
                        f"64-128-64-10, batch 32, {epochs} epochs, lr 0.1", tasks, n_threads)
                torch_rows, skl_rows = ["PyTorch"], ["sklearn", "sklearn (own shuffle)"]
                r_t = [ratio(t, torch_rows) for t in tasks]
                r_s = [ratio(t, skl_rows) for t in tasks]
                gap = [acc_gap(t, ["PyTorch", "sklearn"]) for t in tasks]

                def detail(rows):
                    return ", ".join(f"{t.label()} {ratio(t, rows):.2f}x (CPU {ratio(t, rows, 1):.2f}x)"
                                     for t in tasks)
                if all(r is not None for r in r_t):
                    goals.append((f"{tag} A: >= 3x faster than PyTorch", min(r_t) >= 3,
                                  detail(torch_rows)))
                if all(r is not None for r in r_s):
                    goals.append((f"{tag} A: >= 2.5x faster than scikit-learn (its faster row)",
                                  min(r_s) >= 2.5, detail(skl_rows)))
                if all(g is not None for g in gap):
                    goals.append((f"{tag} A: same test accuracy as PyTorch and scikit-learn (same "
                                  "batch order) within 0.5 points", max(gap) <= 0.5,
                                  f"largest gap {max(gap):.2f} points"))
            if "B" in wanted:
                epochs = 1 if args.quick else 2
                tasks = [Task("B", B_SIZES, "relu", dt, B_BATCH, epochs, B_LR,
                              Xb.astype(dt), yb, Xbt.astype(dt), ybt) for dt in (np.float32, np.float64)]
                reps = args.repeats if args.quick else max(2, args.repeats - 2)
                log(f"task B, threads {n_threads}: {len(tasks)} configurations x {len(impls)} "
                    f"implementations x {reps} repeats")
                measure(tasks, impls, reps, log)
                section(f"Task B: {Xb.shape[0]:,} x 784 synthetic (10 Gaussian clusters), "
                        f"784-256-128-10 ReLU, batch 128, {epochs} epoch{'s' if epochs > 1 else ''}, "
                        "lr 0.05", tasks, n_threads)
                t32 = tasks[0]
                r = ratio(t32, ["PyTorch"])
                if r is not None:
                    goals.append((f"{tag} B float32: >= 1.5x faster than PyTorch", r >= 1.5,
                                  f"{r:.2f}x (CPU {ratio(t32, ['PyTorch'], 1):.2f}x); the "
                                  f"step's GEMMs alone are {ceiling(t32)} PyTorch"))
                g = ratio(t32, ["GEMMs alone"])
                g_cpu = ratio(t32, ["GEMMs alone"], 1)
                goals.append((f"{tag} B float32: >= 70% of the speed of the step's GEMMs alone",
                              g >= 0.7, f"{100 * g:.0f}% (CPU {100 * g_cpu:.0f}%)"))
            if "scaling" in wanted and n_threads == settings[0][0]:
                simpls = available(["mlpkit", "PyTorch", "GEMMs alone"])
                stasks = scaling_tasks(args, Xb, yb)
                log(f"scaling, threads {n_threads}: {len(stasks)} points x {len(simpls)} "
                    "implementations")
                measure(stasks, simpls, 3 if args.quick else 4, log)
                others = simpls[1:]
                shead = ["", "mlpkit samples/s"] + [f"{i} samples/s" for i in others] + \
                        [f"mlpkit / {i}" for i in others]
                for kind, title in (("batch", "Scaling with batch size: 784-256-128-10 ReLU, float32"),
                                    ("width", "Scaling with hidden width w: 784-w-w/2-10 ReLU, "
                                              "batch 128, float32")):
                    rows = []
                    for t in (t for t in stasks if t.kind == kind):
                        rates = {i: t.n / t.results[i][0] for i in simpls}   # wall clock
                        rows.append([f"{kind} {t.value}", fmt_rate(rates["mlpkit"])]
                                    + [fmt_rate(rates[i]) for i in others]
                                    + [f"{rates['mlpkit'] / rates[i]:.2f}" for i in others])
                    print_table(title + f" ({n_threads} threads)", shead, rows, out)
                    md.extend([f"### {title}", ""] + md_table(shead, rows) + [""])

    if summary:
        shead = ["threads", "task", "config", "mlpkit samples/s", "vs PyTorch", "vs sklearn",
                 "of GEMM-only", "GEMM-only vs PyTorch", "test acc % mlpkit/PyTorch/sklearn"]
        print_table("Summary (mlpkit's speed-up = other's best time / mlpkit's; wall clock)",
                    shead, summary, out)
        md[md.index("<!-- summary -->")] = "\n".join(
            ["## Summary", "", "mlpkit's speed-up: (the other's best wall time) / (mlpkit's); "
             "\"vs sklearn\" uses the faster of its two rows; \"of GEMM-only\": mlpkit's "
             "speed as a fraction of the step's matrix products alone; \"GEMM-only vs "
             "PyTorch\": PyTorch's time over the matrix products' alone, the ceiling of any "
             "numpy implementation's speed-up over PyTorch on this machine.", ""]
            + md_table(shead, summary) + [""])
    if goals:
        out("Goals (ratios from this run, best of repeats):")
        md.extend(["## Goals", ""])
        for name, ok, detail in goals:
            out(f"  [{'met' if ok else 'NOT met'}] {name}: {detail}")
            md.append(f"* {'met' if ok else '**not met**'}: {name}: {detail}")
    wall = time.perf_counter() - START
    out(f"\nwall time {wall:.0f} s; load average at end {os.getloadavg()[0]:.1f}")
    md.extend(["", f"Wall time of this run: {wall:.0f} s; load average at the end: "
                   f"{os.getloadavg()[0]:.1f}."])
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write("\n".join(md) + "\n")
        log(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
