"""Tests of the perceptron explorer (mlpkit/widgets/perceptron.py)."""

import numpy as np
import pytest

from mlpkit import Perceptron
from mlpkit.perceptron import add_bias
from mlpkit.widgets import perceptron as wp


def test_trace_replays_mlpkit_perceptron():
    X, y = wp.load_dataset("separable", seed=3)
    tr = wp.perceptron_trace(X, y, max_epochs=100)
    p = Perceptron(max_epochs=100).fit(X, y)
    assert tr["converged"] and p.converged_
    assert tr["ws"].shape == (p.n_updates_ + 1, 3)
    assert np.all(tr["ws"][0] == 0)
    np.testing.assert_array_equal(tr["ws"][-1], p.w_)
    # each step adds y_n x_n of the corrected example, which was a mistake before the update
    Xa = add_bias(X)
    for k in range(1, tr["ws"].shape[0]):
        n = tr["idx"][k - 1]
        assert y[n] * (tr["ws"][k - 1] @ Xa[n]) <= 0
        np.testing.assert_array_equal(tr["ws"][k], tr["ws"][k - 1] + y[n] * Xa[n])


def test_step_changes_what_is_drawn():
    X, y = wp.load_dataset("separable", seed=0)
    tr = wp.perceptron_trace(X, y)
    s1, s2 = wp.step_state(tr, 1), wp.step_state(tr, 2)
    assert s1["k"] == 1 and s2["k"] == 2
    assert not np.array_equal(s1["w"], s2["w"])
    assert not np.allclose(s1["segment"], s2["segment"])
    np.testing.assert_array_equal(s2["w_before"], s1["w"])
    last = wp.step_state(tr, tr["ws"].shape[0] - 1)
    assert last["converged"] and not last["mistakes"].any()
    assert wp.step_state(tr, 0)["corrected"] is None
    assert wp.step_state(tr, 0)["segment"] is None      # w = 0: no line yet


def test_step_out_of_range_raises():
    X, y = wp.load_dataset("AND")
    tr = wp.perceptron_trace(X, y)
    with pytest.raises(ValueError, match="k:"):
        wp.step_state(tr, tr["ws"].shape[0])
    with pytest.raises(ValueError, match="name:"):
        wp.load_dataset("NOPE")


def test_xor_cycles_and_never_converges():
    X, y = wp.load_dataset("XOR")
    tr = wp.perceptron_trace(X, y, max_epochs=5)
    assert not tr["converged"]
    assert tr["ws"].shape[0] - 1 == 20              # one mistake on each of the 4 points, 5 sweeps
    s = wp.step_state(tr, 4)
    assert s["repeat_of"] == 0                       # back to w = 0 after one sweep
    assert s["mistakes"].all()
    assert wp.step_state(tr, 3)["repeat_of"] is None


def test_line_segment_lies_on_the_line_and_in_the_box():
    w = np.array([1.0, -2.0, 0.3])
    seg = wp.line_segment(w)
    assert seg.shape == (2, 2)
    np.testing.assert_allclose(add_bias(seg) @ w, 0, atol=1e-12)
    x1min, x1max, x2min, x2max = wp.BOX
    assert np.all((seg[:, 0] >= x1min - 1e-12) & (seg[:, 0] <= x1max + 1e-12))
    assert np.all((seg[:, 1] >= x2min - 1e-12) & (seg[:, 1] <= x2max + 1e-12))
    assert np.isclose(max(abs(seg[:, 0]).max() - x1max, abs(seg[:, 1]).max() - x2max), 0)
    assert wp.line_segment([0.0, 0.0, 1.0]) is None
    assert wp.line_segment([1.0, 0.0, -5.0]) is None  # x1 = 5 is outside the box
    np.testing.assert_allclose(wp.line_segment([0.0, 1.0, 0.0])[:, 1], 0)  # horizontal line


def test_explorer_slider_and_dropdown_respond():
    box = wp.explorer("separable")
    first = box.state
    assert first["k"] == 1
    box.step.value = 2
    assert box.state["k"] == 2
    assert not np.array_equal(box.state["w"], first["w"])
    box.dataset.value = "XOR"
    assert box.step.max == 40                        # 10 sweeps, 4 mistakes each
    assert box.state["k"] == 1
    box.step.value = 8
    assert box.state["repeat_of"] == 0                # w after 8 updates is w = 0 again
    assert box.state["n_updates"] == 40


def test_static_figure_draws_frames():
    axes, trace = wp.static_figure("XOR", steps=[0, 1, 4])
    assert len(axes) == 3
    assert trace["ws"].shape[0] - 1 == 40 and not trace["converged"]
    assert "cycling" in axes[2].get_title()
    axes, trace = wp.static_figure("separable")
    K = trace["ws"].shape[0] - 1
    assert [a.get_title().split(":")[0] for a in axes] == [
        f"update {k}/{K}" for k in (0, 1, 2, K // 2, K)]
    assert "converged" in axes[-1].get_title()
    with pytest.raises(ValueError, match="ncols"):
        wp.static_figure("AND", ncols=0)


def _overlap(a, b, tol=0.5):
    return a.x0 < b.x1 - tol and b.x0 < a.x1 - tol and a.y0 < b.y1 - tol and b.y0 < a.y1 - tol


@pytest.mark.parametrize("dataset, steps", [("separable", None), ("XOR", [0, 1, 2, 3, 4]),
                                            ("AND", [0, 1])])
def test_static_figure_is_a_readable_grid(dataset, steps):
    frames, _ = wp.static_figure(dataset, steps=steps)
    fig = frames[0].figure
    n = len(frames)
    # a grid of 3 columns: the frames and one more cell for the legend, the rest switched off
    assert len(fig.axes) == 3 * -(-(n + 1) // 3)
    legend_axes = [a for a in fig.axes if a.get_legend() is not None]
    assert len(legend_axes) == 1 and legend_axes[0] not in frames
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = legend_axes[0].get_legend()
    assert legend.get_texts()[0].get_fontsize() >= 11
    boxes = [legend.get_window_extent(renderer)]
    for ax in frames:
        assert ax.title.get_fontsize() >= 11
        boxes.append(ax.get_tightbbox(renderer))      # the frame with its title, ticks and labels
    boxes.append(fig._suptitle.get_window_extent(renderer))
    for i, a in enumerate(boxes):
        assert fig.bbox.x0 <= a.x0 and a.x1 <= fig.bbox.x1, a         # inside the figure
        assert fig.bbox.y0 <= a.y0 and a.y1 <= fig.bbox.y1, a
        for b in boxes[i + 1:]:
            assert not _overlap(a, b), (a, b)
