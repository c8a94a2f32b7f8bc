r"""Probabilistic imaginary-time circuits: one ancilla + postselection per non-unitary factor.

An imaginary-time factor ``e^{−cX}`` (``X`` diagonal in some basis, shifted so that
``0 < f ≤ 1``) is applied with a *uniformly controlled* ``RY`` on a fresh ancilla:

.. math:: |x⟩|0⟩ \mapsto |x⟩\big(f(x)|0⟩ + \sqrt{1 − f(x)^2}\,|1⟩\big),
          \qquad \cos(θ(x)/2) = f(x),

so the ancilla-``|0⟩`` branch carries ``f(x)ψ(x)`` and postselecting it succeeds with
probability ``‖fψ‖²``. The product formula of :class:`~qdq.ImaginaryTime` is interpreted
factor by factor, exactly like the emulator (:mod:`qdq.engines.emulator`):

* ``("potential", c)``: one block per additive term group ``g`` of the objective with
  ``dims ≠ ()``, controlled by that group's registers (little-endian concatenation), with
  ``f_g = e^{−c(ζ_g − min ζ_g)}``. Constant groups need no block. The product over groups
  is the emulator's ``e^{−c(ζ − s)}``, ``s = Σ_g min ζ_g``
  (:func:`~qdq.engines.emulator.imaginary_potential_shift`).
* ``("kinetic", c)``: per dimension ``d`` one block ``QFT · UCRY · QFT†`` on register ``d``
  and its own ancilla, ``f(m) = e^{−cD(2πm/L_d)²}`` over the two's-complement momentum
  index ``m``. ``QFT†`` maps position to momentum (docs/conventions.md); the QFT swaps are removed
  by rewiring as in :mod:`qdq.circuits.kinetic` (``QFT = Q̃R``, so
  ``QFT·P·QFT† = Q̃(RPR)Q̃†`` with ``RPR`` the same block on reversed control wires).

**Uniformly controlled RY.** With the Walsh expansion ``θ(x) = Σ_S w_S (−1)^{|S∧x|}``,
all factors ``e^{−i(w_S/2) Z_S ⊗ Y}`` commute, and ``CX_{q→a} Y_a CX_{q→a} = Z_q Y_a``, so a
Gray-code walk over the ``m`` controls (one ``RY(w_S)`` on the ancilla per string, one CX
between consecutive strings, one closing CX) synthesizes it with exactly ``2^m`` CX and
``2^m`` RY (``m ≥ 1``). Angle functions ``2 arccos e^{−c·(…)}`` are not polynomial, so
their Walsh spectra are dense and the Gray walk is the right synthesis (a sparse Z-string
ladder would cost ``Σ_S 2|S| = m 2^m``). A group whose values do not depend on some of its
qubits (e.g. a callable constant along one axis) is controlled only by the qubits it
depends on.

**CX counts** are walked from the program (:meth:`~qdq.circuits.program.Program.resources`);
they follow these formulas (basis ``cx, rz, sx, x, ry``; ``m_g`` the number of qubits group
``g`` depends on, ``n_d`` the qubits of dimension ``d``; ``qft(n) = n(n−1)`` swap-free,
``n(n−1) + 3⌊n/2⌋`` with swaps; checked in the tests):

* potential block of group ``g``: ``2^{m_g}``;
* kinetic block of dimension ``d``: ``2^{n_d} + 2·qft(n_d)``;
* one imaginary-time step (order 1, or a merged order-2 step):
  ``Σ_g 2^{m_g} + Σ_d (2^{n_d} + 2 qft(n_d))``; the whole circuit adds one more potential
  factor for order 2 (the final half step). See :func:`imaginary_block_cx_counts`,
  :func:`imaginary_step_cx_count`, :func:`imaginary_circuit_cx_count`.

**Ancilla modes.** ``ancillas="fresh"``: one new ancilla per block (register ``anc``), no
mid-circuit measurement — the whole circuit is unitary and its statevector projected on
``anc = |0…0⟩`` is the imaginary-time state times ``√P_success`` (for exact checks and
amplitude amplification). ``ancillas="reuse"`` (default): ``anc`` has one qubit per
dimension (kinetic blocks of one factor run in parallel, potential blocks go round-robin);
after each block its ancilla is measured into the next bit of classical register ``post``
and reset. With ``measure=True`` the grid is measured into register ``m``, added *before*
``post``, so Qiskit count keys read ``"post m"`` and, concatenated, the postselection bits
sit above the grid bits (a shot is accepted iff ``value >> num_grid_qubits == 0``).

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    >>> spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=0.4, steps=2, order=1)
    >>> qc = build_imaginary_circuit(spec, ancillas="fresh")
    >>> [r.name for r in qc.qregs], qc.num_qubits     # 2 steps x (1 potential + 1 kinetic)
    (['x0', 'anc'], 7)
    >>> imaginary_step_cx_count(p)                    # 2^3 + (2^3 + 2·3·2)
    28
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdq.circuits.factors import (
    DEPENDENCE_RTOL,
    dependent_bits,
    group_bits,
    kinetic_angles,
    restrict,
    ry_angles,
)
from qdq.circuits.program import ANCILLA_MODES, Program, factor_program, program
from qdq.circuits.qiskit_emitter import append_gates, emit_qiskit
from qdq.circuits.synthesis import cx_count, gray_walk, ucry_gates
from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec
from qdq.problem import Problem

__all__ = ["ANCILLA_MODES", "DEPENDENCE_RTOL", "Block", "append_ucry", "build_imaginary_circuit",
           "count_blocks", "dependent_bits", "factor_blocks", "factor_circuit",
           "imaginary_block_cx_counts", "imaginary_circuit_cx_count", "imaginary_step_cx_count",
           "kinetic_angles", "kinetic_blocks", "kinetic_decay_circuit", "potential_blocks",
           "ry_angles", "ucry_circuit", "ucry_cx_count"]

_restrict = restrict
_group_bits = group_bits


# --------------------------------------------------------------------------- UCRY synthesis
def ucry_cx_count(num_controls: int) -> int:
    """CX count of :func:`append_ucry` with ``m`` controls (walked: ``2^m``, 0 for ``m = 0``).

    Example:
        >>> [ucry_cx_count(m) for m in range(4)]
        [0, 2, 4, 8]
    """
    m = int(num_controls)
    generic = np.ones(1 << m, dtype=bool)  # every Walsh angle non-zero
    return cx_count(gray_walk(list(range(m)), m, np.ones(1 << m), generic, "ry"))


def append_ucry(qc, controls, target, theta: np.ndarray) -> None:
    """Append the uniformly controlled ``RY(θ(x))`` (Gray-code walk, ``2^m`` CX).

    Args:
        qc: Circuit to append to.
        controls: ``m`` circuit qubits, ``controls[i]`` carrying bit ``i`` of ``x``.
        target: The ancilla qubit.
        theta: ``2^m`` angles indexed by ``x`` (little-endian over ``controls``).

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.quantum_info import Statevector
        >>> qc = QuantumCircuit(2)
        >>> _ = qc.h(0)
        >>> append_ucry(qc, [0], 1, np.array([0.0, np.pi]))  # x=0: RY(0), x=1: RY(π)
        >>> np.round(Statevector(qc).probabilities(), 6)      # |00⟩ and |11⟩
        array([0.5, 0. , 0. , 0.5])
    """
    controls = list(controls)
    theta = np.asarray(theta, dtype=float).reshape(-1)
    m = len(controls)
    if theta.size != 1 << m:
        raise ParameterError(f"theta needs 2**{m} = {1 << m} angles, got {theta.size}")
    append_gates(qc, ucry_gates(controls, target, theta))


def ucry_circuit(theta: np.ndarray, *, name: str = "ucry"):
    """Uniformly controlled RY on ``m`` control qubits ``0…m−1`` and target qubit ``m``.

    Example:
        >>> from qiskit.quantum_info import Operator
        >>> U = Operator(ucry_circuit(np.array([0.3, 1.1]))).data
        >>> bool(np.isclose(U[0, 0], np.cos(0.15)) and np.isclose(U[1, 1], np.cos(0.55)))
        True
    """
    from qiskit import QuantumCircuit

    theta = np.asarray(theta, dtype=float).reshape(-1)
    m = int(np.log2(theta.size))
    qc = QuantumCircuit(m + 1, name=name)
    append_ucry(qc, range(m), m, theta)
    return qc


# --------------------------------------------------------------------------- blocks
@dataclass(frozen=True)
class Block:
    """One probabilistic block: a unitary on some grid qubits plus one ancilla (last qubit).

    Attributes:
        term: ``"potential"`` or ``"kinetic"``.
        label: Short description (term group or dimension, and ``c``).
        qubits: Grid qubits the block acts on (its circuit's qubits ``0…len−1``).
        circuit: The block on ``len(qubits) + 1`` qubits; the last one is the ancilla.
        cx: CX count (walked from the block's ops).
    """

    term: str
    label: str
    qubits: tuple[int, ...]
    circuit: object
    cx: int


def _blocks(prog: Program) -> list[Block]:
    from qdq.circuits.program import walk_resources
    from qdq.circuits.qiskit_emitter import segment_circuit

    out = []
    for seg in prog.segments():
        if seg.role == "block":
            term = "potential" if seg.key[0] == "potential" else "kinetic"
            cx = walk_resources(seg.ops, prog.num_qubits)["cx"]
            out.append(Block(term, seg.label, seg.qubits[:-1],
                             segment_circuit(seg, name=f"imag_{term}"), cx))
    return out


def _single(problem: Problem, D: float = 1.0):
    from qdq.evolution import ImaginaryTime
    from qdq.hamiltonian import Hamiltonian

    return ImaginaryTime(Hamiltonian(problem, D=D), time=1.0, steps=1, order=1)


def potential_blocks(problem: Problem, c: float) -> list[Block]:
    """Blocks of ``e^{−c(ζ − s)}``: one per non-constant term group, ``f_g = e^{−c(ζ_g − min)}``.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + x*y + 3", bounds=[(-1, 1), (-1, 1)], qubits=[2, 1])
        >>> [(b.qubits, b.cx) for b in potential_blocks(p, 0.1)]
        [((0, 1), 4), ((0, 1, 2), 8)]
    """
    return _blocks(factor_program(_single(problem), "potential", c))


def kinetic_decay_circuit(n: int, length: float, D: float, c: float, *, swap_free: bool = True):
    """``QFT · UCRY(θ(m)) · QFT†`` on ``n`` register qubits (``0…n−1``) and ancilla ``n``.

    On the ancilla-``|0⟩`` branch it applies ``F⁻¹ e^{−cDk²} F`` to the register.

    Example:
        >>> from qiskit.quantum_info import Operator
        >>> U = Operator(kinetic_decay_circuit(2, 4.0, 0.5, 0.3)).data[:4, :4]   # ancilla 0 -> 0
        >>> F = np.fft.fft(np.eye(4), axis=0)
        >>> k = 2 * np.pi * np.fft.fftfreq(4, d=1.0)
        >>> np.allclose(U, np.linalg.inv(F) @ np.diag(np.exp(-0.3 * 0.5 * k**2)) @ F)
        True
    """
    p = Problem("x", bounds=[(0.0, float(length))], qubits=n)
    (blk,) = _blocks(factor_program(_single(p, D), "kinetic", c, swap_free=swap_free))
    return blk.circuit


def kinetic_blocks(problem: Problem, D: float, c: float, *, swap_free: bool = True
                   ) -> list[Block]:
    """Blocks of ``F⁻¹ e^{−cD|k|²} F``: one per dimension (they commute)."""
    return _blocks(factor_program(_single(problem, D), "kinetic", c, swap_free=swap_free))


def factor_blocks(spec: EvolutionSpec, term: str, c: float, *, swap_free: bool = True
                  ) -> list[Block]:
    """The probabilistic blocks of one product-formula factor ``(term, c)`` of ``spec``."""
    return _blocks(factor_program(spec, term, c, swap_free=swap_free))


def factor_circuit(spec: EvolutionSpec, term: str, c: float, *, swap_free: bool = True,
                   target: str = "hardware"):
    """One factor as a unitary circuit: grid qubits, then one fresh ancilla per block.

    Projecting the ancillas on ``|0…0⟩`` applies the (shifted) factor ``e^{−cX}``.
    ``target="simulator"`` emits the UCRYs as Aer-native multiplexers (same operator).

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + y**2", bounds=[(-1, 1)] * 2, qubits=2)
        >>> spec = qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=1)
        >>> factor_circuit(spec, "kinetic", 0.1).num_qubits      # 4 grid + 2 ancillas
        6
    """
    from qiskit import QuantumCircuit

    prog = factor_program(spec, term, c, swap_free=swap_free)
    # The emitter keeps one ancilla register even when a factor needs no block.
    body = emit_qiskit(prog, target=target, flat=True)
    qc = QuantumCircuit(body.num_qubits, name=f"{term}({c:.4g})")
    qc.compose(body, range(body.num_qubits), inplace=True)
    return qc


# --------------------------------------------------------------------------- counts
def imaginary_block_cx_counts(problem: Problem, *, swap_free: bool = True) -> dict:
    """CX count of every block type of ``problem`` (walked from the blocks' ops).

    Returns:
        ``{"potential": {dims: 2^{m_g}}, "kinetic": {d: 2^{n_d} + 2 qft(n_d)}}``, one entry
        per non-constant term group / per dimension (see the module docstring).

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + x*y", bounds=[(-1, 1), (-1, 1)], qubits=[3, 2])
        >>> imaginary_block_cx_counts(p)
        {'potential': {(0,): 8, (0, 1): 32}, 'kinetic': {0: 20, 1: 8}}
    """
    spec = _single(problem)
    dims = [t.dims for t in problem.terms if t.dims and group_bits(t, problem)[0]]
    pot = [b.cx for b in factor_blocks(spec, "potential", 1.0, swap_free=swap_free)]
    kin = [b.cx for b in factor_blocks(spec, "kinetic", 1.0, swap_free=swap_free)]
    return {"potential": dict(zip(dims, pot, strict=True)), "kinetic": dict(enumerate(kin))}


def imaginary_step_cx_count(problem: Problem, *, swap_free: bool = True) -> int:
    """CX of one imaginary-time step (one potential + one kinetic factor).

    ``Σ_g 2^{m_g} + Σ_d (2^{n_d} + 2·qft(n_d))``.

    Example:
        >>> import qdq
        >>> imaginary_step_cx_count(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=8))
        624
    """
    return program(_single(problem), swap_free=swap_free).resources()["cx"]


def imaginary_circuit_cx_count(spec: EvolutionSpec, *, swap_free: bool = True) -> int:
    """CX of the whole circuit of ``spec`` (state preparation needs none), walked.

    ``#potential factors · Σ_g 2^{m_g} + #kinetic factors · Σ_d (2^{n_d} + 2 qft(n_d))``.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> spec = qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=4, order=2)
        >>> imaginary_circuit_cx_count(spec)             # 5 potential x 8 + 4 kinetic x 20
        120
    """
    return program(spec, swap_free=swap_free).resources()["cx"]


def count_blocks(spec: EvolutionSpec) -> int:
    """Number of probabilistic blocks (= postselected ancilla measurements) of ``spec``.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + y", bounds=[(-1, 1), (0, 1)], qubits=2)
        >>> count_blocks(qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=3, order=1))
        12
    """
    return program(spec).num_blocks


# --------------------------------------------------------------------------- assembly
def build_imaginary_circuit(spec: EvolutionSpec, *, swap_free: bool = True,
                            measure: bool = False, ancillas: str = "reuse",
                            flat: bool = False, target: str = "hardware"):
    """Build the probabilistic (postselected) circuit of an imaginary-time spec.

    Args:
        spec: An :class:`~qdq.ImaginaryTime` spec.
        swap_free: Swap-free QFT wiring in kinetic blocks (operator-equal, fewer CX).
        measure: Measure the grid registers into classical register ``m`` (added before
            ``post``; in ``"fresh"`` mode the ancillas are then measured into ``post`` at
            the end).
        ancillas: ``"reuse"`` (ancillas measured mid-circuit into ``post`` and reset; for
            shots and hardware) or ``"fresh"`` (one ancilla per block, unitary circuit; for
            exact statevector checks and amplitude amplification).
        flat: Emit the blocks' plain gates (``h, cp, cx, ry``) instead of one labelled
            gate per block, and prepare non-uniform initial states with the
            simulator-native ``Initialize`` (not invertible: keep ``False`` for
            :mod:`qdq.circuits.amplify`).
        target: ``"hardware"`` (gate level) or ``"simulator"`` (UCRYs as Aer-native
            multiplexers; implies ``flat``).

    Returns:
        A ``QuantumCircuit`` with registers ``x0, x1, …`` (grid), ``anc``; classical
        ``m`` (if ``measure``) then ``post``. A shot is accepted iff every ``post`` bit is 0;
        in ``"fresh"`` mode the statevector's ``anc = |0…0⟩`` part is
        ``√P_success · ψ_imaginary``.

    Raises:
        ParameterError: If ``spec`` is not imaginary-time or ``ancillas`` is unknown.
    """
    if ancillas not in ANCILLA_MODES:
        raise ParameterError(f"ancillas must be one of {ANCILLA_MODES}, got {ancillas!r}; "
                             "use 'fresh' for exact statevector runs, 'reuse' for shots")
    if not isinstance(spec, EvolutionSpec) or spec.time_axis != "imaginary":
        axis = f" ({spec.time_axis} time)" if isinstance(spec, EvolutionSpec) else ""
        raise ParameterError(f"build_imaginary_circuit needs an ImaginaryTime spec, got "
                             f"{type(spec).__name__}{axis}; use qdq.build_circuit for others")
    prog = program(spec, swap_free=swap_free, measure=measure, ancillas=ancillas)
    return emit_qiskit(prog, target=target, flat=flat)
