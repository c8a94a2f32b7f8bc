r"""The Qiskit emitter: a :class:`~qdq.circuits.program.Program` as a ``QuantumCircuit``.

Two targets, operator-equal (global phase included):

* ``target="hardware"`` (default) — the gate-level circuit: every op as its shared gates
  (``h, cx, rz, rzz, ry, cp, swap`` and multi-Z ladders), exactly what
  :meth:`Program.resources` counts (the XY mixer's :class:`~qdq.circuits.ops.XYRotation`
  too: 2 CX, operator-equal to ``XXPlusYYGate(2θ, 0)``, which Aer does not run natively).
  ``flat=False`` wraps each segment into one labelled gate
  (``V(c)``, ``T0(c)``, ``V[x**2](c)`` …) for drawing; ``flat=True`` inlines the gates.
* ``target="simulator"`` — the same program in the form Aer executes fastest: a phase op
  whose gate form is longer than a layer of rotations becomes one ``DiagonalGate`` (Aer's
  native ``diagonal`` instruction: one pass over the state instead of ``2^m`` CX and
  rotations), a uniformly controlled RY becomes one ``UCRYGate``-equivalent multiplexer
  (Aer's native ``multiplexer``), state preparation the native ``Initialize``. QFTs stay
  gates (``n(n+1)/2`` cheap ones).

Registers: ``x0, x1, …`` (grid, in qdq qubit order), ``anc`` (imaginary time), classical
``m`` (grid measurement) then ``post`` (ancilla outcomes).

Example:
    >>> import qdq
    >>> from qdq.circuits.program import program
    >>> from qiskit.quantum_info import Operator
    >>> p = qdq.Problem("0.3*x**4 - x**2 + 0.4*cos(2*x)", bounds=[(-2, 2)], qubits=3)
    >>> prog = program(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=2))
    >>> hw, sim = emit_qiskit(prog), emit_qiskit(prog, target="simulator")
    >>> Operator(hw) == Operator(sim), "diagonal" in sim.count_ops()
    (True, True)
"""

from __future__ import annotations

import numpy as np

from qdq.circuits.ops import UCRY, GlobalPhase, Measure, Prepare, ZPhase
from qdq.circuits.program import Program
from qdq.errors import ParameterError

TARGETS = ("hardware", "simulator")
#: Largest op (in qubits) the simulator target turns into one dense diagonal / multiplexer.
MAX_DENSE_QUBITS = 16


def append_gates(qc, gates, qubits=None) -> None:
    """Append shared gate tuples (:mod:`qdq.circuits.synthesis`) to ``qc``.

    Args:
        qc: The circuit.
        gates: ``(name, qubits, angle)`` tuples.
        qubits: Map from the tuples' qubit indices to ``qc``'s (default: identity).
    """
    m = (lambda q: q) if qubits is None else qubits.__getitem__
    for name, q, a in gates:
        if name == "cx":
            qc.cx(m(q[0]), m(q[1]))
        elif name == "rz":
            qc.rz(a, m(q[0]))
        elif name == "ry":
            qc.ry(a, m(q[0]))
        elif name == "rzz":
            qc.rzz(a, m(q[0]), m(q[1]))
        elif name == "cp":
            qc.cp(a, m(q[0]), m(q[1]))
        elif name == "h":
            qc.h(m(q[0]))
        elif name == "x":
            qc.x(m(q[0]))
        elif name == "swap":
            qc.swap(m(q[0]), m(q[1]))
        elif name == "zstring":  # weight >= 3: a CX ladder onto the last qubit
            for c in q[:-1]:
                qc.cx(m(c), m(q[-1]))
            qc.rz(a, m(q[-1]))
            for c in reversed(q[:-1]):
                qc.cx(m(c), m(q[-1]))
        else:  # pragma: no cover - the gate names are a closed set
            raise ParameterError(f"unknown gate {name!r}")


def _simulator_form(op) -> tuple[str, object] | None:
    """``(kind, instruction)`` when the simulator target replaces ``op``'s gates, else None."""
    if isinstance(op, ZPhase) and len(op.qubits) <= MAX_DENSE_QUBITS:
        gates = op.gates()
        if len(gates) > len(op.qubits):
            from qiskit.circuit.library import DiagonalGate

            return "diagonal", DiagonalGate(np.exp(-1j * op.phases()).tolist())
    if isinstance(op, UCRY) and op.controls and len(op.qubits) <= MAX_DENSE_QUBITS:
        from qiskit.circuit.library import UCGate

        half = np.asarray(op.angles, dtype=float) / 2
        mats = [np.array([[c, -s], [s, c]]) for c, s in zip(np.cos(half), np.sin(half),
                                                           strict=True)]
        return "multiplexer", UCGate(mats, up_to_diagonal=False)
    return None


