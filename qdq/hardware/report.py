r"""The resource report of an ISA circuit: what a submission costs, how likely it comes back right.

:func:`resource_report` reads, from a circuit transpiled by
:func:`qdq.hardware.transpile.transpile_for`:

* ``two_qubit_gates``, ``two_qubit_depth``, ``depth``, ``size`` and the op counts of the
  ISA circuit; ``active_qubits`` (physical qubits touched) and ``layout`` (physical qubit
  of each logical qubit);
* ``estimated_fidelity = gate_fidelity · readout_fidelity`` with
  ``gate_fidelity = Π_gates (1 − ε_gate)`` over every ISA instruction (``ε`` from
  ``backend.target[name][qubits].error``; barriers, delays and measurements excluded) and
  ``readout_fidelity = Π_measured qubits (1 − ε_readout)`` over each measurement. It is the
  probability that no reported error happens in a shot; ``1 − estimated_fidelity`` bounds
  how far (in total variation distance) the noisy output distribution can drift from the
  ideal one under such errors, sampling noise aside.

Imports only :mod:`qdq.errors` (and Qiskit objects it is handed); the transpilation itself
lives in :mod:`qdq.hardware.transpile`, which re-exports these names.

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.providers.fake_provider import GenericBackendV2
    >>> from qdq.hardware.transpile import transpile_for
    >>> backend = GenericBackendV2(num_qubits=5, seed=7)
    >>> qc = QuantumCircuit(3, 3)
    >>> _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(1, 2); _ = qc.measure(range(3), range(3))
    >>> report = resource_report(transpile_for(qc, backend, optimization_level=1, seed=1), backend)
    >>> report.two_qubit_gates >= 2, 0.5 < report.estimated_fidelity < 1.0
    (True, True)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ResourceReport", "estimate_fidelity", "resource_report"]

#: Instructions that take no time on a qubit's error budget.
_NON_GATES = frozenset({"barrier", "delay", "measure", "store"})


def _backend_name(backend: Any) -> str:
    return str(getattr(backend, "name", None) or type(backend).__name__)


def _qubit_indices(circuit: Any, qubits: Any) -> tuple[int, ...]:
    return tuple(circuit.find_bit(q).index for q in qubits)


def estimate_fidelity(isa: Any, target: Any) -> dict[str, Any]:
    """Estimate a shot's success probability from the target's reported error rates.

    Args:
        isa: An ISA circuit (qubit indices are physical qubits of ``target``).
        target: The backend's ``qiskit.transpiler.Target``.

    Returns:
        ``{"gate_fidelity", "readout_fidelity", "estimated_fidelity",
        "gates_without_error_rate"}``: the products described in the module docstring and
        how many instructions had no reported error (counted as perfect).

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> qc = QuantumCircuit(1, 1); _ = qc.x(0); _ = qc.measure(0, 0)
        >>> backend = GenericBackendV2(num_qubits=2, seed=3)
        >>> est = estimate_fidelity(qc, backend.target)
        >>> eps_x = backend.target["x"][(0,)].error
        >>> eps_m = backend.target["measure"][(0,)].error
        >>> abs(est["estimated_fidelity"] - (1 - eps_x) * (1 - eps_m)) < 1e-12
        True
    """
    gate_log = 0.0
    readout_log = 0.0
    missing = 0
    for inst in isa.data:
        name = inst.operation.name
        if name in ("barrier", "delay", "store"):
            continue
        qargs = _qubit_indices(isa, inst.qubits)
        error = None
        if name in target.operation_names:
            props_map = target[name]
            props = None if props_map is None else props_map.get(qargs)
            if props is None and props_map is not None:
                props = props_map.get(None)
            error = None if props is None else props.error
        if error is None:
            missing += 1
            continue
        error = min(max(float(error), 0.0), 1.0)
        term = math.log1p(-error) if error < 1.0 else -math.inf
        if name == "measure":
            readout_log += term
        else:
            gate_log += term
    gate_f = math.exp(gate_log)
    readout_f = math.exp(readout_log)
    return {
        "gate_fidelity": gate_f,
        "readout_fidelity": readout_f,
        "estimated_fidelity": gate_f * readout_f,
        "gates_without_error_rate": missing,
    }


@dataclass
class ResourceReport:
    """What an ISA circuit costs on a backend, shown before anything is submitted.

    Attributes:
        backend: Backend name.
        backend_qubits: Qubits the backend has.
        logical_qubits: Qubits of the logical circuit (grid registers plus ancillas).
        active_qubits: Physical qubits the ISA circuit touches, sorted.
        layout: Physical qubit of each logical qubit (index = logical qubit).
        two_qubit_gates: Number of 2-qubit gates in the ISA circuit.
        two_qubit_depth: Depth counting only 2-qubit gates.
        depth: Depth of the ISA circuit (measurements included).
        size: Number of instructions (barriers and delays excluded).
        ops: ISA op counts.
        measurements: Number of measurements (mid-circuit ones included).
        gate_fidelity: ``Π (1 − ε_gate)`` over the ISA gates.
        readout_fidelity: ``Π (1 − ε_readout)`` over the measurements.
        estimated_fidelity: ``gate_fidelity · readout_fidelity``.
        gates_without_error_rate: Instructions with no reported error (counted perfect).
        optimization_level: Transpiler optimization level used.
        shots: Shots the cost is for (``None``: no cost computed).
        cost_usd: Price of one job of ``shots`` shots from the provider's published
            pricing (:mod:`qdq.hardware.clouds.pricing`); ``None`` when there is none.
        cost_note: How the cost is made up, or why there is none.
    """

    backend: str
    backend_qubits: int
    logical_qubits: int
    active_qubits: list[int]
    layout: list[int]
    two_qubit_gates: int
    two_qubit_depth: int
    depth: int
    size: int
    ops: dict[str, int] = field(default_factory=dict)
    measurements: int = 0
    gate_fidelity: float = 1.0
    readout_fidelity: float = 1.0
    estimated_fidelity: float = 1.0
    gates_without_error_rate: int = 0
    optimization_level: int | None = None
    shots: int | None = None
    cost_usd: float | None = None
    cost_note: str | None = None

    def expected_tvd_bound(self, shots: int | None = None, cells: int | None = None) -> float:
        """``(1 − estimated_fidelity) + √(cells / shots)``: a TVD scale for noisy vs ideal.

        The first term is the mass that reported errors can move; the second a generous
        bound on multinomial sampling noise over ``cells`` outcomes (omitted without
        ``shots``/``cells``).

        Example:
            >>> r = ResourceReport("b", 5, 2, [0, 1], [0, 1], 1, 1, 3, 4,
            ...                    estimated_fidelity=0.9)
            >>> round(r.expected_tvd_bound(shots=400, cells=4), 3)
            0.2
        """
        bound = 1.0 - self.estimated_fidelity
        if shots and cells:
            bound += math.sqrt(cells / shots)
        return float(bound)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (see :meth:`from_dict`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResourceReport:
        """Inverse of :meth:`to_dict` (unknown keys are ignored).

        Example:
            >>> r = ResourceReport("b", 5, 2, [0, 1], [0, 1], 1, 1, 3, 4)
            >>> ResourceReport.from_dict(r.to_dict()) == r
            True
        """
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})

    def rows(self) -> list[tuple[str, str]]:
        """``(quantity, value)`` pairs for a table."""
        return [
            ("backend", f"{self.backend} ({self.backend_qubits} qubits)"),
            ("logical qubits", str(self.logical_qubits)),
            ("physical qubits", ", ".join(map(str, self.active_qubits))),
            ("2-qubit gates", str(self.two_qubit_gates)),
            ("2-qubit depth", str(self.two_qubit_depth)),
            ("depth", str(self.depth)),
            ("instructions", str(self.size)),
            ("measurements", str(self.measurements)),
            ("gate fidelity Π(1−ε)", f"{self.gate_fidelity:.4g}"),
            ("readout fidelity Π(1−ε)", f"{self.readout_fidelity:.4g}"),
            ("estimated success fidelity", f"{self.estimated_fidelity:.4g}"
             + (f" ({self.gates_without_error_rate} instructions without a reported error "
                "rate, counted perfect)" if self.gates_without_error_rate else "")),
            *([("shots", str(self.shots))] if self.shots is not None else []),
            *([("cost", self.cost_note)] if self.cost_note else []),
        ]

    def __str__(self) -> str:
        width = max(len(k) for k, _ in self.rows())
        return "\n".join(f"{k:<{width}}  {v}" for k, v in self.rows())


def resource_report(isa: Any, backend: Any, *, logical_qubits: int | None = None,
                    optimization_level: int | None = None) -> ResourceReport:
    """Build the :class:`ResourceReport` of an ISA circuit on a backend.

    Args:
        isa: The transpiled circuit (from :func:`transpile_for`).
        backend: The ``BackendV2`` it was transpiled for.
        logical_qubits: Width of the logical circuit (default: from the ISA layout).
        optimization_level: Recorded in the report.

    Returns:
        The report.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> from qdq.hardware.transpile import transpile_for
        >>> backend = GenericBackendV2(num_qubits=4, seed=5)
        >>> qc = QuantumCircuit(2, 2); _ = qc.cx(0, 1); _ = qc.measure([0, 1], [0, 1])
        >>> r = resource_report(transpile_for(qc, backend, seed=1), backend)
        >>> r.two_qubit_gates, r.measurements, len(r.layout)
        (1, 2, 2)
    """
    target = backend.target
    ops = {str(k): int(v) for k, v in isa.count_ops().items()}
    two_q = 0
    measurements = 0
    size = 0
    active: set[int] = set()
    for inst in isa.data:
        name = inst.operation.name
        if name in ("barrier", "delay"):
            continue
        size += 1
        active.update(_qubit_indices(isa, inst.qubits))
        if name == "measure":
            measurements += 1
        elif len(inst.qubits) == 2:
            two_q += 1
    two_q_depth = isa.depth(
        lambda inst: len(inst.qubits) == 2 and inst.operation.name not in _NON_GATES
    )
    layout: list[int] = []
    if getattr(isa, "layout", None) is not None:
        try:
            layout = [int(q) for q in isa.layout.final_index_layout()]
        except Exception:  # pragma: no cover - layouts without a final mapping
            layout = []
    if logical_qubits is None:
        logical_qubits = len(layout) if layout else len(active)
    fid = estimate_fidelity(isa, target)
    return ResourceReport(
        backend=_backend_name(backend),
        backend_qubits=int(backend.num_qubits),
        logical_qubits=int(logical_qubits),
        active_qubits=sorted(active),
        layout=layout,
        two_qubit_gates=two_q,
        two_qubit_depth=int(two_q_depth),
        depth=int(isa.depth()),
        size=size,
        ops=ops,
        measurements=measurements,
        gate_fidelity=fid["gate_fidelity"],
        readout_fidelity=fid["readout_fidelity"],
        estimated_fidelity=fid["estimated_fidelity"],
        gates_without_error_rate=fid["gates_without_error_rate"],
        optimization_level=optimization_level,
    )
