"""Transpiled CX counts of built circuits equal the closed forms, and beat the naive step."""

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import DiagonalGate, QFTGate
from qiskit.quantum_info import Operator

import qdq
from qdq.circuits.kinetic import kinetic_block, kinetic_cx_count
from qdq.circuits.trotter import PotentialOracle, strang_step_cx_count

BASIS = ["cx", "rz", "sx", "x"]
D, DT = 0.5, 0.05

# (objective, box, dims): 1-D dense (cos term -> every Walsh coefficient), 1-D polynomial
# (sparse Z strings), 2-D separable, 2-D with a cross term (x*y on both registers).
CASES = {
    "dense-1d": ("0.3*x**4 - x**2 + 0.2*x + 0.3*cos(3*x)", (-3.0, 3.0), 1),
    "poly-1d": ("x**2", (-3.0, 3.0), 1),
    "separable-2d": ("20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)", (-5.12, 5.12), 2),
    "cross-2d": ("2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2", (-2.0, 2.0), 2),
}


def problem(case, n):
    expr, box, dims = CASES[case]
    return qdq.Problem(expr, bounds=[box] * dims, qubits=n)


def cx(qc, level=0):
    return transpile(qc, basis_gates=BASIS, optimization_level=level).count_ops().get("cx", 0)


def spec(p, steps):
    return qdq.RealTime(qdq.Hamiltonian(p, D=D), time=steps * DT, steps=steps, order=2)


def merged_step(p):
    g = p.grid
    qc = QuantumCircuit(g.num_qubits)
    qc.compose(PotentialOracle(p).circuit(DT, g.num_qubits), inplace=True)
    for d in range(g.dims):
        phi = DT * D * (2 * np.pi / g.lengths[d]) ** 2
        qc.compose(kinetic_block(g.qubits[d], phi), g.register(d), inplace=True)
    return qc


def naive_step(p):
    """DiagonalGate(e^{-iζdt/2}) · per dim [QFT† · DiagonalGate(e^{-iDk²dt}) · QFT] · same."""
    g = p.grid
    qc = QuantumCircuit(g.num_qubits)
    qc.h(range(g.num_qubits))
    half = DiagonalGate(list(np.exp(-0.5j * DT * g.to_flat(p.values))))
    qc.append(half, range(g.num_qubits))
    for d in range(g.dims):
        qc.append(QFTGate(g.qubits[d]).inverse(), g.register(d))
        qc.append(DiagonalGate(list(np.exp(-1j * DT * D * g.momenta[d] ** 2))), g.register(d))
        qc.append(QFTGate(g.qubits[d]), g.register(d))
    qc.append(half, range(g.num_qubits))
    return qc


@pytest.mark.parametrize("case,n", [("dense-1d", 4), ("dense-1d", 6), ("dense-1d", 8),
                                    ("poly-1d", 4), ("poly-1d", 6), ("poly-1d", 8),
                                    ("separable-2d", 3), ("separable-2d", 4),
                                    ("cross-2d", 3), ("cross-2d", 4)])
def test_built_circuit_cx_equals_closed_form(case, n):
    p = problem(case, n)
    step = strang_step_cx_count(p)
    oracle = PotentialOracle(p).cx_count()
    assert step == oracle + sum(kinetic_cx_count(q) for q in p.grid.qubits)
    assert cx(merged_step(p)) == step
    # steps=S has S kinetic blocks and S+1 (merged) potential oracles: a step in the middle
    # of a long circuit costs exactly the closed form.
    one, three = cx(qdq.build_circuit(spec(p, 1))), cx(qdq.build_circuit(spec(p, 3)))
    assert one == step + oracle
    assert three == 3 * step + oracle
    assert three - one == 2 * step


@pytest.mark.parametrize("case", ["dense-1d", "cross-2d"])
def test_optimization_level_1_keeps_closed_form(case):
    p = problem(case, 4)
    assert cx(merged_step(p), level=1) == strang_step_cx_count(p)


def test_dense_oracle_is_walsh_gray_optimal():
    p = problem("dense-1d", 7)
    assert PotentialOracle(p).cx_count() == 2**7 - 2


def test_polynomial_oracle_uses_sparse_z_strings():
    p = problem("poly-1d", 8)
    assert PotentialOracle(p).cx_count() == 8 * 9 // 2 - 1  # all pairs: one parity network


@pytest.mark.parametrize("case,n", [("dense-1d", 6), ("dense-1d", 8), ("poly-1d", 6),
                                    ("poly-1d", 8), ("separable-2d", 3), ("cross-2d", 3)])
def test_ours_beats_naive(case, n):
    p = problem(case, n)
    naive = cx(naive_step(p))
    assert cx(merged_step(p)) < naive
    assert cx(qdq.build_circuit(spec(p, 1))) < naive
    if n >= 8:
        assert cx(merged_step(p)) <= 0.6 * naive


@pytest.mark.parametrize("case", list(CASES))
def test_naive_is_the_same_operator(case):
    p = problem(case, 4 if CASES[case][2] == 1 else 2)
    ours = Operator(qdq.build_circuit(spec(p, 1))).data
    assert np.allclose(ours, Operator(naive_step(p)).data, atol=1e-9)
