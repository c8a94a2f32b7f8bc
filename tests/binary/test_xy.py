"""The XY mixer on one-hot groups: its factor, feasibility, and every engine agreeing."""

import numpy as np
import pytest
from scipy.linalg import expm

import qdq
from qdq.binary.tsp import tsp
from qdq.binary.xy import XYMixer, group_pairs, one_hot_mask, one_hot_uniform
from qdq.circuits.ops import XYRotation
from qdq.errors import ParameterError

X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]])


def _pauli(n, ops):
    """Dense operator on flat states (index Σ x_i 2^i): qubit i is the i-th factor from the
    right of the Kronecker product."""
    out = np.ones((1, 1), dtype=complex)
    for q in reversed(range(n)):
        out = np.kron(out, ops.get(q, np.eye(2)))
    return out


def _pair_term(n, i, j):
    return 0.5 * (_pauli(n, {i: X, j: X}) + _pauli(n, {i: Y, j: Y}))


def _random_state(rng, n):
    psi = rng.normal(size=1 << n) + 1j * rng.normal(size=1 << n)
    return psi / np.linalg.norm(psi)


CASES = [(5, [[0, 1, 2, 3, 4]], "ring"), (6, [[0, 1, 2, 3], [4, 5]], "ring"),
         (7, [[6, 0, 3], [1, 2, 4, 5]], "ring"), (8, [[0, 1, 2, 3, 4], [5, 6, 7]], "complete"),
         (6, [[2, 4, 0]], "ring")]  # bits 1, 3, 5 in no group


@pytest.mark.parametrize("n, groups, topology", CASES)
def test_factor_is_the_ordered_product_of_dense_pair_exponentials(n, groups, topology):
    rng = np.random.default_rng(n)
    M = XYMixer(n, groups, topology=topology)
    c = 0.731
    U = np.eye(1 << n, dtype=complex)
    for i, j in M.pairs:  # first pair applied first
        U = expm(-1j * c * _pair_term(n, i, j)) @ U
    psi = _random_state(rng, n)
    out = psi.copy()
    M.exp_inplace(out, c, False)
    assert np.max(np.abs(out - U @ psi)) < 1e-12
    assert np.linalg.norm(out - psi) > 0.1  # it moved
    # the true M: matrix-free action, dense matrix and energy
    dense = sum(_pair_term(n, i, j) for i, j in M.pairs)
    assert np.max(np.abs(M.dense() - dense)) < 1e-12
    assert np.max(np.abs(M.apply(psi) - dense @ psi)) < 1e-12
    assert abs(M.energy(psi) - np.vdot(psi, dense @ psi).real) < 1e-12
    assert np.linalg.norm(dense, 2) <= M.max_abs() + 1e-12


def test_pair_orders():
    assert group_pairs((0, 1, 2, 3, 4)) == ((0, 1), (2, 3), (1, 2), (3, 4), (4, 0))
    assert group_pairs((0, 1, 2, 3)) == ((0, 1), (2, 3), (1, 2), (3, 0))
    assert group_pairs((7, 9)) == ((7, 9),)
    assert group_pairs((3,)) == ()
    assert len(group_pairs(range(6), "complete")) == 15


@pytest.mark.parametrize("topology", ["ring", "complete"])
def test_hamming_weight_per_group_is_conserved(topology):
    n, groups = 8, [[0, 1, 2], [3, 4, 5, 6]]
    rng = np.random.default_rng(3)
    M = XYMixer(n, groups, topology=topology)
    feasible = one_hot_mask(n, groups)
    psi = np.where(feasible, _random_state(rng, n), 0)
    psi /= np.linalg.norm(psi)
    start = psi.copy()
    for c in (0.3, -1.1, 2.7):
        M.exp_inplace(psi, c, False)
    assert np.sum(np.abs(psi[~feasible]) ** 2) < 1e-24
    assert abs(np.linalg.norm(psi) - 1) < 1e-12
    assert np.linalg.norm(psi - start) > 0.1
    # the weight of each group is conserved for any weight, not just one
    weight = sum(((np.arange(1 << n) >> b) & 1) for b in groups[1])
    psi = np.where(weight == 2, _random_state(rng, n), 0)
    M.exp_inplace(psi, 0.9, False)
    assert np.sum(np.abs(psi[weight != 2]) ** 2) < 1e-24


def test_one_hot_uniform_is_uniform_over_feasible_states():
    n, groups = 7, [[0, 1, 2], [4, 5]]  # bits 3 and 6 free
    w = one_hot_uniform(n, groups)
    mask = one_hot_mask(n, groups)
    assert mask.sum() == 3 * 2 * 4
    assert np.allclose(np.abs(w[mask]) ** 2, 1 / 24, atol=1e-15)
    assert np.all(w[~mask] == 0)
    # a W state on a ring or complete group is M's top eigenvector
    for top in ("ring", "complete"):
        M = XYMixer(3, [[0, 1, 2]], topology=top)
        v = one_hot_uniform(3, [[0, 1, 2]])
        assert np.allclose(M.apply(v), 2.0 * v, atol=1e-12)


