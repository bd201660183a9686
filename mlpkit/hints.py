"""Progressive hints for the exercises: ``hint("04", "backward")``.

Each graded derivation of an exercise has three hints, revealed one per call:

1. **structure**: which chain rule (or idea) to apply, without the result;
2. **shapes**: the shape of every quantity involved, which fixes where the transposes go;
3. **formula**: the result itself.

Calling ``hint`` again after the last level shows the formula again. The exercises
print no formula of a graded quantity: the student derives it in the notebook's
derivation cell and opens a hint on purpose. The public checks say which hints exist
(:func:`hint_call`). ``hint(nn, name, level=k)`` shows level ``k`` directly;
:func:`reset_hints` starts every hint again at level 1; :func:`available` lists them.
"""
from __future__ import annotations

__all__ = ["LEVELS", "HINTS", "HintError", "hint", "hint_text", "available", "reset_hints",
           "hint_call", "has_hint"]

#: The three levels, in the order they are revealed.
LEVELS = ("structure", "shapes", "formula")

#: ``HINTS[exercise][name]`` = the three hint texts (structure, shapes, formula).
HINTS: dict[str, dict[str, tuple[str, str, str]]] = {
    "01": {
        "perceptron_update": (
            "On a mistake, y (w . x + b) <= 0. Write the new weights as w + dw, b + db and expand "
            "y ((w + dw) . x + (b + db)): which choice of dw, db, proportional to the example "
            "itself, makes this quantity grow by y^2 (|x|^2 + 1) > 0? On a correct example "
            "(y (w . x + b) > 0) the perceptron leaves w and b alone.",
            "w and x are vectors of shape (n,), y is a number (-1 or +1), b is a number: the new w "
            "is (n,) and the new b a number. Return new arrays: the caller's w must not change.",
            "If y (w . x + b) <= 0: w <- w + y x and b <- b + y. Otherwise w and b are unchanged.",
        ),
        "nand_weights": (
            "NAND is NOT AND. A threshold unit says 1 when w . x + b >= 0; negating w and b swaps "
            "the two sides of the boundary (except points exactly on it). Write the four "
            "inequalities, one per input in {0, 1}^2, and pick numbers that satisfy all four.",
            "w has shape (2,), one weight per input; b is a single number. The inequalities: "
            "b >= 0 for (0, 0); w1 + b >= 0 and w2 + b >= 0 for (1, 0) and (0, 1); "
            "w1 + w2 + b < 0 for (1, 1).",
            "w = (-1, -1), b = 1.5 (minus the AND unit w = (1, 1), b = -1.5); any b in [1, 2) "
            "with w = (-1, -1) works.",
        ),
    },
    "02": {
        "logistic_grad": (
            "Follow the computation graph of one example: z = w . x + b, a = sigma(z), "
            "L = -[y log a + (1 - y) log(1 - a)]. Multiply the local derivatives dL/da, da/dz "
            "(sigma' = sigma (1 - sigma)) and dz/dw, dz/db, then average over the m examples "
            "(J is a mean).",
            "X is (m, n), w is (n,), y is (m,): z and a are (m,), dL/dz for the batch is (m,); dw "
            "must be (n,), so it is X^T (m -> n) applied to an (m,) vector; db is one number, a "
            "sum over the batch.",
            "dL/dz = a - y, so dw = (1/m) X^T (a - y) and db = (1/m) sum_i (a_i - y_i).",
        ),
    },
    "03": {
        "xor_relu_weights": (
            "XOR(x1, x2) = |x1 - x2| on {0, 1}^2. Without a hidden bias (c = 0), one ReLU unit "
            "can see x1 - x2 and another x2 - x1: relu(t) + relu(-t) = |t|.",
            "W is (2, 2): row j holds the two weights into hidden unit j. c = (0, 0). w is (2,), "
            "one output weight per hidden unit, b a number.",
            "W = [[1, -1], [-1, 1]], c = (0, 0), w = (1, 1), b = 0: "
            "f(x) = relu(x1 - x2) + relu(x2 - x1) = |x1 - x2|.",
        ),
        "train_xor": (
            "Gradient descent: start from random weights, then repeat 'gradients, step against "
            "them' for a fixed number of epochs. A 2-2-1 network sometimes ends in a poor local "
            "minimum: test the trained network on the four points and, if it is wrong, start "
            "again from new random weights (keep drawing from the same generator).",
            "W1 (2, 2), b1 (2,), W2 (1, 2), b2 (1,); gradients_221 returns (dW1, db1, dW2, db2) "
            "with the same shapes, so each update is elementwise.",
            "theta <- theta - lr * dtheta for each of W1, b1, W2, b2, on the full batch of four "
            "points, e.g. lr = 2 for 3000 epochs; restart when (p > 0.5) != y on some point.",
        ),
    },
    "04": {
        "backward": (
            "Chain rule, from the loss down. With a sigmoid output and cross-entropy, first find "
            "dJ/dZ2 (the sigma' of the output cancels against dJ/dA2: work it out for one entry, "
            "and keep the 1/m of the mean). Then Z2 = A1 W2^T + b2 gives dW2, db2 and dJ/dA1; "
            "A1 = sigma(Z1) multiplies by sigma'(Z1) elementwise to give dJ/dZ1; Z1 = X W1^T + b1 "
            "gives dW1, db1.",
            "X (m, n0), A1 (m, n1), A2 and Y (m, n2), W2 (n2, n1). The error signals delta2 = "
            "dJ/dZ2 is (m, n2) and delta1 = dJ/dZ1 is (m, n1). dW2 must be (n2, n1) like W2: a product of "
            "delta2^T (n2, m) and A1 (m, n1); dJ/dA1 = delta2 (m, n2) times W2 (n2, n1); "
            "dW1 is (n1, n0) = delta1^T X. Each bias gradient sums its error signal over the batch axis 0.",
            "delta2 = (A2 - Y) / m; dW2 = delta2^T A1; db2 = sum_i delta2[i]; "
            "delta1 = (delta2 W2) * A1 * (1 - A1) (elementwise, sigma'(Z1) = A1 (1 - A1)); "
            "dW1 = delta1^T X; db1 = sum_i delta1[i].",
        ),
    },
    "05": {
        "backward3": (
            "The same chain rule as exercise 04, one layer more. At the output, softmax and "
            "cross-entropy together give dJ/dO for the logits O = H2 U^T + bU (the softmax "
            "Jacobian collapses: no elementwise sigma' at a softmax output). Then each layer "
            "going down: weight gradient = (its error signal)^T (its input), bias gradient = sum "
            "over the batch, and the signal for the layer below = (error signal) @ (this "
            "layer's weights), times sigma' of the layer below.",
            "X (m, n0), H1 (m, n1), H2 (m, n2), P (m, K), V (n1, n0), W (n2, n1), U (K, n2). "
            "delta_O = dJ/dO is (m, K), delta2 (m, n2), delta1 (m, n1). Going down multiplies by a weight matrix "
            "without transposing it: (m, K) @ U (K, n2) -> (m, n2), (m, n2) @ W (n2, n1) -> "
            "(m, n1). Weight gradients: dU = delta_O^T H2 (K, n2), "
            "dW = delta2^T H1 (n2, n1), dV = delta1^T X (n1, n0).",
            "delta_O = (P - onehot(y)) / m; dU = delta_O^T H2, dbU = sum_i delta_O[i]; "
            "delta2 = (delta_O U) * H2 * (1 - H2); dW = delta2^T H1, dbW = sum_i delta2[i]; "
            "delta1 = (delta2 W) * H1 * (1 - H1); dV = delta1^T X, dbV = sum_i delta1[i].",
        ),
    },
    "06": {
        "softmax": (
            "Show that softmax(z - c) = softmax(z) for any number c subtracted from every entry "
            "of a row (factor e^{-c} out of the numerator and the denominator). Which c keeps "
            "every exponential in (0, 1], so that nothing overflows?",
            "Z is (m, K), one example per row: the constant is one number per row, an (m, 1) "
            "column (keepdims=True) so that it broadcasts over the K columns; the row sums are "
            "(m, 1) as well.",
            "E = exp(Z - max_k Z[i, k]) (the max of each row); softmax(Z) = E / (the row sums "
            "of E).",
        ),
        "log_softmax": (
            "Take the log of softmax(z)_k = e^{z_k} / sum_j e^{z_j}: it is z_k minus log sum_j "
            "e^{z_j} (the log-sum-exp). Then make the log-sum-exp stable by factoring out "
            "e^{max}: log sum_j e^{z_j} = max + log sum_j e^{z_j - max}.",
            "Z is (m, K); the max and the log-sum-exp are one number per row, shape (m, 1) "
            "(keepdims=True), subtracted from every column of the row.",
            "log_softmax(Z) = Z - (mx + log(sum_j exp(Z - mx))) with mx = the row max, "
            "(m, 1).",
        ),
        "cross_entropy_grad": (
            "For one row, L = -log softmax(z)_y = -z_y + logsumexp(z). Differentiate each term "
            "with respect to z_k: the derivative of logsumexp(z) is softmax(z)_k. Then average "
            "over the m rows (J is a mean).",
            "Z is (m, K); the gradient has the shape of Z; the one-hot matrix of the labels is "
            "(m, K) with a single 1 per row, in column y_i.",
            "dJ/dZ = (softmax(Z) - onehot(y)) / m.",
        ),
    },
    "07": {
        "minibatches": (
            "One epoch visits every example once, in a fresh random order: draw the order once "
            "from the generator, then cut it into consecutive slices.",
            "The order is a permutation of 0..m-1 (m integers); there are ceil(m / batch_size) "
            "batches, each of batch_size indices except possibly the last.",
            "order = np.random.default_rng(seed).permutation(m); "
            "[order[i:i + batch_size] for i in range(0, m, batch_size)].",
        ),
        "train_mlp": (
            "Three nested ideas: for each epoch, a fresh random order of the rows; for each "
            "minibatch of that order, the gradients of the batch's mean loss; then one "
            "gradient-descent step on every layer. (Which way does a descent step move?)",
            "model.gradients(Xb, yb) returns one (dW, db) per layer, each with the shape of "
            "that layer's (W, b): the update is elementwise, in place on model.layers[l].W "
            "and .b.",
            "W <- W - lr * dW and b <- b - lr * db for every layer, for every minibatch, "
            "e.g. 20 epochs of batches of 32 with lr = 0.1 and 64 hidden units.",
        ),
    },
}