def _append_op(qc, op, index, *, target: str, native_prepare: bool) -> None:
    """Append one op to ``qc`` (``index`` maps program qubits to ``qc``'s qubits)."""
    if isinstance(op, GlobalPhase):
        qc.global_phase += op.phase
        return
    if isinstance(op, Prepare) and op.amplitudes is not None:
        from qiskit.circuit.library import Initialize, StatePreparation

        inst = Initialize(op.amplitudes) if native_prepare \
            else StatePreparation(op.amplitudes, label=op.label)
        qc.append(inst, [index[q] for q in op.qubits])
        return
    if target == "simulator":
        form = _simulator_form(op)
        if form is not None:
            kind, inst = form
            # UCGate: target first, then the controls (little-endian select).
            wires = [op.target, *op.controls] if kind == "multiplexer" else list(op.qubits)
            qc.append(inst, [index[q] for q in wires])
            return
    append_gates(qc, op.gates(), index)


def append_op(qc, op, *, target: str = "hardware", native_prepare: bool = False) -> None:
    """Append one program op to ``qc`` (program qubit ``q`` is ``qc``'s qubit ``q``)."""
    _append_op(qc, op, list(range(qc.num_qubits)), target=target,
               native_prepare=native_prepare)


def segment_circuit(seg, *, target: str = "hardware", native_prepare: bool = False,
                    name: str | None = None):
    """One segment's ops as a circuit on its own qubits (``seg.qubits[i]`` → qubit ``i``)."""
    from qiskit import QuantumCircuit

    index = {q: i for i, q in enumerate(seg.qubits)}
    body = QuantumCircuit(len(seg.qubits), name=name or seg.role)
    for op in seg.ops:
        _append_op(body, op, index, target=target, native_prepare=native_prepare)
    return body


def _registers(prog: Program):
    from qiskit import ClassicalRegister, QuantumRegister

    qregs = [QuantumRegister(len(q), name) for name, q in prog.registers]
    if prog.time_axis == "imaginary" and not prog.num_ancillas:
        qregs.append(QuantumRegister(1, "anc"))  # the layout always has an ancilla register
    cregs = {}
    if prog.measure:
        cregs["m"] = ClassicalRegister(prog.num_grid, "m")
    if prog.num_blocks and (prog.ancillas == "reuse" or prog.measure):
        cregs["post"] = ClassicalRegister(prog.num_blocks, "post")
    return qregs, cregs


def emit_qiskit(prog: Program, *, target: str = "hardware", flat: bool = False,
                native_prepare: bool | None = None):
    """Emit a program as a ``qiskit.QuantumCircuit`` (see the module docstring).

    Args:
        prog: The program (:func:`qdq.circuits.program.program`).
        target: ``"hardware"`` (gate level) or ``"simulator"`` (Aer-native diagonals and
            multiplexers; implies ``flat``).
        flat: Inline the gates instead of one labelled gate per segment.
        native_prepare: Prepare non-uniform states with ``Initialize`` (simulator-native,
            valid from ``|0⟩`` only, not invertible) instead of ``StatePreparation``.
            Default: ``flat or target == "simulator"``.

    Raises:
        ParameterError: An unknown target.
    """
    from qiskit import QuantumCircuit

    if target not in TARGETS:
        raise ParameterError(f"target must be one of {TARGETS}, got {target!r}")
    flat = flat or target == "simulator"
    native = (flat or target == "simulator") if native_prepare is None else native_prepare
    qregs, cregs = _registers(prog)
    qc = QuantumCircuit(*qregs, *cregs.values(), name=prog.name)
    identity = list(range(qc.num_qubits))
    cache: dict = {}
    for seg in prog.segments():
        if seg.role in ("prepare", "readout"):
            for op in seg.ops:
                if isinstance(op, Measure):
                    qc.measure(op.qubit, cregs[op.register][op.index])
                    if op.reset:
                        qc.reset(op.qubit)
                else:
                    _append_op(qc, op, identity, target=target, native_prepare=native)
            continue
        sub = cache.get(seg.key)
        if sub is None:
            if len(cache) > 64:
                cache.clear()
            body = segment_circuit(seg, target=target, native_prepare=native)
            sub = cache[seg.key] = body if flat else body.to_gate(label=seg.label)
        if flat:
            qc.compose(sub, list(seg.qubits), inplace=True)
        else:
            qc.append(sub, list(seg.qubits))
    return qc


def build_circuit(spec, *, target: str = "hardware", swap_free: bool = True,
                  measure: bool = False, flat: bool = False, ancillas: str = "reuse"):
    """A spec's circuit for ``target`` (imaginary time: ``ancillas`` as in the program).

    ``build_circuit(spec, target="simulator")`` is the Aer-optimal form of
    ``qdq.build_circuit(spec)``: same operator, fewer and larger instructions.

    Example:
        >>> import qdq
        >>> from qiskit.quantum_info import Operator
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> s = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=2)
        >>> sim = build_circuit(s, target="simulator")
        >>> sorted(sim.count_ops()), Operator(sim) == Operator(qdq.build_circuit(s))
        (['cp', 'diagonal', 'h'], True)
    """
    from qdq.circuits.program import program

    prog = program(spec, swap_free=swap_free, measure=measure, ancillas=ancillas)
    return emit_qiskit(prog, target=target, flat=flat)
