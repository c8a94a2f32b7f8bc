"""The test functions of Seok & Cho's comparisons: Salomon, Xin-She Yang N.4, Drop-Wave,
Schaffer N.2 and their parabolic washboard, against independent numpy formulas."""

import numpy as np
import pytest

from qdq.benchmarks import get, names


def _salomon(x, y):
    r = np.hypot(x, y)
    return 1 - np.cos(2 * np.pi * r) + 0.1 * r


def _xsy4(x, y):
    s = np.sin(x) ** 2 + np.sin(y) ** 2
    return (s - np.exp(-(x**2 + y**2))) * np.exp(
        -(np.sin(np.sqrt(np.abs(x))) ** 2 + np.sin(np.sqrt(np.abs(y))) ** 2))


def _drop(x, y):
    r2 = x**2 + y**2
    return -(1 + np.cos(12 * np.sqrt(r2))) / (0.5 * r2 + 2)


def _schaffer2(x, y):
    return 0.5 + (np.sin(x**2 - y**2) ** 2 - 0.5) / (1 + 0.001 * (x**2 + y**2)) ** 2


REFERENCE = {"salomon": _salomon, "xinsheyang4": _xsy4, "drop_wave": _drop,
             "schaffer2": _schaffer2}


def test_registered():
    assert {"salomon", "xinsheyang4", "drop_wave", "schaffer2",
            "parabolic_washboard"} <= set(names())


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_matches_independent_formula_and_minimum(name):
    f = get(name)
    low, high = f.bounds[0]
    rng = np.random.default_rng(0)
    pts = rng.uniform(low, high, (2, 200))
    np.testing.assert_allclose(f(*pts), REFERENCE[name](*pts), rtol=1e-12, atol=1e-12)
    assert float(f(*f.minimizer)) == pytest.approx(f.minimum, abs=1e-14)
    # Dense grid near the minimizer (step 1e-3, plus the exact point) and a coarse one over
    # the box: nothing lower than the listed minimum, and the function is not flat there.
    for half, m in ((0.5, 1001), (high, 801)):
        g = np.linspace(-half, half, m)
        X, Y = np.meshgrid(g, g)
        vals = REFERENCE[name](X, Y)
        assert vals.min() >= f.minimum - 1e-12
    assert vals.max() > f.minimum + 0.5  # the box grid: the function is not flat


@pytest.mark.parametrize("name", ["salomon", "xinsheyang4"])
def test_any_dimension(name):
    f = get(name, dims=3)
    assert float(f(0.0, 0.0, 0.0)) == pytest.approx(f.minimum, abs=1e-14)
    assert float(f(0.3, -0.2, 0.1)) > f.minimum


def test_parabolic_washboard():
    f = get("parabolic_washboard")
    assert f.dims == 1 and f.bounds == ((-6.0, 6.0),)
    (xs,) = f.minimizer
    assert xs == pytest.approx(-0.157, abs=1e-3)          # their x_optima
    x = np.linspace(-6, 6, 1_200_001)                      # step 1e-5 over the box
    ref = 0.125 * x**2 + 2 * np.sin(10 * x) + 2
    np.testing.assert_allclose(f(x), ref, rtol=1e-12, atol=1e-12)
    assert ref.min() >= f.minimum - 1e-9
    assert abs(x[np.argmin(ref)] - xs) < 2e-5
    # The runner-up well (10x ~ 3π/2) is higher: the minimum is unique.
    right = ref[x > 0.2].min()
    assert right > f.minimum + 0.02
    assert float(f(xs)) == pytest.approx(f.minimum, abs=1e-15)
