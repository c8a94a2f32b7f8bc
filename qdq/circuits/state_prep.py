"""Initial-state preparation circuits matching :func:`qdq.states.resolve_initial`.

* ``"uniform"`` → a Hadamard on every register qubit;
* :class:`~qdq.GaussianPacket` → one ``StatePreparation`` per dimension (a product state);
* a grid-shaped array → one ``StatePreparation`` on all registers.

Example:
    >>> import numpy as np, qdq
    >>> from qiskit.quantum_info import Statevector
    >>> g = qdq.Problem("x", bounds=[(0, 1)], qubits=2).grid
    >>> qc = prepare_initial("uniform", g)
    >>> np.allclose(Statevector(qc).data, 0.5)
    True
"""

from __future__ import annotations

from qdq.grid import Grid


def prepare_initial(initial, grid: Grid, *, native: bool = False):
    """Circuit on ``grid.num_qubits`` qubits preparing the initial state from ``|0⟩``.

    The program's :class:`~qdq.circuits.ops.Prepare` ops
    (:func:`qdq.circuits.program.prepare_ops`), emitted by the Qiskit emitter.

    Args:
        initial: As accepted by :func:`qdq.states.resolve_initial`.
        grid: The grid.
        native: Use ``Initialize`` (a simulator-native instruction, valid from ``|0⟩``)
            instead of the gate-synthesizable ``StatePreparation``; simulators then skip
            synthesis.
    """
    from qiskit import QuantumCircuit

    from qdq.circuits.program import prepare_ops
    from qdq.circuits.qiskit_emitter import append_op

    qc = QuantumCircuit(grid.num_qubits, name="init")
    for op in prepare_ops(initial, grid):
        append_op(qc, op, native_prepare=native)
    return qc
