"""mlpkit: the small numpy package behind the mlp-course notebooks.

Notation and shapes follow the course (SYLLABUS.md): ``W`` is ``(n_out, n_in)``,
batches are rows, ``Z = A_prev @ W.T + b``, losses are means over the batch.
"""
from . import activations, data, gradcheck as _gradcheck_module, losses, metrics, plot
from .activations import (elu, elu_prime, hard_tanh, hard_tanh_prime, identity, identity_prime,
                          leaky_relu, leaky_relu_prime, relu, relu_prime, sigmoid, sigmoid_prime,
                          softplus, softplus_prime, tanh, tanh_prime)
from .gradcheck import GradcheckResult, gradcheck, gradcheck_model, numerical_gradient, relative_error
from .layers import Activation, Dense, dense_backward, dense_forward
from .logistic import LogisticRegression
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, log_softmax, logsumexp,
                     mse, softmax, softmax_cross_entropy)
from .mlp import MLP, TrainingDiverged
from ._validation import NotFittedError
from .perceptron import Perceptron, threshold_unit

__version__ = "0.1.0"

__all__ = [
    "MLP", "Dense", "Activation", "Perceptron", "LogisticRegression", "TrainingDiverged", "NotFittedError",
    "gradcheck", "gradcheck_model", "numerical_gradient", "relative_error", "GradcheckResult",
    "threshold_unit", "activations", "losses", "data", "metrics",
    "sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime", "leaky_relu",
    "leaky_relu_prime", "elu", "elu_prime", "softplus", "softplus_prime", "hard_tanh",
    "hard_tanh_prime", "identity", "identity_prime", "mse", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "softmax", "log_softmax", "logsumexp",
    "softmax_cross_entropy", "dense_forward", "dense_backward",
]
