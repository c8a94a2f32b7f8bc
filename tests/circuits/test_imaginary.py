"""Probabilistic imaginary-time circuits against an independent dense reference.

The reference applies, with plain numpy and DFT matrices built from their definition,
the unrenormalized factors e^{-c(zeta - s)} and F^{-1} e^{-c D k^2} F in product-formula
order, where s = sum of the minima of the objective's additive groups (computed here by
hand for each test problem). Its norm squared is the postselection probability
||prod_j F_j psi_0||^2; normalized, it is the imaginary-time state.
"""

import numpy as np
import pytest
from qiskit import transpile
from qiskit.quantum_info import Operator, Statevector

import qdq
from qdq.circuits.imaginary import (
    append_ucry,
    build_imaginary_circuit,
    count_blocks,
    dependent_bits,
    imaginary_block_cx_counts,
    imaginary_circuit_cx_count,
    imaginary_step_cx_count,
    kinetic_decay_circuit,
    potential_blocks,
    ry_angles,
    ucry_circuit,
)
from qdq.engines.aer import run_aer
from qdq.errors import ParameterError, PostselectionError
from tests.reference import dft_matrix, fidelity

BASIS = ["cx", "rz", "sx", "x", "ry"]


# ----------------------------------------------------------------------------- reference
def _sequence(time, steps, order):
    """The product formula written out independently (potential first, Strang merged)."""
    dt = time / steps
    if order == 1:
        return [(t, dt) for _ in range(steps) for t in ("potential", "kinetic")]
    seq = [("potential", dt / 2)]
    for k in range(steps):
        seq.append(("kinetic", dt))
        seq.append(("potential", dt if k < steps - 1 else dt / 2))
    return seq


