import itertools
import json

import numpy as np
import pytest

import qdq
from qdq.binary.polynomial import canonicalize, z_form
from qdq.errors import ParameterError, ProblemError, ResourceError
from qdq.results import Result


def _brute(poly, offset, n):
    out = np.empty(1 << n)
    for idx in range(1 << n):
        x = [(idx >> i) & 1 for i in range(n)]
        out[idx] = offset + sum(w * np.prod([x[i] for i in s]) for s, w in poly.items())
    return out


def _random_poly(rng, n, order):
    poly = {}
    for k in range(1, order + 1):
        for s in itertools.combinations(range(n), k):
            if rng.random() < 0.5:
                poly[s] = float(rng.normal())
    return poly


@pytest.mark.parametrize("seed", range(4))
def test_values_are_the_polynomial_on_every_assignment(seed):
    rng = np.random.default_rng(seed)
    n = 6
    poly = _random_poly(rng, n, 3)
    b = qdq.BinaryProblem(poly, offset=0.7, num_bits=n)
    assert np.allclose(b.values, _brute(poly, 0.7, n), atol=1e-12)
    # the Z-form terms the circuits apply sum to the same function
    total = np.zeros(1 << n)
    for t in b.terms:
        for idx in range(1 << n):
            sub = tuple((idx >> d) & 1 for d in t.dims)
            total[idx] += t.values[sub] if t.dims else float(t.values)
    assert np.allclose(total, b.values, atol=1e-12)


def test_bit_i_is_qubit_i_and_bitstrings_read_x0_first():
    b = qdq.BinaryProblem({(2,): -1.0}, num_bits=4)        # minimum: x2 = 1
    assert b.bits(4) == (0, 0, 1, 0)
    assert int(np.argmin(b.values)) == 4 and b.values[4] == -1.0
    assert b.bitstring(4) == "x0..x3 = 0010"
    assert b.energy([0, 0, 1, 0]) == -1.0


def test_z_form_of_a_product():
    # x0 x1 = (1 − Z0)(1 − Z1)/4
    assert z_form({(0, 1): 4.0}) == {(): 1.0, (0,): -1.0, (1,): -1.0, (0, 1): 1.0}


def test_canonical_form_folds_squares_and_drops_zeros():
    assert canonicalize({(1, 1): 2.0, (0, 1): 1.0, (1, 0): -1.0}, 2) == {(1,): 2.0}


@pytest.mark.parametrize("poly, n, match", [
    ({(0, 5): 1.0}, 3, "bit index 5"),
    ({(0,): float("nan")}, 2, "finite"),
    ({(): 1.0}, 2, "offset"),
    ({(0.5,): 1.0}, 2, "bit index"),
])
def test_bad_polynomials_are_refused(poly, n, match):
    with pytest.raises(ProblemError, match=match):
        qdq.BinaryProblem(poly, num_bits=n)


def test_no_bits_is_refused():
    with pytest.raises(ProblemError, match="at least one bit"):
        qdq.BinaryProblem({}, num_bits=0)


def test_a_huge_problem_has_terms_but_no_table():
    b = qdq.BinaryProblem({(i, i + 1): 1.0 for i in range(99)}, num_bits=100)
    assert len(b.terms) > 99 and b.layout.num_qubits == 100
    with pytest.raises(ResourceError, match="2\\^100"):
        b.values  # noqa: B018


def test_record_round_trip():
    b = qdq.BinaryProblem({(0, 1): 1.5, (2,): -1.0}, offset=0.25, num_bits=3, name="toy")
    again = qdq.BinaryProblem.from_dict(json.loads(json.dumps(b.to_dict())))
    assert again.polynomial == b.polynomial and again.offset == 0.25 and again.name == "toy"


def test_hamiltonian_dense_is_d_times_laplacian_plus_zeta():
    b = qdq.BinaryProblem({(0, 1): -2.0, (1,): 1.0}, num_bits=2)
    H = qdq.Hamiltonian(b, D=0.5).dense()
    X = np.array([[0, 1], [1, 0]])
    L = 2 * np.eye(4) - np.kron(np.eye(2), X) - np.kron(X, np.eye(2))
    assert np.allclose(H, 0.5 * L + np.diag(b.values))
    E0, psi0 = qdq.Hamiltonian(b, D=0.5).ground_state()
    assert np.isclose(E0, np.linalg.eigvalsh(0.5 * L + np.diag(b.values))[0])


def test_default_D_is_the_hypercube_scale():
    b = qdq.BinaryProblem({(0,): 1.0}, num_bits=1)
    assert qdq.Hamiltonian(b).D == 1.0
    assert qdq.Anneal(b, schedule="linear", time=1.0, steps=2).D == 1.0


def test_result_on_a_binary_problem_reports_bits_and_baselines():
    b = qdq.BinaryProblem({(0, 1): -3.0, (0,): 1.0, (1,): 1.0, (2,): 0.5}, num_bits=3)
    r = qdq.run(qdq.ImaginaryTime(qdq.Hamiltonian(b, D=0.3), time=4.0, steps=80),
                backend="emulator")
    s = r.summary()
    assert s["exact_optimum"] == -1.0 and s["optimal_bitstring"] == "110"
    assert r.best_point == (1, 1, 0) and s["bitstring"] == "110"
    assert s["p_ground_state"] > 0.5 > r.uniform_baseline
    assert 0.5 < s["approximation_ratio"] <= 1.0
    assert abs(sum(p for _, p in s["energy_histogram"]) - 1.0) < 1e-9
    again = Result.from_dict(json.loads(json.dumps(r.to_dict())))
    assert again.best_point == (1, 1, 0) and again.is_binary
    with pytest.raises(qdq.errors.ResultError, match="box"):
        r.success_within(0.1)


def test_gaussian_packet_on_bits_is_refused():
    b = qdq.BinaryProblem({(0,): 1.0}, num_bits=2)
    with pytest.raises(ParameterError, match="GaussianPacket"):
        qdq.RealTime(qdq.Hamiltonian(b), initial=qdq.GaussianPacket(center=0.0, width=1.0))


def test_two_loop_runs_on_bits_and_finds_the_ground_state():
    b = qdq.BinaryProblem({(0, 1): -3.0, (0,): 1.0, (1,): 1.0, (2,): 0.5, (2, 3): -1.0},
                          num_bits=4)
    emu = qdq.run(qdq.TwoLoop(b, levels=4), backend="emulator").result
    aer = qdq.run(qdq.TwoLoop(b, levels=4), backend="aer").result
    assert emu.best_point == (1, 1, 1, 1)            # ζ = −1.5, by brute force below
    assert float(b.values.min()) == -1.5 and int(np.argmin(b.values)) == 15
    assert emu.p_global_min > 0.9 > 16 * emu.uniform_baseline / 16
    assert np.max(np.abs(emu.probabilities - aer.probabilities)) < 1e-10
    assert abs(emu.success_probability / aer.success_probability - 1) < 1e-8


def test_compare_sends_bits_to_the_binary_study_and_minimize_refuses():
    b = qdq.benchmarks.labs(4)
    with pytest.raises(ParameterError, match="do not apply to a binary problem"):
        qdq.compare(b, methods=["anneal"], budget=10)
    study = qdq.compare(b, methods=["greedy"], repeats=4, progress=False)
    assert {p["method"] for p in study.points()} == {"greedy", "uniform", "exact"}
    with pytest.raises(ParameterError, match="continuous variables"):
        qdq.minimize(b)
