r"""Physical resource estimates: logical counts fed to Microsoft's resource estimator.

The estimator (the ``qdk`` package, optional extra ``qdq[estimate]``) lays the logical
qubits out for lattice surgery (PSSPC), picks the code distance ``d`` that keeps the total
failure probability within ``error_budget``, synthesizes each rotation from
``≈ 0.53 log₂(R/ε) + 5.3`` T states and sizes the T factories. Targets are named here:

=================  ================================  ===========
name               qubit model                       QEC scheme
=================  ================================  ===========
``surface-e3``     ``qubit_gate_ns_e3`` (10⁻³, ns)    surface code
``surface-e4``     ``qubit_gate_ns_e4`` (10⁻⁴, ns)    surface code
``surface-us-e3``  ``qubit_gate_us_e3`` (10⁻³, µs)    surface code
``surface-us-e4``  ``qubit_gate_us_e4`` (10⁻⁴, µs)    surface code
``floquet-maj-e4`` ``qubit_maj_ns_e4`` (Majorana)     Floquet code
``floquet-maj-e6`` ``qubit_maj_ns_e6`` (Majorana)     Floquet code
=================  ================================  ===========

May import :mod:`qdq.estimate.counts`, :mod:`qdq.errors`; ``qdk`` on first use.

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
import math
from dataclasses import dataclass, field

from qdq.errors import ParameterError, ResourceError, require
from qdq.estimate.counts import BASIS_GATES, LogicalCounts, logical_counts

__all__ = ["TARGETS", "Estimate", "check_error_budget", "estimate", "estimate_circuit",
           "estimate_counts", "estimator_params"]

#: Friendly target name -> (estimator qubit model, QEC scheme).
TARGETS: dict[str, tuple[str, str]] = {
    "surface-e3": ("qubit_gate_ns_e3", "surface_code"),
    "surface-e4": ("qubit_gate_ns_e4", "surface_code"),
    "surface-us-e3": ("qubit_gate_us_e3", "surface_code"),
    "surface-us-e4": ("qubit_gate_us_e4", "surface_code"),
    "floquet-maj-e4": ("qubit_maj_ns_e4", "floquet_code"),
    "floquet-maj-e6": ("qubit_maj_ns_e6", "floquet_code"),
}


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


def estimator_params(target: str, error_budget: float) -> dict:
    """The estimator's job parameters for a named target and an error budget.

    Raises:
        ParameterError: An unknown target (with the known names) or a bad budget.

    Example:
        >>> estimator_params("surface-e4", 1e-3)["qubitParams"]
        {'name': 'qubit_gate_ns_e4'}
    """
    if not isinstance(target, str) or target not in TARGETS:
        close = difflib.get_close_matches(str(target), TARGETS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ParameterError(f"unknown estimate target {target!r}{hint}; use one of "
                             f"{sorted(TARGETS)}")
    qubit, qec = TARGETS[target]
    return {"qubitParams": {"name": qubit}, "qecScheme": {"name": qec},
            "errorBudget": check_error_budget(error_budget)}


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


def _from_result(result: dict, counts: LogicalCounts, target: str, budget: float,
                 source: str) -> Estimate:
    phys = result["physicalCounts"]
    b = phys["breakdown"]
    return Estimate(target=target, error_budget=budget, counts=counts,
                    physical_qubits=int(phys["physicalQubits"]),
                    runtime_seconds=float(phys["runtime"]) * 1e-9,
                    code_distance=int(result["logicalQubit"]["codeDistance"]),
                    algorithmic_logical_qubits=int(b["algorithmicLogicalQubits"]),
                    logical_depth=int(b["logicalDepth"]), t_states=int(b["numTstates"]),
                    t_factories=int(b["numTfactories"]),
                    physical_qubits_for_t_factories=int(b["physicalQubitsForTfactories"]),
                    source=source, raw=dict(result))


def _estimator():
    return require("qdk.estimator", "estimate")


def _run(call, what: str):
    estimator = _estimator()
    try:
        return call()
    except estimator.EstimatorError as exc:
        raise ResourceError(f"the resource estimator could not estimate {what}: {exc}; "
                            "raise error_budget or pick a better target") from exc


def estimate_counts(counts: LogicalCounts, target: str = "surface-e3",
                    error_budget: float = 1e-3) -> Estimate:
    """Physical estimate of given logical counts (see :func:`estimate`)."""
    params = estimator_params(target, error_budget)
    est = _estimator()
    result = _run(lambda: est.LogicalCounts(counts.to_estimator()).estimate(params),
                  f"{counts.num_qubits} logical qubits")
    return _from_result(result, counts, target, params["errorBudget"], "program")


def estimate(spec, target: str = "surface-e3", error_budget: float = 1e-3) -> Estimate:
    r"""Fault-tolerant resources of a spec's circuit, from its own counts.

    The logical counts are walked from the circuit program op by op
    (:func:`qdq.estimate.counts.logical_counts`; no circuit is built, so a 10⁴-step anneal
    on 80 qubits takes seconds) and handed to the estimator's logical-counts model.

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
        ResourceError: If the estimator finds no code for the budget.
        DependencyError: Without the ``qdk`` package (``pip install 'qdq[estimate]'``).

    Example:
        >>> from qdq.problem import Problem
        >>> from qdq.hamiltonian import Hamiltonian
        >>> from qdq.evolution import RealTime
        >>> p = Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> e = estimate(RealTime(Hamiltonian(p, D=0.5), time=0.2, steps=2))
        >>> e.logical_qubits, e.rotation_count, e.physical_qubits > 10_000
        (3, 42, True)
    """
    params = estimator_params(target, error_budget)  # refuse bad input before the walk
    return estimate_counts(logical_counts(spec), target, params["errorBudget"])


def lower_circuit(qc):
    """``qc`` transpiled to :data:`~qdq.estimate.counts.BASIS_GATES` (optimization level 0).

    The estimator's own Qiskit transpilation fails on ``QFTGate`` ("hardware qubit
    operands are not supported"), so circuits are lowered here and passed with
    ``skip_transpilation=True``.
    """
    from qiskit import transpile

    return transpile(qc, basis_gates=list(BASIS_GATES), optimization_level=0)


def estimate_circuit(qc, target: str = "surface-e3", error_budget: float = 1e-3) -> Estimate:
    """Estimate a whole Qiskit circuit with the estimator's own Qiskit path (a cross-check).

    The circuit is lowered by :func:`lower_circuit`; the estimator derives the logical
    counts itself. Cost grows with the circuit: use :func:`estimate` for long evolutions.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2)
        >>> _ = qc.rz(0.3, 0), qc.cx(0, 1), qc.rz(0.2, 1)
        >>> e = estimate_circuit(qc)
        >>> e.rotation_count, e.rotation_depth, e.source
        (2, 2, 'circuit')
    """
    params = estimator_params(target, error_budget)
    qiskit_path = require("qdk.qiskit", "estimate")
    low = lower_circuit(qc)
    result = _run(lambda: qiskit_path.estimate(low, params, skip_transpilation=True),
                  f"circuit {qc.name!r}")
    lc = result["logicalCounts"]
    counts = LogicalCounts(num_qubits=int(lc["numQubits"]), t_count=int(lc["tCount"]),
                           rotation_count=int(lc["rotationCount"]),
                           rotation_depth=int(lc["rotationDepth"]),
                           measurement_count=int(lc["measurementCount"]),
                           cx_count=int(low.count_ops().get("cx", 0)))
    return _from_result(result, counts, target, params["errorBudget"], "circuit")
