import numpy as np
import pytest
from qiskit import transpile
from qiskit.quantum_info import Operator

from qdq.circuits.phase_oracles import (
    phase_oracle,
    phase_oracle_cx_count,
    walsh_coefficients,
)


def _cx(qc):
    basis = ["cx", "rz", "sx", "x"]
    return transpile(qc, basis_gates=basis, optimization_level=0).count_ops().get("cx", 0)


def test_walsh_coefficients_reconstruct_the_function(rng):
    m = 5
    phi = rng.normal(size=2**m)
    c = walsh_coefficients(phi)
    x = np.arange(2**m)
    rebuilt = np.zeros(2**m)
    for s in range(2**m):
        parity = np.array([bin(s & xi).count("1") % 2 for xi in x])
        rebuilt += c[s] * (-1.0) ** parity
    np.testing.assert_allclose(rebuilt, phi, atol=1e-12)


@pytest.mark.parametrize("m", [1, 2, 3, 4, 6])
def test_dense_oracle_is_exact_and_costs_2m_minus_2(rng, m):
    phi = rng.normal(size=2**m)
    qc = phase_oracle(phi, theta=0.7)
    np.testing.assert_allclose(Operator(qc).data, np.diag(np.exp(-0.7j * phi)), atol=1e-11)
    expected = max(2**m - 2, 0)
    assert phase_oracle_cx_count(phi) == expected
    assert _cx(qc) == expected


@pytest.mark.parametrize("degree, m", [(1, 6), (2, 6), (3, 6), (3, 8), (2, 8)])
def test_polynomial_uses_sparse_z_strings(degree, m):
    j = np.arange(2**m, dtype=float)
    phi = (0.1 * j) ** degree - 0.3 * j
    qc = phase_oracle(phi, theta=0.2)
    np.testing.assert_allclose(np.diag(Operator(qc).data), np.exp(-0.2j * phi), atol=1e-10)
    cx = _cx(qc)
    assert cx == phase_oracle_cx_count(phi)
    # per target qubit the cheaper of Gray code and sparse strings is taken; a cubic on
    # 6 qubits is cheaper dense, on 8 qubits sparse
    assert cx <= 2**m - 2
    if (degree, m) != (3, 6):
        assert cx < 2**m - 2
    if degree == 2:
        assert cx == m * (m + 1) // 2 - 1  # all pairs in one parity network, not 2 CX each
    if degree == 1:
        assert cx == 0
