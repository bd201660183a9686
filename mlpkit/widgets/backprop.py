"""Step-by-step backpropagation viewer (notebook 04).

A two-layer network ``x -> a1 = g(W1 x + b1) -> a2 = f(W2 a1 + b2)`` is drawn as
a diagram; each step of one forward and one backward pass for a single
example writes its numbers on the units and the connections.

The pure part (:func:`example_network`, :func:`backprop_trace`,
:func:`step_view`) computes everything a frame shows, so it can be
unit-tested; :func:`draw_step` draws one frame on an ``ax``;
:func:`static_figure` draws four frames (for the stored, deterministic output
of a notebook); :func:`explorer` returns the interactive widget (setting and
example dropdowns, a step slider and a play button).

Conventions (SYLLABUS.md): ``W`` is ``(n_out, n_in)``, so ``W2[k, h]`` joins
hidden unit ``h`` to output unit ``k``; ``delta = dJ/dz`` (the course's error
signal); for one example the loss is the per-example loss ``L``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["SETTINGS", "STEPS", "MITCHELL_INDICES", "example_network", "backprop_trace", "step_view",
           "draw_step", "static_figure", "explorer"]

#: The three settings of notebook 04: hidden unit, output unit, loss.
SETTINGS = {
    "mitchell": "sigmoid hidden, sigmoid output, squared error (Mitchell)",
    "cross-entropy": "sigmoid hidden, sigmoid output, cross-entropy",
    "tanh": "tanh hidden, linear output, squared error",
}

#: The steps of one forward and backward pass (the slider's positions).
STEPS = (
    "0 input",
    "1 forward: hidden layer",
    "2 forward: output layer and loss",
    "3 backward: output delta",
    "4 backward: hidden delta",
    "5 gradients of the weights",
)

#: How the step-4 label's Mitchell-style weight relates to the course's ``W2`` (notebook 04, section 1):
#: their ``w_hk`` is the weight *from* ``h`` *into* ``k``; the course stores it as ``W2[k, h]``.
MITCHELL_INDICES = (r"(Mitchell's indices: $w_{hk}$ = weight from $h$ into $k$ "
                    r"= our $w^{(2)}_{kh}$ = W2[k, h])")

#: Font sizes (points) of the diagram: figure title, frame title (step and equations), the names of
#: the layers, and the numbers written on units and connections.
FONT_SUPTITLE, FONT_TITLE, FONT_LAYER, FONT_LABEL = 13, 11, 10, 9


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def example_network(sizes=(2, 3, 2), seed: int = 0, scale: float = 1.0) -> dict:
    """Seeded weights and four examples for the viewer.

    Returns ``{"W1", "b1", "W2", "b2", "X", "T"}``: weights drawn from
    ``U[-scale, scale]`` (large enough that the numbers on the diagram differ),
    ``X`` the four corners of the unit square (when ``sizes[0] == 2``; random
    points otherwise) and ``T`` targets in ``[0, 1]`` (XOR and its complement
    for two outputs).
    """
    n_in, n_h, n_out = (int(n) for n in sizes)
    rng = np.random.default_rng(seed)
    W1 = rng.uniform(-scale, scale, (n_h, n_in))
    b1 = rng.uniform(-scale, scale, n_h)
    W2 = rng.uniform(-scale, scale, (n_out, n_h))
    b2 = rng.uniform(-scale, scale, n_out)
    if n_in == 2:
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    else:
        X = rng.uniform(0, 1, (4, n_in))
    xor = np.array([0.0, 1.0, 1.0, 0.0])
    T = np.stack([xor if k % 2 == 0 else 1 - xor for k in range(n_out)], axis=1)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "X": X, "T": T}


def backprop_trace(params: dict, x, t, setting: str = "mitchell") -> dict:
    """Forward and backward pass of one example; every intermediate as float64 arrays.

    ``params`` holds ``W1`` ``(n_h, n_in)``, ``b1``, ``W2`` ``(n_out, n_h)``, ``b2``.
    The per-example losses are ``L = 1/2 ||a2 - t||^2`` (``"mitchell"``,
    ``"tanh"``) and ``L = -sum_k [t_k log a2_k + (1 - t_k) log(1 - a2_k)]``
    (``"cross-entropy"``). Returned keys: ``x, t, z1, a1, z2, a2, loss``,
    ``delta2 = dL/dz2``, ``delta1 = dL/dz1``, ``dW1, db1, dW2, db2`` and
    ``mitchell_delta2, mitchell_delta1`` (Mitchell's ``delta = -dL/dz``).
    """
    if setting not in SETTINGS:
        raise ValueError(f"setting: expected one of {', '.join(SETTINGS)}; got {setting!r}")
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
    x = np.asarray(x, dtype=np.float64).ravel()
    t = np.asarray(t, dtype=np.float64).ravel()
    if W1.shape[1] != x.size or W2.shape[0] != t.size:
        raise ValueError(f"x, t: expected {W1.shape[1]} inputs and {W2.shape[0]} targets, "
                         f"got {x.size} and {t.size}")
    z1 = W1 @ x + b1
    if setting == "tanh":
        a1 = np.tanh(z1)
        g1 = 1.0 - a1 ** 2                           # tanh' = 1 - tanh^2
    else:
        a1 = _sigmoid(z1)
        g1 = a1 * (1.0 - a1)                         # sigma' = sigma (1 - sigma)
    z2 = W2 @ a1 + b2
    if setting == "tanh":
        a2 = z2
        loss = 0.5 * float(np.sum((a2 - t) ** 2))
        delta2 = a2 - t
    elif setting == "mitchell":
        a2 = _sigmoid(z2)
        loss = 0.5 * float(np.sum((a2 - t) ** 2))
        delta2 = (a2 - t) * a2 * (1.0 - a2)
    else:
        a2 = _sigmoid(z2)
        loss = float(np.sum(np.logaddexp(0.0, z2) - t * z2))
        delta2 = a2 - t
    delta1 = (W2.T @ delta2) * g1
    return {
        "setting": setting, "x": x, "t": t, "z1": z1, "a1": a1, "z2": z2, "a2": a2,
        "loss": loss, "gprime1": g1, "delta2": delta2, "delta1": delta1,
        "dW2": np.outer(delta2, a1), "db2": delta2.copy(),
        "dW1": np.outer(delta1, x), "db1": delta1.copy(),
        "mitchell_delta2": -delta2, "mitchell_delta1": -delta1,
        "W1": W1, "b1": b1, "W2": W2, "b2": b2,
    }


def _vec(v, fmt="{:+.3f}") -> str:
    return "[" + ", ".join(fmt.format(float(e) + 0.0) for e in np.ravel(v)) + "]"


_G_NAME = {"mitchell": r"\sigma", "cross-entropy": r"\sigma", "tanh": r"\tanh"}


def _equations(tr: dict, step: int) -> list[str]:
    s = tr["setting"]
    g = _G_NAME[s]
    if step == 0:
        return [f"input x = {_vec(tr['x'], '{:.2f}')},  target t = {_vec(tr['t'], '{:.2f}')}"]
    if step == 1:
        return [f"$z^{{(1)}} = W^{{(1)}} x + b^{{(1)}}$ = {_vec(tr['z1'])}",
                f"$a^{{(1)}} = {g}(z^{{(1)}})$ = {_vec(tr['a1'])}"]
    if step == 2:
        out = "a^{(2)} = z^{(2)}" if s == "tanh" else r"a^{(2)} = \sigma(z^{(2)})"
        loss = (r"L = \frac{1}{2}\|a^{(2)} - t\|^2" if s != "cross-entropy"
                else r"L = -\sum_k [t_k \log a_k + (1 - t_k)\log(1 - a_k)]")
        return [f"$z^{{(2)}} = W^{{(2)}} a^{{(1)}} + b^{{(2)}}$ = {_vec(tr['z2'])}",
                f"${out}$ = {_vec(tr['a2'])}",
                f"${loss}$ = {tr['loss']:.4f}"]
    if step == 3:
        if s == "mitchell":
            return [r"$\delta^{(2)} = (a^{(2)} - t) \odot a^{(2)} \odot (1 - a^{(2)})$"
                    f" = {_vec(tr['delta2'])}",
                    r"Mitchell's $\delta_k = o_k(1 - o_k)(t_k - o_k) = -\delta^{(2)}_k$"
                    f" = {_vec(tr['mitchell_delta2'])}"]
        return [r"$\delta^{(2)} = a^{(2)} - t$" f" = {_vec(tr['delta2'])}"]
    if step == 4:
        gp = (r"(1 - a^{(1)} \odot a^{(1)})" if s == "tanh"
              else r"a^{(1)} \odot (1 - a^{(1)})")
        lines = [r"$\delta^{(1)} = (W^{(2)T} \delta^{(2)}) \odot " + gp + "$"
                 f" = {_vec(tr['delta1'])}"]
        if s == "mitchell":
            # Mitchell's own indices (w_hk from h into k), as notebook 04 writes them, with the mapping
            lines.append(r"Mitchell's $\delta_h = o_h(1 - o_h)\sum_k w_{hk}\delta_k = "
                         r"-\delta^{(1)}_h$" f" = {_vec(tr['mitchell_delta1'])}")
            lines.append(MITCHELL_INDICES)
        return lines
    return [r"$\partial L/\partial W^{(l)} = \delta^{(l)} a^{(l-1)T}$ (on the connections),  "
            r"$\partial L/\partial b^{(l)} = \delta^{(l)}$",
            f"db1 = {_vec(tr['db1'])},  db2 = {_vec(tr['db2'])}"]


def step_view(tr: dict, step: int) -> dict:
    """What frame ``step`` (0..5, see :data:`STEPS`) shows, as plain strings and flags.

    Keys: ``step``, ``title``, ``equations`` (lines of text), ``nodes`` (one
    list per layer: input, hidden, output; each entry the text written on that
    unit), ``active`` (per layer, the units computed in this step),
    ``edges`` (``{(layer, j, i): text}`` for ``layer`` 1 or 2: the numbers
    written on the connection from unit ``i`` of the layer below to unit ``j``),
    ``direction`` (``"forward"``, ``"backward"`` or ``None``) and ``values``
    (the arrays computed in this step, for tests).
    """
    step = int(step)
    if not 0 <= step < len(STEPS):
        raise ValueError(f"step: expected 0..{len(STEPS) - 1}, got {step}")
    n_in, n_h, n_out = tr["x"].size, tr["z1"].size, tr["z2"].size
    nodes = [[f"x={tr['x'][i]:.2f}" for i in range(n_in)], ["" for _ in range(n_h)],
             ["" for _ in range(n_out)]]
    if step >= 1:
        nodes[1] = [f"z={tr['z1'][j]:+.2f}\na={tr['a1'][j]:.3f}" for j in range(n_h)]
    if step >= 2:
        nodes[2] = [f"z={tr['z2'][k]:+.2f}\na={tr['a2'][k]:.3f}\nt={tr['t'][k]:.0f}"
                    for k in range(n_out)]
    if step >= 3:
        nodes[2] = [txt + f"\n\u03b4={tr['delta2'][k]:+.3f}" for k, txt in enumerate(nodes[2])]
    if step >= 4:
        nodes[1] = [txt + f"\n\u03b4={tr['delta1'][j]:+.3f}" for j, txt in enumerate(nodes[1])]
    active = [np.zeros(n, dtype=bool) for n in (n_in, n_h, n_out)]
    active[{0: 0, 1: 1, 2: 2, 3: 2, 4: 1, 5: 1}[step]][:] = True
    if step == 5:
        active[2][:] = True
    edges: dict = {}
    direction = None
    values: dict = {}
    if step == 0:
        values = {"x": tr["x"]}
    elif step == 1:
        direction = "forward"
        edges = {(1, j, i): f"{tr['W1'][j, i]:+.2f}" for j in range(n_h) for i in range(n_in)}
        values = {"z1": tr["z1"], "a1": tr["a1"]}
    elif step == 2:
        direction = "forward"
        edges = {(2, k, j): f"{tr['W2'][k, j]:+.2f}" for k in range(n_out) for j in range(n_h)}
        values = {"z2": tr["z2"], "a2": tr["a2"], "loss": tr["loss"]}
    elif step == 3:
        values = {"delta2": tr["delta2"]}
    elif step == 4:
        direction = "backward"
        edges = {(2, k, j): f"{tr['W2'][k, j]:+.2f}" for k in range(n_out) for j in range(n_h)}
        values = {"delta1": tr["delta1"]}
    else:
        edges = {(1, j, i): f"{tr['dW1'][j, i] + 0.0:+.3f}" for j in range(n_h) for i in range(n_in)}
        edges.update({(2, k, j): f"{tr['dW2'][k, j] + 0.0:+.3f}"
                      for k in range(n_out) for j in range(n_h)})
        values = {"dW1": tr["dW1"], "dW2": tr["dW2"], "db1": tr["db1"], "db2": tr["db2"]}
    return {"step": step, "title": STEPS[step], "equations": _equations(tr, step),
            "nodes": nodes, "active": active, "edges": edges, "direction": direction,
            "values": values}


#: Layout of the diagram (data units): distance between layers and between units, unit radius,
#: and the distance from a unit's centre at which the numbers of its connections are written.
_DX, _DY, _R, _LABEL = 2.4, 1.45, 0.5, 0.92
#: Size (inches) of one frame: the explorer's figure, and one panel of :func:`static_figure`;
#: the explorer keeps ``_TITLE_ROOM`` inches on top for the longest title (four lines), so the
#: diagram keeps its place and size from step to step.
_FRAME, _PANEL, _TITLE_ROOM = (6.5, 6.0), (6.5, 5.4), 1.3


def _positions(counts):
    """Unit centres: layer ``l`` at ``x = l * _DX``, units spread evenly in ``y`` (first on top)."""
    pos = []
    for l, n in enumerate(counts):
        ys = (np.arange(n) - (n - 1) / 2) * _DY
        pos.append([(l * _DX, float(-y)) for y in ys])
    return pos


def draw_step(tr: dict, step: int, ax=None, show_equations: bool = True):
    """Draw frame ``step`` of the trace ``tr`` on ``ax``; returns ``(ax, view)``.

    With ``ax=None`` the frame gets a figure of its own (the explorer's), with the same
    room for the title at every step. Text sizes are :data:`FONT_TITLE` (step and equations) and
    :data:`FONT_LABEL` (numbers on units and connections).

    Connections are drawn with a width proportional to ``|w|``; those used in
    the step are coloured (blue forward, red backward, green gradients) and
    carry their number next to the unit whose row of ``W`` they belong to
    (in the backward step: next to the hidden unit that collects them).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    view = step_view(tr, step)
    own_figure = ax is None
    if own_figure:
        _, ax = plt.subplots(figsize=_FRAME)
    counts = [len(n) for n in view["nodes"]]
    pos = _positions(counts)
    wts = (tr["W1"], tr["W2"])
    wmax = max(np.abs(tr["W1"]).max(), np.abs(tr["W2"]).max(), 1e-12)
    colour = {"forward": "C0", "backward": "C3", None: "C2"}[view["direction"]]
    for layer in (1, 2):
        W = wts[layer - 1]
        for j, (xj, yj) in enumerate(pos[layer]):
            for i, (xi, yi) in enumerate(pos[layer - 1]):
                key = (layer, j, i)
                on = key in view["edges"]
                ax.plot([xi, xj], [yi, yj], "-", color=colour if on else "0.82",
                        lw=0.6 + 2.4 * abs(W[j, i]) / wmax, zorder=1)
                if on:
                    # next to unit j of the upper layer, or unit i of the lower one when backward
                    if view["direction"] == "backward":
                        (xa, ya), (xb, yb) = (xi, yi), (xj, yj)
                    else:
                        (xa, ya), (xb, yb) = (xj, yj), (xi, yi)
                    length = np.hypot(xb - xa, yb - ya)
                    f = _LABEL / length
                    ax.text(xa + f * (xb - xa), ya + f * (yb - ya), view["edges"][key],
                            fontsize=FONT_LABEL, ha="center", va="center", zorder=4, color=colour,
                            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                                  "alpha": 0.9})
    names = ("input", "hidden", "output")
    for l, layer_pos in enumerate(pos):
        for u, (xu, yu) in enumerate(layer_pos):
            act = bool(view["active"][l][u])
            ax.add_patch(Circle((xu, yu), _R, fc="#fff2b3" if act else "white", ec="k",
                                lw=1.6 if act else 0.8, zorder=2))
            ax.text(xu, yu, view["nodes"][l][u], fontsize=FONT_LABEL, ha="center", va="center",
                    zorder=3, linespacing=1.1)
        ax.text(l * _DX, max(y for _, y in layer_pos) + _R + 0.2, names[l], ha="center",
                fontsize=FONT_LAYER)
    ys = [y for lp in pos for _, y in lp]
    ax.set_xlim(-_R - 0.15, 2 * _DX + _R + 0.15)
    ax.set_ylim(min(ys) - _R - 0.15, max(ys) + _R + 0.6)
    ax.set_aspect("equal")
    ax.set_anchor("W")                               # the diagram starts where its (left) title does
    ax.axis("off")
    title = view["title"]
    if show_equations:
        title += "\n" + "\n".join(view["equations"])
    ax.set_title(title, fontsize=FONT_TITLE, loc="left")
    if own_figure:
        ax.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=1 - _TITLE_ROOM / _FRAME[1])
    return ax, view


