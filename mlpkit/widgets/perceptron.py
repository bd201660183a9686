"""Perceptron explorer (notebook 01): step through the perceptron's updates.

The pure part (:func:`load_dataset`, :func:`perceptron_trace`, :func:`step_state`,
:func:`line_segment`) computes everything a frame shows, so it can be unit-tested;
:func:`plot_step` draws one frame on an ``ax``; :func:`static_figure` draws a grid of
frames and a legend (for the stored, deterministic output of a notebook); :func:`explorer` returns
the interactive widget (a data-set dropdown and an update slider).

A frame ``k`` shows the weights after ``k`` updates: the separating line
``w1 x1 + w2 x2 + b = 0`` (solid), the line before the update (dashed), the
example that update ``k`` corrected (ringed), and every example that is still
a mistake (``y_n (w . x_n) <= 0``, marked with a cross).
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..perceptron import Perceptron, add_bias

__all__ = ["DATASETS", "load_dataset", "perceptron_trace", "step_state", "line_segment",
           "plot_step", "legend_handles", "static_figure", "explorer"]

#: Data sets offered by the explorer's dropdown.
DATASETS = ("separable", "XOR", "AND", "OR")

#: Plot window (the same for every frame, so the line's motion is visible).
BOX = (-1.25, 1.25, -1.25, 1.25)


def load_dataset(name: str = "separable", seed: int = 0, n_samples: int = 30,
                 margin: float = 0.1):
    """``(X, y)`` with labels ``-1/+1`` for one of :data:`DATASETS`.

    ``separable`` is :func:`mlpkit.data.linearly_separable`; the gates are the
    four corners of the unit square.
    """
    if name == "separable":
        X, y01, _ = data.linearly_separable(n_samples=n_samples, margin=margin, seed=seed)
        return X, 2 * y01 - 1
    if name in ("XOR", "AND", "OR"):
        return data.logic_gate(name, pm1=True)
    raise ValueError(f"name: expected one of {', '.join(DATASETS)}; got {name!r}")


def perceptron_trace(X, y, max_epochs: int = 10) -> dict:
    """Every weight vector the perceptron visits, from ``w = 0``.

    Returns a dict with ``ws`` (``(K + 1, d + 1)``: ``ws[k]`` are the augmented
    weights after ``k`` updates, bias last), ``idx`` (``(K,)``: the example
    corrected by update ``k`` is ``idx[k - 1]``), ``converged`` and ``X``, ``y``.
    The updates are those of :class:`mlpkit.Perceptron` (sweeps in order).
    """
    p = Perceptron(max_epochs=max_epochs).fit(X, y)
    d = np.asarray(X).shape[1] + 1
    ws = np.vstack([np.zeros((1, d))] + [w[None, :] for _, w in p.updates_])
    idx = np.array([n for n, _ in p.updates_], dtype=int)
    return {"ws": ws, "idx": idx, "converged": bool(p.converged_),
            "X": np.asarray(X, dtype=float), "y": np.asarray(y)}


def line_segment(w, box=BOX):
    """End points ``[(x1, x2), (x1, x2)]`` of ``w1 x1 + w2 x2 + b = 0`` inside ``box``.

    ``w = [w1, w2, b]``; ``box = (x1min, x1max, x2min, x2max)``. Returns ``None``
    when ``(w1, w2) = 0`` (no line) or when the line misses the box.
    """
    w = np.asarray(w, dtype=float)
    normal, b = w[:2], w[2]
    nn = normal @ normal
    if nn == 0:
        return None
    p0 = -b * normal / nn                 # the point of the line closest to the origin
    direction = np.array([-normal[1], normal[0]])
    lo, hi = -np.inf, np.inf
    for k, (cmin, cmax) in enumerate(((box[0], box[1]), (box[2], box[3]))):
        if direction[k] == 0:
            if not (cmin <= p0[k] <= cmax):
                return None
            continue
        t1, t2 = sorted(((cmin - p0[k]) / direction[k], (cmax - p0[k]) / direction[k]))
        lo, hi = max(lo, t1), min(hi, t2)
    if lo > hi:
        return None
    return np.array([p0 + lo * direction, p0 + hi * direction])


def step_state(trace: dict, k: int) -> dict:
    """What frame ``k`` (after ``k`` updates) shows, as plain numbers.

    Keys: ``k``, ``n_updates`` (total in the trace), ``w``, ``w_before``,
    ``corrected`` (index of the example update ``k`` corrected, ``None`` for
    ``k = 0``), ``mistakes`` (boolean mask ``y_n (w . x_n) <= 0``),
    ``segment`` and ``segment_before`` (see :func:`line_segment`),
    ``repeat_of`` (the first ``j < k`` with ``ws[j] == ws[k]``, else ``None``:
    the perceptron is cycling) and ``converged``.
    """
    ws = trace["ws"]
    K = ws.shape[0] - 1
    k = int(k)
    if not 0 <= k <= K:
        raise ValueError(f"k: expected an update count in 0..{K}, got {k}")
    w = ws[k]
    w_before = ws[k - 1] if k > 0 else None
    Xa = add_bias(trace["X"])
    same = np.flatnonzero(np.all(ws[:k] == w, axis=1))
    return {
        "k": k,
        "n_updates": K,
        "w": w.copy(),
        "w_before": None if w_before is None else w_before.copy(),
        "corrected": int(trace["idx"][k - 1]) if k > 0 else None,
        "mistakes": trace["y"] * (Xa @ w) <= 0,
        "segment": line_segment(w),
        "segment_before": None if w_before is None else line_segment(w_before),
        "repeat_of": int(same[0]) if same.size else None,
        "converged": trace["converged"],
    }


def plot_step(trace: dict, k: int, ax=None, title: str | None = None):
    """Draw frame ``k`` of ``trace`` on ``ax`` (a new one if ``None``); returns ``(ax, state)``."""
    import matplotlib.pyplot as plt

    s = step_state(trace, k)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    X, y = trace["X"], trace["y"]
    for label, colour, marker in ((+1, "C0", "o"), (-1, "C3", "s")):
        sel = y == label
        ax.scatter(X[sel, 0], X[sel, 1], c=colour, marker=marker, s=30, edgecolors="k",
                   linewidths=0.5, label=f"y = {label:+d}", zorder=3)
    if s["mistakes"].any():
        ax.scatter(X[s["mistakes"], 0], X[s["mistakes"], 1], marker="x", c="k", s=25,
                   linewidths=1, label="mistake", zorder=4)
    if s["corrected"] is not None:
        xc = X[s["corrected"]]
        ax.scatter([xc[0]], [xc[1]], s=220, facecolors="none", edgecolors="C2", linewidths=2,
                   label="corrected", zorder=5)
    if s["segment_before"] is not None:
        seg = s["segment_before"]
        ax.plot(seg[:, 0], seg[:, 1], "--", color="0.55", lw=1.2, label="before")
    if s["segment"] is not None:
        seg = s["segment"]
        ax.plot(seg[:, 0], seg[:, 1], "-", color="k", lw=2, label="after")
        # an arrow along w from the middle of the line shows the +1 side
        mid = seg.mean(axis=0)
        nrm = s["w"][:2] / np.linalg.norm(s["w"][:2])
        ax.annotate("", xy=mid + 0.3 * nrm, xytext=mid,
                    arrowprops={"arrowstyle": "->", "color": "k"})
    ax.set_xlim(BOX[0], BOX[1])
    ax.set_ylim(BOX[2], BOX[3])
    ax.set_xticks([-1, 0, 1])
    ax.set_yticks([-1, 0, 1])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is None:
        w = s["w"] + 0.0                  # + 0.0 turns -0.0 into 0.0 for printing
        title = f"update {s['k']}/{s['n_updates']}: w = ({w[0]:.2g}, {w[1]:.2g}), b = {w[2]:.2g}"
        if s["repeat_of"] is not None:
            title += f"\nsame w as after update {s['repeat_of']}: cycling"
        elif s["k"] == s["n_updates"] and s["converged"]:
            title += "\nno mistake left: converged"
    ax.set_title(title, fontsize=11)
    return ax, s


def legend_handles():
    """Proxy artists explaining the marks of :func:`plot_step` (for a figure-level legend)."""
    from matplotlib.lines import Line2D

    return [Line2D([], [], ls="", marker="o", mfc="C0", mec="k", label="y = +1"),
            Line2D([], [], ls="", marker="s", mfc="C3", mec="k", label="y = -1"),
            Line2D([], [], ls="", marker="x", color="k", label="mistake: y (w.x) <= 0"),
            Line2D([], [], ls="", marker="o", ms=12, mfc="none", mec="C2", mew=2,
                   label="corrected by this update"),
            Line2D([], [], ls="--", color="0.55", label="line before"),
            Line2D([], [], ls="-", color="k", lw=2, label="line after (arrow: +1 side)")]


def static_figure(dataset: str = "separable", steps=None, ncols: int = 3, max_epochs: int = 10,
                  seed: int = 0):
    """Frames of one data set in a grid, the cell after the last frame holding the legend.

    ``steps`` defaults to 0, 1, 2, the middle and the last update (a 2 x 3 grid
    with ``ncols = 3``). Returns ``(axes, trace)``: the frames' axes in the
    order of ``steps`` and the :func:`perceptron_trace` they show.
    """
    import matplotlib.pyplot as plt

    if not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols: expected a positive integer number of columns, got {ncols!r}")
    X, y = load_dataset(dataset, seed=seed)
    trace = perceptron_trace(X, y, max_epochs=max_epochs)
    K = trace["ws"].shape[0] - 1
    if steps is None:
        steps = sorted({0, min(1, K), min(2, K), K // 2, K})
    steps = list(steps)
    nrows = -(-(len(steps) + 1) // ncols)          # the frames and the legend cell
    # fixed margins instead of tight_layout (laying out tick labels is what makes figures slow):
    # 0.9 in at the top for the suptitle and two-line titles, 0.5 in at the bottom for x_1
    height = 4.4 * nrows
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.3 * ncols, height), squeeze=False)
    fig.subplots_adjust(left=0.05, right=0.98, bottom=0.5 / height, top=1 - 0.9 / height,
                        wspace=0.25, hspace=0.45)
    frames = axes.flat[:len(steps)]
    for ax, k in zip(frames, steps):
        plot_step(trace, k, ax=ax)
    for ax in axes.flat[len(steps):]:
        ax.axis("off")
    axes.flat[len(steps)].legend(handles=legend_handles(), loc="center", fontsize=11,
                                 frameon=False)
    fig.suptitle(f"the perceptron on the {dataset} data", fontsize=13)
    return frames, trace


def explorer(dataset: str = "separable", max_epochs: int = 10, seed: int = 0):
    """The interactive explorer: a data-set dropdown and an update slider.

    Returns an ``ipywidgets.VBox``; its attributes ``dataset``, ``step`` (the
    controls) and ``state`` (the :func:`step_state` of the frame on show) let
    tests drive it without a browser.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import clear_output

    traces = {}

    def trace_of(name):
        if name not in traces:
            X, y = load_dataset(name, seed=seed)
            traces[name] = perceptron_trace(X, y, max_epochs=max_epochs)
        return traces[name]

    drop = widgets.Dropdown(options=list(DATASETS), value=dataset, description="data")
    n0 = trace_of(dataset)["ws"].shape[0] - 1
    slider = widgets.IntSlider(value=min(1, n0), min=0, max=n0, description="update",
                               continuous_update=True)
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([drop, slider]), out])

    def redraw(_change=None):
        tr = trace_of(drop.value)
        with out:
            clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(7.5, 4.5))
            _, box.state = plot_step(tr, slider.value, ax=ax)
            ax.legend(handles=legend_handles(), fontsize=10, loc="upper left",
                      bbox_to_anchor=(1.02, 1), frameon=False)
            fig.subplots_adjust(left=0.08, right=0.58, bottom=0.12, top=0.88)
            plt.show()
            plt.close(fig)

    def on_dataset(_change):
        K = trace_of(drop.value)["ws"].shape[0] - 1
        slider.unobserve(redraw, names="value")  # one redraw for the new data, not one per change
        slider.max = K
        slider.value = min(1, K)
        slider.observe(redraw, names="value")
        redraw()

    drop.observe(on_dataset, names="value")
    slider.observe(redraw, names="value")
    box.dataset, box.step, box.output = drop, slider, out
    redraw()
    return box
