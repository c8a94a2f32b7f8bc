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

ZERO_TOL = 1e-13


def walsh_coefficients(phi: np.ndarray) -> np.ndarray:
    """Walsh coefficients ``c_S`` (indexed by bitmask ``S``) of ``φ`` (indexed by ``x``).

    ``x``'s bit ``i`` is qubit ``i`` (little-endian). ``phi`` must have ``2^m`` entries.

    Example:
        >>> walsh_coefficients(np.array([1.0, -1.0]))       # φ = Z
        array([0., 1.])
    """
    a = np.array(phi, dtype=float).reshape(-1)
    n = a.size
    if n & (n - 1):
        raise ValueError(f"phi needs 2**m entries, got {n}")
    h = 1
    while h < n:
        a = a.reshape(-1, 2, h)
        a = np.stack([a[:, 0] + a[:, 1], a[:, 0] - a[:, 1]], axis=1).reshape(-1)
        h *= 2
    return a / n


def _significant(coeffs: np.ndarray, tol: float) -> np.ndarray:
    scale = float(np.max(np.abs(coeffs[1:]))) if coeffs.size > 1 else 0.0
    return np.abs(coeffs) > tol * max(scale, 1e-300)


def _group_plan(coeffs: np.ndarray, tol: float) -> list[tuple[int, str, int]]:
    """Per target qubit ``t``: ``(t, "gray" | "sparse" | "none", cx)``."""
    m = int(np.log2(coeffs.size))
    sig = _significant(coeffs, tol)
    plan = []
    for t in range(m):
        lo, hi = 1 << t, 1 << (t + 1)
        masks = np.nonzero(sig[lo:hi])[0] + lo
        if masks.size == 0:
            plan.append((t, "none", 0))
            continue
        weights = np.array([int(s).bit_count() for s in masks])
        sparse_cx = int(np.sum(2 * (weights - 1)))
        gray_cx = (1 << t) if t > 0 else 0
        plan.append((t, "sparse", sparse_cx) if sparse_cx <= gray_cx else (t, "gray", gray_cx))
    return plan


def phase_oracle_cx_count(phi: np.ndarray, *, tol: float = ZERO_TOL) -> int:
    """CX count of :func:`phase_oracle` for ``φ`` (closed form, no circuit built).

    Example:
        >>> phase_oracle_cx_count(np.random.default_rng(0).normal(size=16))   # 2^4 − 2
        14
    """
    return sum(cx for _, _, cx in _group_plan(walsh_coefficients(phi), tol))


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
    sig = _significant(coeffs, tol)
    program: list[tuple[str, tuple[int, ...], float]] = []
    for t, kind, _ in _group_plan(coeffs, tol):
        lo = 1 << t
        if kind == "none":
            continue
        if kind == "sparse":
            for s in np.nonzero(sig[lo: 2 * lo])[0] + lo:
                angle = 2 * theta * float(coeffs[s])
                others = tuple(i for i in range(t) if (int(s) >> i) & 1)
                name = ("rz", "rzz")[len(others)] if len(others) < 2 else "zstring"
                program.append((name, (*others, t), angle))
            continue
        # Gray-code walk over the lower t qubits; parity of {t} ∪ gray(i) sits on target t.
        prev = 0
        for i in range(1 << t):
            g = i ^ (i >> 1)
            if i:
                program.append(("cx", ((g ^ prev).bit_length() - 1, t), 0.0))
            if sig[lo | g]:
                program.append(("rz", (t,), 2 * theta * float(coeffs[lo | g])))
            prev = g
        if t:
            program.append(("cx", (prev.bit_length() - 1, t), 0.0))
    return program


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
    qubits = list(qubits)
    qc.global_phase -= theta * float(coeffs[0])
    for name, local, angle in zstring_program(coeffs, theta, tol=tol):
        q = [qubits[i] for i in local]
        if name == "rz":
            qc.rz(angle, q[0])
        elif name == "rzz":
            qc.rzz(angle, q[0], q[1])
        elif name == "cx":
            qc.cx(q[0], q[1])
        else:  # weight >= 3: a CX ladder onto the target computes the parity
            for c in q[:-1]:
                qc.cx(c, q[-1])
            qc.rz(angle, q[-1])
            for c in reversed(q[:-1]):
                qc.cx(c, q[-1])


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
