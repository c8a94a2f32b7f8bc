"""Noisy QAOA on fake devices: the noiseless twin equals the emulator, noise lowers the ratio."""

import numpy as np
import pytest

import qdq
from qdq.binary.instances import maxcut, random_regular_maxcut
from qdq.errors import ParameterError, ResourceError
from qdq.hardware.binary_noise import (
    compact_region,
    ideal_qaoa,
    noisy_depth_scan,
    noisy_qaoa,
    readout_corrected_mean,
    submit_depth_scan,
)
from qdq.qaoa import ramp_for

pytest.importorskip("qiskit_ibm_runtime")
pytest.importorskip("mthree")


@pytest.fixture(scope="module")
def torino():
    from qdq.hardware.fake_backends import fake_backend

    return fake_backend("fake_torino")


def _sigma_ratio(problem, g, b, shots):
    """Shot-noise standard deviation of the sampled ratio (from the exact distribution)."""
    from qdq.engines.emulator import run_emulator

    v = np.asarray(problem.values)
    probs = np.asarray(run_emulator(qdq.QAOA(problem, g, b)).probabilities).reshape(-1)
    sd = np.sqrt(max(probs @ v**2 - (probs @ v) ** 2, 0.0))
    return sd / np.sqrt(shots) / (v.max() - v.min())


def test_noiseless_twin_equals_the_emulator_and_noise_lowers_the_ratio(torino):
    b = random_regular_maxcut(6, 3, 0)
    g, be = ramp_for(b, 2)
    shots = 4000
    ideal = ideal_qaoa(b, g, be)
    sig = _sigma_ratio(b, g, be, shots)
    # guard: QAOA moved well away from the uniform state, so a wrong circuit would show
    assert ideal["ratio_ideal"] - ideal["ratio_uniform"] > 20 * sig
    clean = noisy_qaoa(b, g, be, torino, shots=shots, seed=3, noise=False, mitigate=False)
    assert clean["method"] == "density_matrix" and clean["qubits_simulated"] == 6
    assert abs(clean["ratio_raw"] - ideal["ratio_ideal"]) < 4 * sig
    p = ideal["p_opt_ideal"]
    assert abs(clean["p_opt_raw"] - p) < 4 * np.sqrt(p * (1 - p) / shots)
    noisy = noisy_qaoa(b, g, be, torino, shots=shots, seed=3)
    assert noisy["ratio_raw"] < ideal["ratio_ideal"] - 5 * sig
    assert noisy["ratio_raw"] > ideal["ratio_uniform"]  # noisy, not random
    # readout correction moves the ratio back towards the ideal, not past it
    assert noisy["ratio_raw"] < noisy["ratio_mitigated"] < ideal["ratio_ideal"] + 4 * sig
    assert noisy["two_qubit_gates"] >= 2 * 9 * 2 and 0 < noisy["est_fidelity"] < 1
    assert sum(noisy["counts"].values()) == shots
    best = max(noisy["counts"], key=noisy["counts"].get)  # counts are flat indices Σ x_i 2^i
    assert max(noisy["counts"]) < 2**6 and b.values[best] < np.mean(b.values)


def test_readout_correction_inverts_a_known_readout_channel_exactly():
    b = random_regular_maxcut(6, 3, 1)
    g, be = ramp_for(b, 1)
    from qdq.engines.emulator import run_emulator

    probs = np.asarray(run_emulator(qdq.QAOA(b, g, be)).probabilities).reshape(-1)
    exact = float(probs @ np.asarray(b.values))
    rng = np.random.default_rng(0)
    cals = []
    for _ in range(b.num_bits):  # asymmetric readout errors, as on hardware
        e0, e1 = rng.uniform(0.01, 0.06), rng.uniform(0.02, 0.1)
        cals.append(np.array([[1 - e0, e1], [e0, 1 - e1]]))
    noisy = probs.reshape([2] * b.num_bits)  # axis k ↔ bit n−1−k (C order, bit 0 fastest)
    for i, a in enumerate(cals):
        axis = b.num_bits - 1 - i
        noisy = np.moveaxis(np.tensordot(a, noisy, axes=([1], [axis])), 0, axis)
    noisy = noisy.reshape(-1)
    counts = {i: int(round(q * 1e12)) for i, q in enumerate(noisy) if q > 0}
    raw = float(noisy @ np.asarray(b.values))
    assert abs(raw - exact) > 0.05  # guard: the channel really biased the mean
    assert readout_corrected_mean(b, counts, cals) == pytest.approx(exact, abs=1e-9)


