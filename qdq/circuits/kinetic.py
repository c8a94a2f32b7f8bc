r"""The kinetic block ``e^{−icD k²}`` on one register: QFT sandwich around a momentum phase.

With ``k = 2πm/L`` and ``m`` the register's index read as an ``n``-bit two's-complement
integer (numpy's FFT order), the momentum phase ``e^{−iφ m²}`` (``φ = cD(2π/L)²``) is a
quadratic form in Z: writing ``m = −½ − Σ_i a_i Z_i`` with ``a_i = w_i/2``,
``w_i = 2^i`` (``i < n−1``), ``w_{n−1} = −2^{n−1}``,

.. math:: m² = \text{const} + Σ_i a_i Z_i + 2 Σ_{i<j} a_i a_j Z_i Z_j,

so it costs ``n`` RZ and ``n(n−1)/2`` ZZ rotations, not the ``2^n − 2`` CX of a
generic diagonal; one parity network for all pairs (GraySynth,
:func:`~qdq.circuits.synthesis.parity_network`) takes ``n(n+1)/2 − 1`` CX instead of
``n(n−1)`` for one RZZ per pair. The block is ``QFTGate · diag(e^{−iφm²}) · QFTGate†``
(``QFTGate†`` maps position to momentum, docs/conventions.md). By default the QFT's
bit-reversal swaps are removed: ``QFT = Q̃·R`` with ``R`` the wire reversal, so
``QFT·P·QFT† = Q̃ (RPR) Q̃†`` and ``RPR`` is the same phase on reversed wires —
operator-equal, ``3⌊n/2⌋`` fewer CX per QFT.

CX per block (swap-free): ``n(n−1)`` per QFT × 2 + ``n(n+1)/2 − 1`` (walked from the
program ops by :func:`kinetic_cx_count`; the formula is checked in the tests).

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

from qdq.circuits.factors import momentum_index, momentum_walsh
from qdq.circuits.ops import ZPhase
from qdq.circuits.program import Segment, kinetic_ops
from qdq.circuits.synthesis import cx_count

__all__ = ["kinetic_block", "kinetic_cx_count", "kinetic_ops", "momentum_index",
           "momentum_phase"]

_momentum_walsh = momentum_walsh


def momentum_phase(n: int, phi: float, *, name: str = "p2"):
    """``diag(e^{−iφ m²})`` on ``n`` qubits as RZ + CX (or RZZ) (plus global phase)."""
    from qiskit import QuantumCircuit

    from qdq.circuits.qiskit_emitter import append_gates

    mom = momentum_walsh(n)
    qc = QuantumCircuit(n, name=name)
    qc.global_phase -= phi * float(mom[0])
    append_gates(qc, ZPhase(tuple(range(n)), mom, phi).gates())
    return qc


def kinetic_block(n: int, phi: float, *, swap_free: bool = True, name: str = "kinetic"):
    """``QFT · diag(e^{−iφm²}) · QFT†`` on ``n`` qubits.

    Args:
        n: Register size.
        phi: ``c · D · (2π/L)²`` for a factor ``e^{−icDk²}``.
        swap_free: Drop the QFT swaps by rewiring (operator-equal; fewer CX).
        name: Circuit name.
    """
    from qdq.circuits.qiskit_emitter import segment_circuit

    ops = kinetic_ops(range(n), phi, swap_free=swap_free)
    seg = Segment("kinetic", name, tuple(range(n)), ops, ("kinetic", phi))
    return segment_circuit(seg, name=name)


def kinetic_cx_count(n: int, *, swap_free: bool = True) -> int:
    """CX count of :func:`kinetic_block`, walked from its ops.

    Example:
        >>> kinetic_cx_count(8)
        147
    """
    return sum(cx_count(op.gates()) for op in kinetic_ops(range(n), 1.0, swap_free=swap_free))
