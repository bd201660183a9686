"""A bank of known-wrong implementations of the graded functions.

Each entry: ``(id, check, wrong_function, expected message fragment)``. The test
asserts that ``check.run(wrong_function)`` fails and that its message contains
the fragment (the *specific* diagnosis, not just "wrong").
"""
from __future__ import annotations

import numpy as np

from mlpkit.activations import sigmoid as _sig
from mlpkit.checks import ex00, ex01, ex02, ex03, ex04, ex05, ex06, ex07

BANK = []


def wrong(check, fragment, id=None):
    def deco(fn):
        BANK.append((id or fn.__name__, check, fn, fragment))
        return fn
    return deco


# ------------------------------------------------------------------ 00
def _shapes(triple):
    """A layer_shapes built from ``triple(n_in, n_out, m) -> (W shape, b shape, Z shape)``."""
    def layer_shapes(sizes, m):
        return [triple(n_in, n_out, m) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    return layer_shapes


BANK.append(("shapes_W_transposed", ex00.check_layer_shapes,
             _shapes(lambda i, o, m: ((i, o), (o,), (m, o))),
             "the W shape of layer 1 is (3, 4), expected (4, 3): W is (n_out, n_in)"))
BANK.append(("shapes_b_column", ex00.check_layer_shapes,
             _shapes(lambda i, o, m: ((o, i), (o, 1), (m, o))), "in code b is 1-D"))
BANK.append(("shapes_b_without_comma", ex00.check_layer_shapes,
             _shapes(lambda i, o, m: ((o, i), (o), (m, o))),  # (o) is the int o
             "(4) is just the number 4"))
BANK.append(("shapes_Z_transposed", ex00.check_layer_shapes,
             _shapes(lambda i, o, m: ((o, i), (o,), (o, m))),
             "the Z shape of layer 1 is (4, 5), expected (5, 4): batches are rows"))
BANK.append(("shapes_Z_input_width", ex00.check_layer_shapes,
             _shapes(lambda i, o, m: ((o, i), (o,), (m, i))), "Z has one column per unit"))
BANK.append(("shapes_bias_in_W", ex00.check_layer_shapes,
             _shapes(lambda i, o, m: ((o, i + 1), (o,), (m, o))), "not an extra column of W"))
BANK.append(("shapes_float_division", ex00.check_layer_shapes,
             _shapes(lambda i, o, m: ((o / 1, i / 1), (o,), (m, o))),
             "the entries of a shape are ints"))


@wrong(ex00.check_layer_shapes, "the input a^(0) = x is not a layer")
def shapes_input_is_a_layer(sizes, m):
    n0 = sizes[0]
    return [((n0, n0), (n0,), (m, n0))] + [((o, i), (o,), (m, o)) for i, o in zip(sizes, sizes[1:])]


@wrong(ex00.check_layer_shapes, "return one (W shape, b shape, Z shape) triple per layer")
def shapes_three_lists(sizes, m):
    pairs = list(zip(sizes[:-1], sizes[1:]))
    return [(o, i) for i, o in pairs], [(o,) for _, o in pairs], [(m, o) for _, o in pairs]


@wrong(ex00.check_layer_shapes, "return the shape of the array")
def shapes_arrays(sizes, m):
    return [(np.zeros((o, i)), np.zeros(o), np.zeros((m, o))) for i, o in zip(sizes, sizes[1:])]


@wrong(ex00.check_layer_shapes, "hard-coded")
def shapes_hardcoded(sizes, m):
    return [((4, 3), (4,), (5, 4)), ((2, 4), (2,), (5, 2))]


@wrong(ex00.check_dense_batch, "so use A_prev @ W.T: (5, 3) @ (3, 4) -> (5, 4)")
def dense_W_not_transposed(A_prev, W, b):
    return A_prev @ W + b


@wrong(ex00.check_dense_batch, "not aligned: 3 (dim 1) != 4 (dim 0) (the shapes do not line up")
def dense_np_dot_W(A_prev, W, b):
    return np.dot(A_prev, W) + b


@wrong(ex00.check_dense_batch, "Z has shape (4, 5), expected (5, 4): batches are rows, use "
                               "A_prev @ W.T")
def dense_ng_layout(A_prev, W, b):
    return W @ A_prev.T + b[:, None]


@wrong(ex00.check_dense_batch, "Z misses the bias b")
def dense_no_bias(A_prev, W, b):
    return A_prev @ W.T


@wrong(ex00.check_dense_batch, "do not reshape b into a column (n_out, 1)")
def dense_b_column(A_prev, W, b):
    return A_prev @ W.T + b.reshape(-1, 1)


# the square case (m = n_in = n_out): the same two mistakes raise no error there; simulated by
# functions that only make them where numpy lets them through
@wrong(ex00.check_dense_batch, "b was added as a column (b[:, None] or b.reshape(-1, 1))")
def dense_b_column_when_it_fits(A_prev, W, b):
    fits = A_prev.shape[0] == W.shape[0]
    return A_prev @ W.T + (b[:, None] if fits else b)


@wrong(ex00.check_dense_batch, "used W instead of W.T: W is (n_out, n_in)")
def dense_W_when_it_fits(A_prev, W, b):
    return (A_prev @ W if W.shape[0] == W.shape[1] else A_prev @ W.T) + b


@wrong(ex00.check_dense_batch, "Z is the pre-activation")
def dense_with_sigmoid(A_prev, W, b):
    return _sig(A_prev @ W.T + b)


@wrong(ex00.check_dense_batch, "return Z alone")
def dense_returns_cache(A_prev, W, b):
    return A_prev @ W.T + b, (A_prev, W)


@wrong(ex00.check_dense_batch, "a matrix product (@, not *)")
def dense_elementwise(A_prev, W, b):
    return A_prev * W + b


@wrong(ex00.check_dense_batch, "changed its input A_prev in place")
def dense_in_place(A_prev, W, b):
    A_prev -= 0.0 * A_prev + 1.0  # "centres" the inputs in place
    return (A_prev + 1.0) @ W.T + b


@wrong(ex00.check_ng_to_course, "X is Ng's X unchanged, shape (3, 5) = (n_in, m)")
def ng_X_unchanged(X_ng, W_ng, b_ng):
    return X_ng, W_ng, b_ng[:, 0]


@wrong(ex00.check_ng_to_course, "W was transposed (shape (3, 4)): Ng's W^[l] is (n^[l], n^[l-1])")
def ng_W_transposed(X_ng, W_ng, b_ng):
    return X_ng.T, W_ng.T, b_ng[:, 0]


@wrong(ex00.check_ng_to_course, "b has shape (4, 1), expected (4,): the course's b is 1-D")
def ng_b_column(X_ng, W_ng, b_ng):
    return X_ng.T, W_ng, b_ng


@wrong(ex00.check_ng_to_course, "b has shape (1, 4), expected (4,): make it 1-D")
def ng_b_row(X_ng, W_ng, b_ng):
    return X_ng.T, W_ng, b_ng.T


@wrong(ex00.check_ng_to_course, "returned 2 values, expected 3: (X, W, b)")
def ng_forgets_W(X_ng, W_ng, b_ng):
    return X_ng.T, b_ng[:, 0]


# ------------------------------------------------------------------ 01
@wrong(ex01.check_predict, "np.sign returns 0")
def predict_np_sign(w, b, X):
    return np.sign(X @ w + b)


@wrong(ex01.check_predict, "labels are -1/+1")
def predict_zero_one(w, b, X):
    return (X @ w + b > 0).astype(int)


@wrong(ex01.check_predict, "labels swapped")
def predict_wrong_sign(w, b, X):
    return np.where(X @ w + b > 0, -1, 1)


@wrong(ex01.check_predict, "hard-coded")
def predict_hardcoded(w, b, X):
    return np.array([1, -1, -1])


@wrong(ex01.check_update, "not w - y x")
def update_wrong_sign(w, b, x, y):
    if y * (w @ x + b) <= 0:
        return w - y * x, b - y
    return w, b


@wrong(ex01.check_update, "including = 0 on the boundary")
def update_strict(w, b, x, y):
    if y * (w @ x + b) < 0:
        return w + y * x, b + y
    return w, b


@wrong(ex01.check_update, "changed its input w in place")
def update_in_place(w, b, x, y):
    if y * (w @ x + b) <= 0:
        w += y * x
        b += y
    return w, b


@wrong(ex01.check_update, "b was not")
def update_forgets_bias(w, b, x, y):
    if y * (w @ x + b) <= 0:
        return w + y * x, b
    return w, b


@wrong(ex01.check_update, "changes nothing then")
def update_always(w, b, x, y):
    return w + y * x, b + y


@wrong(ex01.check_nand, "computes AND")
def nand_is_and():
    return np.array([1.0, 1.0]), -1.5


@wrong(ex01.check_nand, "nand(0, 0) should be 1, got 0")
def nand_is_or():
    return np.array([1.0, 1.0]), -0.5


@wrong(ex01.check_nand, "w has shape (3,), expected (2,)")
def nand_wrong_shape():
    return np.array([-1.0, -1.0, 1.5]), 0.0


# ------------------------------------------------------------------ 02
@wrong(ex02.check_sigmoid, "overflows")
def sigmoid_exp_over(z):
    return np.exp(z) / (1 + np.exp(z))


@wrong(ex02.check_sigmoid, "mirrored")
def sigmoid_mirrored(z):
    return 1 / (1 + np.exp(z))


@wrong(ex02.check_sigmoid, "sigmoid(0) should be 0.5, got 0")
def sigmoid_step(z):
    return (np.asarray(z) > 0).astype(float)


@wrong(ex02.check_loss, "4 times too large (4 = batch size)")
def loss_no_mean(w, b, X, y):
    z = X @ w + b
    return float(np.sum(np.logaddexp(0, z) - y * z))


@wrong(ex02.check_loss, "the loss is negative")
def loss_wrong_sign(w, b, X, y):
    a = _sig(X @ w + b)
    return float(np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))


