"""Digits explorer (notebook 07): hidden size, activation and learning rate of a small MLP.

The pure part, :func:`train_run`, trains ``MLP([64, hidden_size, 10])`` on the
course's digits split (:func:`mlpkit.data.digits_split`) with minibatch SGD and
returns the learning curves and the test accuracy; it is fast (float32, a few
epochs: well under a second) so the explorer can retrain on demand.
:func:`plot_runs` draws the curves of several runs on two axes,
:func:`static_figure` a fixed comparison (for a notebook's stored, deterministic
output) and :func:`explorer` returns the interactive widget (sliders and a
*Train* button; the last few runs stay on the plot for comparison).
"""
from __future__ import annotations

import numpy as np

from .. import data
from ..activations import NAMES
from ..mlp import MLP, TrainingDiverged

__all__ = ["ACTIVATIONS", "HIDDEN_SIZES", "load_split", "train_run", "plot_runs",
           "static_figure", "explorer"]

#: Hidden activations offered by the explorer (every mlpkit activation but the identity).
ACTIVATIONS = tuple(n for n in NAMES if n != "identity")
#: Hidden-layer widths offered by the explorer.
HIDDEN_SIZES = (4, 8, 16, 32, 64, 128, 256)

_SPLIT = None


def load_split():
    """The course's fixed digits split ``(X_train, X_test, y_train, y_test)``, loaded once."""
    global _SPLIT
    if _SPLIT is None:
        _SPLIT = data.digits_split()
    return _SPLIT


def train_run(hidden_size: int = 32, activation: str = "relu", lr: float = 0.1, epochs: int = 10,
              batch_size: int = 32, seed: int = 0, split=None) -> dict:
    """Train ``MLP([64, hidden_size, 10], hidden=activation)`` and report how it went.

    ``split`` is ``(X_train, X_test, y_train, y_test)`` (default: :func:`load_split`).
    Returns a dict with the settings, ``history`` (``MLP.fit``'s history with the
    test set as validation data; curves stop early if training diverged),
    ``test_accuracy`` (``nan`` if diverged), ``diverged`` and ``n_params``.
    """
    if isinstance(hidden_size, bool) or not isinstance(hidden_size, (int, np.integer)) \
            or hidden_size < 1:
        raise ValueError(f"hidden_size: expected a positive integer, got {hidden_size!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {', '.join(ACTIVATIONS)}; got {activation!r}")
    X_train, X_test, y_train, y_test = load_split() if split is None else split
    model = MLP([X_train.shape[1], int(hidden_size), 10], hidden=activation, seed=seed,
                dtype=np.float32)
    diverged = False
    try:
        history = model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, lr=lr,
                            seed=seed, X_val=X_test, y_val=y_test)
        acc = model.score(X_test, y_test)
    except TrainingDiverged:
        diverged = True
        history = model.history_
        acc = float("nan")
    return {"hidden_size": int(hidden_size), "activation": activation, "lr": float(lr),
            "epochs": int(epochs), "batch_size": int(batch_size), "seed": seed,
            "history": {k: [float(v) for v in vals] for k, vals in history.items()},
            "test_accuracy": float(acc), "diverged": diverged, "n_params": model.n_params}


def _label(run: dict) -> str:
    acc = "diverged" if run["diverged"] else f"test {run['test_accuracy']:.3f}"
    return f"{run['hidden_size']} {run['activation']}, lr {run['lr']:.3g}: {acc}"


def plot_runs(runs, axes=None, title: str | None = None):
    """Training loss (left) and test accuracy (right) per epoch of each run; returns the axes."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    ax_l, ax_a = axes
    for i, run in enumerate(runs):
        h = run["history"]
        style = {"color": f"C{i % 10}", "lw": 2 if i == len(runs) - 1 else 1.2}
        ep = np.arange(1, len(h["loss"]) + 1)
        ax_l.plot(ep, h["loss"], label=_label(run), **style)
        if h.get("val_accuracy"):
            ax_a.plot(np.arange(1, len(h["val_accuracy"]) + 1), h["val_accuracy"], **style)
    ax_l.set_ylim(bottom=0)
    ax_l.set_xlabel("epoch")
    ax_l.set_ylabel("training loss")
    ax_a.set_xlabel("epoch")
    ax_a.set_ylabel("test accuracy")
    ax_a.set_ylim(0, 1)
    if runs:
        ax_l.legend(fontsize=8)
    if title:
        ax_l.figure.suptitle(title, fontsize=10)
    return axes


def static_figure(settings=None, epochs: int = 10):
    """Curves of a few fixed runs (default: 4 and 64 ReLU units, 64 sigmoid units; lr 0.1).

    ``settings`` is a list of ``(hidden_size, activation, lr)``; returns ``(axes, runs)``.
    """
    import matplotlib.pyplot as plt

    if settings is None:
        settings = [(4, "relu", 0.1), (64, "relu", 0.1), (64, "sigmoid", 0.1)]
    runs = [train_run(h, a, lr, epochs=epochs) for h, a, lr in settings]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    plot_runs(runs, axes)
    fig.tight_layout()
    return axes, runs


def explorer(hidden_size: int = 32, activation: str = "relu", lr: float = 0.1, epochs: int = 10,
             keep: int = 4):
    """Sliders for width, activation, learning rate and epochs, and a *Train* button.

    Releasing a slider (or picking an activation) trains one run with the new
    settings (well under 2 s) and redraws the last ``keep`` runs; *Train*
    repeats a run with the current settings. Returns an ``ipywidgets.VBox``; its attributes ``hidden_size``,
    ``activation``, ``lr``, ``epochs``, ``button`` (the controls), ``output``,
    ``runs`` and ``state`` (the latest :func:`train_run` result) let tests
    drive it without a browser.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import clear_output

    w_hidden = widgets.SelectionSlider(options=list(HIDDEN_SIZES), value=int(hidden_size),
                                       description="hidden", continuous_update=False)
    w_act = widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation")
    w_lr = widgets.FloatLogSlider(value=float(lr), base=10, min=-3, max=0, step=0.25,
                                  description="lr", readout_format=".3g",
                                  continuous_update=False)
    w_epochs = widgets.IntSlider(value=int(epochs), min=1, max=20, description="epochs",
                                 continuous_update=False)
    button = widgets.Button(description="Train", button_style="primary", icon="play")
    clear = widgets.Button(description="Clear runs")
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([widgets.VBox([w_hidden, w_act]), widgets.VBox([w_lr, w_epochs]),
                                      widgets.VBox([button, clear])]), out])
    box.runs = []

    def draw():
        with out:
            clear_output(wait=True)
            fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
            plot_runs(box.runs, axes)
            fig.tight_layout()
            plt.show()
            plt.close(fig)

    def train(_button=None):
        button.disabled = True
        try:
            box.state = train_run(w_hidden.value, w_act.value, w_lr.value, epochs=w_epochs.value)
        finally:
            button.disabled = False
        box.runs = (box.runs + [box.state])[-keep:]
        draw()

    def reset(_button=None):
        box.runs = []
        draw()

    button.on_click(train)
    clear.on_click(reset)
    for control in (w_hidden, w_act, w_lr, w_epochs):
        control.observe(lambda _change: train(), names="value")
    box.hidden_size, box.activation, box.lr, box.epochs = w_hidden, w_act, w_lr, w_epochs
    box.button, box.clear, box.output = button, clear, out
    train()
    return box
