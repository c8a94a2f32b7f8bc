r"""One circuit program per evolution spec, walked by every emitter and by the counters.

The chain is **spec → ProductFormula → program → emitters**:

1. a spec (:class:`~qdq.RealTime`, :class:`~qdq.Anneal`, :class:`~qdq.ImaginaryTime`) gives
   its :class:`~qdq.evolution.ProductFormula`, a stream of factors ``(term, c)``;
2. :func:`program` lowers each factor to typed ops (:mod:`qdq.circuits.ops`), grouped in
   :class:`Segment`\ s — one per potential factor, per dimension of a kinetic factor, per
   probabilistic block — after a state-preparation segment and before an optional readout:

   * real time / anneal, ``("potential", c)``: one :class:`~qdq.circuits.ops.ZPhase` per
     additive term group (Walsh coefficients on the group's registers) + global phases;
     ``("kinetic", c)``: per dimension ``QFT† · ZPhase(φm²) · QFT`` (swap-free: the phase
     sits on the reversed wires), ``φ = cD(2π/L_d)²``;
   * imaginary time: one block per non-constant group (``UCRY`` of ``θ = 2 arccos
     e^{−c(ζ_g − min ζ_g)}`` onto an ancilla) and per dimension (``QFT† · UCRY · QFT``);
     ancillas are fresh (one per block) or reused (measured into ``post``, postselected on
     0 and reset after each block);
3. emitters walk the ops: :func:`qdq.circuits.qiskit_emitter.emit_qiskit` (gate level for
   hardware, or simulator-native diagonals/multiplexers for Aer) and
   :mod:`qdq.circuits.pennylane_emitter`; :meth:`Program.resources` walks the same ops to
   count what the gate-level circuit contains.

Segments are generated lazily: a 10⁴-step program is never held in memory, and
:meth:`Program.resources` costs each distinct op *shape* once (the gates of a phase oracle
depend on its Walsh support, not on ``c``), then adds per-factor counts.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    >>> prog = program(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=2))
    >>> [type(op).__name__ for op in prog][:6]
    ['Prepare', 'ZPhase', 'GlobalPhase', 'QFT', 'ZPhase', 'GlobalPhase']
    >>> prog.resources()["cx"]         # 3 oracles × 5 + 2 kinetic blocks × (2·6 + 5)
    49
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from qdq.circuits.binary_layers import choose_groups
from qdq.circuits.factors import (
    group_bits,
    momentum_walsh,
    phase_groups,
    ry_angles,
)
from qdq.circuits.ops import (
    QFT,
    UCRY,
    GlobalPhase,
    Measure,
    Op,
    Prepare,
    ZPhase,
    ucry_support,
)
from qdq.circuits.synthesis import cx_count, gate_costs, walsh_coefficients, zstring_gates
from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec
from qdq.states import GaussianPacket, OneHotUniform, resolve_initial

ANCILLA_MODES = ("reuse", "fresh")


@dataclass(frozen=True, eq=False)
class Segment:
    """A labelled run of ops: state preparation, a factor's part, a block, or a readout.

    Attributes:
        role: ``"prepare"``, ``"potential"``, ``"kinetic"``, ``"block"`` or ``"readout"``.
        label: Display label (``V(c)``, ``T0(c)``, ``V[x**2](c)`` …).
        qubits: The qubits its ops touch, in the order a labelled gate is placed on.
        ops: The ops, in application order.
        key: Hashable identity of the segment's operator on its own ``qubits`` (equal
            keys, equal operators): emitters cache one synthesized sub-circuit per key.
        block: Probabilistic block number (imaginary time), else ``None``.
    """

    role: str
    label: str
    qubits: tuple[int, ...]
    ops: tuple
    key: tuple
    block: int | None = None


class Program:
    """A lazily generated sequence of ops with its registers; see the module docstring.

    Attributes:
        name: Circuit name (``qdq-real-time`` …).
        time_axis: ``"real"`` or ``"imaginary"``.
        registers: ``((name, qubits), …)``: ``x0, x1, …`` then ``anc`` (if any ancillas).
        num_grid: Grid qubits.
        num_ancillas: Ancilla qubits (after the grid).
        num_blocks: Probabilistic blocks (= postselected ancilla measurements).
        ancillas: ``"fresh"`` or ``"reuse"`` (imaginary time), else ``None``.
        measure: Whether the readout measures the grid into register ``m``.
    """

    def __init__(self, *, name: str, time_axis: str, registers, num_grid: int, num_ancillas: int,
                 num_blocks: int, ancillas: str | None, measure: bool,
                 source: Callable[[], Iterator[Segment]], keep: tuple = ()):
        self.name, self.time_axis, self.registers = name, time_axis, tuple(registers)
        self.num_grid, self.num_ancillas, self.num_blocks = num_grid, num_ancillas, num_blocks
        self.ancillas, self.measure = ancillas, measure
        self._source = source
        self._keep = keep  # arrays whose id() keys op shapes: alive as long as the program

    @property
    def num_qubits(self) -> int:
        """Grid qubits plus ancillas."""
        return self.num_grid + self.num_ancillas

    def segments(self) -> Iterator[Segment]:
        """The segments, generated afresh on each call."""
        return self._source()

    def __iter__(self) -> Iterator[Op]:
        for seg in self._source():
            yield from seg.ops

    def resources(self) -> dict:
        """Counts of the gate-level circuit, by walking the ops (each distinct shape once).

        Returns:
            ``{"cx", "rotations", "depth", "qubits", "ancillas", "measurements",
            "state_preparations"}``: CX after expanding ``rzz``/``cp``/``swap``/multi-Z into
            CX (what ``transpile(…, basis_gates=["cx", "rz", "sx", "x"])`` finds at
            ``optimization_level=0``); arbitrary-angle single-qubit rotations (``rz``,
            ``ry``, 3 per ``cp``; ``h`` not counted); ASAP depth in that cx form (each
            measurement and reset one layer); mid-circuit measurements (ancillas measured
            and reset); non-uniform state preparations (their gates are not counted).

        Example:
            >>> import qdq
            >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
            >>> s = qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=2, order=1)
            >>> r = program(s, ancillas="reuse").resources()
            >>> r["cx"], r["measurements"], r["qubits"], r["ancillas"]    # 2 × (8 + 8 + 12)
            (56, 4, 4, 1)
        """
        return {**walk_resources(self, self.num_qubits), "qubits": self.num_qubits,
                "ancillas": self.num_ancillas}


def walk_resources(ops, num_qubits: int, cache: dict | None = None) -> dict:
    """``{"cx", "rotations", "measurements", "state_preparations", "depth"}`` of ``ops``.

    See :meth:`Program.resources`; each distinct op shape is expanded to gates once
    (``cache``, keyed by :meth:`shape`, may be shared between calls).
    """
    cache = {} if cache is None else cache
    depth = np.zeros(num_qubits)
    total = {"cx": 0, "rotations": 0, "measurements": 0, "state_preparations": 0}
    for op in ops:
        if isinstance(op, GlobalPhase):
            continue
        if isinstance(op, Measure):
            depth[op.qubit] += 1 + op.reset
            total["measurements"] += op.reset
            continue
        if isinstance(op, Prepare) and op.amplitudes is not None:
            total["state_preparations"] += 1
            continue
        shape = op.shape()
        cost = cache.get(shape)
        if cost is None:
            cost = cache[shape] = gate_costs(op.gates(), op.qubits)
        cx, rot, paths = cost
        total["cx"] += cx
        total["rotations"] += rot
        q = list(op.qubits)
        depth[q] = (depth[q][:, None] + paths).max(axis=0)
    return {**total, "depth": int(depth.max()) if depth.size else 0}


#: Largest union of registers (in qubits) whose term groups are merged into one phase op.
MERGE_MAX_QUBITS = 14


def merge_phase_groups(groups: list) -> list:
    """Term groups with every non-constant group merged into one, when that costs fewer CX.

    All diagonal factors of ``e^{−icζ}`` commute, so the Z-strings of all groups form one
    phase polynomial on the union of their registers (equal strings add up); one
    :func:`~qdq.circuits.synthesis.zstring_gates` network over it can share parities that
    separate groups recompute. The merged group (``term=None``) replaces the others only if
    its CX count is strictly smaller (exact: same operator, global phase included); the
    choice depends on the groups' Walsh supports only, not on ``c``.

    Args:
        groups: :func:`~qdq.circuits.factors.phase_groups` of a problem.

    Example:
        >>> import qdq
        >>> from qdq.circuits.factors import phase_groups
        >>> p = qdq.Problem("x**2 + x*y + y**2", bounds=[(-1, 1)] * 2, qubits=3)
        >>> [len(q) for _, q, _ in phase_groups(p)], [len(q) for _, q, _ in
        ...                                          merge_phase_groups(phase_groups(p))]
        ([3, 3, 6], [6])
    """
    phase = [g for g in groups if g[0] is None or g[0].dims]
    union = tuple(sorted({q for _, qubits, _ in phase for q in qubits}))
    if len(phase) < 2 or len(union) > MERGE_MAX_QUBITS:
        return list(groups)
    pos = {q: i for i, q in enumerate(union)}
    merged = np.zeros(1 << len(union))
    separate = 0
    for _, qubits, coeffs in phase:
        local = np.arange(coeffs.size)
        target = np.zeros_like(local)
        for i, q in enumerate(qubits):
            target |= ((local >> i) & 1) << pos[q]
        np.add.at(merged, target, coeffs)
        separate += cx_count(zstring_gates(qubits, coeffs, 1.0))
    if cx_count(zstring_gates(union, merged, 1.0)) >= separate:
        return list(groups)
    merged.setflags(write=False)
    return [g for g in groups if not (g[0] is None or g[0].dims)] + [(None, union, merged)]


def potential_ops(groups, c: float) -> tuple:
    """Ops of ``e^{−icζ}``: a ``ZPhase`` per non-constant group, global phases for ``c_∅``.

    Args:
        groups: :func:`~qdq.circuits.factors.phase_groups` of the problem, optionally
            through :func:`merge_phase_groups` (a merged group has ``term=None``).
        c: The factor's coefficient.
    """
    ops = []
    for term, qubits, coeffs in groups:
        if term is None or term.dims:
            ops.append(ZPhase(qubits, coeffs, c))
        ops.append(GlobalPhase(-c * float(coeffs[0])))
    return tuple(ops)


def prepare_ops(initial, grid) -> tuple:
    """:class:`~qdq.circuits.ops.Prepare` ops of an initial state (uniform, packet, array)."""
    qubits = tuple(range(grid.num_qubits))
    if isinstance(initial, str) and initial == "uniform":
        return (Prepare(qubits),)
    if isinstance(initial, GaussianPacket):
        return tuple(Prepare(tuple(grid.register(d)), initial.factor(grid, d), f"packet{d}")
                     for d in range(grid.dims))
    if isinstance(initial, OneHotUniform):  # a W state per group: k-qubit preparations
        free = initial.free_bits(grid.num_qubits)
        return ((Prepare(free),) if free else ()) + tuple(
            Prepare(tuple(g), initial.group_amplitudes(len(g)), f"w{i}")
            for i, g in enumerate(initial.groups))
    return (Prepare(qubits, grid.to_flat(resolve_initial(initial, grid))),)


def kinetic_ops(qubits, phi: float, *, swap_free: bool = True,
                walsh: np.ndarray | None = None) -> tuple:
    """Program ops of ``QFT · diag(e^{−iφm²}) · QFT†`` on the register ``qubits``.

    ``walsh``: the Walsh spectrum of another diagonal ``f(m)`` (even in ``m``) instead of
    ``m²`` (a kinetic term without :meth:`~qdq.kinetic.KineticTerm.register_scale`).

    Example:
        >>> [type(op).__name__ for op in kinetic_ops((0, 1, 2), 0.1)]
        ['QFT', 'ZPhase', 'GlobalPhase', 'QFT']
    """
    reg = tuple(qubits)
    mom = momentum_walsh(len(reg)) if walsh is None else walsh
    wires = reg[::-1] if swap_free else reg
    return (QFT(reg, True, not swap_free), ZPhase(wires, mom, phi),
            GlobalPhase(-phi * float(mom[0])), QFT(reg, False, not swap_free))


def program(spec: EvolutionSpec, *, swap_free: bool = True, ancillas: str = "fresh",
            reuse_width: int | None = None, measure: bool = False) -> Program:
    """Lower a spec to its circuit program (see the module docstring).

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.Anneal` or :class:`~qdq.ImaginaryTime`.
        swap_free: QFTs without bit-reversal swaps (operator-equal; ``3⌊n/2⌋`` fewer CX each).
        ancillas: Imaginary time: ``"fresh"`` (ancilla ``b`` for block ``b``, unitary) or
            ``"reuse"`` (``reuse_width`` ancillas, each block's measured into ``post[b]``
            with ``postselect=0`` and reset).
        reuse_width: Ancillas in ``"reuse"`` mode (default: one per dimension, so a kinetic
            factor's blocks sit on different ancillas).
        measure: End with measurements of the grid into ``m`` (and, with fresh ancillas, of
            the ancillas into ``post``).

    Raises:
        ParameterError: A non-spec or an unknown ancilla mode.
    """
    EvolutionSpec.require(spec, "program")
    if ancillas not in ANCILLA_MODES:
        raise ParameterError(f"ancillas must be one of {ANCILLA_MODES}, got {ancillas!r}; "
                             "use 'fresh' for exact statevector runs, 'reuse' for shots")
    formula = spec.product_formula()
    factors = (lambda: iter(formula)) if hasattr(type(formula), "__iter__") \
        else (lambda: iter(formula.factors))
    counts = formula.counts() if spec.time_axis == "imaginary" else None
    return _lower(spec, factors, counts, swap_free=swap_free, ancillas=ancillas,
                  reuse_width=reuse_width, measure=measure, prepare=True,
                  name=f"qdq-{spec.method}")


def _lower(spec, factors, counts, *, swap_free, ancillas, reuse_width, measure, prepare,
           name) -> Program:
    grid = spec.grid
    nq = grid.num_qubits
    space = spec.kinetic_term  # the kinetic term says what each register's factor is
    scales = [space.register_scale(d) for d in range(grid.dims)]
    spectra = [None if s is not None or hasattr(space, "program_ops")  # (XY mixer: none)
               else walsh_coefficients(space.register_diagonal(d))
               for d, s in enumerate(scales)]
    regs = [(f"x{d}", tuple(grid.register(d))) for d in range(grid.dims)]
    moms = [momentum_walsh(n) for n in grid.qubits]
    prep = prepare_ops(spec.initial, grid) if prepare else ()
    grid_readout = tuple(Measure(q, "m", q) for q in range(nq)) if measure else ()

    def kinetic_wires(d):
        reg = tuple(grid.register(d))
        return reg, (reg[::-1] if swap_free else reg)

    if spec.time_axis != "imaginary":
        groups = phase_groups(spec.problem)
        if getattr(spec.problem, "is_binary", False):  # ZZ phases in edge-colour classes
            groups = choose_groups(groups, merge_phase_groups(groups))
        else:
            groups = merge_phase_groups(groups)

        def potential(c):
            return Segment("potential", f"V({c:.4g})", tuple(range(nq)),
                           potential_ops(groups, c), ("potential", c))

        def kinetic(d, c):
            if hasattr(space, "program_ops"):  # a term with its own circuit (XY mixer)
                ops = tuple(space.program_ops(c * spec.D, swap_free=swap_free))
                qubits = tuple(sorted({q for op in ops for q in getattr(op, "qubits", ())}))
                return Segment("kinetic", f"T({c:.4g})", qubits, ops, ("kinetic", c))
            phi = c * spec.D * (scales[d] if scales[d] is not None else 1.0)
            reg = tuple(grid.register(d))
            return Segment("kinetic", f"T{d}({c:.4g})", reg,
                           kinetic_ops(reg, phi, swap_free=swap_free, walsh=spectra[d]),
                           ("kinetic", d, c))

        def source():
            if prepare:
                yield Segment("prepare", "init", tuple(range(nq)), prep, ("prepare",))
            for term, c in factors():
                if term == "potential":
                    yield potential(c)
                elif hasattr(space, "program_ops"):
                    yield kinetic(0, c)
                else:
                    yield from (kinetic(d, c) for d in range(grid.dims))
            if measure:
                yield Segment("readout", "measure", tuple(range(nq)), grid_readout, ("m",))

        return Program(name=name, time_axis="real", registers=regs, num_grid=nq, num_ancillas=0,
                       num_blocks=0, ancillas=None, measure=measure, source=source,
                       keep=(groups, moms))

    pot_groups = []
    for term in spec.problem.terms:
        if term.dims:
            qubits, values = group_bits(term, spec.problem)
            if qubits:  # a constant group is removed by the shift: f = 1
                label = term.expression if term.expression is not None else f"dims {term.dims}"
                pot_groups.append((label, tuple(qubits), values - values.min()))
    num_blocks = counts["potential"] * len(pot_groups) + counts["kinetic"] * grid.dims
    width = grid.dims if reuse_width is None else int(reuse_width)
    if width < 1:
        raise ParameterError(f"reuse_width must be >= 1, got {reuse_width!r}")
    num_anc = 0 if num_blocks == 0 else (num_blocks if ancillas == "fresh" else width)

    def angles(term, c):
        if term == "potential":
            out = [(ry_angles(np.exp(-c * shifted)), len(q)) for _, q, shifted in pot_groups]
        else:
            out = [(ry_angles(np.exp(-c * spec.D * space.register_diagonal(d))), n)
                   for d, n in enumerate(grid.qubits)]
        return [(theta, ucry_support(theta, m)) for theta, m in out]

    def source():
        if prepare:
            yield Segment("prepare", "init", tuple(range(nq)), prep, ("prepare",))
        cache: dict = {}
        b = 0
        for term, c in factors():
            if (term, c) not in cache:
                if len(cache) > 16:
                    cache.clear()
                cache[(term, c)] = angles(term, c)
            for i, (theta, support) in enumerate(cache[(term, c)]):
                anc = nq + (b if ancillas == "fresh" else i % width)
                if term == "potential":
                    label, qubits, _ = pot_groups[i]
                    ops = (UCRY(qubits, anc, theta, support),)
                    seg_label, seg_qubits = f"V[{label}]({c:.4g})", qubits
                else:
                    reg, wires = kinetic_wires(i)
                    ops = (QFT(reg, True, not swap_free), UCRY(wires, anc, theta, support),
                           QFT(reg, False, not swap_free))
                    seg_label, seg_qubits = f"T{i}({c:.4g})", reg
                yield Segment("block", seg_label, (*seg_qubits, anc), ops, (term, c, i),
                              block=b)
                if ancillas == "reuse":
                    yield Segment("readout", "post", (anc,),
                                  (Measure(anc, "post", b, postselect=0, reset=True),),
                                  ("post", b))
                b += 1
        if measure:
            final = grid_readout
            if ancillas == "fresh":
                final += tuple(Measure(nq + k, "post", k, postselect=0) for k in range(num_anc))
            yield Segment("readout", "measure", tuple(range(nq + num_anc)), final, ("m",))

    if num_anc:
        regs.append(("anc", tuple(range(nq, nq + num_anc))))
    return Program(name=name, time_axis="imaginary", registers=regs, num_grid=nq,
                   num_ancillas=num_anc, num_blocks=num_blocks, ancillas=ancillas,
                   measure=measure, source=source, keep=(moms,))


def factor_program(spec: EvolutionSpec, term: str, c: float, *, swap_free: bool = True
                   ) -> Program:
    """The program of one factor ``(term, c)`` of ``spec`` alone (no state preparation).

    Imaginary time: one fresh ancilla per block. Used to build and cost single factors.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + y**2", bounds=[(-1, 1)] * 2, qubits=2)
        >>> s = qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=1)
        >>> factor_program(s, "kinetic", 0.1).num_qubits       # 4 grid + 2 ancillas
        6
    """
    if term not in ("potential", "kinetic"):
        raise ParameterError(f"unknown product-formula term {term!r}; expected potential/kinetic")
    counts = {"potential": int(term == "potential"), "kinetic": int(term == "kinetic")}
    return _lower(spec, lambda: iter(((term, c),)), counts, swap_free=swap_free,
                  ancillas="fresh", reuse_width=None, measure=False, prepare=False,
                  name=f"{term}({c:.4g})")
