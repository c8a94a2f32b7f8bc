"""Declared peak memory of the statevector engines (Aer, PennyLane), checked before a run.

A statevector simulator holds ``2^w`` amplitudes for a circuit of ``w`` qubits: the grid
registers plus the ancillas that are live at once (none in real time; for imaginary time
one per probabilistic block of a factor when run factor by factor, one per reused ancilla
with mid-circuit resets, or one per block of the whole circuit with fresh ancillas). Each
engine declares its peak as ``bytes_per_amplitude · 2^w + fixed`` — measured with the
process's peak resident size at two sizes in ``tests/engines/test_statevector_memory.py`` —
and :func:`check_statevector_memory` refuses a run that does not fit before anything is
built.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2 + y**2", bounds=[(-1, 1)] * 2, qubits=3)
    >>> live_qubits(qdq.RealTime(qdq.Hamiltonian(p), time=1.0, steps=2), "exact")
    6
    >>> live_qubits(qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=2), "exact")
    8
"""

from __future__ import annotations

from dataclasses import dataclass

from qdq.errors import ResourceError
from qdq.evolution import EvolutionSpec
from qdq.grid import check_memory

#: Wider runs are refused without computing ``2^w`` (2^64 amplitudes is 256 EiB).
MAX_STATEVECTOR_QUBITS = 64


@dataclass(frozen=True)
class StatevectorPeak:
    """``bytes_per_amplitude · 2^w + fixed_bytes``: an engine's declared peak."""

    engine: str
    bytes_per_amplitude: int
    fixed_bytes: int

    def bytes(self, qubits: int) -> int:
        """Declared peak of a ``qubits``-wide run, in bytes."""
        return self.bytes_per_amplitude * (1 << qubits) + self.fixed_bytes


#: Aer: its statevector (16 B), the copy returned to Python (16 B), the grid-shaped outputs
#: and metrics (≤ 32 B); fixed: Qiskit and Aer themselves. Measured: ≤ 63 B/amp at 22 qubits.
AER_PEAK = StatevectorPeak("aer", 64, 256 << 20)
#: PennyLane (default.qubit / lightning): its state and the tensors of its ops (≤ 64 B), our
#: outputs (≤ 32 B); fixed: PennyLane's import. Measured: ≈ 57 B/amp above ≈ 300 MiB.
PENNYLANE_PEAK = StatevectorPeak("pennylane", 96, 512 << 20)


#: Aer holds about this many bytes per shot until a shots run ends (its per-shot outcome
#: records). Measured: ≈ 120 B per shot (peak RSS of 10⁷ and 4·10⁷ shots of a 3-qubit
#: real-time circuit, which also took ≈ 1 µs per shot); declared with margin.
AER_SHOT_BYTES = 192


def check_aer_shots(shots: int) -> None:
    """Refuse an Aer shots run whose per-shot records do not fit (before running it).

    Raises:
        ResourceError: Naming the shots and the bytes they need.

    Example:
        >>> check_aer_shots(1000)
    """
    check_memory(int(shots) * AER_SHOT_BYTES,
                 f"aer's shots={shots} ({AER_SHOT_BYTES} B per shot, held until the run ends)",
                 hint="use fewer shots, or backend='emulator', which samples the exact "
                      "distribution in memory independent of the shots")


def live_qubits(spec: EvolutionSpec, mode: str) -> int:
    """Qubits a statevector engine simulates at once for ``spec``.

    Args:
        spec: The evolution spec.
        mode: ``"exact"`` (imaginary time factor by factor), ``"reuse"`` (mid-circuit
            reset ancillas) or ``"fresh"`` (one ancilla per block of the whole circuit).
    """
    grid_qubits = spec.grid.num_qubits
    if spec.time_axis != "imaginary":
        return grid_qubits
    from qdq.circuits.program import factor_program, program

    if mode == "exact":
        return grid_qubits + max(factor_program(spec, term, 1.0).num_ancillas
                                 for term in ("potential", "kinetic"))
    if mode == "reuse":
        # program()'s default reuse width: one ancilla per dimension. Counting the blocks
        # (program() does) would walk every factor of the formula.
        return grid_qubits + max(1, spec.grid.dims)
    if spec.product_formula().streamed:
        # Fresh: one ancilla per block, and every step has >= 1 kinetic block — a lower
        # bound that is already far beyond any statevector, without walking the stream.
        return grid_qubits + spec.steps
    return grid_qubits + max(1, program(spec, ancillas=mode).num_ancillas)


def check_statevector_memory(spec: EvolutionSpec, peak: StatevectorPeak, mode: str) -> None:
    """Refuse a run whose declared peak does not fit in available memory (before building).

    Raises:
        ResourceError: Naming the engine, the qubits and the bytes needed.
    """
    qubits = live_qubits(spec, mode)
    if qubits > MAX_STATEVECTOR_QUBITS:  # 2^qubits itself would be a huge integer
        raise ResourceError(
            f"a {peak.engine} statevector run of {qubits:,} qubits (mode {mode!r}) needs 2^"
            f"{qubits:,} amplitudes; at most {MAX_STATEVECTOR_QUBITS} are ever simulated, got "
            f"steps={spec.steps} — use ancillas='reuse', fewer steps, or backend='emulator'")
    hint = ("use fewer bits, or sample bitstrings without a dense state: "
            "qdq.engines.bitstrings.sample_bitstrings(spec, shots, "
            "method='matrix_product_state')" if getattr(spec.problem, "is_binary", False)
            else "use fewer qubits per dimension")
    check_memory(peak.bytes(qubits),
                 f"a {peak.engine} statevector run of {qubits} qubits "
                 f"({peak.bytes_per_amplitude} B per amplitude + "
                 f"{peak.fixed_bytes >> 20} MiB)", hint=hint)
