r"""The PennyLane emitter: a :class:`~qdq.circuits.program.Program` as native PennyLane ops.

It walks the same program as the Qiskit emitter (:mod:`qdq.circuits.qiskit_emitter`) and
translates the shared gate tuples of :mod:`qdq.circuits.synthesis` one for one, so the two
circuits agree gate for gate (no Qiskit conversion is involved):

* ``h, cx, rz, ry, rzz, zstring, cp, swap`` → ``qml.Hadamard, CNOT, RZ, RY, IsingZZ,
  MultiRZ, ControlledPhaseShift, SWAP`` (all with Qiskit's angle conventions:
  ``IsingZZ(λ) = RZZ(λ) = e^{−iλZZ/2}``, ``MultiRZ(λ) = e^{−iλZ…Z/2}``);
* :class:`~qdq.circuits.ops.XYRotation` (the XY mixer) → its gates, equal to
  ``qml.IsingXY(−2θ)`` (``tests/binary/test_xy.py`` checks both);
* :class:`~qdq.circuits.ops.GlobalPhase` ``e^{iφ}`` → ``qml.GlobalPhase(−φ)``;
* :class:`~qdq.circuits.ops.Prepare` → ``qml.Hadamard`` each, or ``qml.StatePrep`` on the
  reversed wires;
* :class:`~qdq.circuits.ops.Measure` → ``qml.measure(wire, reset=…, postselect=…)``.

**Qubit order.** Wire ``q`` is qdq qubit ``q`` (dimension ``d`` on wires
``offset_d … offset_d + n_d − 1``, least significant first); ancillas follow the grid
wires. PennyLane reads the *first listed* wire as the most significant bit, so
``StatePrep`` gets ``register[::-1]`` and ``qml.probs(wires=grid_wires[::-1])`` is in qdq's
statevector order.

Example:
    >>> import pennylane as qml, qdq
    >>> p = qdq.Problem("x", bounds=[(0, 1)], qubits=2)
    >>> circ = to_pennylane(qdq.RealTime(qdq.Hamiltonian(p, D=0.1), time=0.1, steps=1))
    >>> @qml.qnode(qml.device("default.qubit", wires=circ.wires))
    ... def probs():
    ...     circ()
    ...     return qml.probs(wires=circ.readout_wires)
    >>> circ.grid_probabilities(probs()).shape
    (4,)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from qdq.circuits.ops import GlobalPhase, Measure, Prepare
from qdq.circuits.program import ANCILLA_MODES, Program, Segment, prepare_ops, program
from qdq.circuits.synthesis import ZERO_TOL, qft_gates, ucry_gates, zstring_gates
from qdq.errors import ParameterError, require
from qdq.evolution import EvolutionSpec
from qdq.grid import Grid

__all__ = ["ANCILLA_MODES", "PennyLaneCircuit", "gate_ops", "initial_ops", "op_list",
           "qft_ops", "queue_segment", "segment_ops", "to_pennylane", "ucry_ops", "zstring_ops"]


def _qml():
    return require("pennylane", "pennylane")


def _unqueued(func):
    """Build operators without queuing them, even inside a QNode (callers queue them)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _qml().QueuingManager.stop_recording():
            return func(*args, **kwargs)
    return wrapper


@_unqueued
def gate_ops(gates, wire: Callable[[int], int] = int) -> list:
    """PennyLane ops of shared gate tuples (``wire`` maps their qubits to wires).

    Example:
        >>> [op.name for op in gate_ops([("h", (0,), 0.0), ("cp", (0, 1), 0.5)])]
        ['Hadamard', 'ControlledPhaseShift']
    """
    qml = _qml()
    out = []
    for name, q, a in gates:
        w = [wire(x) for x in q]
        if name == "cx":
            out.append(qml.CNOT(wires=w))
        elif name == "rz":
            out.append(qml.RZ(a, wires=w[0]))
        elif name == "ry":
            out.append(qml.RY(a, wires=w[0]))
        elif name == "rzz":
            out.append(qml.IsingZZ(a, wires=w))
        elif name == "zstring":
            out.append(qml.MultiRZ(a, wires=w))
        elif name == "cp":
            out.append(qml.ControlledPhaseShift(a, wires=w))
        elif name == "h":
            out.append(qml.Hadamard(wires=w[0]))
        elif name == "x":
            out.append(qml.PauliX(wires=w[0]))
        elif name == "swap":
            out.append(qml.SWAP(wires=w))
        else:  # pragma: no cover - the gate names are a closed set
            raise ParameterError(f"unknown gate {name!r}")
    return out


