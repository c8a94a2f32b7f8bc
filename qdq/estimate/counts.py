r"""Logical counts of a circuit program, the input of a fault-tolerant resource estimate.

The counts are those Microsoft's resource estimator (``qdk.qre``, its ``PSSPC`` layout)
reads from a circuit in ``{cx, rz, ry, h, x}`` plus measurements (its logical-counts model):

* ``num_qubits`` — grid qubits plus ancillas;
* ``rotation_count`` — arbitrary-angle single-qubit rotations: the ``rz``/``ry`` of the
  cx-form of :mod:`qdq.circuits.synthesis` (3 per ``cp``) whose angle is not a multiple of
  ``π/4``; ``t_count`` — those at an odd multiple of ``π/4`` (``T``, e.g. the QFT's
  ``cp(π/2)``); even multiples (``0``, ``S``, ``Z``) are Clifford and free. The angle test
  is exact up to :data:`ANGLE_TOL`, as in the estimator;
* ``rotation_depth`` — layers holding a rotation. Every qubit has a level; a rotation on
  qubit ``q`` sits in layer ``level(q)`` and moves ``q`` one level on, a CX puts both its
  qubits at the later of their two levels, ``T``, ``H``, ``X`` and Clifford angles leave
  the levels alone; the depth is the number of distinct layers in which some rotation
  sits. This is the layer model of ``qdk.qre``'s ``PSSPC`` transform (the deprecated
  ``qdk.estimator`` also moved a qubit one level on at each ``T``), checked against it on
  whole circuits in ``tests/test_estimate.py``;
* ``measurement_count`` — every measurement, mid-circuit (reused imaginary-time ancillas)
  and the final readout of the grid.

CX gates are Clifford: they cost no T states in this model, only (through the layers) depth.

The counts come from walking the program (:func:`qdq.circuits.program.program`) op by op,
never from a built circuit: each op shape is expanded to gates and reduced to a max-plus
transfer matrix, and a long formula is walked only at its start, middle and end, the
repeating periods in between added exactly (:func:`logical_counts`): 10¹² steps on 80
qubits cost seconds and no circuit.

May import :mod:`qdq.circuits`, :mod:`qdq.evolution` and :mod:`qdq.product_formula`; not the rest of
:mod:`qdq.estimate`.

Example:
    >>> from qdq.problem import Problem
    >>> from qdq.hamiltonian import Hamiltonian
    >>> from qdq.evolution import RealTime
    >>> p = Problem("x**2", bounds=[(-1, 1)], qubits=3)
    >>> c = logical_counts(RealTime(Hamiltonian(p, D=0.5), time=0.2, steps=2))
    >>> c.num_qubits, c.rotation_count, c.measurement_count
    (3, 42, 3)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from qdq.circuits.ops import GlobalPhase, Measure, Prepare
from qdq.circuits.synthesis import cx_form
from qdq.errors import ParameterError, ResourceError

__all__ = ["LogicalCounts", "OpCost", "angle_kind", "circuit_gates", "count_ops", "logical_counts",
           "op_cost"]

#: Gates of the lowered circuit that the counts understand (Qiskit basis for the estimator).
BASIS_GATES = ("cx", "rz", "ry", "h", "x")
#: Angles within this of a multiple of π/4 are T or Clifford gates (the estimator's test).
ANGLE_TOL = float(np.finfo(float).eps)


def angle_kind(angle: float) -> str:
    """``"clifford"`` (multiple of π/2), ``"t"`` (odd multiple of π/4) or ``"rotation"``.

    Example:
        >>> angle_kind(np.pi / 2), angle_kind(-np.pi / 4), angle_kind(0.3)
        ('clifford', 't', 'rotation')
    """
    k = round(angle / (np.pi / 4))
    if abs(k * (np.pi / 4) - angle) > ANGLE_TOL:
        return "rotation"
    return "t" if k % 2 else "clifford"


@dataclass(frozen=True)
class LogicalCounts:
    """Logical counts of one circuit (see the module docstring).

    Attributes:
        num_qubits: Logical qubits the algorithm uses (grid + ancillas).
        t_count: ``T`` gates (rotations by an odd multiple of π/4).
        rotation_count: Arbitrary-angle single-qubit rotations.
        rotation_depth: Layers of rotations (CX synchronize their two qubits).
        measurement_count: Single-qubit measurements.
        cx_count: CX gates (Clifford; reported, not an estimator input).
    """

    num_qubits: int
    t_count: int
    rotation_count: int
    rotation_depth: int
    measurement_count: int
    cx_count: int = 0

    def to_estimator(self) -> dict:
        """The counts with the camelCase keys of Microsoft's logical-counts format."""
        return {"numQubits": self.num_qubits, "tCount": self.t_count,
                "rotationCount": self.rotation_count, "rotationDepth": self.rotation_depth,
                "cczCount": 0, "ccixCount": 0, "measurementCount": self.measurement_count}

    def to_dict(self) -> dict:
        """JSON-safe dict (snake_case)."""
        return asdict(self)


