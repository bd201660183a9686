"""Mutation tests of the hidden checks: a seeded bug in one graded function of a solution
loses exactly the points of the checks it should fail, no more, no less (in-process: the
same inputs, serialisation round trip and judges as in a kernel, without the kernel)."""
from __future__ import annotations

import pytest

from grader_cases.nbtools import load_namespace, read, solution_path
from mlpkit.grader.assignments import ASSIGNMENTS, get
from mlpkit.grader.judge import grade_in_process

# (assignment, old source, new source, the checks that must fail)
MUTATIONS = [
    ("00", "((n_out, n_in), (n_out,), (m, n_out))", "((n_in, n_out), (n_out,), (m, n_out))",
     {"shapes_W"}),
    ("00", "((n_out, n_in), (n_out,), (m, n_out))", "((n_out, n_in), (n_out, 1), (m, n_out))",
     {"shapes_b"}),
    ("00", "((n_out, n_in), (n_out,), (m, n_out))", "((n_out, n_in), (n_out,), (n_out, m))",
     {"shapes_Z"}),
    ("00", "for n_in, n_out in zip(sizes[:-1], sizes[1:]):", "for n_in, n_out in zip(sizes, sizes):",
     {"shapes_W", "shapes_b", "shapes_Z"}),
    ("00", "return A_prev @ W.T + b", "return A_prev @ W.T", {"dense_batch"}),
    # silent in the square hidden case only (the others raise a ValueError): still no points
    ("00", "return A_prev @ W.T + b", "return A_prev @ W.T + b.reshape(-1, 1)", {"dense_batch"}),
    ("00", "return A_prev @ W.T + b", "return W @ A_prev.T + b[:, None]", {"dense_batch"}),
    ("00", "X = X_ng.T ", "X = X_ng ", {"ng_X"}),
    ("00", "W = W_ng ", "W = W_ng.T ", {"ng_W"}),
    ("00", "b = b_ng[:, 0]", "b = b_ng", {"ng_b"}),
    ("01", "return np.where(X @ w + b > 0, 1, -1)", "return np.where(X @ w + b >= 0, 1, -1)",
     {"predict"}),
    ("01", "if y * (w @ x + b) <= 0:", "if y * (w @ x + b) < 0:", {"update_boundary"}),
    ("01", "return w + y * x, b + y", "return w - y * x, b - y",
     {"update_mistake", "update_boundary"}),
    ("01", "return np.array([-1.0, -1.0]), 1.5", "return np.array([1.0, 1.0]), -1.5", {"nand"}),
    # the solution's logistic_grad and gd_step call sigmoid: they must fail with it
    ("02", "return np.where(z >= 0, 1.0, e) / (1.0 + e)", "return np.where(z >= 0, e, 1.0) / (1.0 + e)",
     {"sigmoid", "grad_dw", "grad_db", "gd_step"}),
    ("02", "return float(np.mean(np.logaddexp(0, z) - y * z))",
     "return float(np.sum(np.logaddexp(0, z) - y * z))", {"loss"}),
    ("02", "return X.T @ d, float(np.sum(d))", "return X.T @ d, float(np.mean(d))", {"grad_db"}),
    ("02", "return X.T @ d, float(np.sum(d))", "return -(X.T @ d), float(np.sum(d))", {"grad_dw"}),
    ("02", "b - lr * float(np.sum(d))", "b + lr * float(np.sum(d))", {"gd_step"}),
    ("03", "c = np.array([0.0, 0.0])", "c = np.array([0.0, -0.5])", {"relu_weights"}),
    # XOR exactly, but with the lecture's network (a hidden bias): not what the task asks
    ("03", """    W = np.array([[1.0, -1.0], [-1.0, 1.0]])
    c = np.array([0.0, 0.0])
    w = np.array([1.0, 1.0])""", """    W = np.array([[1.0, 1.0], [1.0, 1.0]])
    c = np.array([0.0, -1.0])
    w = np.array([1.0, -2.0])""", {"relu_weights"}),
    ("03", "return sigmoid(A1 @ W2.T + b2)[:, 0]", "return (A1 @ W2.T + b2)[:, 0]", {"forward_221"}),
    ("03", "W2 = W2 - lr * dW2", "W2 = W2 + lr * dW2", {"train_xor"}),
    ("04", "A2 = sigmoid(A1 @ W2.T + b2)", "A2 = sigmoid(A1 @ W2.T)", {"forward_A2"}),
    # root cause: A2 is right given the student's own A1, so only A1's point is lost
    ("04", "A1 = sigmoid(X @ W1.T + b1)\n    A2", "A1 = sigmoid(X @ W1.T)\n    A2",
     {"forward_A1"}),
    ("04", "(1 - Y) * np.log(1 - A2)) / m)", "(1 - Y) * np.log(1 - A2)) / (2 * m))", {"loss"}),
    ("04", "D1 = (D2 @ W2) * A1 * (1 - A1)", "D1 = (D2 @ W2) * A1", {"dW1", "db1"}),
    ("04", "db2 = D2.sum(axis=0)", "db2 = D2.mean(axis=0)", {"db2"}),
    ("04", "dW2 = D2.T @ A1", "dW2 = D2.T @ A1 / m", {"dW2"}),
    ("04", "dW1 = D1.T @ X", "dW1 = X.T @ D1", {"dW1"}),
    ("05", "P = softmax(H2 @ U.T + bU)", "P = softmax(H2 @ U.T)", {"forward_P"}),
    ("05", "H1 = sigmoid(X @ V.T + bV)", "H1 = X @ V.T + bV", {"forward_hidden"}),
    ("05", "D1 = (D2 @ W) * H1 * (1 - H1)", "D1 = (D2 @ W) * H1", {"grad_V"}),
    # root cause: dV and dbV follow correctly from the (wrong) D2, so only grad_W is lost
    ("05", "D2 = (D3 @ U) * H2 * (1 - H2)", "D2 = (D3 @ U)", {"grad_W"}),
    # a sign slip in D3 costs dU and dbU only (the layers below are right given it)
    ("05", "D3 /= m", "D3 /= -m", {"grad_U"}),
    ("04", "D2 = (A2 - Y) / m", "D2 = (Y - A2) / m", {"dW2", "db2"}),
    ("05", "dU, dbU = D3.T @ H2, D3.sum(axis=0)", "dU, dbU = -D3.T @ H2, D3.sum(axis=0)", {"grad_U"}),
    # the solution's cross_entropy_grad calls softmax, its cross_entropy calls log_softmax
    ("06", "E = np.exp(Z - Z.max(axis=1, keepdims=True))", "E = np.exp(Z)",
     {"softmax", "cross_entropy_grad"}),
    ("06", "return Z - (mx + np.log(np.exp(Z - mx).sum(axis=1, keepdims=True)))", "return Z - mx",
     {"log_softmax", "cross_entropy"}),
    ("06", "return float(-np.mean(log_softmax(Z)[np.arange(m), y]))",
     "return float(-np.sum(log_softmax(Z)[np.arange(m), y]))", {"cross_entropy"}),
    ("06", "return G / m", "return G", {"cross_entropy_grad"}),
    ("07", "order = np.random.default_rng(seed).permutation(m)", "order = np.arange(m)",
     {"minibatch_shuffled"}),
    # a fixed order that is not 0, 1, 2, ... but ignores the seed (issue 13)
    ("07", "order = np.random.default_rng(seed).permutation(m)", "order = np.arange(m)[::-1]",
     {"minibatch_shuffled"}),
    ("07", "order = np.random.default_rng(seed).permutation(m)",
     "order = np.random.default_rng(0).permutation(m)", {"minibatch_shuffled"}),
    ("07", "for i in range(0, m, batch_size)]", "for i in range(0, m - batch_size + 1, batch_size)]",
     {"minibatch_cover", "minibatch_sizes"}),
    ("07", "layer.W -= lr * dW", "layer.W += lr * dW", {"accuracy"}),
]

