"""Brute force against dimod's ExactPolySolver on higher-order objectives (degree 3-4)."""
import numpy as np
import pytest

from qdq.binary import exact
from qdq.binary.polynomial import canonicalize, evaluate_all

dimod = pytest.importorskip("dimod")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_brute_force_matches_exact_poly_solver_on_cubic_and_quartic(seed):
    rng = np.random.default_rng(seed)
    n = 8
    raw = {tuple(sorted(rng.choice(n, size=k, replace=False).tolist())): float(rng.normal())
           for k in (1, 2, 2, 3, 3, 4, 4) for _ in range(3)}
    poly = canonicalize(raw, n)
    offset = 0.25
    got = exact.brute_force(poly, offset, n)
    hpoly = dimod.BinaryPolynomial({**{t: w for t, w in poly.items()}, (): offset}, "BINARY")
    best = dimod.ExactPolySolver().sample_hubo(hpoly).first
    assert got.energy == pytest.approx(best.energy, abs=1e-10)
    index = sum(int(best.sample[i]) << i for i in range(n) if i in best.sample)
    values = evaluate_all(poly, offset, np.arange(2**n), n)
    assert values[index] == pytest.approx(got.energy, abs=1e-10)
    # every reported ground state is one, and none is missed
    ground = np.flatnonzero(values <= values.min() + 1e-9)
    assert got.states.tolist() == ground.tolist() and got.count == ground.size
    assert got.evaluated == 2**n and values.max() > got.energy + 1e-3
