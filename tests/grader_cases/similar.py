"""Submissions for the similarity measure (grader/similarity.py): copies of a solution disguised
(renamed, reformatted, comments changed, functions reordered) and independent implementations,
written by hand as different students would (loops or vectorised, helpers, other intermediate
variables). Used by tests/test_grader_similarity.py and benchmarks/similarity_time.py.

Each implementation maps a graded function to the source of its cell (the whole ``def``).
"""
from __future__ import annotations

import builtins
import copy
import io
import keyword
import random
import re
import tokenize

from .nbtools import exercise_path, read, solution_path

INDEPENDENT = {"04": {}, "07": {}}

INDEPENDENT["04"]["np_dot"] = {
    "forward": '''def forward(X, W1, b1, W2, b2):
    """Hidden activations A1 (m, n1) and outputs A2 (m, n2)."""
    Z1 = np.dot(X, W1.T) + b1
    hidden = sigmoid(Z1)
    Z2 = np.dot(hidden, W2.T) + b2
    out = sigmoid(Z2)
    return hidden, out''',
    "bce_loss": '''def bce_loss(A2, Y):
    """Binary cross-entropy, summed over outputs and averaged over the m rows."""
    pos = Y * np.log(A2)
    neg = (1.0 - Y) * np.log(1.0 - A2)
    per_row = -(pos + neg).sum(axis=1)
    return float(per_row.mean())''',
    "backward": '''def backward(X, Y, A1, A2, W2):
    """(dW1, db1, dW2, db2) of the mean loss."""
    n = len(X)
    delta2 = (A2 - Y) / n
    grad_W2 = np.dot(delta2.T, A1)
    grad_b2 = np.sum(delta2, axis=0)
    sig_prime = A1 * (1.0 - A1)
    delta1 = np.dot(delta2, W2) * sig_prime
    grad_W1 = np.dot(delta1.T, X)
    grad_b1 = np.sum(delta1, axis=0)
    return grad_W1, grad_b1, grad_W2, grad_b2''',
}
INDEPENDENT["04"]["loops"] = {
    "forward": '''def forward(X, W1, b1, W2, b2):
    """Hidden activations A1 (m, n1) and outputs A2 (m, n2)."""
    A1 = np.empty((X.shape[0], W1.shape[0]))
    A2 = np.empty((X.shape[0], W2.shape[0]))
    for i, x in enumerate(X):
        A1[i] = sigmoid(W1 @ x + b1)
        A2[i] = sigmoid(W2 @ A1[i] + b2)
    return A1, A2''',
    "bce_loss": '''def bce_loss(A2, Y):
    """Binary cross-entropy, summed over outputs and averaged over the m rows."""
    total = 0.0
    for a, y in zip(A2.ravel(), Y.ravel()):
        total -= y * np.log(a) + (1 - y) * np.log(1 - a)
    return float(total / A2.shape[0])''',
    "backward": '''def backward(X, Y, A1, A2, W2):
    """(dW1, db1, dW2, db2) of the mean loss."""
    m = X.shape[0]
    dW1, db1 = np.zeros((A1.shape[1], X.shape[1])), np.zeros(A1.shape[1])
    dW2, db2 = np.zeros((A2.shape[1], A1.shape[1])), np.zeros(A2.shape[1])
    for i in range(m):
        delta_out = A2[i] - Y[i]
        delta_hid = (W2.T @ delta_out) * A1[i] * (1 - A1[i])
        dW2 += np.outer(delta_out, A1[i])
        db2 += delta_out
        dW1 += np.outer(delta_hid, X[i])
        db1 += delta_hid
    return dW1 / m, db1 / m, dW2 / m, db2 / m''',
}
INDEPENDENT["04"]["helpers"] = {
    "forward": '''def _layer(A, W, b):
    return sigmoid(np.matmul(A, W.T) + b)


def forward(X, W1, b1, W2, b2):
    """Hidden activations A1 (m, n1) and outputs A2 (m, n2)."""
    A1 = _layer(X, W1, b1)
    return A1, _layer(A1, W2, b2)''',
    "bce_loss": '''def bce_loss(A2, Y):
    """Binary cross-entropy, summed over outputs and averaged over the m rows."""
    m = Y.shape[0]
    log_likelihood = np.where(Y == 1, np.log(A2), np.log(1 - A2))
    return -float(log_likelihood.sum()) / m''',
    "backward": '''def _grads(delta, A_prev):
    return np.einsum("mi,mj->ij", delta, A_prev), delta.sum(0)


def backward(X, Y, A1, A2, W2):
    """(dW1, db1, dW2, db2) of the mean loss."""
    batch = Y.shape[0]
    err_out = (A2 - Y) / batch
    dW2, db2 = _grads(err_out, A1)
    err_hidden = (err_out @ W2) * (A1 - A1 ** 2)
    dW1, db1 = _grads(err_hidden, X)
    return dW1, db1, dW2, db2''',
}
# the textbook way, as a student who follows the lecture's notation writes it: closest to the solution
INDEPENDENT["04"]["textbook"] = {
    "forward": '''def forward(X, W1, b1, W2, b2):
    """Hidden activations A1 (m, n1) and outputs A2 (m, n2)."""
    Z1 = X @ W1.T + b1
    A1 = sigmoid(Z1)
    Z2 = A1 @ W2.T + b2
    A2 = sigmoid(Z2)
    return A1, A2''',
    "bce_loss": '''def bce_loss(A2, Y):
    """Binary cross-entropy, summed over outputs and averaged over the m rows."""
    m = Y.shape[0]
    loss = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m
    return float(loss)''',
    "backward": '''def backward(X, Y, A1, A2, W2):
    """(dW1, db1, dW2, db2) of the mean loss."""
    m = X.shape[0]
    dZ2 = (A2 - Y) / m
    dW2 = dZ2.T @ A1
    db2 = np.sum(dZ2, axis=0)
    dA1 = dZ2 @ W2
    dZ1 = dA1 * A1 * (1 - A1)
    dW1 = dZ1.T @ X
    db1 = np.sum(dZ1, axis=0)
    return dW1, db1, dW2, db2''',
}

