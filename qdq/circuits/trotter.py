r"""Assemble Qiskit circuits from a product-formula sequence.

The builder interprets the same :class:`~qdq.evolution.ProductFormula` as the emulator:
``("potential", c)`` becomes one phase oracle ``e^{−icζ}`` per additive term group of the
objective (each on only the registers it touches, synthesized from Walsh coefficients,
see :mod:`qdq.circuits.phase_oracles`); ``("kinetic", c)`` becomes one kinetic block
``QFT·e^{−icD k_d²}·QFT†`` per dimension (:mod:`qdq.circuits.kinetic`). Imaginary-time
factors are probabilistic ancilla blocks (:mod:`qdq.circuits.imaginary`).

Registers: ``x0, x1, …`` (one per dimension, in order, so dimension ``d`` occupies qubits
``offset_d …``), then ancillas for imaginary time.

Closed-form CX count of one real-time Strang step (merged, swap-free kinetic):
``Σ_groups cx(oracle_g) + Σ_d 3 n_d (n_d − 1)`` with ``cx(oracle)`` from
:func:`~qdq.circuits.phase_oracles.phase_oracle_cx_count` (``2^m − 2`` for a generic
term on ``m`` qubits). See :func:`strang_step_cx_count`.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2 + y", bounds=[(-1, 1), (0, 1)], qubits=[3, 2])
    >>> qc = build_circuit(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.1, steps=1))
    >>> [r.name for r in qc.qregs], qc.num_qubits
    (['x0', 'x1'], 5)
"""

from __future__ import annotations

import numpy as np

from qdq.circuits.kinetic import kinetic_block, kinetic_cx_count
from qdq.circuits.phase_oracles import (
    append_zstring_rotations,
    phase_oracle_cx_count,
    walsh_coefficients,
)
from qdq.circuits.state_prep import prepare_initial
from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec
from qdq.problem import Problem, Term


def term_flat(term: Term, problem: Problem) -> np.ndarray:
    """A term's sub-grid values in little-endian order of its concatenated registers."""
    if not term.dims:
        return np.asarray(term.values, dtype=float).reshape(1)
    return np.ascontiguousarray(np.asarray(term.values).transpose()).reshape(-1)


def term_qubits(term: Term, problem: Problem) -> list[int]:
    """Register qubits of a term's dimensions, in order (least significant first)."""
    return [q for d in term.dims for q in problem.grid.register(d)]


class PotentialOracle:
    """Cached Walsh coefficients of every term group; emits ``e^{−icζ}`` for any ``c``."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.groups = []
        for term in problem.terms:
            flat = term_flat(term, problem)
            coeffs = walsh_coefficients(flat) if term.dims else flat
            self.groups.append((term, term_qubits(term, problem), coeffs))

    def circuit(self, c: float, num_qubits: int, *, name: str = "potential"):
        """``e^{−icζ}`` as a circuit on the problem's ``num_qubits`` register qubits."""
        from qiskit import QuantumCircuit

        qc = QuantumCircuit(num_qubits, name=name)
        for term, qubits, coeffs in self.groups:
            if not term.dims:
                qc.global_phase -= c * float(coeffs[0])
                continue
            append_zstring_rotations(qc, qubits, coeffs, c)
        return qc

    def cx_count(self) -> int:
        """CX count of one oracle (independent of ``c``)."""
        return sum(phase_oracle_cx_count(term_flat(t, self.problem))
                   for t, _, _ in self.groups if t.dims)


def build_circuit(spec: EvolutionSpec, *, swap_free: bool = True, measure: bool = False,
                  flat: bool = False):
    """Build the Qiskit circuit of an evolution spec.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.Anneal` or :class:`~qdq.ImaginaryTime`.
        swap_free: Use the swap-free QFT wiring in kinetic blocks (operator-equal).
        measure: Add measurements of the registers (and ancillas) into classical bits.
        flat: Emit plain standard gates (``h, rz, rzz, cx, cp, …``) instead of labelled
            ``V(c)`` / ``T_d(c)`` blocks — what simulators run fastest; same operator.

    Returns:
        A ``qiskit.QuantumCircuit``; its statevector restricted to ancillas in ``|0⟩`` is
        the evolved state (exactly, up to Trotter error shared with the emulator).

    Raises:
        ParameterError: If ``spec`` is not an evolution spec.
    """
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    if not isinstance(spec, EvolutionSpec):
        raise ParameterError(f"build_circuit needs an evolution spec (RealTime, ImaginaryTime, "
                             f"Anneal), got {type(spec).__name__}")
    if spec.kind == "imaginary":
        from qdq.circuits.imaginary import build_imaginary_circuit

        return build_imaginary_circuit(spec, swap_free=swap_free, measure=measure, flat=flat)
    grid = spec.grid
    regs = [QuantumRegister(n, f"x{d}") for d, n in enumerate(grid.qubits)]
    qc = QuantumCircuit(*regs, name=f"qdq-{spec.method}")
    nq = grid.num_qubits
    qc.compose(prepare_initial(spec.initial, grid, native=flat), range(nq), inplace=True)
    oracle = PotentialOracle(spec.problem)
    # Constant-step formulas repeat a handful of (term, c) factors: synthesize each once.
    cache: dict = {}

    def block(key, make, label):
        if key not in cache:
            circ = make()
            cache[key] = circ.decompose() if flat else circ.to_gate(label=label)
        return cache[key]

    for term, c in spec.product_formula().steps:
        if term == "potential":
            op = block(("V", c), lambda c=c: oracle.circuit(c, nq), f"V({c:.4g})")
            _place(qc, op, range(nq), flat)
            continue
        for d in range(grid.dims):
            phi = c * spec.D * (2 * np.pi / grid.lengths[d]) ** 2
            n = grid.qubits[d]
            op = block(("T", n, phi), lambda n=n, phi=phi: kinetic_block(n, phi,
                                                                        swap_free=swap_free),
                       f"T{d}({c:.4g})")
            _place(qc, op, grid.register(d), flat)
    if measure:
        qc.add_register(ClassicalRegister(nq, "m"))
        qc.measure(range(nq), range(nq))
    return qc


def _place(qc, op, qubits, flat: bool) -> None:
    if flat:
        qc.compose(op, list(qubits), inplace=True)
    else:
        qc.append(op, list(qubits))


def strang_step_cx_count(problem: Problem, *, swap_free: bool = True) -> int:
    """Closed-form CX count of one merged real-time Strang step (one oracle + kinetic).

    Example:
        >>> import qdq
        >>> strang_step_cx_count(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=8))  # 56 + 168
        224
    """
    oracle = PotentialOracle(problem).cx_count()
    return oracle + sum(kinetic_cx_count(n, swap_free=swap_free) for n in problem.grid.qubits)
