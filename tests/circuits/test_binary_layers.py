"""Binary cost layers scheduled by edge colouring: proper, exact, and as deep as promised."""

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.quantum_info import Operator

import qdq
from qdq.circuits.binary_layers import (
    choose_groups,
    colour_classes,
    edge_colouring,
    layer_costs,
    schedule_groups,
)
from qdq.circuits.factors import phase_groups
from qdq.circuits.program import factor_program, merge_phase_groups, potential_ops, program
from qdq.circuits.qiskit_emitter import append_op, emit_qiskit

nx = pytest.importorskip("networkx")

BASIS = ["cx", "rz", "sx", "x"]
LAYER_BASIS = ["cx", "rz", "ry", "h"]  # h as one layer, as Program.resources counts depth


def maxcut(g) -> qdq.BinaryProblem:
    n = g.number_of_nodes()
    return qdq.BinaryProblem({(min(i, j), max(i, j)): 2.0 for i, j in g.edges}
                             | {(i,): -float(g.degree(i)) for i in g.nodes}, num_bits=n)


def two_qubit_depth(qc) -> int:
    return qc.depth(lambda inst: inst.operation.num_qubits == 2)


def is_proper(colour, edges) -> bool:
    seen = {}
    for u, v in edges:
        k = colour[(min(u, v), max(u, v))]
        for x in (u, v):
            if k in seen.setdefault(x, set()):
                return False
            seen[x].add(k)
    return True