_SIG07 = "def train_mlp(X, y, seed, hidden=64, epochs=20, batch_size=32, lr=0.1):"
_DOC07 = '    """Train a ReLU/softmax MLP by minibatch SGD; returns [(W1, b1), (W2, b2)]."""'
_DOCMB = '    """List of index arrays covering a random permutation of range(m)."""'
INDEPENDENT["07"]["while_loop"] = {
    "minibatches": f'''def minibatches(m, batch_size, seed):
{_DOCMB}
    rng = np.random.default_rng(seed)
    perm = rng.permutation(m)
    batches = []
    start = 0
    while start < m:
        batches.append(perm[start:start + batch_size])
        start += batch_size
    return batches''',
    "train_mlp": f'''{_SIG07}
{_DOC07}
    net = mlpkit.MLP([X.shape[1], hidden, 10], hidden="relu", output="softmax", seed=seed)
    for epoch in range(epochs):
        for batch in minibatches(len(X), batch_size, seed + epoch):
            grads = net.gradients(X[batch], y[batch])
            for k in range(len(net.layers)):
                net.layers[k].W = net.layers[k].W - lr * grads[k][0]
                net.layers[k].b = net.layers[k].b - lr * grads[k][1]
    return [(L.W, L.b) for L in net.layers]''',
}
INDEPENDENT["07"]["from_scratch"] = {
    "minibatches": f'''def minibatches(m, batch_size, seed):
{_DOCMB}
    idx = np.arange(m)
    np.random.default_rng(seed).shuffle(idx)
    n_batches = int(np.ceil(m / batch_size))
    return [idx[k * batch_size:(k + 1) * batch_size] for k in range(n_batches)]''',
    "train_mlp": f'''{_SIG07}
{_DOC07}
    rng = np.random.default_rng(seed)
    n_in = X.shape[1]
    W1, b1 = rng.normal(0, np.sqrt(2 / n_in), size=(hidden, n_in)), np.zeros(hidden)
    W2, b2 = rng.normal(0, np.sqrt(1 / hidden), size=(10, hidden)), np.zeros(10)
    Y = np.eye(10)[y]
    for ep in range(epochs):
        for batch in minibatches(X.shape[0], batch_size, seed * 1000 + ep):
            xb, yb = X[batch], Y[batch]
            h = np.maximum(0, xb @ W1.T + b1)
            logits = h @ W2.T + b2
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            g2 = (p - yb) / len(batch)
            gh = (g2 @ W2) * (h > 0)
            W2 -= lr * g2.T @ h
            b2 -= lr * g2.sum(axis=0)
            W1 -= lr * gh.T @ xb
            b1 -= lr * gh.sum(axis=0)
    return [(W1, b1), (W2, b2)]''',
}
INDEPENDENT["07"]["helpers"] = {
    "minibatches": f'''def minibatches(m, batch_size, seed):
{_DOCMB}
    shuffled = list(np.random.default_rng(seed).permutation(m))
    out = []
    while shuffled:
        out.append(np.array(shuffled[:batch_size]))
        shuffled = shuffled[batch_size:]
    return out''',
    "train_mlp": f'''def _sgd_step(layers, grads, lr):
    for layer, (gW, gb) in zip(layers, grads):
        layer.W = layer.W - lr * gW
        layer.b = layer.b - lr * gb


{_SIG07}
{_DOC07}
    sizes = [X.shape[1], hidden, 10]
    mlp = mlpkit.MLP(sizes, hidden="relu", output="softmax", seed=seed)
    epoch_seeds = np.random.default_rng(seed).integers(0, 2**31, size=epochs)
    for s in epoch_seeds:
        for b in minibatches(X.shape[0], batch_size, int(s)):
            _sgd_step(mlp.layers, mlp.gradients(X[b], y[b]), lr)
    return [(layer.W.copy(), layer.b.copy()) for layer in mlp.layers]''',
}
INDEPENDENT["07"]["textbook"] = {
    "minibatches": f'''def minibatches(m, batch_size, seed):
{_DOCMB}
    rng = np.random.default_rng(seed)
    perm = rng.permutation(m)
    return [perm[k:k + batch_size] for k in range(0, m, batch_size)]''',
    "train_mlp": f'''{_SIG07}
{_DOC07}
    net = mlpkit.MLP([X.shape[1], hidden, 10], hidden="relu", output="softmax", seed=seed)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        perm = rng.permutation(X.shape[0])
        for k in range(0, X.shape[0], batch_size):
            batch = perm[k:k + batch_size]
            grads = net.gradients(X[batch], y[batch])
            for layer, (dW, db) in zip(net.layers, grads):
                layer.W -= lr * dW
                layer.b -= lr * db
    return [(layer.W, layer.b) for layer in net.layers]''',
}