class HintError(ValueError):
    """An unknown exercise, hint name or level."""


_shown: dict[tuple[str, str], int] = {}


def _key(exercise, name) -> tuple[str, str]:
    nn = str(exercise).strip()
    if nn.isdigit():
        nn = nn.zfill(2)
    if nn not in HINTS:
        raise HintError(f"no hints for exercise {exercise!r}: hints exist for exercises "
                        f"{', '.join(sorted(HINTS))} (pass the number as a string, e.g. "
                        f"hint(\"04\", \"backward\"))")
    if name not in HINTS[nn]:
        raise HintError(f"exercise {nn} has no hint named {name!r}: its hints are "
                        f"{', '.join(repr(n) for n in HINTS[nn])}")
    return nn, name


def has_hint(exercise, name) -> bool:
    """Whether ``hint(exercise, name)`` exists."""
    try:
        _key(exercise, name)
    except HintError:
        return False
    return True


def hint_call(exercise, name) -> str:
    """The call a student types to open the hint, e.g. ``hint("04", "backward")``."""
    nn, name = _key(exercise, name)
    return f'hint("{nn}", "{name}")'


def hint_text(exercise, name, level: int) -> str:
    """The text of one level (1, 2 or 3) of a hint, with its heading."""
    nn, name = _key(exercise, name)
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= len(LEVELS):
        raise HintError(f"level must be 1, 2 or 3 ({', '.join(LEVELS)}), got {level!r}")
    more = (f" (call {hint_call(nn, name)} again for the next level)" if level < len(LEVELS)
            else " (the last level)")
    return (f"Hint {level}/{len(LEVELS)} for exercise {nn}, {name}: {LEVELS[level - 1]}{more}\n"
            f"{HINTS[nn][name][level - 1]}")


def hint(exercise, name, level: int | None = None) -> None:
    """Print the next level of a hint (or ``level`` directly) and remember it.

    >>> hint("04", "backward")      # 1/3: the chain-rule structure
    >>> hint("04", "backward")      # 2/3: the shapes
    >>> hint("04", "backward")      # 3/3: the formula (shown again on later calls)
    """
    key = _key(exercise, name)
    if level is None:
        level = min(_shown.get(key, 0) + 1, len(LEVELS))
    text = hint_text(*key, level)
    _shown[key] = max(_shown.get(key, 0), level)
    print(text)


def available(exercise=None) -> list[str]:
    """The hint calls that exist (for one exercise, or all)."""
    if exercise is None:
        return [hint_call(nn, n) for nn in sorted(HINTS) for n in HINTS[nn]]
    nn = str(exercise).strip()
    nn = nn.zfill(2) if nn.isdigit() else nn
    if nn not in HINTS:
        raise HintError(f"no hints for exercise {exercise!r}: hints exist for exercises "
                        f"{', '.join(sorted(HINTS))}")
    return [hint_call(nn, n) for n in HINTS[nn]]


def reset_hints() -> None:
    """Forget which levels were shown: the next call of each hint shows level 1."""
    _shown.clear()
