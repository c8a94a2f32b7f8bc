"""What a whole Qiskit circuit of a spec will hold in memory, estimated before building it.

Aer (real time, anneals, noisy or fresh-ancilla imaginary time), PennyLane and hardware
submission build the spec's *whole* circuit, so ``steps = 10**12`` would grow memory until
the machine gives out. The circuit is ``steps`` copies of one step's ops, so its size is
counted from one factor of each term (:func:`~qdq.circuits.program.factor_program`),
never by walking the steps:

``instructions ≈ n_V · I_V + n_K · I_K``,  ``bytes ≈ instructions · INSTRUCTION_BYTES +
dense entries · DENSE_ENTRY_BYTES``,

with ``n_V, n_K`` the potential and kinetic factors (exact for short formulas, else
``⌈size_hint/2⌉`` each: an upper bound) and ``I_V, I_K`` the instructions one factor emits
(one per gate; one per Aer-native diagonal / multiplexer, whose ``2^m`` entries are
counted as dense entries). :func:`check_circuit_memory` refuses a circuit whose bytes do
not fit, before anything is built.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    >>> est = circuit_estimate(qdq.RealTime(qdq.Hamiltonian(p), time=1.0, steps=10**12))
    >>> est.instructions > 10**12
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qdq.evolution import EvolutionSpec
from qdq.grid import check_memory

#: Bytes one instruction of a built circuit costs at peak: the ``CircuitInstruction``, its
#: gate object and parameters, the transpiled copy and Aer's own copy. Measured: ≈ 2.3 KiB
#: per instruction (peak RSS of ``qdq.run(RealTime(…, steps=200 / 800), backend="aer")`` on
#: a 2-D 3-qubit-per-dimension grid, both targets); declared with margin.
INSTRUCTION_BYTES = 4096
#: Bytes one entry of an Aer-native diagonal / multiplexer costs (a Python ``complex`` in
#: the gate's parameter list, its list slot and Aer's copy). Measured ≈ 72 B (same runs at
#: 6 qubits per dimension: 4096-entry diagonals).
DENSE_ENTRY_BYTES = 128
#: Mirrors ``qdq.circuits.qiskit_emitter.MAX_DENSE_QUBITS`` (largest op emitted as one dense
#: instruction for the simulator target); kept here so estimating imports no Qiskit.
MAX_DENSE_QUBITS = 16


@dataclass(frozen=True)
class CircuitEstimate:
    """Estimated size of a spec's whole circuit (see the module docstring)."""

    instructions: int
    dense_entries: int
    potential_factors: int
    kinetic_factors: int

    @property
    def bytes(self) -> int:
        """Declared peak bytes of building and running the circuit."""
        return self.instructions * INSTRUCTION_BYTES + self.dense_entries * DENSE_ENTRY_BYTES


def _op_cost(op, target: str) -> tuple[int, int]:
    """``(instructions, dense entries)`` one program op emits."""
    from qdq.circuits.ops import UCRY, GlobalPhase, Measure, Prepare, ZPhase

    if isinstance(op, GlobalPhase):
        return 0, 0
    if isinstance(op, Measure):
        return 1 + int(op.reset), 0
    if isinstance(op, Prepare):
        return (1, 1 << len(op.qubits)) if op.amplitudes is not None else (len(op.qubits), 0)
    dense_ok = target == "simulator" and len(op.qubits) <= MAX_DENSE_QUBITS
    if dense_ok and isinstance(op, UCRY) and op.controls:
        return 1, 4 << len(op.controls)  # 2^c 2x2 matrices
    gates = op.gates()
    if dense_ok and isinstance(op, ZPhase) and len(gates) > len(op.qubits):
        return 1, 1 << len(op.qubits)
    return sum(2 * len(q) - 1 if name == "zstring" else 1 for name, q, _ in gates), 0


def _factor_cost(spec: EvolutionSpec, term: str, target: str, swap_free: bool
                 ) -> tuple[int, int]:
    from qdq.circuits.program import factor_program

    # The coefficient changes angles, not the gate count: one factor stands for all.
    prog = factor_program(spec, term, spec.time / spec.steps, swap_free=swap_free)
    inst = dense = 0
    for op in prog:
        i, d = _op_cost(op, target)
        inst, dense = inst + i, dense + d
    return inst, dense


def circuit_estimate(spec: EvolutionSpec, *, target: str = "hardware", swap_free: bool = True,
                     ancillas: str | None = None) -> CircuitEstimate:
    """Estimate the whole circuit of ``spec`` from one factor of each term.

    Args:
        spec: The evolution spec.
        target: ``"hardware"`` (gate level) or ``"simulator"`` (Aer-native diagonals).
        swap_free: Kinetic-block wiring.
        ancillas: Imaginary time: ``"reuse"`` adds a measure and a reset per block,
            ``"fresh"`` a final measure per block.

    Returns:
        A :class:`CircuitEstimate` (an upper bound for streamed formulas).
    """
    formula = spec.product_formula()
    if formula.streamed:
        n_pot = n_kin = math.ceil(formula.size_hint / 2)
    else:
        counts = formula.counts()
        n_pot, n_kin = counts["potential"], counts["kinetic"]
    pot = _factor_cost(spec, "potential", target, swap_free)
    kin = _factor_cost(spec, "kinetic", target, swap_free)
    inst = n_pot * pot[0] + n_kin * kin[0] + 2 * spec.grid.num_qubits  # + prepare, measure
    dense = n_pot * pot[1] + n_kin * kin[1] + spec.grid.size  # + a dense initial state
    if spec.time_axis == "imaginary" and ancillas == "reuse":
        blocks = n_pot * len(spec.problem.terms) + n_kin * spec.grid.dims
        inst += 2 * blocks
    elif spec.time_axis == "imaginary" and ancillas == "fresh":
        inst += n_pot * len(spec.problem.terms) + n_kin * spec.grid.dims  # final measures
    return CircuitEstimate(inst, dense, n_pot, n_kin)


def check_circuit_memory(spec: EvolutionSpec, *, who: str, target: str = "hardware",
                         swap_free: bool = True, ancillas: str | None = None,
                         copies: int = 1) -> CircuitEstimate:
    """Refuse (``ResourceError``) a circuit whose estimate does not fit, before building it.

    Args:
        spec: The evolution spec.
        who: The engine or path named in the message (``"aer"``, ``"submit"``, …).
        target: As in :func:`circuit_estimate`.
        swap_free: As in :func:`circuit_estimate`.
        ancillas: As in :func:`circuit_estimate`.
        copies: Extra full copies the path makes (e.g. a transpiled circuit, gate-expanded).

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> check_circuit_memory(qdq.RealTime(qdq.Hamiltonian(p), steps=10**12), who="aer")
        Traceback (most recent call last):
        ...
        qdq.errors.ResourceError: the aer circuit of steps=1000000000000 (~34,000,000,000,040 ...
    """
    est = circuit_estimate(spec, target=target, swap_free=swap_free, ancillas=ancillas)
    check_memory(est.bytes * max(1, int(copies)),
                 f"the {who} circuit of steps={spec.steps} (~{est.instructions:,} "
                 f"instructions, {INSTRUCTION_BYTES} B each, built whole)",
                 hint="use fewer steps, or backend='emulator', which streams the steps "
                      "in constant memory")
    return est
