"""Smoke tests of benchmarks/train_speed.py: it runs, and its report has what the issue asks for.

The timings themselves are not asserted (noisy machines); the structure of the report is.
The runs are subprocesses with numpy's default threads (``--threads auto``): the benchmark
may set thread counts, the tests' own process must not.
"""
import importlib.util
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "train_speed.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("train_speed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_speed"] = module            # its dataclass looks itself up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("train_speed", None)


ARGS = ["--quick", "--tasks", "A", "--repeats", "1", "--threads", "auto"]


HIDE_TORCH = """
class NoTorch:                                   # as if PyTorch were not installed
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "torch":
            raise ImportError("No module named 'torch' (hidden by the test)")
sys.meta_path.insert(0, NoTorch())
"""


def run(*extra, hide_torch=False):
    """The script in a fresh interpreter; with ``hide_torch``, ``import torch`` fails in it."""
    code = ("import runpy, sys\n"
            + (HIDE_TORCH if hide_torch else "")
            + f"sys.argv = {[str(SCRIPT), *ARGS, *extra]!r}\n"
            + f"runpy.run_path({str(SCRIPT)!r}, run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_quick_run_reports_ratios_goals_and_markdown(bench, tmp_path):
    md = tmp_path / "results.md"
    out = run("--markdown", str(md))
    assert "BLAS (threadpoolctl):" in out and "kernel=" in out
    configs = ["float32 sigmoid", "float32 relu", "float64 sigmoid", "float64 relu"]
    summary = out[out.index("Summary"):]
    for config in configs:
        row = next(line for line in summary.splitlines() if re.search(rf"\bA +{config}\b", line))
        ratios = re.findall(r"(\d+\.\d\d)x", row)
        has_torch = bench.torch is not None
        assert len(ratios) == (3 if has_torch else 1), row       # vs PyTorch, vs sklearn, ceiling
        assert all(float(r) > 0 for r in ratios)
        assert re.search(r"\d+%", row)                            # fraction of GEMM-only
    assert "A: >= 2.5x faster than scikit-learn" in out
    assert re.search(r"\[(met|NOT met)\] \[\d+ threads?\] A: same test accuracy", out)
    text = md.read_text()
    assert text.startswith("# Training speed") and "## Summary" in text and "## Goals" in text
    assert "<!-- summary -->" not in text


def test_the_same_network_and_weights_everywhere(bench):
    """Every implementation starts from mlpkit's initial weights (the comparison's premise)."""
    Xtr, ytr, Xte, yte = bench.digits_data(np.float64)
    t = bench.Task("A", [64, 16, 10], "relu", np.float64, 32, 1, 0.1, Xtr, ytr, Xte, yte)
    weights = t.init_weights()
    clf = bench.sklearn_model(t, shuffle=False, max_iter=1)
    for (W, b), coef, icpt in zip(weights, clf.coefs_, clf.intercepts_):
        np.testing.assert_array_equal(coef, W.T)
        np.testing.assert_array_equal(icpt, b)
    if bench.torch is not None:
        net = bench.torch_net(t)
        linears = [m for m in net if isinstance(m, bench.torch.nn.Linear)]
        for (W, b), lin in zip(weights, linears):
            np.testing.assert_array_equal(lin.weight.detach().numpy(), W)
            np.testing.assert_array_equal(lin.bias.detach().numpy(), b)


def test_runs_without_pytorch():
    out = run(hide_torch=True)
    assert "PyTorch is not installed" in out
    assert "faster than PyTorch" not in out
    assert "A: >= 2.5x faster than scikit-learn" in out


# ------------------------------------------------------------------ benchmarks/step_parts.py
PARTS_SCRIPT = SCRIPT.parent / "step_parts.py"


@pytest.fixture(scope="module")
def parts(bench):                                   # needs train_speed in sys.modules, as bench sets
    spec = importlib.util.spec_from_file_location("step_parts", PARTS_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("hidden,dtype,batch", [("sigmoid", np.float64, 32), ("relu", np.float32, 7),
                                                ("tanh", np.float64, 1)])
def test_the_timer_hook_times_every_part_and_changes_nothing(parts, hidden, dtype, batch):
    """The per-part timings are of the real step: with the timer the same weights come out,
    bit for bit, after two epochs (a last batch shorter than the others included), and
    every part of every step was timed."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 6)).astype(dtype)
    y = rng.integers(0, 4, size=50)
    results = {}
    for timer in (None, parts.PartTimer()):
        model = parts.mlpkit.MLP([6, 9, 5, 4], hidden=hidden, seed=1, dtype=dtype)
        sgd = model.minibatch_sgd(X, y, batch)
        sgd.timer = timer
        order_rng = np.random.default_rng(0)
        epochs = [sgd.epoch(order_rng.permutation(50), dtype(0.3)) for _ in range(2)]
        results[timer is None] = epochs, [p.copy() for p in model.params]
        if timer is not None:
            assert timer.steps == 2 * -(-50 // batch)
            assert all(v > 0 for v in timer.spent.values()), timer.spent
    for p, q in zip(results[True][1], results[False][1]):
        np.testing.assert_array_equal(p, q)
    assert results[True][0] == results[False][0]


def test_step_parts_prints_every_part_and_checks_its_arguments():
    cmd = [sys.executable, str(PARTS_SCRIPT), "--task", "A", "--repeats", "1", "--threads", "auto"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=True).stdout
    for part in ("row gather", "dense forward", "hidden activations, forward", "output delta",
                 "dense backward", "activation derivatives, backward", "update", "total"):
        assert re.search(rf"^\| {re.escape(part)}[^|]* \| \d+ us \|$", out, re.M), (part, out)
    bad = subprocess.run(cmd[:2] + ["--repeats", "0"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--repeats: expected a positive number, got 0" in bad.stderr