@dataclass(frozen=True, eq=False)
class OpCost:
    """What one op shape contributes, relative to the levels of its qubits on entry.

    Attributes:
        cx, t, rotations: Gate counts.
        transfer: ``transfer[i, j]`` = most levels on a path from input ``i`` to output
            ``j`` (``−inf`` if ``j`` does not depend on ``i``): the levels after the op are
            ``max_i (d_i + transfer[i, j])`` (max-plus product).
        rotation_layers: One row per rotation: its layer is ``max_i (d_i + row[i])``.
    """

    cx: int
    t: int
    rotations: int
    transfer: np.ndarray
    rotation_layers: np.ndarray


def op_cost(gates, qubits) -> OpCost:
    """The :class:`OpCost` of a gate list on ``qubits`` (gates in :func:`cx_form`).

    Example:
        >>> gates = [("rz", (0,), 0.3), ("cx", (0, 1), 0.0), ("rz", (1,), np.pi / 4),
        ...          ("rz", (1,), 0.2)]
        >>> c = op_cost(gates, (0, 1))
        >>> c.cx, c.t, c.rotations, c.transfer.tolist(), c.rotation_layers.tolist()
        (1, 1, 2, [[1.0, 2.0], [0.0, 1.0]], [[0.0, -inf], [1.0, 0.0]])
    """
    index = {q: i for i, q in enumerate(qubits)}
    k = len(index)
    paths = np.full((k, k), -np.inf)  # paths[j, i]: most levels from input i to qubit j
    np.fill_diagonal(paths, 0.0)
    rows = []
    cx = t = rot = 0
    for gate in gates:
        for name, q, angle in cx_form(gate):
            if name == "cx":
                cx += 1
                a, b = index[q[0]], index[q[1]]
                paths[a] = paths[b] = np.maximum(paths[a], paths[b])
            elif name in ("rz", "ry"):
                kind = angle_kind(angle)
                if kind == "clifford":
                    continue
                j = index[q[0]]
                if kind == "t":
                    t += 1            # T states are consumed outside the rotation layers
                    continue
                rot += 1
                rows.append(paths[j].copy())
                paths[j] += 1
            elif name not in ("h", "x"):
                raise ParameterError(f"cannot count gate {name!r}; expected one of "
                                     f"{BASIS_GATES} after cx_form")
    layers = np.array(rows) if rows else np.zeros((0, k))
    return OpCost(cx, t, rot, paths.T.copy(), layers)


def circuit_gates(qc) -> list[tuple[str, tuple[int, ...], float]]:
    """A Qiskit circuit in :data:`BASIS_GATES` as gate tuples (to count a state preparation).

    Raises:
        ParameterError: If the circuit holds another operation (lower it first).
    """
    out = []
    for inst in qc.data:
        name = inst.operation.name
        if name in ("barrier", "global_phase"):
            continue
        if name not in BASIS_GATES:
            raise ParameterError(f"cannot count operation {name!r}; lower the circuit to "
                                 f"{BASIS_GATES} first")
        qs = tuple(qc.find_bit(q).index for q in inst.qubits)
        out.append((name, qs, float(inst.operation.params[0]) if inst.operation.params
                    else 0.0))
    return out


