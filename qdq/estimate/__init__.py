"""Fault-tolerant resource estimates of qdq's circuits (``qdq.estimate(spec, …)``).

The package owns the path **spec → logical counts → physical estimate**:

* :mod:`qdq.estimate.counts` walks a spec's circuit program into logical counts (qubits,
  rotations, rotation depth, measurements) without building the circuit, in O(1) of the
  number of steps (the repeating middle of a long formula is added period by period);
* :mod:`qdq.estimate.physical` hands them, as a ``qdk.qre`` trace, to Microsoft's resource
  estimator (QRE v3: the ``qdk[qre]`` package, extra ``qdq[estimate]``) for a named target
  and error budget, and returns an :class:`Estimate`; :func:`estimate_circuit` passes a
  whole Qiskit circuit gate by gate instead (the cross-check).

Calling the package runs :func:`estimate`. Its modules import each other directly, never
this ``__init__``; they may import :mod:`qdq.circuits`, :mod:`qdq.evolution` and
:mod:`qdq.errors`.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    >>> e = qdq.estimate(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=2),
    ...                  target="surface-e4", error_budget=1e-3)
    >>> e.logical_qubits, e.to_dict()["target"]
    (3, 'surface-e4')
"""

from __future__ import annotations

import sys
import types

from qdq.estimate.counts import LogicalCounts, logical_counts
from qdq.estimate.physical import (
    TARGETS,
    Estimate,
    estimate,
    estimate_circuit,
    estimate_counts,
    lower_circuit,
    trace_from_circuit,
    trace_from_counts,
)

__all__ = ["TARGETS", "Estimate", "LogicalCounts", "estimate", "estimate_circuit",
           "estimate_counts", "logical_counts", "lower_circuit", "trace_from_circuit",
           "trace_from_counts"]


class _CallableModule(types.ModuleType):
    """Makes ``qdq.estimate(...)`` call :func:`estimate` while staying a package."""

    def __call__(self, *args, **kwargs):
        return estimate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