def _function_cell(nb, function: str) -> int:
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and re.search(rf"^def {function}\(", c.source, re.M):
            return i
    raise KeyError(function)


def with_implementation(nb, impl: dict):
    """A copy of notebook ``nb`` (exercise or solution) with each graded function's cell
    replaced by ``impl``'s source."""
    nb = copy.deepcopy(nb)
    for function, src in impl.items():
        nb.cells[_function_cell(nb, function)].source = src
    return nb


def solution(nn: str):
    return read(solution_path(nn))


def exercise(nn: str):
    return read(exercise_path(nn))


def independent(nn: str, name: str):
    """The exercise notebook completed with a hand-written independent implementation."""
    return with_implementation(exercise(nn), INDEPENDENT[nn][name])


# ------------------------------------------------------------------ disguises of a copy
_KEEP = set(keyword.kwlist) | {"np", "mlpkit", "sigmoid", "self", "True", "False", "None"}


def _defined_names(src: str) -> list:
    names = set()
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string):
            names.add(tok.string)
    attrs = set(re.findall(r"\.([A-Za-z_]\w*)", src))      # attributes and methods stay
    return sorted(n for n in names - attrs - _KEEP if n not in dir(builtins))


def renamed(src: str, rng: random.Random, graded=()) -> str:
    """Every local name (not the graded functions, attributes, builtins, np) renamed."""
    names = [n for n in _defined_names(src) if n not in graded]
    new = {n: f"{rng.choice(['v', 'tmp', 'my', 'x', 'val', 'q'])}_{n.lower()}_{rng.randrange(99)}"
           for n in names}
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        out.append((tok.type, new.get(tok.string, tok.string) if tok.type == tokenize.NAME
                    else tok.string))
    return tokenize.untokenize(out)


def reformatted(src: str) -> str:
    """Other spacing, blank lines and a line continuation: the same tokens."""
    out = []
    for line in src.splitlines():
        line = re.sub(r"\s*([=+*/@-])\s*", r" \1 ", line) if "=" in line and '"' not in line \
            else line
        line = line.replace("(", "( ").replace(")", " )") if '"' not in line else line
        out += [line, ""]
    return "\n".join(out)