def _prepare_gates(op: Prepare) -> list:
    """Gates of a non-uniform state preparation (Qiskit's synthesis, lowered to the basis)."""
    from qiskit import QuantumCircuit, transpile
    from qiskit.circuit.library import StatePreparation

    qc = QuantumCircuit(len(op.qubits))
    qc.append(StatePreparation(op.amplitudes), range(len(op.qubits)))
    low = transpile(qc, basis_gates=list(BASIS_GATES), optimization_level=0)
    return [(n, tuple(op.qubits[i] for i in q), a) for n, q, a in circuit_gates(low)]


def _op_cost(op, cache: dict, exact: bool = False) -> OpCost:
    """The cost of ``op``, cached by its shape (``exact``: by shape and angle kinds).

    Equal shapes have equal gates up to their angles, and the angles' kinds (Clifford,
    T, rotation) usually agree too: the plain walk expands each shape once. ``exact``
    expands every op and keys the cost by the kinds of its angles as well, for the few
    steps the extrapolation walks (where tiny weights can make some angles Clifford).
    """
    key = op.shape()
    if isinstance(op, Prepare) and op.amplitudes is not None:
        key = (*key, id(op.amplitudes))
    gates = None
    if exact and not isinstance(op, Prepare):
        gates = op.gates()
        key = (*key, tuple(angle_kind(a) for g in gates for n, _, a in cx_form(g)
                           if n in ("rz", "ry")))
    cost = cache.get(key)
    if cost is None:
        if gates is None:
            gates = _prepare_gates(op) if isinstance(op, Prepare) \
                and op.amplitudes is not None else op.gates()
        cost = cache[key] = op_cost(gates, op.qubits)
    return cost


class _LayerSet:
    """The set of layer indices holding a rotation (a growable bitmap)."""

    def __init__(self):
        self.bits = np.zeros(1 << 12, dtype=bool)
        self.top = 0  # one past the highest layer held

    def add(self, layers: np.ndarray) -> None:
        top = int(layers.max()) + 1
        if top > self.bits.size:
            self.bits = np.concatenate([self.bits, np.zeros(max(top, 2 * self.bits.size)
                                                            - self.bits.size, dtype=bool)])
        self.bits[layers.astype(np.int64)] = True
        self.top = max(self.top, top)

    def __len__(self) -> int:
        return int(self.bits.sum())


class _Walker:
    """The level/layer state of the count walk (see the module docstring), op by op."""

    def __init__(self, num_qubits: int, exact: bool = False):
        self.num_qubits, self.exact = num_qubits, exact
        self.cache: dict = {}
        self.levels = np.zeros(num_qubits)
        self.layers = _LayerSet()
        self.cx = self.t = self.rot = self.meas = 0

    def apply(self, op) -> None:
        if isinstance(op, GlobalPhase):
            return
        if isinstance(op, Measure):
            self.meas += 1
            return
        c = _op_cost(op, self.cache, self.exact)
        self.cx, self.t, self.rot = self.cx + c.cx, self.t + c.t, self.rot + c.rotations
        q = list(op.qubits)
        d = self.levels[q]
        if c.rotations:
            self.layers.add((d[None, :] + c.rotation_layers).max(axis=1))
        self.levels[q] = (d[:, None] + c.transfer).max(axis=0)

    def totals(self) -> np.ndarray:
        """``(t, rotations, cx, measurements, rotation layers)`` so far."""
        return np.array([self.t, self.rot, self.cx, self.meas, len(self.layers)], dtype=object)

    def relative_state(self) -> tuple:
        """The state seen from the lowest level: all that decides the walk from here on.

        A later rotation on qubit ``q`` sits at a layer ``≥ level(q) ≥ min(levels)``, so
        layers below ``base = min(levels)`` can no longer be hit; levels and the held layers
        above ``base``, both minus ``base``, determine every later count exactly.
        """
        base = int(self.levels.min()) if self.num_qubits else 0
        held = self.layers.bits[base:max(base, self.layers.top)]
        return tuple((self.levels - base).tolist()), np.packbits(held).tobytes(), held.size

    def counts(self, extra: np.ndarray | None = None) -> LogicalCounts:
        t, rot, cx, meas, depth = self.totals() + (0 if extra is None else extra)
        return LogicalCounts(num_qubits=self.num_qubits, t_count=int(t),
                             rotation_count=int(rot), rotation_depth=int(depth),
                             measurement_count=int(meas), cx_count=int(cx))


