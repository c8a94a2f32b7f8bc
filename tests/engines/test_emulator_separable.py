"""Separable potentials: per-axis phases agree with the full ``exp`` path to rounding."""

import numpy as np
import pytest

import qdq
from qdq.engines.emulator_phases import AxisSumDiag, phase_blocks


def _direct(spec) -> np.ndarray:
    """The product formula with a plain ``np.exp`` per factor on the whole grid."""
    v = spec.problem.values
    k2 = spec.D * spec.grid.k_squared
    psi = spec.initial_state().astype(np.complex128)
    for term, c in spec.product_formula():
        if term == "potential":
            psi = psi * np.exp(-1j * c * v)
        else:
            psi = np.fft.ifftn(np.fft.fftn(psi) * np.exp(-1j * c * k2))
    return psi


@pytest.mark.parametrize("objective, order", [
    ("x**2 + 3*cos(2*y) - 0.5*y", 1),
    ("sin(3*x) + y**4 / 10 + 2", 2),
])
def test_separable_anneal_matches_direct_exp(objective, order, monkeypatch):
    p = qdq.Problem(objective, bounds=[(-2, 2), (-1.5, 2.5)], qubits=[5, 4])
    spec = qdq.Anneal(p, D=0.5, schedule="qhd-cubic", time=3.0, steps=400, order=order,
                      initial="uniform")
    calls = []
    apply = AxisSumDiag.apply
    monkeypatch.setattr(AxisSumDiag, "apply",
                        lambda self, psi, c: (calls.append(c), apply(self, psi, c)))
    r = qdq.run(spec, backend="emulator")
    assert len(calls) >= 399  # every potential factor took the per-axis path
    ref = _direct(spec)
    assert np.max(np.abs(r.statevector - ref)) < 1e-12
    assert np.linalg.norm(ref - spec.initial_state()) > 0.5  # the state really moved


def test_non_separable_and_constant_weights_keep_the_full_table(monkeypatch):
    monkeypatch.setattr(AxisSumDiag, "apply", lambda *a: pytest.fail("per-axis path used"))
    p = qdq.Problem("x**2 + x*y + y**2", bounds=[(-2, 2), (-2, 2)], qubits=4)
    spec = qdq.Anneal(p, D=0.5, schedule="qhd-cubic", time=1.0, steps=50, initial="uniform")
    assert np.max(np.abs(qdq.run(spec).statevector - _direct(spec))) < 1e-12
    q = qdq.Problem("x**2 + y**2", bounds=[(-2, 2), (-2, 2)], qubits=4)
    qdq.run(qdq.RealTime(qdq.Hamiltonian(q, D=0.5), time=1.0, steps=20))  # tables: cached


def test_detect_rebuilds_multi_block_grids():
    rng = np.random.default_rng(0)
    shape = (64, 32, 64)  # more than one BLOCK: block() on partial slabs
    parts = [rng.standard_normal(n) for n in shape]
    arr = parts[0][:, None, None] + parts[1][None, :, None] + parts[2][None, None, :]
    blocks = phase_blocks(shape)
    assert len(blocks) > 1
    diag = AxisSumDiag.detect(arr, blocks)
    assert diag is not None
    rebuilt = np.empty(shape)
    for idx in blocks:
        rebuilt[idx] = diag.block(idx)
    assert np.max(np.abs(rebuilt - arr)) <= 1e-15 * np.max(np.abs(arr))
    # Applying the factor equals the full-grid phase to rounding.
    psi = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    out = psi.copy()
    diag.apply(out, 0.7)
    assert np.max(np.abs(out - psi * np.exp(-0.7j * arr))) < 1e-13
    arr[3, 5, 7] += 1e-9  # a coupling far above rounding: not separable
    assert AxisSumDiag.detect(arr, blocks) is None
    assert AxisSumDiag.detect(np.arange(8.0), phase_blocks((8,))) is None  # 1-D: no gain

