"""Gradient-flow explorer (notebook 05): depth and hidden unit against the gradient of each layer.

Backpropagation multiplies the error signal by ``W^T`` and by ``g'(z)`` once per
layer (BP2), so in a deep network the gradients of the first layers can be far
smaller (vanishing) or larger (exploding) than those of the last. The pure
part, :func:`layer_gradient_norms`, builds ``MLP([64] + [width] * depth + [10])``
at initialisation and returns ``||dJ/dW^(l)||`` for every layer on one batch of
digits; :func:`plot_norms` draws several such profiles on one log-scale axis,
:func:`static_figure` a fixed comparison (for a notebook's stored, deterministic
output) and :func:`explorer` the interactive widget (depth slider, hidden-unit
and initialisation dropdowns; the last few profiles stay on the plot).
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..activations import NAMES
from ..mlp import MLP

__all__ = ["ACTIVATIONS", "INITS", "load_batch", "layer_gradient_norms", "plot_norms",
           "static_figure", "explorer"]

#: Hidden units offered by the explorer (every mlpkit activation but the identity).
ACTIVATIONS = tuple(n for n in NAMES if n != "identity")
#: Initialisations offered ("auto": Xavier for bounded units, He for the ReLU family).
INITS = ("auto", "xavier", "he", "uniform")
#: Largest depth (number of hidden layers) the explorer offers.
MAX_DEPTH = 12

_BATCH = None


def load_batch(n: int = 256):
    """The first ``n`` training images and labels of the course's digits split, loaded once."""
    global _BATCH
    if _BATCH is None:
        X_train, _, y_train, _ = data.digits_split()
        _BATCH = (X_train, y_train)
    return _BATCH[0][:n], _BATCH[1][:n]


def layer_gradient_norms(depth: int = 6, activation: str = "sigmoid", width: int = 32,
                         init: str = "auto", seed: int = 0, batch=None) -> np.ndarray:
    """``||dJ/dW^(l)||`` (Frobenius) for ``l = 1 .. depth + 1`` of a fresh network.

    The network is ``MLP([n_in] + [width] * depth + [10], hidden=activation,
    init=init, seed=seed)`` with a softmax output and the mean cross-entropy ``J``
    (BP1-BP4 of notebook 05) on ``batch = (X, y)`` (default: :func:`load_batch`).
    Returns an array of ``depth + 1`` norms, first hidden layer first, output layer last.
    """
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or not 1 <= depth <= 50:
        raise ValueError(f"depth: expected the number of hidden layers, an integer from 1 to 50; "
                         f"got {depth!r}")
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"width: expected a positive integer (units per hidden layer); got {width!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {', '.join(ACTIVATIONS)}; got {activation!r}")
    if init not in INITS:
        raise ValueError(f"init: expected one of {', '.join(INITS)}; got {init!r}")
    X, y = load_batch() if batch is None else batch
    X = np.asarray(X, dtype=np.float64)
    net = MLP([X.shape[1]] + [int(width)] * int(depth) + [10], hidden=activation, init=init, seed=seed)
    return np.array([np.linalg.norm(dW) for dW, _ in net.gradients(X, y)])


def _label(run: dict) -> str:
    return f"{run['activation']}, depth {run['depth']}, {run['init']}"


def plot_norms(runs, ax=None, title: str | None = None):
    """One line per run (a dict with ``norms``, ``activation``, ``depth``, ``init``); returns the axis."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.8))
    for i, run in enumerate(runs):
        layers = np.arange(1, len(run["norms"]) + 1)
        ax.semilogy(layers, run["norms"], "o-", color=f"C{i % 10}", ms=4,
                    lw=2 if i == len(runs) - 1 else 1.2, label=_label(run))
    ax.set_xlabel("layer l (1 = first hidden layer; the last one is the output layer)")
    ax.set_ylabel(r"$\|\partial J/\partial W^{(l)}\|$ at initialisation")
    if runs:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
        ax.set_xticks(np.arange(1, max(len(r["norms"]) for r in runs) + 1))
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _run(depth, activation, width, init):
    return {"depth": int(depth), "activation": activation, "width": int(width), "init": init,
            "norms": layer_gradient_norms(depth, activation, width, init)}


def static_figure(depth: int = 8, activations=("sigmoid", "tanh", "relu"), width: int = 32):
    """The gradient profiles of ``activations`` at one depth; returns ``(ax, runs)``."""
    import matplotlib.pyplot as plt

    runs = [_run(depth, a, width, "auto") for a in activations]
    fig, ax = plt.subplots(figsize=(9.5, 3.8))
    plot_norms(runs, ax, title=f"{depth} hidden layers of {width} units, one batch of 256 digits, at initialisation")
    fig.tight_layout()
    return ax, runs


def explorer(depth: int = 6, activation: str = "sigmoid", width: int = 32, init: str = "auto",
             keep: int = 4):
    """Depth slider, hidden-unit and initialisation dropdowns; each change adds a profile.

    Returns an ``ipywidgets.VBox``; its attributes ``depth``, ``activation``,
    ``init`` (the controls), ``clear`` (a button), ``output``, ``runs`` (the
    profiles on show, at most ``keep``) and ``state`` (the latest one) let
    tests drive it without a browser.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import clear_output

    w_depth = widgets.IntSlider(value=int(depth), min=1, max=MAX_DEPTH, description="depth",
                                continuous_update=False)
    w_act = widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="hidden unit",
                             style={"description_width": "initial"})
    w_init = widgets.Dropdown(options=list(INITS), value=init, description="init")
    clear = widgets.Button(description="Clear")
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([w_depth, w_act, w_init, clear]), out])
    box.runs = []

    def draw():
        with out:
            clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(9.5, 3.8))
            plot_norms(box.runs, ax)
            fig.tight_layout()
            plt.show()
            plt.close(fig)

    def update(_change=None):
        box.state = _run(w_depth.value, w_act.value, width, w_init.value)
        box.runs = (box.runs + [box.state])[-keep:]
        draw()

    def reset(_button=None):
        box.runs = []
        draw()

    for control in (w_depth, w_act, w_init):
        control.observe(update, names="value")
    clear.on_click(reset)
    box.depth, box.activation, box.init, box.clear, box.output = w_depth, w_act, w_init, clear, out
    update()
    return box
