"""Tests of the softmax explorer (mlpkit/widgets/softmax.py)."""

import numpy as np
import pytest

from mlpkit import losses
from mlpkit.gradcheck import numerical_gradient, relative_error
from mlpkit.widgets import softmax as ws


def test_state_matches_mlpkit_losses():
    z = np.array([2.0, -1.0, 0.5, 3.0])
    s = ws.softmax_state(z, 2)
    np.testing.assert_allclose(s["probs"], losses.softmax(z))
    assert np.isclose(s["probs"].sum(), 1.0)
    assert np.isclose(s["loss"], losses.softmax_cross_entropy(z[None, :], np.array([2])))
    np.testing.assert_allclose(s["grad"], losses.softmax_cross_entropy_grad(z[None, :], np.array([2]))[0])
    assert s["pred"] == 3 and s["max"] == 3.0
    assert s["max"] <= s["logsumexp"] <= s["max"] + np.log(4)


@pytest.mark.parametrize("T", [1.0, 0.3, 4.0])
def test_gradient_matches_finite_differences(T):
    z = np.array([0.2, -1.3, 2.1])
    g = ws.softmax_state(z, 1, T)["grad"]
    num = numerical_gradient(lambda: ws.softmax_state(z, 1, T)["loss"], z)
    assert relative_error(g, num) < 1e-8


def test_each_control_changes_the_output():
    base = ws.softmax_state([2.0, 1.0, 0.5, -1.0], 0, 1.0)
    moved = ws.softmax_state([2.0, 1.0, 4.0, -1.0], 0, 1.0)      # raise one wrong logit
    assert moved["probs"][2] > base["probs"][2] and moved["probs"][0] < base["probs"][0]
    assert moved["loss"] > base["loss"]
    other = ws.softmax_state([2.0, 1.0, 0.5, -1.0], 3, 1.0)      # change the true class
    np.testing.assert_allclose(other["probs"], base["probs"])
    assert other["loss"] > base["loss"] and other["grad"][3] < 0 and base["grad"][3] > 0
    hot = ws.softmax_state([2.0, 1.0, 0.5, -1.0], 0, 5.0)         # a higher temperature flattens
    assert hot["probs"].max() < base["probs"].max()


def test_extreme_logits_stay_finite():
    s = ws.softmax_state([1000.0, 0.0, -1000.0], 2)
    assert np.all(np.isfinite(s["probs"])) and np.isfinite(s["loss"])
    assert np.isclose(s["loss"], 2000.0)
    np.testing.assert_allclose(s["grad"], [1.0, 0.0, -1.0])


@pytest.mark.parametrize("args, match", [
    (([1.0], 0), "z:"), (([1.0, 2.0], 2), "y:"), (([1.0, 2.0], True), "y:"),
    (([1.0, np.inf], 0), "z:"), (([1.0, 2.0], 0, 0.0), "temperature:"),
])
def test_bad_input_raises(args, match):
    with pytest.raises(ValueError, match=match):
        ws.softmax_state(*args)


def test_explorer_controls_respond():
    box = ws.explorer()
    first = box.state
    assert first["y"] == 0 and len(box.logits) == 4
    box.logits[3].value = 5.0
    assert box.state["z"][3] == 5.0
    assert box.state["pred"] == 3 and box.state["loss"] > first["loss"]
    box.true_class.value = 3
    assert box.state["y"] == 3 and box.state["grad"][3] < 0
    before = box.state["probs"].max()
    box.temperature.value = 10.0
    assert box.state["probs"].max() < before


def test_static_figure_draws_rows():
    axes = ws.static_figure()
    assert axes.shape == (3, 3)
    assert "L = " in axes[1, 2].get_title()
    assert len(axes[0, 1].patches) == 4