@wrong(ex02.check_loss, "swapped")
def loss_swapped(w, b, X, y):
    a = _sig(X @ w + b)
    return float(-np.mean((1 - y) * np.log(a) + y * np.log(1 - a)))


@wrong(ex02.check_loss, "expected a single number")
def loss_per_example(w, b, X, y):
    z = X @ w + b
    return np.logaddexp(0, z) - y * z


@wrong(ex02.check_grad, "times too large")
def grad_no_mean(w, b, X, y):
    d = _sig(X @ w + b) - y
    return X.T @ d, float(d.sum())


@wrong(ex02.check_grad, "not y - a")
def grad_wrong_sign(w, b, X, y):
    d = (y - _sig(X @ w + b)) / X.shape[0]
    return X.T @ d, float(d.sum())


@wrong(ex02.check_grad, "dw has shape (2, 1), expected (2,)")
def grad_column(w, b, X, y):
    d = (_sig(X @ w + b) - y) / X.shape[0]
    return (X.T @ d)[:, None], float(d.sum())


@wrong(ex02.check_grad, "extra sigma'(z) factor")
def grad_extra_prime(w, b, X, y):
    a = _sig(X @ w + b)
    d = (a - y) * a * (1 - a) / X.shape[0]
    return X.T @ d, float(d.sum())


