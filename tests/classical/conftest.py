"""Shared objectives and checkers for the classical-method tests."""

from __future__ import annotations

import numpy as np
import pytest


class Counting:
    """Independent evaluation counter around an objective (does not trust qdq's count)."""

    def __init__(self, f):
        self.f = f
        self.points = 0
        self.calls = 0

    def __call__(self, *coords):
        self.calls += 1
        self.points += np.broadcast(*coords).size
        return self.f(*coords)


def rastrigin(x, y):
    return 20 + x**2 - 10 * np.cos(2 * np.pi * x) + y**2 - 10 * np.cos(2 * np.pi * y)


def quadratic(x, y):
    # Anisotropic, off-centre convex quadratic with minimum 0 at (1, -2).
    return (x - 1.0) ** 2 + 3.0 * (y + 2.0) ** 2


RASTRIGIN_BOX = [(-5.12, 5.12), (-5.12, 5.12)]
QUADRATIC_BOX = [(-5.0, 5.0), (-5.0, 5.0)]
QUADRATIC_MIN = np.array([1.0, -2.0])


def same_outcome(a, b) -> bool:
    """Identical results up to wall time."""
    return (
        a.method == b.method
        and np.array_equal(a.x, b.x)
        and a.fun == b.fun
        and a.nfev == b.nfev
        and a.nit == b.nit
        and np.array_equal(a.history, b.history)
    )


@pytest.fixture
def counting():
    return Counting


@pytest.fixture
def same():
    return same_outcome


class Problems:
    """The objectives the tests share, as one fixture (import-mode independent)."""

    rastrigin = staticmethod(rastrigin)
    quadratic = staticmethod(quadratic)
    rastrigin_box = RASTRIGIN_BOX
    quadratic_box = QUADRATIC_BOX
    quadratic_min = QUADRATIC_MIN


@pytest.fixture
def problems():
    return Problems