@_unqueued
def op_list(ops, wire: Callable[[int], int] = int) -> list:
    """PennyLane operators of program ops (measurements excluded: see :func:`segment_ops`)."""
    qml = _qml()
    out = []
    for op in ops:
        if isinstance(op, GlobalPhase):
            if op.phase != 0.0:
                out.append(qml.GlobalPhase(-op.phase))
        elif isinstance(op, Prepare) and op.amplitudes is not None:
            out.append(qml.StatePrep(op.amplitudes, wires=[wire(q) for q in op.qubits][::-1]))
        elif not isinstance(op, Measure):
            out.extend(gate_ops(op.gates(), wire))
    return out


def segment_ops(seg: Segment, wire: Callable[[int], int] = int) -> list:
    """A segment's PennyLane operators (its measurements: :func:`queue_segment`)."""
    return op_list(seg.ops, wire)


def queue_segment(seg: Segment, wire: Callable[[int], int] = int) -> None:
    """Queue a segment: its operators, then each ``Measure`` as ``qml.measure``."""
    qml = _qml()
    for op in segment_ops(seg, wire):
        qml.apply(op)
    for op in seg.ops:
        if isinstance(op, Measure):
            qml.measure(wire(op.qubit), reset=op.reset, postselect=op.postselect)


# ----------------------------------------------------------------- gate helpers
@_unqueued
def zstring_ops(wires: Sequence[int], coeffs: np.ndarray, theta: float, *,
                tol: float = ZERO_TOL, global_phase: bool = True) -> list:
    """PennyLane ops for ``e^{−iθ c_∅} Π_S e^{−iθ c_S Z_S}`` (Walsh coefficients ``c_S``).

    The same gates as the Qiskit circuit (:func:`~qdq.circuits.synthesis.zstring_gates`).

    Args:
        wires: ``wires[i]`` carries bit ``i`` of ``x`` (little-endian).
        coeffs: Walsh coefficients, ``2^m`` entries.
        theta: Angle multiplier.
        tol: Relative threshold below which coefficients are dropped.
        global_phase: Emit ``qml.GlobalPhase(θ c_∅)`` (``e^{−iθc_∅}``).

    Example:
        >>> from qdq.circuits.synthesis import walsh_coefficients
        >>> ops = zstring_ops([0, 1], walsh_coefficients(np.array([0., 1, 4, 9])), 0.3)
        >>> [op.name for op in ops]
        ['GlobalPhase', 'RZ', 'RZ', 'IsingZZ']
    """
    qml = _qml()
    c0 = float(coeffs[0])
    head = [qml.GlobalPhase(theta * c0)] if global_phase and theta * c0 != 0.0 else []
    return head + gate_ops(zstring_gates(list(wires), coeffs, theta, tol=tol))


@_unqueued
def ucry_ops(controls: Sequence[int], target: int, angles: np.ndarray) -> list:
    r"""Uniformly controlled ``RY(θ(x))`` on ``target``, ``x`` read from ``controls``.

    The Gray-code walk of :func:`~qdq.circuits.synthesis.ucry_gates`: ``2^m`` CNOTs.

    Example:
        >>> import pennylane as qml
        >>> ops = ucry_ops([0], 1, np.array([0.0, np.pi]))
        >>> U = qml.matrix(qml.tape.QuantumScript(ops), wire_order=[1, 0])
        >>> np.round(U[:, 1].real, 12)             # x = 1 rotates |0> to |1>
        array([0., 0., 0., 1.])
    """
    controls = list(controls)
    angles = np.asarray(angles, dtype=float).reshape(-1)
    m = len(controls)
    if angles.size != 1 << m:
        raise ParameterError(f"angles needs 2**{m} = {1 << m} entries for {m} controls, "
                             f"got {angles.size}")
    return gate_ops(ucry_gates(controls, target, angles))


@_unqueued
def qft_ops(register: Sequence[int], *, inverse: bool = False) -> list:
    """Qiskit's ``QFTGate(n)`` (``= √N·ifft``) on a little-endian register, in PennyLane.

    ``inverse=True`` gives position → momentum.

    Example:
        >>> import pennylane as qml
        >>> U = qml.matrix(qml.tape.QuantumScript(qft_ops([0, 1, 2])), wire_order=[2, 1, 0])
        >>> np.allclose(U, np.sqrt(8) * np.fft.ifft(np.eye(8), axis=0))
        True
    """
    return gate_ops(qft_gates(list(register), inverse=inverse, swaps=True))


