import math

import numpy as np
import pytest

from qdq.compare.metrics import (
    SuccessCriterion,
    area_fraction,
    check_center_in_box,
    expected_shots,
    mass_within_epsilon,
    mass_within_radius,
    wilson_interval,
)
from qdq.errors import ParameterError, ProblemError
from qdq.grid import Grid


def _wilson_reference(k, n, z=1.959963984540054):
    # Textbook form: roots of |p - phat| = z sqrt(p(1-p)/n).
    phat = k / n
    a = 1 + z * z / n
    b = -(2 * phat + z * z / n)
    c = phat * phat
    disc = math.sqrt(b * b - 4 * a * c)
    return (-b - disc) / (2 * a), (-b + disc) / (2 * a)


@pytest.mark.parametrize("k,n", [(0, 10), (3, 10), (10, 10), (18, 20), (1, 400), (57, 123)])
def test_wilson_matches_quadratic_roots(k, n):
    lo, hi = wilson_interval(k, n)
    ref = _wilson_reference(k, n)
    assert lo == pytest.approx(max(0.0, ref[0]), abs=1e-12)
    assert hi == pytest.approx(min(1.0, ref[1]), abs=1e-12)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_edges_and_errors():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0
    lo90, hi90 = wilson_interval(5, 10, confidence=0.9)
    lo95, hi95 = wilson_interval(5, 10)
    assert lo95 < lo90 < 0.5 < hi90 < hi95
    with pytest.raises(ParameterError, match="successes=11"):
        wilson_interval(11, 10)
    with pytest.raises(ParameterError, match="confidence"):
        wilson_interval(1, 2, confidence=1.5)


def test_wilson_coverage_is_about_95_percent():
    rng = np.random.default_rng(0)
    p, n = 0.1, 40
    ks = rng.binomial(n, p, size=4000)
    covered = np.mean([lo <= p <= hi for lo, hi in (wilson_interval(int(k), n) for k in ks)])
    assert 0.92 < covered < 0.99


def test_area_fraction_disk_and_clipped_disk():
    assert area_fraction([(-1, 1), (-1, 1)], (0, 0), 0.3) == pytest.approx(
        math.pi * 0.09 / 4, rel=5e-3)
    # Quarter disk at a corner.
    assert area_fraction([(0, 1), (0, 1)], (0, 0), 0.5) == pytest.approx(
        math.pi * 0.25 / 4, rel=5e-3)
    assert area_fraction([(0, 4)], (0.5,), 1.0) == 0.375
    assert area_fraction([(0, 1)] * 3, (0.5,) * 3, 0.2) == pytest.approx(
        4 / 3 * math.pi * 0.008, rel=2e-2)


def test_masses_on_a_grid():
    g = Grid([(0, 1), (0, 1)], qubits=2)
    p = np.zeros(g.shape)
    p[2, 2] = 0.5            # (0.5, 0.5)
    p[0, 0] = 0.5            # (0, 0)
    assert mass_within_radius(p, g, (0.5, 0.5), 0.1) == 0.5
    assert mass_within_radius(p, g, (0.5, 0.5), 0.75) == 1.0
    values = np.arange(16.0).reshape(4, 4)
    assert mass_within_epsilon(p, values, 0.0, 0.5) == 0.5
    assert expected_shots(0.5) == 2.0 and math.isinf(expected_shots(0.0))


def test_success_criterion_checks():
    c = SuccessCriterion(center=(0.0, 0.0), radius=1.0, minimum=0.0, epsilon=0.1)
    ok = c.check((0.6, 0.6), 0.05)
    assert ok["success_radius"] and ok["success_epsilon"] and ok["success"]
    far = c.check((0.8, 0.8), 0.5)
    assert far["success_radius"] is False and far["success_epsilon"] is False
    none = c.check(None, None)
    assert none["success"] is False and none["success_epsilon"] is False
    only_eps = SuccessCriterion(center=None, radius=None, minimum=1.0, epsilon=0.5)
    assert only_eps.primary == "epsilon" and only_eps.check((9.0,), 1.4)["success"]
    assert SuccessCriterion.from_dict(c.to_dict()) == c


@pytest.mark.parametrize("kwargs,match", [
    ({"radius": -1.0}, "radius must be a finite number > 0, got -1.0"),
    ({"radius": None, "epsilon": None}, "radius or an epsilon"),
    ({"epsilon": -0.5}, "epsilon must be a finite number >= 0, got -0.5"),
])
def test_success_criterion_rejects_bad_values(kwargs, match):
    base = {"center": (0.0,), "radius": 1.0, "minimum": 0.0, "epsilon": None}
    with pytest.raises(ParameterError, match=match):
        SuccessCriterion(**{**base, **kwargs})


def test_center_outside_box_names_the_value():
    with pytest.raises(ProblemError, match=r"minimizer\[1\] = 3 lies outside the box \[-1, 1\]"):
        check_center_in_box((0.0, 3.0), [(-1, 1), (-1, 1)])
    with pytest.raises(ProblemError, match="2 coordinates"):
        check_center_in_box((0.0, 0.0), [(-1, 1)])
