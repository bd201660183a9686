"""Tests of the backpropagation viewer (mlpkit/widgets/backprop.py)."""
import re

import matplotlib.pyplot as plt
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


# --- readability: font sizes, nothing cut or overlapping, the setting's name fits its dropdown ---

def _layout_problems(fig):
    """What a reader of ``fig`` (rendered) cannot read: a list of strings, empty when all is clear.

    Text on a unit must lie inside its circle; labels on connections must not overlap each other
    or cover a unit; titles must stay inside the figure; nothing of one frame (title included)
    may run into another frame or into the figure's title.
    """
    from matplotlib.patches import Circle

    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    box = fig.bbox
    problems = []
    for ax in fig.axes:
        discs = []
        for c in (p for p in ax.patches if isinstance(p, Circle)):
            cx, cy = ax.transData.transform(c.center)
            edge = ax.transData.transform((c.center[0] + c.radius, c.center[1]))[0]
            discs.append((cx, cy, edge - cx, c.center))
        labels = []
        for t in (t for t in ax.texts if t.get_text()):
            bb = t.get_window_extent(r)
            if t.get_bbox_patch() is not None:                      # a number on a connection
                labels.append((t.get_text(), bb))
                continue
            for cx, cy, rad, centre in discs:
                if np.allclose(t.get_position(), centre):           # the text on a unit
                    far = max(np.hypot(x - cx, y - cy) for x in (bb.x0, bb.x1) for y in (bb.y0, bb.y1))
                    if far > rad:
                        problems.append(f"{t.get_text()!r} sticks out of its unit")
        for n, (a, ba) in enumerate(labels):
            problems += [f"labels {a!r} and {b!r} overlap" for b, bb in labels[n + 1:] if ba.overlaps(bb)]
            for cx, cy, rad, _ in discs:
                near = np.hypot(np.clip(cx, ba.x0, ba.x1) - cx, np.clip(cy, ba.y0, ba.y1) - cy)
                if near < rad - 1:
                    problems.append(f"label {a!r} covers a unit")
        tb = ax._left_title.get_window_extent(r)
        if tb.x0 < box.x0 - 1 or tb.x1 > box.x1 + 1 or tb.y1 > box.y1 + 1:
            problems.append(f"title {ax._left_title.get_text()[:25]!r} leaves the figure")
    drawn = {ax: [ax._left_title.get_window_extent(r)]
             + [t.get_window_extent(r) for t in ax.texts if t.get_text()]
             + [p.get_window_extent(r) for p in ax.patches] for ax in fig.axes}
    if fig._suptitle is not None:
        drawn["suptitle"] = [fig._suptitle.get_window_extent(r)]
    owners = list(drawn)
    for n, a in enumerate(owners):
        for b in owners[n + 1:]:
            if any(ba.overlaps(bb) for ba in drawn[a] for bb in drawn[b]):
                problems.append(f"{a} runs into {b}")
    return problems


def _font_sizes_ok(ax):
    assert ax._left_title.get_fontsize() >= 11, "step and equations: at least 11 pt"
    sizes = [t.get_fontsize() for t in ax.texts if t.get_text()]
    assert sizes and min(sizes) >= 9, f"numbers and names on the diagram: at least 9 pt, got {min(sizes)}"


@pytest.mark.parametrize("setting, example", [("mitchell", 1), ("cross-entropy", 2), ("tanh", 1)])
def test_explorer_frames_are_readable(setting, example):
    p = wb.example_network()
    tr = wb.backprop_trace(p, p["X"][example], p["T"][example], setting)
    places = []
    for step in range(len(wb.STEPS)):
        ax, _ = wb.draw_step(tr, step)                      # the explorer's own figure
        _font_sizes_ok(ax)
        assert _layout_problems(ax.figure) == [], f"step {step}"
        places.append(ax.get_window_extent().bounds)
        plt.close(ax.figure)
    assert all(np.allclose(pl, places[0]) for pl in places), "the diagram jumps between steps"


def test_static_figure_is_readable():
    axes = wb.static_figure("mitchell", example=1)
    fig = axes[0].figure
    assert fig._suptitle.get_fontsize() >= 11
    for ax in axes:
        _font_sizes_ok(ax)
    assert _layout_problems(fig) == []


def test_layout_check_sees_a_cramped_figure():
    # the check above can fail: the same frame squeezed into a small figure
    p = wb.example_network()
    tr = wb.backprop_trace(p, p["X"][1], p["T"][1], "mitchell")
    fig, ax = plt.subplots(figsize=(4, 3))
    wb.draw_step(tr, 4, ax=ax)
    assert any("sticks out" in msg for msg in _layout_problems(fig))


def test_mitchell_hidden_delta_says_which_weight_it_sums():
    p = wb.example_network()
    tr = wb.backprop_trace(p, p["X"][1], p["T"][1], "mitchell")
    lines = wb.step_view(tr, 4)["equations"]
    formula = next(line for line in lines if line.startswith("Mitchell's"))
    i, j = re.search(r"\\sum_k w_\{(\w)(\w)\}\\delta_k", formula).groups()
    # the weight in the sum is named, and said to run from the hidden unit h into the output unit k
    text = " ".join(lines)
    assert re.search(rf"w_\{{{i}{j}\}}\$ = weight from \$h\$ into \$k\$", text), text
    assert "W2[k, h]" in text
    # the numbers printed are that sum with the weight from h into k, i.e. W2[k, h] (column h)
    printed = np.array([float(v) for v in formula.rsplit("= [", 1)[1].rstrip("]").split(",")])
    o_h = tr["a1"]
    from_h_into_k = tr["W2"]                                 # row k, column h
    mine = o_h * (1 - o_h) * np.array([sum(from_h_into_k[k, h] * tr["mitchell_delta2"][k]
                                            for k in range(tr["a2"].size)) for h in range(o_h.size)])
    np.testing.assert_allclose(printed, mine, atol=5e-4)


def _text_px(text, px=13):
    """Width in pixels of ``text`` at ``px`` (JupyterLab's widget font size), in DejaVu Sans: a wide
    sans-serif, so a conservative stand-in for the browser's font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    return TextPath((0, 0), text, size=px, prop=FontProperties(family="DejaVu Sans")).get_extents().width


def test_setting_dropdown_shows_the_whole_name():
    box = wb.explorer()
    dd = box.setting
    width = float(dd.layout.width.removesuffix("px"))
    desc = dd.style.description_width
    # 'initial': the label takes its own width; otherwise ipywidgets' CSS gives it 80px
    label = _text_px(dd.description) if desc == "initial" else float(desc.removesuffix("px") or 80)
    longest = max(_text_px(name) for name, _ in dd.options)
    assert width >= label + longest + 40, "room for the label, the name, the arrow and padding"
