"""Which public check judges which graded function, per assignment (shared by the bank tests)."""
from mlpkit.checks import ex00, ex01, ex02, ex03, ex04, ex05, ex06, ex07

# graded function name -> its public check, per assignment
CHECKS = {
    "00": {"layer_shapes": ex00.check_layer_shapes, "dense_batch": ex00.check_dense_batch,
           "ng_to_course": ex00.check_ng_to_course},
    "01": {"predict": ex01.check_predict, "perceptron_update": ex01.check_update,
           "nand_weights": ex01.check_nand},
    "02": {"sigmoid": ex02.check_sigmoid, "logistic_loss": ex02.check_loss,
           "logistic_grad": ex02.check_grad, "gd_step": ex02.check_step},
    "03": {"xor_relu_weights": ex03.check_relu_weights, "forward_221": ex03.check_forward,
           "train_xor": ex03.check_train},
    "04": {"forward": ex04.check_forward, "bce_loss": ex04.check_loss,
           "backward": ex04.check_backward},
    "05": {"forward3": ex05.check_forward, "backward3": ex05.check_backward},
    "06": {"softmax": ex06.check_softmax, "log_softmax": ex06.check_log_softmax,
           "cross_entropy": ex06.check_ce, "cross_entropy_grad": ex06.check_ce_grad},
    "07": {"minibatches": ex07.check_minibatches, "train_mlp": ex07.check_train},
}
