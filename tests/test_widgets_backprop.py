"""Tests of the backpropagation viewer (mlpkit/widgets/backprop.py)."""

import numpy as np
import pytest

from mlpkit import MLP
from mlpkit.gradcheck import numerical_gradient
from mlpkit.widgets import backprop as wb


def _loss(params, x, t, setting):
    return wb.backprop_trace(params, x, t, setting)["loss"]


@pytest.mark.parametrize("setting", list(wb.SETTINGS))
def test_trace_gradients_match_finite_differences(setting):
    p = wb.example_network(sizes=(3, 4, 2), seed=1)
    x, t = p["X"][2], p["T"][2]
    tr = wb.backprop_trace(p, x, t, setting)
    for name in ("W1", "b1", "W2", "b2"):
        num = numerical_gradient(lambda: _loss(p, x, t, setting), p[name])
        np.testing.assert_allclose(tr["d" + name], num, rtol=1e-6, atol=1e-9)
    # the deltas are dL/dz: perturbing b is perturbing z
    np.testing.assert_allclose(tr["delta2"], tr["db2"])
    np.testing.assert_allclose(tr["mitchell_delta2"], -tr["delta2"])
    np.testing.assert_allclose(tr["mitchell_delta1"], -tr["delta1"])


@pytest.mark.parametrize("setting, hidden, output", [("cross-entropy", "sigmoid", "sigmoid"),
                                                     ("tanh", "tanh", "identity")])
def test_trace_matches_mlpkit_mlp(setting, hidden, output):
    p = wb.example_network(seed=2)
    net = MLP([2, 3, 2], hidden=hidden, output=output, seed=0)
    for layer, (W, b) in zip(net.layers, ((p["W1"], p["b1"]), (p["W2"], p["b2"]))):
        layer.W[...] = W
        layer.b[...] = b
    x, t = p["X"][3], p["T"][3]
    tr = wb.backprop_trace(p, x, t, setting)
    (dW1, db1), (dW2, db2) = net.gradients(x[None, :], t[None, :])
    for mine, lib in ((tr["dW1"], dW1), (tr["db1"], db1), (tr["dW2"], dW2), (tr["db2"], db2)):
        np.testing.assert_allclose(mine, lib, rtol=1e-10, atol=1e-14)
    assert np.isclose(tr["loss"], net.loss(x[None, :], t[None, :]))


def test_each_step_shows_something_new():
    p = wb.example_network()
    tr = wb.backprop_trace(p, p["X"][1], p["T"][1], "mitchell")
    views = [wb.step_view(tr, s) for s in range(len(wb.STEPS))]
    for a, b in zip(views, views[1:]):
        assert (a["nodes"], a["equations"], a["edges"]) != (b["nodes"], b["equations"], b["edges"])
    assert views[0]["nodes"][1] == ["", "", ""] and views[0]["nodes"][2] == ["", ""]
    assert all("\u03b4" not in txt for txt in views[3]["nodes"][1])      # hidden delta not yet
    assert all("\u03b4" in txt for txt in views[4]["nodes"][1])
    assert views[1]["direction"] == "forward" and views[4]["direction"] == "backward"
    np.testing.assert_array_equal(views[4]["values"]["delta1"], tr["delta1"])
    assert set(views[5]["edges"]) == {(1, j, i) for j in range(3) for i in range(2)} | \
        {(2, k, j) for k in range(2) for j in range(3)}
    assert any("Mitchell" in line for line in views[3]["equations"])
    with pytest.raises(ValueError, match="step:"):
        wb.step_view(tr, len(wb.STEPS))
    with pytest.raises(ValueError, match="setting:"):
        wb.backprop_trace(p, p["X"][0], p["T"][0], "relu")


def test_example_changes_the_numbers():
    p = wb.example_network()
    a = wb.step_view(wb.backprop_trace(p, p["X"][0], p["T"][0], "tanh"), 4)
    b = wb.step_view(wb.backprop_trace(p, p["X"][3], p["T"][3], "tanh"), 4)
    assert a["nodes"] != b["nodes"]
    assert not np.allclose(a["values"]["delta1"], b["values"]["delta1"])


def test_draw_step_draws_every_unit_and_connection():
    p = wb.example_network()
    tr = wb.backprop_trace(p, p["X"][2], p["T"][2], "cross-entropy")
    ax, view = wb.draw_step(tr, 5)
    assert len(ax.patches) == 2 + 3 + 2
    assert len(ax.lines) == 2 * 3 + 3 * 2
    texts = [t.get_text() for t in ax.texts]
    assert sum(txt in texts for txt in view["edges"].values()) >= 1
    assert "gradients" in ax.get_title(loc="left")
    axes = wb.static_figure("tanh", example=0)
    assert len(axes) == 4


def test_explorer_controls_change_the_frame():
    box = wb.explorer(setting="mitchell", example=1, step=0)
    first = box.view
    assert first["step"] == 0
    box.step.value = 3
    assert box.view["step"] == 3
    assert box.view["nodes"] != first["nodes"]
    mitchell_delta = box.view["values"]["delta2"].copy()
    box.setting.value = "cross-entropy"
    assert box.trace["setting"] == "cross-entropy"
    assert not np.allclose(box.view["values"]["delta2"], mitchell_delta)
    before = box.view["values"]["delta2"].copy()
    box.example.value = 2
    assert not np.allclose(box.view["values"]["delta2"], before)
    np.testing.assert_array_equal(box.trace["x"], wb.example_network()["X"][2])
