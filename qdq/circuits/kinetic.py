r"""The kinetic block ``e^{−icD k²}`` on one register: QFT sandwich around a momentum phase.

With ``k = 2πm/L`` and ``m`` the register's index read as an ``n``-bit two's-complement
integer (numpy's FFT order), the momentum phase ``e^{−iφ m²}`` (``φ = cD(2π/L)²``) is a
quadratic form in Z: writing ``m = −½ − Σ_i a_i Z_i`` with ``a_i = w_i/2``,
``w_i = 2^i`` (``i < n−1``), ``w_{n−1} = −2^{n−1}``,

.. math:: m² = \text{const} + Σ_i a_i Z_i + 2 Σ_{i<j} a_i a_j Z_i Z_j,

so it costs ``n`` RZ and ``n(n−1)/2`` RZZ (``n(n−1)`` CX), not the ``2^n − 2`` CX of a
generic diagonal. The block is ``QFTGate · diag(e^{−iφm²}) · QFTGate†`` (``QFTGate†`` maps
position to momentum, DESIGN.md). By default the QFT's bit-reversal swaps are removed:
``QFT = Q̃·R`` with ``R`` the wire reversal, so ``QFT·P·QFT† = Q̃ (RPR) Q̃†`` and ``RPR`` is
the same phase on reversed wires — operator-equal, ``3⌊n/2⌋`` fewer CX per QFT.

CX per block (swap-free): ``n(n−1)`` per QFT × 2 + ``n(n−1)`` = ``3n(n−1)``.

Example:
    >>> import numpy as np
    >>> from qiskit.quantum_info import Operator
    >>> qc = kinetic_block(3, phi=0.2)
    >>> N, m = 8, np.fft.fftfreq(8, 1 / 8)
    >>> F = np.fft.fft(np.eye(N), axis=0)
    >>> np.allclose(Operator(qc).data, np.linalg.inv(F) @ np.diag(np.exp(-0.2j * m**2)) @ F)
    True
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from qdq.circuits.phase_oracles import append_zstring_rotations, walsh_coefficients


def momentum_index(n: int) -> np.ndarray:
    """Two's-complement momentum index ``m`` of register values ``j = 0 … 2^n−1``.

    Example:
        >>> momentum_index(2)
        array([ 0,  1, -2, -1])
    """
    j = np.arange(1 << n)
    return np.where(j < (1 << (n - 1)), j, j - (1 << n)) if n > 0 else j


def momentum_phase(n: int, phi: float, *, name: str = "p2"):
    """``diag(e^{−iφ m²})`` on ``n`` qubits as RZ + RZZ (plus global phase)."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(n, name=name)
    append_zstring_rotations(qc, range(n), _momentum_walsh(n), phi)
    return qc


@lru_cache(maxsize=64)
def _momentum_walsh(n: int) -> np.ndarray:
    coeffs = walsh_coefficients(momentum_index(n) ** 2.0)
    coeffs.setflags(write=False)
    return coeffs


@lru_cache(maxsize=64)
def _qft_noswap(n: int):
    from qiskit.synthesis import synth_qft_full

    q = synth_qft_full(n, do_swaps=False)
    q.name = "qft_noswap"
    return q, q.inverse()


def kinetic_block(n: int, phi: float, *, swap_free: bool = True, name: str = "kinetic"):
    """``QFT · diag(e^{−iφm²}) · QFT†`` on ``n`` qubits.

    Args:
        n: Register size.
        phi: ``c · D · (2π/L)²`` for a factor ``e^{−icDk²}``.
        swap_free: Drop the QFT swaps by rewiring (operator-equal; fewer CX).
        name: Circuit name.
    """
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(n, name=name)
    if swap_free and n > 1:
        q, q_inv = _qft_noswap(n)
        wires = list(range(n))[::-1]
        qc.append(q_inv.to_gate(label="QFT†"), wires)
        qc.append(momentum_phase(n, phi).to_gate(label="e^{-iφm²}"), wires)
        qc.append(q.to_gate(label="QFT"), wires)
    else:
        from qiskit.circuit.library import QFTGate

        qc.append(QFTGate(n).inverse(), range(n))
        qc.append(momentum_phase(n, phi).to_gate(label="e^{-iφm²}"), range(n))
        qc.append(QFTGate(n), range(n))
    return qc


def kinetic_cx_count(n: int, *, swap_free: bool = True) -> int:
    """Closed-form CX count of :func:`kinetic_block`.

    Example:
        >>> kinetic_cx_count(8)
        168
    """
    qft = n * (n - 1) + (0 if swap_free else 3 * (n // 2))
    return 2 * qft + n * (n - 1)
