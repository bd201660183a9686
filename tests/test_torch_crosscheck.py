"""mlpkit's forward values and gradients equal torch.autograd's (float64, same weights).

Skipped when PyTorch is not installed (`make torch` installs it; CI does).
"""
import numpy as np
import pytest

import mlpkit

torch = pytest.importorskip("torch", reason="PyTorch not installed: run `make torch` for the cross-checks")

TORCH_ACT = {
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "elu": torch.nn.functional.elu, "softplus": torch.nn.functional.softplus,
    "hard_tanh": torch.nn.functional.hardtanh, "identity": lambda z: z,
}


def torch_loss(model, X, y):
    Ws = [torch.tensor(l.W, requires_grad=True) for l in model.layers]
    bs = [torch.tensor(l.b, requires_grad=True) for l in model.layers]
    A = torch.tensor(X)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        Z = A @ W.T + b
        A = TORCH_ACT[model.hidden[l]](Z) if l < len(model.hidden) else Z
    m = X.shape[0]
    if model.output == "softmax":
        loss = torch.nn.functional.cross_entropy(Z, torch.tensor(y))
        out = torch.softmax(Z, dim=1)
    elif model.output == "sigmoid":
        t = torch.tensor(np.asarray(y, dtype=np.float64).reshape(Z.shape))
        loss = torch.nn.functional.binary_cross_entropy_with_logits(Z, t, reduction="sum") / m
        out = torch.sigmoid(Z)
    else:
        t = torch.tensor(np.asarray(y, dtype=np.float64).reshape(Z.shape))
        loss = 0.5 * ((Z - t) ** 2).sum() / m
        out = Z
    loss.backward()
    return loss.item(), out.detach().numpy(), [(W.grad.numpy(), b.grad.numpy()) for W, b in zip(Ws, bs)]


@pytest.mark.parametrize("output,K", [("softmax", 4), ("sigmoid", 1), ("sigmoid", 3), ("identity", 2)])
@pytest.mark.parametrize("hidden", [list(TORCH_ACT)[i:i + 2] for i in range(0, 8, 2)])
def test_forward_and_gradients_equal_autograd(output, K, hidden):
    rng = np.random.default_rng(42)
    model = mlpkit.MLP([5, 7, 6, K], hidden=hidden, output=output, seed=1)
    for layer in model.layers:
        layer.b[:] = rng.normal(size=layer.b.shape) * 0.3
    X = rng.normal(size=(9, 5))
    if output == "softmax":
        y = rng.integers(0, K, size=9)
    elif output == "sigmoid":
        y = rng.integers(0, 2, size=9 if K == 1 else (9, K))
    else:
        y = rng.normal(size=(9, K))
    t_loss, t_out, t_grads = torch_loss(model, X, y)
    assert model.loss(X, y) == pytest.approx(t_loss, rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(model.forward(X), t_out, rtol=1e-10, atol=1e-12)
    for (dW, db), (tW, tb) in zip(model.gradients(X, y), t_grads):
        np.testing.assert_allclose(dW, tW, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(db, tb, rtol=1e-10, atol=1e-12)


def test_losses_equal_torch():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(6, 5)) * 10
    y = rng.integers(0, 5, size=6)
    np.testing.assert_allclose(mlpkit.softmax(Z), torch.softmax(torch.tensor(Z), 1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(mlpkit.log_softmax(Z), torch.log_softmax(torch.tensor(Z), 1).numpy(), rtol=1e-12)
    assert mlpkit.softmax_cross_entropy(Z, y) == pytest.approx(
        torch.nn.functional.cross_entropy(torch.tensor(Z), torch.tensor(y)).item(), rel=1e-12)