def _kinetic_dense(shape, bounds, D, c):
    """F^{-1} diag(e^{-cD|k|^2}) F on C-order flattened grid arrays (Kronecker over dims)."""
    full = np.ones((1, 1), dtype=complex)
    for n, (lo, hi) in zip(shape, bounds, strict=True):
        m = np.array([j if j < n // 2 else j - n for j in range(n)])
        k = 2 * np.pi * m / (hi - lo)
        F = dft_matrix(n)
        full = np.kron(full, np.linalg.inv(F) @ np.diag(np.exp(-c * D * k**2)) @ F)
    return full


def _dense_reference(zeta, shift, bounds, D, time, steps, order, psi0):
    """Unnormalized prod_j F_j psi0 (grid-shaped) and its norm squared."""
    psi = np.asarray(psi0, dtype=complex).reshape(-1)
    for term, c in _sequence(time, steps, order):
        if term == "potential":
            psi = np.exp(-c * (zeta.reshape(-1) - shift)) * psi
        else:
            psi = _kinetic_dense(zeta.shape, bounds, D, c) @ psi
    return psi.reshape(zeta.shape), float(np.vdot(psi, psi).real)


def _axes(bounds, qubits):
    return [lo + (hi - lo) / 2**n * np.arange(2**n) for (lo, hi), n in zip(bounds, qubits,
                                                                        strict=True)]


# Each case: objective, bounds, qubits, groups written by hand (for zeta and the shift s).
CASES = {
    "1d-double-well": (
        "x**4 - 2*x**2 + 0.5*x", [(-2.0, 2.0)], [4],
        lambda x: [x**4 - 2 * x**2 + 0.5 * x]),
    "2d-cross-term": (
        "0.5*x**2 + 0.7*x*y + 0.3*y**2 + y", [(-2.0, 2.0), (-1.5, 1.5)], [3, 2],
        lambda x, y: [0.5 * x**2 + 0 * y, 0.3 * y**2 + y + 0 * x, 0.7 * x * y]),
}


def _case(name):
    text, bounds, qubits, groups = CASES[name]
    p = qdq.Problem(text, bounds=bounds, qubits=qubits)
    axes = np.ix_(*_axes(bounds, qubits)) if len(qubits) > 1 else _axes(bounds, qubits)
    parts = [np.broadcast_to(g, p.grid.shape) for g in groups(*axes)]
    zeta = sum(parts)
    shift = sum(float(g.min()) for g in parts)
    np.testing.assert_allclose(p.values, zeta, atol=1e-12)  # the hand-written groups are right
    return p, zeta, shift


# ----------------------------------------------------------------------------- synthesis
def test_ucry_equals_block_diagonal_ry(rng):
    m = 3
    theta = rng.uniform(0, np.pi, size=2**m)
    U = Operator(ucry_circuit(theta)).data
    expected = np.zeros((2 ** (m + 1),) * 2)
    for x, t in enumerate(theta):  # target is the top qubit: indices x (|0>) and x + 2^m (|1>)
        c, s = np.cos(t / 2), np.sin(t / 2)
        expected[np.ix_([x, x + 2**m], [x, x + 2**m])] = [[c, -s], [s, c]]
    np.testing.assert_allclose(U, expected, atol=1e-12)


def test_ucry_cx_count_is_two_to_the_m(rng):
    from qiskit import QuantumCircuit

    for m in range(1, 6):
        qc = QuantumCircuit(m + 1)
        append_ucry(qc, range(m), m, rng.uniform(0, np.pi, size=2**m))
        assert qc.count_ops()["cx"] == 2**m


@pytest.mark.parametrize("swap_free", [True, False])
def test_kinetic_block_projects_to_heat_propagator(swap_free):
    n, L, D, c = 3, 5.0, 0.7, 0.4
    U = Operator(kinetic_decay_circuit(n, L, D, c, swap_free=swap_free)).data
    ref = _kinetic_dense((2**n,), [(0.0, L)], D, c)
    np.testing.assert_allclose(U[: 2**n, : 2**n], ref, atol=1e-12)
    assert np.max(np.abs(ref - np.eye(2**n))) > 0.1  # the factor is far from identity


def test_potential_block_amplitudes_are_shifted_exponentials():
    p, zeta, shift = _case("2d-cross-term")
    c = 0.37
    blocks = potential_blocks(p, c)
    assert [len(b.qubits) for b in blocks] == [3, 2, 5]
    prod = np.ones(p.grid.size)
    for blk in blocks:
        U = Operator(blk.circuit).data
        m = len(blk.qubits)
        diag = np.diag(U)[: 2**m].real  # ancilla |0> -> |0> amplitudes
        # expand over the full statevector index
        idx = np.arange(p.grid.size)
        sub = sum(((idx >> q) & 1) << i for i, q in enumerate(blk.qubits))
        prod *= diag[sub]
    expected = p.grid.to_flat(np.exp(-c * (zeta - shift)))
    np.testing.assert_allclose(prod, expected, rtol=1e-12)


def test_dependent_bits_trims_constant_axes():
    # A callable is one group over both dimensions; this one ignores y entirely.
    p = qdq.Problem(lambda x, y: x**2 + 0 * y, bounds=[(-1, 1), (-1, 1)], qubits=[2, 3])
    blocks = potential_blocks(p, 0.5)
    assert [b.qubits for b in blocks] == [(0, 1)]
    assert dependent_bits(np.array([1.0, 1.0, 1.0, 1.0])) == []


def test_ry_angles_rejects_amplitudes_above_one():
    with pytest.raises(ParameterError, match=r"\[0, 1\]"):
        ry_angles(np.array([0.5, 1.5]))


# ----------------------------------------------------------------------------- whole runs
@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("order", [1, 2])
def test_aer_postselected_state_matches_emulator_and_dense_reference(name, order):
    p, zeta, shift = _case(name)
    D, time, steps = 0.4, 1.2, 3
    init = qdq.GaussianPacket(center=[0.6] * p.dims, width=[0.8] * p.dims)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=D), time=time, steps=steps, order=order,
                             initial=init)
    psi0 = spec.initial_state()
    ref, p_ref = _dense_reference(zeta, shift, p.grid.bounds, D, time, steps, order, psi0)
    ref_state = ref / np.sqrt(p_ref)
    aer = run_aer(spec)
    emu = qdq.run(spec, backend="emulator")
    assert fidelity(ref_state, psi0) < 0.95 and p_ref < 0.9  # the evolution did something
    assert fidelity(aer.statevector, emu.statevector) >= 1 - 1e-9
    assert np.linalg.norm(aer.statevector - ref_state) <= 1e-9  # phases included
    assert aer.success_probability == pytest.approx(p_ref, rel=1e-9)
    assert emu.success_probability == pytest.approx(p_ref, rel=1e-9)
    assert aer.extra["blocks"] == count_blocks(spec)


