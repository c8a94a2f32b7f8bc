"""The model side of binary problems against independent references.

Parsed strings, QUBO matrices, Ising fields and dimod models are checked assignment by
assignment against a direct evaluation of their definition; brute force against dimod's
ExactSolver and a plain enumeration; the instances against their textbook definitions.
"""

import itertools

import numpy as np
import pytest

import qdq
from qdq.binary.exact import ExactSolution, brute_force, ground_state
from qdq.binary.parse import parse_binary
from qdq.errors import ProblemError, ResourceError


def assignments(n):
    return np.array(list(itertools.product((0, 1), repeat=n)))[:, ::-1]  # row i = index i


def spins(n):
    return 2 * assignments(n) - 1


# ---------------------------------------------------------------- strings
def test_a_string_is_the_same_function_as_its_text():
    b = qdq.BinaryProblem("x0*x1 - 2*x2 + 3*x0*x1*x3 + x2**3 - 0.5")
    X = assignments(4)
    want = X[:, 0] * X[:, 1] - 2 * X[:, 2] + 3 * X[:, 0] * X[:, 1] * X[:, 3] + X[:, 2] - 0.5
    assert np.allclose(b.values, want)


def test_named_variables_in_order_of_appearance_or_as_given():
    b = qdq.BinaryProblem("b*c - 2*a")
    assert b.names == ("b", "c", "a")
    b2 = qdq.BinaryProblem("b*c - 2*a", names=["a", "b", "c"])
    assert b2.names == ("a", "b", "c") and b2.polynomial == {(1, 2): 1.0, (0,): -2.0}


@pytest.mark.parametrize("text, match", [
    ("sin(x0)", "not a polynomial"), ("x0/x1", "not a polynomial"),
    ("sqrt(x0)", "not a polynomial"), ("x0**-1", "not a polynomial"),
    ("3 + 4", "no variables"), ("x0 + a", "mix of indexed"),
    ("__import__('os')", "__import__"), ("x0; x1", ";"),
])
def test_bad_strings_are_refused(text, match):
    with pytest.raises(ProblemError, match=match):
        qdq.BinaryProblem(text)


def test_gaps_in_indices_are_unused_bits():
    poly, offset, names = parse_binary("x3")
    assert poly == {(3,): 1.0} and names == ("x0", "x1", "x2", "x3")


# ---------------------------------------------------------------- matrices and spins
@pytest.mark.parametrize("seed", range(3))
def test_qubo_matrix_is_x_transpose_q_x(seed):
    rng = np.random.default_rng(seed)
    Q = rng.normal(size=(5, 5))
    b = qdq.BinaryProblem(Q)
    X = assignments(5)
    assert np.allclose(b.values, np.einsum("ki,ij,kj->k", X, Q, X))


@pytest.mark.parametrize("Q, match", [
    (np.ones((2, 3)), "square"), (np.array([[np.nan]]), "finite"),
    (np.array([[1j]]), "real"), (np.zeros((0, 0)), "square"),
])
def test_bad_matrices_are_refused(Q, match):
    with pytest.raises(ProblemError, match=match):
        qdq.BinaryProblem(Q)


@pytest.mark.parametrize("seed", range(3))
def test_ising_uses_dimods_spins_and_round_trips(seed):
    rng = np.random.default_rng(seed)
    n = 5
    h = rng.normal(size=n)
    J = {(i, j): float(rng.normal()) for i in range(n) for j in range(i + 1, n)
         if rng.random() < .6}
    b = qdq.BinaryProblem.from_ising(h, J, offset=0.3)
    S = spins(n)
    want = S @ h + sum(w * S[:, i] * S[:, j] for (i, j), w in J.items()) + 0.3
    assert np.allclose(b.values, want)
    h2, J2, off2 = b.to_ising()
    again = qdq.BinaryProblem.from_ising([h2[i] for i in range(n)], J2, off2)
    assert np.allclose(again.values, b.values)


def test_dimod_both_ways_and_dimods_exact_solver():
    dimod = pytest.importorskip("dimod")
    rng = np.random.default_rng(3)
    bqm = dimod.BinaryQuadraticModel({v: rng.normal() for v in "abcdef"},
                                     {(u, v): rng.normal() for u, v in
                                      itertools.combinations("abcdef", 2)}, 0.7, dimod.SPIN)
    b = qdq.BinaryProblem(bqm)
    best = dimod.ExactSolver().sample(bqm).first
    sol = b.exact()
    assert np.isclose(sol.energy, best.energy)
    bits = b.bits(int(sol.states[0]))
    assert all((2 * bits[i] - 1) == best.sample[v] for i, v in enumerate(b.names))
    back = b.to_bqm()
    for idx in range(64):
        sample = dict(zip(b.names, b.bits(idx), strict=True))
        assert np.isclose(back.energy(sample), b.values[idx])


def test_higher_order_has_no_bqm():
    pytest.importorskip("dimod")
    with pytest.raises(ProblemError, match="make_quadratic"):
        qdq.BinaryProblem("x0*x1*x2").to_bqm()


# ---------------------------------------------------------------- files
def test_or_library_and_matrix_files(tmp_path):
    f = tmp_path / "bqp3.txt"
    f.write_text("1\n3 4\n1 1 2\n1 2 -3\n2 3 1\n3 3 -1\n")
    b = qdq.BinaryProblem(f)
    Q = np.array([[2, -3, 0], [-3, 0, 1], [0, 1, -1.0]])
    X = assignments(3)
    # OR-Library maximizes xᵀQx: qdq's ζ (minimized) is its negative
    assert np.allclose(b.values, -np.einsum("ki,ij,kj->k", X, Q, X))
    m = tmp_path / "q.qubo"
    m.write_text("1 2\n0 -3\n")
    assert np.allclose(qdq.BinaryProblem(m).values, [0, 1, -3, 0])
    bad = tmp_path / "bad.txt"
    bad.write_text("1\n2 1\n1 x 3\n")
    with pytest.raises(ProblemError, match="bad.txt:3"):
        qdq.BinaryProblem(bad)


