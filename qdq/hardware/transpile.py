r"""Transpilation to a backend's target, and the simulation twin of a fake backend.

:func:`transpile_for` maps a logical circuit to an ISA circuit (only the backend's native
gates, on its coupling map) with Qiskit's ``generate_preset_pass_manager``;
:func:`~qdq.hardware.report.resource_report` (re-exported here, with
:class:`~qdq.hardware.report.ResourceReport` and
:func:`~qdq.hardware.report.estimate_fidelity`) then reads what the submission will cost and
how likely it is to come back right.

:func:`restrict_to_active` builds the simulation twin used for fake backends: the ISA
circuit renumbered onto its active qubits and a backend whose target (gate errors,
durations, T1/T2, readout errors) is the original restricted to those qubits. Fake-backend
noise models are local (each error acts on the qubits of its gate or measurement), so the
simulated counts are identical to simulating the whole device with the same seed, while
building the noise model costs milliseconds instead of seconds (FakeTorino: ~10 s per job).

Example:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.providers.fake_provider import GenericBackendV2
    >>> backend = GenericBackendV2(num_qubits=5, seed=7)
    >>> qc = QuantumCircuit(3, 3)
    >>> _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(1, 2); _ = qc.measure(range(3), range(3))
    >>> isa = transpile_for(qc, backend, optimization_level=1, seed=1)
    >>> report = resource_report(isa, backend)
    >>> report.two_qubit_gates >= 2, 0.5 < report.estimated_fidelity < 1.0
    (True, True)
"""

from __future__ import annotations

from typing import Any

from qdq.errors import BackendError, ParameterError
from qdq.hardware.report import (
    ResourceReport,
    _backend_name,
    _qubit_indices,
    estimate_fidelity,
    resource_report,
)

__all__ = [
    "ResourceReport",
    "check_width",
    "estimate_fidelity",
    "resource_report",
    "restrict_to_active",
    "transpile_for",
]


def check_width(circuit: Any, backend: Any) -> None:
    """Refuse a circuit that has more qubits than the backend.

    Args:
        circuit: A ``qiskit.QuantumCircuit``.
        backend: A ``BackendV2`` (anything with ``num_qubits`` and ``name``).

    Raises:
        BackendError: If ``circuit.num_qubits > backend.num_qubits`` (nothing is submitted).

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> check_width(QuantumCircuit(6), GenericBackendV2(num_qubits=5, seed=1))
        Traceback (most recent call last):
        ...
        qdq.errors.BackendError: circuit needs 6 qubits but backend 'generic_backend_5q' has 5; ...
    """
    width = int(circuit.num_qubits)
    available = int(backend.num_qubits)
    if width > available:
        raise BackendError(
            f"circuit needs {width} qubits but backend {_backend_name(backend)!r} has "
            f"{available}; use fewer qubits per dimension (qubits=...) or a larger backend. "
            "Nothing was submitted."
        )


def transpile_for(circuit: Any, backend: Any, *, optimization_level: int = 2,
                  seed: int | None = None) -> Any:
    """Transpile a circuit to the backend's target (an ISA circuit).

    Args:
        circuit: The logical ``qiskit.QuantumCircuit`` (measurements included).
        backend: A ``BackendV2`` with a ``target``.
        optimization_level: 0–3, as for ``generate_preset_pass_manager``.
        seed: ``seed_transpiler`` (layout and routing are randomized without it).

    Returns:
        The ISA circuit (native gates on the coupling map, with a ``layout``).

    Raises:
        ParameterError: If ``optimization_level`` is not 0, 1, 2 or 3.
        BackendError: If the circuit is wider than the backend, or transpilation fails.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
        >>> isa = transpile_for(qc, GenericBackendV2(num_qubits=3, seed=2), seed=1)
        >>> isa.num_qubits, "h" in isa.count_ops()
        (3, False)
    """
    if isinstance(optimization_level, bool) or optimization_level not in (0, 1, 2, 3):
        raise ParameterError(
            f"optimization_level must be 0, 1, 2 or 3, got {optimization_level!r}"
        )
    check_width(circuit, backend)
    from qiskit.transpiler import generate_preset_pass_manager

    try:
        pm = generate_preset_pass_manager(
            optimization_level=optimization_level, backend=backend, seed_transpiler=seed
        )
        return pm.run(circuit)
    except Exception as exc:  # qiskit raises TranspilerError and friends
        from qdq.redact import redact

        raise BackendError(
            f"transpiling for backend {_backend_name(backend)!r} failed: "
            f"{redact(f'{type(exc).__name__}: {exc}')}; try optimization_level=1 or a "
            "smaller circuit"
        ) from exc