def test_bad_input_is_refused():
    with pytest.raises(ParameterError, match="disjoint"):
        XYMixer(4, [[0, 1], [1, 2]])
    with pytest.raises(ParameterError, match="0..3"):
        XYMixer(4, [[0, 4]])
    with pytest.raises(ParameterError, match="topology"):
        XYMixer(4, [[0, 1]], topology="line")
    with pytest.raises(ParameterError, match="needs its one-hot groups"):
        qdq.Hamiltonian(qdq.BinaryProblem({(0, 1): 1.0}), kinetic="xy-mixer")
    M = XYMixer(2, [[0, 1]])
    with pytest.raises(ParameterError, match="no imaginary-time block"):
        M.exp_inplace(np.ones(4, dtype=complex), 0.1, True)


def test_imaginary_time_is_refused_on_every_path():
    b = qdq.BinaryProblem({(0,): 1.0, (1,): -1.0}, mixer=XYMixer(2, [[0, 1]]))
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(b), time=0.5, steps=2,
                             initial=one_hot_uniform(2, [[0, 1]]))
    with pytest.raises(ParameterError, match="no imaginary-time block"):
        qdq.run(spec, backend="emulator")
    with pytest.raises(ParameterError, match="no imaginary-time block"):
        qdq.build_circuit(spec)


def test_xy_rotation_gates_are_the_pair_exponential_and_the_library_gates():
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import XXPlusYYGate
    from qiskit.quantum_info import Operator

    from qdq.circuits.qiskit_emitter import append_gates

    for c in (0.37, -1.3):
        op = XYRotation((0, 1), c)
        qc = QuantumCircuit(2)
        append_gates(qc, op.gates())
        target = expm(-1j * c * _pair_term(2, 0, 1))  # Qiskit's qubit order = ours
        assert np.max(np.abs(Operator(qc).data - target)) < 1e-12
        assert np.max(np.abs(Operator(XXPlusYYGate(2 * c, 0)).data - target)) < 1e-12
    assert [g[0] for g in op.gates()].count("cx") == 2


def test_xy_rotation_matches_pennylane_isingxy():
    qml = pytest.importorskip("pennylane")
    from qdq.circuits.pennylane_emitter import gate_ops

    c = 0.61
    ops = gate_ops(XYRotation((0, 1), c).gates())
    U = qml.matrix(qml.tape.QuantumScript(ops), wire_order=[1, 0])  # wire 0 least significant
    target = expm(-1j * c * _pair_term(2, 0, 1))
    assert np.max(np.abs(U - target)) < 1e-12
    iso = qml.matrix(qml.IsingXY(-2 * c, wires=[1, 0]), wire_order=[1, 0])
    assert np.max(np.abs(iso - target)) < 1e-12


def _tsp4():
    d = np.array([[0, 3, 4, 2], [3, 0, 1, 5], [4, 1, 0, 2.5], [2, 5, 2.5, 0]])
    b = tsp(d)
    return b, one_hot_uniform(b.layout, b.kinetic_term.groups)


def _specs():
    b, w = _tsp4()
    yield qdq.Anneal(b, schedule="linear", time=3.0, steps=6, initial=w)
    yield qdq.QAOA(b, gammas=[0.02, 0.05], betas=[0.7, 0.3], initial=w)


@pytest.mark.parametrize("spec", list(_specs()), ids=["anneal", "qaoa"])
def test_emulator_equals_aer_on_a_four_city_tsp(spec):
    pytest.importorskip("qiskit_aer")
    em = qdq.run(spec, backend="emulator")
    aer = qdq.run(spec, backend="aer")
    assert np.max(np.abs(em.statevector - aer.statevector)) < 1e-10
    assert np.max(np.abs(em.probabilities - aer.probabilities)) < 1e-10
    feasible = one_hot_mask(9, spec.kinetic_term.groups)
    assert em.probabilities[~feasible].sum() < 1e-12  # the mixer kept every position one-hot
    w = spec.initial_state()
    assert np.linalg.norm(em.statevector - w) > 0.1  # it moved


def test_pennylane_equals_emulator_on_a_four_city_tsp():
    pytest.importorskip("pennylane")
    spec = list(_specs())[1]
    em = qdq.run(spec, backend="emulator")
    pl = qdq.run(spec, backend="pennylane")
    assert np.max(np.abs(em.probabilities - pl.probabilities)) < 1e-10


def test_circuit_kinetic_segment_is_one_rotation_per_pair():
    from qdq.circuits.program import factor_program

    b, w = _tsp4()
    spec = qdq.RealTime(qdq.Hamiltonian(b), time=0.4, steps=1, initial=w)
    prog = factor_program(spec, "kinetic", 0.2)
    ops = [op for seg in prog.segments() for op in seg.ops]
    assert all(isinstance(op, XYRotation) for op in ops)
    assert [op.qubits for op in ops] == list(b.kinetic_term.pairs)
    assert len(ops) == 3 * 3  # three positions, a ring of three cities each
