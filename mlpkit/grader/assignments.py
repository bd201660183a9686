"""The hidden checks of every assignment (00-07): their inputs, points and judges.

Each assignment is an :class:`~mlpkit.grader.spec.Assignment`: *call groups*
(one graded function and a generator of its inputs, seeded per student: :mod:`.cases`) and
*checks* (one call group judged in the grader's process, reusing the public
checks' judges of ``mlpkit.checks.exNN``, worth a number of points, all or
nothing except where a judge returns a fraction, e.g. the digits accuracy of 07).
"""
from __future__ import annotations

from ..checks import ex00, ex01, ex02, ex03, ex04, ex05, ex06, ex07
from . import cases as C
from .spec import Assignment, CallGroup, HiddenCheck, public_judge as _j, seed_dependent

__all__ = ["ASSIGNMENTS", "get"]


# ------------------------------------------------------------------ 00
A00 = Assignment("00", "00_setup_and_notation", groups=[
    CallGroup("shapes", "layer_shapes", ("sizes", "m"), C.shapes_cases),
    CallGroup("dense", "dense_batch", ("A_prev", "W", "b"), C.dense_cases,
              error_hint=ex00.dense_error_hint),
    CallGroup("ng", "ng_to_course", ("X_ng", "W_ng", "b_ng"), C.ng_cases),
], checks=[
    HiddenCheck("shapes_W", "shapes", 1, "W is (n_out, n_in) in every layer",
                _j(ex00.judge_layer_shapes, part="W")),
    HiddenCheck("shapes_b", "shapes", 1, "b is (n_out,)", _j(ex00.judge_layer_shapes, part="b")),
    HiddenCheck("shapes_Z", "shapes", 1, "Z is (m, n_out)", _j(ex00.judge_layer_shapes, part="Z")),
    HiddenCheck("dense_batch", "dense", 4, "Z = A_prev @ W.T + b, also for a square layer",
                _j(ex00.judge_dense)),
    HiddenCheck("ng_X", "ng", 1, "X = X_ng.T", _j(ex00.judge_ng, part="X")),
    HiddenCheck("ng_W", "ng", 1, "W = W_ng", _j(ex00.judge_ng, part="W")),
    HiddenCheck("ng_b", "ng", 1, "b = b_ng[:, 0]", _j(ex00.judge_ng, part="b")),
])


# ------------------------------------------------------------------ 01
A01 = Assignment("01", "01_perceptron", groups=[
    CallGroup("predict", "predict", ("w", "b", "X"), C.predict_cases),
    CallGroup("update_mistake", "perceptron_update", ("w", "b", "x", "y"), C.update_cases("mistake")),
    CallGroup("update_correct", "perceptron_update", ("w", "b", "x", "y"), C.update_cases("correct")),
    CallGroup("update_boundary", "perceptron_update", ("w", "b", "x", "y"),
              C.update_cases("boundary")),
    CallGroup("nand", "nand_weights", (), lambda rng, ctx: [()]),
], checks=[
    HiddenCheck("predict", "predict", 3, "predict gives +1/-1, -1 on the boundary",
                _j(ex01.judge_predict)),
    HiddenCheck("update_mistake", "update_mistake", 2, "a misclassified example updates w and b",
                _j(ex01.judge_update)),
    HiddenCheck("update_correct", "update_correct", 1, "a correct example changes nothing",
                _j(ex01.judge_update)),
    HiddenCheck("update_boundary", "update_boundary", 1, "a point on the boundary is a mistake",
                _j(ex01.judge_update)),
    HiddenCheck("nand", "nand", 3, "the threshold unit computes NAND", _j(ex01.judge_nand)),
])


# ------------------------------------------------------------------ 02
A02 = Assignment("02", "02_logistic_regression", groups=[
    CallGroup("sigmoid", "sigmoid", ("z",), C.sigmoid_cases),
    CallGroup("loss", "logistic_loss", ("w", "b", "X", "y"), C.logit_cases),
    CallGroup("grad", "logistic_grad", ("w", "b", "X", "y"), C.logit_cases),
    CallGroup("step", "gd_step", ("w", "b", "X", "y", "lr"), C.step_cases),
], checks=[
    HiddenCheck("sigmoid", "sigmoid", 2, "sigmoid values, also for |z| up to 1000",
                _j(ex02.judge_sigmoid)),
    HiddenCheck("loss", "loss", 2, "the mean cross-entropy", _j(ex02.judge_loss)),
    HiddenCheck("grad_dw", "grad", 2, "dw", _j(ex02.judge_grad, part="dw")),
    HiddenCheck("grad_db", "grad", 1, "db", _j(ex02.judge_grad, part="db")),
    HiddenCheck("gd_step", "step", 3, "one gradient-descent step", _j(ex02.judge_step)),
], hints=ex02.ERROR_HINTS)


# ------------------------------------------------------------------ 03
A03 = Assignment("03", "03_xor", groups=[
    CallGroup("relu", "xor_relu_weights", (), lambda rng, ctx: [()]),
    CallGroup("forward", "forward_221", ("X", "W1", "b1", "W2", "b2"), C.forward221_cases),
    CallGroup("train", "train_xor", ("seed",), lambda rng, ctx: [(int(rng.integers(1000, 10**6)),)]),
], checks=[
    HiddenCheck("relu_weights", "relu", 3, "the hand-chosen ReLU network is exactly XOR",
                _j(ex03.judge_relu_weights)),
    HiddenCheck("forward_221", "forward", 3, "the 2-2-1 forward pass", _j(ex03.judge_forward)),
    HiddenCheck("train_xor", "train", 4, "the trained 2-2-1 network classifies XOR",
                _j(ex03.judge_train)),
], hints=ex03.ERROR_HINTS)