def count_ops(ops, num_qubits: int) -> LogicalCounts:
    """Logical counts of a stream of program ops on ``num_qubits`` qubits.

    Example:
        >>> from qdq.circuits.ops import ZPhase
        >>> count_ops([ZPhase((0, 1), np.array([0.0, 1.0, 0.0, 1.0]), 0.5)], 2)
        LogicalCounts(num_qubits=2, t_count=0, rotation_count=2, rotation_depth=2, \
measurement_count=0, cx_count=2)
    """
    walker = _Walker(num_qubits)
    for op in ops:
        walker.apply(op)
    return walker.counts()


#: Steps walked at the start, in the middle and at the end of a long formula.
HEAD_STEPS = 8
#: Without a repeating state in the head, formulas up to this many steps are walked whole;
#: longer ones are refused (the walk would take too long).
MAX_WALKED_STEPS = 100_000


def _kinetic_start(seg) -> bool:
    """Whether a program segment is the first of a kinetic factor (a period boundary)."""
    if seg.role == "kinetic":
        return seg.key[1] == 0                     # ("kinetic", d, c)
    return seg.role == "block" and seg.key[0] == "kinetic" and seg.key[2] == 0  # (term, c, i)


def _first_steps(factors, steps: int, per_step: int) -> list | None:
    """The factors of the first ``steps`` steps, up to the next kinetic factor.

    ``None`` if the formula has fewer kinetic factors (a vanishing kinetic weight).
    """
    out: list = []
    seen = 0
    for term, c in factors:
        if term == "kinetic":
            seen += 1
            if seen > steps * per_step:
                return out
        out.append((term, c))
    return None


