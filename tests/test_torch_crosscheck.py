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


def torch_forward(Ws, bs, hidden, output, X, y):
    """The loss (a mean over the rows) and the output of the network with weights ``Ws``, ``bs``."""
    A = torch.tensor(X)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        Z = A @ W.T + b
        A = TORCH_ACT[hidden[l]](Z) if l < len(hidden) else Z
    m = X.shape[0]
    if output == "softmax":
        return torch.nn.functional.cross_entropy(Z, torch.tensor(y)), torch.softmax(Z, dim=1)
    t = torch.tensor(np.asarray(y, dtype=np.float64).reshape(Z.shape))
    if output == "sigmoid":
        loss = torch.nn.functional.binary_cross_entropy_with_logits(Z, t, reduction="sum") / m
        return loss, torch.sigmoid(Z)
    return 0.5 * ((Z - t) ** 2).sum() / m, Z


def torch_params(model):
    return ([torch.tensor(l.W, requires_grad=True) for l in model.layers],
            [torch.tensor(l.b, requires_grad=True) for l in model.layers])


def torch_loss(model, X, y):
    Ws, bs = torch_params(model)
    loss, out = torch_forward(Ws, bs, model.hidden, model.output, X, y)
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


def labels(output, K, m, rng):
    if output == "softmax":
        return rng.integers(0, K, size=m)
    if output == "sigmoid":
        return rng.integers(0, 2, size=m if K == 1 else (m, K))
    return rng.normal(size=(m, K))


@pytest.mark.parametrize("output,K", [("softmax", 4), ("sigmoid", 1), ("sigmoid", 3), ("identity", 2)])
@pytest.mark.parametrize("hidden", [["relu", "tanh"], ["sigmoid", "elu"], ["leaky_relu", "softplus"]])
@pytest.mark.parametrize("batch_size", [1, 8])
def test_one_fit_epoch_equals_torch_sgd(output, K, hidden, batch_size):
    """A whole epoch of MLP.fit against torch.optim.SGD on autograd's gradients: the same
    weights, the same batches in the same order (default_rng(seed).permutation, as fit
    draws them; 53 rows, so a last batch of 5 when batch_size is 8), float64."""
    rng = np.random.default_rng(7)
    model = mlpkit.MLP([5, 7, 6, K], hidden=hidden, output=output, seed=2)
    X, y = rng.normal(size=(53, 5)), labels(output, K, 53, rng)
    Ws, bs = torch_params(model)
    opt = torch.optim.SGD(Ws + bs, lr=0.1)
    order = np.random.default_rng(3).permutation(53)
    losses = []
    for start in range(0, 53, batch_size):
        idx = order[start:start + batch_size]
        opt.zero_grad()
        loss, _ = torch_forward(Ws, bs, hidden, output, X[idx], y[idx])
        loss.backward()
        opt.step()
        losses.append(loss.item() * len(idx))
    history = model.fit(X, y, epochs=1, batch_size=batch_size, lr=0.1, seed=3)
    for layer, W, b in zip(model.layers, Ws, bs):
        np.testing.assert_allclose(layer.W, W.detach().numpy(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(layer.b, b.detach().numpy(), rtol=1e-10, atol=1e-10)
    assert history["loss"][0] == pytest.approx(sum(losses) / 53, rel=1e-10)
    assert np.max(np.abs(model.layers[0].W - mlpkit.MLP(model.sizes, hidden=hidden, output=output,
                                                        seed=2).layers[0].W)) > 1e-3   # it moved
