"""Explorer for notebook 02: learning rate and batch size of logistic regression.

The pure part, :func:`train_state`, trains :class:`mlpkit.LogisticRegression`
on a fixed 2-D data set and returns everything the explorer draws (loss per
epoch, the weights, the decision boundary). :func:`plot_state` draws it,
:func:`show` draws one static figure, :func:`explorer` returns the interactive
widget (learning rate, batch / stochastic / minibatch, batch size, epochs).
"""
from __future__ import annotations

import numpy as np

from ..data import blobs
from ..logistic import LogisticRegression

__all__ = ["MODES", "default_data", "batch_size_for", "train_state", "boundary_points",
           "plot_state", "show", "explorer"]

#: The three ways of cutting an epoch into gradient steps.
MODES = ("batch", "stochastic", "minibatch")

#: Width of each slider of the explorer (label, track and read-out together).
SLIDER_WIDTH = "400px"


def default_data(n_samples: int = 200, seed: int = 0):
    """The explorer's data: two overlapping Gaussian blobs (labels 0/1), not separable."""
    return blobs(n_samples=n_samples, n_classes=2, std=1.0, seed=seed,
                 centers=[[-1.0, 0.5], [1.5, 1.5]])


def batch_size_for(mode: str, batch_size: int, m: int) -> int | None:
    """``LogisticRegression``'s ``batch_size`` for a mode: ``None`` (batch), ``1`` or ``batch_size``."""
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {', '.join(MODES)}; got {mode!r}")
    if mode == "batch":
        return None
    if mode == "stochastic":
        return 1
    return int(min(max(int(batch_size), 1), m))


def boundary_points(w, b: float, xlim=(-4.0, 5.0)):
    """Two points of the line ``w . x + b = 0`` spanning ``xlim`` (a vertical line when ``w[1] == 0``).

    Returns ``None`` when ``w = 0`` (no boundary: every point has ``P = sigma(b)``).
    """
    w = np.asarray(w, dtype=float)
    if np.allclose(w, 0):
        return None
    if abs(w[1]) < 1e-12:
        x0 = -b / w[0]
        return np.array([x0, x0]), np.array([-1e3, 1e3])
    xs = np.array(xlim, dtype=float)
    return xs, -(w[0] * xs + b) / w[1]


def train_state(lr: float = 0.1, mode: str = "minibatch", batch_size: int = 16, epochs: int = 30,
                seed: int = 0, X=None, y=None) -> dict:
    """Train from ``w = 0, b = 0`` and return what the explorer shows.

    Keys: ``loss`` (full-data loss before training and after each epoch,
    length ``epochs + 1``), ``w``, ``b``, ``accuracy``, ``steps_per_epoch``,
    ``batch_size`` (the one used; ``m`` for batch), ``mode``, ``lr``, ``X``, ``y``.
    """
    if X is None or y is None:
        X, y = default_data()
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    m = X.shape[0]
    bs = batch_size_for(mode, batch_size, m)
    model = LogisticRegression(lr=lr, epochs=epochs, batch_size=bs, seed=seed)
    with np.errstate(over="ignore"):
        model.fit(X, y)
    loss = np.r_[np.log(2.0), model.history_]  # w = 0, b = 0 gives P = 1/2 everywhere: loss log 2
    used = m if bs is None else bs
    return {"loss": loss, "w": model.w_.copy(), "b": float(model.b_),
            "accuracy": float(np.mean(model.predict(X) == y)),
            "steps_per_epoch": int(np.ceil(m / used)), "batch_size": used, "mode": mode,
            "lr": float(lr), "X": X, "y": y}


def plot_state(state: dict, axes=None):
    """Left: loss per epoch. Right: data, ``P(y=1|x)`` shading and the boundary ``w . x + b = 0``."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    ax0, ax1 = axes
    loss = state["loss"]
    ax0.plot(np.arange(len(loss)), loss, marker="o", ms=3)
    ax0.set_xlabel("epoch")
    ax0.set_ylabel("loss $J$ (full data)")
    finite = loss[np.isfinite(loss)]
    if finite.size:
        ax0.set_ylim(0, max(1.0, min(float(finite.max()) * 1.05, 5.0)))
    ax0.set_title(f"{state['mode']} (batch {state['batch_size']}, {state['steps_per_epoch']} "
                  f"steps/epoch), lr {state['lr']:.3g}", fontsize=11)
    ax0.grid(alpha=0.3)

    X, y, w, b = state["X"], state["y"], state["w"], state["b"]
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120))
    with np.errstate(over="ignore"):
        z = np.clip(w[0] * g0 + w[1] * g1 + b, -50, 50)
        P = 1.0 / (1.0 + np.exp(-z))
    ax1.contourf(g0, g1, P, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.35)
    ax1.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolors="k", s=18)
    line = boundary_points(w, b, xlim=(lo[0], hi[0]))
    if line is not None:
        ax1.plot(*line, "k-", lw=2, label="$w \\cdot x + b = 0$")
        # outside the axes, to the right: wherever the line goes, the legend covers no data
        ax1.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=10)
    ax1.set_xlim(lo[0], hi[0])
    ax1.set_ylim(lo[1], hi[1])
    ax1.set_xlabel("$x_1$")
    ax1.set_ylabel("$x_2$")
    ax1.set_title(f"accuracy {state['accuracy']:.3f}, final loss {loss[-1]:.3f}", fontsize=11)
    return axes


def show(lr: float = 0.1, mode: str = "minibatch", batch_size: int = 16, epochs: int = 30,
         seed: int = 0) -> dict:
    """Draw the explorer's figure once, for fixed settings (the static figure of the notebook)."""
    import matplotlib.pyplot as plt

    state = train_state(lr=lr, mode=mode, batch_size=batch_size, epochs=epochs, seed=seed)
    plot_state(state)
    plt.tight_layout()
    plt.show()
    return state


def explorer(lr: float = 0.1, mode: str = "minibatch", batch_size: int = 16, epochs: int = 30):
    """The interactive explorer: a ``VBox`` of controls and an output that redraws on every change.

    The returned box has ``.controls`` (dict name -> widget) and ``.state``
    (what was drawn last), so tests can move a slider and check the effect.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    # description_width "initial": each label takes the width it needs ("learning rate" in full,
    # not cut to the default 80 px); the wider layout keeps the slider's track long beside it.
    # ipywidgets builds a new Style / Layout from each dict, so the controls share no state.
    style, layout = {"description_width": "initial"}, {"width": SLIDER_WIDTH}

    controls = {
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=0.1,
                                     description="learning rate", readout_format=".3g",
                                     continuous_update=False, style=style, layout=layout),
        "mode": widgets.ToggleButtons(options=list(MODES), value=mode, description="mode",
                                      style=style),
        "batch_size": widgets.IntSlider(value=batch_size, min=2, max=100, step=1,
                                        description="batch size", continuous_update=False,
                                        style=style, layout=layout),
        "epochs": widgets.IntSlider(value=epochs, min=1, max=100, step=1, description="epochs",
                                    continuous_update=False, style=style, layout=layout),
    }
    box = widgets.VBox()

    def update(lr, mode, batch_size, epochs):
        controls["batch_size"].disabled = mode != "minibatch"
        box.state = train_state(lr=lr, mode=mode, batch_size=batch_size, epochs=epochs)
        plot_state(box.state)
        plt.tight_layout()
        plt.show()

    out = widgets.interactive_output(update, controls)
    box.children = [widgets.HBox([controls["lr"], controls["epochs"]]), controls["mode"],
                    controls["batch_size"], out]
    box.controls = controls
    return box
