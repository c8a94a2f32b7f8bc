"""Binary dynamics against dense matrices built here, independently of qdq's engines.

``L = Σᵢ (I − Xᵢ)`` is assembled from Kronecker products (bit ``i`` of the flat index
``Σ xᵢ 2^i`` is the ``i``-th factor from the right), ``H = D·L + diag(ζ)``, and the exact
propagators come from :func:`scipy.linalg.expm`. Instances: a random QUBO, an Ising model with
fields, a cubic and a quartic polynomial, and LABS at N = 6.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from scipy.linalg import expm

import qdq
from qdq.engines.emulator import imaginary_potential_shift

X = np.array([[0.0, 1.0], [1.0, 0.0]])
I2 = np.eye(2)


@functools.cache
def dense_laplacian(n: int) -> np.ndarray:
    """``Σᵢ (I − Xᵢ)`` with ``Xᵢ`` flipping bit ``i`` (qubit 0 is the rightmost factor)."""
    L = np.zeros((2**n, 2**n))
    for i in range(n):
        op = np.ones((1, 1))
        for q in reversed(range(n)):  # leftmost factor is the most significant bit
            op = np.kron(op, X if q == i else I2)
        L += np.eye(2**n) - op
    return L


def plus(n: int) -> np.ndarray:
    return np.full(2**n, 2.0 ** (-n / 2), dtype=complex)


def instances() -> dict[str, qdq.BinaryProblem]:
    rng = np.random.default_rng(18)
    n = 5
    Q = rng.normal(size=(n, n))
    qubo = {(i, j): float(Q[i, j]) for i in range(n) for j in range(i, n)}
    h = {i: float(v) for i, v in enumerate(rng.normal(size=4))}
    J = {(i, j): float(rng.normal()) for i in range(4) for j in range(i + 1, 4)}
    return {
        "qubo": qdq.BinaryProblem(qubo, num_bits=n),
        "ising": qdq.BinaryProblem.from_ising(h, J),
        "cubic": qdq.BinaryProblem("x0*x1 - 2*x2 + 3*x0*x1*x2 - 1.5*x1*x3 + 0.5*x3"),
        "quartic": qdq.BinaryProblem("2*x0*x1*x2*x3 - x0 - x1*x2 + 0.7*x3*x0 - 0.3*x2"),
        "labs6": qdq.benchmarks.labs(6),
    }


INSTANCES = instances()


def hamiltonian(b: qdq.BinaryProblem, D: float) -> np.ndarray:
    return D * dense_laplacian(b.num_bits) + np.diag(b.values)


def moved(psi: np.ndarray) -> float:
    """``1 − |⟨+|ψ⟩|``: how far the state left the start."""
    return 1.0 - abs(np.vdot(plus(int(np.log2(psi.size))), psi))


def test_dense_laplacian_is_the_bit_flip_graph():
    # Independent check of the helper: L[k, k ^ 2^i] = −1 and diagonal n.
    n = 3
    L = dense_laplacian(n)
    for k in range(2**n):
        assert L[k, k] == n
        for i in range(n):
            assert L[k, k ^ (1 << i)] == -1.0
    np.testing.assert_allclose(L @ plus(n), 0, atol=1e-15)


#: Order-4 steps reaching ~1e-9 at t = 1 (LABS has a ~20× larger spread of ζ).
REAL_STEPS = {"labs6": 700}


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_real_time_order4_matches_expm(name):
    b, D, t = INSTANCES[name], 0.8, 1.0
    exact = expm(-1j * t * hamiltonian(b, D)) @ plus(b.num_bits)
    assert moved(exact) > 0.1

    def error(steps: int, order: int = 4) -> float:
        spec = qdq.RealTime(qdq.Hamiltonian(b, D=D), time=t, steps=steps, order=order)
        return float(np.max(np.abs(qdq.run(spec, backend="emulator").statevector - exact)))

    steps = REAL_STEPS.get(name, 200)
    fine = error(steps)
    assert fine < 1e-8
    # Fourth order: halving the step divides the error by ~2⁴ = 16.
    assert 12 < error(steps // 2) / fine < 20
    # The tolerance resolves the Trotter error: a crude formula fails it by far.
    assert error(3, order=1) > 1e-3


def dense_factor(term: str, c: float, b: qdq.BinaryProblem, D: float, *, imaginary: bool,
                 shift: float = 0.0) -> np.ndarray:
    if term == "potential":
        z = b.values - shift if imaginary else b.values
        return np.diag(np.exp(-c * z) if imaginary else np.exp(-1j * c * z))
    assert term == "kinetic"
    return dense_kinetic(b.num_bits, c * D, imaginary)


@functools.cache
def dense_kinetic(n: int, cD: float, imaginary: bool) -> np.ndarray:
    """``e^{−cD·L}`` or ``e^{−icD·L}`` (cached: a Strang formula repeats a few ``c``)."""
    return expm((-1.0 if imaginary else -1j) * cD * dense_laplacian(n))


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_imaginary_time_matches_expm_and_shifted_factor_norms(name):
    b, D, tau, steps = INSTANCES[name], 0.6, 1.5, 150
    H = hamiltonian(b, D)
    exact = expm(-tau * H) @ plus(b.num_bits)
    p_exact = np.abs(exact) ** 2 / np.sum(np.abs(exact) ** 2)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(b, D=D), time=tau, steps=steps, order=2)
    r = qdq.run(spec, backend="emulator")
    # Strang error ~ τ·dt²·‖[[L, ζ], ·]‖: dt = 0.01 gives ≤ 1.2e-5 here (measured).
    assert np.max(np.abs(r.probabilities - p_exact)) < 5e-5
    crude = qdq.ImaginaryTime(qdq.Hamiltonian(b, D=D), time=tau, steps=3, order=1)
    assert np.max(np.abs(qdq.run(crude, backend="emulator").probabilities - p_exact)) > 1e-3
    assert 0.5 * np.sum(np.abs(p_exact - 2.0**-b.num_bits)) > 0.3  # it concentrated
    # Success probability: product of the squared norms of the shifted factors applied to
    # the renormalized state (circuit convention: potential e^{−c(ζ−s)}, s = Σ_g min ζ_g;
    # kinetic e^{−cDL} has largest eigenvalue 1 and needs no shift).
    s = imaginary_potential_shift(b)
    assert s == pytest.approx(sum(float(np.min(t.values)) for t in b.terms))
    assert s <= b.values.min() + 1e-12
    psi, log_p = plus(b.num_bits), 0.0
    for term, c in spec.product_formula().factors:
        psi = dense_factor(term, c, b, D, imaginary=True, shift=s) @ psi
        norm2 = float(np.vdot(psi, psi).real)
        assert norm2 <= 1 + 1e-12  # every factor is a contraction
        log_p += np.log(norm2)
        psi /= np.sqrt(norm2)
    assert r.success_probability == pytest.approx(np.exp(log_p), rel=1e-9)
    assert r.success_probability < 1.0
    np.testing.assert_allclose(r.probabilities, np.abs(psi) ** 2, atol=1e-12)


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_linear_anneal_matches_dense_product(name):
    b, D = INSTANCES[name], 0.9
    spec = qdq.Anneal(b, D=D, schedule="linear", time=3.0, steps=12, order=1)
    factors = spec.product_formula().factors
    assert {t for t, _ in factors} == {"potential", "kinetic"}
    assert len({c for t, c in factors if t == "kinetic"}) > 1  # the schedule varies
    psi = plus(b.num_bits)
    for term, c in factors:
        psi = dense_factor(term, c, b, D, imaginary=False) @ psi
    out = qdq.run(spec, backend="emulator").statevector
    assert np.max(np.abs(out - psi)) < 1e-10
    assert moved(psi) > 0.05
