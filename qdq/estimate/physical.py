r"""Physical resource estimates: logical counts fed to Microsoft's resource estimator.

The estimator is ``qdk.qre`` (QRE v3 of the ``qdk`` package, optional extra
``qdq[estimate]``, which installs ``qdk[qre]``; the older ``qdk.estimator`` is deprecated
and no longer used). The logical counts become a QRE *trace*
(:func:`trace_from_counts`); QRE's ``PSSPC`` transform lays the qubits out for lattice
surgery (``2n + ⌈√(8n)⌉ + 1`` logical qubits) and turns each rotation into ``k`` T states
(``k`` = 5…60, enumerated: :data:`TS_PER_ROTATION`), ``LatticeSurgery`` makes the
logical cycles, and the target's architecture, code (distances 3…25) and T factories are
searched for the estimates within
``error_budget``. Of the Pareto-optimal estimates (physical qubits vs runtime) the one with
the fewest physical qubits is returned (ties: the shortest runtime); ``Estimate.raw``
holds how many there were. Targets are named here:

=================  ==============================================  =========================
name               architecture (``qdk.qre.models``)               code, T factories
=================  ==============================================  =========================
``surface-e3``     ``GateBased`` 10⁻³ errors, 50 ns gates, 100 ns   ``SurfaceCode``,
                   measurements                                    ``Litinski19Factory``
``surface-e4``     ``GateBased`` 10⁻⁴, same times                  same
``surface-us-e3``  ``GateBased`` 10⁻³, 100 µs gates/measurements   same
``surface-us-e4``  ``GateBased`` 10⁻⁴, 100 µs                      same
``floquet-maj-e4`` ``Majorana`` 10⁻⁴ (T gate 5 %), 1 µs            ``ThreeAux``,
                                                                   ``RoundBasedFactory``
``floquet-maj-e6`` ``Majorana`` 10⁻⁶ (T gate 1 %), 1 µs            same
=================  ==============================================  =========================

The names are those of the old estimator's targets; QRE v3 has no Floquet code, so the
Majorana targets use its pairwise-measurement surface code ``ThreeAux``, and
``GateBased`` gives the T gate the Clifford error rate.

May import :mod:`qdq.estimate.counts`, :mod:`qdq.errors`; ``qdk.qre`` on first use.

Example:
    >>> sorted(TARGETS)[:2]
    ['floquet-maj-e4', 'floquet-maj-e6']
    >>> check_error_budget(2.0)
    Traceback (most recent call last):
    ...
    qdq.errors.ParameterError: error_budget must be a probability in (0, 1), got 2.0; ...
"""

from __future__ import annotations

import difflib
import io
import math
import tempfile
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from qdq.errors import ParameterError, ResourceError, require
from qdq.estimate.counts import BASIS_GATES, LogicalCounts, angle_kind, logical_counts

__all__ = ["TARGETS", "Estimate", "check_error_budget", "estimate", "estimate_circuit",
           "estimate_counts", "lower_circuit", "trace_from_circuit", "trace_from_counts"]

#: Target name -> (architecture, QEC code and T factories), as QRE v3 models them.
TARGETS: dict[str, tuple[str, str]] = {
    "surface-e3": ("GateBased(error_rate=1e-3, gate_time=50, measurement_time=100)",
                   "SurfaceCode * Litinski19Factory"),
    "surface-e4": ("GateBased(error_rate=1e-4, gate_time=50, measurement_time=100)",
                   "SurfaceCode * Litinski19Factory"),
    "surface-us-e3": ("GateBased(error_rate=1e-3, gate_time=100000, measurement_time=100000)",
                      "SurfaceCode * Litinski19Factory"),
    "surface-us-e4": ("GateBased(error_rate=1e-4, gate_time=100000, measurement_time=100000)",
                      "SurfaceCode * Litinski19Factory"),
    "floquet-maj-e4": ("Majorana(error_rate=1e-4)", "ThreeAux * RoundBasedFactory"),
    "floquet-maj-e6": ("Majorana(error_rate=1e-6)", "ThreeAux * RoundBasedFactory"),
}
_GATE_BASED = {"surface-e3": (1e-3, 50, 100), "surface-e4": (1e-4, 50, 100),
               "surface-us-e3": (1e-3, 100_000, 100_000),
               "surface-us-e4": (1e-4, 100_000, 100_000)}