@pytest.mark.parametrize("seed", range(12))
def test_edge_colouring_is_proper_within_vizing(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 24))
    g = [nx.gnp_random_graph(n, float(rng.uniform(0.1, 0.9)), seed=seed),
         nx.complete_graph(n), nx.random_regular_graph(3, 2 * (n // 2), seed=seed)][seed % 3]
    edges = list(g.edges)
    colour = edge_colouring(edges)
    delta = max((d for _, d in g.degree), default=0)
    assert set(colour) == {(min(e), max(e)) for e in edges}
    assert is_proper(colour, edges)
    assert sorted(set(colour.values())) == list(range(len(set(colour.values()))))
    assert delta <= max(colour.values(), default=-1) + 1 <= delta + 1


def test_cubic_graphs_get_three_or_four_colours():
    for n in (8, 20, 100):
        g = nx.random_regular_graph(3, n, seed=1)
        assert len(colour_classes(maxcut(g))) in (3, 4)


def mixed_problem(n):
    rng = np.random.default_rng(n)
    poly = {(i,): float(rng.normal()) for i in range(n)}
    poly |= {(i, (i + 1) % n) if i < (i + 1) % n else (0, i): float(rng.normal())
             for i in range(n)}
    poly |= {(0, 2, 4): 0.7, (1, 3, n - 1): -0.4, (2, 5): 1.1}
    return qdq.BinaryProblem(poly, num_bits=n)


@pytest.mark.parametrize("n", [6, 8])
def test_scheduled_layer_equals_the_dense_diagonal_and_the_unscheduled_layer(n):
    b = mixed_problem(n)
    c = 0.37
    spec = qdq.QAOA(b, [c], [0.2])
    layer = emit_qiskit(factor_program(spec, "potential", c), flat=True)
    want = np.exp(-1j * c * np.asarray(b.values, dtype=float))  # index Σ x_i 2^i
    got = Operator(layer).data
    assert np.allclose(got, np.diag(want), atol=1e-10)
    unscheduled = QuantumCircuit(n)
    for op in potential_ops(phase_groups(b), c):
        append_op(unscheduled, op)
    assert Operator(layer) == Operator(unscheduled)
    # the schedule did reorder: single-Z first, then ZZ by colour class, then heavier strings
    order = [q for _, q, _ in schedule_groups(phase_groups(b))]
    assert order != [q for _, q, _ in phase_groups(b)]
    assert [len(q) for q in order] == sorted(len(q) for q in order)


@pytest.mark.parametrize("n", [8, 20])
def test_two_qubit_depth_of_the_qaoa_layer_is_twice_the_colours(n):
    b = maxcut(nx.random_regular_graph(3, n, seed=1))
    chi = len(colour_classes(b))
    assert chi <= 4  # Vizing: Δ + 1
    spec = qdq.QAOA(b, [0.3], [0.2])
    qc = transpile(qdq.build_circuit(spec), basis_gates=BASIS, optimization_level=0)
    assert two_qubit_depth(qc) == 2 * chi <= 8
    assert qc.count_ops()["cx"] == 2 * b.num_bits * 3 // 2  # 2 CX per edge, nothing else
    # two layers: twice as deep
    spec2 = qdq.QAOA(b, [0.3, 0.5], [0.2, 0.1])
    qc2 = transpile(qdq.build_circuit(spec2), basis_gates=BASIS, optimization_level=0)
    assert two_qubit_depth(qc2) == 4 * chi


@pytest.mark.parametrize("graph", ["cubic8", "cubic20", "K6", "cycle7"])
def test_resources_equal_the_transpiled_counts(graph):
    g = {"cubic8": lambda: nx.random_regular_graph(3, 8, seed=2),
         "cubic20": lambda: nx.random_regular_graph(3, 20, seed=3),
         "K6": lambda: nx.complete_graph(6), "cycle7": lambda: nx.cycle_graph(7)}[graph]()
    for spec in (qdq.QAOA(maxcut(g), [0.3, 0.4], [0.2, 0.1]),
                 qdq.Anneal(maxcut(g), time=1.0, steps=2)):
        res = program(spec).resources()
        qc = qdq.build_circuit(spec)
        cx_form = transpile(qc, basis_gates=BASIS, optimization_level=0)
        assert res["cx"] == cx_form.count_ops()["cx"] > 0
        assert res["depth"] == transpile(qc, basis_gates=LAYER_BASIS,
                                         optimization_level=0).depth()


def test_dense_problems_keep_the_cheaper_parity_network():
    groups = phase_groups(maxcut(nx.complete_graph(6)))
    merged = merge_phase_groups(groups)
    assert len(merged) < len(groups)  # K6: one network is cheaper in CX ...
    chosen = choose_groups(groups, merged)
    assert chosen is merged
    cx_m, depth_m = layer_costs(merged)
    cx_s, depth_s = layer_costs(schedule_groups(groups))
    assert cx_m < cx_s and depth_m <= depth_s  # ... and no deeper
    # a sparse problem is never merged into one network
    sparse = phase_groups(maxcut(nx.random_regular_graph(3, 10, seed=4)))
    assert choose_groups(sparse, merge_phase_groups(sparse)) == schedule_groups(sparse)


def test_estimate_counts_binary_specs():
    from qdq.estimate import logical_counts

    g = nx.random_regular_graph(3, 8, seed=1)
    b = maxcut(g)
    chi = len(colour_classes(b))
    qaoa = qdq.QAOA(b, [0.3, 0.4], [0.2, 0.1])
    anneal = qdq.Anneal(b, time=2.0, steps=4)
    for spec, layers in ((qaoa, 2), (anneal, 4)):
        c = logical_counts(spec)
        # per layer: 12 RZZ (2 CX each) + 8 mixer RX; depth: χ′ colour classes + the mixer
        assert (c.num_qubits, c.cx_count, c.rotation_count) == (8, 48 * layers // 2,
                                                                  20 * layers)
        assert c.rotation_depth == layers * (chi + 1)
        qc = transpile(qdq.build_circuit(spec), basis_gates=BASIS, optimization_level=0)
        assert c.cx_count == qc.count_ops()["cx"]
    pytest.importorskip("qdk")
    e = qdq.estimate(qaoa)
    assert e.logical_qubits == 8 and e.physical_qubits > 8 and e.runtime_seconds > 0
