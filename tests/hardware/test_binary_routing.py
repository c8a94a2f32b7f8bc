"""Swap-strategy routing of QUBO cost layers, and hardware reports of binary specs."""

import itertools

import numpy as np
import pytest
from qiskit.circuit.library import PermutationGate
from qiskit.quantum_info import Operator, Statevector

import qdq
from qdq.errors import ParameterError, ProblemError
from qdq.hardware.binary_routing import (
    hardware_report,
    line_routing_counts,
    route_cost_layer,
    usable_qubits,
)


def sk(n, seed=0):
    rng = np.random.default_rng(seed)
    poly = {p: float(rng.normal()) for p in itertools.combinations(range(n), 2)}
    return qdq.BinaryProblem(poly | {(i,): float(rng.normal()) for i in range(n)}, num_bits=n)


@pytest.mark.parametrize("n", [2, 3, 4, 6])
def test_routed_layer_is_the_cost_diagonal_up_to_the_reported_permutation(n):
    b = sk(n, seed=n)
    gamma = 0.41
    qc = route_cost_layer(b, gamma=gamma)
    perm = qc.metadata["final_permutation"]
    assert sorted(perm) == list(range(n))
    for inst in qc.data:  # nearest neighbours on the line only
        if inst.operation.num_qubits == 2:
            i, j = (qc.find_bit(q).index for q in inst.qubits)
            assert abs(i - j) == 1
    undone = qc.copy()
    undone.append(PermutationGate(perm), range(n))
    want = np.diag(np.exp(-1j * gamma * np.asarray(b.values, dtype=float)))
    assert Operator(undone).equiv(Operator(want), atol=1e-9)
    for i in range(n):  # logical qubit i ends on wire perm[i]: follow a basis state
        probe = qc.copy_empty_like()
        probe.x(i)
        probe.compose(qc, inplace=True)
        assert int(np.argmax(np.abs(Statevector(probe).data))) == 1 << perm[i]
    if n >= 4:  # the router really moved qubits, so the permutation was needed
        assert perm != list(range(n))
        assert not Operator(qc).equiv(Operator(want), atol=1e-6)


def test_swap_strategy_beats_sabre_on_a_complete_graph():
    counts = line_routing_counts(sk(10), gamma=0.3, seed=1)
    ours, sabre = counts["swap_strategy"], counts["sabre"]
    assert ours["two_qubit_depth"] < sabre["two_qubit_depth"]
    assert ours["cx"] <= sabre["cx"]
    assert ours["cx"] >= 2 * 45  # at least the 45 RZZ


def test_bad_inputs_are_refused():
    cubic = qdq.BinaryProblem({(0, 1, 2): 1.0}, num_bits=3)
    with pytest.raises(ProblemError, match="weight"):
        route_cost_layer(cubic)
    with pytest.raises(ParameterError, match="got 'ring'"):
        route_cost_layer(sk(3), "ring")
    with pytest.raises(ProblemError, match="BinaryProblem"):
        route_cost_layer(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=2))


def test_hardware_report_of_a_cubic_maxcut_on_heavy_hex():
    pytest.importorskip("qiskit_ibm_runtime")
    nx = pytest.importorskip("networkx")
    from qdq.hardware.fake_backends import fake_backend

    backend = fake_backend("FakeTorino")
    n = 20
    g = nx.random_regular_graph(3, n, seed=1)
    b = qdq.BinaryProblem({(min(i, j), max(i, j)): 2.0 for i, j in g.edges}
                          | {(i,): -3.0 for i in g.nodes}, num_bits=n)
    r = hardware_report(qdq.QAOA(b, [0.3], [0.2]), backend, optimization_level=1, seed=3)
    two_q = sum(v for k, v in r.ops.items() if k in ("cz", "ecr", "cx"))
    assert r.two_qubit_gates == two_q >= 2 * 30  # each of the 30 RZZ needs two
    assert r.measurements == n and r.logical_qubits == n
    assert 6 <= r.two_qubit_depth < r.depth
    # an independent product of (1 − ε) over the two-qubit gates bounds the estimate above
    eps = min(p.error for p in backend.target["cz"].values() if p is not None and p.error)
    assert 0.0 < r.estimated_fidelity <= (1 - eps) ** two_q
    # dead couplers (reported error 1.0) are never used: the estimate is not 0
    usable = set(usable_qubits(backend.target))
    assert set(r.active_qubits) <= usable and r.estimated_fidelity > 1e-3
    broken = {q for k, p in backend.target["cz"].items() if p.error and p.error >= 0.5 for q in k}
    assert broken and not broken & usable