def test_all_binary_lp_file_and_refusals(tmp_path):
    pytest.importorskip("highspy")
    lp = tmp_path / "m.lp"
    lp.write_text("Minimize\n obj: 2 a - 3 b + [ 4 a * b ] / 2\nBounds\n 0 <= a <= 1\n"
                  " 0 <= b <= 1\nGeneral\n a b\nEnd\n")
    b = qdq.BinaryProblem(lp)
    assert b.names == ("a", "b")
    assert np.allclose(b.values, [0, 2, -3, 2 - 3 + 2])
    cont = tmp_path / "c.lp"
    cont.write_text("Minimize\n obj: a\nBounds\n 0 <= a <= 2\nEnd\n")
    with pytest.raises(ProblemError, match="'a' is not binary"):
        qdq.BinaryProblem(cont)


# ---------------------------------------------------------------- brute force
@pytest.mark.parametrize("seed", range(3))
def test_brute_force_agrees_with_enumeration(seed):
    rng = np.random.default_rng(seed)
    n = 10
    poly = {s: float(rng.integers(-2, 3)) for k in (1, 2, 3)
            for s in itertools.combinations(range(n), k) if rng.random() < 0.3}
    b = qdq.BinaryProblem(poly, num_bits=n)
    sol = brute_force(b.polynomial, b.offset, n, max_states=4)
    ground = np.flatnonzero(np.isclose(b.values, b.values.min()))
    assert isinstance(sol, ExactSolution)
    assert np.isclose(sol.energy, b.values.min()) and sol.count == ground.size
    assert sol.states.tolist() == ground[:4].tolist()


def test_brute_force_splits_high_bits_correctly():
    # 21 bits: the outer loop runs over the 3 high bits; a term across the split decides.
    poly = {(0, 20): -5.0, (19,): 1.0, (20,): 2.0} | {(i,): 0.5 for i in range(1, 19)}
    sol = brute_force(poly, 0.0, 21)
    assert sol.energy == -3.0 and sol.states.tolist() == [1 + (1 << 20)]


def test_beyond_32_bits_there_is_no_brute_force():
    assert ground_state({(0,): 1.0}, 0.0, 33) is None
    with pytest.raises(ResourceError, match="2\\^33"):
        brute_force({(0,): 1.0}, 0.0, 33)


# ---------------------------------------------------------------- instances
def test_maxcut_is_minus_the_cut():
    edges = [(0, 1, 2.0), (1, 2, 1.0), (2, 3, 1.5), (3, 0, 1.0), (0, 2, 0.5)]
    b = qdq.benchmarks.maxcut(edges)
    X = assignments(4)
    cut = sum(w * (X[:, i] != X[:, j]) for i, j, w in edges)
    assert np.allclose(b.values, -cut)


def test_random_regular_maxcut_is_regular_and_seeded():
    pytest.importorskip("networkx")
    b = qdq.benchmarks.random_regular_maxcut(10, 3, seed=4)
    degree = np.zeros(10)
    for s in b.polynomial:
        if len(s) == 2:
            degree[list(s)] += 1
    assert (degree == 3).all()
    assert b.polynomial == qdq.benchmarks.random_regular_maxcut(10, 3, seed=4).polynomial


def test_sk_is_its_spin_hamiltonian():
    b = qdq.benchmarks.sk(6, seed=2, couplings="pm1")
    rng = np.random.default_rng(2)
    S = spins(6)
    want = np.zeros(64)
    for i in range(6):
        for j in range(i + 1, 6):
            want += rng.choice((-1.0, 1.0)) * S[:, i] * S[:, j] / np.sqrt(6)
    assert np.allclose(b.values, want)


@pytest.mark.parametrize("N, optimum", [(3, 1), (4, 2), (5, 2), (6, 7), (7, 3), (8, 8)])
def test_labs_is_the_sum_of_squared_autocorrelations(N, optimum):
    b = qdq.benchmarks.labs(N)
    S = spins(N)
    want = sum(np.sum(S[:, :N - k] * S[:, k:], axis=1) ** 2 for k in range(1, N))
    assert np.allclose(b.values, want)
    assert b.values.min() == optimum  # the known optimal energies for N = 3..8


def test_number_partitioning_is_zero_at_a_perfect_split():
    b = qdq.benchmarks.number_partitioning([4, 5, 6, 7, 8])
    S = spins(5)
    assert np.allclose(b.values, (S @ np.array([4, 5, 6, 7, 8.0])) ** 2)
    assert b.values.min() == 0.0


@pytest.mark.parametrize("call, match", [
    (lambda: qdq.benchmarks.sk(1), "n must be"), (lambda: qdq.benchmarks.labs(0), "N must"),
    (lambda: qdq.benchmarks.random_regular_maxcut(5, 3), "n·d even"),
    (lambda: qdq.benchmarks.number_partitioning([1]), "two finite"),
    (lambda: qdq.benchmarks.maxcut([(0, 1, float("inf"))]), "finite"),
])
def test_bad_instance_arguments_are_refused(call, match):
    with pytest.raises(ProblemError, match=match):
        call()
