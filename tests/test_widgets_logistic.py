"""Tests of the notebook-02 explorer (mlpkit.widgets.logistic): moving a control changes what is drawn."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mlpkit.widgets import logistic as wl


def test_batch_size_for_modes():
    assert wl.batch_size_for("batch", 16, 200) is None
    assert wl.batch_size_for("stochastic", 16, 200) == 1
    assert wl.batch_size_for("minibatch", 16, 200) == 16
    assert wl.batch_size_for("minibatch", 500, 200) == 200
    with pytest.raises(ValueError, match="mode"):
        wl.batch_size_for("online", 16, 200)


def test_state_starts_at_log2_and_decreases_with_a_sensible_rate():
    s = wl.train_state(lr=0.1, mode="batch", epochs=20)
    assert s["loss"].shape == (21,)
    assert s["loss"][0] == pytest.approx(np.log(2))
    assert np.all(np.diff(s["loss"]) < 0)  # batch descent on a convex loss, small step
    assert s["steps_per_epoch"] == 1 and s["batch_size"] == 200


def test_learning_rate_changes_the_curve_and_the_boundary():
    a = wl.train_state(lr=0.01, mode="batch", epochs=10)
    b = wl.train_state(lr=1.0, mode="batch", epochs=10)
    assert b["loss"][-1] < a["loss"][-1] - 0.05
    assert not np.allclose(a["w"], b["w"])


def test_mode_and_batch_size_change_the_result():
    states = {m: wl.train_state(lr=0.1, mode=m, batch_size=16, epochs=5) for m in wl.MODES}
    assert [states[m]["steps_per_epoch"] for m in wl.MODES] == [1, 200, 13]
    # more steps per epoch: lower loss after the same number of epochs
    assert states["stochastic"]["loss"][-1] < states["minibatch"]["loss"][-1] < states["batch"]["loss"][-1]
    small = wl.train_state(lr=0.1, mode="minibatch", batch_size=4, epochs=5)
    assert not np.allclose(small["loss"], states["minibatch"]["loss"])


def test_batch_size_is_ignored_outside_minibatch_mode():
    a = wl.train_state(lr=0.1, mode="batch", batch_size=4, epochs=3)
    b = wl.train_state(lr=0.1, mode="batch", batch_size=64, epochs=3)
    np.testing.assert_array_equal(a["loss"], b["loss"])


def test_boundary_points_lie_on_the_line():
    w, b = np.array([1.5, -2.0]), 0.3
    xs, ys = wl.boundary_points(w, b, xlim=(-2, 3))
    np.testing.assert_allclose(w[0] * xs + w[1] * ys + b, 0, atol=1e-12)
    xs, ys = wl.boundary_points([2.0, 0.0], 1.0)
    np.testing.assert_allclose(xs, -0.5)
    assert wl.boundary_points([0.0, 0.0], 1.0) is None


def test_plot_state_draws_two_panels():
    axes = wl.plot_state(wl.train_state(epochs=3))
    assert len(axes) == 2
    assert len(axes[0].lines) == 1 and len(axes[0].lines[0].get_xdata()) == 4


def test_explorer_responds_to_its_controls():
    box = wl.explorer(epochs=5)
    first = box.state
    assert set(box.controls) == {"lr", "mode", "batch_size", "epochs"}
    box.controls["lr"].value = 1.0
    assert box.state is not first
    assert box.state["lr"] == pytest.approx(1.0)
    assert not np.allclose(box.state["loss"], first["loss"])
    box.controls["mode"].value = "stochastic"
    assert box.state["steps_per_epoch"] == 200
    assert box.controls["batch_size"].disabled
    box.controls["mode"].value = "minibatch"
    before = box.state["loss"]
    box.controls["batch_size"].value = 50
    assert box.state["batch_size"] == 50
    assert not np.allclose(box.state["loss"], before)
    box.controls["epochs"].value = 8
    assert box.state["loss"].shape == (9,)


def test_explorer_controls_show_their_full_labels():
    # ipywidgets' default description_width (80 px) cuts "learning rate" to "learning r..."
    box = wl.explorer(epochs=2)
    for name, control in box.controls.items():
        assert control.style.description_width == "initial", name
    for name in ("lr", "batch_size", "epochs"):
        width = box.controls[name].layout.width
        # the label now takes its own width: the slider needs more than the default 300 px
        assert width is not None and width.endswith("px") and float(width[:-2]) > 300, (name, width)


def _data_in_legend(ax, X, pad_px=3.0):
    """Mask of the data points (display coordinates) inside the legend's box, + a marker radius."""
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    xy = ax.transData.transform(X)
    return ((xy[:, 0] >= legend.x0 - pad_px) & (xy[:, 0] <= legend.x1 + pad_px)
            & (xy[:, 1] >= legend.y0 - pad_px) & (xy[:, 1] <= legend.y1 + pad_px))


@pytest.mark.parametrize("settings", [{}, {"lr": 10.0, "mode": "stochastic"},
                                      {"lr": 0.001, "mode": "batch", "epochs": 3}])
def test_boundary_legend_covers_no_data_and_stays_in_the_figure(settings):
    state = wl.train_state(**settings)
    _, ax1 = wl.plot_state(state)
    plt.tight_layout()
    assert ax1.get_legend() is not None
    inside = _data_in_legend(ax1, state["X"])
    assert not inside.any(), f"{inside.sum()} data points under the legend"
    fig_box = ax1.figure.bbox
    legend = ax1.get_legend().get_window_extent()
    assert fig_box.x0 <= legend.x0 and legend.x1 <= fig_box.x1   # not cut off by the figure edge
    assert fig_box.y0 <= legend.y0 and legend.y1 <= fig_box.y1


def test_legend_check_sees_a_legend_on_the_data():
    # the check above can fail: a legend put in the middle of the cloud covers points
    state = wl.train_state()
    _, ax1 = wl.plot_state(state)
    ax1.legend(loc="center")
    assert _data_in_legend(ax1, state["X"]).any()