@wrong(ex02.check_grad, "average over the batch twice")
def grad_double_mean(w, b, X, y):
    m = X.shape[0]
    d = (_sig(X @ w + b) - y) / m
    return X.T @ d / m, float(d.sum())


@wrong(ex02.check_step, "moved up the gradient")
def step_ascent(w, b, X, y, lr):
    d = (_sig(X @ w + b) - y) / X.shape[0]
    return w + lr * X.T @ d, b + lr * d.sum()


@wrong(ex02.check_step, "learning rate lr is missing")
def step_no_lr(w, b, X, y, lr):
    d = (_sig(X @ w + b) - y) / X.shape[0]
    return w - X.T @ d, b - lr * d.sum()


@wrong(ex02.check_step, "changed its input w in place")
def step_in_place(w, b, X, y, lr):
    d = (_sig(X @ w + b) - y) / X.shape[0]
    w -= lr * X.T @ d
    return w, b - lr * d.sum()


# ------------------------------------------------------------------ 03
@wrong(ex03.check_relu_weights, "f(0, 0) should be 0, got -2")
def relu_weights_bad_bias():
    return np.ones((2, 2)), np.array([0.0, 1.0]), np.array([1.0, -2.0]), 0.0


@wrong(ex03.check_relu_weights, "W has shape (2, 3), expected (2, 2)")
def relu_weights_bad_shape():
    return np.ones((2, 3)), np.array([0.0, -1.0]), np.array([1.0, -2.0]), 0.0