# ------------------------------------------------------------------ 04
A04 = Assignment("04", "04_backprop_two_layer", groups=[
    CallGroup("forward", "forward", ("X", "W1", "b1", "W2", "b2"), C.fwd04_cases),
    CallGroup("loss", "bce_loss", ("A2", "Y"), C.loss04_cases),
    CallGroup("backward", "backward", ("X", "Y", "A1", "A2", "W2"), C.bwd04_cases),
], checks=[
    HiddenCheck("forward_A1", "forward", 1, "hidden activations A1", _j(ex04.judge_forward, part="A1")),
    HiddenCheck("forward_A2", "forward", 2, "outputs A2", _j(ex04.judge_forward, part="A2")),
    HiddenCheck("loss", "loss", 2, "mean binary cross-entropy", _j(ex04.judge_loss)),
    HiddenCheck("dW2", "backward", 2, "dW2", _j(ex04.judge_backward, part="dW2")),
    HiddenCheck("db2", "backward", 1, "db2", _j(ex04.judge_backward, part="db2")),
    HiddenCheck("dW1", "backward", 3, "dW1", _j(ex04.judge_backward, part="dW1")),
    HiddenCheck("db1", "backward", 1, "db1", _j(ex04.judge_backward, part="db1")),
], hints=ex04.ERROR_HINTS)


# ------------------------------------------------------------------ 05
A05 = Assignment("05", "05_backprop_three_layer", groups=[
    CallGroup("forward", "forward3", ("X", "V", "bV", "W", "bW", "U", "bU"),
              C.fwd05_cases),
    CallGroup("backward", "backward3", ("X", "y", "H1", "H2", "P", "W", "U"),
              C.bwd05_cases),
], checks=[
    HiddenCheck("forward_hidden", "forward", 1, "H1 and H2", _j(ex05.judge_forward, part="hidden")),
    HiddenCheck("forward_P", "forward", 2, "softmax probabilities P",
                _j(ex05.judge_forward, part="P")),
    HiddenCheck("grad_U", "backward", 2, "dU and dbU", _j(ex05.judge_backward, part="U")),
    HiddenCheck("grad_W", "backward", 2, "dW and dbW", _j(ex05.judge_backward, part="W")),
    HiddenCheck("grad_V", "backward", 3, "dV and dbV", _j(ex05.judge_backward, part="V")),
], hints=ex05.ERROR_HINTS)


# ------------------------------------------------------------------ 06
A06 = Assignment("06", "06_softmax", groups=[
    CallGroup("softmax", "softmax", ("Z",), C.softmax_cases),
    CallGroup("log_softmax", "log_softmax", ("Z",), C.log_softmax_cases),
    CallGroup("ce", "cross_entropy", ("Z", "y"), C.ce_cases),
    CallGroup("ce_grad", "cross_entropy_grad", ("Z", "y"), C.ce_cases),
], checks=[
    HiddenCheck("softmax", "softmax", 3, "stable row-wise softmax", _j(ex06.judge_softmax)),
    HiddenCheck("log_softmax", "log_softmax", 2, "stable log-softmax", _j(ex06.judge_log_softmax)),
    HiddenCheck("cross_entropy", "ce", 2, "mean cross-entropy from logits", _j(ex06.judge_ce)),
    HiddenCheck("cross_entropy_grad", "ce_grad", 3, "its gradient", _j(ex06.judge_ce_grad)),
], hints=ex06.ERROR_HINTS)


# ------------------------------------------------------------------ 07
A07 = Assignment("07", "07_mlp_digits", groups=[
    CallGroup("minibatches", "minibatches", ("m", "batch_size", "seed"), C.mb_cases),
    CallGroup("minibatches_seeds", "minibatches", ("m", "batch_size", "seed"), C.mb_seed_cases),
    CallGroup("train", "train_mlp", ("X", "y", "seed"),
              lambda rng, ctx: [(ctx["X_train"], ctx["y_train"], int(rng.integers(1000)))],
              forbid={"mlpkit.mlp:MLP.fit": ex07.FIT_USED}),
], checks=[
    HiddenCheck("minibatch_cover", "minibatches", 1, "every index exactly once",
                _j(ex07.judge_minibatches, part="cover")),
    HiddenCheck("minibatch_sizes", "minibatches", 1, "batches of batch_size",
                _j(ex07.judge_minibatches, part="sizes")),
    HiddenCheck("minibatch_shuffled", "minibatches_seeds", 1, "shuffled, by the seed",
                _j(ex07.judge_minibatches, part="shuffled"), judge_group=seed_dependent),
    HiddenCheck("accuracy", "train", 7, f"test accuracy on the digits (target {ex07.TARGET}), "
                                        "with your own training loop",
                lambda args, value, ctx: ex07.judge_train(value, ctx["X_test"], ctx["y_test"])),
], context=C.digits_context)

ASSIGNMENTS = {a.number: a for a in (A00, A01, A02, A03, A04, A05, A06, A07)}


def get(number: str) -> Assignment:
    key = str(number).zfill(2)[:2]
    if key not in ASSIGNMENTS:
        raise KeyError(f"unknown assignment {number!r}: expected one of {', '.join(ASSIGNMENTS)}")
    return ASSIGNMENTS[key]