def test_callable_objective_block_by_block_matches_reference():
    p = qdq.Problem(lambda x, y: np.cos(2 * x) + 0.3 * x * y**2, bounds=[(-2, 2), (-1, 1)],
                    qubits=[2, 2])
    zeta = p.values
    shift = float(zeta.min())  # a callable is a single group
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.3), time=1.0, steps=2, order=2)
    ref, p_ref = _dense_reference(zeta, shift, p.grid.bounds, 0.3, 1.0, 2, 2,
                                  spec.initial_state())
    aer = run_aer(spec)
    assert p_ref < 0.95
    assert aer.success_probability == pytest.approx(p_ref, rel=1e-9)
    assert fidelity(aer.statevector, ref) >= 1 - 1e-9


@pytest.mark.parametrize("swap_free", [True, False])
@pytest.mark.parametrize("case", ["1d", "2d"])
def test_whole_fresh_circuit_postselected_equals_block_by_block(case, swap_free):
    if case == "1d":  # 3 grid qubits, P K P K P: 5 blocks
        p = qdq.Problem("x**4 - 2*x**2", bounds=[(-2, 2)], qubits=3)
        spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=2, order=2)
        shift = float(p.values.min())
    else:  # 3 grid qubits, groups x, y, x*y then two kinetic blocks: 5 blocks
        p = qdq.Problem("x**2 + x*y + y", bounds=[(-1.5, 1.5), (-1, 1)], qubits=[2, 1])
        spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=0.8, steps=1, order=1)
        x, y = np.ix_(*_axes([(-1.5, 1.5), (-1, 1)], [2, 1]))
        shift = float((x**2).min() + y.min() + (x * y).min())
    qc = build_imaginary_circuit(spec, ancillas="fresh", swap_free=swap_free)
    nb = count_blocks(spec)
    assert nb == 5 and qc.num_qubits == 3 + nb
    assert [r.name for r in qc.qregs][-1] == "anc"
    sv = Statevector(qc).data.reshape(2**nb, 2**3)
    branch = p.grid.to_grid(sv[0])  # all ancillas |0>
    ref, p_ref = _dense_reference(p.values, shift, p.grid.bounds, 0.5, spec.time, spec.steps,
                                  spec.order, spec.initial_state())
    np.testing.assert_allclose(branch, ref, atol=1e-10)  # amplitudes, not just probabilities
    blockwise = run_aer(spec, swap_free=swap_free)
    assert blockwise.success_probability == pytest.approx(np.vdot(sv[0], sv[0]).real, rel=1e-9)
    assert fidelity(blockwise.statevector, branch) >= 1 - 1e-9
    assert p_ref < 0.95


# ----------------------------------------------------------------------------- counts
def _explicit_step_cx(group_qubits, dim_qubits, swap_free=True):
    qft = [n * (n - 1) + (0 if swap_free else 3 * (n // 2)) for n in dim_qubits]
    return sum(2**m for m in group_qubits) + sum(2**n + 2 * q for n, q in
                                                  zip(dim_qubits, qft, strict=True))


@pytest.mark.parametrize("swap_free", [True, False])
@pytest.mark.parametrize("ancillas, flat", [("fresh", False), ("reuse", False), ("reuse", True)])
@pytest.mark.parametrize("order", [1, 2])
def test_transpiled_cx_count_matches_closed_form(swap_free, ancillas, flat, order):
    p = qdq.Problem("0.5*x**2 + 0.7*x*y + y", bounds=[(-2, 2), (-1, 1)], qubits=[3, 2])
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=3, order=order)
    qc = build_imaginary_circuit(spec, ancillas=ancillas, swap_free=swap_free, flat=flat)
    cx = transpile(qc, basis_gates=BASIS, optimization_level=0).count_ops().get("cx", 0)
    # groups x (3 qubits), y (2), x*y (5); dims of 3 and 2 qubits
    per_step = _explicit_step_cx([3, 2, 5], [3, 2], swap_free)
    assert imaginary_step_cx_count(p, swap_free=swap_free) == per_step
    n_pot = 3 if order == 1 else 4
    expected = n_pot * (8 + 4 + 32) + 3 * (per_step - (8 + 4 + 32))
    assert imaginary_circuit_cx_count(spec, swap_free=swap_free) == expected
    assert cx == expected


def test_block_counts_per_group_and_dimension():
    p = qdq.Problem("x**2 + x*y + 2", bounds=[(-1, 1), (-1, 1)], qubits=[4, 2])
    counts = imaginary_block_cx_counts(p)
    assert counts == {"potential": {(0,): 16, (0, 1): 64},
                      "kinetic": {0: 16 + 2 * 12, 1: 4 + 2 * 2}}


# ----------------------------------------------------------------------------- shots
def _tv_bound(probs, n):
    """3x the expected total-variation distance of an n-sample empirical histogram."""
    return 3 * 0.5 * np.sum(np.sqrt(2 * probs * (1 - probs) / (np.pi * n))) + 1e-12


@pytest.mark.parametrize("ancillas", ["reuse", "fresh"])
def test_shots_accepted_fraction_and_histogram(ancillas):
    p = qdq.Problem("x**2 - x", bounds=[(-2, 2)], qubits=3)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.3), time=1.5, steps=2, order=1)
    exact = run_aer(spec)
    shots = 6000
    r = run_aer(spec, shots=shots, seed=7, ancillas=ancillas)
    P = exact.success_probability
    assert 0.05 < P < 0.9
    sigma = np.sqrt(P * (1 - P) / shots)
    assert abs(r.success_probability - P) < 4 * sigma
    n_acc = r.accepted_shots
    tv = 0.5 * np.abs(r.probabilities - exact.probabilities).sum()
    assert tv < _tv_bound(exact.probabilities, n_acc)
    assert r.extra["post_bits"] == count_blocks(spec)