@wrong(ex03.check_forward, "use X @ W1.T")
def forward221_no_transpose(X, W1, b1, W2, b2):
    return _sig(_sig(X @ W1 + b1) @ W2.T + b2)[:, 0]


@wrong(ex03.check_forward, "apply the sigmoid to it")
def forward221_logit(X, W1, b1, W2, b2):
    return (_sig(X @ W1.T + b1) @ W2.T + b2)[:, 0]


@wrong(ex03.check_forward, "has shape (4, 1), expected (4,): the values are right")
def forward221_column(X, W1, b1, W2, b2):
    return _sig(_sig(X @ W1.T + b1) @ W2.T + b2)


@wrong(ex03.check_train, "of the 4 XOR points wrong")
def train_xor_untrained(seed):
    rng = np.random.default_rng(seed)
    return np.zeros((2, 2)), np.zeros(2), rng.normal(size=(1, 2)) * 0, np.array([-1.0])


# ------------------------------------------------------------------ 04
def _fwd(X, W1, b1, W2, b2):
    A1 = _sig(X @ W1.T + b1)
    return A1, _sig(A1 @ W2.T + b2)


@wrong(ex04.check_forward, "A1 is the pre-activation Z1")
def forward_no_hidden_sigmoid(X, W1, b1, W2, b2):
    Z1 = X @ W1.T + b1
    return Z1, _sig(_sig(Z1) @ W2.T + b2)


@wrong(ex04.check_forward, "A2 misses the bias b2")
def forward_no_b2(X, W1, b1, W2, b2):
    A1 = _sig(X @ W1.T + b1)
    return A1, _sig(A1 @ W2.T)


@wrong(ex04.check_forward, "forward raised ValueError")
def forward_not_transposed(X, W1, b1, W2, b2):
    A1 = _sig(X @ W1 + b1)
    return A1, _sig(A1 @ W2.T + b2)


@wrong(ex04.check_loss, "4 times too large (4 = batch size)")
def bce_sum(A2, Y):
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))


@wrong(ex04.check_loss, "minus sign")
def bce_sign(A2, Y):
    return float(np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / A2.shape[0])


def _bw(X, Y, A1, A2, W2, *, m_twice=False, prime=True, transpose1=False, sign=1.0,
        mse=False, no_sum=False, m=True):
    mm = X.shape[0]
    dZ2 = sign * (A2 - Y) / (mm if m else 1)
    if mse:
        dZ2 = dZ2 * A2 * (1 - A2)
    dW2 = dZ2.T @ A1 / (mm if m_twice else 1)
    db2 = dZ2 if no_sum else dZ2.sum(0)
    dZ1 = (dZ2 @ W2) * (A1 * (1 - A1) if prime else 1)
    dW1 = X.T @ dZ1 if transpose1 else dZ1.T @ X
    return dW1, dZ1.sum(0), dW2, db2


@wrong(ex04.check_backward, "dW1 misses the sigma'(z1)")
def backward_no_prime(X, Y, A1, A2, W2):
    return _bw(X, Y, A1, A2, W2, prime=False)


@wrong(ex04.check_backward, "dW2 is off by a factor of 4 = batch size (too small): did you "
                            "average over the batch twice?")
def backward_double_mean(X, Y, A1, A2, W2):
    return _bw(X, Y, A1, A2, W2, m_twice=True)


