import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import QFTGate
from qiskit.quantum_info import Operator

from qdq.circuits.kinetic import kinetic_block, kinetic_cx_count, momentum_index, momentum_phase
from tests.reference import dft_matrix


@pytest.mark.parametrize("n", [1, 2, 3, 5])
@pytest.mark.parametrize("swap_free", [True, False])
def test_kinetic_block_equals_dft_sandwich(n, swap_free):
    N = 2**n
    phi = 0.37
    m = np.array([j if j < N // 2 else j - N for j in range(N)])
    F = dft_matrix(N)
    ref = np.linalg.inv(F) @ np.diag(np.exp(-1j * phi * m**2)) @ F
    np.testing.assert_allclose(Operator(kinetic_block(n, phi, swap_free=swap_free)).data, ref,
                               atol=1e-10)


def test_swap_free_equals_qftgate_sandwich():
    n, phi = 4, 0.21
    ref = QuantumCircuit(n)
    ref.append(QFTGate(n).inverse(), range(n))
    ref.compose(momentum_phase(n, phi), range(n), inplace=True)
    ref.append(QFTGate(n), range(n))
    assert Operator(kinetic_block(n, phi)).equiv(Operator(ref))
    assert Operator(kinetic_block(n, phi)) == Operator(ref)  # global phase included


@pytest.mark.parametrize("n", [2, 3, 4, 6, 8])
def test_momentum_phase_is_rz_plus_rzz(n):
    qc = momentum_phase(n, 0.3)
    ops = qc.count_ops()
    # one rotation per Z-string (n + n(n−1)/2); the pairs share one parity network
    assert ops.get("rz", 0) + ops.get("rzz", 0) == n + n * (n - 1) // 2
    assert set(ops) <= {"rz", "rzz", "cx"}
    assert ops.get("cx", 0) + 2 * ops.get("rzz", 0) == n * (n + 1) // 2 - 1
    m = momentum_index(n)
    np.testing.assert_allclose(np.diag(Operator(qc).data), np.exp(-0.3j * m**2.0), atol=1e-10)


@pytest.mark.parametrize("n", [2, 4, 6, 8])
@pytest.mark.parametrize("swap_free", [True, False])
def test_kinetic_cx_closed_form(n, swap_free):
    qc = transpile(kinetic_block(n, 0.1, swap_free=swap_free),
                   basis_gates=["cx", "rz", "sx", "x"], optimization_level=0)
    assert qc.count_ops().get("cx", 0) == kinetic_cx_count(n, swap_free=swap_free)
