r"""Fair comparisons of quantum-dynamics, classical and baseline optimizers.

``qdq.compare`` is both a package and a function: ``qdq.compare(problem, methods=[...])``
calls :func:`compare`; ``qdq.compare.run_suite(...)`` runs a benchmark suite.

* :func:`compare` — one problem, many methods, ``repeats`` seeds each, stated budgets
  (objective evaluations for classical methods, shots for quantum-dynamics methods),
  success rates with Wilson 95 % intervals; uniform random sampling and the exact grid
  argmin are always added as baselines.
* :func:`run_suite` — (function × method × seed) cells over a pluggable executor
  (processes, threads, Dask, serial), stored cell by cell in the local experiment store
  so an interrupted suite resumes where it stopped (the QHD 2-D protocol by default).
* :class:`Report` — tables (Markdown, CSV, HTML) and figures; :meth:`Report.save`.

Example:
    >>> import qdq
    >>> p = qdq.Problem("(x - 1)**2 + y**2", bounds=[(-2, 2), (-2, 2)], qubits=4,
    ...                 minimizer=[1, 0], minimum=0.0)
    >>> rep = qdq.compare(p, methods=["random"], repeats=10, budget=200, radius=0.5,
    ...                   progress=False)
    >>> [r["method"] for r in rep.table], rep.row("grid-argmin")["success_rate"]
    (['random', 'grid-argmin'], 1.0)
"""

from __future__ import annotations

import sys
import types

from qdq.compare.methods import (
    BASELINES,
    CLASSICAL,
    QUANTUM,
    MethodSpec,
    resolve_methods,
    valid_methods,
)
from qdq.compare.metrics import SuccessCriterion, area_fraction, wilson_interval
from qdq.compare.report import Report
from qdq.compare.suite import (
    BUDGET_TEXT,
    EXECUTORS,
    FunctionSpec,
    compare,
    load_report,
    run_suite,
)

__all__ = [
    "BASELINES",
    "BUDGET_TEXT",
    "CLASSICAL",
    "EXECUTORS",
    "QUANTUM",
    "FunctionSpec",
    "MethodSpec",
    "Report",
    "SuccessCriterion",
    "area_fraction",
    "compare",
    "load_report",
    "resolve_methods",
    "run_suite",
    "valid_methods",
    "wilson_interval",
]


class _CallableModule(types.ModuleType):
    """Makes ``qdq.compare(...)`` call :func:`compare` while staying a package."""

    def __call__(self, *args, **kwargs):
        return compare(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
