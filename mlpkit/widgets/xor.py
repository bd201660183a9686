"""Explorer for notebook 03: hand-tune the ReLU network that computes XOR.

The network is written as in Goodfellow et al. (and the ``004_*`` notes):
``f(x) = w^T max{0, W^T x + c} + b`` with ``W`` of shape ``(n_in, n_hidden) = (2, 2)``:
column ``j`` of ``W`` holds the weights into hidden unit ``j``. The course's
``Dense`` layer stores the transpose, ``W_course = W^T`` of shape ``(n_out, n_in)``.

:func:`xor_state` is the pure part: every intermediate matrix, the four
outputs, the squared loss and the decision regions. :func:`plot_state` draws
the hidden space, the decision regions and the outputs; :func:`show` draws one
static figure; :func:`explorer` returns the interactive widget, starting from
the hand-set solution :data:`HAND_SET`.
"""
from __future__ import annotations

import numpy as np

__all__ = ["X_XOR", "Y_XOR", "HAND_SET", "relu_net", "xor_state", "plot_state", "show", "explorer"]

#: The four inputs (rows, order 00, 01, 10, 11) and the XOR targets.
X_XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_XOR = np.array([0.0, 1.0, 1.0, 0.0])

#: The hand-set solution: ``W = [[1, 1], [1, 1]], c = [0, -1], w = [1, -2], b = 0``.
HAND_SET = {"W": [[1.0, 1.0], [1.0, 1.0]], "c": [0.0, -1.0], "w": [1.0, -2.0], "b": 0.0}


def relu_net(X, W, c, w, b) -> dict:
    """Forward pass of ``f(x) = w^T max{0, W^T x + c} + b`` for every row of ``X``.

    Returns ``XW`` (``(m, 2)``), ``XWc = XW + c`` (``c`` added to every row),
    ``H = max{0, XW + c}`` (the hidden representation) and ``f`` (``(m,)``).
    """
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    c = np.asarray(c, dtype=float)
    w = np.asarray(w, dtype=float)
    if W.shape != (X.shape[1], c.shape[0]) or w.shape != c.shape:
        raise ValueError(f"W, c, w: expected shapes (n_in, n_hidden), (n_hidden,), (n_hidden,); "
                         f"got {W.shape}, {c.shape}, {w.shape}")
    XW = X @ W
    XWc = XW + c
    H = np.maximum(XWc, 0.0)
    return {"XW": XW, "XWc": XWc, "H": H, "f": H @ w + float(b)}


def xor_state(W=None, c=None, w=None, b=None, resolution: int = 101, lim=(-0.5, 1.5)) -> dict:
    """Everything the explorer draws, for the given parameters (defaults: :data:`HAND_SET`).

    Keys: the matrices of :func:`relu_net` on the four XOR inputs, ``f``
    (four outputs), ``J`` (``1/4 sum (y - f)^2``), ``correct`` (per point,
    ``f > 1/2`` equals the target), ``grid`` (``g0, g1, F``: the output on a
    ``resolution`` x ``resolution`` grid over ``lim`` in input space) and the
    parameters used.
    """
    W = np.asarray(HAND_SET["W"] if W is None else W, dtype=float)
    c = np.asarray(HAND_SET["c"] if c is None else c, dtype=float)
    w = np.asarray(HAND_SET["w"] if w is None else w, dtype=float)
    b = float(HAND_SET["b"] if b is None else b)
    out = relu_net(X_XOR, W, c, w, b)
    g = np.linspace(lim[0], lim[1], resolution)
    g0, g1 = np.meshgrid(g, g)
    F = relu_net(np.c_[g0.ravel(), g1.ravel()], W, c, w, b)["f"].reshape(g0.shape)
    out.update({
        "J": float(np.mean((Y_XOR - out["f"]) ** 2)),
        "correct": (out["f"] > 0.5) == (Y_XOR > 0.5),
        "grid": (g0, g1, F),
        "W": W, "c": c, "w": w, "b": b,
    })
    return out