@wrong(ex04.check_backward, "dW1 has shape (3, 2), expected (2, 3): W is (n_out, n_in)")
def backward_transposed(X, Y, A1, A2, W2):
    return _bw(X, Y, A1, A2, W2, transpose1=True)


@wrong(ex04.check_backward, "dW2 has the wrong sign")
def backward_wrong_sign(X, Y, A1, A2, W2):
    return _bw(X, Y, A1, A2, W2, sign=-1.0)


@wrong(ex04.check_backward, "extra sigma'(z2)")
def backward_mse_delta(X, Y, A1, A2, W2):
    return _bw(X, Y, A1, A2, W2, mse=True)


@wrong(ex04.check_backward, "sum (or average) over the batch axis 0")
def backward_db_not_summed(X, Y, A1, A2, W2):
    return _bw(X, Y, A1, A2, W2, no_sum=True)


@wrong(ex04.check_backward, "dW2 is 4 times too large")
def backward_no_mean(X, Y, A1, A2, W2):
    return _bw(X, Y, A1, A2, W2, m=False)


@wrong(ex04.check_backward, "differs from finite differences in dW1[0, 1] only")
def backward_one_entry(X, Y, A1, A2, W2):
    dW1, db1, dW2, db2 = _bw(X, Y, A1, A2, W2)
    dW1 = dW1.copy()
    dW1[0, 1] *= 1.5
    return dW1, db1, dW2, db2


_HARD: dict = {}  # the answers of the first input it ever saw (the worked example)


@wrong(ex04.check_backward, "hard-coded")
def backward_hardcoded(X, Y, A1, A2, W2):
    if "v" not in _HARD:
        _HARD["v"] = _bw(X, Y, A1, A2, W2)
    return tuple(g.copy() for g in _HARD["v"])


@wrong(ex04.check_backward, "changed its input A1 in place")
def backward_mutates(X, Y, A1, A2, W2):
    grads = _bw(X, Y, A1.copy(), A2, W2)
    A1 *= 1 - A1  # reuses A1's memory for sigma'(z1)
    return grads


# ------------------------------------------------------------------ 05
@wrong(ex05.check_forward, "P holds the logits")
def forward3_no_softmax(X, V, bV, W, bW, U, bU):
    H1 = _sig(X @ V.T + bV)
    H2 = _sig(H1 @ W.T + bW)
    return H1, H2, H2 @ U.T + bU


@wrong(ex05.check_forward, "down the columns")
def forward3_softmax_axis0(X, V, bV, W, bW, U, bU):
    H1 = _sig(X @ V.T + bV)
    H2 = _sig(H1 @ W.T + bW)
    O = H2 @ U.T + bU
    E = np.exp(O - O.max(axis=0))
    return H1, H2, E / E.sum(axis=0)


def _bw3(X, y, H1, H2, P, W, U, sign=1.0, prime=True, m=True):
    mm, K = P.shape
    Y = np.eye(K)[y]
    dO = sign * (P - Y) / (mm if m else 1)
    dU = dO.T @ H2
    d2 = (dO @ U) * (H2 * (1 - H2) if prime else 1)
    d1 = (d2 @ W) * H1 * (1 - H1)
    return d1.T @ X, d1.sum(0), d2.T @ H1, d2.sum(0), dU, dO.sum(0)


@wrong(ex05.check_backward, "(y - a) is the negative gradient")
def backward3_notes_sign(X, y, H1, H2, P, W, U):
    return _bw3(X, y, H1, H2, P, W, U, sign=-1.0)


@wrong(ex05.check_backward, "misses the sigma'(z) = h2 (1 - h2) factor")
def backward3_no_prime(X, y, H1, H2, P, W, U):
    return _bw3(X, y, H1, H2, P, W, U, prime=False)


@wrong(ex05.check_backward, "dU is 5 times too large (5 = batch size)")
def backward3_no_mean(X, y, H1, H2, P, W, U):
    return _bw3(X, y, H1, H2, P, W, U, m=False)


