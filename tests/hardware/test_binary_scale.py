"""Max-Cut QAOA at hardware scale: routed counts against independent counts, fidelity by hand."""

import math

import pytest
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.transpiler import CouplingMap

import qdq
from qdq.binary.instances import maxcut, random_regular_maxcut
from qdq.circuits.program import program
from qdq.errors import ParameterError
from qdq.hardware.binary_routing import transpile_usable, usable_qubits
from qdq.hardware.binary_scale import native_maxcut, per_layer, scale_row, scale_table
from qdq.qaoa import ramp_for


@pytest.fixture(scope="module")
def torino():
    pytest.importorskip("qiskit_ibm_runtime")
    from qdq.hardware.fake_backends import fake_backend

    return fake_backend("fake_torino")


def test_native_graph_needs_no_swap_exactly_two_cz_per_edge_per_layer(torino):
    b, active = native_maxcut(torino)
    edges = sum(1 for s in b.polynomial if len(s) == 2)
    assert b.num_bits == len(active) == len(usable_qubits(torino.target)) > 100
    assert edges > b.num_bits  # heavy hex: more couplers than qubits
    rows = [scale_row(b, p, torino, family="native", optimization_level=1,
                      initial_layout=list(range(len(active)))) for p in (1, 2)]
    for r in rows:
        assert r["gate_2q"] == "cz"
        assert r["two_qubit_gates"] == 2 * edges * r["p"] == r["logical_cx"]  # no SWAP
        assert r["routing_overhead"] == 1.0 and r["qubits_used"] == b.num_bits
        # heavy hex is bipartite with degree ≤ 3: ≤ 4 colour classes × 2 CZ per layer
        assert r["two_qubit_depth"] <= 8 * r["p"]
    (fit,) = per_layer(rows)
    assert fit["2q_per_layer"] == pytest.approx(2 * edges)
    assert fit["2q_offset"] == pytest.approx(0.0, abs=1e-9)
    assert 0 < fit["fidelity_per_layer"] < 1


def test_a_path_is_placed_without_swaps_and_matches_qdqs_resource_count(torino):
    n = 10
    path = maxcut([(i, i + 1) for i in range(n - 1)])
    for p in (1, 3):
        spec = qdq.QAOA(path, *ramp_for(path, p))
        want = program(spec).resources()["cx"]  # qdq's own count: 2 CX per edge and layer
        assert want == 2 * (n - 1) * p
        row = scale_row(path, p, torino, seed=1)
        assert row["two_qubit_gates"] == want
    # guard: a random 3-regular graph of the same size is not embeddable: routing adds gates
    cubic = scale_row(random_regular_maxcut(n, 3, 0), 1, torino, seed=1)
    assert cubic["two_qubit_gates"] > cubic["logical_cx"] == 2 * 15


def test_estimated_fidelity_is_the_hand_product_of_reported_errors(torino):
    b = maxcut([(0, 1), (1, 2)])
    spec = qdq.QAOA(b, *ramp_for(b, 1))  # the angles scale_row uses
    isa, report, view = transpile_usable(spec, torino, seed=2)
    product, two_q_only, seen = 1.0, 1.0, set()
    for inst in isa.data:
        name = inst.operation.name
        if name in ("barrier", "delay"):
            continue
        qargs = tuple(isa.find_bit(q).index for q in inst.qubits)
        eps = view.target[name][qargs].error
        product *= 1.0 - eps
        if len(qargs) == 2:
            two_q_only *= 1.0 - eps
        seen.add(name)
    assert {"cz", "measure", "sx", "rz"} <= seen
    assert report.estimated_fidelity == pytest.approx(product, rel=1e-12)
    row = scale_row(b, 1, torino, seed=2)
    assert row["est_fidelity"] == pytest.approx(product, rel=1e-12)
    assert product < two_q_only < 1.0  # 1q gates and readout errors are in the product


def test_scale_table_skips_with_reasons_and_fits_per_layer():
    hexb = GenericBackendV2(19, coupling_map=CouplingMap.from_heavy_hex(3), seed=3)
    table = scale_table(ns=(6, 7, 30), ps=(1, 2), backends=(hexb,), seed=0)
    skipped = {r["n"]: r["skipped"] for r in table if r.get("skipped")}
    assert skipped == {7: "odd n: no 3-regular graph", 30: "n = 30 > 19 usable qubits"}
    done = [r for r in table if not r.get("skipped")]
    assert {(r["family"], r["n"], r["p"]) for r in done} == {
        ("random-3-regular", 6, 1), ("random-3-regular", 6, 2), ("native", 19, 1),
        ("native", 19, 2)}
    for r in done:
        assert r["two_qubit_gates"] >= r["logical_cx"] and 0 < r["est_fidelity"] < 1
        assert math.isfinite(r["transpile_s"])
    native = [r for r in done if r["family"] == "native"]
    assert all(r["two_qubit_gates"] == 2 * r["edges"] * r["p"] for r in native)
    md = table.to_markdown()
    assert "skipped: n = 30 > 19 usable qubits" in md and md.count("\n") == len(table) + 1
    assert len(table.per_layer()) == 2


def test_bad_inputs_are_refused():
    hexb = GenericBackendV2(19, coupling_map=CouplingMap.from_heavy_hex(3), seed=3)
    with pytest.raises(ParameterError, match="ps must not be empty"):
        scale_table(ns=(6,), ps=(), backends=(hexb,))
    with pytest.raises(ParameterError, match="got \\[0\\]"):
        scale_table(ns=(0,), backends=(hexb,))
    with pytest.raises(ParameterError, match="p must be an integer >= 1, got 0"):
        scale_row(maxcut([(0, 1)]), 0, hexb)
