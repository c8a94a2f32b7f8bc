r"""Qiskit circuits of real-time and annealing specs (and the entry point for all specs).

:func:`build_circuit` lowers a spec to its circuit program
(:func:`qdq.circuits.program.program`: ``("potential", c)`` → one phase oracle ``e^{−icζ}``
per additive term group, synthesized from Walsh coefficients on only the registers the
group touches; ``("kinetic", c)`` → ``QFT·e^{−icDk_d²}·QFT†`` per dimension) and emits it
with :func:`qdq.circuits.qiskit_emitter.emit_qiskit`. Imaginary-time specs go to
:func:`qdq.circuits.imaginary.build_imaginary_circuit` (ancilla blocks, postselection).

Registers: ``x0, x1, …`` (one per dimension, in order, so dimension ``d`` occupies qubits
``offset_d …``), then ancillas for imaginary time.

CX counts come from walking the program (:meth:`~qdq.circuits.program.Program.resources`);
:func:`strang_step_cx_count` is that walk for one merged Strang step.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2 + y", bounds=[(-1, 1), (0, 1)], qubits=[3, 2])
    >>> qc = build_circuit(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.1, steps=1))
    >>> [r.name for r in qc.qregs], qc.num_qubits
    (['x0', 'x1'], 5)
"""

from __future__ import annotations

from qdq.circuits.factors import phase_groups, term_flat, term_qubits
from qdq.circuits.ops import GlobalPhase, ZPhase
from qdq.circuits.program import merge_phase_groups, potential_ops, program
from qdq.circuits.qiskit_emitter import TARGETS, emit_qiskit
from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec, ProductFormula
from qdq.problem import Problem

__all__ = ["PotentialOracle", "build_circuit", "strang_step_cx_count", "term_flat",
           "term_qubits"]


class PotentialOracle:
    """Cached Walsh coefficients of every term group; emits ``e^{−icζ}`` for any ``c``."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.groups = merge_phase_groups(phase_groups(problem))

    def ops(self, c: float) -> tuple:
        """The program ops of ``e^{−icζ}``: one ``ZPhase`` per group, and global phases."""
        return potential_ops(self.groups, c)

    def circuit(self, c: float, num_qubits: int, *, name: str = "potential"):
        """``e^{−icζ}`` as a circuit on the problem's ``num_qubits`` register qubits."""
        from qiskit import QuantumCircuit

        from qdq.circuits.qiskit_emitter import append_gates

        qc = QuantumCircuit(num_qubits, name=name)
        for op in self.ops(c):
            if isinstance(op, GlobalPhase):
                qc.global_phase += op.phase
            else:
                append_gates(qc, op.gates())
        return qc

    def cx_count(self) -> int:
        """CX count of one oracle (independent of ``c``), from its gates.

        Example:
            >>> import qdq
            >>> PotentialOracle(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=8)).cx_count()
            35
        """
        from qdq.circuits.synthesis import cx_count

        return sum(cx_count(op.gates()) for op in self.ops(1.0) if isinstance(op, ZPhase))


def build_circuit(spec: EvolutionSpec, *, swap_free: bool = True, measure: bool = False,
                  flat: bool = False, target: str = "hardware"):
    """Build the Qiskit circuit of an evolution spec.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.Anneal` or :class:`~qdq.ImaginaryTime`.
        swap_free: Use the swap-free QFT wiring in kinetic blocks (operator-equal).
        measure: Add measurements of the registers (and ancillas) into classical bits.
        flat: Emit plain standard gates (``h, rz, rzz, cx, cp, …``) instead of labelled
            ``V(c)`` / ``T_d(c)`` blocks; same operator.
        target: ``"hardware"``: the gate-level circuit that
            ``program(spec).resources()`` counts; ``"simulator"``: Aer's native
            diagonals/multiplexers for dense ops (operator-equal, much faster on Aer).

    Returns:
        A ``qiskit.QuantumCircuit``; its statevector restricted to ancillas in ``|0⟩`` is
        the evolved state (exactly, up to Trotter error shared with the emulator).

    Raises:
        ParameterError: If ``spec`` is not an evolution spec or ``target`` is unknown.
    """
    EvolutionSpec.require(spec, "build_circuit")
    if target not in TARGETS:
        raise ParameterError(f"target must be one of {TARGETS}, got {target!r}")
    # Imaginary time: the shots circuit of build_imaginary_circuit (reused ancillas).
    prog = program(spec, swap_free=swap_free, measure=measure, ancillas="reuse")
    return emit_qiskit(prog, target=target, flat=flat)


class _OneStep(EvolutionSpec):
    """A merged real-time Strang step in the middle of a long circuit: ``V(1)·T(1)``."""

    def __init__(self, problem: Problem):
        super().__init__(problem, 1.0, time=1.0, steps=1, order=1, initial="uniform")

    def product_formula(self) -> ProductFormula:
        return ProductFormula("real", (("potential", 1.0), ("kinetic", 1.0)), 1)


def strang_step_cx_count(problem: Problem, *, swap_free: bool = True) -> int:
    """CX count of one merged real-time Strang step (one oracle + kinetic), from the program.

    Example:
        >>> import qdq
        >>> strang_step_cx_count(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=8))  # 35 + 147
        182
    """
    return program(_OneStep(problem), swap_free=swap_free).resources()["cx"]
