"""The native PennyLane circuits against Aer, the FFT emulator and dense references."""

from functools import cache

import numpy as np
import pytest

import qdq
from qdq.errors import BackendError, ParameterError, PostselectionError, QdqError
from tests.reference import fidelity

qml = pytest.importorskip("pennylane")
pl = pytest.importorskip("qdq.engines.pennylane")

DEVICES = ["default.qubit", "lightning.qubit"]
TOL = 1e-9

# 1-D asymmetric double well; 2-D with a cross term, unequal qubits and no symmetry under
# swapping axes or reversing bits (a wrong wire order changes the answer).
PROBLEMS = {
    "1d": ("0.3*x**4 - x**2 + 0.2*x", [(-3, 3)], 4),
    "2d": ("0.3*x**4 - x**2 + 0.2*x + 0.5*x*y + (y - 0.3)**2", [(-3, 3), (-2, 1.5)], [2, 3]),
}


def problem(name):
    obj, bounds, qubits = PROBLEMS[name]
    return qdq.Problem(obj, bounds=bounds, qubits=qubits)


def packet(p):
    return qdq.GaussianPacket(center=[0.4, -0.6][: p.dims], width=[0.8, 0.5][: p.dims],
                              momentum=[1.0, -0.7][: p.dims])


def real_spec(name, order):
    p = problem(name)
    return qdq.RealTime(qdq.Hamiltonian(p, D=0.3), time=1.0, steps=3, order=order,
                        initial=packet(p))


def imag_spec(name, order):
    p = problem(name)
    return qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.3), time=1.0, steps=3, order=order)


def anneal_spec(name, order):
    p = problem(name)
    T = 2.0
    return qdq.Anneal(p, D=0.5, kinetic_weight=lambda t: 1.0 - 0.9 * t / T,
                      potential_weight=lambda t: 0.1 + (t / T) ** 2, time=T, steps=4,
                      order=order, initial=packet(p))


@cache
def reference(kind, name, order, backend):
    make = {"real": real_spec, "imag": imag_spec, "anneal": anneal_spec}[kind]
    return qdq.run(make(name, order), backend=backend)


def assert_same(r, ref):
    assert r.probabilities.shape == ref.grid.shape
    assert fidelity(r.statevector, ref.statevector) >= 1 - TOL
    assert np.max(np.abs(r.probabilities - ref.probabilities)) <= TOL


# ----------------------------------------------------------------- exact runs vs Aer


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("order", [1, 2, 4])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_real_time_matches_aer_and_emulator(device, order, name):
    spec = real_spec(name, order)
    r = qdq.run(spec, backend="pennylane", device=device)
    assert r.backend == "pennylane" and r.success_probability == 1.0 and r.shots is None
    assert fidelity(r.statevector, spec.initial_state()) < 0.95  # it moved
    assert_same(r, reference("real", name, order, "aer"))
    assert_same(r, reference("real", name, order, "emulator"))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_imaginary_time_postselected_matches_aer(device, order, name):
    spec = imag_spec(name, order)
    r = qdq.run(spec, backend="pennylane", device=device)
    uniform = np.full(spec.grid.shape, 1 / spec.grid.size)
    assert np.max(np.abs(r.probabilities - uniform)) > 0.05  # it moved
    assert r.success_probability < 0.5  # the blocks really postselect
    for backend in ("aer", "emulator"):
        ref = reference("imag", name, order, backend)
        assert_same(r, ref)
        assert r.success_probability == pytest.approx(ref.success_probability, rel=TOL)