def _surrogate(spec, n: int):
    """``(spec′, kinetic factors of spec)``, or ``None`` if the formula is irregular.

    ``spec′`` is ``spec`` whose formula keeps three runs of ``n`` steps: its first ones,
    ``n`` from the middle and its last ones (their own factors, merged at the seams like
    the whole formula: each run after the first joins the previous one's last potential
    factor). Each run has ``n·per_step`` kinetic factors.
    """
    import copy

    from qdq.product_formula import ProductFormula, iter_strang

    per_step = 3 if spec.order == 4 else 1        # kinetic factors per step
    a, b = spec.weights()
    runs = [_first_steps(iter(spec.product_formula()), n, per_step)]
    for start in (spec.steps // 2, spec.steps - n):
        run = (_first_steps(iter_strang(a, b, spec.time, spec.steps, spec.order,
                                        first_step=start), n, per_step)
               if start < spec.steps - n else list(iter_strang(
                   a, b, spec.time, spec.steps, spec.order, first_step=start)))
        if run and run[0][0] == "potential":
            run = run[1:]                           # the previous run ends in this factor
        runs.append(run)
    if any(run is None for run in runs) or sum(
            term == "kinetic" for run in runs for term, _ in run) != 3 * n * per_step:
        return None
    proxy = copy.copy(spec)
    formula = ProductFormula(spec.time_axis, tuple(f for run in runs for f in run), spec.order)
    proxy.product_formula = lambda: formula  # the instance's formula, nothing else changes
    return proxy, spec.steps * per_step


def _extrapolated(spec, *, measure: bool, swap_free: bool) -> LogicalCounts | None:
    """Counts of a long spec from three runs of its steps (``None``: no period found)."""
    from qdq.circuits.program import program

    sur = _surrogate(spec, HEAD_STEPS)
    if sur is None:
        return None
    proxy, kinetic_total = sur
    per_run = HEAD_STEPS * (3 if spec.order == 4 else 1)
    prog = program(proxy, swap_free=swap_free, measure=measure, ancillas="reuse")
    walker = _Walker(prog.num_qubits, exact=True)
    marks: list = []                                # (relative state, totals) at boundaries
    for seg in prog.segments():
        if _kinetic_start(seg):
            marks.append((walker.relative_state(), walker.totals()))
        for op in seg.ops:
            walker.apply(op)
    # periods of the middle run: from kinetic factor per_run + 1 to 2·per_run + 1
    middle = marks[per_run:2 * per_run + 1]
    for (s0, n0), (s1, n1) in zip(middle, middle[1:], strict=False):
        if s0 == s1:  # one period maps the state to itself, shifted: it repeats forever
            return walker.counts((n1 - n0) * (kinetic_total - 3 * per_run))
    return None


def logical_counts(spec, *, measure: bool = True, swap_free: bool = True) -> LogicalCounts:
    """Logical counts of a spec's gate-level circuit, walked from its program.

    Imaginary time uses reused ancillas (measured, postselected and reset after each
    block), the circuit that runs with shots.

    **Long formulas cost O(1) in the steps.** Every step lowers to the same op shapes
    (only the angles differ), so the count walk is a fixed max-plus map per period (one
    kinetic factor to the next). For more than ``3·HEAD_STEPS`` steps the walk covers
    three runs of :data:`HEAD_STEPS` steps — the first, the middle and the last ones, with
    their real factors, merges and end half-steps — and every op's angles are classified
    (not just each shape's first). As soon as one period of the middle run maps the walk's
    state (levels, and held layers above the lowest level) to itself shifted, every later
    period adds the same counts, so the skipped periods are added as that period's
    increments: exactly what the whole walk gives (tested against it). The skipped steps
    are counted with the middle run's gates: where a weight is so small early on that
    angles fall below the Clifford test (identity to machine precision), or vanishes
    exactly at an inner step (its factor dropped), the counts are an upper bound.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.Anneal` or :class:`~qdq.ImaginaryTime`.
        measure: Count the final readout of the grid (and it in ``measurement_count``).
        swap_free: QFTs without bit-reversal swaps, as :func:`qdq.build_circuit` builds them.

    Raises:
        ParameterError: If ``spec`` is not an evolution spec.
        ResourceError: More than :data:`MAX_WALKED_STEPS` steps whose walk does not
            repeat within the first :data:`HEAD_STEPS` steps (then use fewer steps).

    Example:
        >>> from qdq.problem import Problem
        >>> from qdq.hamiltonian import Hamiltonian
        >>> from qdq.evolution import Anneal
        >>> p = Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> logical_counts(Anneal(p, time=1.0, steps=10**12)).rotation_count
        18000000000000
    """
    from qdq.circuits.program import program
    from qdq.evolution import EvolutionSpec

    EvolutionSpec.require(spec, "logical_counts")
    if spec.steps > 3 * HEAD_STEPS:
        counts = _extrapolated(spec, measure=measure, swap_free=swap_free)
        if counts is not None:
            return counts
        if spec.steps > MAX_WALKED_STEPS:
            raise ResourceError(
                f"cannot count {spec.steps:,} steps: the count walk did not repeat within "
                f"{HEAD_STEPS} steps (dimensions whose circuits never interact can "
                f"advance at different rates), and walking more than {MAX_WALKED_STEPS:,} "
                "steps is refused; use fewer steps (the counts grow about linearly in them)")
    prog = program(spec, swap_free=swap_free, measure=measure, ancillas="reuse")
    return count_ops(prog, prog.num_qubits)
