"""Tests of the notebook-03 explorer (mlpkit.widgets.xor): the hand-set net is XOR; sliders change it."""

import numpy as np
import pytest

import mlpkit
from mlpkit.widgets import xor as wx


def test_hand_set_solution_computes_xor_with_every_intermediate():
    s = wx.xor_state()
    np.testing.assert_array_equal(s["XW"], [[0, 0], [1, 1], [1, 1], [2, 2]])
    np.testing.assert_array_equal(s["XWc"], [[0, -1], [1, 0], [1, 0], [2, 1]])
    np.testing.assert_array_equal(s["H"], [[0, 0], [1, 0], [1, 0], [2, 1]])
    np.testing.assert_array_equal(s["f"], [0, 1, 1, 0])
    assert s["J"] == 0.0 and s["correct"].all()


def test_matches_mlpkit_mlp_with_transposed_weights():
    rng = np.random.default_rng(0)
    W, c, w, b = rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2), 0.7
    net = mlpkit.MLP([2, 2, 1], hidden="relu", output="identity")
    net.layers[0].W[...] = W.T  # course convention: (n_out, n_in)
    net.layers[0].b[...] = c
    net.layers[1].W[...] = w[None, :]
    net.layers[1].b[...] = b
    np.testing.assert_allclose(net.forward(wx.X_XOR)[:, 0], wx.relu_net(wx.X_XOR, W, c, w, b)["f"])


def test_changing_a_parameter_changes_outputs_and_regions():
    base = wx.xor_state()
    s = wx.xor_state(w=[1.0, 0.0])  # drop the correction of the (1, 1) corner
    assert s["f"][3] == pytest.approx(2.0)
    assert not s["correct"][3] and s["J"] > 0
    assert not np.array_equal(s["grid"][2] > 0.5, base["grid"][2] > 0.5)
    s = wx.xor_state(c=[0.0, 0.0])
    assert not np.allclose(s["H"], base["H"])


def test_relu_net_checks_shapes():
    with pytest.raises(ValueError, match="W, c, w"):
        wx.relu_net(wx.X_XOR, np.ones((3, 2)), [0, 0], [1, 1], 0)


def test_plot_state_draws_three_panels():
    axes = wx.plot_state(wx.xor_state())
    assert len(axes) == 3
    assert "4/4 correct" in axes[2].get_title()


def test_explorer_responds_to_its_sliders_and_resets():
    box = wx.explorer()
    np.testing.assert_array_equal(box.state["f"], [0, 1, 1, 0])
    assert len(box.controls) == 9
    box.controls["w[1]"].value = 0.0
    assert box.state["f"][3] == pytest.approx(2.0)
    box.controls["b"].value = -0.5
    np.testing.assert_allclose(box.state["f"], [-0.5, 0.5, 0.5, 1.5])
    box.controls["W[0,1]"].value = 2.0  # input 1 -> hidden unit 2
    assert box.state["W"][0, 1] == 2.0
    reset = box.children[1]
    reset.click()
    np.testing.assert_array_equal(box.state["f"], [0, 1, 1, 0])
    assert box.controls["w[1]"].value == -2.0