@pytest.mark.parametrize("name, max_ancillas", [("2d", 1), ("2d", 5), ("1d", 64)])
def test_imaginary_segmentation_does_not_change_the_answer(name, max_ancillas):
    spec = imag_spec(name, 2)
    r = qdq.run(spec, backend="pennylane", device="lightning.qubit", max_ancillas=max_ancillas)
    blocks = pl.to_pennylane(spec).num_blocks
    assert r.extra["executions"] == -(-blocks // max_ancillas)  # 1 for 1d: one fresh circuit
    assert r.extra["num_qubits"] == spec.grid.num_qubits + min(max_ancillas, blocks)
    ref = reference("imag", name, 2, "aer")
    assert_same(r, ref)
    assert r.success_probability == pytest.approx(ref.success_probability, rel=TOL)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_anneal_with_time_dependent_weights_matches_aer(device, order, name):
    spec = anneal_spec(name, order)
    cs = {round(c, 12) for term, c in spec.product_formula().factors if term == "kinetic"}
    assert len(cs) >= 3  # the weights really change from step to step
    r = qdq.run(spec, backend="pennylane", device=device)
    assert fidelity(r.statevector, spec.initial_state()) < 0.95
    assert_same(r, reference("anneal", name, order, "aer"))


# ----------------------------------------------------------------- wire order


def test_state_prep_and_readout_follow_the_grid_convention(rng):
    grid = problem("2d").grid  # qubits [2, 3]
    arr = rng.normal(size=grid.shape) + 1j * rng.normal(size=grid.shape)
    arr /= np.linalg.norm(arr)
    ops = pl.initial_ops(arr, grid)
    state = qml.execute([qml.tape.QuantumScript(ops, [qml.state()])],
                        qml.device("default.qubit", wires=grid.num_qubits))[0]
    got = grid.to_grid(pl._to_little_endian(np.asarray(state), grid.num_qubits))
    np.testing.assert_allclose(got, arr, atol=1e-12)
    # PennyLane's own order differs: reading qml.state() naively would be wrong here.
    assert np.max(np.abs(np.asarray(state).reshape(grid.shape) - arr)) > 0.1
    circ = pl.to_pennylane(qdq.RealTime(qdq.Hamiltonian(problem("2d")), time=0.1, steps=1,
                                        initial=arr))
    probs = qml.execute([qml.tape.QuantumScript(ops, [qml.probs(wires=circ.readout_wires)])],
                        qml.device("default.qubit", wires=grid.num_qubits))[0]
    np.testing.assert_allclose(circ.grid_probabilities(probs), np.abs(arr) ** 2, atol=1e-12)


def test_packet_state_prep_per_dimension(rng):
    p = problem("2d")
    init = packet(p)
    ops = pl.initial_ops(init, p.grid)
    assert [op.name for op in ops] == ["StatePrep", "StatePrep"]
    state = qml.execute([qml.tape.QuantumScript(ops, [qml.state()])],
                        qml.device("default.qubit", wires=p.grid.num_qubits))[0]
    got = p.grid.to_grid(pl._to_little_endian(np.asarray(state), p.grid.num_qubits))
    np.testing.assert_allclose(got, qdq.states.resolve_initial(init, p.grid), atol=1e-12)


# ----------------------------------------------------------------- to_pennylane


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_to_pennylane_unitary_equals_qiskit_operator_with_phase(name):
    from qiskit.quantum_info import Operator

    p = problem(name)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.3), time=0.7, steps=2, order=2)
    circ = pl.to_pennylane(spec)
    assert circ.ancilla_wires == () and circ.num_blocks == 0
    U_pl = qml.matrix(circ.tape(), wire_order=list(circ.grid_wires)[::-1])
    U_qk = Operator(qdq.build_circuit(spec)).data
    assert np.max(np.abs(U_pl - U_qk)) < 1e-10  # global phase included


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_fresh_ancilla_circuit_equals_qiskit_statevector(name):
    """All branches (ancillas not postselected) agree with the Qiskit imaginary circuit."""
    from qiskit.quantum_info import Statevector

    from qdq.circuits.imaginary import build_imaginary_circuit

    p = problem(name)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.3), time=0.5, steps=1, order=2)
    circ = pl.to_pennylane(spec, ancillas="fresh")
    qc = build_imaginary_circuit(spec, ancillas="fresh")
    assert len(circ.wires) == qc.num_qubits
    state = qml.execute([circ.tape([qml.state()])],
                        qml.device("lightning.qubit", wires=len(circ.wires)))[0]
    got = pl._to_little_endian(np.asarray(state), len(circ.wires))
    want = Statevector(qc).data
    assert fidelity(got, want) >= 1 - TOL
    anc0 = want.reshape(-1, p.grid.size)[0]
    assert np.vdot(anc0, anc0).real < 0.95  # the ancilla-|1> branches carry weight