def plot_state(state: dict, axes=None):
    """Three panels: decision regions in input space, the hidden space, the four outputs."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    ax0, ax1, ax2 = axes
    colors = np.where(Y_XOR > 0.5, "C3", "C0")
    names = ["00", "01", "10", "11"]

    g0, g1, F = state["grid"]
    ax0.contourf(g0, g1, (F > 0.5).astype(float), levels=[-0.5, 0.5, 1.5],
                 colors=["C0", "C3"], alpha=0.2)
    ax0.contour(g0, g1, F, levels=[0.5], colors="k", linewidths=1.5)
    ax0.scatter(X_XOR[:, 0], X_XOR[:, 1], c=colors, edgecolors="k", s=80, zorder=3)
    for (x0, x1), name in zip(X_XOR, names):
        ax0.annotate(name, (x0, x1), textcoords="offset points", xytext=(7, 7))
    ax0.set_xlabel("$x_1$")
    ax0.set_ylabel("$x_2$")
    ax0.set_title("input space: $f(x) > 1/2$ shaded red", fontsize=10)
    ax0.set_aspect("equal")

    H, Zh, w, b = state["H"], state["XWc"], state["w"], state["b"]
    # before the ReLU (hollow, W^T x + c) and after it (filled): the rectifier folds negative parts onto 0
    ax1.scatter(Zh[:, 0], Zh[:, 1], facecolors="none", edgecolors=colors, s=80, linewidths=1.5,
                zorder=2, label="$W^T x + c$ (before ReLU)")
    for z, h in zip(Zh, H):
        if not np.allclose(z, h):
            ax1.annotate("", xy=h, xytext=z, arrowprops=dict(arrowstyle="->", color="0.5", lw=1))
    ax1.scatter(H[:, 0], H[:, 1], c=colors, edgecolors="k", s=80, zorder=3)
    for k, ((h0, h1), name) in enumerate(zip(H, names)):
        ax1.annotate(name, (h0, h1), textcoords="offset points",
                     xytext=(7, 7 - 14 * (k == 2)))
    hmax = max(2.5, float(H.max()) + 0.5)
    hmin = max(-4.0, min(-0.5, float(Zh.min()) - 0.3))
    hs = np.linspace(hmin, hmax, 2)
    if abs(w[1]) > 1e-12:
        ax1.plot(hs, (0.5 - b - w[0] * hs) / w[1], "k-", lw=1.5, label="$w^T h + b = 1/2$")
    elif abs(w[0]) > 1e-12:
        ax1.axvline((0.5 - b) / w[0], color="k", lw=1.5, label="$w^T h + b = 1/2$")
    ax1.set_xlim(hmin, hmax)
    ax1.set_ylim(hmin, hmax)
    ax1.set_xlabel("$h_1$")
    ax1.set_ylabel("$h_2$")
    ax1.set_title("hidden space $h = \\max\\{0, W^T x + c\\}$", fontsize=10)
    ax1.legend(loc="upper left", fontsize=8)
    ax1.set_aspect("equal")

    f = state["f"]
    ax2.bar(np.arange(4) - 0.18, Y_XOR, width=0.36, color="0.8", edgecolor="k", label="target")
    ax2.bar(np.arange(4) + 0.18, f, width=0.36, color=np.where(state["correct"], "C2", "C1"),
            edgecolor="k", label="$f(x)$")
    ax2.axhline(0.5, color="k", ls=":", lw=1)
    ax2.set_xticks(range(4), names)
    ax2.set_ylim(min(-0.5, float(f.min()) - 0.2), max(1.5, float(f.max()) + 0.2))
    ax2.legend(loc="upper left", fontsize=9)
    ax2.set_title(f"outputs; $J$ = {state['J']:.3f}, {int(state['correct'].sum())}/4 correct",
                  fontsize=10)
    return axes


def show(W=None, c=None, w=None, b=None) -> dict:
    """Draw the explorer's figure once (the static figure of the notebook)."""
    import matplotlib.pyplot as plt

    state = xor_state(W, c, w, b)
    plot_state(state)
    plt.tight_layout()
    plt.show()
    return state


def explorer(W=None, c=None, w=None, b=None):
    """Sliders for ``W`` (4 entries), ``c``, ``w`` and ``b``, starting from :data:`HAND_SET`.

    Returns a ``VBox`` with ``.controls`` (dict name -> slider, names such as
    ``"W[0,1]"``, ``"c[1]"``, ``"w[0]"``, ``"b"``) and ``.state`` (what was drawn last).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import clear_output

    W = np.asarray(HAND_SET["W"] if W is None else W, dtype=float)
    c = np.asarray(HAND_SET["c"] if c is None else c, dtype=float)
    w = np.asarray(HAND_SET["w"] if w is None else w, dtype=float)
    b = float(HAND_SET["b"] if b is None else b)

    def slider(name, value):
        return widgets.FloatSlider(value=float(value), min=-3.0, max=3.0, step=0.1, description=name,
                                   readout_format=".1f", continuous_update=False,
                                   layout=widgets.Layout(width="260px"))

    controls = {}
    for i in range(2):
        for j in range(2):
            controls[f"W[{i},{j}]"] = slider(f"W[{i},{j}]", W[i, j])
    for j in range(2):
        controls[f"c[{j}]"] = slider(f"c[{j}]", c[j])
    for j in range(2):
        controls[f"w[{j}]"] = slider(f"w[{j}]", w[j])
    controls["b"] = slider("b", b)
    box = widgets.VBox()
    busy = {"reset": False}

    def update(**v):
        if busy["reset"]:  # the reset button moves nine sliders: draw once, at the end
            return
        box.state = xor_state(W=[[v["W[0,0]"], v["W[0,1]"]], [v["W[1,0]"], v["W[1,1]"]]],
                              c=[v["c[0]"], v["c[1]"]], w=[v["w[0]"], v["w[1]"]], b=v["b"])
        plot_state(box.state)
        plt.tight_layout()
        plt.show()

    out = widgets.interactive_output(update, controls)
    reset = widgets.Button(description="hand-set solution")

    def on_reset(_):
        values = {f"W[{i},{j}]": HAND_SET["W"][i][j] for i in range(2) for j in range(2)}
        values.update({f"c[{j}]": HAND_SET["c"][j] for j in range(2)})
        values.update({f"w[{j}]": HAND_SET["w"][j] for j in range(2)})
        values["b"] = HAND_SET["b"]
        busy["reset"] = True
        try:
            for name, value in values.items():
                controls[name].value = float(value)
        finally:
            busy["reset"] = False
        with out:
            clear_output(wait=True)
            update(**{k: ctl.value for k, ctl in controls.items()})

    reset.on_click(on_reset)
    col = lambda names: widgets.VBox([controls[n] for n in names])  # noqa: E731
    box.children = [
        widgets.HBox([col(["W[0,0]", "W[1,0]", "c[0]"]), col(["W[0,1]", "W[1,1]", "c[1]"]),
                      col(["w[0]", "w[1]", "b"])]),
        reset, out,
    ]
    box.controls = controls
    return box