_MAJORANA = {"floquet-maj-e4": 1e-4, "floquet-maj-e6": 1e-6}


def check_error_budget(error_budget) -> float:
    """``error_budget`` as a float in ``(0, 1)``, else :class:`~qdq.errors.ParameterError`."""
    try:
        value = float(error_budget)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(error_budget, bool) or not 0.0 < value < 1.0:
        raise ParameterError(f"error_budget must be a probability in (0, 1), got "
                             f"{error_budget!r}; e.g. 1e-3 (total failure probability)")
    return value


def check_target(target) -> str:
    """``target`` if it names one of :data:`TARGETS`, else a ParameterError with the names.

    Example:
        >>> check_target("surface-e4")
        'surface-e4'
    """
    if not isinstance(target, str) or target not in TARGETS:
        close = difflib.get_close_matches(str(target), TARGETS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ParameterError(f"unknown estimate target {target!r}{hint}; use one of "
                             f"{sorted(TARGETS)}")
    return target


@dataclass(frozen=True)
class Estimate:
    """A fault-tolerant resource estimate of one circuit.

    Attributes:
        target: Target name (:data:`TARGETS`).
        error_budget: Total failure probability allowed.
        counts: The logical counts estimated (:class:`~qdq.estimate.counts.LogicalCounts`).
        physical_qubits: Physical qubits (algorithm + T factories).
        runtime_seconds: Wall-clock time of one run of the circuit (one shot).
        code_distance: Code distance of the logical qubits.
        algorithmic_logical_qubits: Logical qubits after the estimator's layout (routing
            included: more than :attr:`logical_qubits`).
        logical_depth: Logical cycles of the algorithm.
        t_states: T states consumed (rotations synthesized from T).
        t_factories: T factories running in parallel.
        physical_qubits_for_t_factories: Of :attr:`physical_qubits`, those in factories.
        source: ``"program"`` (counts walked from the program) or ``"circuit"``.
    """

    target: str
    error_budget: float
    counts: LogicalCounts
    physical_qubits: int
    runtime_seconds: float
    code_distance: int
    algorithmic_logical_qubits: int
    logical_depth: int
    t_states: int
    t_factories: int
    physical_qubits_for_t_factories: int
    source: str = "program"
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def logical_qubits(self) -> int:
        """Logical qubits of the circuit (grid + ancillas)."""
        return self.counts.num_qubits

    @property
    def t_count(self) -> int:
        """Explicit T gates of the circuit."""
        return self.counts.t_count

    @property
    def rotation_count(self) -> int:
        """Arbitrary-angle rotations of the circuit."""
        return self.counts.rotation_count

    @property
    def rotation_depth(self) -> int:
        """Rotation layers of the circuit."""
        return self.counts.rotation_depth

    def to_dict(self) -> dict:
        """JSON-safe summary (the counts nested, the raw estimator output left out)."""
        return {"target": self.target, "error_budget": self.error_budget,
                "logical_qubits": self.logical_qubits, "t_count": self.t_count,
                "rotation_count": self.rotation_count, "rotation_depth": self.rotation_depth,
                "measurement_count": self.counts.measurement_count,
                "cx_count": self.counts.cx_count,
                "physical_qubits": self.physical_qubits,
                "runtime_seconds": self.runtime_seconds, "code_distance": self.code_distance,
                "algorithmic_logical_qubits": self.algorithmic_logical_qubits,
                "logical_depth": self.logical_depth, "t_states": self.t_states,
                "t_factories": self.t_factories,
                "physical_qubits_for_t_factories": self.physical_qubits_for_t_factories,
                "source": self.source}



def _qre():
    return require("qdk.qre", "estimate")


def trace_from_counts(counts: LogicalCounts):
    """A ``qdk.qre.Trace`` with exactly these logical counts (the input of the estimate).

    QRE's ``PSSPC`` reads a trace through the same logical-counts model as
    :mod:`qdq.estimate.counts` (qubits, T gates, rotations, rotation layers,
    measurements), so a trace that reproduces the counts is estimated as the circuit is.
    The ``R`` rotations fill the ``D`` layers as evenly as possible, each as two repeated
    blocks (``R mod D`` layers of ``⌊R/D⌋ + 1`` rotations, the rest of ``⌊R/D⌋``), then one
    block of ``T`` gates and one of measurements: O(1) in size, whatever the counts.

    Raises:
        ParameterError: Counts no circuit has (``D > R``, more than ``n`` rotations a layer).
    """
    n, R, D = counts.num_qubits, counts.rotation_count, counts.rotation_depth
    if n < 1 or min(R, D, counts.t_count, counts.measurement_count) < 0 \
            or (R == 0) != (D == 0) or D > R or R > n * D:
        raise ParameterError(f"these logical counts fit no circuit: got {counts}; need "
                             "num_qubits >= 1 and depth <= rotations <= num_qubits * depth")
    qre = _qre()
    ids = qre.instruction_ids
    trace = qre.Trace(n)
    if R:
        per, extra = divmod(R, D)
        for reps, width in ((extra, per + 1), (D - extra, per)):
            if reps and width:
                block = trace.add_block(reps)
                for q in range(width):
                    block.add_operation(ids.RZ, [q], [1.0])
    for reps, gate in ((counts.t_count, ids.T), (counts.measurement_count, ids.MEAS_Z)):
        if reps:
            trace.add_block(reps).add_operation(gate, [0])
    return trace


def trace_from_circuit(qc):
    """A ``qdk.qre.Trace`` of a circuit in :data:`~qdq.estimate.counts.BASIS_GATES`, gate by gate.

    ``rz``/``ry`` at an odd multiple of π/4 become ``T``, at a multiple of π/2 ``S``
    (Clifford), otherwise rotations; ``reset`` and barriers are free. QRE then finds the
    rotation layers itself: the cross-check of :func:`trace_from_counts`.

    Raises:
        ParameterError: Another operation (lower the circuit first, :func:`lower_circuit`).
    """
    qre = _qre()
    ids = qre.instruction_ids
    trace = qre.Trace(max(int(qc.num_qubits), 1))
    fixed = {"cx": ids.CNOT, "h": ids.H, "x": ids.PAULI_X, "measure": ids.MEAS_Z}
    for inst in qc.data:
        name = inst.operation.name
        qs = [qc.find_bit(q).index for q in inst.qubits]
        if name in ("barrier", "global_phase", "reset"):
            continue
        if name in fixed:
            trace.add_operation(fixed[name], qs)
        elif name in ("rz", "ry"):
            angle = float(inst.operation.params[0])
            kind = angle_kind(angle)
            if kind == "rotation":
                trace.add_operation(ids.RZ if name == "rz" else ids.RY, qs, [angle])
            elif kind == "t":
                trace.add_operation(ids.T, qs)
            elif round(angle / (math.pi / 2)) % 4:
                trace.add_operation(ids.S, qs)
        else:
            raise ParameterError(f"cannot estimate operation {name!r}; lower the circuit to "
                                 f"{BASIS_GATES} + measure/reset first (lower_circuit)")
    return trace


def _model(target: str, cache_dir: Path):
    """``(architecture, ISA query)`` of a target."""
    from qdk.qre.models import (
        GateBased,
        Litinski19Factory,
        Majorana,
        RoundBasedFactory,
        SurfaceCode,
        ThreeAux,
    )

    if target in _GATE_BASED:
        error, gate, meas = _GATE_BASED[target]
        return (GateBased(error_rate=error, gate_time=gate, measurement_time=meas),
                SurfaceCode.q() * Litinski19Factory.q())
    # RoundBasedFactory caches its factory designs on disk (~/.cache by default): kept in
    # a temporary folder instead, so an estimate writes nothing outside it.
    return (Majorana(error_rate=_MAJORANA[target]),
            ThreeAux.q() * RoundBasedFactory.q(code_query=ThreeAux.q(), cache_dir=cache_dir,
                                               use_cache=False))


#: T states per rotation tried (QRE's own default stops at 20, too few for long circuits:
#: about ``0.53·log₂(rotations/ε) + 5.3`` are needed for a synthesis error ``ε``).
TS_PER_ROTATION = range(5, 61)


def _trace_query(qre):
    return (qre.PSSPC.q(num_ts_per_rotation=list(TS_PER_ROTATION))
            * qre.LatticeSurgery.q())


def _run(trace, target: str, budget: float, what: str):
    """The Pareto-optimal QRE estimates of a trace; the fewest-qubit one first."""
    qre = _qre()

    class _Fixed(qre.Application):
        def get_trace(self, parameters: None):  # noqa: ARG002 - QRE's signature
            return trace

    out = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        arch, query = _model(target, Path(tmp))
        # QRE prints why it found no estimate; the text goes into the error instead.
        with redirect_stdout(out):
            try:
                table = qre.estimate(_Fixed(), arch, query, _trace_query(qre),
                                     max_error=budget)
            except (ValueError, RuntimeError) as exc:
                print(f"{type(exc).__name__}: {exc}")
                table = []
    entries = sorted(table, key=lambda e: (e.qubits, e.runtime))
    if not entries:
        why = " ".join(out.getvalue().split()) or "no estimate"
        raise ResourceError(f"the resource estimator could not estimate {what} on "
                            f"{target!r} within error_budget={budget:g}: {why}; raise "
                            "error_budget, pick a better target or use fewer steps")
    return entries


def _from_entry(entries, counts: LogicalCounts, target: str, budget: float,
                source: str) -> Estimate:
    qre = _qre()
    keys, ids = qre.property_keys, qre.instruction_ids
    best = entries[0]
    props = best.properties
    distance = next((int(node.transform.distance) for node in best.source.nodes
                     if node.instruction.id == ids.LATTICE_SURGERY
                     and hasattr(node.transform, "distance")), 0)
    k = int(props.get(keys.NUM_TS_PER_ROTATION, 0))
    factory = best.factories.get(ids.T)
    raw = {"pareto_points": len(entries), "num_ts_per_rotation": k, "error": best.error,
           "properties": {qre.property_name(key): value for key, value in props.items()}}
    return Estimate(
        target=target, error_budget=budget, counts=counts,
        physical_qubits=int(best.qubits), runtime_seconds=float(best.runtime) * 1e-9,
        code_distance=distance,
        algorithmic_logical_qubits=int(props.get(keys.LOGICAL_COMPUTE_QUBITS, 0)),
        logical_depth=(counts.measurement_count + counts.rotation_count + counts.t_count
                       + k * counts.rotation_depth),
        t_states=int(factory.states) if factory is not None else 0,
        t_factories=int(factory.copies) if factory is not None else 0,
        physical_qubits_for_t_factories=int(props.get(keys.PHYSICAL_FACTORY_QUBITS, 0)),
        source=source, raw=raw)


def estimate_counts(counts: LogicalCounts, target: str = "surface-e3",
                    error_budget: float = 1e-3) -> Estimate:
    """Physical estimate of given logical counts (see :func:`estimate`)."""
    target, budget = check_target(target), check_error_budget(error_budget)
    entries = _run(trace_from_counts(counts), target, budget,
                   f"{counts.num_qubits} logical qubits")
    return _from_entry(entries, counts, target, budget, "program")


def estimate(spec, target: str = "surface-e3", error_budget: float = 1e-3) -> Estimate:
    r"""Fault-tolerant resources of a spec's circuit, from its own counts.

    The logical counts are walked from the circuit program
    (:func:`qdq.estimate.counts.logical_counts`; no circuit is built, and a long formula
    costs O(1) in its steps: the first and last steps are walked, the repeating middle
    is added period by period) and handed to ``qdk.qre`` as a trace of those counts.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.Anneal` or :class:`~qdq.ImaginaryTime`
            (its shots circuit: reused ancillas; the repetitions that postselection costs
            are not included). The grid may be far larger than memory when each additive
            term group of the objective fits.
        target: A name of :data:`TARGETS`.
        error_budget: Total failure probability allowed, in ``(0, 1)``.

    Returns:
        An :class:`Estimate` (``.physical_qubits``, ``.runtime_seconds`` per shot, …).

    Raises:
        ParameterError: An unknown target or a budget outside ``(0, 1)``.
        ResourceError: If the estimator finds no code for the budget (its reason quoted),
            or the counts cannot be extrapolated (:func:`~qdq.estimate.counts.logical_counts`).
        DependencyError: Without ``qdk.qre`` (``pip install 'qdq[estimate]'``).

    Example:
        >>> from qdq.problem import Problem
        >>> from qdq.hamiltonian import Hamiltonian
        >>> from qdq.evolution import RealTime
        >>> p = Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> e = estimate(RealTime(Hamiltonian(p, D=0.5), time=0.2, steps=2))
        >>> e.logical_qubits, e.rotation_count, e.physical_qubits > 1_000
        (3, 42, True)
    """
    target, budget = check_target(target), check_error_budget(error_budget)  # before the walk
    return estimate_counts(logical_counts(spec), target, budget)


def lower_circuit(qc):
    """``qc`` transpiled to :data:`~qdq.estimate.counts.BASIS_GATES` (optimization level 0)."""
    from qiskit import transpile

    return transpile(qc, basis_gates=list(BASIS_GATES), optimization_level=0)


def estimate_circuit(qc, target: str = "surface-e3", error_budget: float = 1e-3) -> Estimate:
    """Estimate a whole Qiskit circuit gate by gate (the cross-check of :func:`estimate`).

    The circuit is lowered by :func:`lower_circuit` and becomes a QRE trace gate by gate
    (:func:`trace_from_circuit`); the counts are read back from QRE: rotations, T gates
    and measurements from the trace, the rotation depth from the depth of its ``PSSPC``
    layout (``measurements + rotations + T + k·depth`` at ``k`` T states per rotation).
    Cost grows with the circuit: use :func:`estimate` for long evolutions.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2)
        >>> _ = qc.rz(0.3, 0), qc.cx(0, 1), qc.rz(0.2, 1)
        >>> e = estimate_circuit(qc)
        >>> e.rotation_count, e.rotation_depth, e.source
        (2, 2, 'circuit')
    """
    target, budget = check_target(target), check_error_budget(error_budget)
    qre = _qre()
    ids = qre.instruction_ids
    low = lower_circuit(qc)
    trace = trace_from_circuit(low)
    gates = trace.gate_counts
    rot = gates.get(ids.RZ, 0) + gates.get(ids.RY, 0)
    t, meas = gates.get(ids.T, 0), gates.get(ids.MEAS_Z, 0)
    k = 10
    layout_depth = qre.PSSPC(num_ts_per_rotation=k).transform(trace).depth
    counts = LogicalCounts(num_qubits=int(low.num_qubits), t_count=t, rotation_count=rot,
                           rotation_depth=(layout_depth - meas - rot - t) // k,
                           measurement_count=meas, cx_count=gates.get(ids.CNOT, 0))
    entries = _run(trace, target, budget, f"circuit {qc.name!r}")
    return _from_entry(entries, counts, target, budget, "circuit")
