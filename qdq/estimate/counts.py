r"""Logical counts of a circuit program, the input of a fault-tolerant resource estimate.

The counts are those the Microsoft resource estimator derives from a circuit in
``{cx, rz, ry, h, x}`` plus measurements (its *logical-counts* model):

* ``num_qubits`` — grid qubits plus ancillas;
* ``rotation_count`` — arbitrary-angle single-qubit rotations: the ``rz``/``ry`` of the
  cx-form of :mod:`qdq.circuits.synthesis` (3 per ``cp``) whose angle is not a multiple of
  ``π/4``; ``t_count`` — those at an odd multiple of ``π/4`` (``T``, e.g. the QFT's
  ``cp(π/2)``); even multiples (``0``, ``S``, ``Z``) are Clifford and free. The angle test
  is exact up to :data:`ANGLE_TOL`, as in the estimator;
* ``rotation_depth`` — layers holding a rotation. Every qubit has a level; a rotation or
  a ``T`` on qubit ``q`` sits in layer ``level(q)`` and moves ``q`` one level on, a CX puts
  both its qubits at the later of their two levels, ``H``/``X``/Clifford angles are free;
  the depth is the number of distinct layers in which some rotation sits (a ``T``-only layer
  does not count). This is the estimator's own layer model (its ``LogicalCounter``),
  checked against it in ``tests/test_estimate.py``;
* ``measurement_count`` — every measurement, mid-circuit (reused imaginary-time ancillas)
  and the final readout of the grid.

CX gates are Clifford: they cost no T states in this model, only (through the layers) depth.

The counts come from walking the program (:func:`qdq.circuits.program.program`) op by op,
never from a built circuit: each distinct op shape is expanded to gates once and reduced to
a max-plus transfer matrix, so a 10⁴-step anneal on 80 qubits costs seconds and no circuit.

May import :mod:`qdq.circuits` and :mod:`qdq.evolution`; not the rest of
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
from qdq.errors import ParameterError

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
        """The estimator's ``LogicalCounts`` input (camelCase keys)."""
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
        (1, 1, 2, [[1.0, 3.0], [0.0, 2.0]], [[0.0, -inf], [2.0, 1.0]])
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
                    t += 1
                else:
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


def _op_cost(op, cache: dict) -> OpCost:
    key = op.shape()
    if isinstance(op, Prepare) and op.amplitudes is not None:
        key = (*key, id(op.amplitudes))
    cost = cache.get(key)
    if cost is None:
        gates = _prepare_gates(op) if isinstance(op, Prepare) and op.amplitudes is not None \
            else op.gates()
        cost = cache[key] = op_cost(gates, op.qubits)
    return cost


class _LayerSet:
    """The set of layer indices holding a rotation (a growable bitmap)."""

    def __init__(self):
        self.bits = np.zeros(1 << 12, dtype=bool)

    def add(self, layers: np.ndarray) -> None:
        top = int(layers.max()) + 1
        if top > self.bits.size:
            self.bits = np.concatenate([self.bits, np.zeros(max(top, 2 * self.bits.size)
                                                            - self.bits.size, dtype=bool)])
        self.bits[layers.astype(np.int64)] = True

    def __len__(self) -> int:
        return int(self.bits.sum())


def count_ops(ops, num_qubits: int) -> LogicalCounts:
    """Logical counts of a stream of program ops on ``num_qubits`` qubits.

    Example:
        >>> from qdq.circuits.ops import ZPhase
        >>> count_ops([ZPhase((0, 1), np.array([0.0, 1.0, 0.0, 1.0]), 0.5)], 2)
        LogicalCounts(num_qubits=2, t_count=0, rotation_count=2, rotation_depth=2, \
measurement_count=0, cx_count=2)
    """
    cache: dict = {}
    levels = np.zeros(num_qubits)
    rotation_layers = _LayerSet()
    cx = t = rot = meas = 0
    for op in ops:
        if isinstance(op, GlobalPhase):
            continue
        if isinstance(op, Measure):
            meas += 1
            continue
        c = _op_cost(op, cache)
        cx, t, rot = cx + c.cx, t + c.t, rot + c.rotations
        q = list(op.qubits)
        d = levels[q]
        if c.rotations:
            rotation_layers.add((d[None, :] + c.rotation_layers).max(axis=1))
        levels[q] = (d[:, None] + c.transfer).max(axis=0)
    return LogicalCounts(num_qubits=num_qubits, t_count=t, rotation_count=rot,
                         rotation_depth=len(rotation_layers), measurement_count=meas,
                         cx_count=cx)


def logical_counts(spec, *, measure: bool = True, swap_free: bool = True) -> LogicalCounts:
    """Logical counts of a spec's gate-level circuit, walked from its program.

    Imaginary time uses reused ancillas (measured, postselected and reset after each
    block), the circuit that runs with shots.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.Anneal` or :class:`~qdq.ImaginaryTime`.
        measure: Count the final readout of the grid (and it in ``measurement_count``).
        swap_free: QFTs without bit-reversal swaps, as :func:`qdq.build_circuit` builds them.

    Raises:
        ParameterError: If ``spec`` is not an evolution spec.
    """
    from qdq.circuits.program import program

    prog = program(spec, swap_free=swap_free, measure=measure, ancillas="reuse")
    return count_ops(prog, prog.num_qubits)