def static_figure(setting: str = "mitchell", example: int = 1, steps=(2, 3, 4, 5),
                  params: dict | None = None):
    """Frames ``steps`` of one example side by side (a 2 x 2 grid for four frames); returns the axes."""
    import matplotlib.pyplot as plt

    params = example_network() if params is None else params
    tr = backprop_trace(params, params["X"][example], params["T"][example], setting)
    n = len(steps)
    ncols = 2 if n > 1 else 1
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(_PANEL[0] * ncols, _PANEL[1] * nrows),
                             squeeze=False, layout="constrained")     # leaves room for the suptitle
    for ax, s in zip(axes.ravel(), steps):
        draw_step(tr, s, ax=ax)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.suptitle(f"{SETTINGS[setting]}: example x = {_vec(tr['x'], '{:.0f}')}, "
                 f"t = {_vec(tr['t'], '{:.0f}')}", fontsize=FONT_SUPTITLE)
    return axes.ravel()[:n]


def explorer(setting: str = "mitchell", example: int = 1, step: int = 0,
             params: dict | None = None):
    """The interactive viewer: setting and example dropdowns, a step slider and a play button.

    Returns an ``ipywidgets.VBox``; its attributes ``setting``, ``example``,
    ``step`` (the controls), ``trace`` and ``view`` (the :func:`backprop_trace`
    and :func:`step_view` of the frame on show) let tests drive it without a
    browser.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import clear_output

    params = example_network() if params is None else params
    X, T = params["X"], params["T"]
    # wide enough for the longest setting's name; the label takes its own width, not a fixed 80px
    setting_dd = widgets.Dropdown(options=[(v, k) for k, v in SETTINGS.items()], value=setting,
                                  description="setting", layout={"width": "560px"},
                                  style={"description_width": "initial"})
    example_dd = widgets.Dropdown(
        options=[(f"x = {_vec(x, '{:.0f}')}, t = {_vec(t, '{:.0f}')}", n)
                 for n, (x, t) in enumerate(zip(X, T))],
        value=example, description="example", layout={"width": "300px"})
    slider = widgets.IntSlider(value=step, min=0, max=len(STEPS) - 1, description="step",
                               continuous_update=True)
    play = widgets.Play(value=step, min=0, max=len(STEPS) - 1, interval=1200, description="play")
    widgets.jslink((play, "value"), (slider, "value"))
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([setting_dd, example_dd], layout={"flex_flow": "row wrap"}),
                        widgets.HBox([play, slider]), out])

    def redraw(_change=None):
        n = example_dd.value
        box.trace = backprop_trace(params, X[n], T[n], setting_dd.value)
        with out:
            clear_output(wait=True)
            ax, box.view = draw_step(box.trace, slider.value)
            plt.show()
            plt.close(ax.figure)

    for control in (setting_dd, example_dd, slider):
        control.observe(redraw, names="value")
    box.setting, box.example, box.step, box.output = setting_dd, example_dd, slider, out
    redraw()
    return box