# ------------------------------------------------------------------ 06
@wrong(ex06.check_softmax, "exp overflows; shift each row first")
def softmax_naive(Z):
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


@wrong(ex06.check_softmax, "normalise along axis=1")
def softmax_axis0(Z):
    E = np.exp(Z - Z.max(axis=0))
    return E / E.sum(axis=0)


@wrong(ex06.check_softmax, "softmax raised ValueError: operands could not be broadcast")
def softmax_no_keepdims(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1)


@wrong(ex06.check_softmax, "changed its input Z in place")
def softmax_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


@wrong(ex06.check_log_softmax, "instead of log(softmax(Z))")
def log_softmax_naive(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return np.log(E / E.sum(axis=1, keepdims=True))


@wrong(ex06.check_log_softmax, "subtracts only the max")
def log_softmax_only_max(Z):
    return Z - Z.max(axis=1, keepdims=True)


@wrong(ex06.check_ce, "4 times too large")
def ce_sum(Z, y):
    lp = Z - np.log(np.exp(Z - Z.max(1, keepdims=True)).sum(1, keepdims=True)) - Z.max(1, keepdims=True)
    return float(-lp[np.arange(len(y)), y].sum())


@wrong(ex06.check_ce, "wrong sign")
def ce_sign(Z, y):
    mx = Z.max(1, keepdims=True)
    lp = Z - mx - np.log(np.exp(Z - mx).sum(1, keepdims=True))
    return float(lp[np.arange(len(y)), y].mean())


@wrong(ex06.check_ce, "over all classes")
def ce_all_classes(Z, y):
    mx = Z.max(1, keepdims=True)
    lp = Z - mx - np.log(np.exp(Z - mx).sum(1, keepdims=True))
    return float(-lp.mean())


@wrong(ex06.check_ce_grad, "the true class gets a -1")
def ce_grad_no_onehot(Z, y):
    E = np.exp(Z - Z.max(1, keepdims=True))
    return E / E.sum(1, keepdims=True) / Z.shape[0]


@wrong(ex06.check_ce_grad, "wrong sign")
def ce_grad_sign(Z, y):
    E = np.exp(Z - Z.max(1, keepdims=True))
    P = E / E.sum(1, keepdims=True)
    return (np.eye(Z.shape[1])[y] - P) / Z.shape[0]


@wrong(ex06.check_ce_grad, "4 times too large")
def ce_grad_no_mean(Z, y):
    E = np.exp(Z - Z.max(1, keepdims=True))
    return E / E.sum(1, keepdims=True) - np.eye(Z.shape[1])[y]


# ------------------------------------------------------------------ 07
@wrong(ex07.check_minibatches, "shuffle them")
def minibatches_in_order(m, batch_size, seed):
    idx = np.arange(m)
    return [idx[i:i + batch_size] for i in range(0, m, batch_size)]


@wrong(ex07.check_minibatches, "exactly once: 2 missing")
def minibatches_drop_last(m, batch_size, seed):
    idx = np.random.default_rng(seed).permutation(m)
    return [idx[i:i + batch_size] for i in range(0, m - batch_size + 1, batch_size)]


@wrong(ex07.check_minibatches, "integer indices")
def minibatches_float(m, batch_size, seed):
    idx = np.random.default_rng(seed).permutation(m).astype(float)
    return [idx[i:i + batch_size] for i in range(0, m, batch_size)]


@wrong(ex07.check_minibatches, "repeated")
def minibatches_with_replacement(m, batch_size, seed):
    idx = np.random.default_rng(seed).integers(0, m, size=m)
    return [idx[i:i + batch_size] for i in range(0, m, batch_size)]


@wrong(ex07.check_train, "last layer has 64 outputs")
def train_mlp_missing_layer(X, y, seed):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(64, 64)), np.zeros(64))]


@wrong(ex07.check_train, "test accuracy")
def train_mlp_untrained(X, y, seed):
    import mlpkit
    model = mlpkit.MLP([64, 32, 10], hidden="relu", output="softmax", seed=seed)
    return [(layer.W, layer.b) for layer in model.layers]
