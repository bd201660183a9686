"""Softmax explorer (notebook 06): logits in, probabilities, loss and gradient out.

The pure part, :func:`softmax_state`, computes everything the explorer shows for
a logit vector ``z``, a true class ``y`` and a temperature ``T``:

* ``a = softmax(z / T)`` (the probabilities),
* ``L = -log a_y = logsumexp(z / T) - z_y / T`` (the cross-entropy of one example),
* ``dL/dz = (a - e_y) / T`` (the gradient a step of gradient descent follows, with a minus),

so it can be unit-tested. :func:`plot_state` draws one state on three axes;
:func:`static_figure` draws a few fixed states (for a notebook's stored,
deterministic output); :func:`explorer` returns the interactive widget (one
slider per logit, the true class and the temperature).
"""
from __future__ import annotations

import numpy as np

from ..losses import logsumexp, softmax

__all__ = ["softmax_state", "plot_state", "static_figure", "explorer"]

#: Logits the explorer starts from (four classes).
DEFAULT_LOGITS = (2.0, 1.0, 0.5, -1.0)


def softmax_state(z, y: int, temperature: float = 1.0) -> dict:
    """Probabilities, loss and gradient of one example with logits ``z`` and true class ``y``.

    Returns a dict with ``z`` (float64 copy), ``y``, ``temperature``, ``probs``
    (``softmax(z / T)``), ``loss`` (``-log probs[y]``, from log-sum-exp so it
    is finite for any ``z``), ``grad`` (``dL/dz = (probs - onehot(y)) / T``),
    ``logsumexp`` and ``max`` (of ``z / T``: the loss is close to
    ``max - z_y / T`` when one logit dominates) and ``pred`` (the argmax).
    """
    z = np.asarray(z, dtype=np.float64).ravel().copy()
    K = z.size
    if K < 2:
        raise ValueError(f"z: expected at least 2 logits, got {K}")
    if not np.all(np.isfinite(z)):
        raise ValueError("z: expected finite logits")
    if isinstance(y, bool) or not isinstance(y, (int, np.integer)) or not 0 <= int(y) < K:
        raise ValueError(f"y: expected a class index in 0..{K - 1}, got {y!r}")
    y = int(y)
    T = float(temperature)
    if not (np.isfinite(T) and T > 0):
        raise ValueError(f"temperature: expected a positive number, got {temperature!r}")
    s = z / T
    probs = softmax(s)
    lse = float(logsumexp(s))
    grad = probs.copy()
    grad[y] -= 1.0
    grad /= T
    return {"z": z, "y": y, "temperature": T, "probs": probs, "loss": lse - float(s[y]),
            "grad": grad, "logsumexp": lse, "max": float(s.max()), "pred": int(np.argmax(probs))}


def plot_state(state: dict, axes=None, title: str | None = None):
    """Bar charts of the logits, the probabilities and the gradient of one :func:`softmax_state`.

    ``axes`` is a sequence of three axes (new ones if ``None``); returns them.
    The true class is drawn in green, the others in grey.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(10, 2.9))
    K = state["z"].size
    ks = np.arange(K)
    colours = ["C2" if k == state["y"] else "0.6" for k in ks]
    ax_z, ax_a, ax_g = axes
    ax_z.bar(ks, state["z"], color=colours)
    ax_z.axhline(0, color="k", lw=0.6)
    ax_z.set_title("logits $z_k$", fontsize=10)
    ax_a.bar(ks, state["probs"], color=colours)
    ax_a.set_ylim(0, 1)
    ax_a.set_title(f"$a = \\mathrm{{softmax}}(z/T)$, T = {state['temperature']:.2g}", fontsize=10)
    for k in ks:
        ax_a.text(k, min(state["probs"][k] + 0.03, 0.93), f"{state['probs'][k]:.2f}",
                  ha="center", fontsize=8)
    ax_g.bar(ks, state["grad"], color=colours)
    ax_g.axhline(0, color="k", lw=0.6)
    lim = max(1.0, float(np.abs(state["grad"]).max()) * 1.1)
    ax_g.set_ylim(-lim, lim)
    ax_g.set_title(f"$\\partial L/\\partial z$;  L = {state['loss']:.3f}", fontsize=10)
    for ax in axes:
        ax.set_xticks(ks)
        ax.set_xlabel("class k")
    if title:
        axes[0].figure.suptitle(title, fontsize=10)
    return axes


def static_figure(cases=None):
    """One row of :func:`plot_state` per ``(z, y, T)`` case; returns the ``(rows, 3)`` axes.

    The default cases: a confident right answer, a confident wrong one and the
    wrong one at a higher temperature.
    """
    import matplotlib.pyplot as plt

    if cases is None:
        cases = [(DEFAULT_LOGITS, 0, 1.0), (DEFAULT_LOGITS, 3, 1.0), (DEFAULT_LOGITS, 3, 4.0)]
    fig, axes = plt.subplots(len(cases), 3, figsize=(10, 2.6 * len(cases)), squeeze=False)
    for row, (z, y, T) in zip(axes, cases):
        s = softmax_state(z, y, T)
        plot_state(s, row)
        row[0].set_ylabel(f"true class y = {y}", fontsize=9)
    fig.tight_layout()
    return axes


def explorer(z=DEFAULT_LOGITS, y: int = 0, temperature: float = 1.0):
    """Sliders for the logits, the true class and the temperature; redraws on every change.

    Returns an ``ipywidgets.VBox``; its attributes ``logits`` (list of the
    sliders), ``true_class``, ``temperature`` (the controls), ``output`` and
    ``state`` (the :func:`softmax_state` on show) let tests drive it without a
    browser.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import clear_output

    z = [float(v) for v in np.asarray(z, dtype=float).ravel()]
    K = len(z)
    sliders = [widgets.FloatSlider(value=v, min=-10.0, max=10.0, step=0.1, description=f"z{k}",
                                   continuous_update=True, readout_format=".1f")
               for k, v in enumerate(z)]
    true_class = widgets.Dropdown(options=list(range(K)), value=int(y), description="true y")
    temp = widgets.FloatLogSlider(value=float(temperature), base=10, min=-1, max=1, step=0.05,
                                  description="T", readout_format=".2f")
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([widgets.VBox(sliders), widgets.VBox([true_class, temp])]),
                        out])

    def redraw(_change=None):
        state = softmax_state([s.value for s in sliders], int(true_class.value), temp.value)
        box.state = state
        with out:
            clear_output(wait=True)
            fig, axes = plt.subplots(1, 3, figsize=(10, 2.9))
            plot_state(state, axes)
            fig.tight_layout()
            plt.show()
            plt.close(fig)

    for control in (*sliders, true_class, temp):
        control.observe(redraw, names="value")
    box.logits, box.true_class, box.temperature, box.output = sliders, true_class, temp, out
    redraw()
    return box