def _restricted_target(target: Any, active: list[int], description: str) -> Any:
    from qiskit.transpiler import Target

    pos = {p: i for i, p in enumerate(active)}
    qubit_props = None
    if target.qubit_properties:
        qubit_props = [target.qubit_properties[p] for p in active]
    out = Target(
        description=description,
        num_qubits=len(active),
        dt=target.dt,
        granularity=target.granularity,
        min_length=target.min_length,
        pulse_alignment=target.pulse_alignment,
        acquire_alignment=target.acquire_alignment,
        qubit_properties=qubit_props,
    )
    for name in target.operation_names:
        op = target.operation_from_name(name)
        props = target[name]
        if isinstance(op, type):  # variadic ops (control flow) are added by class
            out.add_instruction(op, name=name)
            continue
        if props is None or None in props:
            out.add_instruction(op, None, name=name)
            continue
        sub = {
            tuple(pos[q] for q in qargs): p
            for qargs, p in props.items()
            if qargs is not None and all(q in pos for q in qargs)
        }
        if sub:
            out.add_instruction(op, sub, name=name)
    return out


def restrict_to_active(isa: Any, backend: Any) -> tuple[Any, Any, list[int]]:
    """Restrict an ISA circuit and its backend to the qubits the circuit uses.

    Used to simulate fake backends: see the module docstring for why the counts do not
    change.

    Args:
        isa: An ISA circuit for ``backend``.
        backend: The (fake) ``BackendV2``.

    Returns:
        ``(small_backend, small_circuit, active)``: a ``BackendV2`` named like ``backend``
        whose target is restricted to ``active`` (renumbered ``0..k−1``), the circuit on
        those ``k`` qubits (same classical registers), and the physical qubit list.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> backend = GenericBackendV2(num_qubits=6, seed=4)
        >>> qc = QuantumCircuit(2, 2); _ = qc.cx(0, 1); _ = qc.measure([0, 1], [0, 1])
        >>> small, circ, active = restrict_to_active(transpile_for(qc, backend, seed=1), backend)
        >>> small.num_qubits, circ.num_qubits, len(active)
        (2, 2, 2)
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit import Barrier
    from qiskit.providers import BackendV2, Options

    active = sorted(
        {
            isa.find_bit(q).index
            for inst in isa.data
            if inst.operation.name not in ("barrier", "delay")
            for q in inst.qubits
        }
    )
    if not active:
        raise BackendError("the circuit touches no qubit; nothing to run")
    pos = {p: i for i, p in enumerate(active)}
    name = _backend_name(backend)
    target = _restricted_target(
        backend.target, active, f"{name} restricted to physical qubits {active}"
    )

    class _RestrictedBackend(BackendV2):
        """A backend whose target is another's restricted to a few qubits."""

        def __init__(self) -> None:
            super().__init__(name=name, description=target.description,
                             backend_version=str(getattr(backend, "backend_version", "")))
            self._target = target
            self._sim = None

        @property
        def target(self):
            return self._target

        @property
        def max_circuits(self):
            return None

        @classmethod
        def _default_options(cls):
            return Options()

        def run(self, run_input, **options):
            """Run on Aer with this target's noise model (as ``FakeBackendV2.run`` does)."""
            if self._sim is None:
                from qiskit_aer import AerSimulator

                self._sim = AerSimulator.from_backend(self)
            return self._sim.run(run_input, **options)

    small = QuantumCircuit(len(active), name=isa.name, global_phase=isa.global_phase,
                           metadata=dict(isa.metadata or {}))
    for creg in isa.cregs:
        small.add_register(creg)
    for inst in isa.data:
        phys = _qubit_indices(isa, inst.qubits)
        kept = [pos[p] for p in phys if p in pos]
        if len(kept) != len(phys):  # only barriers/delays can touch idle qubits
            if not kept:
                continue
            if inst.operation.name == "barrier":
                small.append(Barrier(len(kept)), kept)
                continue
        small.append(inst.operation, kept, inst.clbits)
    return _RestrictedBackend(), small, active