@pytest.mark.parametrize("device", DEVICES)
def test_reuse_circuit_in_a_user_qnode_with_mid_circuit_postselection(device):
    spec = imag_spec("2d", 2)
    circ = pl.to_pennylane(spec)  # reuse mode: qml.measure(a, reset=True, postselect=0)
    assert len(circ.ancilla_wires) == 1

    @qml.qnode(qml.device(device, wires=circ.wires), mcm_method="tree-traversal")
    def probs():
        circ()
        return qml.probs(wires=circ.readout_wires)

    ref = reference("imag", "2d", 2, "emulator")
    assert np.max(np.abs(circ.grid_probabilities(probs()) - ref.probabilities)) <= TOL


def test_building_inside_a_qnode_queues_each_gate_once():
    spec = imag_spec("1d", 1)

    @qml.qnode(qml.device("default.qubit", wires=5), mcm_method="tree-traversal")
    def probs():
        circ = pl.to_pennylane(spec)  # built while the QNode is recording
        circ()
        return qml.probs(wires=circ.readout_wires)

    tape = qml.workflow.construct_tape(probs)()
    outside = pl.to_pennylane(spec).tape()
    assert [op.name for op in tape.operations] == [op.name for op in outside.operations]
    ref = reference("imag", "1d", 1, "emulator")
    assert np.max(np.abs(spec.grid.to_grid(probs()) - ref.probabilities)) <= TOL


def test_phase_oracle_ops_mirror_the_qiskit_gates(rng):
    from qiskit import transpile

    from qdq.circuits.phase_oracles import phase_oracle, walsh_coefficients

    for phi in (rng.normal(size=8), np.arange(16.0) ** 3 / 50):  # dense; cubic (weight 3)
        m = int(np.log2(phi.size))
        wires = list(rng.permutation(m))
        ops = pl.zstring_ops(wires, walsh_coefficients(phi), 0.7)
        U = qml.matrix(qml.tape.QuantumScript(ops), wire_order=list(range(m))[::-1])
        # bit i of x sits on wires[i]
        x = np.arange(phi.size)
        idx = sum(((x >> i) & 1) << int(w) for i, w in enumerate(wires))
        want = np.zeros(phi.size, complex)
        want[idx] = np.exp(-0.7j * phi)
        np.testing.assert_allclose(np.diag(U), want, atol=1e-12)
        names = pl._op_counts(ops)
        multi = sum(2 * (len(op.wires) - 1) for op in ops if op.name == "MultiRZ")
        cx_pl = names.get("CNOT", 0) + 2 * names.get("IsingZZ", 0) + multi
        qk = transpile(phase_oracle(phi, 0.7), basis_gates=["cx", "rz", "rzz"],
                       optimization_level=0).count_ops()
        assert cx_pl == qk.get("cx", 0) + 2 * qk.get("rzz", 0)


def test_ucry_matches_its_definition(rng):
    theta = rng.uniform(0, np.pi, size=8)
    controls, target = [3, 0, 2], 1  # bit i of x on controls[i]
    ops = pl.ucry_ops(controls, target, theta)
    assert sum(op.name == "CNOT" for op in ops) == 8
    U = qml.matrix(qml.tape.QuantumScript(ops), wire_order=[3, 2, 1, 0])  # little-endian
    for x in range(8):
        base = sum(((x >> i) & 1) << c for i, c in enumerate(controls))
        c, s = np.cos(theta[x] / 2), np.sin(theta[x] / 2)
        col = U[:, base]  # target |0>
        assert col[base] == pytest.approx(c, abs=1e-12)
        assert col[base | (1 << target)] == pytest.approx(s, abs=1e-12)