def recommented(src: str) -> str:
    """Docstrings replaced and a comment on every other line."""
    lines = []
    for k, line in enumerate(src.splitlines()):
        if line.strip().startswith('"""'):
            line = line[: len(line) - len(line.lstrip())] + '"""my own words here"""'
        elif k % 2 and line.strip():
            line += f"  # step {k}: see the lecture"
        lines.append(line)
    return "\n".join(lines)


def disguised(nn: str, how: str, seed: int = 0, nb=None):
    """The solution of ``nn`` (or notebook ``nb``) disguised: ``renamed``, ``reformatted``,
    ``recommented``, ``reordered`` (graded function cells in reverse order) or ``all``."""
    nb = solution(nn) if nb is None else copy.deepcopy(nb)
    rng = random.Random(seed)
    graded = "|".join(next(iter(INDEPENDENT[nn].values())))
    cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
             and re.search(rf"^def ({graded})\(", c.source, re.M)]
    for i in cells:
        src = nb.cells[i].source
        if how in ("renamed", "all"):
            src = renamed(src, rng, graded=_graded(nb))
        if how in ("reformatted", "all"):
            src = reformatted(src)
        if how in ("recommented", "all"):
            src = recommented(src)
        nb.cells[i].source = src
    if how in ("reordered", "all"):
        sources = [nb.cells[i].source for i in cells]
        for i, src in zip(cells, reversed(sources)):
            nb.cells[i].source = src
    return nb


def _graded(nb) -> set:
    return {m for c in nb.cells if c.cell_type == "code"
            for m in re.findall(r"^def (\w+)\(", c.source, re.M)}


# ------------------------------------------------------------------ a synthetic class
def code_of(nb) -> str:
    """The code the grader compares (grader/similarity.py: the unchanged cells of the handout,
    here of every exercise notebook above, are left out)."""
    from mlpkit.grader.similarity import code_text

    global _DROP
    if _DROP is None:
        _DROP = frozenset(c.source.strip() for nn in INDEPENDENT for c in exercise(nn).cells
                          if c.cell_type == "code")
    return code_text([(i, c.cell_type, c.source) for i, c in enumerate(nb.cells)], _DROP)


_DROP = None


EXTRA = ["    print({v}.shape)", "    assert {v}.ndim == 2, {v}.shape", "    # check: {v}",
         "    {v}_copy = {v}.copy()", "    debug = float(np.abs({v}).max())",
         "    if {v}.size == 0:\n        raise ValueError('empty input')"]


def _solution_impl(nn: str) -> dict:
    nb = solution(nn)
    funcs = INDEPENDENT[nn][next(iter(INDEPENDENT[nn]))]
    return {f: nb.cells[_function_cell(nb, f)].source for f in funcs}


def _student(nn: str, rng: random.Random) -> str:
    impls = [_solution_impl(nn), *INDEPENDENT[nn].values()]
    chosen = {}
    for f in impls[0]:
        src = renamed(rng.choice(impls)[f], rng, graded=(f,))
        lines = src.splitlines()
        for _ in range(rng.randrange(3)):
            at = rng.randrange(2, len(lines))
            arg = rng.choice(["X", "A1", "A2", "W1", "y", "batch_size"])
            lines.insert(at, rng.choice(EXTRA).format(v=arg))
        chosen[f] = "\n".join(lines)
    nb = with_implementation(exercise(nn), chosen)
    if rng.random() < 0.5:
        return code_of(disguised(nn, rng.choice(["reformatted", "recommented"]), nb=nb))
    return code_of(nb)


def synthetic_class(nn: str, n: int, seed: int = 0) -> dict:
    """``n`` students' code: every graded function from one of the five implementations
    (solution + 4 independent), renamed, with 0-2 random lines of its own, half of them
    reformatted or recommented; one in ten a (renamed) copy of an earlier student's."""
    rng = random.Random(seed)
    codes = {}
    for i in range(n):
        if i and rng.random() < 0.1:
            src = codes[rng.choice(sorted(codes))]
            codes[f"s{i:04d}"] = renamed(src, rng) if rng.random() < 0.5 else src
        else:
            codes[f"s{i:04d}"] = _student(nn, rng)
    return codes
