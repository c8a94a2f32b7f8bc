"""Phase-polynomial synthesis: the per-target walk vs one GraySynth parity network.

``zstring_gates`` emits whichever of the two needs fewer CX; both must be the exact
diagonal, global phase included, and the choice must depend on the Walsh support only.
"""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator

import qdq
from qdq.circuits.factors import momentum_index, momentum_walsh, phase_groups
from qdq.circuits.ops import ZPhase
from qdq.circuits.program import merge_phase_groups, potential_ops, program
from qdq.circuits.qiskit_emitter import append_gates
from qdq.circuits.synthesis import (
    cx_count,
    group_plan,
    kept,
    parity_network,
    walsh_coefficients,
    zstring_gates,
)


def diag_of(gates, m, global_phase=0.0):
    qc = QuantumCircuit(m, global_phase=global_phase)
    append_gates(qc, gates)
    return Operator(qc).data


def random_support(rng, m, k, max_weight):
    masks = set()
    while len(masks) < k:
        s = int(rng.integers(1, 1 << m))
        if s.bit_count() <= max_weight:
            masks.add(s)
    return tuple(sorted(masks))


@pytest.mark.parametrize("seed", range(6))
def test_parity_network_visits_each_string_once_and_returns_to_identity(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(3, 8))
    masks = random_support(rng, m, int(rng.integers(2, 2 * m)), 3)
    net = parity_network(m, masks)
    assert net is not None
    wires = [1 << i for i in range(m)]
    seen = []
    for kind, a, b in net:
        if kind == 0:
            wires[b] ^= wires[a]
        else:
            assert wires[a] == b  # the recorded parity is the one on the wire
            seen.append(b)
    assert sorted(seen) == sorted(masks)
    assert wires == [1 << i for i in range(m)]


def test_parity_network_is_deterministic_across_cache_clears():
    masks = random_support(np.random.default_rng(7), 7, 12, 3)
    first = parity_network(7, masks)
    parity_network.cache_clear()
    assert parity_network(7, masks) == first


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_momentum_phase_network_is_exact_including_global_phase(n):
    phi = 0.37
    coeffs = momentum_walsh(n)
    gates = zstring_gates(range(n), coeffs, phi)
    got = diag_of(gates, n, -phi * float(coeffs[0]))
    np.testing.assert_allclose(got, np.diag(np.exp(-1j * phi * momentum_index(n) ** 2.0)),
                               atol=1e-12)
    # all n(n-1)/2 pairs in one network: n(n+1)/2 - 1 CX, not n(n-1) (one RZZ per pair)
    assert cx_count(gates) == n * (n + 1) // 2 - 1


@pytest.mark.parametrize("seed", range(8))
def test_chosen_synthesis_is_exact_and_never_costlier_than_either(seed):
    rng = np.random.default_rng(100 + seed)
    m = int(rng.integers(3, 7))
    coeffs = np.zeros(1 << m)
    masks = random_support(rng, m, int(rng.integers(3, 3 * m)), int(rng.integers(2, m + 1)))
    coeffs[list(masks)] = rng.normal(size=len(masks))
    coeffs[0] = rng.normal()
    theta = 0.8
    gates = zstring_gates(range(m), coeffs, theta)
    phi = np.array([sum(coeffs[s] * (-1) ** (s & x).bit_count() for s in range(1 << m))
                    for x in range(1 << m)])
    want = np.diag(np.exp(-1j * theta * phi))
    np.testing.assert_allclose(diag_of(gates, m, -theta * coeffs[0]), want, atol=1e-12)
    keep = kept(coeffs, theta)
    walk = sum(cx for _, _, cx in group_plan(coeffs, keep=keep))
    net = parity_network(m, tuple(int(s) for s in np.nonzero(keep)[0]))
    net_cx = sum(1 for kind, _, _ in net if kind == 0)
    assert cx_count(gates) == min(walk, net_cx)


def test_dense_diagonal_keeps_the_gray_walk():
    """GraySynth ties the Gray walk (2^m − 2) on a dense diagonal: the walk is kept."""
    coeffs = walsh_coefficients(np.random.default_rng(3).normal(size=64))
    gates = zstring_gates(range(6), coeffs, 1.0)
    assert cx_count(gates) == 2**6 - 2
    net = parity_network(6, tuple(range(1, 64)))
    assert sum(1 for kind, _, _ in net if kind == 0) >= 2**6 - 2
    assert any(name == "rzz" for name, _, _ in gates)  # the walk's sparse low targets


def test_choice_depends_on_support_not_angle():
    coeffs = momentum_walsh(5)
    a = [(n, q) for n, q, _ in zstring_gates(range(5), coeffs, 0.1)]
    b = [(n, q) for n, q, _ in zstring_gates(range(5), 3.7 * coeffs, -2.0)]
    assert a == b


# ------------------------------------------------------------- merging term groups
CROSS = ("2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2", [(-2.0, 2.0), (-2.0, 2.0)])


@pytest.mark.parametrize("n", [2, 4])
def test_merged_groups_are_the_same_operator_and_cheaper(n):
    p = qdq.Problem(CROSS[0], bounds=CROSS[1], qubits=n)
    groups = phase_groups(p)
    merged = merge_phase_groups(groups)
    assert len(merged) < len(groups)

    def circuit(gs):
        qc, cx = QuantumCircuit(2 * n), 0
        for op in potential_ops(gs, 0.3):
            if isinstance(op, ZPhase):
                append_gates(qc, op.gates())
                cx += cx_count(op.gates())
            else:
                qc.global_phase += op.phase
        return Operator(qc).data, cx

    (a, cx_a), (b, cx_b) = circuit(groups), circuit(merged)
    np.testing.assert_allclose(b, a, atol=1e-12)  # global phase included
    np.testing.assert_allclose(np.diag(b), np.exp(-0.3j * p.grid.to_flat(p.values)),
                               atol=1e-11)
    assert cx_b < cx_a


def test_groups_are_left_alone_when_merging_saves_nothing():
    p = qdq.Problem("x**2 + y**2", bounds=[(-3.0, 3.0)] * 2, qubits=4)
    groups = phase_groups(p)
    assert merge_phase_groups(groups) == groups


def test_synthesis_choice_adds_little_to_a_long_build():
    """The network is computed once per support: a 100-step circuit builds fast."""
    p = qdq.Problem(CROSS[0], bounds=CROSS[1], qubits=4)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=100, order=2)
    parity_network.cache_clear()
    program(spec).resources()
    info = parity_network.cache_info()
    assert info.misses <= 4 and info.currsize == info.misses