CONTEXT = {nn: a.context() for nn, a in ASSIGNMENTS.items()}


def _grade(nn, replace=None, seed=11):
    ns = load_namespace(nn, replace)
    a = get(nn)
    return grade_in_process(a, {f: ns.get(f) for f in a.functions}, seed, CONTEXT[nn])


@pytest.mark.parametrize("nn", sorted(ASSIGNMENTS))
@pytest.mark.parametrize("seed", [0, 11])
def test_solution_gets_full_points(nn, seed):
    res = _grade(nn, seed=seed)
    assert {k: v["message"] for k, v in res.items() if v["points"] < v["max"]} == {}


def test_every_graded_function_has_a_mutation():
    mutated = set()
    for nn, old, _, _ in MUTATIONS:
        for cell in read(solution_path(nn)).cells:
            if old in cell.source:
                mutated |= {(nn, f) for f in get(nn).functions if f"def {f}(" in cell.source}
    wanted = {(nn, f) for nn, a in ASSIGNMENTS.items() for f in a.functions}
    assert wanted <= mutated, sorted(wanted - mutated)


@pytest.mark.parametrize("nn,old,new,fails", MUTATIONS,
                         ids=[f"{m[0]}-{i}" for i, m in enumerate(MUTATIONS)])
def test_mutation_loses_exactly_its_points(nn, old, new, fails):
    assert any(old in c.source for c in read(solution_path(nn)).cells), old
    res = _grade(nn, {old: new})
    failed = {k for k, v in res.items() if v["points"] < v["max"]}
    assert failed == fails, {k: v["message"] for k, v in res.items()}
    a = get(nn)
    lost = sum(v["max"] - v["points"] for v in res.values())
    assert lost == pytest.approx(sum(c.points for c in a.checks if c.id in fails))