@_unqueued
def initial_ops(initial, grid: Grid) -> list:
    """Ops preparing :func:`~qdq.states.resolve_initial`'s state from ``|0…0⟩``.

    Example:
        >>> [op.name for op in initial_ops("uniform", Grid([(0, 1)], qubits=2))]
        ['Hadamard', 'Hadamard']
    """
    return op_list(prepare_ops(initial, grid))


# ----------------------------------------------------------------- the circuit
@dataclass(frozen=True)
class PennyLaneCircuit:
    """A spec's circuit as a PennyLane quantum function (call it inside a QNode).

    Attributes:
        spec: The evolution spec.
        ancillas: ``"reuse"`` (one ancilla, ``qml.measure(a, reset=True, postselect=0)``
            after each block) or ``"fresh"`` (one ancilla per block, no measurement:
            postselect every ancilla on ``|0⟩`` yourself). Unitary specs have none.
        grid_wires: Register wires ``0 … n−1`` (qdq qubit order, LSB of ``j_0`` first).
        ancilla_wires: Ancilla wires (after the grid wires).
        num_blocks: Number of probabilistic blocks.

    ``qml.probs(wires=circuit.readout_wires)`` is in qdq's statevector order, so
    ``spec.grid.to_grid(...)`` makes it grid-shaped (see :meth:`grid_probabilities`).
    """

    spec: EvolutionSpec
    ancillas: str
    grid_wires: tuple[int, ...]
    ancilla_wires: tuple[int, ...]
    num_blocks: int
    program: Program = field(repr=False, compare=False)

    @property
    def wires(self) -> tuple[int, ...]:
        """All wires the function touches (grid, then ancillas)."""
        return self.grid_wires + self.ancilla_wires

    @property
    def readout_wires(self) -> tuple[int, ...]:
        """Grid wires most-significant first, for ``qml.probs`` / ``qml.sample``."""
        return self.grid_wires[::-1]

    def __call__(self) -> None:
        """Queue the circuit (and, in reuse mode, its mid-circuit measurements)."""
        for seg in self.program.segments():
            queue_segment(seg)

    def tape(self, measurements: Sequence = (), *, shots: int | None = None):
        """The circuit as a ``qml.tape.QuantumScript`` with the given measurements."""
        qml = _qml()
        with qml.queuing.AnnotatedQueue() as q:
            self()
        return qml.tape.QuantumScript(q.queue, list(measurements), shots=shots)

    def grid_probabilities(self, probs: np.ndarray) -> np.ndarray:
        """Grid-shaped array from ``qml.probs(wires=self.readout_wires)``."""
        return self.spec.grid.to_grid(np.asarray(probs))


def to_pennylane(spec: EvolutionSpec, *, ancillas: str = "reuse") -> PennyLaneCircuit:
    """Build a spec's circuit as a PennyLane quantum function.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.ImaginaryTime` or :class:`~qdq.Anneal`.
        ancillas: Imaginary time only: ``"reuse"`` (one ancilla with mid-circuit
            measurement, reset and ``postselect=0``; run the QNode with
            ``mcm_method="tree-traversal"`` and, with shots, ``postselect_mode="hw-like"``)
            or ``"fresh"`` (one ancilla per block, plain unitary; postselect all ancillas).

    Returns:
        A :class:`PennyLaneCircuit`; call it inside a QNode.

    Raises:
        ParameterError: If ``spec`` is not an evolution spec or ``ancillas`` is unknown.
    """
    EvolutionSpec.require(spec, "to_pennylane")
    if ancillas not in ANCILLA_MODES:
        raise ParameterError(f"ancillas must be one of {ANCILLA_MODES}, got {ancillas!r}")
    prog = program(spec, ancillas=ancillas, reuse_width=1)
    nq = spec.grid.num_qubits
    return PennyLaneCircuit(spec=spec, ancillas=ancillas, grid_wires=tuple(range(nq)),
                            ancilla_wires=tuple(range(nq, nq + prog.num_ancillas)),
                            num_blocks=prog.num_blocks, program=prog)
