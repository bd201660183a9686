"""Tests of the gradient-flow explorer (mlpkit/widgets/gradient_flow.py)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from mlpkit import MLP, numerical_gradient
from mlpkit.widgets import gradient_flow as wg


def test_norms_are_those_of_finite_differences():
    # an independent gradient: central differences of the loss, layer by layer
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 5)), rng.integers(0, 10, 12)
    norms = wg.layer_gradient_norms(depth=2, activation="tanh", width=4, seed=3, batch=(X, y))
    net = MLP([5, 4, 4, 10], hidden="tanh", seed=3)
    numeric = [np.linalg.norm(numerical_gradient(lambda: net.loss(X, y), layer.W)) for layer in net.layers]
    assert norms.shape == (3,)
    assert np.allclose(norms, numeric, rtol=1e-6)


def test_sigmoid_vanishes_and_relu_with_he_does_not():
    sig = wg.layer_gradient_norms(depth=8, activation="sigmoid")
    relu = wg.layer_gradient_norms(depth=8, activation="relu")
    assert len(sig) == 9 and np.all(np.isfinite(sig)) and np.all(sig > 0)
    assert sig[0] / sig[-1] < 1e-3                       # first hidden layer: a vanishing gradient
    assert relu[0] / relu[-1] > 0.1
    assert sig[0] < sig[4] < sig[-1]                     # it shrinks on the way back


def test_deeper_sigmoid_nets_vanish_more():
    ratios = [(lambda n: n[0] / n[-1])(wg.layer_gradient_norms(d, "sigmoid")) for d in (2, 4, 8)]
    assert ratios[0] > ratios[1] > ratios[2]


def test_settings_change_the_profile():
    base = wg.layer_gradient_norms(4, "tanh")
    for kw in ({"init": "uniform"}, {"width": 8}, {"activation": "elu"}):
        other = wg.layer_gradient_norms(**{"depth": 4, "activation": "tanh", **kw})
        assert not np.allclose(base, other)


@pytest.mark.parametrize("kw, match", [({"depth": 0}, "depth:"), ({"depth": True}, "depth:"),
                                       ({"width": 0}, "width:"), ({"activation": "identity"}, "activation:"),
                                       ({"init": "zeros"}, "init:")])
def test_bad_settings_raise(kw, match):
    with pytest.raises(ValueError, match=match):
        wg.layer_gradient_norms(**kw)


def test_static_figure_draws_one_line_per_unit():
    ax, runs = wg.static_figure(depth=5)
    assert [r["activation"] for r in runs] == ["sigmoid", "tanh", "relu"]
    assert len(ax.lines) == 3 and len(ax.lines[0].get_xdata()) == 6
    assert "sigmoid" in ax.get_legend().get_texts()[0].get_text()


def test_explorer_adds_a_profile_per_change_and_keeps_the_last():
    box = wg.explorer(depth=3, activation="sigmoid", keep=2)
    assert len(box.runs) == 1 and len(box.state["norms"]) == 4
    box.depth.value = 7
    assert box.state["depth"] == 7 and len(box.state["norms"]) == 8
    box.activation.value = "relu"
    assert [r["activation"] for r in box.runs] == ["sigmoid", "relu"] and box.runs[-1]["depth"] == 7
    box.init.value = "uniform"
    assert box.state["init"] == "uniform" and len(box.runs) == 2
    assert np.allclose(box.state["norms"], wg.layer_gradient_norms(7, "relu", init="uniform"))
    box.clear.click()
    assert box.runs == []
