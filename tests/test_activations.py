"""Every activation's derivative against central finite differences, and known values."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from mlpkit import activations as act

KINKS = {"relu": [0.0], "leaky_relu": [0.0], "elu": [0.0], "hard_tanh": [-1.0, 1.0]}

shapes = array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)
# |z| <= 4: beyond it tanh' < 1.4e-3 and finite differences' round-off (~1e-11)
# alone exceeds a 1e-7 relative error; saturation is tested by known values instead
values = st.floats(-4, 4, allow_nan=False, allow_infinity=False)


def central_diff(f, z, eps=1e-5):
    return (f(z + eps) - f(z - eps)) / (2 * eps)


@pytest.mark.parametrize("name", act.NAMES)
@given(z=arrays(np.float64, shapes, elements=values))
def test_derivative_matches_finite_differences(name, z):
    a = act.get(name)
    for k in KINKS.get(name, []):  # move points off the kinks, where no derivative exists
        z = np.where(np.abs(z - k) < 1e-4, k + 1e-3, z)
    num = central_diff(a.f, z)
    ana = a.df(z)
    assert ana.shape == z.shape
    err = np.linalg.norm(ana - num) / max(np.linalg.norm(ana) + np.linalg.norm(num), 1e-12)
    assert err < 1e-7, f"{name}: relative error {err:.2e}"


@pytest.mark.parametrize("name", act.NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_shape_preserved(name, dtype):
    z = np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    a = act.get(name)
    assert a.f(z).dtype == dtype and a.f(z).shape == (3, 4)
    assert a.df(z).dtype == dtype and a.df(z).shape == (3, 4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_at_extremes(dtype):
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = act.sigmoid(z)
        ds = act.sigmoid_prime(z)
        sp = act.softplus(z)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(ds)) and np.all(np.isfinite(sp))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert sp[-1] == pytest.approx(1000.0)


def test_known_values():
    assert act.sigmoid(0.0) == 0.5
    assert act.sigmoid(np.log(3.0)) == pytest.approx(0.75)
    assert act.tanh_prime(0.0) == 1.0
    # tanh' is 1 - tanh^2, not (1 - tanh)^2 (a slip in one of the seed notes)
    z = 0.7
    assert act.tanh_prime(z) == pytest.approx(1 - np.tanh(z) ** 2)
    assert act.tanh_prime(z) != pytest.approx((1 - np.tanh(z)) ** 2)
    np.testing.assert_array_equal(act.relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(act.relu_prime(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(act.leaky_relu(np.array([-2.0, 3.0])), [-0.02, 3.0])
    np.testing.assert_allclose(act.elu(np.array([-1.0, 2.0])), [np.exp(-1) - 1, 2.0])
    np.testing.assert_allclose(act.softplus(np.array([0.0])), [np.log(2.0)])
    np.testing.assert_array_equal(act.hard_tanh(np.array([-3.0, 0.5, 3.0])), [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(act.identity_prime(np.array([5.0, -1.0])), [1.0, 1.0])


def test_integer_input_becomes_float():
    assert act.sigmoid(np.array([0, 1])).dtype == np.float64
    assert act.relu(np.array([-1, 2])).dtype == np.float64


def test_unknown_name_is_a_clear_error():
    with pytest.raises(ValueError, match=r"activation: expected one of .*sigmoid.*got 'sigmod'"):
        act.get("sigmod")


# The derivative at a kink is a convention; the module docstring states each one (PyTorch's).
KINK_VALUES = [("relu", 0.0, 0.0), ("leaky_relu", 0.0, 0.01), ("elu", 0.0, 1.0),
               ("hard_tanh", -1.0, 0.0), ("hard_tanh", 1.0, 0.0)]


@pytest.mark.parametrize("name,z,want", KINK_VALUES)
def test_derivative_at_each_kink_is_the_documented_value(name, z, want):
    assert act.get(name).df(np.array([z]))[0] == want


@pytest.mark.parametrize("name,z,want", KINK_VALUES)
def test_kink_values_are_pytorchs(name, z, want):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: run `make torch` for the cross-checks")
    fn = {"relu": torch.relu, "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01),
          "elu": torch.nn.functional.elu, "hard_tanh": torch.nn.functional.hardtanh}[name]
    t = torch.tensor([z], dtype=torch.float64, requires_grad=True)
    fn(t).sum().backward()
    assert t.grad.item() == act.get(name).df(np.array([z]))[0]