# ----------------------------------------------------------------- shots


@pytest.mark.parametrize("device", DEVICES)
def test_real_time_shots_sample_the_exact_distribution(device):
    spec = real_spec("2d", 2)
    shots = 20_000
    r = qdq.run(spec, backend="pennylane", device=device, shots=shots, seed=11)
    exact = reference("real", "2d", 2, "aer").probabilities
    assert r.statevector is None and r.shots == shots and r.success_probability == 1.0
    sigma = np.sqrt(exact * (1 - exact) / shots)
    assert np.all(np.abs(r.probabilities - exact) <= 5 * sigma + 1e-3)
    again = qdq.run(spec, backend="pennylane", device=device, shots=shots, seed=11)
    np.testing.assert_array_equal(again.probabilities, r.probabilities)


@pytest.mark.parametrize("device", DEVICES)
def test_imaginary_shots_reject_ancilla_outcomes(device):
    spec = imag_spec("1d", 2)
    shots = 20_000
    r = qdq.run(spec, backend="pennylane", device=device, shots=shots, seed=3)
    ref = reference("imag", "1d", 2, "emulator")
    P = ref.success_probability
    assert r.accepted_shots == round(r.success_probability * shots)
    assert abs(r.success_probability - P) <= 5 * np.sqrt(P * (1 - P) / shots)
    n = r.accepted_shots
    sigma = np.sqrt(ref.probabilities * (1 - ref.probabilities) / n)
    assert np.all(np.abs(r.probabilities - ref.probabilities) <= 5 * sigma + 2e-3)


def test_no_surviving_shot_raises():
    p = qdq.Problem("(x - 0.5)**2", bounds=[(-2, 2)], qubits=3)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=3.0), time=5.0, steps=4, order=1)
    assert qdq.run(spec).success_probability < 1e-3
    with pytest.raises(PostselectionError, match="no shot of 2"):
        qdq.run(spec, backend="pennylane", shots=2, seed=0)


# ----------------------------------------------------------------- errors and devices


@pytest.mark.parametrize("bad, hint", [("default.qbit", "default.qubit"),
                                       ("lightning", "lightning.qubit"),
                                       ("aer_simulator", "default.qubit")])
def test_unknown_device_lists_suggestions(bad, hint):
    spec = real_spec("1d", 1)
    with pytest.raises(BackendError, match=bad) as info:
        qdq.run(spec, backend="pennylane", device=bad)
    assert hint in str(info.value)


@pytest.mark.parametrize("kwargs, match", [({"shots": 0}, "shots"), ({"shots": 2.5}, "shots"),
                                           ({"shots": True}, "shots"),
                                           ({"max_ancillas": 0}, "max_ancillas"),
                                           ({"bogus_option": 1}, "bogus_option")])
def test_bad_options_raise_parameter_errors(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        pl.run_pennylane(real_spec("1d", 1), **kwargs)


def test_to_pennylane_validates_its_input():
    with pytest.raises(ParameterError, match="int"):
        pl.to_pennylane(3)
    with pytest.raises(ParameterError, match="'both'"):
        pl.to_pennylane(imag_spec("1d", 1), ancillas="both")
    with pytest.raises(QdqError):
        pl.ucry_ops([0, 1], 2, np.zeros(3))


def test_device_instance_is_accepted():
    spec = real_spec("1d", 2)
    dev = qml.device("lightning.qubit", wires=spec.grid.num_qubits)
    r = pl.run_pennylane(spec, device=dev)
    assert r.extra["device"] == "lightning.qubit"
    assert_same(r, reference("real", "1d", 2, "emulator"))
