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
  index ``m``. ``QFT†`` maps position to momentum (DESIGN.md); the QFT swaps are removed
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

**Closed-form CX counts** (basis ``cx, rz, sx, x, ry``; ``m_g`` the number of qubits group
``g`` depends on, ``n_d`` the qubits of dimension ``d``; ``qft(n) = n(n−1)`` swap-free,
``n(n−1) + 3⌊n/2⌋`` with swaps):

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

from qdq.circuits.kinetic import momentum_index
from qdq.circuits.phase_oracles import walsh_coefficients
from qdq.circuits.state_prep import prepare_initial
from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec
from qdq.problem import Problem, Term

ANCILLA_MODES = ("reuse", "fresh")

#: A group's values are taken not to depend on a qubit when flipping it changes them by at
#: most this fraction of their spread (numerical zeros from floating-point evaluation).
DEPENDENCE_RTOL = 1e-12


# --------------------------------------------------------------------------- UCRY synthesis
def ry_angles(f: np.ndarray) -> np.ndarray:
    """Angles ``θ = 2 arccos f`` so that ``RY(θ)|0⟩`` has ``|0⟩``-amplitude ``f``.

    Args:
        f: Amplitude factors in ``[0, 1]`` (tiny excursions from rounding are clipped).

    Raises:
        ParameterError: If some ``f`` is not finite or lies outside ``[0, 1]`` by more than
            rounding.

    Example:
        >>> ry_angles(np.array([1.0, 0.0]))
        array([0.        , 3.14159265])
    """
    f = np.asarray(f, dtype=float)
    if not np.all(np.isfinite(f)) or np.any(f < -1e-12) or np.any(f > 1 + 1e-12):
        bad = f[~(np.isfinite(f) & (f >= -1e-12) & (f <= 1 + 1e-12))]
        raise ParameterError(
            f"probabilistic-block amplitudes must lie in [0, 1], got {bad[:3]!r}; "
            "shift the factor so that its largest entry is 1"
        )
    return 2.0 * np.arccos(np.clip(f, 0.0, 1.0))


