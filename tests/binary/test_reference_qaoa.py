"""``qdq.QAOA`` against Qiskit's own QAOA ansatz on the same cost operator.

Qiskit ≥ 2.1 builds it with ``qaoa_ansatz`` (the ``QAOAAnsatz`` class is deprecated there and
goes in 3.0); older versions with ``QAOAAnsatz``. Both are the same circuit (checked below).

The cost operator is built here, independently of qdq: ζ is evaluated by brute force from
the instance's definition (polynomial, Ising spins ``s = 2x − 1``, LABS autocorrelations),
turned into Z-form with a Walsh–Hadamard transform (``xᵢ = (1 − Zᵢ)/2``, so
``ζ = Σ_S c_S Π_{i∈S} Zᵢ`` with ``c_S = 2⁻ⁿ Σ_x ζ(x) (−1)^{Σ_{i∈S} xᵢ}``), and written as a
``SparsePauliOp`` (Qiskit labels put qubit 0 rightmost). The ansatz's parameters are bound
by name (``β[k]``, ``γ[k]``), whatever order Qiskit lists them in.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import qdq

qiskit = pytest.importorskip("qiskit")
# Qiskit exponentiates PauliEvolutionGate with scipy.sparse, which warns about formats.
pytestmark = pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")
import qiskit.circuit.library as qlib  # noqa: E402
from qiskit.quantum_info import SparsePauliOp, Statevector  # noqa: E402


def bits(n: int) -> np.ndarray:
    """Row k = the assignment with flat index k (x_i = bit i of k)."""
    return (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1


def poly_values(poly: dict, n: int) -> np.ndarray:
    x = bits(n)
    return np.array([sum(c * np.prod(row[list(m)]) for m, c in poly.items()) for row in x],
                    dtype=float)


def ising_values(h: dict, J: dict, n: int) -> np.ndarray:
    s = 2 * bits(n) - 1
    return np.array([sum(v * r[i] for i, v in h.items())
                     + sum(v * r[i] * r[j] for (i, j), v in J.items()) for r in s], float)


def labs_values(n: int) -> np.ndarray:
    s = 2 * bits(n) - 1
    return np.array([sum(int(r[: n - k] @ r[k:]) ** 2 for k in range(1, n)) for r in s], float)


def instances() -> list[tuple[str, qdq.BinaryProblem, np.ndarray]]:
    rng = np.random.default_rng(7)
    out = []
    n = 4
    qubo = {(i, j): float(rng.normal()) for i in range(n) for j in range(i, n)}
    out.append(("qubo", qdq.BinaryProblem(qubo, num_bits=n), poly_values(qubo, n)))
    h = {i: float(rng.normal()) for i in range(5)}
    J = {(i, j): float(rng.normal()) for i, j in itertools.combinations(range(5), 2)}
    out.append(("ising", qdq.BinaryProblem.from_ising(h, J), ising_values(h, J, 5)))
    cubic = {(0, 1): 1.0, (2,): -2.0, (0, 1, 2): 3.0, (1, 3): -1.5, (3,): 0.5}
    out.append(("cubic", qdq.BinaryProblem(cubic, num_bits=4), poly_values(cubic, 4)))
    quartic = {(0, 1, 2, 3): 2.0, (0,): -1.0, (1, 2): -1.0, (0, 3): 0.7, (2, 4): 0.4}
    out.append(("quartic", qdq.BinaryProblem(quartic, num_bits=5), poly_values(quartic, 5)))
    out.append(("labs6", qdq.benchmarks.labs(6), labs_values(6)))
    return out


INSTANCES = instances()


def z_form_op(zeta: np.ndarray) -> SparsePauliOp:
    """ζ as Σ_S c_S Z_S by a Walsh–Hadamard transform (identity term included)."""
    n = int(np.log2(zeta.size))
    x = bits(n)
    labels, coeffs = [], []
    for mask in range(2**n):
        S = [i for i in range(n) if mask >> i & 1]
        c = float(np.mean(zeta * (-1.0) ** x[:, S].sum(axis=1)))
        if abs(c) > 1e-14:
            labels.append("".join("Z" if q in S else "I" for q in reversed(range(n))))
            coeffs.append(c)
    return SparsePauliOp(labels, coeffs)


@pytest.mark.parametrize("name,b,zeta", INSTANCES, ids=[i[0] for i in INSTANCES])
def test_cost_operator_is_the_objective(name, b, zeta):
    np.testing.assert_allclose(b.values, zeta, atol=1e-12)
    # Qiskit's matrix of the Z-form operator has ζ on its diagonal in the flat order.
    np.testing.assert_allclose(np.diag(z_form_op(zeta).to_matrix()).real, zeta, atol=1e-12)


def qiskit_state(zeta: np.ndarray, gammas, betas, build=None) -> np.ndarray:
    build = build or getattr(qlib, "qaoa_ansatz", None) or qlib.QAOAAnsatz
    ansatz = build(z_form_op(zeta), reps=len(gammas))
    values = {}
    for par in ansatz.parameters:
        base, k = par.name.rstrip("]").split("[")
        values[par] = {"β": betas, "γ": gammas}[base][int(k)]
    assert len(values) == 2 * len(gammas)
    return Statevector(ansatz.assign_parameters(values)).data


@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("name,b,zeta", INSTANCES, ids=[i[0] for i in INSTANCES])
def test_qaoa_matches_qiskit_ansatz(name, b, zeta, p):
    rng = np.random.default_rng(100 * p + len(name))
    scale = 1.0 / np.std(zeta)  # angles that move the state for any spread of ζ
    gammas = list(rng.uniform(0.2, 1.0, p) * scale)
    betas = list(rng.uniform(0.1, 0.7, p))
    ref = qiskit_state(zeta, gammas, betas)
    r = qdq.run(qdq.QAOA(b, gammas=gammas, betas=betas), backend="emulator")
    psi = r.statevector
    assert abs(np.vdot(ref, psi)) >= 1 - 1e-10
    np.testing.assert_allclose(r.probabilities, np.abs(ref) ** 2, rtol=0, atol=1e-10)
    assert 0.5 * np.sum(np.abs(np.abs(ref) ** 2 - 2.0**-b.num_bits)) > 0.05  # it moved


def test_swapped_angles_are_detected():
    # The comparison resolves the convention: β and γ exchanged give another state.
    _, b, zeta = INSTANCES[2]
    ref = qiskit_state(zeta, [0.4, 0.9], [0.3, 0.6])
    psi = qdq.run(qdq.QAOA(b, gammas=[0.3, 0.6], betas=[0.4, 0.9]), backend="emulator")
    assert abs(np.vdot(ref, psi.statevector)) < 0.99


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_function_and_class_ansatz_agree():
    if not hasattr(qlib, "qaoa_ansatz"):
        pytest.skip("this Qiskit has only QAOAAnsatz (used above)")
    _, _, zeta = INSTANCES[2]
    a = qiskit_state(zeta, [0.4, 0.9], [0.3, 0.6], build=qlib.QAOAAnsatz)
    b = qiskit_state(zeta, [0.4, 0.9], [0.3, 0.6], build=qlib.qaoa_ansatz)
    assert abs(np.vdot(a, b)) >= 1 - 1e-12