def test_mps_samples_twenty_qubits_with_noise(torino):
    n = 20
    path = maxcut([(i, i + 1) for i in range(n - 1)])
    g, be = ramp_for(path, 1)
    ideal = ideal_qaoa(path, g, be)
    r = noisy_qaoa(path, g, be, torino, shots=60, seed=1, method="matrix_product_state",
                   mitigate=False)
    assert r["method"] == "matrix_product_state" and r["qubits_simulated"] == n
    assert sorted(r["physical_qubits"]) == compact_region(torino, n)
    # 60 shots: the ratio is an average of 60 cuts, σ ≈ 0.02; the ideal is 0.1 above uniform
    assert ideal["ratio_uniform"] - 0.08 < r["ratio_raw"] < ideal["ratio_ideal"] + 0.08


def test_compact_region_is_a_connected_healthy_ball(torino):
    from qdq.hardware.binary_routing import usable_qubits

    region = compact_region(torino, 12)
    assert len(region) == 12 and set(region) <= set(usable_qubits(torino.target))
    edges = {tuple(sorted(e)) for e in torino.target.build_coupling_map().get_edges()}
    seen, todo = {region[0]}, [region[0]]
    while todo:
        q = todo.pop()
        for r in region:
            if r not in seen and tuple(sorted((q, r))) in edges:
                seen.add(r)
                todo.append(r)
    assert seen == set(region)


def test_depth_scan_reports_ideal_noisy_and_the_best_depth(torino):
    b = random_regular_maxcut(6, 3, 0)
    scan = noisy_depth_scan(b, ps=(1, 2), backend=torino, shots=1000, seed=1, angles="ramp")
    assert [r["p"] for r in scan] == [1, 2] and scan.optimal() in (1, 2)
    for r in scan:
        assert r["angles"] == "ramp"
        assert r["ratio_uniform"] < r["ratio_white"] < r["ratio_ideal"]
        assert r["ratio_raw"] < r["ratio_ideal"]
    assert scan[1]["two_qubit_gates"] > scan[0]["two_qubit_gates"]
    assert scan[1]["est_fidelity"] < scan[0]["est_fidelity"]
    assert "| 2 | ramp | density_matrix |" in scan.to_markdown()


def test_submitting_to_a_real_device_is_the_backend_name(store, fake_service):
    b = maxcut([(0, 1), (1, 2), (2, 0)])
    rows = [{"p": 1, "gammas": [0.4], "betas": [-0.3]}]
    out = submit_depth_scan(rows, b, "ibm_torino", shots=500, seed=2, store=store,
                            dynamical_decoupling="XY4", twirling=True, wait=True)
    from .fakes import FakeSampler

    (sampler,) = FakeSampler.created
    assert sampler.options["dynamical_decoupling"] == {"enable": True, "sequence_type": "XY4"}
    assert sampler.options["twirling"] == {"enable_gates": True, "enable_measure": True}
    (row,) = out
    assert row["backend"] == "ibm_torino" and row["job"].startswith("qdq-")
    ideal = ideal_qaoa(b, [0.4], [-0.3])["ratio_ideal"]
    assert abs(row["ratio"] - ideal) < 0.1  # the fake service samples ideally


def test_bad_inputs_are_refused(torino):
    b = maxcut([(0, 1)])
    with pytest.raises(ParameterError, match="method must be one of"):
        noisy_qaoa(b, [0.1], [0.1], torino, method="bogus")
    with pytest.raises(ParameterError, match="region must be"):
        noisy_qaoa(b, [0.1], [0.1], torino, region="everywhere")
    with pytest.raises(ParameterError, match="needs a qdq.BinaryProblem"):
        noisy_qaoa(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=2), [0.1], [0.1], torino)
    with pytest.raises(ResourceError, match="at most 24 bits; got 30"):
        noisy_depth_scan(maxcut([(i, i + 1) for i in range(29)]), backend=torino)
    with pytest.raises(ParameterError, match="angles must be"):
        noisy_depth_scan(b, backend=torino, angles="random")
    with pytest.raises(ParameterError, match=r"k must be an integer in 1\.\.117"):
        compact_region(torino, 500)