def ucry_cx_count(num_controls: int) -> int:
    """CX count of :func:`append_ucry` with ``m`` controls: ``2^m`` (0 for ``m = 0``).

    Example:
        >>> [ucry_cx_count(m) for m in range(4)]
        [0, 2, 4, 8]
    """
    return 0 if num_controls == 0 else 1 << num_controls


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
    w = walsh_coefficients(theta) if m else theta
    # At Gray step i the CX's applied so far have mapped Y_a to Z_{g_i} Y_a, so RY(w_{g_i})
    # there realises e^{−i w Z_g Y / 2}; the closing CX returns the parity to the empty set.
    prev = 0
    for i in range(1 << m):
        g = i ^ (i >> 1)
        if i:
            qc.cx(controls[(g ^ prev).bit_length() - 1], target)
        if w[g] != 0.0:
            qc.ry(float(w[g]), target)
        prev = g
    if m:
        qc.cx(controls[prev.bit_length() - 1], target)


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
def _qft_cx(n: int, swap_free: bool) -> int:
    return n * (n - 1) + (0 if swap_free else 3 * (n // 2))


def dependent_bits(flat: np.ndarray, *, rtol: float = DEPENDENCE_RTOL) -> list[int]:
    """Bits ``i`` of the (little-endian) index that ``flat`` actually depends on.

    Example:
        >>> dependent_bits(np.array([0.0, 1.0, 0.0, 1.0]))     # depends on bit 0 only
        [0]
    """
    flat = np.asarray(flat, dtype=float).reshape(-1)
    m = int(np.log2(flat.size))
    spread = float(np.ptp(flat)) if flat.size else 0.0
    if spread == 0.0:
        return []
    arr = flat.reshape((2,) * m)  # C order: axis 0 is the most significant bit
    out = []
    for i in range(m):
        diff = float(np.max(np.abs(np.diff(arr, axis=m - 1 - i))))
        if diff > rtol * spread:
            out.append(i)
    return out


def _restrict(flat: np.ndarray, bits: list[int]) -> np.ndarray:
    """``flat`` as a function of ``bits`` only (other bits set to 0), little-endian."""
    m = int(np.log2(flat.size))
    arr = flat.reshape((2,) * m)
    index = tuple(slice(None) if (m - 1 - axis) in bits else 0 for axis in range(m))
    return np.ascontiguousarray(arr[index]).reshape(-1)


@dataclass(frozen=True)
class Block:
    """One probabilistic block: a unitary on some grid qubits plus one ancilla (last qubit).

    Attributes:
        kind: ``"potential"`` or ``"kinetic"``.
        label: Short description (term group or dimension, and ``c``).
        qubits: Grid qubits the block acts on (its circuit's qubits ``0…len−1``).
        circuit: The block on ``len(qubits) + 1`` qubits; the last one is the ancilla.
        cx: Closed-form CX count.
    """

    kind: str
    label: str
    qubits: tuple[int, ...]
    circuit: object
    cx: int


def _group_bits(term: Term, problem: Problem) -> tuple[list[int], np.ndarray]:
    from qdq.circuits.trotter import term_flat, term_qubits

    flat = term_flat(term, problem)
    qubits = term_qubits(term, problem)
    bits = dependent_bits(flat)
    return [qubits[b] for b in bits], _restrict(flat, bits)


def potential_blocks(problem: Problem, c: float) -> list[Block]:
    """Blocks of ``e^{−c(ζ − s)}``: one per non-constant term group, ``f_g = e^{−c(ζ_g − min)}``.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + x*y + 3", bounds=[(-1, 1), (-1, 1)], qubits=[2, 1])
        >>> [(b.qubits, b.cx) for b in potential_blocks(p, 0.1)]
        [((0, 1), 4), ((0, 1, 2), 8)]
    """
    from qiskit import QuantumCircuit

    out = []
    for term in problem.terms:
        if not term.dims:
            continue  # e^{−c(const − const)} = 1
        qubits, values = _group_bits(term, problem)
        if not qubits:
            continue
        theta = ry_angles(np.exp(-c * (values - values.min())))
        m = len(qubits)
        qc = QuantumCircuit(m + 1, name="imag_potential")
        append_ucry(qc, range(m), m, theta)
        label = term.expression if term.expression is not None else f"dims {term.dims}"
        out.append(Block("potential", f"V[{label}]({c:.4g})", tuple(qubits), qc,
                         ucry_cx_count(m)))
    return out


def kinetic_angles(n: int, length: float, D: float, c: float) -> np.ndarray:
    """Angles of the momentum-space UCRY: ``θ(j) = 2 arccos e^{−cD(2π m(j)/L)²}``.

    Example:
        >>> np.round(kinetic_angles(2, 2 * np.pi, 1.0, 0.1), 4)   # m = 0, 1, −2, −1
        array([0.    , 0.8796, 1.6723, 0.8796])
    """
    k = 2 * np.pi * momentum_index(n) / length
    return ry_angles(np.exp(-c * D * k**2))


def kinetic_block(n: int, length: float, D: float, c: float, *, swap_free: bool = True):
    """``QFT · UCRY(θ(m)) · QFT†`` on ``n`` register qubits (``0…n−1``) and ancilla ``n``.

    On the ancilla-``|0⟩`` branch it applies ``F⁻¹ e^{−cDk²} F`` to the register.

    Example:
        >>> from qiskit.quantum_info import Operator
        >>> U = Operator(kinetic_block(2, 4.0, 0.5, 0.3)).data[:4, :4]   # ancilla 0 -> 0
        >>> F = np.fft.fft(np.eye(4), axis=0)
        >>> k = 2 * np.pi * np.fft.fftfreq(4, d=1.0)
        >>> np.allclose(U, np.linalg.inv(F) @ np.diag(np.exp(-0.3 * 0.5 * k**2)) @ F)
        True
    """
    from qiskit import QuantumCircuit

    theta = kinetic_angles(n, length, D, c)
    qc = QuantumCircuit(n + 1, name="imag_kinetic")
    if swap_free:
        from qiskit.synthesis import synth_qft_full

        q = synth_qft_full(n, do_swaps=False)
        wires = list(range(n))[::-1]
        qc.compose(q.inverse(), wires, inplace=True)
        append_ucry(qc, wires, n, theta)
        qc.compose(q, wires, inplace=True)
    else:
        from qiskit.synthesis import synth_qft_full

        q = synth_qft_full(n)  # equals QFTGate(n), bit-reversal swaps included
        qc.compose(q.inverse(), range(n), inplace=True)
        append_ucry(qc, range(n), n, theta)
        qc.compose(q, range(n), inplace=True)
    return qc


def kinetic_blocks(problem: Problem, D: float, c: float, *, swap_free: bool = True
                   ) -> list[Block]:
    """Blocks of ``F⁻¹ e^{−cD|k|²} F``: one per dimension (they commute)."""
    grid = problem.grid
    out = []
    for d in range(grid.dims):
        n = grid.qubits[d]
        qc = kinetic_block(n, grid.lengths[d], D, c, swap_free=swap_free)
        out.append(Block("kinetic", f"T{d}({c:.4g})", tuple(grid.register(d)), qc,
                         ucry_cx_count(n) + 2 * _qft_cx(n, swap_free)))
    return out


def factor_blocks(spec: EvolutionSpec, term: str, c: float, *, swap_free: bool = True
                  ) -> list[Block]:
    """The probabilistic blocks of one product-formula factor ``(term, c)`` of ``spec``."""
    if term == "potential":
        return potential_blocks(spec.problem, c)
    if term == "kinetic":
        return kinetic_blocks(spec.problem, spec.D, c, swap_free=swap_free)
    raise ParameterError(f"unknown product-formula term {term!r}; expected potential/kinetic")


def factor_circuit(spec: EvolutionSpec, term: str, c: float, *, swap_free: bool = True):
    """One factor as a unitary circuit: grid qubits, then one fresh ancilla per block.

    Projecting the ancillas on ``|0…0⟩`` applies the (shifted) factor ``e^{−cX}``.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + y**2", bounds=[(-1, 1)] * 2, qubits=2)
        >>> spec = qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=1)
        >>> factor_circuit(spec, "kinetic", 0.1).num_qubits      # 4 grid + 2 ancillas
        6
    """
    from qiskit import QuantumCircuit

    blocks = factor_blocks(spec, term, c, swap_free=swap_free)
    nq = spec.grid.num_qubits
    qc = QuantumCircuit(nq + len(blocks), name=f"{term}({c:.4g})")
    for b, blk in enumerate(blocks):
        qc.compose(blk.circuit, [*blk.qubits, nq + b], inplace=True)
    return qc


# --------------------------------------------------------------------------- counts
def imaginary_block_cx_counts(problem: Problem, *, swap_free: bool = True) -> dict:
    """Closed-form CX count of every block type of ``problem``.

    Returns:
        ``{"potential": {dims: 2^{m_g}}, "kinetic": {d: 2^{n_d} + 2 qft(n_d)}}``, one entry
        per non-constant term group / per dimension (see the module docstring).

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + x*y", bounds=[(-1, 1), (-1, 1)], qubits=[3, 2])
        >>> imaginary_block_cx_counts(p)
        {'potential': {(0,): 8, (0, 1): 32}, 'kinetic': {0: 20, 1: 8}}
    """
    pot = {}
    for term in problem.terms:
        if term.dims:
            qubits, _ = _group_bits(term, problem)
            if qubits:
                pot[term.dims] = ucry_cx_count(len(qubits))
    kin = {d: ucry_cx_count(n) + 2 * _qft_cx(n, swap_free)
           for d, n in enumerate(problem.grid.qubits)}
    return {"potential": pot, "kinetic": kin}


def imaginary_step_cx_count(problem: Problem, *, swap_free: bool = True) -> int:
    """CX of one imaginary-time step (one potential + one kinetic factor).

    ``Σ_g 2^{m_g} + Σ_d (2^{n_d} + 2·qft(n_d))``.

    Example:
        >>> import qdq
        >>> imaginary_step_cx_count(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=8))
        624
    """
    counts = imaginary_block_cx_counts(problem, swap_free=swap_free)
    return sum(counts["potential"].values()) + sum(counts["kinetic"].values())


def imaginary_circuit_cx_count(spec: EvolutionSpec, *, swap_free: bool = True) -> int:
    """CX of the blocks of the whole circuit of ``spec`` (state preparation excluded).

    ``#potential factors · Σ_g 2^{m_g} + #kinetic factors · Σ_d (2^{n_d} + 2 qft(n_d))``.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> spec = qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=4, order=2)
        >>> imaginary_circuit_cx_count(spec)             # 5 potential x 8 + 4 kinetic x 20
        120
    """
    counts = imaginary_block_cx_counts(spec.problem, swap_free=swap_free)
    factors = spec.product_formula().counts()
    return (factors["potential"] * sum(counts["potential"].values())
            + factors["kinetic"] * sum(counts["kinetic"].values()))


def count_blocks(spec: EvolutionSpec) -> int:
    """Number of probabilistic blocks (= postselected ancilla measurements) of ``spec``.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + y", bounds=[(-1, 1), (0, 1)], qubits=2)
        >>> count_blocks(qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=3, order=1))
        12
    """
    counts = imaginary_block_cx_counts(spec.problem)
    factors = spec.product_formula().counts()
    return (factors["potential"] * len(counts["potential"])
            + factors["kinetic"] * spec.grid.dims)


# --------------------------------------------------------------------------- assembly
def build_imaginary_circuit(spec: EvolutionSpec, *, swap_free: bool = True,
                            measure: bool = False, ancillas: str = "reuse",
                            flat: bool = False):
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
        flat: Emit the blocks' plain gates (``h, cp, swap, cx, ry``) instead of one
            labelled gate per block, and prepare non-uniform initial states with the
            simulator-native ``Initialize`` (not invertible: keep ``False`` for
            :mod:`qdq.circuits.amplify`).

    Returns:
        A ``QuantumCircuit`` with registers ``x0, x1, …`` (grid), ``anc``; classical
        ``m`` (if ``measure``) then ``post``. A shot is accepted iff every ``post`` bit is 0;
        in ``"fresh"`` mode the statevector's ``anc = |0…0⟩`` part is
        ``√P_success · ψ_imaginary``.

    Raises:
        ParameterError: If ``spec`` is not imaginary-time or ``ancillas`` is unknown.
    """
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    if ancillas not in ANCILLA_MODES:
        raise ParameterError(f"ancillas must be one of {ANCILLA_MODES}, got {ancillas!r}; "
                             "use 'fresh' for exact statevector runs, 'reuse' for shots")
    if not isinstance(spec, EvolutionSpec) or spec.kind != "imaginary":
        kind = f" ({spec.kind} time)" if isinstance(spec, EvolutionSpec) else ""
        raise ParameterError(f"build_imaginary_circuit needs an ImaginaryTime spec, got "
                             f"{type(spec).__name__}{kind}; use qdq.build_circuit for others")
    grid = spec.grid
    nq = grid.num_qubits
    formula = spec.product_formula()
    plan = [(term, c, factor_blocks(spec, term, c, swap_free=swap_free))
            for term, c in formula.steps]
    num_blocks = sum(len(b) for _, _, b in plan)
    regs = [QuantumRegister(n, f"x{d}") for d, n in enumerate(grid.qubits)]
    num_anc = num_blocks if ancillas == "fresh" else grid.dims
    anc = QuantumRegister(max(num_anc, 1), "anc")
    cregs = []
    if measure:
        cregs.append(ClassicalRegister(nq, "m"))
    post = ClassicalRegister(num_blocks, "post") if num_blocks else None
    if post is not None and (ancillas == "reuse" or measure):
        cregs.append(post)
    qc = QuantumCircuit(*regs, anc, *cregs, name=f"qdq-{spec.method}")
    qc.compose(prepare_initial(spec.initial, grid, native=flat), range(nq), inplace=True)
    b = 0
    for _term, _c, blocks in plan:
        for i, blk in enumerate(blocks):
            a = anc[b] if ancillas == "fresh" else anc[i % len(anc)]
            if flat:
                qc.compose(blk.circuit, [*blk.qubits, a], inplace=True)
            else:
                qc.append(blk.circuit.to_gate(label=blk.label), [*blk.qubits, a])
            if ancillas == "reuse":
                qc.measure(a, post[b])
                qc.reset(a)
            b += 1
    if measure:
        qc.measure(range(nq), cregs[0])
        if ancillas == "fresh" and post is not None:
            qc.measure(anc, post)
    return qc
