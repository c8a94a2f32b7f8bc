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
from qdq.states import GaussianPacket, resolve_initial


def prepare_initial(initial, grid: Grid, *, native: bool = False):
    """Circuit on ``grid.num_qubits`` qubits preparing the initial state from ``|0⟩``.

    Args:
        initial: As accepted by :func:`qdq.states.resolve_initial`.
        grid: The grid.
        native: Use ``Initialize`` (a simulator-native instruction, valid from ``|0⟩``)
            instead of the gate-synthesizable ``StatePreparation``; simulators then skip
            synthesis.
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import Initialize, StatePreparation

    def prep(vec, label):
        return Initialize(vec) if native else StatePreparation(vec, label=label)

    qc = QuantumCircuit(grid.num_qubits, name="init")
    if isinstance(initial, str) and initial == "uniform":
        qc.h(range(grid.num_qubits))
        return qc
    if isinstance(initial, GaussianPacket):
        for d in range(grid.dims):
            qc.append(prep(initial.factor(grid, d), f"packet{d}"), grid.register(d))
        return qc
    psi = resolve_initial(initial, grid)
    qc.append(prep(grid.to_flat(psi), "init"), range(grid.num_qubits))
    return qc
