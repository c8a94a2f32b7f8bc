r"""Diagonal phase oracles ``|x⟩ ↦ e^{−iθφ(x)}|x⟩`` from Walsh coefficients.

Any function on ``m`` bits has a Walsh (Z-string) expansion

.. math:: φ(x) = \sum_{S ⊆ \{0..m−1\}} c_S \prod_{i∈S} (−1)^{x_i},
          \qquad c_S = 2^{−m} \sum_x φ(x) (−1)^{|S ∧ x|},

so ``e^{−iθφ} = e^{−iθc_∅} \prod_S e^{−iθ c_S Z_S}`` exactly (all factors commute).
Two syntheses are offered, and the cheaper one (in CX) is chosen *per target qubit*:

* **Gray code** (Welch et al. 2014): strings whose highest qubit is ``t`` are visited
  in Gray-code order of the lower qubits; consecutive strings differ by one CX onto
  ``t``, so the group costs ``2^t`` CX and a dense diagonal on ``m`` qubits costs
  ``Σ_{t=1}^{m−1} 2^t = 2^m − 2`` CX — optimal for a generic diagonal.
* **Sparse Z-strings**: weight-1 strings are ``RZ``, weight-2 strings ``RZZ`` (2 CX),
  heavier ones a CX ladder (``2(|S|−1)`` CX). A degree-``p`` polynomial of the grid
  index only has strings of weight ``≤ p``, so this wins for polynomial terms and for
  the momentum phase ``m²``.

Coefficients with ``|c_S| ≤ tol·max|c|`` are dropped (``tol = 1e-13``: numerical zeros).
The synthesis itself lives in :mod:`qdq.circuits.synthesis` (shared by every emitter); this
module wraps it as Qiskit circuits and counts its CX by walking the gates.

Example:
    >>> import numpy as np
    >>> from qiskit.quantum_info import Operator
    >>> phi = np.array([0.0, 1.0, 4.0, 9.0])                  # j² on 2 qubits
    >>> qc = phase_oracle(phi, theta=0.3)
    >>> np.allclose(np.diag(Operator(qc).data), np.exp(-0.3j * phi))
    True
    >>> phase_oracle_cx_count(phi)
    2
"""

from __future__ import annotations

import numpy as np

from qdq.circuits.synthesis import (
    ZERO_TOL,
    cx_count,
    group_plan,
    significant,
    walsh_coefficients,
    zstring_gates,
)

__all__ = ["ZERO_TOL", "append_zstring_rotations", "phase_oracle", "phase_oracle_cx_count",
           "walsh_coefficients", "zstring_program"]

_significant = significant
_group_plan = group_plan


def phase_oracle_cx_count(phi: np.ndarray, *, tol: float = ZERO_TOL) -> int:
    """CX count of :func:`phase_oracle` for ``φ``, walked from its gates (no circuit built).

    Example:
        >>> phase_oracle_cx_count(np.random.default_rng(0).normal(size=16))   # 2^4 − 2
        14
    """
    coeffs = walsh_coefficients(phi)
    return cx_count(zstring_gates(range(int(np.log2(coeffs.size))), coeffs, 1.0, tol=tol))


def zstring_program(coeffs: np.ndarray, theta: float, *,
                    tol: float = ZERO_TOL) -> list[tuple[str, tuple[int, ...], float]]:
    """The gate sequence of ``Π_S e^{−iθ c_S Z_S}`` on local qubit indices, toolkit-neutral.

    Entries are ``("rz", (t,), λ)``, ``("rzz", (a, t), λ)``, ``("zstring", (…, t), λ)`` for
    a weight ≥ 3 string (``e^{−iλ Z…Z/2}``) and ``("cx", (c, t), 0.0)``; rotation angles
    follow ``RZ(λ) = e^{−iλZ/2}``. The global phase ``−θ c_∅`` is not included. The Qiskit
    and PennyLane emitters both walk this list, so their circuits agree gate for gate.

    Example:
        >>> zstring_program(walsh_coefficients(np.array([0.0, 1.0, 4.0, 9.0])), 0.5)
        [('rz', (0,), -1.5), ('rz', (1,), -3.0), ('rzz', (0, 1), 1.0)]
    """
    return zstring_gates(range(int(np.log2(np.asarray(coeffs).size))), coeffs, theta, tol=tol)


def append_zstring_rotations(qc, qubits, coeffs: np.ndarray, theta: float, *,
                             tol: float = ZERO_TOL) -> None:
    """Append ``Π_S e^{−iθ c_S Z_S}`` (and the global phase ``−θ c_∅``) to ``qc``.

    Args:
        qc: Circuit to append to.
        qubits: Circuit qubits, ``qubits[i]`` carrying bit ``i`` of ``x``.
        coeffs: Walsh coefficients, ``2^m`` entries.
        theta: Overall angle multiplier.
        tol: Relative threshold below which coefficients are dropped.
    """
    from qdq.circuits.qiskit_emitter import append_gates

    qc.global_phase -= theta * float(coeffs[0])
    append_gates(qc, zstring_gates(list(qubits), coeffs, theta, tol=tol))


def phase_oracle(phi: np.ndarray, theta: float = 1.0, *, name: str = "phase",
                 tol: float = ZERO_TOL):
    """Circuit for ``diag(e^{−iθφ(x)})`` on ``m = log2(len(φ))`` qubits (little-endian ``x``).

    Args:
        phi: Real phase function, ``2^m`` entries.
        theta: Angle multiplier.
        name: Circuit name (shows as the gate name when appended).
        tol: Relative threshold for dropping numerically-zero coefficients.

    Returns:
        A ``QuantumCircuit`` whose operator equals ``diag(e^{−iθφ})`` including global phase.
    """
    from qiskit import QuantumCircuit

    phi = np.asarray(phi, dtype=float).reshape(-1)
    m = int(np.log2(phi.size))
    qc = QuantumCircuit(m, name=name)
    append_zstring_rotations(qc, range(m), walsh_coefficients(phi), theta, tol=tol)
    return qc
