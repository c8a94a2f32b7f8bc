"""ISA transpilation, the resource report, and the active-qubit simulation twin."""

from __future__ import annotations

import math

import pytest

from qdq.circuits.trotter import build_circuit
from qdq.errors import BackendError, ParameterError
from qdq.hardware.transpile import (
    ResourceReport,
    check_width,
    estimate_fidelity,
    resource_report,
    restrict_to_active,
    transpile_for,
)

from .conftest import small_spec


@pytest.fixture(scope="module")
def manila():
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    return FakeManilaV2()


@pytest.fixture(scope="module")
def isa(manila):
    return transpile_for(build_circuit(small_spec(qubits=3), measure=True), manila, seed=1)


def test_isa_uses_only_native_gates(isa, manila):
    assert set(isa.count_ops()) <= set(manila.target.operation_names) | {"barrier"}


def test_report_counts(isa, manila):
    r = resource_report(isa, manila, logical_qubits=3, optimization_level=2)
    two_q = sum(1 for inst in isa.data
                if len(inst.qubits) == 2 and inst.operation.name != "barrier")
    assert r.two_qubit_gates == two_q > 0
    assert r.measurements == 3 and len(r.layout) == 3 and r.logical_qubits == 3
    assert set(r.layout) <= set(r.active_qubits)
    assert r.depth == isa.depth() and r.two_qubit_depth <= r.two_qubit_gates
    assert r.backend == "fake_manila" and r.backend_qubits == 5


def test_fidelity_is_the_product_of_reported_errors(isa, manila):
    target = manila.target
    gate = readout = 1.0
    for inst in isa.data:
        name = inst.operation.name
        if name in ("barrier", "delay"):
            continue
        qargs = tuple(isa.find_bit(q).index for q in inst.qubits)
        err = target[name][qargs].error or 0.0
        if name == "measure":
            readout *= 1 - err
        else:
            gate *= 1 - err
    est = estimate_fidelity(isa, target)
    assert est["gate_fidelity"] == pytest.approx(gate, rel=1e-12)
    assert est["readout_fidelity"] == pytest.approx(readout, rel=1e-12)
    assert est["estimated_fidelity"] == pytest.approx(gate * readout, rel=1e-12)
    assert 0 < est["estimated_fidelity"] < 1


def test_report_round_trip_and_bound():
    r = ResourceReport("b", 5, 2, [0, 1], [0, 1], 3, 2, 10, 12, estimated_fidelity=0.8)
    assert ResourceReport.from_dict({**r.to_dict(), "unknown": 1}) == r
    assert r.expected_tvd_bound() == pytest.approx(0.2)
    assert r.expected_tvd_bound(shots=100, cells=4) == pytest.approx(0.2 + math.sqrt(0.04))
    assert "estimated success fidelity" in str(r)


def test_width_and_level_checks(manila):
    from qiskit import QuantumCircuit

    with pytest.raises(BackendError, match="needs 7 qubits but backend 'fake_manila' has 5"):
        check_width(QuantumCircuit(7), manila)
    with pytest.raises(ParameterError, match="optimization_level"):
        transpile_for(QuantumCircuit(1), manila, optimization_level=True)


@pytest.mark.parametrize("dd", [False, True])
def test_restricted_simulation_matches_the_full_device(isa, manila, dd):
    """Same seed, same counts: the noise model is local to the active qubits."""
    from qiskit_ibm_runtime.executor_sampler import Sampler

    small_backend, small, active = restrict_to_active(isa, manila)
    assert small.num_qubits == len(active) < manila.num_qubits
    assert small_backend.name == manila.name
    counts = []
    for backend, circ in ((manila, isa), (small_backend, small)):
        options = {"simulator": {"seed_simulator": 5}, "dynamical_decoupling": {"enable": dd}}
        result = Sampler(mode=backend, options=options).run([circ], shots=2000).result()
        counts.append(result[0].data.m.get_counts())
    assert counts[0] == counts[1]


def test_restricted_target_keeps_error_rates(isa, manila):
    small_backend, _, active = restrict_to_active(isa, manila)
    for name in ("sx", "measure"):
        for i, p in enumerate(active):
            assert small_backend.target[name][(i,)].error == manila.target[name][(p,)].error
    assert small_backend.target.qubit_properties[0].t1 == manila.target.qubit_properties[
        active[0]].t1