def test_count_keys_put_post_bits_above_grid_bits():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=2)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=1, order=1)
    qc = build_imaginary_circuit(spec, measure=True)
    assert [c.name for c in qc.cregs] == ["m", "post"]
    from qdq.engines.aer import simulator

    sim = simulator(seed=3)
    counts = sim.run(transpile(qc, sim), shots=200).result().get_counts()
    nb = count_blocks(spec)
    for key in counts:
        post, m = key.split(" ")
        assert len(post) == nb and len(m) == 2
    assert any(int(k.split(" ")[0], 2) for k in counts)  # some shots are rejected


def test_no_surviving_shot_raises():
    p = qdq.Problem("4*x**2", bounds=[(-3, 3)], qubits=3)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=2.0), time=4.0, steps=4, order=1)
    P = run_aer(spec).success_probability
    assert P < 1e-4  # so 5 shots all fail with probability > 0.9995
    with pytest.raises(PostselectionError, match="no shot of 5 survived"):
        run_aer(spec, shots=5, seed=11)


# ----------------------------------------------------------------------------- metrics, errors
def test_imaginary_result_yield_is_success_times_global_min():
    p = qdq.Problem("(x - 0.5)**2", bounds=[(-2, 2)], qubits=4)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.05), time=3.0, steps=6)
    r = run_aer(spec)
    e = qdq.run(spec, backend="emulator")
    assert r.p_global_min > 2 * r.uniform_baseline  # the state concentrated on the minimum
    assert r.unconditional_yield == pytest.approx(r.success_probability * r.p_global_min)
    assert r.unconditional_yield == pytest.approx(e.unconditional_yield, rel=1e-9)
    assert r.expected_shots_to_minimum == pytest.approx(1 / r.unconditional_yield)
    assert r.unconditional_yield <= r.uniform_baseline  # postselection eats the gain


def test_underflowing_success_probability_raises():
    # Each step keeps about e^{-6.9} of the norm (log P ~ -1380 over 200 steps).
    p = qdq.Problem("100*x**2", bounds=[(-10, 10)], qubits=5)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=50.0), time=200.0, steps=200, order=1)
    with pytest.raises(PostselectionError, match="underflows below 1e-300"):
        run_aer(spec)
    with pytest.raises(PostselectionError, match="underflows"):
        qdq.run(spec, backend="emulator")


def test_unknown_ancilla_mode_and_wrong_spec_raise():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=2)
    H = qdq.Hamiltonian(p)
    spec = qdq.ImaginaryTime(H, time=1.0, steps=1)
    with pytest.raises(ParameterError, match="'recycle'"):
        build_imaginary_circuit(spec, ancillas="recycle")
    with pytest.raises(ParameterError, match="'recycle'"):
        run_aer(spec, shots=10, ancillas="recycle")
    with pytest.raises(ParameterError, match="ImaginaryTime"):
        build_imaginary_circuit(qdq.RealTime(H, time=1.0, steps=1))


def test_build_circuit_delegates_imaginary_specs():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=2)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=2, order=1)
    qc = qdq.build_circuit(spec)
    assert [r.name for r in qc.qregs] == ["x0", "anc"]
    assert [c.name for c in qc.cregs] == ["post"]
    assert qc.count_ops()["measure"] == count_blocks(spec) == qc.count_ops()["reset"]
