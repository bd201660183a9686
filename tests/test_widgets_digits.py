"""Tests of the digits explorer (mlpkit/widgets/digits.py)."""

import numpy as np
import pytest

from mlpkit import MLP
from mlpkit.widgets import digits as wd


def test_split_is_the_course_split():
    X_train, X_test, y_train, y_test = wd.load_split()
    assert X_train.shape == (1438, 64) and X_test.shape == (359, 64)
    assert wd.load_split()[0] is X_train                     # cached


def test_run_is_deterministic_and_learns():
    a = wd.train_run(32, "relu", 0.1, epochs=5)
    b = wd.train_run(32, "relu", 0.1, epochs=5)
    assert a["history"] == b["history"] and a["test_accuracy"] == b["test_accuracy"]
    assert not a["diverged"]
    assert len(a["history"]["loss"]) == 5 and a["history"]["loss"][-1] < a["history"]["loss"][0]
    assert a["test_accuracy"] > 0.85
    assert a["n_params"] == 64 * 32 + 32 + 32 * 10 + 10


def test_run_matches_a_plain_mlp():
    X_train, X_test, y_train, y_test = wd.load_split()
    run = wd.train_run(16, "tanh", 0.05, epochs=3, seed=2)
    m = MLP([64, 16, 10], hidden="tanh", seed=2, dtype=np.float32)
    m.fit(X_train, y_train, epochs=3, batch_size=32, lr=0.05, seed=2)
    assert run["test_accuracy"] == m.score(X_test, y_test)


@pytest.mark.parametrize("change", [{"hidden_size": 4}, {"activation": "sigmoid"}, {"lr": 0.01}])
def test_each_setting_changes_the_run(change):
    base = dict(hidden_size=32, activation="relu", lr=0.1, epochs=3)
    a = wd.train_run(**base)
    b = wd.train_run(**{**base, **change})
    assert a["history"]["loss"] != b["history"]["loss"]


def test_divergence_is_reported():
    X_train, X_test, y_train, y_test = wd.load_split()
    run = wd.train_run(8, "relu", 0.1, epochs=2, split=(X_train * 1e37, X_test, y_train, y_test))
    assert run["diverged"] and np.isnan(run["test_accuracy"])


@pytest.mark.parametrize("kw, match", [({"hidden_size": 0}, "hidden_size:"),
                                       ({"activation": "identity"}, "activation:")])
def test_bad_settings_raise(kw, match):
    with pytest.raises(ValueError, match=match):
        wd.train_run(**kw, epochs=1)


def test_explorer_trains_on_click_with_the_slider_values():
    box = wd.explorer(hidden_size=32, epochs=3, keep=2)
    first = box.state
    assert len(box.runs) == 1 and first["hidden_size"] == 32
    box.hidden_size.value = 4
    box.lr.value = 0.01
    box.button.click()
    assert box.state["hidden_size"] == 4 and box.state["lr"] == pytest.approx(0.01)
    assert box.state["history"]["loss"] != first["history"]["loss"]
    box.activation.value = "tanh"   # a new setting trains by itself
    assert [r["activation"] for r in box.runs] == ["relu", "tanh"]   # only the last `keep` runs
    assert box.runs[-1]["hidden_size"] == 4
    box.clear.click()
    assert box.runs == []


def test_plot_runs_and_static_figure():
    axes, runs = wd.static_figure(epochs=2)
    assert len(runs) == 3 and len(axes[0].lines) == 3 and len(axes[1].lines) == 3
    assert [r["hidden_size"] for r in runs] == [4, 64, 64]
    assert "test" in axes[0].get_legend().get_texts()[0].get_text()


def test_moving_a_slider_trains_a_new_run_with_its_value():
    box = wd.explorer(hidden_size=32, epochs=2, keep=3)
    assert len(box.runs) == 1
    first = box.state
    new_size = [h for h in wd.HIDDEN_SIZES if h != 32][0]
    box.hidden_size.value = new_size
    assert len(box.runs) == 2
    assert box.state is not first
    assert box.state["hidden_size"] == new_size
    assert box.state["history"]["loss"] != first["history"]["loss"]
